#!/usr/bin/env bash
# Dawid-Skene against crowd-kit 1.4.2 on the same data, in one interleaved run (see
# bench/ds_vs_crowdkit.py): builds the library if needed and uses the QA tests' venv (pinned
# crowd-kit, made by tests/qa/venv.sh). Options go to the script (--annotations, --rounds).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -f build/libsoftlabel.so ]; then
  cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
fi
cmake --build build -j2 --target softlabel >/dev/null
tests/qa/venv.sh python3 build/qa-venv
exec build/qa-venv/bin/python bench/ds_vs_crowdkit.py --lib build/libsoftlabel.so \
  --sample examples/panel/annotations.csv "$@"
