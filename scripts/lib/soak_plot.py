#!/usr/bin/env python3
"""Plots scripts/bench-soak's CSV (elapsed_s, rss_kib, fds, threads, outbox_files, outbox_bytes, ...) as one PNG
with four panels sharing the time axis, and prints first/last/min/max of each series so the figures can be
quoted beside the picture. Usage: soak_plot.py CSV PNG [--title TEXT]"""
import argparse
import csv

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402 (the backend is chosen first)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("csv")
    parser.add_argument("png")
    parser.add_argument("--title", default="Agent soak")
    args = parser.parse_args()
    with open(args.csv, newline="") as f:
        rows = list(csv.DictReader(f))
    if len(rows) < 2:
        raise SystemExit(f"soak_plot: {args.csv} has {len(rows)} samples; at least 2 are needed")
    minutes = [int(r["elapsed_s"]) / 60 for r in rows]
    series = [
        ("RSS (MiB)", [int(r["rss_kib"]) / 1024 for r in rows]),
        ("open file descriptors", [int(r["fds"]) for r in rows]),
        ("threads", [int(r["threads"]) for r in rows]),
        ("outbox (files)", [int(r["outbox_files"]) for r in rows]),
    ]
    figure, axes = plt.subplots(len(series), 1, sharex=True, figsize=(9, 9))
    for axis, (label, values) in zip(axes, series):
        axis.plot(minutes, values, linewidth=1.2)
        axis.set_ylabel(label)
        axis.set_ylim(bottom=0, top=max(values) * 1.25 + 1)
        axis.grid(True, alpha=0.3)
        print(f"{label}: first {values[0]:.1f}, last {values[-1]:.1f}, min {min(values):.1f}, max {max(values):.1f}")
    axes[-1].set_xlabel("minutes since the fleet was found")
    figure.suptitle(args.title)
    figure.tight_layout()
    figure.savefig(args.png, dpi=80)
    print(f"soak_plot: {len(rows)} samples over {minutes[-1]:.1f} min -> {args.png}")


if __name__ == "__main__":
    main()
