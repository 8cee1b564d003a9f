"""Simulated agents against a running reference portal (scripts/bench-portal; issue 17, "the portal under a dealer's load").

portal_load.py URL OPERATOR_TOKEN OUT_JSON --agents N --seconds T --poll P --devices D [--steps "P1 P2 ..." --step-seconds S]
               [--agents-per-site K] [--no-alert-rules] [--connections C] [--portal-pid PID] [--seed S]

N agents are enrolled and assigned, K to a site (set-up, not timed): a dealer has one box per customer site, so K
is 1 unless asked (--agents-per-site 2000 puts a whole fleet in one site, the first runs' shape). The dealer-wide
alert rules are set as a dealer would have them (supply low, run-out forecast, error states, silent devices and
boxes, counters going back; no webhook or mail), so every stored batch costs the alert evaluation it would in the
field (--no-alert-rules: none, every rule off, as before 2026-12-07 21:30 UTC). Then for T seconds each agent, from a random
moment in its first P seconds, every P seconds asks for its configuration (If-None-Match: 304 while unchanged) and
its commands, sends a heartbeat every fifth round, and uploads one meter batch of D devices at a random moment of
the run (a dealer's meter time shared by many sites is that burst; here spread). With --steps, the same agents run
one step of S seconds per poll interval given (shorter interval, higher rate; the mix kept: one batch per agent per
30 rounds), stopping after the first step whose p99 passes 3 s or that has errors.

One asyncio event loop plays every agent (a thread per agent costs the load tool more than the portal): a scheduler
sends each request at its due time over a pool of up to C keep-alive TLS connections (a real agent keeps one
connection of its own; C in flight at once is the most this run allows). Every request is timed from the moment it
is written to its last byte read; the time it waited for a free connection is counted apart (queue) and the time the
scheduler itself was late (lag: the load tool not keeping up) too. A request is an error when it fails or answers
other than 2xx/304. Beside every figure: the load average (start, end, mean of 10 s samples), the load tool's CPU
seconds and, with --portal-pid, the portal process's CPU seconds and per request. Afterwards every batch the portal
acknowledged is looked for in the database by the caller (the keys are written to OUT_JSON).

Bounded: a request more than P seconds late is not sent (counted as unsent), a step or run ends T seconds after it
started plus one request's timeout, and set-up is N enrolments.
"""
import argparse, asyncio, io, json, os, random, resource, ssl, sys, time, uuid, zipfile
from urllib.parse import urlparse

parser = argparse.ArgumentParser()
parser.add_argument("url")
parser.add_argument("operator_token")
parser.add_argument("out")
parser.add_argument("--agents", type=int, default=200)
parser.add_argument("--seconds", type=float, default=120)
parser.add_argument("--poll", type=float, default=60)
parser.add_argument("--devices", type=int, default=20)
parser.add_argument("--agents-per-site", type=int, default=1, help="agents in each site (1: one box per customer site)")
parser.add_argument("--no-alert-rules", action="store_true", help="leave every alert rule off")
parser.add_argument("--steps", default="", help="poll intervals, one step each (step-up mode)")
parser.add_argument("--step-seconds", type=float, default=120)
parser.add_argument("--connections", type=int, default=256)
parser.add_argument("--workers", type=int, default=0, help="ignored (the thread-per-connection tool's option)")
parser.add_argument("--portal-pid", type=int, default=0)
parser.add_argument("--pg-db", default="", help="the PostgreSQL database: its backends' CPU and its commits/updates per request")
parser.add_argument("--seed", type=int, default=17)
args = parser.parse_args()

target = urlparse(args.url)
assert target.hostname.startswith("127."), "loopback only"
context = ssl.create_default_context()
context.check_hostname = False
context.verify_mode = ssl.CERT_NONE  # the portal's self-signed certificate on loopback; pinning is the agent's job, not the bench's
TIMEOUT = 30
STARTED = time.monotonic()
STOP_P99_SECONDS = 3.0


class HttpError(Exception):
    pass


class Connection:
    """One keep-alive HTTP/1.1 connection over TLS: just what the portal's answers need (Content-Length or chunked)."""

    def __init__(self):
        self.reader = self.writer = None

    async def open(self):
        self.reader, self.writer = await asyncio.wait_for(
            asyncio.open_connection(target.hostname, target.port, ssl=context), TIMEOUT)

    def close(self):
        if self.writer is not None:
            self.writer.transport.abort()
        self.reader = self.writer = None

    async def request(self, method, path, body=b"", headers=()):
        if self.writer is None:
            await self.open()
        head = [f"{method} {path} HTTP/1.1", f"Host: {target.hostname}:{target.port}", f"Content-Length: {len(body)}"]
        head += [f"{k}: {v}" for k, v in headers]
        self.writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + body)
        status_line = await self.reader.readuntil(b"\r\n")
        status = int(status_line.split()[1])
        fields = {}
        while True:
            line = await self.reader.readuntil(b"\r\n")
            if line == b"\r\n":
                break
            name, _, value = line.decode("latin-1").partition(":")
            fields[name.strip().lower()] = value.strip()
        if "content-length" in fields:
            data = await self.reader.readexactly(int(fields["content-length"]))
        elif fields.get("transfer-encoding", "").lower() == "chunked":
            parts = []
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
                parts.append(await self.reader.readexactly(size + 2))
                if size == 0:
                    break
            data = b"".join(p[:-2] for p in parts)
        else:
            data = b""
        if fields.get("connection", "").lower() == "close":
            self.close()
        return status, data, fields


class Pool:
    def __init__(self, size):
        self.idle = []
        self.slots = asyncio.Semaphore(size)

    async def call(self, method, path, body=b"", headers=()):
        """(status, body, headers, seconds on the wire, seconds queued); one retry when a kept-alive connection was closed."""
        queued = time.perf_counter()
        async with self.slots:
            started = time.perf_counter()
            conn = self.idle.pop() if self.idle else Connection()
            for attempt in (0, 1):
                fresh = conn.writer is None
                try:
                    started = time.perf_counter()
                    status, data, fields = await asyncio.wait_for(conn.request(method, path, body, headers), TIMEOUT)
                    if conn.writer is not None:
                        self.idle.append(conn)
                    return status, data, fields, time.perf_counter() - started, started - queued
                except (ConnectionError, asyncio.IncompleteReadError) as e:
                    conn.close()
                    if attempt or fresh:
                        raise HttpError(type(e).__name__) from e
                except BaseException:
                    conn.close()
                    raise


def batch_zip(agent_id, site_id, serial_base, devices, rng):
    now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    rows = []
    for d in range(devices):
        # Counters only go up, as a printer's do (a page a second since the tool started, on a base per device);
        # the toner level is random, so some devices cross the supply-low rule and some clear it.
        total = 1_000 + 7_919 * (serial_base * devices + d) % 1_000_000 + int(time.monotonic() - STARTED)
        level = rng.randrange(0, 100)
        ip = f"10.{(serial_base >> 8) & 255}.{serial_base & 255}.{d + 1}"
        rows.append(
            f'<device ip="{ip}" port="161" mac="02:00:{(serial_base >> 8) & 255:02x}:{serial_base & 255:02x}:00:{d + 1:02x}" vendor="Kyocera" '
            f'model="TASKalfa 3253ci" serial="LOAD{serial_base:06d}{d:03d}">'
            f'<status hrDeviceStatus="2" hrPrinterStatus="3"/>'
            f'<counter name="total" value="{total}" oid="1.3.6.1.2.1.43.10.2.1.4.1.1"/>'
            f'<counter name="mono" value="{total // 2}" oid="1.3.6.1.4.1.1347.42.3.1.1.1.1.1"/>'
            f'<supply description="Black toner" type="toner" colour="black" level="{level}" max="100" unit="percent" percent="{level}"/>'
            f'</device>')
    document = (f'<scan xmlns="urn:onestoppi:readings:1" schemaVersion="1" agentId="{agent_id}" siteId="{site_id}" kind="meter" '
                f'missedMeter="false" start="{now}" end="{now}">' + "".join(rows) + "</scan>")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(f"meter-{uuid.uuid4().hex}.xml", document)
    return buffer.getvalue()


def pct(values, p):
    if not values:
        return 0.0
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))]


def loadavg():
    return float(open("/proc/loadavg").read().split()[0])


def portal_cpu():
    if not args.portal_pid:
        return 0.0
    fields = open(f"/proc/{args.portal_pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def pg_cpu():
    """{pid: CPU seconds} of the PostgreSQL backends serving this database (their process title names it). Backends
    come and go with the portal's connection pool: the caller samples every 10 s and keeps each one's last value."""
    if not args.pg_db:
        return {}
    found = {}
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            if f" {args.pg_db} ".encode() not in open(f"/proc/{pid}/cmdline", "rb").read():
                continue
            fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
            found[pid] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except OSError:
            continue
    return found


def pg_counters():
    """(commits, rows inserted, rows updated) of the database so far."""
    if not args.pg_db:
        return (0, 0, 0)
    import subprocess
    out = subprocess.run(["psql", "-h", "127.0.0.1", "-U", "onestoppi", "-d", args.pg_db, "-At", "-c",
                          f"SELECT xact_commit, tup_inserted, tup_updated FROM pg_stat_database WHERE datname = '{args.pg_db}'"],
                         capture_output=True, text=True, env={**os.environ, "PGPASSWORD": "onestoppi-ci"}, timeout=60).stdout.strip()
    return tuple(int(x) for x in out.split("|")) if out else (0, 0, 0)


def own_cpu():
    u = resource.getrusage(resource.RUSAGE_SELF)
    return u.ru_utime + u.ru_stime


async def operator(pool, method, path, payload=None):
    headers = [("Authorization", "Bearer " + args.operator_token), ("Content-Type", "application/json")]
    status, data, _, _, _ = await pool.call(method, "/api/operator/v1/" + path, json.dumps(payload).encode() if payload is not None else b"", headers)
    if status >= 300:
        sys.exit(f"portal_load: {method} {path}: {status} {data[:300]!r}")
    return json.loads(data) if data else None


# The dealer-wide rules a dealer would set (docs/portal-api.md, alerts): every kind on, nobody to tell.
ALERT_RULES = {"supplyBelowPercent": 10, "supplyRunOutDays": 7, "errorStateMinutes": 15, "errorStates": None,
               "deviceSilentHours": 24, "agentSilentMinutes": 30, "counterBackwards": True, "webhookUrl": None, "mailTo": None}


async def set_up(pool):
    """Sites of K agents each, every agent enrolled with its site's key and assigned; returns (sites, agents)."""
    if not args.no_alert_rules:
        await operator(pool, "PUT", "alert-settings", ALERT_RULES)
    per_site = max(1, args.agents_per_site)
    tag = uuid.uuid4().hex[:8]

    async def make_site(k):
        site = await operator(pool, "POST", "sites", {"name": f"bench-portal {tag} {k}", "timeZone": "UTC"})
        await operator(pool, "PATCH", f"sites/{site['siteId']}/config", {"ranges": ["10.0.0.0/24"], "communities": ["public"], "commandPollSeconds": 60})
        return site

    sites = []
    count = (args.agents + per_site - 1) // per_site
    for first in range(0, count, 16):
        sites += await asyncio.gather(*(make_site(k) for k in range(first, min(count, first + 16))))

    async def one(i):
        site = sites[i // per_site]
        body = json.dumps({"enrolmentKey": site["enrolmentKey"], "hardwareId": f"bench-{uuid.uuid4().hex}", "mac": None,
                           "hostname": f"bench-{i}", "version": "bench"}).encode()
        status, data, _, _, _ = await pool.call("POST", "/api/agent/v1/enrol", body, [("Content-Type", "application/json")])
        if status != 201:
            sys.exit(f"portal_load: enrol {i}: {status} {data[:300]!r}")
        enrolled = json.loads(data)
        await operator(pool, "POST", f"agents/{enrolled['agentId']}/assign", {"siteId": site["siteId"]})
        return {"n": i, "id": enrolled["agentId"], "token": enrolled["token"], "etag": None, "round": 0, "site": site["siteId"]}

    agents = []
    for first in range(0, args.agents, 16):
        agents += await asyncio.gather(*(one(i) for i in range(first, min(args.agents, first + 16))))
    return sites, agents


async def run(pool, agents, poll, seconds, batches_per_round, rng):
    """One run (or step): every agent polls every `poll` seconds for `seconds`; returns its figures."""
    latencies, queues, statuses, errors, lags, acknowledged = {}, [], {}, [], [], []
    unsent = [0]
    loads = [loadavg()]
    cpu0, own0, counters0 = portal_cpu(), own_cpu(), pg_counters()
    pg_first = pg_cpu()
    pg_last = dict(pg_first)
    start = time.monotonic()
    deadline = start + seconds

    def record(endpoint, status, seconds_, queued, ok):
        latencies.setdefault(endpoint, []).append(seconds_)
        queues.append(queued)
        statuses.setdefault(endpoint, {}).setdefault(str(status), 0)
        statuses[endpoint][str(status)] += 1
        if not ok:
            errors.append((endpoint, str(status)))

    async def call(endpoint, ok_statuses, method, path, body=b"", headers=()):
        try:
            status, data, fields, s, q = await pool.call(method, path, body, headers)
        except (HttpError, OSError, asyncio.TimeoutError, ValueError) as e:
            record(endpoint, type(e).__name__, 0.0, 0.0, False)
            return None, None, None
        record(endpoint, status, s, q, status in ok_statuses)
        return status, data, fields

    async def poll_round(a, due):
        lags.append(max(0.0, time.monotonic() - due))
        auth = [("X-Agent-Id", a["id"]), ("Authorization", "Bearer " + a["token"])]
        h = auth + ([("If-None-Match", a["etag"])] if a["etag"] else [])
        status, _, fields = await call("GET /config", (200, 304), "GET", "/api/agent/v1/config", headers=h)
        if status == 200:
            a["etag"] = fields.get("etag")
        await call("GET /commands", (200,), "GET", "/api/agent/v1/commands", headers=auth)
        if a["round"] % 5 == 0:
            beat = json.dumps({"version": "bench", "uptimeSeconds": int(time.monotonic() - start), "lastMeterScan": None, "lastStatusScan": None,
                               "outboxDepth": 0, "droppedReadings": 0, "stageRestarts": 0, "outboxFull": False}).encode()
            await call("POST /heartbeat", (200,), "POST", "/api/agent/v1/heartbeat", beat, auth + [("Content-Type", "application/json")])
        a["round"] += 1

    async def batch(a, due):
        lags.append(max(0.0, time.monotonic() - due))
        key = uuid.uuid4().hex
        body = batch_zip(a["id"], a["site"], a["n"], args.devices, rng)
        status, _, _ = await call("PUT /batches", (200, 201), "PUT", f"/api/agent/v1/batches/{key}", body,
                                  [("X-Agent-Id", a["id"]), ("Authorization", "Bearer " + a["token"]), ("Content-Type", "application/zip")])
        if status in (200, 201):
            acknowledged.append(key)

    events = []
    for a in agents:
        first = start + rng.uniform(0, poll)
        for t in [first + k * poll for k in range(int((deadline - first) // poll) + 1)]:
            if t < deadline:
                events.append((t, a["n"], "poll", a))
        if batches_per_round is None:
            events.append((start + rng.uniform(0, max(seconds - 5, 1)), a["n"], "batch", a))
        else:
            for k in range(int(seconds // poll) + 1):
                if rng.random() < batches_per_round:
                    t = start + rng.uniform(0, seconds)
                    events.append((t, a["n"], "batch", a))
    events.sort(key=lambda e: (e[0], e[1]))

    tasks = set()
    next_sample = start + 10
    for due, _, kind, a in events:
        now = time.monotonic()
        if now >= next_sample:
            loads.append(loadavg())
            pg_last.update(pg_cpu())
            next_sample += 10
        if due > now:
            await asyncio.sleep(due - now)
        elif now - due > poll:
            unsent[0] += 1  # the load tool (or the connection pool) fell a whole poll behind: not sent, counted
            continue
        task = asyncio.ensure_future(poll_round(a, due) if kind == "poll" else batch(a, due))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
    if tasks:
        await asyncio.wait(set(tasks), timeout=TIMEOUT * 2)
    elapsed = time.monotonic() - start
    loads.append(loadavg())
    requests = sum(len(v) for v in latencies.values())
    cpu = portal_cpu() - cpu0
    pg_last.update(pg_cpu())
    pg = sum(v - pg_first.get(k, 0.0) for k, v in pg_last.items())
    # (pg_stat_database lags by up to 10 s: idle backends flush their counters that late; small against a step.)
    counters = [b - a for a, b in zip(counters0, pg_counters())]
    all_latencies = [x for v in latencies.values() for x in v]
    return {
        "poll": poll, "seconds": seconds, "elapsed": round(elapsed, 1), "requests": requests,
        "throughput": round(requests / elapsed, 1), "agentsAt60s": round(len(agents) * 60 / poll),
        "errors": len(errors), "errorSamples": errors[:20], "unsent": unsent[0],
        "endpoints": {e: {"count": len(v), "p50ms": round(pct(v, 50) * 1000, 1), "p99ms": round(pct(v, 99) * 1000, 1),
                          "maxms": round(max(v) * 1000, 1), "statuses": statuses.get(e, {})} for e, v in sorted(latencies.items())},
        "p99ms": round(pct(all_latencies, 99) * 1000, 1),
        "queueP99ms": round(pct(queues, 99) * 1000, 1),
        "lagP50ms": round(pct(lags, 50) * 1000, 1), "lagP99ms": round(pct(lags, 99) * 1000, 1),
        "load": {"start": loads[0], "end": loads[-1], "mean": round(sum(loads) / len(loads), 1)},
        "portalCpuSeconds": round(cpu, 1), "portalCpuMsPerRequest": round(cpu * 1000 / requests, 2) if requests else None,
        "toolCpuSeconds": round(own_cpu() - own0, 1),
        "postgresCpuSeconds": round(pg, 1), "postgresCpuMsPerRequest": round(pg * 1000 / requests, 2) if requests else None,
        "commitsPerRequest": round(counters[0] / requests, 2) if requests else None,
        "rowsInsertedPerRequest": round(counters[1] / requests, 2) if requests else None,
        "rowsUpdatedPerRequest": round(counters[2] / requests, 2) if requests else None,
        "acknowledged": acknowledged,
    }


async def main():
    rng = random.Random(args.seed)
    pool = Pool(args.connections)
    t0 = time.perf_counter()
    sites, agents = await set_up(pool)
    setup_seconds = time.perf_counter() - t0
    result = {"agents": args.agents, "devices": args.devices, "sites": len(sites), "agentsPerSite": max(1, args.agents_per_site),
              "alertRules": not args.no_alert_rules, "connections": args.connections, "setupSeconds": round(setup_seconds, 1),
              "portalMemoryMiB": None}
    if args.steps:
        steps = []
        for poll in [float(p) for p in args.steps.split()]:
            r = await run(pool, agents, poll, args.step_seconds, 1 / 30, rng)
            steps.append(r)
            print(json.dumps({k: v for k, v in r.items() if k not in ("acknowledged", "endpoints", "errorSamples")}), flush=True)
            if r["p99ms"] > STOP_P99_SECONDS * 1000 or r["errors"]:
                break
        result["steps"] = steps
        result["acknowledged"] = [k for s in steps for k in s.pop("acknowledged")]
    else:
        r = await run(pool, agents, args.poll, args.seconds, None, rng)
        result.update(r)
    if args.portal_pid:
        for line in open(f"/proc/{args.portal_pid}/status"):
            if line.startswith("VmHWM"):
                result["portalMemoryMiB"] = round(int(line.split()[1]) / 1024)
    json.dump(result, open(args.out, "w"), indent=1)
    print(json.dumps({k: v for k, v in result.items() if k not in ("acknowledged", "steps")}, indent=1))


asyncio.run(main())
