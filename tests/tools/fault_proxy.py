#!/usr/bin/env python3
"""A fault-injecting HTTP -> HTTPS proxy for kube client tests (Python standard library only).

Listens on 127.0.0.1 (plain HTTP) and forwards each request to the apiserver over TLS. A bounded
share of requests gets a fault instead: 429 with Retry-After, 503 without it, or a TCP reset
(SO_LINGER 0). Faults follow a fixed cycle, never more than --max-run in a row, so a client that
retries correctly always gets through. Stops by itself after --lifetime seconds.

  fault_proxy.py --upstream https://127.0.0.1:6443 --ca ca.crt --state FILE [--share 0.4]

FILE receives {"port": N, "pid": P} once listening, then the fault counts after every request.

--delay-method M --delay-path REGEX --delay S holds matching requests S seconds before forwarding
them (a slow apiserver); use with --share 0 for no other faults.
"""
import argparse
import http.client
import http.server
import json
import os
import re
import socket
import ssl
import struct
import sys
import threading
import urllib.parse

FAULTS = ["429", "503", "reset"]
HOP_HEADERS = {"connection", "keep-alive", "transfer-encoding", "te", "upgrade",
               "proxy-connection", "host", "content-length", "accept-encoding"}


class Plan:
    """Decides, in request order, which requests fail and how."""

    def __init__(self, share, max_run):
        self.lock = threading.Lock()
        self.share = share
        self.max_run = max_run
        self.count = 0
        self.run = 0
        self.stats = {"requests": 0, "forwarded": 0, "429": 0, "503": 0, "reset": 0,
                      "delayed": 0}

    def next(self):
        with self.lock:
            self.count += 1
            self.stats["requests"] += 1
            # Fault when the running share is below the target, bounded run length.
            faulted = sum(self.stats[f] for f in FAULTS)
            if self.run < self.max_run and faulted < self.share * self.count:
                kind = FAULTS[faulted % len(FAULTS)]
                self.stats[kind] += 1
                self.run += 1
                return kind
            self.run = 0
            self.stats["forwarded"] += 1
            return None


def make_handler(args, plan, context, write_state):
    upstream = urllib.parse.urlsplit(args.upstream)

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *_):  # quiet: requests carry bearer tokens in headers only
            pass

        def handle_any(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else None
            if args.delay and self.command == args.delay_method and \
                    re.search(args.delay_path, self.path):
                with plan.lock:
                    plan.stats["delayed"] += 1
                write_state()
                threading.Event().wait(args.delay)
            fault = plan.next()
            write_state()
            if fault == "reset":
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                           struct.pack("ii", 1, 0))
                self.close_connection = True
                self.connection.close()
                return
            if fault in ("429", "503"):
                code = int(fault)
                status = {"kind": "Status", "apiVersion": "v1", "status": "Failure",
                          "message": "injected by fault_proxy", "code": code}
                data = json.dumps(status).encode()
                self.send_response(code)
                if code == 429:
                    self.send_header("Retry-After", "1")
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                return
            self.forward(body)

        def forward(self, body):
            conn = http.client.HTTPSConnection(upstream.hostname, upstream.port or 443,
                                               context=context, timeout=30)
            headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_HEADERS}
            conn.request(self.command, self.path, body=body, headers=headers)
            response = conn.getresponse()
            data = response.read()
            conn.close()
            self.send_response(response.status)
            for key, value in response.getheaders():
                if key.lower() not in HOP_HEADERS:
                    self.send_header(key, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def finish(self):
            try:
                super().finish()
            except OSError:
                pass  # the socket was reset on purpose

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = handle_any

    return Handler


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--upstream", required=True)
    parser.add_argument("--ca", required=True)
    parser.add_argument("--state", required=True)
    parser.add_argument("--share", type=float, default=0.4)
    parser.add_argument("--max-run", type=int, default=2)
    parser.add_argument("--lifetime", type=float, default=120)
    parser.add_argument("--delay-method", default="PATCH")
    parser.add_argument("--delay-path", default="$^")
    parser.add_argument("--delay", type=float, default=0)
    args = parser.parse_args()

    context = ssl.create_default_context(cafile=args.ca)
    plan = Plan(args.share, args.max_run)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), None)
    server.daemon_threads = True
    state_lock = threading.Lock()

    def write_state():
        with state_lock:
            state = dict(plan.stats, port=server.server_address[1], pid=os.getpid())
            tmp = args.state + ".tmp"
            with open(tmp, "w") as f:
                json.dump(state, f)
            os.replace(tmp, args.state)

    server.RequestHandlerClass = make_handler(args, plan, context, write_state)
    write_state()
    threading.Timer(args.lifetime, server.shutdown).start()
    server.serve_forever(poll_interval=0.2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
