"""The calculations work on whole columns: no row-at-a-time pandas iteration in kamxl/calc (issue 7)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

CALC = Path(__file__).resolve().parents[2] / "kamxl" / "calc"
ROW_LOOPS = re.compile(r"\.iterrows\(|\.itertuples\(|\.apply\([^)]*axis\s*=\s*1")


@pytest.mark.parametrize("module", sorted(CALC.glob("*.py")), ids=lambda p: p.name)
def test_no_row_at_a_time_iteration(module):
    hits = [
        f"{module.name}:{n}: {line.strip()}"
        for n, line in enumerate(module.read_text("utf-8").splitlines(), 1)
        if ROW_LOOPS.search(line)
    ]
    assert not hits, "\n".join(hits)
