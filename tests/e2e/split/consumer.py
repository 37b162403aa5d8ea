#!/usr/bin/env python3
"""The local app of the split tests: consumes KAFKA_TOPIC (read_committed) and appends each
message's value to --out, one a line. Its group is KAFKA_GROUP_ID unless --group hard-codes one
(as the guide's sample app does); --offset-reset latest is the library default. Exits on SIGTERM.
"""
import argparse
import os
import signal
import sys
import threading

from confluent_kafka import Consumer

stopping = threading.Event()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", required=True)
    parser.add_argument("--group")
    parser.add_argument("--offset-reset", default="earliest")
    args = parser.parse_args()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stopping.set())
    consumer = Consumer({"bootstrap.servers": os.environ["KAFKA_BOOTSTRAP_SERVERS"],
                         "group.id": args.group or os.environ["KAFKA_GROUP_ID"],
                         "auto.offset.reset": args.offset_reset,
                         "isolation.level": "read_committed"})
    consumer.subscribe([os.environ["KAFKA_TOPIC"]])
    with open(args.out, "a") as out:
        while not stopping.is_set():
            message = consumer.poll(0.2)
            if message is None or message.error():
                continue
            out.write(message.value().decode() + "\n")
            out.flush()
    consumer.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
