#!/usr/bin/env python3
"""Sample Kafka consumer: the app a developer debugs with `mirrord exec`.

Configured like a twelve-factor service, by environment only:
  KAFKA_BOOTSTRAP_SERVERS  broker list (required)
  KAFKA_TOPIC              topic to consume (required)
  KAFKA_GROUP_ID           consumer group (required)
  HTTP_PORT                if set, serves GET /stats as JSON on 127.0.0.1:HTTP_PORT
Prints one line per message on stdout: `received <topic>[<partition>]@<offset> key=... value=... headers=...`.
Exits on SIGINT/SIGTERM (committing offsets), or after --max-messages / --idle-timeout.
"""
import argparse
import json
import os
import signal
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from confluent_kafka import Consumer, KafkaError

stats = {"received": 0, "last": None}
stopping = threading.Event()


def required_env(name):
    value = os.environ.get(name)
    if not value:
        sys.exit(f"app: environment variable {name} is not set")
    return value


def serve_stats(port):
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            body = json.dumps(stats).encode()
            self.send_response(200 if self.path == "/stats" else 404)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()


def describe(message):
    headers = {k: (v.decode(errors="replace") if v is not None else None)
               for k, v in (message.headers() or [])}
    key = message.key().decode(errors="replace") if message.key() else None
    value = message.value().decode(errors="replace") if message.value() else None
    return (f"received {message.topic()}[{message.partition()}]@{message.offset()} "
            f"key={key} value={value} headers={json.dumps(headers, sort_keys=True)}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-messages", type=int, default=0, help="exit after N messages")
    parser.add_argument("--idle-timeout", type=float, default=0,
                        help="exit after this many seconds without a message (0 = never)")
    args = parser.parse_args()

    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stopping.set())
    if os.environ.get("HTTP_PORT"):
        serve_stats(int(os.environ["HTTP_PORT"]))

    consumer = Consumer({
        "bootstrap.servers": required_env("KAFKA_BOOTSTRAP_SERVERS"),
        "group.id": required_env("KAFKA_GROUP_ID"),
        "auto.offset.reset": "earliest",
        "enable.auto.commit": True,
    })
    topic = required_env("KAFKA_TOPIC")
    consumer.subscribe([topic])
    print(f"app: consuming {topic} as group {os.environ['KAFKA_GROUP_ID']}", flush=True)
    idle = 0.0
    try:
        while not stopping.is_set():
            message = consumer.poll(0.2)
            if message is None:
                idle += 0.2
                if args.idle_timeout and idle >= args.idle_timeout:
                    break
                continue
            if message.error():
                if message.error().code() != KafkaError._PARTITION_EOF:
                    print(f"app: kafka error: {message.error()}", file=sys.stderr, flush=True)
                continue
            idle = 0.0
            stats["received"] += 1
            stats["last"] = describe(message)
            print(stats["last"], flush=True)
            if args.max_messages and stats["received"] >= args.max_messages:
                break
    finally:
        consumer.close()
    print(f"app: done after {stats['received']} messages", flush=True)


if __name__ == "__main__":
    main()
