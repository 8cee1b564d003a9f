"""Simulated agents against a running reference portal (scripts/bench-portal; issue 17, "the portal under a dealer's load").

portal_load.py URL OPERATOR_TOKEN OUT_JSON --agents N --seconds T --poll P --devices D --workers W --seed S

N agents are enrolled in one site and assigned (set-up, not timed). Then for T seconds each agent, from a random
moment in its first P seconds, every P seconds asks for its configuration (If-None-Match: 304 while unchanged) and
its commands, sends a heartbeat every fifth round, and uploads one meter batch of D devices at a random moment of
the run (a dealer's meter time shared by many sites is that burst; here spread). W threads each play N/W agents over
one keep-alive TLS connection of their own. Every request is timed (send to last byte read); a request is an error
when it fails or answers other than 2xx/304. Afterwards every batch the portal acknowledged is looked for in the
database by the caller (the keys are written to OUT_JSON). Bounded: a worker more than P seconds behind its
schedule stops (what it did not send is counted as unsent), so a run ends by T + P seconds plus one request's timeout.
"""
import argparse, heapq, http.client, io, json, random, ssl, sys, threading, time, uuid, zipfile
from urllib.parse import urlparse

parser = argparse.ArgumentParser()
parser.add_argument("url")
parser.add_argument("operator_token")
parser.add_argument("out")
parser.add_argument("--agents", type=int, default=200)
parser.add_argument("--seconds", type=float, default=120)
parser.add_argument("--poll", type=float, default=60)
parser.add_argument("--devices", type=int, default=20)
parser.add_argument("--workers", type=int, default=16)
parser.add_argument("--seed", type=int, default=17)
args = parser.parse_args()

target = urlparse(args.url)
assert target.hostname.startswith("127."), "loopback only"
context = ssl.create_default_context()
context.check_hostname = False
context.verify_mode = ssl.CERT_NONE  # the portal's self-signed certificate on loopback; pinning is the agent's job, not the bench's
TIMEOUT = 30


def connect():
    return http.client.HTTPSConnection(target.hostname, target.port, context=context, timeout=TIMEOUT)


def call(conn, method, path, body=None, headers=None):
    """(status, body bytes, headers, seconds); reconnects once when a kept-alive connection was closed."""
    for attempt in (0, 1):
        started = time.perf_counter()
        try:
            conn.request(method, path, body=body, headers=headers or {})
            response = conn.getresponse()
            data = response.read()
            return response.status, data, response, time.perf_counter() - started, conn
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError, http.client.CannotSendRequest):
            conn.close()
            conn = connect()
            if attempt:
                raise


def operator(conn, method, path, payload=None):
    headers = {"Authorization": "Bearer " + args.operator_token, "Content-Type": "application/json"}
    status, data, _, _, conn = call(conn, method, "/api/operator/v1/" + path, json.dumps(payload).encode() if payload is not None else None, headers)
    if status >= 300:
        sys.exit(f"portal_load: {method} {path}: {status} {data[:300]!r}")
    return (json.loads(data) if data else None), conn


def batch_zip(agent_id, site_id, serial_base, devices, rng):
    now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    rows = []
    for d in range(devices):
        total = rng.randrange(1_000, 2_000_000)
        ip = f"10.{(serial_base >> 8) & 255}.{serial_base & 255}.{d + 1}"
        rows.append(
            f'<device ip="{ip}" port="161" mac="02:00:{(serial_base >> 8) & 255:02x}:{serial_base & 255:02x}:00:{d + 1:02x}" vendor="Kyocera" '
            f'model="TASKalfa 3253ci" serial="LOAD{serial_base:06d}{d:03d}">'
            f'<status hrDeviceStatus="2" hrPrinterStatus="3"/>'
            f'<counter name="total" value="{total}" oid="1.3.6.1.2.1.43.10.2.1.4.1.1"/>'
            f'<counter name="mono" value="{total // 2}" oid="1.3.6.1.4.1.1347.42.3.1.1.1.1.1"/>'
            f'<supply description="Black toner" type="toner" colour="black" level="{rng.randrange(0, 100)}" max="100" unit="percent"/>'
            f'</device>')
    document = (f'<scan xmlns="urn:onestoppi:readings:1" schemaVersion="1" agentId="{agent_id}" siteId="{site_id}" kind="meter" '
                f'missedMeter="false" start="{now}" end="{now}">' + "".join(rows) + "</scan>")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(f"meter-{uuid.uuid4().hex}.xml", document)
    return buffer.getvalue()


# --- set-up: a site, N enrolled and assigned agents ---------------------------------------------------------
rng = random.Random(args.seed)
setup = connect()
site, setup = operator(setup, "POST", "sites", {"name": f"bench-portal {uuid.uuid4().hex[:8]}", "timeZone": "UTC"})
_, setup = operator(setup, "PATCH", f"sites/{site['siteId']}/config", {"ranges": ["10.0.0.0/24"], "communities": ["public"], "commandPollSeconds": int(args.poll)})
agents = []
t0 = time.perf_counter()
for i in range(args.agents):
    body = json.dumps({"enrolmentKey": site["enrolmentKey"], "hardwareId": f"bench-{uuid.uuid4().hex}", "mac": None, "hostname": f"bench-{i}", "version": "bench"}).encode()
    status, data, _, _, setup = call(setup, "POST", "/api/agent/v1/enrol", body, {"Content-Type": "application/json"})
    if status != 201:
        sys.exit(f"portal_load: enrol {i}: {status} {data[:300]!r}")
    enrolled = json.loads(data)
    _, setup = operator(setup, "POST", f"agents/{enrolled['agentId']}/assign", {"siteId": site["siteId"]})
    agents.append({"n": i, "id": enrolled["agentId"], "token": enrolled["token"], "etag": None, "round": 0})
setup_seconds = time.perf_counter() - t0
setup.close()

# --- the run ----------------------------------------------------------------------------------------------
lock = threading.Lock()
latencies = {}   # endpoint -> [seconds]
statuses = {}    # endpoint -> {status: count}
errors = []      # (endpoint, what)
acknowledged = []  # batch keys the portal answered 201/200 to
lags = []        # how late a request went out against its schedule (the load tool keeping up, or not)
unsent = [0]     # scheduled rounds and batches never sent because the run fell more than one poll behind
start = time.monotonic()
deadline = start + args.seconds


def record(endpoint, status, seconds, ok):
    with lock:
        latencies.setdefault(endpoint, []).append(seconds)
        statuses.setdefault(endpoint, {}).setdefault(str(status), 0)
        statuses[endpoint][str(status)] += 1
        if not ok:
            errors.append((endpoint, str(status)))


def worker(mine, seed):
    wrng = random.Random(seed)
    conn = connect()
    events = []
    for a in mine:
        heapq.heappush(events, (start + wrng.uniform(0, args.poll), a["n"], "poll", a))
        heapq.heappush(events, (start + wrng.uniform(0, max(args.seconds - 5, 1)), a["n"], "batch", a))
    while events:
        due, n, kind, a = heapq.heappop(events)
        if due >= deadline:
            continue
        now = time.monotonic()
        if now > deadline + args.poll:
            # Fallen this far behind, the machine (load tool included) is the bottleneck: stop, say how much was left.
            with lock:
                unsent[0] += 1 + sum(1 for e in events if e[0] < deadline)
            break
        if due > now:
            time.sleep(due - now)
        with lock:
            lags.append(max(0.0, time.monotonic() - due))
        headers = {"X-Agent-Id": a["id"], "Authorization": "Bearer " + a["token"]}
        try:
            if kind == "poll":
                h = dict(headers)
                if a["etag"]:
                    h["If-None-Match"] = a["etag"]
                status, _, response, seconds, conn = call(conn, "GET", "/api/agent/v1/config", headers=h)
                record("GET /config", status, seconds, status in (200, 304))
                if status == 200:
                    a["etag"] = response.getheader("ETag")
                status, _, _, seconds, conn = call(conn, "GET", "/api/agent/v1/commands", headers=headers)
                record("GET /commands", status, seconds, status == 200)
                if a["round"] % 5 == 0:
                    beat = json.dumps({"version": "bench", "uptimeSeconds": int(time.monotonic() - start), "lastMeterScan": None, "lastStatusScan": None,
                                       "outboxDepth": 0, "droppedReadings": 0, "stageRestarts": 0, "outboxFull": False}).encode()
                    status, _, _, seconds, conn = call(conn, "POST", "/api/agent/v1/heartbeat", beat, {**headers, "Content-Type": "application/json"})
                    record("POST /heartbeat", status, seconds, status == 200)
                a["round"] += 1
                heapq.heappush(events, (due + args.poll, n, "poll", a))
            else:
                key = uuid.uuid4().hex
                body = batch_zip(a["id"], site["siteId"], a["n"], args.devices, wrng)
                status, data, _, seconds, conn = call(conn, "PUT", f"/api/agent/v1/batches/{key}", body, {**headers, "Content-Type": "application/zip"})
                ok = status in (200, 201)
                record("PUT /batches", status, seconds, ok)
                if ok:
                    with lock:
                        acknowledged.append(key)
        except (OSError, http.client.HTTPException) as e:
            record(kind, type(e).__name__, 0.0, False)
            conn.close()
            conn = connect()
    conn.close()


threads = []
for w in range(args.workers):
    t = threading.Thread(target=worker, args=(agents[w::args.workers], rng.randrange(1 << 30)), daemon=True)
    t.start()
    threads.append(t)
for t in threads:
    t.join(args.seconds + TIMEOUT * 3)
elapsed = time.monotonic() - start


def pct(values, p):
    if not values:
        return None
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))]


result = {
    "agents": args.agents, "seconds": args.seconds, "poll": args.poll, "devices": args.devices, "workers": args.workers,
    "setupSeconds": round(setup_seconds, 1), "elapsed": round(elapsed, 1), "siteId": site["siteId"],
    "requests": sum(len(v) for v in latencies.values()),
    "errors": len(errors), "errorSamples": errors[:20],
    "endpoints": {e: {"count": len(v), "p50ms": round(pct(v, 50) * 1000, 1), "p99ms": round(pct(v, 99) * 1000, 1), "maxms": round(max(v) * 1000, 1),
                      "statuses": statuses.get(e, {})} for e, v in sorted(latencies.items())},
    "lagP50ms": round((pct(lags, 50) or 0) * 1000, 1),
    "lagP99ms": round((pct(lags, 99) or 0) * 1000, 1),
    "unsent": unsent[0],
    "acknowledged": acknowledged,
}
result["throughput"] = round(result["requests"] / elapsed, 1)
json.dump(result, open(args.out, "w"), indent=1)
print(json.dumps({k: v for k, v in result.items() if k != "acknowledged"}, indent=1))
