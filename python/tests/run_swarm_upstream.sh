#!/usr/bin/env bash
# SWARM 1.9.0's own tests (swarm_upstream/, vendored unmodified) on softlabel: checks the vendored
# files against SHA256SUMS (and that nothing was added under tests/), then runs them with the
# plugin softlabel.swarm.pytest_plugin in the given Python, which has softlabel installed with its
# test extra (swarm-safety 1.9.0, hypothesis, pytest: pip install ".[test]").
# Usage: python/tests/run_swarm_upstream.sh PYTHON [pytest arguments]
set -euo pipefail
case $1 in /*) python=$1 ;; *) python=$PWD/$1 ;; esac # the tests run in swarm_upstream/
shift
cd "$(dirname "$0")/swarm_upstream"

sha256sum --check --strict --quiet SHA256SUMS
listed=$(awk '$2 ~ /^tests\// {print $2}' SHA256SUMS | sort)
present=$(find tests -type f ! -path '*/__pycache__/*' | sort)
if [ "$listed" != "$present" ]; then
  echo "swarm_upstream/tests differs from SHA256SUMS (- listed, + present):" >&2
  diff <(echo "$listed") <(echo "$present") >&2 || true
  exit 1
fi

PYTHONDONTWRITEBYTECODE=1 "$python" -m pytest -p softlabel.swarm.pytest_plugin tests "$@"
