#!/usr/bin/env python3
"""`mirrord exec` runs the command as a child: its exit status becomes mirrord's, signals sent to
mirrord (or typed as Ctrl+C) reach it exactly once, and the session is gone afterwards."""

import os
import pty
import select
import signal
import subprocess
import sys
import time

import e2e
from e2e import SIGNAL_APP, NamespaceTest, minimal_env, mirrord, session_leases, wait_for


def read_lines(path):
    try:
        with open(path) as record:
            return record.read().splitlines()
    except FileNotFoundError:
        return []


class ProcessTest(NamespaceTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        kubectl_args = ("-n", cls.ns, "create", "deployment", "web", "--image=registry.invalid/w:1")
        e2e.kubectl(*kubectl_args)
        cls.wait_ready_pod("app=web")
        cls.target = ["-t", "deployment/web", "-n", cls.ns]

    def test_exit_status_is_the_commands(self):
        for script, expected in (("exit 0", 0), ("exit 7", 7), ("kill -TERM $$", 128 + 15)):
            with self.subTest(script=script):
                result = mirrord("exec", *self.target, "--", "sh", "-c", script)
                self.assertEqual(result.returncode, expected, result.stderr)
                self.assert_no_session_left()

    def test_command_not_found_is_an_error(self):
        result = mirrord("exec", *self.target, "--", "no-such-command-e2e")
        self.assertEqual(result.returncode, 1, result.stderr)
        self.assertIn("no-such-command-e2e", result.stderr)
        self.assertIn("command not found", result.stderr)
        self.assert_no_session_left()

    def start_signal_app(self, record):
        """mirrord exec running signal_app.py, in its own session so that only the signals this
        test sends reach it; waits until the app has installed its handlers."""
        process = subprocess.Popen(
            [e2e.MIRRORD, "exec", *self.target, "--", sys.executable, SIGNAL_APP, record],
            env=minimal_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
            start_new_session=True)
        self.addCleanup(lambda: process.poll() is None and process.kill())
        wait_for("signal_app to be ready", lambda: any(
            line.startswith("ready") for line in read_lines(record)) or process.poll() is not None)
        self.assertIsNone(process.poll(), "mirrord exited before the app was ready")
        return process

    def test_sigint_and_sigterm_reach_the_app_once(self):
        for signo in (signal.SIGINT, signal.SIGTERM):
            with self.subTest(signal=signo.name):
                record = self.tmp_path("signals.txt")
                process = self.start_signal_app(record)
                self.assertEqual(len(session_leases(self.ns)), 1)
                os.kill(process.pid, signo)
                _, stderr = process.communicate(timeout=30)
                self.assertEqual(process.returncode, 0, stderr)
                lines = read_lines(record)
                self.assertEqual(lines[1:], [signo.name, "exit"])
                self.assert_no_session_left()

    def test_ctrl_c_in_a_terminal_reaches_the_app_once(self):
        record = self.tmp_path("signals.txt")
        pid, master = pty.fork()
        if pid == 0:  # the child: mirrord with the pty as its controlling terminal
            try:
                os.execve(e2e.MIRRORD, [e2e.MIRRORD, "exec", *self.target, "--", sys.executable,
                                        SIGNAL_APP, record], minimal_env())
            finally:
                os._exit(127)
        output = bytearray()

        def drain(timeout=0.1):
            while select.select([master], [], [], timeout)[0]:
                try:
                    chunk = os.read(master, 4096)
                except OSError:  # EIO: the terminal's last user exited
                    return False
                if not chunk:
                    return False
                output.extend(chunk)
            return True

        try:
            wait_for("signal_app to be ready", lambda: (drain(), any(
                line.startswith("ready") for line in read_lines(record)))[1])
            os.write(master, b"\x03")  # the terminal sends SIGINT to the foreground group
            deadline = time.monotonic() + 30
            status = None
            while status is None and time.monotonic() < deadline:
                drain()
                done, raw = os.waitpid(pid, os.WNOHANG)
                status = raw if done else None
        finally:
            os.close(master)
            if status is None:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
        self.assertIsNotNone(status, "mirrord did not exit after Ctrl+C")
        self.assertEqual(os.waitstatus_to_exitcode(status), 0, output.decode(errors="replace"))
        self.assertEqual(read_lines(record)[1:], ["SIGINT", "exit"])
        self.assert_no_session_left()

    def test_nested_exec_is_refused(self):
        result = mirrord("exec", *self.target, "--", e2e.MIRRORD, "exec", *self.target, "--",
                         "true")
        self.assertEqual(result.returncode, 1, result.stderr)
        self.assertIn("nested mirrord exec is not supported", result.stderr)
        self.assert_no_session_left()

    def test_nested_guard_also_honours_mirrords_own_marker(self):
        result = mirrord("exec", *self.target, "--", "true",
                         env=minimal_env(MIRRORD_RESOLVED_CONFIG="e30="))
        self.assertEqual(result.returncode, 1, result.stderr)
        self.assertIn("nested", result.stderr)


if __name__ == "__main__":
    e2e.main()
