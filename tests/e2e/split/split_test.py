"""Queue splitting (issue 10, mirror mode) end to end: real apiserver, real broker, the guide's
sample consumer deployed (its pod runner really consumes), local consumers under `mirrord exec`.

    python3 split_test.py <path to mirrord> [unittest args]
"""

import collections
import os
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import split_env  # noqa: E402
from split_env import Producer, Session, SplitTest, deployed_received, wait_for  # noqa: E402

SOURCES = ["test-a", "test-b", "prod-b", "other"]


def exactly(test, session, expected, timeout=60):
    """Waits until `session` received every id of `expected`, then checks it received nothing
    else and nothing twice."""
    try:
        wait_for(f"session {session.session_id()} to receive {len(expected)} messages",
                 lambda: (set(expected) <= set(session.received()),
                          len(set(expected) - set(session.received()))), timeout=timeout)
    except AssertionError as error:
        log = os.path.join(tempfile.gettempdir(), f"split-{session.session_id()}.stderr")
        with open(log, "w") as out:
            out.write(session.text())
        raise AssertionError(f"{error}\nits mirrord's stderr ({log}) ends:\n"
                             f"{session.text()[-2000:]}")
    got = session.received()
    twice = [i for i, n in collections.Counter(got).items() if n > 1]
    test.assertEqual(twice, [], "messages delivered twice")
    test.assertEqual(sorted(set(got) - set(expected)), [], "messages that do not match")


class ThreeSessions(SplitTest):
    def test_overlapping_filters_each_get_exactly_their_messages(self):
        filters = ["^test-a", "^test-", "-b$"]
        first = Session(self, filters[0])
        first_ready = first.wait_ready()
        self.note_splitter()
        others = [Session(self, f) for f in filters[1:]]
        second_ready = [s.wait_ready() for s in others]
        sessions = [first, *others]
        print(f"\nready: first session {first_ready:.2f} s, second {second_ready[0]:.2f} s, "
              f"third {second_ready[1]:.2f} s", file=sys.stderr)
        for session in sessions:
            self.assertIn("kafka: " + self.topic + " -> mirrord-tmp-" + session.session_id(),
                          session.text())
        producer = Producer(self.topic)
        producer.send_many(SOURCES, 1000)
        for session, regex in zip(sessions, filters):
            exactly(self, session, producer.matching(regex))
        wait_for("the deployed consumer to receive all 1000", lambda: (
            set(producer.matching("")) <= set(deployed_received(self.ns)),
            len(set(deployed_received(self.ns)))), timeout=60)
        ids = [s.session_id() for s in sessions]
        for session in sessions:
            self.assertEqual(session.stop(), 0, session.text())
        self.assertIn("messages delivered to mirrord-tmp-", first.text())
        self.assert_nothing_left(ids)

    def test_hard_coded_group_with_latest_misses_nothing_after_ready(self):
        # The deployed consumer's own group, as the guide's sample app hard-codes it.
        session = Session(self, "^test-", group=self.group, offset_reset="latest")
        session.wait_ready()
        producer = Producer(self.topic)
        producer.send_many(SOURCES, 200)
        exactly(self, session, producer.matching("^test-"))
        sid = session.session_id()
        self.assertEqual(session.stop(), 0, session.text())
        self.assert_nothing_left([sid])


    def test_reset_removes_temporary_topics_whose_session_is_gone(self):
        orphan = "mirrord-tmp-0dead0ff-test_topic"
        split_env.create_topic(orphan, 1)
        self.addCleanup(split_env.delete_topic, orphan)
        config = self.config({"source": "x"})  # agent.namespace: where the client config is
        env = {**os.environ, **split_env.ENV}
        result = subprocess.run([split_env.MIRRORD, "reset", "-n", self.ns, "-f", config],
                                env=env, capture_output=True, text=True, timeout=60)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn(f"deleted kafka topic {orphan}", result.stdout)
        self.assertEqual(split_env.temporaries(orphan), ([], []))


class WhileFlowing(SplitTest):
    def test_session_started_at_200_per_second_gets_everything_after_ready(self):
        producer = Producer(self.topic)
        producer.start_rate(SOURCES, 200)
        try:
            time.sleep(1)  # traffic before the session: it must not be replayed
            session = Session(self, "^test-")
            session.wait_ready()
            ready = session.ready_at
            wait_for("3 s of traffic after Ready!", lambda: time.monotonic() > ready + 3,
                     timeout=10)
        finally:
            producer.stop_rate()
        expected = producer.matching("^test-", after=ready)
        self.assertGreater(len(expected), 200)
        wait_for("every matching message after Ready!",
                 lambda: (set(expected) <= set(session.received()),
                          len(set(expected) - set(session.received()))), timeout=60)
        got = session.received()
        self.assertEqual([i for i, n in collections.Counter(got).items() if n > 1], [])
        self.assertEqual(sorted(set(got) - set(producer.matching("^test-"))), [])
        sid = session.session_id()
        self.assertEqual(session.stop(), 0, session.text())
        self.assert_nothing_left([sid])


class LeaderKilled(SplitTest):
    def kill_leader_and_check(self, while_held):
        leader = Session(self, "^test-")
        leader.wait_ready()
        self.assertIn("this session runs the splitter", leader.text())
        self.note_splitter()
        survivors = [Session(self, "-b$"), Session(self, "^test-a")]
        for session in survivors:
            session.wait_ready()
        producer = Producer(self.topic)
        producer.start_rate(SOURCES, 200)
        try:
            if not while_held:
                # Mid-stream: the survivors' copies flow (their hold-back is over).
                wait_for("copies reaching the survivors", lambda: all(
                    s.received() for s in survivors), timeout=30)
            # With while_held, the survivors' consumers have only just joined: the leader still
            # holds their copies back (hold_back.hpp) when it dies.
            sent = len(producer.sent)
            wait_for("traffic", lambda: len(producer.sent) > sent + 200, timeout=10)
            os.kill(leader.process.pid, signal.SIGKILL)
            leader.process.wait(10)
            wait_for("a standby to take over", lambda: any(
                "runs the splitter of" in s.text() for s in survivors), timeout=20)
            sent = len(producer.sent)
            wait_for("traffic after the takeover", lambda: len(producer.sent) > sent + 400,
                     timeout=10)
        finally:
            producer.stop_rate()
        for session, regex in zip(survivors, ["-b$", "^test-a"]):
            exactly(self, session, producer.matching(regex, after=session.ready_at))
        ids = [leader.session_id()] + [s.session_id() for s in survivors]
        for session in survivors:
            self.assertEqual(session.stop(), 0, session.text())
        self.assert_nothing_left(ids, timeout=60)

    def test_standby_takes_over_and_survivors_get_exactly_their_messages(self):
        self.kill_leader_and_check(while_held=False)

    def test_leader_killed_while_holding_copies_back_loses_none(self):
        self.kill_leader_and_check(while_held=True)


if __name__ == "__main__":
    split_env.main()
