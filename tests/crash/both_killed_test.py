#!/usr/bin/env python3
"""`mirrord exec` and its guardian both killed (the machine gone), issue 6:

nobody restores the deployment until the session Lease goes stale; then
1. `mirrord reset -n <ns>` restores it and lists what it did, and
2. the next `mirrord exec` of the same target undoes the stale session first, then runs
   normally (its ledger keeps the original replica count, never 0) and restores at the end.

    both_killed_test.py PATH/TO/mirrord
"""

import datetime
import os
import signal

import harness
from harness import log, wait_for


def parse_micro_time(text):
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))


def crash_session(scenario, name):
    """Starts a session, kills exec, its guardian and the app; returns (session id, child)."""
    child = scenario.sleeper()
    run = scenario.exec(child, name)
    scenario.wait_session_running(run, child)
    session = run.session_id()
    guardian = wait_for("guardian process", lambda: harness.guardian_of(run.pid), 5)
    # The guardian first: once exec is dead it would restore at once.
    os.kill(guardian, signal.SIGKILL)
    os.kill(run.pid, signal.SIGKILL)
    run.process.wait()
    for pid in harness.pids_with_argv(child):
        os.kill(pid, signal.SIGKILL)
    wait_for("guardian gone", lambda: not harness.alive(guardian), 5)
    log(f"killed exec {run.pid}, guardian {guardian} and the app of session {session}")
    return session


def wait_stale_while_scaled_down(scenario, session):
    """Asserts the session's changes stay in place until its Lease is stale."""
    def stale():
        leases = scenario.leases()
        assert [l["metadata"]["name"] for l in leases] == [f"mirrord-session-{session}"], leases
        deployment = scenario.deployment()
        ledger = scenario.ledger(deployment)
        assert deployment["spec"]["replicas"] == 0 and ledger and ledger["session"] == session, \
            f"someone restored the deployment early: {deployment['spec']}, ledger {ledger}"
        assert len(scenario.copy_pods()) == 1, "the copy pod went before the Lease was stale"
        spec = leases[0]["spec"]
        expires = (parse_micro_time(spec["renewTime"])
                   + datetime.timedelta(seconds=spec["leaseDurationSeconds"]))
        remaining = (expires - datetime.datetime.now(datetime.timezone.utc)).total_seconds()
        return remaining < -0.5, f"stale in {remaining:.1f} s"
    wait_for("session Lease stale", stale, 40, 0.5)


def reset_restores(scenario):
    session = crash_session(scenario, "reset-victim")
    # Without --all, reset leaves a session alone while its Lease is fresh (it may be alive).
    early = scenario.mirrord_cmd("reset", "-n", scenario.ns)
    assert early.returncode == 0 and "nothing to reset" in early.stdout, \
        f"reset of a fresh session: exit {early.returncode}\n{early.stdout}{early.stderr}"
    wait_stale_while_scaled_down(scenario, session)
    result = scenario.mirrord_cmd("reset", "-n", scenario.ns)
    log(f"mirrord reset -n {scenario.ns}: exit {result.returncode}\n{result.stdout}{result.stderr}")
    assert result.returncode == 0, f"reset failed: {result.stderr}"
    for line in (f"restored deployment {scenario.ns}/kafka-consumer to {scenario.replicas} replicas",
                 f"deleted session lease {scenario.ns}/mirrord-session-{session}"):
        assert line in result.stdout, f"reset does not list '{line}':\n{result.stdout}"
    scenario.assert_restored(10)
    scenario.wait_remote_consumers()


def next_exec_takes_over(scenario):
    stale_session = crash_session(scenario, "exec-victim")
    wait_stale_while_scaled_down(scenario, stale_session)
    child = scenario.sleeper()
    run = scenario.exec(child, "exec-after-crash")
    scenario.wait_session_running(run, child)
    session = run.session_id()
    assert session and session != stale_session, (session, stale_session)
    assert f"undid stale session {stale_session}" in run.stderr(), \
        f"exec does not say it undid the stale session:\n{run.stderr()}"
    ledger = scenario.ledger()
    assert ledger["session"] == session and ledger["replicas"] == scenario.replicas, \
        f"new ledger {ledger}: want session {session} with the original {scenario.replicas}"
    leases = [l["metadata"]["name"] for l in scenario.leases()]
    assert leases == [f"mirrord-session-{session}"], leases
    copies = [p["metadata"]["name"] for p in scenario.copy_pods()]
    assert copies == [f"mirrord-copy-kafka-consumer-{session}"], copies
    # The app ends by itself: exec passes its status on and restores.
    for pid in harness.pids_with_argv(child):
        os.kill(pid, signal.SIGTERM)
    status = run.wait(30)
    assert status == 128 + signal.SIGTERM, f"exec exited {status}:\n{run.describe()}"
    scenario.assert_restored(10)
    scenario.wait_remote_consumers()


def test(mirrord):
    with harness.Scenario(mirrord, "both", replicas=2) as scenario:
        log("variant 1: mirrord reset after both are killed")
        reset_restores(scenario)
        log("variant 2: the next mirrord exec undoes the stale session")
        next_exec_takes_over(scenario)


if __name__ == "__main__":
    harness.main(test)
