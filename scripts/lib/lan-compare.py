#!/usr/bin/env python3
"""The LAN face of two agent binaries side by side (docs/benchmarks.md, "Fourth pass"): each started with
footprint.py's enrolled state on 127.0.0.1, the same 13 requests sent to both; prints SAME or DIFF with the
status, the content type and the headers that matter, and the body (/status: its shape; the OpenAPI document:
a digest). Loopback only.
Usage: lan-compare.py OLD_BINARY NEW_BINARY PORT   (the second agent uses PORT + 10)
"""
import hashlib, http.client, json, os, signal, subprocess, sys, tempfile, time
# footprint.py's enrolled_state, without running its main()
_here = os.path.dirname(os.path.abspath(__file__))
fp = {}
exec(compile(open(os.path.join(_here, "footprint.py")).read().replace("\nmain()\n", "\n"), "footprint.py", "exec"), fp)
KEY = "BENC-HF00-TPR1-NTKY"
REQS = [("GET", "/healthz", None, None), ("GET", "/devices", None, None), ("GET", "/status", None, None), ("GET", "/openapi/v1.json", None, None),
        ("GET", "/nope", None, None), ("DELETE", "/status", None, None), ("POST", "/api/scan", None, None), ("POST", "/api/scan", "0000-0000-0000-0000", None),
        ("PUT", "/api/portal", KEY, "{not json"), ("PUT", "/api/portal", KEY, '{"portalUrl":42}'), ("PUT", "/api/portal", KEY, '{"portalUrl":"https://x.example/","enrolmentKey":"k"}'),
        ("PUT", "/api/portal", KEY, "x" * 9000), ("POST", "/api/scan", KEY, None)]
def shape(v):
    if isinstance(v, dict): return {k: shape(x) for k, x in v.items()}
    if isinstance(v, list): return [shape(v[0])] if v else []
    return type(v).__name__
def run(binary, port):
    out = []
    with tempfile.TemporaryDirectory() as root:
        env = dict(os.environ, **fp["enrolled_state"](root, port))
        p = subprocess.Popen([binary, "run"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            for _ in range(600):
                try:
                    c = http.client.HTTPConnection("127.0.0.1", port, timeout=2); c.request("GET", "/healthz")
                    if c.getresponse().status == 200: break
                except OSError: time.sleep(0.1)
            for m, path, key, body in REQS:
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                h = {"Content-Type": "application/json"} if body else {}
                if key: h["Authorization"] = "Bearer " + key
                c.request(m, path, body=body, headers=h)
                r = c.getresponse(); data = r.read()
                hdr = {k: v for k, v in r.getheaders() if k.lower() in ("content-type", "www-authenticate", "location", "allow", "server")}
                if path == "/status" and r.status == 200: data = json.dumps(shape(json.loads(data)), sort_keys=True).encode()
                if path == "/openapi/v1.json": data = b"sha256:" + hashlib.sha256(data).hexdigest().encode()
                out.append(f"{m} {path} key={'yes' if key == KEY else key} body={(body or '')[:20]!r} -> {r.status} {json.dumps(hdr, sort_keys=True)} {data[:400].decode(errors='replace')}")
                c.close()
        finally:
            p.send_signal(signal.SIGTERM); p.wait(timeout=30)
    return out
if len(sys.argv) != 4:
    sys.exit(__doc__)
a = run(sys.argv[1], int(sys.argv[3])); b = run(sys.argv[2], int(sys.argv[3]) + 10)
for x, y in zip(a, b):
    print(("SAME " if x == y else "DIFF ") + x + ("" if x == y else "\n     " + y))
