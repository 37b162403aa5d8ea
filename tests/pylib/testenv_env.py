"""What the Python tests share about the test environment (scripts/testenv)."""
import os
import shlex
import subprocess

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def testenv_env():
    """The variables `scripts/testenv env` exports (KUBECONFIG, TESTENV_*, ...), as a dict."""
    out = subprocess.run([os.path.join(ROOT, "scripts", "testenv"), "env"], check=True,
                         capture_output=True, text=True).stdout
    env = {}
    for line in out.splitlines():
        name, _, value = line.removeprefix("export ").partition("=")
        env[name] = shlex.split(value)[0]
    return env
