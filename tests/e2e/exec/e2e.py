"""Shared helpers of the `mirrord exec` / `mirrord env` end-to-end tests.

Every test file is run by ctest as `python3 <file> <path to mirrord> [unittest args]` against the
real cluster of scripts/testenv (tests/e2e/tests.cmake). Each test class works in its own
namespace (unique name), polls with deadlines, and deletes the namespace at the end.
"""

import os
import subprocess
import sys
import tempfile
import unittest
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "pylib"))
from cluster import ENV, kubectl, kubectl_json, wait_for  # noqa: E402,F401 (re-exported)

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
SIGNAL_APP = os.path.join(ROOT, "tests", "tools", "exec_apps", "signal_app.py")
MIRRORD = None  # set by main()

# The admin user's bearer token (testenv/README.md): it must never reach mirrord's output.
ADMIN_TOKEN = "admin-token"


def minimal_env(**extra):
    """A small local environment for mirrord (as with `env -i`): the remote variables are then
    easy to tell apart from the local overlay."""
    env = {"PATH": "/usr/bin:/bin", "HOME": tempfile.gettempdir(), "KUBECONFIG": ENV["KUBECONFIG"],
           "MIRRORD_PROGRESS_MODE": "off"}
    env.update(extra)
    return env


def mirrord(*args, env=None, timeout=60, stdin=None):
    """Runs the mirrord binary under test; returns the CompletedProcess (text mode)."""
    return subprocess.run([MIRRORD, *args], env=env if env is not None else minimal_env(),
                          input=stdin, capture_output=True, text=True, timeout=timeout)


def parse_env0(text):
    """`env -0` output as a dict."""
    out = {}
    for entry in text.split("\0"):
        if entry:
            name, _, value = entry.partition("=")
            out[name] = value
    return out


def running_ready_pods(ns, selector):
    pods = kubectl_json("-n", ns, "get", "pods", "-l", selector)["items"]
    return [p for p in pods
            if p["status"].get("phase") == "Running" and not p["metadata"].get("deletionTimestamp")
            and p["status"].get("podIP")
            and any(c["type"] == "Ready" and c["status"] == "True"
                    for c in p["status"].get("conditions", []))]


def session_leases(ns):
    """Names of the mirrord session Leases in `ns`."""
    items = kubectl_json("-n", ns, "get", "leases", "-l",
                         "app.kubernetes.io/managed-by=mirrord")["items"]
    return [i["metadata"]["name"] for i in items if i["metadata"]["name"].startswith("mirrord-session-")]


class NamespaceTest(unittest.TestCase):
    """A fresh namespace per test class (setUpClass creates objects in cls.ns)."""

    @classmethod
    def setUpClass(cls):
        cls.ns = f"e2e-{cls.__name__.lower()[:20]}-{uuid.uuid4().hex[:6]}"
        kubectl("create", "namespace", cls.ns)
        cls.addClassCleanup(kubectl, "delete", "namespace", cls.ns, "--wait=false", check=False)

    @classmethod
    def apply(cls, manifest):
        kubectl("-n", cls.ns, "apply", "-f", "-", stdin=manifest)

    @classmethod
    def wait_ready_pod(cls, selector, timeout=60):
        return wait_for(f"a Running, Ready pod {selector} in {cls.ns}",
                        lambda: (running_ready_pods(cls.ns, selector) or [None])[0], timeout)

    def assert_no_session_left(self):
        self.assertEqual(session_leases(self.ns), [], "a session Lease was left in the cluster")

    def tmp_path(self, name):
        directory = tempfile.mkdtemp(prefix="mirrord-e2e-")
        self.addCleanup(subprocess.run, ["rm", "-rf", directory])
        return os.path.join(directory, name)


def main():
    """`python3 <test file> <mirrord binary> [unittest args...]`."""
    global MIRRORD
    if len(sys.argv) < 2 or not os.access(sys.argv[1], os.X_OK):
        sys.exit(f"usage: {sys.argv[0]} PATH_TO_MIRRORD [unittest args]")
    MIRRORD = os.path.abspath(sys.argv.pop(1))
    unittest.main()


SECRET_VALUES = ("s3cr3t-pa55word", "key-abcdef-0123")


class EnvAppTest(NamespaceTest):
    """A namespace holding env_app.yaml's Deployment `envapp`, with its pod Running and Ready."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        with open(os.path.join(HERE, "env_app.yaml")) as manifest:
            cls.apply(manifest.read())
        cls.pod = cls.wait_ready_pod("app=envapp")
        cls.target = ["-t", "deployment/envapp", "-n", cls.ns]

    @classmethod
    def expected_remote(cls):
        """What the kubelet gives container `app` of env_app.yaml, minus PATH and HOME (never
        imported), read against the live pod."""
        pod = cls.pod
        return {
            "CFG_LOG_LEVEL": "debug", "CFG_REGION": "eu-west-1", "CFG_MULTI": "line one\nline two",
            "CFG_1ST": "valid once prefixed",
            "SEC_DB_PASSWORD": "s3cr3t-pa55word", "SEC_API_KEY": "key-abcdef-0123",
            "PLAIN": "plain-value", "GREETING": "hello world",
            "QUOTE": "it's $HOME and \"quoted\" \\ too",
            "DB_PASSWORD": "s3cr3t-pa55word",
            "POD_NAME": pod["metadata"]["name"], "POD_NAMESPACE": cls.ns,
            "POD_UID": pod["metadata"]["uid"], "LABEL_TIER": "backend",
            "ANNOTATION_TEAM": "payments", "NODE_NAME": pod["spec"]["nodeName"],
            "SERVICE_ACCOUNT": "app-sa", "HOST_IP": pod["status"]["hostIP"],
            "POD_IP": pod["status"]["podIP"],
            "POD_IPS": ",".join(ip["ip"] for ip in pod["status"]["podIPs"]),
            "CPU_LIMIT_MILLIS": "500", "MEMORY_LIMIT_MI": "256", "CPU_REQUEST": "1",
            "BASE": "base", "CHAIN_ONE": "base-one",
            "CHAIN_TWO": "base-one-two:" + pod["metadata"]["name"],
            "ESCAPED": "$(BASE)", "UNRESOLVED": "$(NOT_DEFINED_ANYWHERE)-x",
            "FORWARD_REF": "$(DEFINED_LATER)", "DEFINED_LATER": "later",
            "FROM_ENVFROM": "eu-west-1",
            "SECRET_URL": "postgres://app:s3cr3t-pa55word@db:5432/app",
        }

    # Variables whose value comes from a Secret (directly or through $(VAR)).
    SECRET_NAMES = ("SEC_DB_PASSWORD", "SEC_API_KEY", "DB_PASSWORD", "SECRET_URL")

    def exec_env(self, *args, env=None):
        """Runs `mirrord exec <args> -- env -0`; returns (child env dict, CompletedProcess)."""
        result = mirrord("exec", *args, "--", "env", "-0", env=env)
        self.assertEqual(result.returncode, 0, result.stderr)
        return parse_env0(result.stdout), result
