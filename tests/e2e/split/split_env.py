"""What the queue-splitting end-to-end tests share: a namespace with the guide's sample app
(examples/kafka-debug) and its two CRs, a running `mirrord exec` session with its local consumer,
a producer with `source` headers, and the broker-side checks (temporary topics and groups).

Runs under the sample app's venv (confluent-kafka): main() re-executes this test with it.
"""

import glob
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
EXAMPLE = os.path.join(ROOT, "examples", "kafka-debug")
sys.path.insert(0, os.path.join(ROOT, "tests", "pylib"))
from cluster import ENV, kubectl, kubectl_json, wait_for  # noqa: E402

MIRRORD = None  # set by main()
BOOTSTRAP = ENV.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:19092")
CONSUMER = os.path.join(HERE, "consumer.py")


def admin():
    from confluent_kafka.admin import AdminClient
    return AdminClient({"bootstrap.servers": BOOTSTRAP})


def temporaries(prefix="mirrord-"):
    """The broker's topics and consumer groups whose names start with `prefix`."""
    client = admin()
    topics = sorted(t for t in client.list_topics(timeout=10).topics if t.startswith(prefix))
    groups = sorted(g.group_id for g in client.list_consumer_groups().result(timeout=10).valid
                    if g.group_id.startswith(prefix))
    return topics, groups


def create_topic(name, partitions):
    from confluent_kafka.admin import NewTopic
    client = admin()  # kept alive until the answer: a destroyed handle fails its futures
    client.create_topics([NewTopic(name, num_partitions=partitions,
                                   replication_factor=1)])[name].result(timeout=10)


def delete_topic(name):
    try:
        client = admin()
        client.delete_topics([name])[name].result(timeout=10)
    except Exception:  # noqa: BLE001 (already gone)
        pass


def delete_group(group, timeout=60):
    """Deletes a consumer group once its members have left (best effort, bounded)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        client = admin()
        try:
            client.delete_consumer_groups([group])[group].result(timeout=10)
            return
        except Exception as error:  # noqa: BLE001
            if "GROUP_ID_NOT_FOUND" in str(error):
                return
        time.sleep(0.5)


class Producer:
    """Sends messages `id-<n>` with a `source` header; remembers when each was sent (before the
    produce call), so a test can ask which were produced after a session's Ready!."""

    def __init__(self, topic):
        from confluent_kafka import Producer as KafkaProducer
        self.topic = topic
        self.producer = KafkaProducer({"bootstrap.servers": BOOTSTRAP, "enable.idempotence": True,
                                       "linger.ms": 5})
        self.sent = []  # (id, source, monotonic time before produce)
        self.next_id = 0
        self._stop = threading.Event()
        self._thread = None

    def send(self, source):
        message_id = f"id-{self.next_id}"
        self.next_id += 1
        self.sent.append((message_id, source, time.monotonic()))
        self.producer.produce(self.topic, key=message_id.encode(), value=message_id.encode(),
                              headers=[("source", source.encode())])
        self.producer.poll(0)

    def send_many(self, sources, count):
        for n in range(count):
            self.send(sources[n % len(sources)])
        self.flush()

    def flush(self):
        left = self.producer.flush(30)
        assert left == 0, f"{left} messages not delivered to {self.topic}"

    def start_rate(self, sources, rate):
        """Sends at `rate` msg/s on a thread until stop_rate()."""
        def run():
            n = 0
            begin = time.monotonic()
            while not self._stop.is_set():
                self.send(sources[n % len(sources)])
                n += 1
                pause = begin + n / rate - time.monotonic()
                if pause > 0:
                    self._stop.wait(pause)
        self._thread = threading.Thread(target=run, daemon=True)
        self._thread.start()

    def stop_rate(self):
        self._stop.set()
        self._thread.join()
        self.flush()

    def matching(self, regex, after=None):
        """Ids whose source matches `regex` (unanchored), sent after monotonic time `after`."""
        pattern = re.compile(regex)
        return [i for i, source, when in self.sent
                if pattern.search(source) and (after is None or when > after)]


class Session:
    """`mirrord exec` of the local consumer (consumer.py), with a filter on `source`."""

    def __init__(self, test, regex, group=None, offset_reset="earliest", env_extra=None,
                 config=None):
        self.out = tempfile.NamedTemporaryFile("w+", prefix="split-", suffix=".out", delete=False)
        self.out.close()  # only its name is used: the local consumer appends to it
        config = config or test.config({"source": regex})
        args = [sys.executable, CONSUMER, "--out", self.out.name, "--offset-reset", offset_reset]
        if group:
            args += ["--group", group]
        env = {**os.environ, **ENV, "MIRRORD_PROGRESS_MODE": "std", **(env_extra or {})}
        self.started = time.monotonic()
        # -v: the splitter election's events ("took over split ...") are info lines.
        self.process = subprocess.Popen([MIRRORD, os.environ.get("SPLIT_TEST_VERBOSITY", "-v"), "exec", "-f", config, "--", *args], env=env,
                                        stderr=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                        text=True, start_new_session=True)
        self.stderr = []
        self.ready_at = None
        self._ready = threading.Event()
        threading.Thread(target=self._read, daemon=True).start()
        test.addCleanup(self.kill)

    def kill(self):
        """Cleanup of a test that failed halfway: a session must not outlive its test."""
        if self.process.poll() is None:
            self.stop()

    def _read(self):
        for line in self.process.stderr:
            self.stderr.append(line)
            if "Ready!" in line and self.ready_at is None:
                self.ready_at = time.monotonic()
                self._ready.set()
        self._ready.set()

    def wait_ready(self, timeout=60):
        assert self._ready.wait(timeout), f"no Ready! within {timeout} s: {self.text()}"
        assert self.ready_at is not None, f"exec ended before Ready!: {self.text()}"
        return self.ready_at - self.started

    def text(self):
        return "".join(self.stderr)

    def session_id(self):
        found = re.search(r"session ([0-9a-f]{8}) started", self.text())
        return found.group(1) if found else None

    def received(self):
        with open(self.out.name) as out:
            return [line.strip() for line in out if line.strip()]

    def stop(self, sig=signal.SIGTERM, timeout=60):
        if self.process.poll() is None:
            os.kill(self.process.pid, sig)
        self.process.wait(timeout)
        return self.process.returncode


def deployed_received(ns):
    """The ids the deployed consumer printed (its pod runner log)."""
    run_dir = os.environ.get("TESTENV_RUN_DIR", os.path.join(ROOT, "run", "testenv"))
    ids = []
    for path in glob.glob(os.path.join(run_dir, "pods", f"{ns}_kafka-consumer-*")):
        with open(path, errors="replace") as log:
            ids += re.findall(r"^received \S+ key=\S+ value=(id-\d+) ", log.read(), re.M)
    return ids


def scratch_names(cls, prefix, partitions):
    """Gives test class `cls` a namespace name, a topic (created now) and a group of its own,
    `<prefix>-...`; the topic and the group are deleted after the class."""
    suffix = uuid.uuid4().hex[:6]
    cls.ns = f"{prefix}-{cls.__name__.lower()[:14]}-{suffix}"
    cls.topic = f"{prefix}-{suffix}"
    cls.group = f"{prefix}-group-{suffix}"
    create_topic(cls.topic, partitions)
    cls.addClassCleanup(delete_topic, cls.topic)
    # Runs after the namespace's deletion (cleanups run last-in first-out), once the deployed
    # consumer has left its group.
    cls.addClassCleanup(delete_group, cls.group)


class SplitTest(unittest.TestCase):
    """A namespace with the sample app consuming its own topic, and the guide's two CRs; the
    client config lives in the same namespace (agent.namespace)."""

    PARTITIONS = 3

    @classmethod
    def setUpClass(cls):
        scratch_names(cls, "e2e-split", cls.PARTITIONS)
        crds = os.path.join(ROOT, "configs", "crds")
        if os.path.isdir(crds):
            kubectl("apply", "-f", crds)
        subprocess.run([os.path.join(EXAMPLE, "deploy.sh"), "--no-producer", "-n", cls.ns,
                        "--topic", cls.topic, "--group", cls.group],
                       env={**os.environ, **ENV}, check=True, capture_output=True)
        cls.addClassCleanup(kubectl, "delete", "namespace", cls.ns, "--wait=false", check=False)
        cls.apply_crs(BOOTSTRAP)
        cls.configs = tempfile.mkdtemp(prefix="split-config-")

    @classmethod
    def apply_crs(cls, bootstrap, client_config="base-config"):
        manifest = {
            "apiVersion": "v1", "kind": "List", "items": [
                {"apiVersion": "queues.mirrord.metalbear.co/v1alpha",
                 "kind": "MirrordKafkaClientConfig",
                 "metadata": {"name": client_config, "namespace": cls.ns},
                 "spec": {"properties": [{"name": "bootstrap.servers", "value": bootstrap}]}},
                {"apiVersion": "queues.mirrord.metalbear.co/v1alpha",
                 "kind": "MirrordKafkaTopicsConsumer",
                 "metadata": {"name": "kafka-consumer-topics", "namespace": cls.ns},
                 "spec": {"consumerApiVersion": "apps/v1", "consumerKind": "Deployment",
                          "consumerName": "kafka-consumer",
                          "topics": [{"id": "test_topic", "clientConfig": "base-config",
                                      "nameSources": [{"directEnvVar": {
                                          "container": "consumer", "variable": "KAFKA_TOPIC"}}],
                                      "groupIdSources": [{"directEnvVar": {
                                          "container": "consumer",
                                          "variable": "KAFKA_GROUP_ID"}}]}]}}]}
        kubectl("apply", "-f", "-", stdin=json.dumps(manifest), check=False)

    def config(self, message_filter, topic_id="test_topic", mode=None, **agent):
        split = {"queue_type": "Kafka", "message_filter": message_filter}
        if mode:
            split["queue_mode"] = mode
        config = {"operator": True,
                  "target": {"path": {"deployment": "kafka-consumer", "container": "consumer"},
                             "namespace": self.ns},
                  "agent": {"namespace": self.ns, "startup_timeout": 30, **agent},
                  "feature": {"split_queues": {topic_id: split}}}
        path = os.path.join(self.configs, f"{uuid.uuid4().hex[:8]}.json")
        with open(path, "w") as out:
            json.dump(config, out)
        return path

    def leases(self):
        items = kubectl_json("-n", self.ns, "get", "leases")["items"]
        return sorted(i["metadata"]["name"] for i in items
                      if i["metadata"]["name"].startswith("mirrord-"))

    def assert_nothing_left(self, session_ids=(), timeout=30):
        """No session or splitter Lease in the namespace; no temporary topic or group of these
        sessions and no splitter group in the broker."""
        def clean():
            leases = self.leases()
            topics, groups = temporaries()
            ours = [n for n in topics + groups
                    if any(n.startswith(f"mirrord-tmp-{s}-") for s in session_ids)
                    or n.startswith("mirrord-split-") and n in self.splitter_groups()]
            return (not leases and not ours), (leases, ours)
        wait_for("the split's leases, topics and groups to be gone", clean, timeout=timeout,
                 interval=0.5)

    def splitter_groups(self):
        """Splitter groups of this namespace's split (the key is not known here: any splitter
        group whose Lease named this namespace). Recorded by note_splitter()."""
        return getattr(self, "_splitter_groups", set())

    def note_splitter(self):
        for name in self.leases():
            if name.startswith("mirrord-splitter-"):
                self._splitter_groups = {"mirrord-split-" + name[len("mirrord-splitter-"):]}


def main():
    global MIRRORD
    try:
        import confluent_kafka  # noqa: F401
    except ImportError:
        python = subprocess.run([os.path.join(EXAMPLE, "venv.sh")], capture_output=True,
                                text=True, check=True).stdout.strip()
        os.execv(python, [python, *sys.argv])
    MIRRORD = os.path.abspath(sys.argv.pop(1))
    globals()["MIRRORD"] = MIRRORD
    unittest.main(module="__main__")
