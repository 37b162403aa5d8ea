#!/usr/bin/env python3
"""One scale-down per workload at a time (issue 6): a second `mirrord exec` of the same
deployment while the first session is live fails with exit 1 and a message naming the holder
(session id and user@host), never runs its command, leaves nothing of its own behind, and
leaves the first session intact (its ledger, copy pod, Lease renewals and app).

    second_session_test.py PATH/TO/mirrord
"""

import os
import signal

import harness
from harness import log, wait_for


def test(mirrord):
    with harness.Scenario(mirrord, "second") as scenario:
        child = scenario.sleeper()
        first = scenario.exec(child, "first")
        scenario.wait_session_running(first, child)
        holder = first.session_id()
        ledger = scenario.ledger()
        copies = [p["metadata"]["name"] for p in scenario.copy_pods()]
        log(f"first session {holder} holds the deployment: ledger {ledger}")

        marker = "SECOND-SESSION-RAN-ITS-COMMAND"
        second = scenario.exec(["sh", "-c", f"echo {marker}"], "second")
        status = second.wait(120)
        message = second.stderr()
        log(f"second exec: exit {status}; stderr tail:\n{message[-800:]}")
        assert status == 1, f"second exec exited {status}, want 1:\n{second.describe()}"
        assert marker not in second.stdout(), "the second session ran its command"
        for part in (holder, ledger["owner"], "already scaled down"):
            assert part in message, f"the error does not mention '{part}':\n{message}"

        log("the first session is intact")
        assert first.process.poll() is None, f"first exec ended:\n{first.describe()}"
        assert harness.pids_with_argv(child), "the first session's app is gone"
        assert scenario.ledger() == ledger, f"ledger changed: {scenario.ledger()} != {ledger}"
        assert scenario.deployment()["spec"]["replicas"] == 0
        wait_for("only the first session's copy pod",
                 lambda: (lambda c: (c == copies, c))(
                     [p["metadata"]["name"] for p in scenario.copy_pods()]), 10)
        leases = scenario.leases()
        assert [l["metadata"]["name"] for l in leases] == [f"mirrord-session-{holder}"], leases
        renewed = leases[0]["spec"]["renewTime"]
        wait_for("the first session keeps renewing its Lease",
                 lambda: scenario.leases()[0]["spec"]["renewTime"] != renewed, 10, 0.25)

        log("the first session ends normally")
        os.kill(first.pid, signal.SIGINT)
        status = first.wait(30)
        assert status == 128 + signal.SIGINT, f"first exec exited {status}:\n{first.describe()}"
        scenario.assert_restored(10)


if __name__ == "__main__":
    harness.main(test)
