"""Queue splitting's bad inputs end to end (issue 10, "Ending, crashing, cleaning up"): each is a
clear error naming what is wrong, exit 1, within a bounded time, and nothing is left behind in
the cluster (no session or splitter Lease) or in the broker (no temporary topic or group). Also:
the `dev` user bound to the shipped Roles runs a split, and one without them gets a clear 403.

    python3 errors_test.py <path to mirrord> [unittest args]
"""

import json
import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import split_env  # noqa: E402
from split_env import ENV, ROOT, Producer, Session, SplitTest, kubectl, temporaries  # noqa: E402

DEV_KUBECONFIG = ENV.get("TESTENV_KUBECONFIG_DEV",
                         os.path.join(os.environ.get("TESTENV_RUN_DIR", ""), "kubeconfig-dev"))


def topic_entry(topic_id, client_config):
    return {"id": topic_id, "clientConfig": client_config,
            "nameSources": [{"directEnvVar": {"container": "consumer", "variable": "KAFKA_TOPIC"}}],
            "groupIdSources": [{"directEnvVar": {"container": "consumer",
                                                 "variable": "KAFKA_GROUP_ID"}}]}


class BadInputs(SplitTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        kind = "MirrordKafkaClientConfig"
        api = "queues.mirrord.metalbear.co/v1alpha"
        configs = [
            ("cycle-a", {"parent": "cycle-b", "properties": []}),
            ("cycle-b", {"parent": "cycle-a", "properties": []}),
            ("secret-config", {"loadFromSecret": f"{cls.ns}/no-such-secret", "properties": [
                {"name": "bootstrap.servers", "value": split_env.BOOTSTRAP}]}),
            # Nothing listens on port 1: the broker is unreachable.
            ("unreachable", {"properties": [{"name": "bootstrap.servers",
                                             "value": "127.0.0.1:1"}]}),
        ]
        items = [{"apiVersion": api, "kind": kind, "metadata": {"name": n, "namespace": cls.ns},
                  "spec": spec} for n, spec in configs]
        topics = [topic_entry("test_topic", "base-config"), topic_entry("cycle_topic", "cycle-a"),
                  topic_entry("secret_topic", "secret-config"),
                  topic_entry("unreachable_topic", "unreachable")]
        items.append({"apiVersion": api, "kind": "MirrordKafkaTopicsConsumer",
                      "metadata": {"name": "kafka-consumer-topics", "namespace": cls.ns},
                      "spec": {"consumerApiVersion": "apps/v1", "consumerKind": "Deployment",
                               "consumerName": "kafka-consumer", "topics": topics}})
        kubectl("apply", "-f", "-", stdin=json.dumps({"apiVersion": "v1", "kind": "List",
                                                      "items": items}))

    def run_exec(self, config, timeout=60, kubeconfig=None):
        env = {**os.environ, **ENV, "MIRRORD_PROGRESS_MODE": "std"}
        if kubeconfig:
            env["KUBECONFIG"] = kubeconfig
        begun = time.monotonic()
        result = subprocess.run([split_env.MIRRORD, "exec", "-f", config, "--", "true"], env=env,
                                capture_output=True, text=True, timeout=timeout)
        return result, time.monotonic() - begun

    def assert_refused(self, config, message, within=30, **kwargs):
        topics_before, groups_before = temporaries("mirrord-tmp-")
        result, took = self.run_exec(config, **kwargs)
        self.assertEqual(result.returncode, 1, result.stderr)
        self.assertRegex(result.stderr, message)
        self.assertLess(took, within, result.stderr)
        self.assertEqual(self.leases(), [], "a Lease was left behind")
        session = re.search(r"session ([0-9a-f]{8}) started", result.stderr)
        if session:
            topics, groups = temporaries(f"mirrord-tmp-{session.group(1)}-")
            self.assertEqual((topics, groups), ([], []), "temporaries were left behind")
        return result

    def test_bad_regex(self):
        self.assert_refused(self.config({"source": "^("}),
                            r"split_queues\.test_topic\.message_filter\.source.*regex", within=5)

    def test_steal_mode_is_refused(self):
        self.assert_refused(self.config({"source": "^test-"}, mode="steal"),
                            r"queue_mode.*steal.*not available", within=5)

    def test_unknown_topic_id(self):
        self.assert_refused(self.config({"source": "x"}, topic_id="no_such_id"),
                            r"no_such_id.*kafka-consumer-topics.*test_topic")

    def test_client_config_cycle(self):
        self.assert_refused(self.config({"source": "x"}, topic_id="cycle_topic"),
                            r"cycle.*cycle-a.*cycle-b")

    def test_secret_not_found(self):
        self.assert_refused(self.config({"source": "x"}, topic_id="secret_topic"),
                            r"no-such-secret")

    def test_unreachable_broker_within_startup_timeout(self):
        result = self.assert_refused(
            self.config({"source": "x"}, topic_id="unreachable_topic", startup_timeout=4),
            r"startup_timeout", within=20)
        self.assertIn("waiting for the kafka broker", result.stderr)

    def test_dev_user_without_rbac_gets_a_clear_error(self):
        # A fresh namespace where `dev` has no binding at all.
        ns = self.ns + "-norbac"
        kubectl("create", "namespace", ns)
        self.addCleanup(kubectl, "delete", "namespace", ns, "--wait=false", check=False)
        config = self.config({"source": "x"})
        with open(config) as f:
            text = json.load(f)
        text["target"]["namespace"] = ns
        with open(config, "w") as f:
            json.dump(text, f)
        result, _ = self.run_exec(config, kubeconfig=DEV_KUBECONFIG)
        self.assertEqual(result.returncode, 1, result.stderr)
        self.assertRegex(result.stderr, r"403|[Ff]orbidden")
        self.assertNotIn("dev-token", result.stderr)


class DevUser(SplitTest):
    """The `dev` user bound to the shipped Roles (configs/rbac) runs a split end to end."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        rbac = os.path.join(ROOT, "configs", "rbac")
        for name in ("role.yaml", "rolebinding.yaml", "kafka-config-role.yaml",
                     "kafka-config-rolebinding.yaml"):
            path = os.path.join(rbac, name)
            if os.path.exists(path):
                with open(path) as f:
                    # The kafka-config Role names the `mirrord` namespace; ours is the test's.
                    text = re.sub(r"(?m)^(\s*)namespace: mirrord\s*$", rf"\1namespace: {cls.ns}",
                                  f.read())
                kubectl("-n", cls.ns, "apply", "-f", "-", stdin=text)

    def test_dev_user_runs_a_split(self):
        session = Session(self, "^test-", env_extra={"KUBECONFIG": DEV_KUBECONFIG})
        session.wait_ready()
        producer = Producer(self.topic)
        producer.send_many(["test-a", "other"], 100)
        expected = producer.matching("^test-")
        split_env.wait_for("the dev user's session to receive its 50", lambda: (
            set(expected) <= set(session.received()), len(session.received())), timeout=60)
        self.assertEqual(sorted(session.received()), sorted(expected))
        sid = session.session_id()
        self.assertEqual(session.stop(), 0, session.text())
        self.assertNotIn("dev-token", session.text())
        self.assert_nothing_left([sid])


if __name__ == "__main__":
    split_env.main()
