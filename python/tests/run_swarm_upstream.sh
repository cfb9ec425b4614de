#!/usr/bin/env bash
# SWARM 1.9.0's own tests (swarm_upstream/, vendored unmodified) on softlabel: checks the vendored
# files against SHA256SUMS (and that nothing was added under tests/), installs swarm-safety 1.9.0
# and hypothesis into the environment of the given Python (which has softlabel installed), and runs
# the tests with the plugin softlabel.swarm.pytest_plugin.
# Usage: python/tests/run_swarm_upstream.sh PYTHON [pytest arguments]
set -euo pipefail
python=$1
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

"$python" -m pip install --quiet "swarm-safety==1.9.0" hypothesis
PYTHONDONTWRITEBYTECODE=1 "$python" -m pytest -p softlabel.swarm.pytest_plugin tests "$@"
