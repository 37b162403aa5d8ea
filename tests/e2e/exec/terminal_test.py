#!/usr/bin/env python3
"""After `Ready!` the terminal is the app's: `mirrord exec` on a real terminal (a tmux pane, with
the spinner progress that a user sees) leaves a prompt the app prints without a newline on the
screen, and what the user types reaches the app. This is what a debugger needs:
`mirrord exec ... -- python3 -m pdb app.py` must show `(Pdb) ` and take commands."""

import os
import subprocess
import sys
import tempfile
import time
import unittest
import uuid

import e2e
from e2e import NamespaceTest, minimal_env

# Prints a prompt without a newline, as pdb and shells do, and echoes the line it then reads.
PROMPT_APP = ("import sys\n"
              "sys.stdout.write('(Pdb) ')\n"
              "sys.stdout.flush()\n"
              "line = sys.stdin.readline()\n"
              "print('child got: ' + line.strip())\n")

# A tiny script for the real pdb.
PDB_SCRIPT = "x = 41\nprint('the answer is', x + 1)\n"


def terminal_env():
    """minimal_env() with the default (spinner) progress: the output a user sees on a terminal."""
    env = minimal_env()
    env.pop("MIRRORD_PROGRESS_MODE")
    return env


class Tmux:
    """One detached tmux pane running `command`, on a private server (its own socket), kept on
    screen after the command exits so the test can read its last state and exit status."""

    def __init__(self, test, command, env, width=120, height=40):
        self.socket = f"mirrord-e2e-{uuid.uuid4().hex[:8]}"
        directory = tempfile.mkdtemp(prefix="mirrord-e2e-tmux-")
        test.addCleanup(subprocess.run, ["rm", "-rf", directory])
        conf = os.path.join(directory, "tmux.conf")
        with open(conf, "w") as out:
            # Set before the command starts, so even a command that exits at once stays readable.
            out.write("set -g remain-on-exit on\n")
        # tmux's own #{pane_dead_status} is sometimes still empty long after the pane died, so
        # the command's status goes to a file (written once, by rename, so never read half).
        self.status_file = os.path.join(directory, "status")
        record = 'status=0; "$@" || status=$?; echo $status > "$0.tmp"; mv "$0.tmp" "$0"'
        self.tmux("-f", conf, "new-session", "-d", "-s", "main", "-x", str(width), "-y",
                  str(height), "--", "sh", "-c", record, self.status_file, *command, env=env)
        test.addCleanup(self.tmux, "kill-server", check=False)

    def tmux(self, *args, env=None, check=True):
        result = subprocess.run(["tmux", "-L", self.socket, *args], capture_output=True,
                                text=True, timeout=30, env=env)
        if check and result.returncode != 0:
            raise AssertionError(f"tmux {' '.join(args)} failed: {result.stderr}")
        return result.stdout

    def screen(self):
        """The visible screen, one string per row, trailing blanks removed."""
        return [row.rstrip() for row in self.tmux("capture-pane", "-p", "-t", "main").split("\n")]

    def text(self):
        return "\n".join(row for row in self.screen() if row)

    def last_row(self):
        rows = [row for row in self.screen() if row]
        return rows[-1] if rows else ""

    def cursor(self):
        x, y = self.tmux("display-message", "-p", "-t", "main", "#{cursor_x} #{cursor_y}").split()
        return int(x), int(y)

    def type_line(self, text):
        self.tmux("send-keys", "-t", "main", "-l", text)
        self.tmux("send-keys", "-t", "main", "Enter")

    def exit_status(self):
        """The command's exit status once it exited, else None."""
        try:
            with open(self.status_file) as status:
                return int(status.read())
        except FileNotFoundError:
            return None


class TerminalChecks:
    """The checks, shared by the targetless run and the run against a real target."""

    def mirrord_exec(self, *command):
        # Cleanups run last-in first-out: this check runs after the pane's server is gone.
        self.addCleanup(self.check_cluster_restored)
        return Tmux(self, [e2e.MIRRORD, "exec", *self.target, "--", *command], terminal_env())

    def check_cluster_restored(self):
        pass

    def wait_for_prompt(self, pane):
        e2e.wait_for("Ready!", lambda: "Ready!" in pane.text() or pane.exit_status() is not None,
                     60)
        e2e.wait_for("the prompt as the last row after Ready!",
                     lambda: pane.last_row().endswith("(Pdb)") or pane.exit_status() is not None,
                     10)
        self.assertIsNone(pane.exit_status(), pane.text())

    def assert_prompt_stays(self, pane, seconds=2.0):
        """Absence of our writes: the prompt stays the last row, with the cursor right after it,
        for `seconds` (a bounded wait: the old spinner erased it within 100 ms)."""
        until = time.monotonic() + seconds
        while time.monotonic() < until:
            self.assertTrue(pane.last_row().endswith("(Pdb)"), pane.text())
            time.sleep(0.1)
        rows = pane.screen()
        x, y = pane.cursor()
        self.assertTrue(rows[y].endswith("(Pdb)"), pane.text())
        self.assertEqual(x, len(rows[y]) + 1, "the cursor is not right after the prompt")

    def wait_exit(self, pane, deadline=60):
        return e2e.wait_for("the command to exit", lambda: pane.exit_status() is not None and
                            (pane.exit_status(),), deadline)[0]

    def test_a_prompt_without_newline_stays_and_typed_input_reaches_the_app(self):
        pane = self.mirrord_exec(sys.executable, "-c", PROMPT_APP)
        self.wait_for_prompt(pane)
        self.assert_prompt_stays(pane)
        pane.type_line("hello from the keyboard")
        e2e.wait_for("the app to echo the input",
                     lambda: "child got: hello from the keyboard" in pane.text())
        self.assertEqual(self.wait_exit(pane), 0, pane.text())
        # The prompt and what was typed after it are one row, as without mirrord.
        self.assertIn("(Pdb) hello from the keyboard", pane.text())

    def test_pdb_shows_its_prompt_and_continues_on_c(self):
        script = os.path.join(tempfile.mkdtemp(prefix="mirrord-e2e-pdb-"), "app.py")
        self.addCleanup(subprocess.run, ["rm", "-rf", os.path.dirname(script)])
        with open(script, "w") as out:
            out.write(PDB_SCRIPT)
        pane = self.mirrord_exec(sys.executable, "-m", "pdb", script)
        self.wait_for_prompt(pane)
        self.assertIn("-> x = 41", pane.text())
        self.assert_prompt_stays(pane)
        pane.type_line("c")
        e2e.wait_for("the script to run after `c`", lambda: "the answer is 42" in pane.text())
        # pdb restarts the finished program and prompts again; `q` ends it.
        e2e.wait_for("pdb's prompt after the program finished",
                     lambda: "The program finished" in pane.text()
                     and pane.last_row().endswith("(Pdb)"))
        pane.type_line("q")
        self.assertEqual(self.wait_exit(pane), 0, pane.text())


class TargetlessTerminalTest(TerminalChecks, unittest.TestCase):
    target = []


class TargetTerminalTest(TerminalChecks, NamespaceTest):
    """The same against a deployment of the test cluster (a session, a Lease to renew)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        e2e.kubectl("-n", cls.ns, "create", "deployment", "web", "--image=registry.invalid/w:1")
        cls.wait_ready_pod("app=web")
        cls.target = ["-t", "deployment/web", "-n", cls.ns]

    def check_cluster_restored(self):
        e2e.wait_for("the session to be gone", lambda: not e2e.session_leases(self.ns))


if __name__ == "__main__":
    e2e.main()
