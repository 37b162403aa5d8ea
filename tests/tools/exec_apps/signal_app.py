#!/usr/bin/env python3
"""A test app for `mirrord exec`: records each signal it receives.

Usage: signal_app.py RECORD_FILE [--linger SECONDS] [--timeout SECONDS]

Appends "ready <pid>" to RECORD_FILE once its handlers are installed, then one line per signal
received (SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH). After SIGINT or SIGTERM
it keeps recording for --linger seconds (default 0.5), so that a duplicate delivery is recorded
rather than lost, then appends "exit" and exits 0. Without a signal it exits 99 after --timeout
seconds (default 60), so a test that forgets it cannot hang forever.
"""

import argparse
import os
import signal
import sys
import time

RECORDED = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT, signal.SIGUSR1,
            signal.SIGUSR2, signal.SIGWINCH)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("record")
    parser.add_argument("--linger", type=float, default=0.5)
    parser.add_argument("--timeout", type=float, default=60.0)
    args = parser.parse_args()

    record = open(args.record, "a", buffering=1)
    stop_at = [None]

    def on_signal(signo, _frame):
        record.write(signal.Signals(signo).name + "\n")
        if signo in (signal.SIGINT, signal.SIGTERM) and stop_at[0] is None:
            stop_at[0] = time.monotonic() + args.linger

    for signo in RECORDED:
        signal.signal(signo, on_signal)
    record.write(f"ready {os.getpid()}\n")

    deadline = time.monotonic() + args.timeout
    while stop_at[0] is None or time.monotonic() < stop_at[0]:
        if stop_at[0] is None and time.monotonic() > deadline:
            record.write("timeout\n")
            return 99
        time.sleep(0.02)
    record.write("exit\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
