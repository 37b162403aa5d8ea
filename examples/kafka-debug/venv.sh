#!/usr/bin/env bash
# Creates (once) the Python venv with the sample app's requirements and prints its python path.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
VENV=${EXAMPLES_VENV:-$ROOT/run/venv}
if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c 'import confluent_kafka' 2>/dev/null; then
    python3 -m venv "$VENV" >&2
    "$VENV/bin/pip" install -q -r "$HERE/requirements.txt" >&2
fi
echo "$VENV/bin/python"
