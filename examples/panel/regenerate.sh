#!/usr/bin/env bash
# Regenerates the sample panel's outputs beside this script (items.jsonl with the Dawid-Skene
# posteriors, qa.json, qa.html, qa.pdf) and the PDF's page images in docs/img/qa-page-N.png,
# with the softlabel command of build/ (built first if missing; SOFTLABEL=path to use another).
# The inputs, annotations.csv and rubric.yaml, come from make_sample.py (seeded).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
bin="${SOFTLABEL:-$root/build/tools/softlabel}"
if [ ! -x "$bin" ]; then
  cmake -S "$root" -B "$root/build" -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$root/build" -j2 --target softlabel_cli >/dev/null
fi
cd "$root/examples/panel"
common=(panel --in annotations.csv --rubric rubric.yaml --threads 2)
"$bin" "${common[@]}" --out items.jsonl --summary qa.json --report qa.pdf --reliability dawid-skene
"$bin" "${common[@]}" --out /dev/null --report qa.html
rm -f "$root"/docs/img/qa-page-*.png
pdftoppm -r 80 -png qa.pdf "$root/docs/img/qa-page"
ls -l items.jsonl qa.json qa.html qa.pdf "$root"/docs/img/qa-page-*.png
