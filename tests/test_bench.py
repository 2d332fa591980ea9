"""bench/run.py runs (its timings are printed, never asserted)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.slow


def test_bench_quick_runs_and_prints_every_ratio():
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "run.py"), "--quick"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    out = result.stdout
    assert "k/floor" in out and "k/naive" in out
    for name in ("receivables 20k", "receivables 100k", "customers 20k", "to-do 50k"):
        line = next(line for line in out.splitlines() if line.startswith(name))
        assert len(line.split()) >= 8, line
    assert "speed-up" in out and "kamxl --help" in out and "watch mode" in out
