#!/usr/bin/env python3
"""Checks the in-cluster Kafka of scripts/testenv (testenv/README.md, "In-cluster Kafka"): the
broker's CLUSTER listener advertises kafka-0.kafka.default.svc.cluster.local:9092, which does not
resolve here, and the only way to it is `pods/portforward` of default/kafka-0 through the
apiserver. Needs `scripts/testenv up`.

Each class is one ctest entry (tests/testenv/tests.cmake). The tests only read the cluster and
start their own `kubectl port-forward`, stopped by PID; they create nothing and restart nothing.
"""

import json
import os
import queue
import re
import socket
import subprocess
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pylib"))
from cluster import ENV, RUN_ENV, kubectl_json, wait_for  # noqa: E402

ADVERTISED = "kafka-0.kafka.default.svc.cluster.local:9092"
CLUSTER_LISTENER_PORT = 19094


def kcat_metadata(bootstrap, timeout_s):
    """`kcat -L -J` against `bootstrap`: (exit code, parsed metadata or None, stderr)."""
    result = subprocess.run(["kcat", "-L", "-J", "-b", bootstrap, "-m", str(timeout_s)],
                            capture_output=True, text=True, timeout=timeout_s + 20)
    metadata = json.loads(result.stdout) if result.returncode == 0 and result.stdout else None
    return result.returncode, metadata, result.stderr


class PortForward:
    """`kubectl port-forward` of one pod port to a local port kubectl picks (no race for a free
    port); started in the constructor, ready once kubectl printed its "Forwarding from" line."""

    def __init__(self, namespace, pod, port, deadline=30):
        self.process = subprocess.Popen(
            ["kubectl", "--kubeconfig", ENV["KUBECONFIG"], "-n", namespace, "port-forward",
             "--address", "127.0.0.1", f"pod/{pod}", f":{port}"],
            env=RUN_ENV, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.lines = queue.Queue()
        self.output = []
        threading.Thread(target=self._read, daemon=True).start()
        self.local_port = self._wait_forwarding(port, deadline)

    def _read(self):
        for line in self.process.stdout:
            self.lines.put(line)
        self.lines.put(None)

    def _wait_forwarding(self, port, deadline):
        until = time.monotonic() + deadline
        pattern = re.compile(rf"^Forwarding from 127\.0\.0\.1:(\d+) -> {port}$")
        while time.monotonic() < until:
            try:
                line = self.lines.get(timeout=max(0.0, until - time.monotonic()))
            except queue.Empty:
                break
            if line is None:
                self.stop()
                raise AssertionError(f"kubectl port-forward exited: {''.join(self.output)}")
            self.output.append(line)
            match = pattern.match(line.strip())
            if match:
                return int(match.group(1))
        self.stop()
        raise AssertionError(f"no 'Forwarding from' line after {deadline}s: {self.output}")

    def stop(self):
        """SIGTERM to our kubectl by its PID, SIGKILL if it lingers."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process.stdout.close()


def ready_endpoints(slice_, pod):
    return [e for e in slice_.get("endpoints") or []
            if (e.get("targetRef") or {}).get("kind") == "Pod"
            and e["targetRef"].get("name") == pod
            and (e.get("conditions") or {}).get("ready") is True]


def service_slices(service):
    return kubectl_json("-n", "default", "get", "endpointslices",
                        "-l", f"kubernetes.io/service-name={service}")["items"]


class AdvertisedNameTest(unittest.TestCase):
    """From this machine the broker's advertised names lead nowhere."""

    def test_env_names_the_in_cluster_bootstrap(self):
        self.assertEqual(ENV["KAFKA_CLUSTER_BOOTSTRAP"], "kafka-bootstrap.default.svc:9092")

    def test_the_advertised_and_bootstrap_names_do_not_resolve(self):
        for address in (ADVERTISED, ENV["KAFKA_CLUSTER_BOOTSTRAP"]):
            host = address.rsplit(":", 1)[0]
            with self.subTest(host=host), self.assertRaises(socket.gaierror):
                socket.getaddrinfo(host, 9092, proto=socket.IPPROTO_TCP)

    def test_a_client_given_the_in_cluster_bootstrap_gets_no_metadata(self):
        code, metadata, stderr = kcat_metadata(ENV["KAFKA_CLUSTER_BOOTSTRAP"], 3)
        self.assertNotEqual(code, 0, metadata)
        self.assertIn("Failed to resolve", stderr)
        self.assertIn("Failed to acquire metadata", stderr)

    def test_the_cluster_listener_is_on_loopback_only(self):
        out = subprocess.run(["ss", "-ltnH", f"sport = :{CLUSTER_LISTENER_PORT}"],
                             capture_output=True, text=True, check=True).stdout
        addresses = {line.split()[3].rpartition(":")[0] for line in out.splitlines()}
        self.assertEqual(addresses, {"127.0.0.1"}, out)


class PortForwardTest(unittest.TestCase):
    """Through the apiserver (kwok's PortForward default/kafka-0) a client reaches the CLUSTER
    listener, and the broker names itself by its in-cluster name."""

    def test_metadata_through_pod_port_forward_names_the_in_cluster_broker(self):
        forward = PortForward("default", "kafka-0", 9092)
        self.addCleanup(forward.stop)
        bootstrap = f"127.0.0.1:{forward.local_port}"
        code, metadata, stderr = kcat_metadata(bootstrap, 10)
        self.assertEqual(code, 0, stderr + "".join(forward.output))
        self.assertEqual(metadata["originating_broker"]["name"], f"{bootstrap}/bootstrap")
        self.assertEqual([(b["id"], b["name"]) for b in metadata["brokers"]], [(1, ADVERTISED)])
        # Still forwarding: the metadata came through this kubectl, not some other path.
        self.assertIsNone(forward.process.poll(), "".join(forward.output))


class EndpointSliceTest(unittest.TestCase):
    """The objects a tunnel reads to pick a pod for kafka-bootstrap.default.svc:9092."""

    def test_kafka_bootstrap_lists_kafka_0_ready_on_9092(self):
        pod = kubectl_json("-n", "default", "get", "pod", "kafka-0")
        slices = wait_for("a slice of kafka-bootstrap with kafka-0 ready", lambda: (
            [s for s in service_slices("kafka-bootstrap") if ready_endpoints(s, "kafka-0")]), 30)
        ports = [(p.get("name"), p.get("port"), p.get("protocol")) for s in slices
                 for p in s.get("ports") or []]
        self.assertIn(("kafka", 9092, "TCP"), ports)
        addresses = [a for s in slices for e in ready_endpoints(s, "kafka-0")
                     for a in e["addresses"]]
        self.assertEqual(addresses, [pod["status"]["podIP"]])
        self.assertEqual(pod["spec"]["nodeName"], "kwok-node-0")

    def test_the_headless_service_gives_the_pod_its_advertised_name(self):
        service = kubectl_json("-n", "default", "get", "service", "kafka")
        self.assertEqual(service["spec"]["clusterIP"], "None")
        # kafka-0.kafka.default.svc.cluster.local exists in a real cluster's DNS because the
        # headless Service's slice carries hostname kafka-0 for this pod.
        hostnames = [e.get("hostname") for s in service_slices("kafka")
                     for e in ready_endpoints(s, "kafka-0")]
        self.assertEqual(hostnames, ["kafka-0"])
        bootstrap = kubectl_json("-n", "default", "get", "service", "kafka-bootstrap")
        self.assertEqual(bootstrap["spec"]["type"], "ClusterIP")
        self.assertNotEqual(bootstrap["spec"]["clusterIP"], "None")

    def test_the_pod_runner_leaves_kafka_0_alone(self):
        pod = kubectl_json("-n", "default", "get", "pod", "kafka-0")
        annotations = pod["metadata"].get("annotations") or {}
        self.assertNotIn("testenv.mirrord.dev/run", annotations)
        pid_file = os.path.join(ENV["TESTENV_RUN_DIR"], "pods", "default_kafka-0.pid")
        self.assertFalse(os.path.exists(pid_file))


if __name__ == "__main__":
    unittest.main()
