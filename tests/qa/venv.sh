#!/usr/bin/env bash
# Makes the Python venv of the QA tests once (the packages of requirements.txt beside this file,
# pinned, from PyPI): tests/qa/venv.sh PYTHON VENV_DIR. Kept while requirements.txt is unchanged.
set -euo pipefail
python=$1
venv=$2
req="$(cd "$(dirname "$0")" && pwd)/requirements.txt"
mkdir -p "$(dirname "$venv")"
exec 9>"$venv.lock"
flock 9
if [ -f "$venv/requirements.done" ] && cmp -s "$req" "$venv/requirements.done"; then
  exit 0
fi
rm -rf "$venv"
start=$(date +%s)
"$python" -m venv "$venv"
"$venv/bin/pip" install -q --disable-pip-version-check --no-deps -r "$req"
"$venv/bin/python" -c "import crowdkit.aggregation, krippendorff, pandas, numpy"
cp "$req" "$venv/requirements.done"
echo "QA venv made in $(( $(date +%s) - start )) s: $venv"
