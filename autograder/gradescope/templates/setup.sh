#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image. It installs a
# Python of at least @MIN_PYTHON@ and, in a venv, only the packages grading needs, each pinned
# as in the kit's requirements.txt (requirements.txt here, generated from it), with the
# kit's whole requirements.txt (constraints.txt) pinning their dependencies too.
# AUTOGRADER_ROOT (default /autograder) lets it run elsewhere.
set -euo pipefail

ROOT="${AUTOGRADER_ROOT:-/autograder}"
SOURCE="$ROOT/source"
VENV="$ROOT/venv"
MIN_PYTHON="@MIN_PYTHON@"

new_enough() {
    "$1" -c "import sys; sys.exit(sys.version_info < tuple(map(int, '$MIN_PYTHON'.split('.'))))" \
        >/dev/null 2>&1
}

export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends ca-certificates python3 python3-venv python3-pip

PYTHON=python3
if ! new_enough python3; then
    # Ubuntu 22.04, Gradescope's default image, has Python 3.10; a newer one is packaged.
    apt-get install -y --no-install-recommends "python$MIN_PYTHON" "python$MIN_PYTHON-venv"
    PYTHON="python$MIN_PYTHON"
fi

"$PYTHON" -m venv "$VENV"
"$VENV/bin/python" -m pip install --no-cache-dir --disable-pip-version-check \
    --only-binary=:all: -r "$SOURCE/requirements.txt" -c "$SOURCE/constraints.txt"
"$VENV/bin/python" -c "import IPython, matplotlib, nbformat, numpy, psutil, pytest"
echo "grading environment ready in $VENV"
