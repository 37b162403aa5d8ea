#!/usr/bin/env python3
"""Approach 1 of the Kafka debugging guide, end to end (issue 6):

the remote consumer consumes; under `mirrord exec -f .copy_scaledown.json` the deployment runs
0 replicas and the local consumer alone receives every message produced (exact count and
values) while the remote one receives none; afterwards the deployment is back to its replicas,
no copy pod or Lease is left, and the remote consumer consumes again.

    e2e_copy_scaledown_test.py PATH/TO/mirrord
"""

import collections
import time

import harness
from harness import log, wait_for

REPLICAS = 2  # one partition: one pod consumes, the other idles; both must go and come back
LOCAL_MESSAGES = 25


def remote_receives(scenario, values, timeout=60):
    """Waits until the remote consumers' logs hold each of `values` exactly once."""
    def seen():
        counts = collections.Counter(harness.received_values(scenario.all_consumer_logs()))
        missing = [v for v in values if counts[v] == 0]
        doubled = [v for v in values if counts[v] > 1]
        assert not doubled, f"remote consumers received {doubled} more than once"
        return not missing, f"missing {missing}"
    wait_for(f"remote consumer receives {len(values)} messages", seen, timeout, 0.25)


def test(mirrord):
    with harness.Scenario(mirrord, "e2e", replicas=REPLICAS) as scenario:
        unique = scenario.ns.rsplit("-", 1)[1]

        log("the deployed consumer consumes")
        before = scenario.produce(5, f"remote-{unique}", f"before-{unique}")
        remote_receives(scenario, before)
        originals = {p["metadata"]["name"]: scenario.pod_pid(p["metadata"]["name"])
                     for p in scenario.consumer_pods()}
        assert len(originals) == REPLICAS and all(originals.values()), originals

        log("mirrord exec -f .copy_scaledown.json -- python app.py "
            f"--max-messages {LOCAL_MESSAGES}")
        run = scenario.exec([scenario.python, "-u", "app.py", "--max-messages",
                             str(LOCAL_MESSAGES), "--idle-timeout", "120"], "local-app")

        def local_alone():
            if run.process.poll() is not None:
                raise AssertionError(f"exec exited early ({run.process.returncode}):\n"
                                     f"{run.describe()}")
            deployment = scenario.deployment()
            pods = [p["metadata"]["name"] for p in scenario.consumer_pods()]
            running = [n for n, pid in originals.items() if harness.alive(pid)]
            consuming = "app: consuming" in run.stdout()
            state = (f"replicas {deployment['spec'].get('replicas')}, pods {pods}, original "
                     f"processes running {running}, local app consuming: {consuming}")
            return (deployment["spec"].get("replicas") == 0 and not pods and not running
                    and consuming), state
        wait_for("deployment at 0, original pods gone, local app consuming", local_alone, 120,
                 0.25)
        elapsed = time.monotonic() - run.started
        log(f"local app consuming {elapsed:.1f} s after exec started")

        session = run.session_id()
        assert session, f"no 'session <id> started' in exec's output:\n{run.stderr()}"
        ledger = scenario.ledger()
        assert ledger and ledger["replicas"] == REPLICAS and ledger["session"] == session, \
            f"ledger annotation {ledger}, want replicas {REPLICAS} of session {session}"
        leases = [l["metadata"]["name"] for l in scenario.leases()]
        assert leases == [f"mirrord-session-{session}"], leases
        copies = scenario.copy_pods()
        assert len(copies) == 1 and copies[0]["status"].get("phase") == "Running", \
            [(c["metadata"]["name"], c["status"].get("phase")) for c in copies]
        assert copies[0]["metadata"]["name"] == f"mirrord-copy-kafka-consumer-{session}", \
            copies[0]["metadata"]["name"]
        assert f"consuming {scenario.topic} as group {scenario.group}" in run.stdout(), \
            f"the local app did not get the remote topic and group:\n{run.stdout()}"

        log(f"producing {LOCAL_MESSAGES} messages for the local consumer")
        local = scenario.produce(LOCAL_MESSAGES, f"test-local-{unique}", f"local-{unique}")
        status = run.wait(90)
        assert status == 0, f"exec exited {status}:\n{run.describe()}"
        got = harness.received_values(run.stdout())
        assert got == local, (f"local consumer received {len(got)} messages {got}, "
                              f"want exactly {local}")
        assert f"local-{unique}" not in scenario.all_consumer_logs(), \
            "a remote consumer received messages meant for the local one"

        log("after exec: restored at once (exec restores before it exits)")
        problems = [p for p in scenario.problems() if not p.startswith("copy pods")]
        assert not problems, problems
        scenario.assert_restored(10)  # the copy pod's deletion may take a moment to land
        assert "restored deployment" in run.stderr(), run.stderr()

        log("the remote consumer consumes again")
        pods = scenario.wait_remote_consumers()
        assert not set(p["metadata"]["name"] for p in pods) & set(originals), \
            "the restored deployment should run new pods"
        after = scenario.produce(5, f"remote-{unique}", f"after-{unique}")
        remote_receives(scenario, after)
        assert f"local-{unique}" not in scenario.all_consumer_logs(), \
            "the restored consumer re-read messages the local one had consumed"


if __name__ == "__main__":
    harness.main(test)
