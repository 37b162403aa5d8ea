#!/usr/bin/env python3
"""`mirrord env`: prints the variables exec would set (remote env + feature.env, no local
overlay) as sh, dotenv or JSON; secret values redacted unless --show-secrets; read-only."""

import json
import subprocess

import e2e
from e2e import SECRET_VALUES, EnvAppTest, minimal_env, mirrord, session_leases


class EnvCommandTest(EnvAppTest):
    def env_output(self, *args, env=None):
        result = mirrord("env", *self.target, *args, env=env)
        self.assertEqual(result.returncode, 0, result.stderr)
        return result

    def test_json_is_the_remote_environment_with_secrets_redacted(self):
        result = self.env_output("--format", "json")
        expected = self.expected_remote()
        for name in self.SECRET_NAMES:
            expected[name] = "********"
        self.assertEqual(json.loads(result.stdout), expected)
        for secret in SECRET_VALUES:
            self.assertNotIn(secret, result.stdout + result.stderr)

    def test_show_secrets_prints_them_and_matches_what_exec_gives(self):
        result = self.env_output("--format", "json", "--show-secrets")
        printed = json.loads(result.stdout)
        self.assertEqual(printed, self.expected_remote())
        child, _ = self.exec_env(*self.target)
        self.assertEqual({k: child[k] for k in printed}, printed)

    def test_sh_format_evaluates_to_the_same_values(self):
        script = self.env_output("--show-secrets").stdout  # sh is the default format
        self.assertIn("export QUOTE='it'\\''s $HOME and \"quoted\" \\ too'\n", script)
        evaluated = subprocess.run(["sh", "-c", 'eval "$1" && env -0', "sh", script],
                                   env={"PATH": "/usr/bin:/bin"}, capture_output=True, text=True)
        self.assertEqual(evaluated.returncode, 0, evaluated.stderr)
        child = e2e.parse_env0(evaluated.stdout)
        for name, value in self.expected_remote().items():
            self.assertEqual(child.get(name), value, name)

    def test_sh_format_redacts_secrets_by_default(self):
        script = self.env_output().stdout
        self.assertIn("export DB_PASSWORD='********'\n", script)
        self.assertIn("export SECRET_URL='********'\n", script)
        for secret in SECRET_VALUES:
            self.assertNotIn(secret, script)

    def test_dotenv_format_reads_back_through_env_file(self):
        dotenv = self.env_output("--format", "dotenv", "--show-secrets").stdout
        self.assertIn('GREETING="hello world"\n', dotenv)
        path = self.tmp_path("printed.env")
        with open(path, "w") as out:
            out.write(dotenv)
        # No target: the env file alone makes up the environment.
        round_trip = mirrord("env", "--env-file", path, "--format", "json")
        self.assertEqual(round_trip.returncode, 0, round_trip.stderr)
        self.assertEqual(json.loads(round_trip.stdout), self.expected_remote())

    def test_feature_env_applies_and_unset_names_are_unset_in_sh(self):
        config = self.tmp_path("mirrord.json")
        with open(config, "w") as out:
            json.dump({"target": f"deployment/envapp", "feature": {"env": {
                "include": "PLAIN;GREETING;DB_PASSWORD", "override": {"DB_PASSWORD": "local-pw"},
                "unset": "greeting;OTHER"}}}, out)
        printed = json.loads(self.env_output("-f", config, "--format", "json").stdout)
        # An overridden secret is no longer secret; an unset name is not printed.
        self.assertEqual(printed, {"PLAIN": "plain-value", "DB_PASSWORD": "local-pw"})
        script = self.env_output("-f", config).stdout
        self.assertEqual(script, "export DB_PASSWORD='local-pw'\nexport PLAIN='plain-value'\n"
                                 "unset greeting\nunset OTHER\n")

    def test_env_is_read_only(self):
        config = self.tmp_path("copy.json")
        with open(config, "w") as out:
            json.dump({"feature": {"copy_target": {"scale_down": True}}}, out)
        before = e2e.kubectl_json("-n", self.ns, "get", "pods")["items"]
        result = self.env_output("-f", config, "--format", "json")
        self.assertIn("copy_target", result.stderr)  # the warning: resolved against the target
        self.assertEqual(json.loads(result.stdout)["POD_NAME"], self.pod["metadata"]["name"])
        self.assertEqual(session_leases(self.ns), [])
        after = e2e.kubectl_json("-n", self.ns, "get", "pods")["items"]
        self.assertEqual([p["metadata"]["name"] for p in after],
                         [p["metadata"]["name"] for p in before])
        deployment = e2e.kubectl_json("-n", self.ns, "get", "deployment", "envapp")
        self.assertEqual(deployment["spec"]["replicas"], 1)

    def test_highest_verbosity_leaks_no_secret(self):
        result = mirrord("-vvv", "env", *self.target, "--format", "json")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("GET", result.stderr)  # the HTTP requests are logged at this level
        for secret in (*SECRET_VALUES, e2e.ADMIN_TOKEN):
            self.assertNotIn(secret, result.stdout + result.stderr)

    def test_unknown_format_is_a_usage_error(self):
        result = mirrord("env", *self.target, "--format", "yaml")
        self.assertEqual(result.returncode, 2, result.stderr)


if __name__ == "__main__":
    e2e.main()
