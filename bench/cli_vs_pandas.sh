#!/usr/bin/env bash
# Throughput of `softlabel score` CSV -> CSV against pandas + numpy and DuckDB, measured in one
# run (bench/cli_compare.py). Makes a local venv (build/bench-venv) with pandas, numpy and duckdb
# from PyPI on first use. Arguments go to cli_compare.py (--rows, --rounds, --dir).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x build/tools/softlabel ] || { cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null &&
                                  cmake --build build -j2 >/dev/null; }
venv=build/bench-venv
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q pandas numpy duckdb
fi
exec "$venv/bin/python" bench/cli_compare.py --bin build/tools/softlabel --dir build/bench-cli-data "$@"
