"""Shared pieces of the copy_target + scale_down end-to-end and crash tests (issue 6).

Every test deploys the sample app (examples/kafka-debug) into its own namespace with its own
topic and consumer group, runs the built `mirrord` against it on the real test cluster
(scripts/testenv), checks what a user would see (replicas, ledger annotation, copy pod, session
Lease, local and remote consumer output, processes) and removes what it created.

mirrord runs as the `dev` user bound to configs/rbac/role.yaml in the test namespace, as a
developer would; the harness itself (deploy, checks, cleanup) uses the admin kubeconfig.
"""

import fcntl
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import termios
import time
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pylib"))
from cluster import ENV, RUN_ENV, Api, kubectl, wait_for  # noqa: E402,F401 (wait_for re-exported)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
APP_DIR = os.path.join(ROOT, "examples", "kafka-debug")
SCALE_DOWN_ANNOTATION = "mirrord.dev/scale-down"
COPY_OF_LABEL = "mirrord.dev/copy-of"
MANAGED_BY = "app.kubernetes.io/managed-by=mirrord"


def log(message):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def alive(pid):
    """True while process `pid` exists and is not a zombie."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return False


def processes():
    """(pid, argv) of every process we can see."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as cmdline:
                argv = [a.decode(errors="replace") for a in cmdline.read().split(b"\0") if a]
        except OSError:
            continue
        if argv and alive(int(entry)):
            found.append((int(entry), argv))
    return found


def pids_with_argv(argv):
    return [pid for pid, seen in processes() if seen == argv]


def guardian_of(exec_pid):
    """Pid of the `mirrord session-guardian --parent <exec_pid>` process, or None."""
    for pid, argv in processes():
        if "session-guardian" in argv and "--parent" in argv:
            index = argv.index("--parent")
            if index + 1 < len(argv) and argv[index + 1] == str(exec_pid):
                return pid
    return None


def stop_pid(pid):
    """SIGKILLs one process we started (by pid, never by name); gone is fine."""
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def venv_python():
    return subprocess.run([os.path.join(APP_DIR, "venv.sh")], check=True, capture_output=True,
                          text=True).stdout.strip()


def _take_terminal():
    """In the child, after setsid: stdin (a pty) becomes the controlling terminal."""
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


class Exec:
    """One `mirrord exec` started in the background, with its output in files. With
    `terminal`, its stdin is a pty it has as controlling terminal, in the foreground (as when a
    user runs it in a shell); stdout and stderr still go to files."""

    def __init__(self, mirrord, config, command, workdir, env, name, terminal=False):
        self.dir = workdir
        self.out_path = os.path.join(workdir, f"{name}.stdout")
        self.err_path = os.path.join(workdir, f"{name}.stderr")
        self.guardian_log = os.path.join(workdir, f"{name}.guardian.log")
        env = {**env, "MIRRORD_GUARDIAN_LOG": self.guardian_log}
        self.pty_master = None
        stdin = subprocess.DEVNULL
        if terminal:
            self.pty_master, stdin = os.openpty()
        with open(self.out_path, "wb") as out, open(self.err_path, "wb") as err:
            # Its own process group: signals we send reach exec alone, as from `kill <pid>`.
            self.process = subprocess.Popen([mirrord, "exec", "-f", config, "--", *command],
                                            cwd=APP_DIR, env=env, stdin=stdin,
                                            stdout=out, stderr=err, start_new_session=True,
                                            preexec_fn=_take_terminal if terminal else None)
        if terminal:
            os.close(stdin)
        self.pid = self.process.pid
        self.started = time.monotonic()

    def stdout(self):
        with open(self.out_path, errors="replace") as out:
            return out.read()

    def stderr(self):
        with open(self.err_path, errors="replace") as err:
            return err.read()

    def guardian_output(self):
        try:
            with open(self.guardian_log, errors="replace") as guardian:
                return guardian.read()
        except FileNotFoundError:
            return ""

    def session_id(self):
        """The session id from exec's progress output ("session 1a2b3c4d started")."""
        match = re.search(r"session ([0-9a-f]{8}) started", self.stderr())
        return match.group(1) if match else None

    def wait(self, timeout):
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"mirrord exec did not exit within {timeout} s; stderr:\n"
                                 f"{self.stderr()[-3000:]}")

    def describe(self):
        return (f"--- exec stdout ---\n{self.stdout()[-2000:]}\n--- exec stderr ---\n"
                f"{self.stderr()[-3000:]}\n--- guardian log ---\n{self.guardian_output()[-2000:]}")


class Scenario:
    """The sample consumer deployed in a fresh namespace with its own topic and group."""

    def __init__(self, mirrord, name, replicas=1):
        self.mirrord = os.path.abspath(mirrord)
        unique = uuid.uuid4().hex[:6]
        self.ns = f"crash-{name}-{unique}"
        self.topic = f"crash-{name}-{unique}"
        self.group = f"crash-{name}-{unique}-group"
        self.replicas = replicas
        self.api = Api()
        self.python = venv_python()
        self.workdir = tempfile.mkdtemp(prefix=f"mirrord-{name}-")
        self.execs = []
        self.stray_argvs = []  # child commands to stop if a test fails halfway
        self.mirrord_env = dict(RUN_ENV)
        self.pods_dir = os.path.join(ENV["TESTENV_RUN_DIR"], "pods")

    # -- setup and teardown ------------------------------------------------------------------

    def __enter__(self):
        try:
            return self._set_up()
        except BaseException:
            self.__exit__(*sys.exc_info())  # `with` skips __exit__ when __enter__ raises
            raise

    def _set_up(self):
        log(f"namespace {self.ns}, topic {self.topic}, group {self.group}, "
            f"{self.replicas} replica(s); files in {self.workdir}")
        self.api.create("/api/v1/namespaces",
                        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": self.ns}})
        self._bind_dev_user()
        subprocess.run([os.path.join(APP_DIR, "deploy.sh"), "--no-producer", "-n", self.ns,
                        "--topic", self.topic, "--group", self.group,
                        "--replicas", str(self.replicas)],
                       check=True, env=RUN_ENV, stdout=subprocess.DEVNULL)
        self.config = os.path.join(self.workdir, "copy_scaledown.json")
        with open(os.path.join(APP_DIR, ".mirrord", ".copy_scaledown.json")) as source:
            config = json.load(source)
        # The example's shorthand target, with the namespace: {"path": {...}, "namespace": ns}.
        config["target"] = {"path": config["target"], "namespace": self.ns}
        with open(self.config, "w") as out:
            json.dump(config, out, indent=2)
        self.wait_remote_consumers()
        return self

    def _bind_dev_user(self):
        rbac = os.path.join(ROOT, "configs", "rbac")
        files = [os.path.join(rbac, f) for f in ("role.yaml", "rolebinding.yaml")]
        if not all(os.path.exists(f) for f in files):
            log("configs/rbac/ not found: mirrord runs as admin")
            return
        kubectl("-n", self.ns, "apply", *[arg for f in files for arg in ("-f", f)])
        self.mirrord_env["KUBECONFIG"] = ENV["TESTENV_KUBECONFIG_DEV"]

    def __exit__(self, kind, value, traceback):
        if kind is not None:
            for run in self.execs:
                log(f"exec pid {run.pid}:\n{run.describe()}")
        for run in self.execs:
            guardian = guardian_of(run.pid)
            stop_pid(run.pid)
            run.process.wait()
            if run.pty_master is not None:
                os.close(run.pty_master)
            if guardian:
                stop_pid(guardian)
        for argv in self.stray_argvs:
            for pid in pids_with_argv(argv):
                stop_pid(pid)
        try:
            self.api.delete(f"/api/v1/namespaces/{self.ns}")
        except (AssertionError, OSError) as error:  # e.g. an apiserver restart by another test
            log(f"could not delete namespace {self.ns}: {error}")
        subprocess.run([self.python, "-c", DELETE_TOPIC, ENV["KAFKA_BOOTSTRAP_SERVERS"],
                        self.topic], env=RUN_ENV, check=False, capture_output=True)
        if kind is None:  # on failure the exec and guardian output stays for a look
            shutil.rmtree(self.workdir, ignore_errors=True)
        return False

    # -- cluster state -------------------------------------------------------------------------

    def deployment(self):
        return self.api.get(f"/apis/apps/v1/namespaces/{self.ns}/deployments/kafka-consumer")

    def ledger(self, deployment=None):
        deployment = deployment or self.deployment()
        text = deployment["metadata"].get("annotations", {}).get(SCALE_DOWN_ANNOTATION)
        return json.loads(text) if text else None

    def consumer_pods(self):
        return self.api.items(f"/api/v1/namespaces/{self.ns}/pods?labelSelector=app%3Dkafka-consumer")

    def copy_pods(self):
        return self.api.items(f"/api/v1/namespaces/{self.ns}/pods?labelSelector={COPY_OF_LABEL}")

    def leases(self):
        return self.api.items(f"/apis/coordination.k8s.io/v1/namespaces/{self.ns}/leases"
                              f"?labelSelector={MANAGED_BY.replace('=', '%3D')}")

    def pod_log(self, pod_name):
        try:
            with open(os.path.join(self.pods_dir, f"{self.ns}_{pod_name}.log"), errors="replace") as f:
                return f.read()
        except FileNotFoundError:
            return ""

    def pod_pid(self, pod_name):
        try:
            with open(os.path.join(self.pods_dir, f"{self.ns}_{pod_name}.pid")) as f:
                return int(f.read().strip())
        except (FileNotFoundError, ValueError):
            return None

    def all_consumer_logs(self):
        """Every consumer pod log of this namespace, past pods included."""
        text = ""
        for entry in sorted(os.listdir(self.pods_dir)):
            if entry.startswith(f"{self.ns}_kafka-consumer-") and entry.endswith(".log"):
                with open(os.path.join(self.pods_dir, entry), errors="replace") as f:
                    text += f.read()
        return text

    def wait_remote_consumers(self, timeout=60):
        """Waits until `replicas` consumer pods run the app and it subscribed; returns them."""
        def ready():
            pods = [p for p in self.consumer_pods() if not p["metadata"].get("deletionTimestamp")]
            consuming = [p for p in pods
                         if "app: consuming" in self.pod_log(p["metadata"]["name"])
                         and self.pod_pid(p["metadata"]["name"])]
            return (len(pods) == self.replicas and len(consuming) == self.replicas,
                    f"{len(pods)} pods, {len(consuming)} consuming")
        wait_for(f"{self.replicas} remote consumers running", ready, timeout, 0.25)
        return self.consumer_pods()

    def problems(self, expect_replicas=None):
        """What is not (yet) back to normal; empty when the cluster is fully restored."""
        expect_replicas = self.replicas if expect_replicas is None else expect_replicas
        found = []
        deployment = self.deployment()
        replicas = deployment["spec"].get("replicas")
        if replicas != expect_replicas:
            found.append(f"deployment has {replicas} replicas (want {expect_replicas})")
        if self.ledger(deployment):
            found.append(f"ledger annotation still there: {self.ledger(deployment)}")
        copies = [p["metadata"]["name"] for p in self.copy_pods()]
        if copies:
            found.append(f"copy pods {copies}")
        leases = [l["metadata"]["name"] for l in self.leases()]
        if leases:
            found.append(f"session leases {leases}")
        return found

    def assert_restored(self, timeout, extra=None):
        """Waits until problems() (and extra(), a list of problems) are empty; returns seconds."""
        start = time.monotonic()
        wait_for("cluster restored",
                 lambda: (lambda p: (not p, p))(self.problems() + (extra() if extra else [])),
                 timeout, 0.05)
        return time.monotonic() - start

    # -- running things --------------------------------------------------------------------------

    def exec(self, command, name, terminal=False):
        run = Exec(self.mirrord, self.config, command, self.workdir, self.mirrord_env, name,
                   terminal)
        self.execs.append(run)
        return run

    def mirrord_cmd(self, *args, timeout=60):
        return subprocess.run([self.mirrord, *args], env=self.mirrord_env, capture_output=True,
                              text=True, timeout=timeout, cwd=APP_DIR)

    def produce(self, count, source, prefix):
        """Sends `count` messages <prefix>-0.. with header source=<source>; returns the values."""
        subprocess.run([self.python, "producer.py", "--count", str(count), "--source", source,
                        "--prefix", prefix], cwd=APP_DIR, check=True, capture_output=True,
                       env={**RUN_ENV, "KAFKA_TOPIC": self.topic})
        return [f"{prefix}-{i}" for i in range(count)]

    def sleeper(self):
        """A child command we can find by its exact argv: `sleep 60.<random digits>`."""
        argv = ["sleep", f"60.{random.randrange(10**8):08d}"]
        self.stray_argvs.append(argv)
        return argv

    def wait_session_running(self, run, child_argv, timeout=90):
        """Waits until exec is Ready with `child_argv` running and the deployment at 0."""
        def ready():
            if run.process.poll() is not None:
                raise AssertionError(f"mirrord exec exited early ({run.process.returncode}):\n"
                                     f"{run.describe()}")
            deployment = self.deployment()
            state = (f"replicas {deployment['spec'].get('replicas')}, "
                     f"{len(self.consumer_pods())} original pods, "
                     f"child running: {bool(pids_with_argv(child_argv))}")
            return (deployment["spec"].get("replicas") == 0 and not self.consumer_pods()
                    and bool(pids_with_argv(child_argv))), state
        wait_for("session running", ready, timeout, 0.2)


DELETE_TOPIC = """
import sys
from confluent_kafka.admin import AdminClient
admin = AdminClient({"bootstrap.servers": sys.argv[1]})
for future in admin.delete_topics([sys.argv[2]]).values():
    future.result()
"""


def received_values(stdout):
    """The values of the app's `received ... value=V headers=...` lines, in order."""
    return re.findall(r"^received \S+ key=\S* value=(\S+) headers=", stdout, re.M)


def main(test):
    """Runs test(mirrord_path) and exits 0 on success, 1 with the assertion on failure."""
    if len(sys.argv) != 2:
        sys.exit(f"usage: {sys.argv[0]} PATH/TO/mirrord")
    try:
        test(sys.argv[1])
    except AssertionError as error:
        log(f"FAIL: {error}")
        sys.exit(1)
    log("PASS")
