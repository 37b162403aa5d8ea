#!/usr/bin/env python3
"""SIGTERM, SIGINT and SIGHUP to `mirrord exec` (as `kill -TERM <pid>` or Ctrl+C would send),
issue 6: during the app's run exec passes the signal to the app, exits 128+N, and the cluster is
restored before it exits; during setup (session started, copy pod or scale-down under way) exec
stops, undoes what it did, never starts the app, and exits 128+N.

    signals_test.py PATH/TO/mirrord
"""

import os
import signal

import harness
from harness import log, wait_for


def check_ended(scenario, run, child, signo, when):
    status = run.wait(60)
    assert status == 128 + signo, \
        f"{when}: exec exited {status}, want {128 + signo}:\n{run.describe()}"
    # exec restores before it exits: only the copy pod's deletion may still be landing.
    problems = [p for p in scenario.problems() if not p.startswith("copy pods")]
    assert not problems, f"{when}: not restored when exec exited: {problems}\n{run.describe()}"
    scenario.assert_restored(10, lambda: [f"child {child} running"]
                             if harness.pids_with_argv(child) else [])
    assert "cluster restored" in run.stderr(), f"{when}: {run.stderr()}"
    scenario.wait_remote_consumers()


def during_run(scenario, signo):
    name = signal.Signals(signo).name
    child = scenario.sleeper()
    run = scenario.exec(child, f"run-{name}")
    scenario.wait_session_running(run, child)
    log(f"{name} to exec {run.pid} while the app runs")
    os.kill(run.pid, signo)
    check_ended(scenario, run, child, signo, f"{name} during the run")


HOLD_FINALIZER = "testenv.mirrord.dev/hold"


def hold_pods(scenario, finalizers):
    """Sets the consumer pods' finalizers: with one, a scaled-down pod stays Terminating."""
    for pod in scenario.consumer_pods():
        scenario.api.merge_patch(f"/api/v1/namespaces/{scenario.ns}/pods/"
                                 f"{pod['metadata']['name']}",
                                 {"metadata": {"finalizers": finalizers}})


def during_setup(scenario, signo):
    name = signal.Signals(signo).name
    child = scenario.sleeper()
    # Setup takes ~0.1 s on the testenv, less than a signal takes to land: hold it where a user
    # waits in real life, for the original pod to terminate (a finalizer keeps it Terminating).
    hold_pods(scenario, [HOLD_FINALIZER])
    try:
        run = scenario.exec(child, f"setup-{name}")
        wait_for("exec waiting for the original pod",
                 lambda: ("waiting for 1 pod to terminate" in run.stderr(), run.stderr()[-500:]),
                 30, 0.02)
        assert not harness.pids_with_argv(child), "the app started before setup was done"
        log(f"{name} to exec {run.pid} during setup")
        os.kill(run.pid, signo)
        run.wait(60)
    finally:
        hold_pods(scenario, None)
    check_ended(scenario, run, child, signo, f"{name} during setup")
    assert "Ready!" not in run.stderr(), f"exec went on after {name}:\n{run.stderr()}"


def test(mirrord):
    with harness.Scenario(mirrord, "signals") as scenario:
        for signo in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            during_run(scenario, signo)
        for signo in (signal.SIGTERM, signal.SIGINT):
            during_setup(scenario, signo)


if __name__ == "__main__":
    harness.main(test)
