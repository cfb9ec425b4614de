"""Shared fixtures: the repository's golden vectors, the instruction-set paths of this CPU."""

import csv
import json
import pathlib

import pytest

import softlabel as sl

# SWARM's vendored tests run on their own, with the plugin: python/tests/run_swarm_upstream.sh.
collect_ignore = ["swarm_upstream"]

GOLDEN = pathlib.Path(__file__).resolve().parents[2] / "tests" / "data" / "golden"
ISAS = [name for name in ("scalar", "avx2", "avx512", "neon") if sl.isa_supported(name)]


def read_csv(name):
    with open(GOLDEN / name, newline="") as f:
        return list(csv.DictReader(f))


def read_jsonl(name):
    with open(GOLDEN / name) as f:
        return [json.loads(line) for line in f if line.strip()]


@pytest.fixture(params=ISAS)
def each_isa(request):
    """Runs the test once per path this CPU supports, with that path forced."""
    sl.set_isa(request.param)
    yield request.param
    sl.set_isa("auto")
