#!/usr/bin/env python3
"""Plots scripts/bench-forecast's cases (TSV from OneStopPi.ForecastBench --tsv) into a PNG.

Left: forecast days left against the true days left, with the stated 80 % range, at 30, 14 and 7 days out.
Right: the distribution of the signed error (forecast - truth) at each horizon."""
import csv
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

source, target = sys.argv[1], sys.argv[2]
rows = [r for r in csv.DictReader(open(source, encoding="utf-8"), delimiter="\t") if r["forecast_days"]]
horizons = [30, 14, 7]
colours = {30: "#0b5cad", 14: "#d6007e", 7: "#e69500"}
fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.6), dpi=110)
for h in horizons:
    sel = [r for r in rows if int(r["horizon"]) == h][:300]
    truth = [float(r["true_days"]) for r in sel]
    forecast = [float(r["forecast_days"]) for r in sel]
    low = [f - float(r["low_days"]) for f, r in zip(forecast, sel)]
    high = [float(r["high_days"]) - f for f, r in zip(forecast, sel)]
    left.errorbar(truth, forecast, yerr=[low, high], fmt="o", ms=2.5, lw=0.6, alpha=0.35, color=colours[h], label=f"{h} days out")
left.plot([0, 40], [0, 40], color="#222", lw=1)
left.set_xlim(0, 36)
left.set_ylim(0, 60)
left.set_xlabel("true days left")
left.set_ylabel("forecast days left (bar: 80 % range)")
left.legend(loc="upper left")
left.set_title("Forecast against the simulator's truth")
errors = [[float(r["forecast_days"]) - float(r["true_days"]) for r in rows if int(r["horizon"]) == h] for h in horizons]
right.boxplot(errors, labels=[f"{h} d" for h in horizons], whis=(10, 90), showfliers=False)
right.axhline(0, color="#222", lw=1)
right.set_ylabel("forecast - truth, days (box: quartiles, whiskers: 10-90 %)")
right.set_xlabel("days before the true run-out")
right.set_title("Error by horizon")
fig.tight_layout()
fig.savefig(target)
