#!/usr/bin/env python3
"""UDP relay with seeded faults, for scripts/bench-lossy (this kernel has no netem).

Front i (FRONT_BASE + i, port PORT) forwards to device i (DEVICE_BASE + i, port PORT) from one upstream socket per
(client, device), and the device's answers back to that client. Each datagram, each way, may be dropped, duplicated
and delayed by a uniform draw in [min, max] ms (which reorders them), all from one seeded generator. Loss is
normally left to iptables in the namespace; --drop is there for a run without it. SIGTERM stops it and prints
its counters as one JSON line on stdout. Loopback addresses only.
"""
import argparse, asyncio, ipaddress, json, random, signal, socket, sys


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--front", required=True, help="first front address, e.g. 127.21.0.1")
    p.add_argument("--device", required=True, help="first device address, e.g. 127.20.0.1")
    p.add_argument("--count", type=int, required=True)
    p.add_argument("--port", type=int, default=161)
    p.add_argument("--drop", type=float, default=0.0)
    p.add_argument("--delay-min-ms", type=float, default=0.0)
    p.add_argument("--delay-max-ms", type=float, default=0.0)
    p.add_argument("--duplicate", type=float, default=0.0)
    p.add_argument("--seed", type=int, default=1)
    a = p.parse_args()
    for base in (a.front, a.device):
        if not ipaddress.ip_address(base).is_loopback:
            sys.exit(f"{base}: loopback addresses only")
    asyncio.run(Relay(a).run())


class Relay:
    def __init__(self, a):
        self.a = a
        self.rng = random.Random(a.seed)
        self.counts = {"forwarded": 0, "dropped": 0, "duplicated": 0, "delayed": 0}

    def faults(self):
        """The fate of one datagram: a list of delays in seconds, one per copy sent (empty: dropped)."""
        a, r = self.a, self.rng
        if r.random() < a.drop:
            self.counts["dropped"] += 1
            return []
        copies = 2 if r.random() < a.duplicate else 1
        if copies == 2:
            self.counts["duplicated"] += 1
        return [(a.delay_min_ms + (a.delay_max_ms - a.delay_min_ms) * r.random()) / 1000.0 for _ in range(copies)]

    def send(self, sock, data, to):
        loop = asyncio.get_running_loop()
        for delay in self.faults():
            if delay > 0:
                self.counts["delayed"] += 1
                loop.call_later(delay, self._send_now, sock, data, to)
            else:
                self._send_now(sock, data, to)

    def _send_now(self, sock, data, to):
        try:
            sock.sendto(data, to)
            self.counts["forwarded"] += 1
        except OSError:
            pass

    async def run(self):
        loop = asyncio.get_running_loop()
        a = self.a
        front0 = int(ipaddress.ip_address(a.front))
        device0 = int(ipaddress.ip_address(a.device))
        upstream = {}  # (client, i) -> socket

        def upstream_for(client, i):
            key = (client, i)
            sock = upstream.get(key)
            if sock is None:
                sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                sock.bind(("127.0.0.1", 0))
                sock.setblocking(False)
                front_sock = fronts[i]
                loop.add_reader(sock, self._pump_back, sock, front_sock, client)
                upstream[key] = sock
            return sock

        fronts = []
        for i in range(a.count):
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
            s.bind((str(ipaddress.ip_address(front0 + i)), a.port))
            s.setblocking(False)
            fronts.append(s)

        def pump_front(i):
            s = fronts[i]
            while True:
                try:
                    data, client = s.recvfrom(65536)
                except (BlockingIOError, InterruptedError):
                    return
                except OSError:
                    continue
                self.send(upstream_for(client, i), data, (str(ipaddress.ip_address(device0 + i)), a.port))

        for i in range(a.count):
            loop.add_reader(fronts[i], pump_front, i)
        stop = asyncio.Event()
        loop.add_signal_handler(signal.SIGTERM, stop.set)
        loop.add_signal_handler(signal.SIGINT, stop.set)
        print("ready", file=sys.stderr, flush=True)
        await stop.wait()
        print(json.dumps(self.counts), flush=True)

    def _pump_back(self, sock, front_sock, client):
        while True:
            try:
                data, _ = sock.recvfrom(65536)
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                continue
            self.send(front_sock, data, client)


if __name__ == "__main__":
    main()
