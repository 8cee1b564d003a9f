#!/usr/bin/env python3
"""Helpers for scripts/check-exposure, each run inside a network namespace the script made.

  lan-http BASE OUTDIR            every endpoint of the agent's port 23998 without a key and with a wrong one;
                                  bodies saved under OUTDIR; prints one line per try; exit 1 on a changing
                                  request that is not refused (401 without a key, 403 with a wrong one)
  udp-flood HOST PORT COUNT SECS  COUNT datagrams to HOST:PORT within at most SECS seconds (valid discovery probes,
                                  probes with a bad field, random sizes): prints sent/received bytes and the ratio
  portal-get URL SHA256 TOKEN OUT GET from the portal (certificate pinned by its SHA-256) with the operator token
"""
import hashlib
import http.client
import os
import random
import socket
import ssl
import sys
import time

WRONG_KEY = "WRONG-SETU-PKEY-0000"
READ_ONLY = [("GET", "/"), ("GET", "/status"), ("GET", "/devices"), ("GET", "/healthz"), ("GET", "/openapi/v1.json")]
CHANGING = [("POST", "/api/scan", b""), ("PUT", "/api/portal", b'{"portalUrl":"https://198.18.77.1/","enrolmentKey":"attacker-key"}'),
            ("POST", "/api/logs", b"")]


def lan_http(base: str, out: str) -> int:
    host, port = base.split(":")
    os.makedirs(out, exist_ok=True)
    failures = 0

    def send(method, path, body, key):
        connection = http.client.HTTPConnection(host, int(port), timeout=10)
        headers = {"Content-Type": "application/json"} if body else {}
        if key:
            headers["Authorization"] = "Bearer " + key
        connection.request(method, path, body=body or None, headers=headers)
        response = connection.getresponse()
        data = response.read()
        connection.close()
        name = f"{method}_{path.strip('/').replace('/', '_') or 'root'}_{'wrongkey' if key else 'nokey'}"
        with open(os.path.join(out, name), "wb") as f:
            f.write(f"HTTP {response.status}\n".encode() + b"".join(f"{k}: {v}\n".encode() for k, v in response.getheaders()) + b"\n" + data)
        return response.status, len(data)

    for method, path in READ_ONLY:
        for key in (None, WRONG_KEY):
            status, size = send(method, path, None, key)
            print(f"{method} {path} {'wrong key' if key else 'no key'}: {status} ({size} bytes)")
            if status != 200:
                failures += 1
    for method, path, body in CHANGING:
        for key, expected in ((None, 401), (WRONG_KEY, 403)):
            status, size = send(method, path, body, key)
            verdict = "ok" if status == expected else f"FAIL (expected {expected})"
            print(f"{method} {path} {'wrong key' if key else 'no key'}: {status} ({size} bytes) {verdict}")
            if status != expected:
                failures += 1
    return 1 if failures else 0


def probe(valid: bool, rng: random.Random) -> bytes:
    body = bytearray(512)
    body[0:4] = b"OSPD"
    body[4] = 1
    body[5] = 1
    body[8:24] = rng.randbytes(16)
    if not valid:
        choice = rng.randrange(4)
        if choice == 0:
            body[rng.randrange(24, 512)] = 1  # something smuggled in the padding
        elif choice == 1:
            body[4] = 2  # another version
        elif choice == 2:
            return bytes(body[: rng.randrange(1, 512)])  # short
        else:
            return rng.randbytes(rng.randrange(1, 1400))  # noise
    return bytes(body)


def udp_flood(host: str, port: int, count: int, seconds: float) -> int:
    rng = random.Random(23999)
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setblocking(False)
    sent = received = replies = 0
    start = time.monotonic()
    deadline = start + seconds
    for i in range(count):
        if time.monotonic() > deadline:
            break
        datagram = probe(i % 2 == 0, rng)
        sock.sendto(datagram, (host, port))
        sent += len(datagram)
        if i % 50 == 0:
            time.sleep(0.01)  # bounded rate: about 5,000 datagrams a second at most
        try:
            while True:
                data = sock.recv(2048)
                received += len(data)
                replies += 1
        except BlockingIOError:
            pass
    drain_until = time.monotonic() + 2
    sock.settimeout(0.2)
    while time.monotonic() < drain_until:
        try:
            data = sock.recv(2048)
            received += len(data)
            replies += 1
        except (socket.timeout, BlockingIOError):
            pass
    ratio = received / sent if sent else 0
    print(f"udp {host}:{port}: {i + 1} datagrams, {sent} bytes sent in {time.monotonic() - start:.1f} s; "
          f"{replies} replies, {received} bytes received; ratio {ratio:.4f}")
    return 0 if ratio <= 1 else 1


def portal_get(url: str, sha256: str, token: str, out: str) -> int:
    rest = url.split("://", 1)[1]
    hostport, path = rest.split("/", 1)
    host, port = hostport.split(":")
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE  # pinned below by the certificate's SHA-256, as the agent does
    connection = http.client.HTTPSConnection(host, int(port), context=context, timeout=30)
    connection.connect()
    der = connection.sock.getpeercert(binary_form=True)
    if hashlib.sha256(der).hexdigest().upper() != sha256.upper():
        print("portal-get: certificate does not match the pin", file=sys.stderr)
        return 1
    connection.request("GET", "/" + path, headers={"Authorization": "Bearer " + token})
    response = connection.getresponse()
    data = response.read()
    with open(out, "wb") as f:
        f.write(data)
    print(f"GET /{path}: {response.status} ({len(data)} bytes)")
    return 0 if response.status == 200 else 1


def main() -> int:
    command, args = sys.argv[1], sys.argv[2:]
    if command == "lan-http":
        return lan_http(args[0], args[1])
    if command == "udp-flood":
        return udp_flood(args[0], int(args[1]), min(int(args[2]), 100000), min(float(args[3]), 120))
    if command == "portal-get":
        return portal_get(*args)
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
