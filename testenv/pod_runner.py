#!/usr/bin/env python3
"""The test environment's pod runner: a stand-in kubelet for pods that opt in.

kwok marks pods Running but runs nothing. For each Running pod annotated
`testenv.mirrord.dev/run: "true"`, this runs the first container's command and args as a local
process, with the pod's resolved environment, and stops it (SIGTERM to its process group, SIGKILL
after the grace period) once the pod is gone, is being deleted, or is no longer Running.

Standard library only. Polls the pod list across namespaces every POLL_SECONDS, so it needs no
watch bookkeeping and rides out apiserver restarts: while the API is unreachable nothing is
started or stopped. Annotations and files: testenv/README.md.
"""

import argparse
import base64
import json
import os
import re
import signal
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request

RUN_ANNOTATION = "testenv.mirrord.dev/run"
WORKDIR_ANNOTATION = "testenv.mirrord.dev/workdir"
# JSON object of env values the local process gets instead of the container's: a real pod
# resolves kafka-bootstrap.default.svc through cluster DNS, a local process cannot.
LOCAL_ENV_ANNOTATION = "testenv.mirrord.dev/local-env"
POLL_SECONDS = 0.5
MAX_GRACE_SECONDS = 10


def log(message):
    print(f"{time.strftime('%H:%M:%S')} pod-runner: {message}", flush=True)


class ApiError(Exception):
    def __init__(self, status, message):
        super().__init__(message)
        self.status = status


class Api:
    """GETs JSON from the apiserver with a bearer token."""

    def __init__(self, server, ca_file, token):
        self.server = server.rstrip("/")
        self.context = ssl.create_default_context(cafile=ca_file)
        self.token = token

    def get(self, path):
        request = urllib.request.Request(
            self.server + path, headers={"Authorization": f"Bearer {self.token}"})
        try:
            with urllib.request.urlopen(request, context=self.context, timeout=5) as response:
                return json.load(response)
        except urllib.error.HTTPError as error:
            raise ApiError(error.code, f"GET {path}: {error.code} {error.reason}") from None
        except (urllib.error.URLError, OSError) as error:
            raise ApiError(0, f"GET {path}: {error}") from None


# ---- environment resolution (the subset of the kubelet's rules tests need)

def field_value(pod, path):
    """Value of a fieldRef.fieldPath such as metadata.name or metadata.labels['app']."""
    match = re.fullmatch(r"metadata\.(labels|annotations)\['([^']*)'\]", path)
    if match:
        return pod["metadata"].get(match.group(1), {}).get(match.group(2), "")
    simple = {
        "metadata.name": pod["metadata"]["name"],
        "metadata.namespace": pod["metadata"]["namespace"],
        "metadata.uid": pod["metadata"].get("uid", ""),
        "spec.nodeName": pod["spec"].get("nodeName", ""),
        "spec.serviceAccountName": pod["spec"].get("serviceAccountName", ""),
        "status.podIP": pod.get("status", {}).get("podIP", ""),
        "status.hostIP": pod.get("status", {}).get("hostIP", ""),
    }
    if path not in simple:
        raise ValueError(f"unsupported fieldRef {path}")
    return simple[path]


class SourceCache:
    """ConfigMaps and Secrets of one namespace, read at most once per pod start."""

    def __init__(self, api, namespace):
        self.api, self.namespace, self.cache = api, namespace, {}

    def data(self, kind, name, optional):
        """kind is configmaps or secrets; returns decoded data, or None if optional and missing."""
        key = (kind, name)
        if key not in self.cache:
            try:
                obj = self.api.get(f"/api/v1/namespaces/{self.namespace}/{kind}/{name}")
            except ApiError as error:
                if error.status == 404 and optional:
                    return None
                raise
            data = dict(obj.get("data") or {})
            if kind == "secrets":
                data = {k: base64.b64decode(v).decode() for k, v in data.items()}
            else:
                data.update({k: base64.b64decode(v).decode()
                             for k, v in (obj.get("binaryData") or {}).items()})
            self.cache[key] = data
        return self.cache[key]


def expand(text, env):
    """Kubernetes $(VAR) expansion: defined names are replaced, $$ is a literal $."""
    def replace(match):
        if match.group(0) == "$$":
            return "$"
        return env.get(match.group(1), match.group(0))
    return re.sub(r"\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)", replace, text)


def key_ref_value(sources, kind, ref):
    data = sources.data(kind, ref["name"], ref.get("optional", False))
    if data is None or ref["key"] not in data:
        if ref.get("optional", False):
            return None
        raise ValueError(f"{kind[:-1]} {ref['name']} has no key {ref['key']}")
    return data[ref["key"]]


def resolve_env(api, pod, container):
    """The container's environment: envFrom first, then env entries (which win)."""
    sources = SourceCache(api, pod["metadata"]["namespace"])
    env = {}
    for item in container.get("envFrom") or []:
        prefix = item.get("prefix", "")
        for kind, ref_name in (("configmaps", "configMapRef"), ("secrets", "secretRef")):
            if ref_name in item:
                ref = item[ref_name]
                data = sources.data(kind, ref["name"], ref.get("optional", False)) or {}
                env.update({prefix + k: v for k, v in data.items()})
    for item in container.get("env") or []:
        name, source = item["name"], item.get("valueFrom")
        if source is None:
            env[name] = expand(item.get("value", ""), env)
        elif "fieldRef" in source:
            env[name] = field_value(pod, source["fieldRef"]["fieldPath"])
        elif "configMapKeyRef" in source or "secretKeyRef" in source:
            kind = "configmaps" if "configMapKeyRef" in source else "secrets"
            value = key_ref_value(sources, kind, source.get("configMapKeyRef")
                                  or source["secretKeyRef"])
            if value is not None:
                env[name] = value
        else:
            raise ValueError(f"env {name}: unsupported valueFrom {sorted(source)}")
    return env


# ---- local processes

class LocalProcess:
    """One pod's process, its log file and its pid file under the pods folder."""

    def __init__(self, pods_dir, pod):
        meta = pod["metadata"]
        self.name = f"{meta['namespace']}/{meta['name']}"
        self.base = os.path.join(pods_dir, f"{meta['namespace']}_{meta['name']}")
        grace = pod["spec"].get("terminationGracePeriodSeconds", 30)
        self.grace = min(grace if grace is not None else 30, MAX_GRACE_SECONDS)
        self.popen = None
        self.stop_deadline = None

    def start(self, argv, env, workdir):
        with open(self.base + ".log", "ab") as out:
            out.write(f"---- {time.strftime('%FT%T')} pod-runner: starting {argv}\n".encode())
            out.flush()
            self.popen = subprocess.Popen(
                argv, env={**os.environ, **env}, cwd=workdir, stdin=subprocess.DEVNULL,
                stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        with open(self.base + ".pid", "w") as pid_file:
            pid_file.write(f"{self.popen.pid}\n")
        log(f"{self.name}: started pid {self.popen.pid}: {argv}")

    def request_stop(self):
        if self.stop_deadline is None and self.popen.poll() is None:
            log(f"{self.name}: stopping pid {self.popen.pid} (SIGTERM)")
            self.signal_group(signal.SIGTERM)
            self.stop_deadline = time.monotonic() + self.grace

    def signal_group(self, signum):
        try:
            os.killpg(self.popen.pid, signum)
        except ProcessLookupError:
            pass

    def reap(self):
        """True once the process has exited; escalates to SIGKILL past the deadline."""
        code = self.popen.poll()
        if code is None:
            if self.stop_deadline is not None and time.monotonic() > self.stop_deadline:
                log(f"{self.name}: pid {self.popen.pid} ignored SIGTERM: SIGKILL")
                self.signal_group(signal.SIGKILL)
            return False
        # The leader is gone; take down anything it left in its group too.
        self.signal_group(signal.SIGKILL)
        with open(self.base + ".log", "ab") as out:
            out.write(f"---- pod-runner: exited with code {code}\n".encode())
        try:
            os.remove(self.base + ".pid")
        except FileNotFoundError:
            pass
        log(f"{self.name}: pid {self.popen.pid} exited with code {code}")
        return True


def wants_local_run(pod):
    meta = pod["metadata"]
    return ((meta.get("annotations") or {}).get(RUN_ANNOTATION) == "true"
            and pod.get("status", {}).get("phase") == "Running"
            and not meta.get("deletionTimestamp"))


class Runner:
    def __init__(self, api, pods_dir):
        self.api, self.pods_dir = api, pods_dir
        self.running = {}      # pod uid -> LocalProcess (running or stopping)
        self.done = set()      # pod uids whose process ended or could not start: not retried
        self.errors = {}       # pod uid -> last start error, to log each error once
        self.api_error = None
        self.stopping = False

    def poll(self):
        try:
            pods = self.api.get("/api/v1/pods")["items"]
        except ApiError as error:
            if str(error) != self.api_error:
                log(f"cannot list pods (keeping processes as they are): {error}")
            self.api_error = str(error)
            return False
        if self.api_error:
            log("pod list works again")
            self.api_error = None
        wanted = {p["metadata"]["uid"]: p for p in pods if wants_local_run(p)}
        for uid, process in self.running.items():
            if uid not in wanted:
                process.request_stop()
        for uid, pod in wanted.items():
            if uid not in self.running and uid not in self.done:
                self.start(uid, pod)
        self.done &= set(wanted)
        return True

    def start(self, uid, pod):
        process = LocalProcess(self.pods_dir, pod)
        container = pod["spec"]["containers"][0]
        argv = list(container.get("command") or []) + list(container.get("args") or [])
        try:
            if not argv:
                raise ValueError("first container has neither command nor args")
            env = resolve_env(self.api, pod, container)
            annotations = pod["metadata"].get("annotations") or {}
            if LOCAL_ENV_ANNOTATION in annotations:
                try:
                    local_env = json.loads(annotations[LOCAL_ENV_ANNOTATION])
                except json.JSONDecodeError as error:
                    raise ValueError(f"annotation {LOCAL_ENV_ANNOTATION}: {error}") from None
                if not isinstance(local_env, dict):
                    raise ValueError(f"annotation {LOCAL_ENV_ANNOTATION}: not a JSON object")
                env.update({str(k): str(v) for k, v in local_env.items()})
            argv = [expand(a, env) for a in argv]
            workdir = annotations.get(WORKDIR_ANNOTATION, self.pods_dir)
            process.start(argv, env, workdir)
        except (ApiError, ValueError, OSError) as error:
            # Like a kubelet's CreateContainerConfigError: retried on the next poll.
            if self.errors.get(uid) != str(error):
                log(f"{process.name}: cannot start: {error}")
                with open(process.base + ".log", "ab") as out:
                    out.write(f"---- pod-runner: cannot start: {error}\n".encode())
            self.errors[uid] = str(error)
            return
        self.errors.pop(uid, None)
        self.running[uid] = process

    def reap(self):
        for uid in [u for u, p in self.running.items() if p.reap()]:
            del self.running[uid]
            self.done.add(uid)

    def run(self, ready_file):
        signal.signal(signal.SIGTERM, self.on_signal)
        signal.signal(signal.SIGINT, self.on_signal)
        log(f"polling {self.api.server} for pods annotated {RUN_ANNOTATION}=true")
        while not self.stopping:
            if self.poll() and not os.path.exists(ready_file):
                open(ready_file, "w").close()
            self.reap()
            time.sleep(POLL_SECONDS)
        self.shutdown()

    def on_signal(self, signum, _frame):
        self.stopping = True

    def shutdown(self):
        log(f"shutting down, stopping {len(self.running)} process(es)")
        for process in self.running.values():
            process.request_stop()
        while self.running:
            self.reap()
            time.sleep(0.1)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server", required=True)
    parser.add_argument("--ca", required=True)
    parser.add_argument("--token-file", required=True)
    parser.add_argument("--pods-dir", required=True)
    args = parser.parse_args()
    with open(args.token_file) as token_file:
        token = token_file.read().strip()
    os.makedirs(args.pods_dir, exist_ok=True)
    runner = Runner(Api(args.server, args.ca, token), args.pods_dir)
    runner.run(os.path.join(args.pods_dir, ".ready"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
