#!/usr/bin/env python3
"""`mirrord exec -- env`: the local command gets the target container's environment, resolved as
the kubelet does, then filtered and changed by feature.env (config file and flags)."""

import json
import os

import e2e
from e2e import EnvAppTest, NamespaceTest, minimal_env, mirrord, session_leases

# What mirrord's child gets besides the remote variables, with minimal_env() as the local env.
LOCAL = {"PATH": "/usr/bin:/bin", "HOME": minimal_env()["HOME"],
         "KUBECONFIG": e2e.ENV["KUBECONFIG"]}


class ResolveTest(EnvAppTest):
    def test_exec_gives_exactly_the_containers_environment_over_the_local_one(self):
        child, _ = self.exec_env(*self.target)
        session = child.pop("MIRRORD_EXEC_SESSION", "")
        self.assertRegex(session, r"^[0-9a-f]{8}$")
        self.assertEqual(child, {**LOCAL, **self.expected_remote()})
        self.assert_no_session_left()

    def test_a_remote_variable_wins_over_a_local_one(self):
        child, _ = self.exec_env(*self.target, env=minimal_env(PLAIN="local", ONLY_LOCAL="kept"))
        self.assertEqual(child["PLAIN"], "plain-value")
        self.assertEqual(child["ONLY_LOCAL"], "kept")

    def test_progress_mode_of_mirrord_is_not_inherited_by_the_child(self):
        child, _ = self.exec_env(*self.target, env=minimal_env(MIRRORD_PROGRESS_MODE="simple"))
        self.assertNotIn("MIRRORD_PROGRESS_MODE", child)


class FeatureEnvTest(EnvAppTest):
    def write_config(self, env_section):
        path = self.tmp_path("mirrord.json")
        with open(path, "w") as config:
            json.dump({"target": {"path": "deployment/envapp", "namespace": self.ns},
                       "feature": {"env": env_section}}, config)
        return path

    def write_env_file(self, text):
        path = self.tmp_path("extra.env")
        with open(path, "w") as env_file:
            env_file.write(text)
        return path

    def remote_part(self, child):
        """The child's variables that did not come from the local environment."""
        return {k: v for k, v in child.items()
                if k not in LOCAL and k not in ("MIRRORD_EXEC_SESSION", "LOCAL_ONLY")}

    def test_config_include_env_file_override_and_unset(self):
        env_file = self.write_env_file("FROM_FILE=file-value\nCFG_LOG_LEVEL='from file'\n")
        config = self.write_config({
            "include": "CFG_*;PLAIN;GREETING;DB_PASSWORD",
            "env_file": env_file,
            "override": {"PLAIN": "overridden", "NEW_VAR": "new"},
            "unset": ["GREETING", "local_only"],
            "mapping": {"^DB_": "mapped"},
        })
        child, _ = self.exec_env("-f", config, env=minimal_env(LOCAL_ONLY="x"))
        self.assertEqual(self.remote_part(child), {
            "CFG_LOG_LEVEL": "from file", "CFG_REGION": "eu-west-1",
            "CFG_MULTI": "line one\nline two", "CFG_1ST": "valid once prefixed",
            "PLAIN": "overridden", "NEW_VAR": "new",
            "FROM_FILE": "file-value", "DB_PASSWORD": "mapped"})
        # unset is case-insensitive and removes local variables too.
        self.assertNotIn("LOCAL_ONLY", child)

    def test_config_exclude(self):
        config = self.write_config({"exclude": ["SEC_*", "POD_*;DB_PASSWORD", "CHAIN_T??"]})
        child, _ = self.exec_env("-f", config)
        expected = {k: v for k, v in self.expected_remote().items()
                    if not (k.startswith(("SEC_", "POD_")) or k in ("DB_PASSWORD", "CHAIN_TWO"))}
        self.assertEqual(self.remote_part(child), expected)
        self.assertIn("CHAIN_ONE", child)  # `?` matches exactly one character

    def test_env_false_fetches_nothing(self):
        config = self.write_config(False)
        child, result = self.exec_env("-f", config, env=minimal_env(MIRRORD_PROGRESS_MODE="simple"))
        self.assertEqual(self.remote_part(child), {})
        self.assertIn("env: no remote environment variables will be fetched", result.stderr)

    def test_flags_include_exclude_and_env_file(self):
        child, _ = self.exec_env(*self.target, "-s", "PLAIN;CHAIN_*")
        self.assertEqual(self.remote_part(child), {"PLAIN": "plain-value",
                                                   "CHAIN_ONE": "base-one",
                                                   "CHAIN_TWO": self.expected_remote()["CHAIN_TWO"]})

        child, _ = self.exec_env(*self.target, "-x", "CFG_*;SEC_*")
        self.assertFalse([k for k in child if k.startswith(("CFG_", "SEC_"))])
        self.assertEqual(child["PLAIN"], "plain-value")

        env_file = self.write_env_file('export PLAIN="from flag file"\nFLAG_FILE=1\n')
        child, _ = self.exec_env(*self.target, "--env-file", env_file)
        self.assertEqual(child["PLAIN"], "from flag file")
        self.assertEqual(child["FLAG_FILE"], "1")
        self.assertEqual(child["GREETING"], "hello world")

    def test_flag_beats_config_file(self):
        config = self.write_config({"include": "GREETING"})
        child, _ = self.exec_env("-f", config, "-s", "PLAIN")
        self.assertEqual(self.remote_part(child), {"PLAIN": "plain-value"})

    def test_include_flag_with_exclude_in_config_is_an_error_before_the_cluster_is_touched(self):
        config = self.write_config({"exclude": "SEC_*"})
        result = mirrord("exec", "-f", config, "-s", "PLAIN", "--", "true")
        self.assertEqual(result.returncode, 1, result.stderr)
        self.assertIn("cannot use both `include` and `exclude`", result.stderr)
        self.assertEqual(session_leases(self.ns), [])

    def test_unreadable_env_file_is_an_error(self):
        missing = os.path.join(os.path.dirname(self.tmp_path("x")), "nope.env")
        result = mirrord("exec", *self.target, "--env-file", missing, "--", "true")
        self.assertEqual(result.returncode, 1, result.stderr)
        self.assertIn("nope.env", result.stderr)
        self.assertIn("mirrord: error:", result.stderr)
        self.assert_no_session_left()


class MissingSecretTest(NamespaceTest):
    MANIFEST = """
apiVersion: apps/v1
kind: Deployment
metadata: {name: needs-secret}
spec:
  replicas: 1
  selector: {matchLabels: {app: needs-secret}}
  template:
    metadata: {labels: {app: needs-secret}}
    spec:
      containers:
      - name: app
        image: registry.invalid/app:1
        env:
        - {name: PLAIN, value: x}
        - name: KAFKA_PASSWORD
          valueFrom: {secretKeyRef: {name: kafka-creds, key: password}}
"""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.apply(cls.MANIFEST)
        cls.wait_ready_pod("app=needs-secret")

    def test_missing_secret_names_secret_and_variable_and_leaves_nothing(self):
        marker = self.tmp_path("ran")
        result = mirrord("exec", "-t", "deployment/needs-secret", "-n", self.ns, "--",
                         "touch", marker)
        self.assertEqual(result.returncode, 1, result.stderr)
        self.assertIn("mirrord: error:", result.stderr)
        self.assertIn("KAFKA_PASSWORD", result.stderr)
        self.assertIn('secret "kafka-creds" not found', result.stderr)
        self.assertFalse(os.path.exists(marker), "the command ran despite the error")
        self.assert_no_session_left()
        deployment = e2e.kubectl_json("-n", self.ns, "get", "deployment", "needs-secret")
        self.assertEqual(deployment["spec"]["replicas"], 1)

    def test_mirrord_env_reports_the_same_error(self):
        result = mirrord("env", "-t", "deployment/needs-secret", "-n", self.ns)
        self.assertEqual(result.returncode, 1, result.stderr)
        self.assertIn("KAFKA_PASSWORD", result.stderr)
        self.assertIn('secret "kafka-creds" not found', result.stderr)
        self.assertEqual(result.stdout, "")


if __name__ == "__main__":
    e2e.main()
