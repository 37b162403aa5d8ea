#!/usr/bin/env python3
"""Sample Kafka producer: sends numbered messages with a `source` header.

Env: KAFKA_BOOTSTRAP_SERVERS, KAFKA_TOPIC (required).
  producer.py --count 10 --source test-alice     10 messages, then exit
  producer.py --rate 2                           2 messages a second until SIGTERM
"""
import argparse
import os
import signal
import sys
import time

from confluent_kafka import Producer


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=0, help="messages to send (0 = until stopped)")
    parser.add_argument("--rate", type=float, default=0, help="messages per second (0 = as fast as possible)")
    parser.add_argument("--source", default="producer", help="value of the `source` header")
    parser.add_argument("--prefix", default="message", help="value prefix")
    args = parser.parse_args()

    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(1))
    topic = os.environ.get("KAFKA_TOPIC") or sys.exit("producer: KAFKA_TOPIC is not set")
    servers = os.environ.get("KAFKA_BOOTSTRAP_SERVERS") or sys.exit("producer: KAFKA_BOOTSTRAP_SERVERS is not set")
    producer = Producer({"bootstrap.servers": servers, "enable.idempotence": True})
    sent = 0
    while not stopping and (args.count == 0 or sent < args.count):
        producer.produce(topic, key=str(sent), value=f"{args.prefix}-{sent}",
                         headers=[("source", args.source)])
        producer.poll(0)
        sent += 1
        if args.rate:
            time.sleep(1 / args.rate)
    remaining = producer.flush(30)
    if remaining:
        sys.exit(f"producer: {remaining} messages not delivered")
    print(f"producer: sent {sent} messages to {topic}", flush=True)


if __name__ == "__main__":
    main()
