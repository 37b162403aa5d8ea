#!/usr/bin/env python3
"""The session guardian has its credentials before exec dies (issue 9).

mirrord runs with an exec credential plugin that hands out the dev user's token only while a
`login` file exists, like an SSO session or VPN that ends. Once the guardian runs, the test ends
the "login" and SIGKILLs `mirrord exec`: the guardian, which can no longer run the plugin, must
still restore the deployment, remove the copy pod and Lease and stop the app within 15 s.

A second case uses an `interactiveMode: Always` plugin that works only on a terminal, with exec
on a pty: the guardian (no terminal) can never run it, and undoes the session with the
credential exec handed it, within seconds rather than when the Lease would go stale.

    guardian_credentials_test.py PATH/TO/mirrord
"""

import os
import re
import signal

import harness
from harness import ENV, log, wait_for

RESTORE_DEADLINE = 15.0

PLUGIN = """#!/bin/sh
# Records who ran it ($PPID: exec or the guardian), then fails once the login is over.
echo "$PPID" >>"{runs}"
[ -f "{login}" ] || {{ echo "plugin: not logged in" >&2; exit 1; }}
{terminal_check}
printf '{{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential",'
printf '"status":{{"token":"%s"}}}}\\n' "$(cat "{token}")"
"""

KUBECONFIG = """apiVersion: v1
kind: Config
clusters:
- name: testenv
  cluster: {{server: "{server}", certificate-authority: "{ca}"}}
users:
- name: dev-sso
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1
      command: {plugin}
      interactiveMode: {mode}
contexts:
- name: dev-sso
  context: {{cluster: testenv, user: dev-sso, namespace: default}}
current-context: dev-sso
"""


NEEDS_TERMINAL = '[ -t 0 ] || { echo "plugin: no terminal to ask on" >&2; exit 1; }'


def use_plugin(scenario, mode="Never"):
    """Points the scenario's mirrord at the plugin; returns (login file, runs file). With mode
    Always the plugin works only with a terminal on its stdin."""
    with open(ENV["TESTENV_KUBECONFIG_DEV"]) as dev:
        token = re.search(r"^\s*token:\s*(\S+)", dev.read(), re.M).group(1)
    paths = {name: os.path.join(scenario.workdir, name)
             for name in ("login", "runs", "token", "plugin.sh", "kubeconfig")}
    with open(os.open(paths["token"], os.O_WRONLY | os.O_CREAT, 0o600), "w") as out:
        out.write(token)
    with open(paths["login"], "w") as out:
        out.write("logged in\n")
    with open(paths["plugin.sh"], "w") as out:
        out.write(PLUGIN.format(runs=paths["runs"], login=paths["login"], token=paths["token"],
                                terminal_check=NEEDS_TERMINAL if mode == "Always" else ""))
    os.chmod(paths["plugin.sh"], 0o700)
    with open(paths["kubeconfig"], "w") as out:
        out.write(KUBECONFIG.format(server=ENV["TESTENV_APISERVER"], ca=ENV["TESTENV_CA"],
                                    plugin=paths["plugin.sh"], mode=mode))
    scenario.mirrord_env["KUBECONFIG"] = paths["kubeconfig"]
    return paths["login"], paths["runs"]


def runners(runs):
    try:
        with open(runs) as f:
            return [int(line) for line in f.read().split()]
    except FileNotFoundError:
        return []


def kill_and_expect_restore(scenario, run, child, guardian, login):
    os.remove(login)  # the login ends: from now on the plugin fails
    os.kill(run.pid, signal.SIGKILL)
    run.process.wait()
    log(f"login ended, exec {run.pid} killed; guardian {guardian} must restore")

    def app_running():
        pids = harness.pids_with_argv(child)
        return [f"app still running as {pids}"] if pids else []
    try:
        took = scenario.assert_restored(RESTORE_DEADLINE, app_running)
    except AssertionError:
        log(f"guardian log:\n{run.guardian_output()[-3000:]}")
        raise
    return took


def test_login_ends(mirrord):
    with harness.Scenario(mirrord, "creds") as scenario:
        login, runs = use_plugin(scenario)
        child = scenario.sleeper()
        run = scenario.exec(child, "victim")
        scenario.wait_session_running(run, child)
        guardian = wait_for("guardian process", lambda: harness.guardian_of(run.pid), 5)
        took = kill_and_expect_restore(scenario, run, child, guardian, login)
        log(f"restored {took:.2f} s after the kill; plugin runs by pid: {runners(runs)}")
        assert "not logged in" not in run.guardian_output(), run.guardian_output()


def test_interactive_plugin(mirrord):
    with harness.Scenario(mirrord, "creds-tty") as scenario:
        login, runs = use_plugin(scenario, "Always")
        child = scenario.sleeper()
        run = scenario.exec(child, "victim", terminal=True)
        scenario.wait_session_running(run, child)
        guardian = wait_for("guardian process", lambda: harness.guardian_of(run.pid), 5)
        # Asked once on the terminal: the renewal thread and the guardian use what exec got.
        assert runners(runs) == [run.pid], f"plugin runs by pid: {runners(runs)}, exec {run.pid}"
        took = kill_and_expect_restore(scenario, run, child, guardian, login)
        log(f"restored {took:.2f} s after the kill; plugin runs by pid: {runners(runs)}")
        output = run.guardian_output()
        assert guardian not in runners(runs), f"the guardian ran the plugin:\n{output}"
        assert "interactive terminal" not in output, output


def test(mirrord):
    test_login_ends(mirrord)
    test_interactive_plugin(mirrord)


if __name__ == "__main__":
    harness.main(test)
