#!/usr/bin/python3
"""A real SMTP server for the portal's alert tests (aiosmtpd, Debian python3-aiosmtpd), on 127.0.0.1 only.

Offers STARTTLS with the given certificate and requires it before MAIL (unless --no-tls). Every message is
written to OUT/NNNN.eml, and beside it NNNN.json says whether the session was TLS, the envelope sender and
recipients. Prints READY when it listens; runs until killed.
"""
import argparse
import json
import os
import signal
import ssl
import sys

from aiosmtpd.controller import Controller


class SaveToDirectory:
    def __init__(self, directory):
        self.directory = directory
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        base = os.path.join(self.directory, f"{self.count:04d}")
        with open(base + ".json", "w", encoding="utf-8") as f:
            json.dump({"tls": session.ssl is not None, "from": envelope.mail_from, "to": envelope.rcpt_tos}, f)
        with open(base + ".tmp", "wb") as f:
            f.write(envelope.original_content or envelope.content)
        os.rename(base + ".tmp", base + ".eml")  # the .eml appears whole
        return "250 OK stored"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--cert")
    parser.add_argument("--key")
    parser.add_argument("--no-tls", action="store_true")
    args = parser.parse_args()

    parameters = {}
    if not args.no_tls:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(args.cert, args.key)
        parameters = {"tls_context": context, "require_starttls": True}
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM, signal.SIGINT})  # sigwait below takes them
    controller = Controller(SaveToDirectory(args.out), hostname="127.0.0.1", port=args.port, **parameters)
    controller.start()
    print("READY", flush=True)
    signal.sigwait({signal.SIGTERM, signal.SIGINT})
    controller.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
