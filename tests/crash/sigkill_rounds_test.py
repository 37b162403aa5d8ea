#!/usr/bin/env python3
"""`mirrord exec` killed with SIGKILL at a random moment leaves nothing broken (issue 6).

Each round starts `mirrord exec -f .copy_scaledown.json -- sleep 60.<n>` (every other round
behind `sh -c '... & wait'`) and SIGKILLs exec after a random 0-3 s (skewed towards the start),
so some rounds hit setup (Lease created, copy pod pending, scale-down under way) and some the
app's run. Within 15 s of the kill the guardian must have restored the deployment to its
replicas, removed the ledger annotation, the copy pod and the Lease, and stopped the app (the
`sleep`, also when a wrapper started it). Prints the restore time per round and
min/median/max.

    sigkill_rounds_test.py PATH/TO/mirrord
Env: CRASH_ROUNDS (default 20), CRASH_SEED (default: random, printed), CRASH_MAX_DELAY (3 s).
"""

import collections
import os
import random
import re
import signal
import statistics
import time

import harness
from harness import log

RESTORE_DEADLINE = 15.0


def phase_of(stderr):
    """The last setup step exec reported before it died, for the round's log line."""
    steps = re.findall(r"(resolving target|starting session|session \w+ started|copying target|"
                       r"target copy created|scaling down|waiting for \d+ pods? to terminate|"
                       r"scaled down|Ready!)", stderr)
    return re.sub(r"session \w+ started", "session started", steps[-1]) if steps \
        else "before any output"


def one_round(scenario, number, delay):
    child = scenario.sleeper()
    # Even rounds run the app behind a wrapper (as `npm start` or a shell script would): what
    # the app started must stop too, not only the process exec spawned.
    wrapped = number % 2 == 0
    command = ["sh", "-c", f"{' '.join(child)} & wait"] if wrapped else child
    run = scenario.exec(command, f"round{number}")
    time.sleep(delay)  # the random kill moment, not a wait for something
    assert run.process.poll() is None, \
        f"round {number}: exec exited by itself ({run.process.returncode}):\n{run.describe()}"
    os.kill(run.pid, signal.SIGKILL)
    killed = time.monotonic()
    guardian = harness.guardian_of(run.pid)  # its argv names exec's pid; None if none started
    run.process.wait()
    phase = phase_of(run.stderr())

    def leftovers():
        found = []
        if pids := harness.pids_with_argv(child):
            found.append(f"child {child} still running as {pids}")
        if guardian and harness.alive(guardian):
            found.append(f"guardian {guardian} still running")
        return found
    try:
        scenario.assert_restored(RESTORE_DEADLINE - (time.monotonic() - killed), leftovers)
    except AssertionError as error:
        raise AssertionError(f"round {number} (killed after {delay:.2f} s, at '{phase}'): "
                             f"{error}\n{run.describe()}")
    restore = time.monotonic() - killed
    log(f"round {number:2}{' (wrapped app)' if wrapped else ''}: killed after {delay:.2f} s at "
        f"'{phase}'; restored in {restore:.2f} s")
    scenario.wait_remote_consumers()  # the next round starts from a normally running workload
    return phase, restore


def test(mirrord):
    rounds = int(os.environ.get("CRASH_ROUNDS", "20"))
    seed = int(os.environ.get("CRASH_SEED", str(random.randrange(1 << 30))))
    max_delay = float(os.environ.get("CRASH_MAX_DELAY", "3"))
    log(f"{rounds} rounds, kill delay 0-{max_delay} s, CRASH_SEED={seed}")
    rng = random.Random(seed)
    with harness.Scenario(mirrord, "sigkill") as scenario:
        # delay = max * u^2: still anywhere in 0-max, but about half the rounds land in the
        # first second, where setup (Lease, copy pod, scale-down) happens on the test cluster.
        results = [one_round(scenario, n, max_delay * rng.random() ** 2)
                   for n in range(1, rounds + 1)]
    times = sorted(restore for _, restore in results)
    log(f"restore time over {rounds} rounds: min {times[0]:.2f} s, median "
        f"{statistics.median(times):.2f} s, max {times[-1]:.2f} s")
    for phase, count in collections.Counter(phase for phase, _ in results).most_common():
        log(f"  killed at '{phase}': {count} round(s)")


if __name__ == "__main__":
    harness.main(test)
