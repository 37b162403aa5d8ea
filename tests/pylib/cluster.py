"""What the Python tests (tests/e2e, tests/crash) share to talk to the test cluster of
scripts/testenv: polling with a deadline, kubectl, and a small REST client.

Import it after putting tests/pylib on sys.path:

    sys.path.insert(0, os.path.join(<this test's folder>, "..", "pylib"))
    from cluster import ENV, Api, kubectl, kubectl_json, wait_for

Names kept stable for other test files: ENV, RUN_ENV, wait_for, kubectl, kubectl_json, Api
(call, get, items, create, merge_patch, delete).
"""

import json
import os
import re
import ssl
import subprocess
import time
import urllib.error
import urllib.request

from testenv_env import testenv_env

# What `scripts/testenv env` exports (KUBECONFIG, TESTENV_APISERVER, TESTENV_CA, ...).
ENV = testenv_env()
# The environment for commands run against the test cluster (kubectl, mirrord, deploy scripts).
RUN_ENV = {**os.environ, **ENV}


def wait_for(what, check, timeout=30, interval=0.1):
    """Calls check() every `interval` seconds until it returns a truthy value, and returns that
    value; raises AssertionError naming `what` once `timeout` seconds have passed.

    check() may return a pair (ok, detail): ok decides, and the last detail goes into the
    failure message (the whole pair is returned on success).
    """
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        ok, detail = result if isinstance(result, tuple) and len(result) == 2 else (result, result)
        if ok:
            return result
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}; "
                                 f"last state: {detail!r}")
        time.sleep(interval)


def kubectl(*args, kubeconfig=None, check=True, stdin=None, timeout=60):
    """Runs kubectl against the test cluster (admin unless `kubeconfig` is given); returns the
    CompletedProcess (text mode). A non-zero exit raises AssertionError when `check`."""
    command = ["kubectl", "--kubeconfig", kubeconfig or ENV["KUBECONFIG"], *args]
    result = subprocess.run(command, env=RUN_ENV, input=stdin, capture_output=True, text=True,
                            timeout=timeout)
    if check and result.returncode != 0:
        raise AssertionError(f"kubectl {' '.join(args)} failed: {result.stderr}")
    return result


def kubectl_json(*args, kubeconfig=None):
    """`kubectl <args> -o json`, parsed."""
    return json.loads(kubectl(*args, "-o", "json", kubeconfig=kubeconfig).stdout)


class Api:
    """Just enough of the Kubernetes REST API, as the testenv admin (faster than kubectl in tight
    polls). Paths are absolute ("/api/v1/namespaces/ns/pods"); a 404 answers None."""

    def __init__(self):
        self.server = ENV["TESTENV_APISERVER"]
        self.context = ssl.create_default_context(cafile=ENV["TESTENV_CA"])
        with open(ENV["KUBECONFIG"]) as kubeconfig:
            self.token = re.search(r"^\s*token:\s*(\S+)", kubeconfig.read(), re.M).group(1)

    def call(self, method, path, body=None, content_type="application/json"):
        """One request; the parsed answer, None on 404, AssertionError on any other error."""
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.server + path, data=data, method=method)
        request.add_header("Authorization", f"Bearer {self.token}")
        if data is not None:
            request.add_header("Content-Type", content_type)
        try:
            with urllib.request.urlopen(request, context=self.context, timeout=10) as response:
                return json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            if error.code == 404:
                return None
            raise AssertionError(f"{method} {path}: {error.code} {error.read()[:300]!r}")

    def get(self, path):
        return self.call("GET", path)

    def items(self, path):
        """The items of a list; empty when the collection (or its namespace) is not there."""
        listed = self.get(path)
        return listed["items"] if listed else []

    def create(self, collection_path, body):
        return self.call("POST", collection_path, body)

    def merge_patch(self, path, patch):
        return self.call("PATCH", path, patch, "application/merge-patch+json")

    def delete(self, path):
        """Deletes in the background; None when it was already gone."""
        return self.call("DELETE", path, {"propagationPolicy": "Background"})
