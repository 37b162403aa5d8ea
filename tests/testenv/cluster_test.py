#!/usr/bin/env python3
"""Checks that the Kubernetes side of scripts/testenv is real. Needs `scripts/testenv up`.

Each class is one ctest entry (tests/testenv/tests.cmake). Every test uses its own namespace,
polls with a deadline, and deletes what it created.
"""

import json
import os
import sys
import signal
import ssl
import subprocess
import tempfile
import time
import unittest
import urllib.error
import urllib.request
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pylib"))
from testenv_env import testenv_env  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TESTENV = os.path.join(ROOT, "scripts", "testenv")




ENV = testenv_env()


def expected_k8s_version():
    with open(os.path.join(ROOT, "testenv", "versions.sh")) as versions:
        for line in versions:
            if line.startswith("K8S_VERSION="):
                return line.split(":-", 1)[1].split("}", 1)[0]
    raise AssertionError("K8S_VERSION not found in testenv/versions.sh")


def kubectl(*args, kubeconfig=None, check=True, stdin=None):
    env = {**os.environ, **ENV}
    cmd = ["kubectl", "--kubeconfig", kubeconfig or ENV["KUBECONFIG"], *args]
    result = subprocess.run(cmd, env=env, input=stdin, capture_output=True, text=True)
    if check and result.returncode != 0:
        raise AssertionError(f"{' '.join(cmd)} failed: {result.stderr}")
    return result


def kubectl_json(*args):
    return json.loads(kubectl(*args, "-o", "json").stdout)


def api_get(path, token=None, cert=None):
    """(status, parsed body) of GET path on the apiserver."""
    context = ssl.create_default_context(cafile=ENV["TESTENV_CA"])
    if cert:
        context.load_cert_chain(*cert)
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    request = urllib.request.Request(ENV["TESTENV_APISERVER"] + path, headers=headers)
    try:
        with urllib.request.urlopen(request, context=context, timeout=10) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


def wait_for(what, predicate, deadline):
    """Polls predicate until it returns a truthy value; fails naming `what` at the deadline."""
    until = time.monotonic() + deadline
    last = None
    while time.monotonic() < until:
        last = predicate()
        if last:
            return last
        time.sleep(0.3)
    raise AssertionError(f"timed out after {deadline}s waiting for {what} (last: {last!r})")


class NamespaceTest(unittest.TestCase):
    """Gives each test a fresh namespace, deleted afterwards."""

    def setUp(self):
        self.ns = f"testenv-{self.__class__.__name__.lower()}-{uuid.uuid4().hex[:6]}"
        kubectl("create", "namespace", self.ns)
        self.addCleanup(kubectl, "delete", "namespace", self.ns, "--wait=false", check=False)


class VersionTest(unittest.TestCase):
    def test_version_reports_the_built_kubernetes(self):
        status, body = api_get("/version")
        self.assertEqual(status, 200)
        self.assertEqual(body["gitVersion"], expected_k8s_version())

    def test_node_is_ready_and_namespaces_exist(self):
        node = kubectl_json("get", "node", "kwok-node-0")
        ready = [c for c in node["status"]["conditions"] if c["type"] == "Ready"]
        self.assertEqual(ready[0]["status"], "True")
        names = {n["metadata"]["name"] for n in kubectl_json("get", "namespaces")["items"]}
        self.assertLessEqual({"default", "mirrord"}, names)


def running_ready_pods(ns, selector):
    pods = kubectl_json("-n", ns, "get", "pods", "-l", selector)["items"]
    return [p for p in pods
            if p["status"].get("phase") == "Running" and not p["metadata"].get("deletionTimestamp")
            and any(c["type"] == "Ready" and c["status"] == "True"
                    for c in p["status"].get("conditions", []))]


class DeploymentTest(NamespaceTest):
    def test_replicas_become_running_and_scale_to_zero_removes_them(self):
        kubectl("-n", self.ns, "create", "deployment", "web", "--image=registry.invalid/web:1",
                "--replicas=2")
        pods = wait_for("2 Running, Ready pods", lambda: (
            len(running_ready_pods(self.ns, "app=web")) == 2
            and running_ready_pods(self.ns, "app=web")), 30)
        self.assertTrue(all(p["spec"]["nodeName"] == "kwok-node-0" for p in pods))
        wait_for("deployment readyReplicas 2", lambda: kubectl_json(
            "-n", self.ns, "get", "deployment", "web")["status"].get("readyReplicas") == 2, 30)

        kubectl("-n", self.ns, "scale", "deployment", "web", "--replicas=0")
        wait_for("no pods left", lambda: not kubectl_json(
            "-n", self.ns, "get", "pods", "-l", "app=web")["items"], 30)


def read_text(path):
    try:
        with open(path) as file:
            return file.read()
    except FileNotFoundError:
        return ""


def process_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie has exited too; only the pod runner could reap it.
    with open(f"/proc/{pid}/stat") as stat:
        return stat.read().rsplit(")", 1)[1].split()[0] != "Z"


class PodRunnerTest(NamespaceTest):
    POD = """
apiVersion: v1
kind: Pod
metadata:
  name: writer
  annotations:
    testenv.mirrord.dev/run: "true"
    testenv.mirrord.dev/workdir: {workdir}
spec:
  containers:
  - name: main
    image: registry.invalid/writer:1
    command: ["sh", "-c"]
    args: ['while true; do echo "$(GREETING) $POD_NAME $POD_NAMESPACE $TOKEN $CFG_MODE $PWD"; sleep 0.2; done >> out.txt']
    env:
    - name: GREETING
      valueFrom: {{configMapKeyRef: {{name: settings, key: greeting}}}}
    - name: POD_NAME
      valueFrom: {{fieldRef: {{fieldPath: metadata.name}}}}
    - name: POD_NAMESPACE
      valueFrom: {{fieldRef: {{fieldPath: metadata.namespace}}}}
    - name: TOKEN
      valueFrom: {{secretKeyRef: {{name: creds, key: token}}}}
    envFrom:
    - configMapRef: {{name: settings}}
      prefix: CFG_
"""

    def test_annotated_pod_runs_locally_and_stops_on_delete(self):
        workdir = tempfile.mkdtemp(prefix="testenv-podrunner-")
        out = os.path.join(workdir, "out.txt")
        kubectl("-n", self.ns, "create", "configmap", "settings",
                "--from-literal=greeting=hello", "--from-literal=MODE=fast")
        kubectl("-n", self.ns, "create", "secret", "generic", "creds", "--from-literal=token=t0k")
        kubectl("-n", self.ns, "apply", "-f", "-", stdin=self.POD.format(workdir=workdir))

        expected = f"hello writer {self.ns} t0k fast {workdir}"
        wait_for("the pod's process to write its env", lambda: expected in read_text(out), 30)
        pid_file = os.path.join(ENV["TESTENV_RUN_DIR"], "pods", f"{self.ns}_writer.pid")
        pid = int(read_text(pid_file))
        self.addCleanup(self.kill_if_alive, pid)
        self.assertTrue(process_alive(pid))

        kubectl("-n", self.ns, "delete", "pod", "writer", "--wait=false")
        wait_for("the process to stop", lambda: not process_alive(pid), 15)
        size = os.path.getsize(out)
        time.sleep(0.6)  # three write periods: a live writer would have grown the file
        self.assertEqual(os.path.getsize(out), size)
        self.assertFalse(os.path.exists(pid_file))

    @staticmethod
    def kill_if_alive(pid):
        if process_alive(pid):
            os.killpg(pid, signal.SIGKILL)


class RbacTest(unittest.TestCase):
    def test_dev_user_is_forbidden_to_list_pods(self):
        # kube-system, not default: the guide's `mirrord operator setup | kubectl apply -f -`
        # (scripts/demo) binds dev in default; nothing binds it in kube-system.
        status, body = api_get("/api/v1/namespaces/kube-system/pods", token="dev-token")
        self.assertEqual(status, 403)
        self.assertIn('User "dev" cannot list resource "pods"', body["message"])
        result = kubectl("get", "pods", "-n", "kube-system",
                         kubeconfig=ENV["TESTENV_KUBECONFIG_DEV"], check=False)
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("Forbidden", result.stderr)

    def test_admin_user_may_list_pods(self):
        status, _ = api_get("/api/v1/namespaces/default/pods", token="admin-token")
        self.assertEqual(status, 200)


class ClientCertTest(unittest.TestCase):
    def test_a_client_cert_signed_by_the_ca_authenticates(self):
        with tempfile.TemporaryDirectory() as tmp:
            key, csr, crt = (os.path.join(tmp, n) for n in ("c.key", "c.csr", "c.crt"))
            subprocess.run(["openssl", "req", "-newkey", "rsa:2048", "-nodes", "-subj",
                            "/O=system:masters/CN=cert-admin", "-keyout", key, "-out", csr],
                           check=True, capture_output=True)
            subprocess.run(["openssl", "x509", "-req", "-in", csr, "-CA", ENV["TESTENV_CA"],
                            "-CAkey", ENV["TESTENV_CA_KEY"], "-CAcreateserial", "-CAserial",
                            os.path.join(tmp, "ca.srl"), "-days", "1", "-out", crt],
                           check=True, capture_output=True)
            status, _ = api_get("/api/v1/namespaces", cert=(crt, key))
            self.assertEqual(status, 200)
            result = subprocess.run(
                ["kubectl", "--server", ENV["TESTENV_APISERVER"], "--certificate-authority",
                 ENV["TESTENV_CA"], "--client-certificate", crt, "--client-key", key,
                 "--kubeconfig", os.devnull, "auth", "whoami", "-o", "json"],
                env={**os.environ, **ENV}, capture_output=True, text=True)
            self.assertEqual(result.returncode, 0, result.stderr)
            self.assertEqual(json.loads(result.stdout)["status"]["userInfo"]["username"],
                             "cert-admin")


class ScriptTest(unittest.TestCase):
    def test_status_reports_every_component_running(self):
        result = subprocess.run([TESTENV, "status"], capture_output=True, text=True)
        self.assertEqual(result.returncode, 0, result.stdout)
        for component in ("etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler",
                          "kwok", "kafka", "pod-runner"):
            self.assertRegex(result.stdout, rf"(?m)^{component} +running +pid \d+$")

    def test_env_exports_what_tests_need(self):
        self.assertEqual(ENV["TESTENV_APISERVER"], "https://127.0.0.1:6443")
        self.assertEqual(ENV["KAFKA_BOOTSTRAP_SERVERS"], "127.0.0.1:19092")
        for name in ("KUBECONFIG", "TESTENV_KUBECONFIG_DEV", "TESTENV_CA", "TESTENV_CA_KEY"):
            self.assertTrue(os.path.isfile(ENV[name]), name)
        kubectl_dir = ENV["PATH"].split(":")[0]
        self.assertTrue(os.access(os.path.join(kubectl_dir, "kubectl"), os.X_OK))

    def test_up_is_idempotent_when_running(self):
        result = subprocess.run([TESTENV, "up"], capture_output=True, text=True, timeout=120)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("kube-apiserver already running", result.stderr)

    def test_nothing_listens_beyond_loopback(self):
        ports = {"2379", "2380", "6443", "10257", "10259", "10247", "19092", "19093"}
        out = subprocess.run(["ss", "-ltnH"], capture_output=True, text=True, check=True).stdout
        for line in out.splitlines():
            local = line.split()[3]
            address, _, port = local.rpartition(":")
            if port in ports:
                self.assertIn(address, ("127.0.0.1", "[::ffff:127.0.0.1]"), line)


if __name__ == "__main__":
    unittest.main()
