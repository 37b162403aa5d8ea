#!/usr/bin/env python3
"""What `mirrord exec` prints: no secret at any verbosity; JSON progress one object per line."""

import json

import e2e
from e2e import SECRET_VALUES, EnvAppTest, minimal_env, mirrord


class OutputTest(EnvAppTest):
    def test_debug_and_trace_logs_contain_no_secret_value_or_token(self):
        for verbosity in ("-vv", "-vvv"):
            with self.subTest(verbosity=verbosity):
                # The child really gets the secret; mirrord's own output never shows it.
                result = mirrord(verbosity, "exec", *self.target, "--", "sh", "-c",
                                 'test "$DB_PASSWORD" = s3cr3t-pa55word',
                                 env=minimal_env(MIRRORD_PROGRESS_MODE="simple"))
                self.assertEqual(result.returncode, 0, result.stderr)
                self.assertIn("GET", result.stderr)  # HTTP requests are logged at -vv
                self.assertIn("Ready!", result.stderr)
                for secret in (*SECRET_VALUES, e2e.ADMIN_TOKEN):
                    self.assertNotIn(secret, result.stdout + result.stderr)

    def test_json_progress_is_one_object_per_line_on_stdout(self):
        env_file = self.tmp_path("child.env")
        result = mirrord("exec", *self.target, "--", "sh", "-c", f'env > "{env_file}"',
                         env=minimal_env(MIRRORD_PROGRESS_MODE="json"))
        self.assertEqual(result.returncode, 0, result.stderr)
        messages = []
        for line in result.stdout.splitlines():
            message = json.loads(line)  # fails the test on a line that is not JSON
            self.assertIn(message.get("type"), ("NewTask", "FinishedTask", "Warning", "Info"),
                          line)
            messages.append(message)
        new = [m for m in messages if m["type"] == "NewTask"]
        finished = [m for m in messages if m["type"] == "FinishedTask"]
        self.assertEqual(new[0], {"type": "NewTask", "name": "mirrord exec", "parent": None})
        # Two roots: the setup up to Ready!, and the restore after the command exits.
        self.assertEqual([m["name"] for m in new if m["parent"] is None],
                         ["mirrord exec", "mirrord exec: ending session"])
        self.assertIn({"type": "FinishedTask", "name": "mirrord exec", "success": True,
                       "message": "Ready!"}, finished)
        # Every task that started finished (in the JSON stream an IDE reads).
        self.assertEqual(sorted(m["name"] for m in new), sorted(m["name"] for m in finished))
        with open(env_file) as child_env:
            self.assertIn("PLAIN=plain-value\n", child_env.read())
        for secret in SECRET_VALUES:
            self.assertNotIn(secret, result.stdout + result.stderr)


if __name__ == "__main__":
    e2e.main()
