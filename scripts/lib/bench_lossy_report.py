"""The results table of scripts/bench-lossy, from its raw outputs: bench_lossy_report.py OUT DEVICES SEED CONDITIONS FI_OK FI_DEVICES."""
import json, os, sys
out, devices, seed, conditions, fi_ok, fi_devices = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4].split(), sys.argv[5] == "1", int(sys.argv[6])

def ours(d):
    try:
        readings = json.load(open(os.path.join(d, "ours.json")))
    except (OSError, ValueError):
        return {}
    keep = {}
    for r in readings:
        ip = r.pop("ip")
        for k in ("elapsedMs", "requests", "port"):
            r.pop(k, None)
        keep[ip] = json.dumps(r, sort_keys=True)
    return keep

def netsnmp(d):
    keep = {}
    base = os.path.join(d, "netsnmp")
    for f in os.listdir(base) if os.path.isdir(base) else []:
        if f.endswith(".out"):
            ip = f[:-4]
            rc = open(os.path.join(base, ip + ".rc")).read().strip()
            keep[ip] = open(os.path.join(base, f)).read() if rc == "0" else None
    return keep

def fi(d):
    keep = {}
    base = os.path.join(d, "fi", "json")
    for f in os.listdir(base) if os.path.isdir(base) else []:
        keep[f.rsplit(".json", 1)[0]] = open(os.path.join(base, f)).read()
    return keep

def figures(d):
    got = {}
    for line in open(os.path.join(d, "figures")):
        tool, secs, sent = line.split()
        got[tool] = (float(secs), int(sent or 0))
    return got

base_dir = os.path.join(out, "c-" + conditions[0])
baseline = {"ours": ours(base_dir), "netsnmp": netsnmp(base_dir), "fi": fi(base_dir)}
base_fig = figures(base_dir)
tools = [("ours", "onestoppi scan (status-scan read)", ours, devices), ("netsnmp", "snmpbulkwalk Printer MIB (-r 5 -t 1, 16 at once)", netsnmp, devices)]
if fi_ok:
    tools.append(("fi", "FusionInventory netinventory (-T 2, 8 threads, no retries)", fi, fi_devices))
rows = ["| condition | tool | identical readings | complete but different | incomplete or missing | wall s | datagrams sent | retransmissions |", "|---|---|---|---|---|---|---|---|"]
for c in conditions:
    d = os.path.join(out, "c-" + c)
    fig = figures(d)
    relay = json.load(open(os.path.join(d, "relay.json")))
    label = (f"{c.rstrip('d')} % loss each way" if c.rstrip('d') != "0" else "loss-free") + (", 5-120 ms delay, 10 % duplicated" if c.endswith("d") else "")
    for key, name, read, n in tools:
        got = read(d)
        ref = baseline[key]
        identical = sum(1 for ip, v in got.items() if v is not None and ref.get(ip) == v and "incomplete" not in v and "no answer" not in v)
        incomplete = sum(1 for ip, v in got.items() if v is None or "incomplete" in v or "no answer" in v) + max(0, n - len(got))
        different = n - identical - incomplete
        secs, sent = fig[key]
        if key == "ours":
            # Our readings count the requests they sent, retransmissions excluded.
            try:
                distinct = sum(r.get("requests", 0) for r in json.load(open(os.path.join(d, "ours.json"))))
            except (OSError, ValueError):
                distinct = base_fig[key][1]
            retrans = sent - distinct
        elif key == "fi":
            retrans = 0  # FusionInventory never retransmits (SNMP/Live.pm: retries 0)
        else:
            retrans = max(0, sent - base_fig[key][1])
        rows.append(f"| {label} | {name} | {identical}/{n} | {different} | {incomplete} | {secs:.1f} | {sent} | {retrans} |")
text = f"Seed {seed} (relay); {devices} simulated printers.\n\n" + "\n".join(rows) + "\n"
open(os.path.join(out, "results.md"), "w").write(text)
print(text)
