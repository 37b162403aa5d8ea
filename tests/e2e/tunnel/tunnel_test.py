"""The Kafka connection into the local process (issue 11) end to end: the sample consumer is
deployed as in a real cluster, with the broker's in-cluster address
(kafka-bootstrap.default.svc:9092, or the pod name kafka-0.kafka.default.svc.cluster.local:9092),
which this machine can neither resolve nor reach; under `mirrord exec` the local consumer gets
local addresses tunnelled through the apiserver's pods/portforward and consumes and commits.
Real apiserver, real broker, the testenv's StatefulSet kafka and its kwok PortForward
(testenv/README.md).

    python3 tunnel_test.py <path to mirrord> [unittest args]
"""

import http.server
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "split"))
import split_env  # noqa: E402
from split_env import (ENV, EXAMPLE, ROOT, Producer, Session, delete_group,  # noqa: E402
                       kubectl, kubectl_json, wait_for)

SERVICE_BOOTSTRAP = "kafka-bootstrap.default.svc:9092"
POD_BOOTSTRAP = "kafka-0.kafka.default.svc.cluster.local:9092"
DEV_KUBECONFIG = ENV.get("TESTENV_KUBECONFIG_DEV",
                         os.path.join(os.environ.get("TESTENV_RUN_DIR",
                                                     os.path.join(ROOT, "run", "testenv")),
                                      "kubeconfig-dev"))
SUMMARY = re.compile(r"KAFKA_BOOTSTRAP_SERVERS: (\S+) -> 127\.0\.0\.1:(\d+) \(kafka\)")


def committed(group, topic):
    """The group's committed offset of partition 0 of `topic` (-1 when none)."""
    from confluent_kafka import ConsumerGroupTopicPartitions, TopicPartition
    client = split_env.admin()
    request = ConsumerGroupTopicPartitions(group, [TopicPartition(topic, 0)])
    answer = client.list_consumer_group_offsets([request])[group].result(timeout=10)
    return answer.topic_partitions[0].offset


def end_offset(topic):
    from confluent_kafka import Consumer, TopicPartition
    consumer = Consumer({"bootstrap.servers": split_env.BOOTSTRAP, "group.id": "unused"})
    try:
        return consumer.get_watermark_offsets(TopicPartition(topic, 0), timeout=10)[1]
    finally:
        consumer.close()


class InCluster(unittest.TestCase):
    """A namespace with the sample consumer deployed with BROKER as its bootstrap address."""

    BROKER = SERVICE_BOOTSTRAP

    @classmethod
    def setUpClass(cls):
        split_env.scratch_names(cls, "e2e-tunnel", 1)
        subprocess.run([os.path.join(EXAMPLE, "deploy.sh"), "--no-producer", "--in-cluster",
                        "-n", cls.ns, "--topic", cls.topic, "--group", cls.group,
                        "--config-namespace", cls.ns],
                       env={**os.environ, **ENV, "KAFKA_CLUSTER_BOOTSTRAP": cls.BROKER},
                       check=True, capture_output=True)
        cls.addClassCleanup(kubectl, "delete", "namespace", cls.ns, "--wait=false", check=False)
        cls.configs = tempfile.mkdtemp(prefix="tunnel-config-")

    def config(self, copy=False, **extra):
        config = {"target": {"path": {"deployment": "kafka-consumer", "container": "consumer"},
                             "namespace": self.ns},
                  "agent": {"namespace": self.ns}, **extra}
        if copy:
            config["feature"] = {"copy_target": {"scale_down": True}}
        path = os.path.join(self.configs, f"{uuid.uuid4().hex[:8]}.json")
        with open(path, "w") as out:
            json.dump(config, out)
        return path

    def consume(self, session, count):
        producer = Producer(self.topic)
        producer.send_many(["test-a"], count)
        expected = producer.matching("")
        wait_for(f"the local consumer to receive {count}", lambda: (
            set(expected) <= set(session.received()), len(session.received())), timeout=60)
        self.assertEqual(sorted(session.received()), sorted(expected))
        return expected

    def session(self, config, group=None):
        """The split tests' local consumer (--offset-reset latest) under `mirrord exec` with
        `config`, once Ready!."""
        session = Session(self, None, group=group, offset_reset="latest", config=config)
        session.wait_ready()
        return session

    def own_session(self):
        """An env-only session whose local consumer has a group of its own (beside the deployed
        consumer's), once that group holds the topic's partition."""
        group = f"local-{uuid.uuid4().hex[:6]}"
        self.addCleanup(delete_group, group)
        session = self.session(self.config(), group=group)
        self.wait_assigned(group)
        return session, group

    def assert_consumes_and_commits(self, count):
        """The local consumer, given BROKER tunnelled, receives `count` messages and its offsets
        commit: the group coordinator's address was rewritten too."""
        session, group = self.own_session()
        found = SUMMARY.search(session.text())
        self.assertIsNotNone(found, session.text())
        self.assertEqual(found.group(1), self.BROKER)
        self.consume(session, count)
        self.assertEqual(session.stop(), 0, session.text())
        self.assertEqual(committed(group, self.topic), end_offset(self.topic))
        self.assertNotIn("tunnel:", session.text())

    def wait_assigned(self, group):
        """Until `group` has a member with the topic's partition assigned (seen from the broker)."""
        def assigned():
            client = split_env.admin()
            described = client.describe_consumer_groups([group])[group].result(timeout=10)
            members = [m for m in described.members
                       if any(tp.topic == self.topic for tp in m.assignment.topic_partitions)]
            return bool(members), str(described.state)
        wait_for(f"group {group} to have {self.topic} assigned", assigned, timeout=60, interval=0.3)


class ServiceAddress(InCluster):
    BROKER = SERVICE_BOOTSTRAP

    def test_alone_the_app_cannot_reach_the_broker(self):
        from confluent_kafka import KafkaException
        from confluent_kafka.admin import AdminClient
        for address in (SERVICE_BOOTSTRAP, POD_BOOTSTRAP):
            with self.assertRaises(KafkaException, msg=address):
                AdminClient({"bootstrap.servers": address}).list_topics(timeout=3)

    def test_env_only_consumes_every_message_and_commits(self):
        self.assert_consumes_and_commits(30)

    def test_copy_target_scale_down_consumes_with_the_deployments_group(self):
        session = self.session(self.config(copy=True))
        deployment = kubectl_json("-n", self.ns, "get", "deployment", "kafka-consumer")
        self.assertEqual(deployment["spec"]["replicas"], 0)
        self.wait_assigned(self.group)
        self.consume(session, 30)
        self.assertEqual(session.stop(), 0, session.text())
        self.assertEqual(committed(self.group, self.topic), end_offset(self.topic))

    def test_the_endpoint_pod_deleted_mid_stream(self):
        # kafka-0 of the StatefulSet in default is the only endpoint; the StatefulSet brings it
        # back under the same name. kwok keeps a forwarded stream open when its pod goes (the
        # stream ends at a local listener, not in the pod), so what this shows is that the
        # session goes on across the replacement; streams that drop are the apiserver restart's.
        session, _ = self.own_session()
        producer = Producer(self.topic)
        producer.send_many(["before"], 10)
        wait_for("the first 10", lambda: len(session.received()) >= 10, timeout=60)
        old = kubectl_json("-n", "default", "get", "pod", "kafka-0")["metadata"]["uid"]
        kubectl("-n", "default", "delete", "pod", "kafka-0", "--wait=false")
        wait_for("kafka-0 to be replaced and ready", lambda: self.pod_ready_again(old), timeout=60)
        producer.send_many(["after"], 10)
        expected = producer.matching("")
        wait_for("all 20 after the pod came back", lambda: (
            set(expected) <= set(session.received()), len(set(session.received()))), timeout=90)
        self.assertEqual(session.stop(), 0, session.text())

    @staticmethod
    def pod_ready_again(old_uid):
        got = kubectl("-n", "default", "get", "pod", "kafka-0", "-o", "json", check=False)
        pod = json.loads(got.stdout) if got.returncode == 0 else {}
        meta = pod.get("metadata") or {}
        conditions = (pod.get("status") or {}).get("conditions") or []
        ready = any(c.get("type") == "Ready" and c.get("status") == "True" for c in conditions)
        return meta.get("uid") not in (None, old_uid) and ready, meta.get("uid")


class ApiserverRestart(InCluster):
    """Every tunnel is a stream through the apiserver: a restart drops them all, and the client
    reconnects through new ones once it is back."""

    def test_the_apiserver_restarted_mid_stream(self):
        session, _ = self.own_session()
        producer = Producer(self.topic)
        producer.send_many(["before"], 10)
        wait_for("the first 10", lambda: len(session.received()) >= 10, timeout=60)
        subprocess.run([os.path.join(ROOT, "scripts", "testenv"), "restart", "kube-apiserver"],
                       env={**os.environ, **ENV}, check=True, capture_output=True, timeout=180)
        producer.send_many(["after"], 10)
        expected = producer.matching("")
        wait_for("all 20 after the restart", lambda: (
            set(expected) <= set(session.received()), len(set(session.received()))), timeout=120)
        self.assertEqual(session.stop(), 0, session.text())


class SplitInCluster(InCluster):
    """Approach 2 with the guide's client config naming the in-cluster bootstrap: the embedded
    splitter reaches the broker through the session's tunnel, and so does the cleanup."""

    def split_config(self, regex):
        path = self.config(operator=True)
        with open(path) as f:
            config = json.load(f)
        config["feature"] = {"split_queues": {"test_topic": {
            "queue_type": "Kafka", "message_filter": {"source": regex}}}}
        config["agent"]["startup_timeout"] = 30
        with open(path, "w") as f:
            json.dump(config, f)
        return path

    def test_a_split_session_through_the_tunnel(self):
        client_config = kubectl_json("-n", self.ns, "get", "mirrordkafkaclientconfig",
                                     "base-config")
        self.assertIn({"name": "bootstrap.servers", "value": SERVICE_BOOTSTRAP},
                      client_config["spec"]["properties"])
        session = Session(self, None, offset_reset="latest", config=self.split_config("^test-"))
        session.wait_ready()
        self.assertRegex(session.text(), r"splitter bootstrap\.servers: "
                                         r"kafka-bootstrap\.default\.svc:9092 -> 127\.0\.0\.1:\d+")
        producer = Producer(self.topic)
        producer.send_many(["test-a", "prod"], 40)
        expected = producer.matching("^test-")
        wait_for("the session's 20", lambda: (set(expected) <= set(session.received()),
                                              len(session.received())), timeout=60)
        self.assertEqual(sorted(session.received()), sorted(expected))
        sid = session.session_id()
        self.assertEqual(session.stop(), 0, session.text())
        # Ending the split deleted its topic and group through the tunnel, before it stopped.
        wait_for("the session's topic and group to be gone", lambda: (
            not [n for n in sum(split_env.temporaries(f"mirrord-tmp-{sid}-"), [])],
            split_env.temporaries(f"mirrord-tmp-{sid}-")), timeout=30)
        self.assertNotIn("tunnel:", session.text())


class PodAddress(InCluster):
    BROKER = POD_BOOTSTRAP

    def test_headless_pod_name_consumes_and_commits(self):
        self.assert_consumes_and_commits(20)


class EchoHandler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (http.server's name)
        body = f"echo {self.path}".encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


CLIENT = """
import os, socket, sys, urllib.request
url = os.environ["ECHO_URL"]
print("url", url)
print(urllib.request.urlopen(url, timeout=20).read().decode())
"""


class PlainTcp(unittest.TestCase):
    """An HTTP service behind a Service, and the errors: no ready endpoint, no permission."""

    KWOK_FORWARD_PORT = 18080  # kwok's ClusterPortForward target for every other pod port

    @classmethod
    def setUpClass(cls):
        cls.ns = f"e2e-tunnel-tcp-{uuid.uuid4().hex[:6]}"
        kubectl("create", "namespace", cls.ns)
        cls.addClassCleanup(kubectl, "delete", "namespace", cls.ns, "--wait=false", check=False)
        manifest = {"apiVersion": "v1", "kind": "List", "items": [
            deployment("echo", {"app": "echo"}, [], ports=[{"name": "http", "containerPort": 8080}]),
            service("echo", {"app": "echo"}, 80, "http"),
            service("nothing", {"app": "nothing"}, 5000, 5000),
            deployment("client", {"app": "client"}, [
                {"name": "ECHO_URL", "value": "http://echo/hello"},
                {"name": "NOTHING_ADDR", "value": "nothing:5000"}])]}
        kubectl("-n", cls.ns, "apply", "-f", "-", stdin=json.dumps(manifest))
        for name in ("echo", "client"):
            kubectl("-n", cls.ns, "rollout", "status", f"deployment/{name}", "--timeout=60s")
        wait_for("the echo Service to have a ready endpoint", lambda: cls.echo_ready(), timeout=60)
        cls.configs = tempfile.mkdtemp(prefix="tunnel-config-")

    @classmethod
    def echo_ready(cls):
        slices = kubectl_json("-n", cls.ns, "get", "endpointslices", "-l",
                              "kubernetes.io/service-name=echo")["items"]
        return any((e.get("conditions") or {}).get("ready") for s in slices
                   for e in s.get("endpoints") or [])

    def config(self):
        path = os.path.join(self.configs, f"{uuid.uuid4().hex[:8]}.json")
        with open(path, "w") as out:
            json.dump({"target": {"path": "deployment/client", "namespace": self.ns}}, out)
        return path

    def run_exec(self, *command, kubeconfig=None):
        env = {**os.environ, **ENV, "MIRRORD_PROGRESS_MODE": "std"}
        if kubeconfig:
            env["KUBECONFIG"] = kubeconfig
        return subprocess.run([split_env.MIRRORD, "exec", "-f", self.config(), "--", *command],
                              env=env, capture_output=True, text=True, timeout=120)

    def test_http_through_the_tunnel(self):
        server = http.server.ThreadingHTTPServer(("127.0.0.1", self.KWOK_FORWARD_PORT), EchoHandler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        self.addCleanup(server.server_close)
        self.addCleanup(server.shutdown)
        result = self.run_exec(sys.executable, "-c", CLIENT)
        self.assertEqual(result.returncode, 0, result.stderr + result.stdout)
        self.assertIn("echo /hello", result.stdout)
        self.assertRegex(result.stdout, r"url http://127\.0\.0\.1:\d+/hello")
        self.assertRegex(result.stderr, r"ECHO_URL: echo:80 -> 127\.0\.0\.1:\d+ \(tcp\)")

    def test_a_service_without_ready_endpoints_is_said_at_start(self):
        result = self.run_exec("true")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("NOTHING_ADDR: service", result.stderr)
        self.assertIn("no ready endpoint", result.stderr)

    def test_dev_user_without_pods_portforward_gets_a_clear_error(self):
        with open(os.path.join(ROOT, "configs", "rbac", "role.yaml")) as f:
            role = f.read()
        without = re.sub(r"(?ms)^  # The tunnel \(exec\).*?verbs: \[get, create\]\n", "", role)
        self.assertNotEqual(without, role, "configs/rbac/role.yaml changed: update this test")
        kubectl("-n", self.ns, "apply", "-f", "-", stdin=without)
        with open(os.path.join(ROOT, "configs", "rbac", "rolebinding.yaml")) as f:
            kubectl("-n", self.ns, "apply", "-f", "-", stdin=f.read())
        result = self.run_exec("true", kubeconfig=DEV_KUBECONFIG)
        self.assertEqual(result.returncode, 1, result.stderr)
        self.assertIn("pods/portforward", result.stderr)
        self.assertIn(f"namespace {self.ns}", result.stderr)
        self.assertNotIn("dev-token", result.stderr)


def deployment(name, labels, env, ports=()):
    container = {"name": name, "image": "busybox", "env": env}
    if ports:
        container["ports"] = list(ports)
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name},
            "spec": {"replicas": 1, "selector": {"matchLabels": labels},
                     "template": {"metadata": {"labels": labels},
                                  "spec": {"containers": [container]}}}}


def service(name, selector, port, target_port):
    return {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name},
            "spec": {"selector": selector,
                     "ports": [{"name": "main", "port": port, "targetPort": target_port}]}}


if __name__ == "__main__":
    split_env.main()
