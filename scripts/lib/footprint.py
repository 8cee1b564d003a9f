#!/usr/bin/env python3
"""Start-up and idle footprint of `onestoppi run` (scripts/bench-footprint; docs/benchmarks.md, "Footprint").

Usage: footprint.py BINARY [--runs N] [--idle SECONDS] [--port PORT] [--first-boot 0|1]
Each run gets a fresh state/log/config directory holding what an enrolled agent has: agent.json (portal URL,
enrolment key, LAN face on 127.0.0.1:PORT, no mDNS), enrolment.json (agent id + token), portal-config.json
(the cached site configuration: assigned, a 10-address loopback range, communities, a v3 user, a 15-minute
status interval, a daily meter scan 12 hours away) and the LAN setup key the agent made at its first start
(--first-boot 1 leaves it out: the agent then generates it, which loads OpenSSL for the random bytes). The portal URL is https://127.0.0.1:9/, where nothing
listens: the agent runs from its cached configuration and keeps retrying the portal, as at a site whose
Internet link is down. Measured: milliseconds from exec to the first 200 from GET /healthz (polled every
millisecond over a fresh connection), and VmRSS / VmHWM after SECONDS of idling. Loopback only.
"""
import http.client
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta, timezone


def enrolled_state(root, port, first_boot=False):
    conf, state, logs = (os.path.join(root, d) for d in ("conf", "state", "logs"))
    for d in (conf, state, logs):
        os.makedirs(d, mode=0o700)
    agent_id = str(uuid.uuid4())
    portal = "https://127.0.0.1:9/"
    with open(os.path.join(conf, "agent.json"), "w") as f:
        json.dump({"portalUrl": portal, "enrolmentKey": "bench-enrolment-key", "snmpPort": 16193, "hardwareId": "bench-footprint",
                   "lan": {"bindAddress": "127.0.0.1", "httpPort": port, "discoveryPort": port + 1, "mdns": False}}, f)
    with open(os.path.join(state, "enrolment.json"), "w") as f:
        json.dump({"agentId": agent_id, "token": "bench-token", "portalUrl": portal}, f)
    meter = (datetime.now(timezone.utc) + timedelta(hours=12)).strftime("%H:%M")
    config = {"agentId": agent_id, "siteId": 1, "assigned": True, "version": 1,
              "ranges": ["127.0.74.1-127.0.74.10"], "exclusions": [],
              "snmp": {"communities": ["public", "private"],
                       "v3Users": [{"user": "bench", "authProtocol": "SHA", "authPassword": "bench-auth-pass",
                                    "privProtocol": "AES", "privPassword": "bench-priv-pass", "context": None}]},
              "schedule": {"meterTime": meter, "timeZone": "UTC", "statusIntervalMinutes": 15, "commandPollSeconds": 60},
              "logMode": "normal"}
    with open(os.path.join(state, "portal-config.json"), "w") as f:
        json.dump({"eTag": "\"1\"", "config": config, "fetchedAt": datetime.now(timezone.utc).isoformat()}, f)
    if not first_boot:
        with open(os.open(os.path.join(state, "setup-key"), os.O_WRONLY | os.O_CREAT, 0o600), "w") as f:
            f.write("BENC-HF00-TPR1-NTKY\n")
    return {"CONFIGURATION_DIRECTORY": conf, "STATE_DIRECTORY": state, "LOGS_DIRECTORY": logs}


def status_kib(pid, key):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"{key} not in /proc/{pid}/status")


def one_run(binary, port, idle, first_boot):
    with tempfile.TemporaryDirectory(prefix="onestoppi-footprint-") as root:
        env = dict(os.environ, **enrolled_state(root, port, first_boot))
        env.pop("NOTIFY_SOCKET", None)
        start = time.monotonic()
        agent = subprocess.Popen([binary, "run"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        healthz_ms = None
        try:
            deadline = start + 20
            while time.monotonic() < deadline and agent.poll() is None:
                try:
                    c = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
                    c.request("GET", "/healthz")
                    if c.getresponse().status == 200:
                        healthz_ms = (time.monotonic() - start) * 1000
                        break
                except OSError:
                    pass
                finally:
                    c.close()
                time.sleep(0.001)
            if healthz_ms is None:
                raise RuntimeError(f"no /healthz answer (exit code {agent.poll()}): {agent.stderr.read1().decode(errors='replace') if agent.poll() is not None else ''}")
            time.sleep(idle)
            if agent.poll() is not None:
                raise RuntimeError(f"the agent exited during the idle time ({agent.returncode})")
            rss, hwm = status_kib(agent.pid, "VmRSS"), status_kib(agent.pid, "VmHWM")
            anon, file = status_kib(agent.pid, "RssAnon"), status_kib(agent.pid, "RssFile")
            with open(os.path.join(root, "state", "portal-config.json")) as f:
                assigned = json.load(f)["config"]["assigned"]
            return healthz_ms, rss, hwm, assigned, anon, file
        finally:
            if agent.poll() is None:
                agent.send_signal(signal.SIGTERM)
                try:
                    agent.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    agent.kill()
                    agent.wait()


def main():
    args = sys.argv[1:]
    opts = {"--runs": 5, "--idle": 10, "--port": 23908, "--first-boot": 0}
    binary = None
    i = 0
    while i < len(args):
        if args[i] in opts:
            opts[args[i]] = int(args[i + 1])
            i += 2
        else:
            binary = args[i]
            i += 1
    if binary is None:
        sys.exit(__doc__)
    runs = [one_run(binary, opts["--port"], opts["--idle"], opts["--first-boot"] == 1) for _ in range(opts["--runs"])]
    h = [r[0] for r in runs]
    rss = [r[1] / 1024 for r in runs]
    hwm = [r[2] / 1024 for r in runs]
    anon = [r[4] / 1024 for r in runs]
    file = [r[5] / 1024 for r in runs]
    boot = "first boot (no setup key yet)" if opts["--first-boot"] == 1 else "setup key from an earlier start"
    print(f"{binary}: {opts['--runs']} runs, idle {opts['--idle']} s, enrolled configuration loaded (assigned: {all(r[3] for r in runs)}), {boot}")
    print(f"  load average at the end: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    print(f"  /healthz after start: median {statistics.median(h):.0f} ms, min {min(h):.0f}, max {max(h):.0f}")
    print(f"  idle RSS: median {statistics.median(rss):.1f} MiB = {statistics.median(rss) * 1.048576:.1f} MB, min {min(rss):.1f}, max {max(rss):.1f}; "
          f"peak (VmHWM) median {statistics.median(hwm):.1f} MiB; anonymous {statistics.median(anon):.1f} MiB, file-backed {statistics.median(file):.1f} MiB")


main()
