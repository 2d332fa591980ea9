"""What a reader of the report workbook sees, checked from the file itself (issue 15).

The combined sample (zh) and the English sample (en) are written once; each
test reads what a person would meet: number formats, charts, wording.
"""

from __future__ import annotations

import datetime as dt
import re

import openpyxl
import pytest

from kamxl.pipeline import RunOptions, process
from tests.conftest import SAMPLES

AS_OF = dt.date(2026, 3, 31)
SAMPLE_STEMS = ("east-2026-03", "east-2026-03-en")


@pytest.fixture(scope="module")
def reports(tmp_path_factory, settings):
    """The report workbooks of the two samples, by stem."""
    out = tmp_path_factory.mktemp("review")
    for stem in SAMPLE_STEMS:
        process(SAMPLES / f"{stem}.xlsx", out, settings, RunOptions(AS_OF, strict=True))
    return {stem: out / f"{stem}.kamxl.xlsx" for stem in SAMPLE_STEMS}


# ------------------------------------------------------------------ formats ---
MONEY_WITH_DECIMALS = re.compile(r"#,##0\.")


@pytest.mark.parametrize("stem", SAMPLE_STEMS)
def test_no_number_shows_cents_or_a_trailing_point(reports, stem):
    """Money is whole yuan (3,650,000, not 3,650,000.00); no format leaves "60." behind."""
    workbook = openpyxl.load_workbook(reports[stem])
    seen = set()
    for ws in workbook.worksheets:
        for row in ws.iter_rows():
            for found in row:
                if found.value is None or isinstance(found.value, str) and not found.value.startswith("="):
                    continue
                seen.add(found.number_format)
                assert not MONEY_WITH_DECIMALS.search(found.number_format), (ws.title, found.coordinate)
    assert "#,##0" in seen


def test_rate_indicators_of_the_monthly_plan_are_percentages(reports):
    """费用率 0.12 beside 达成率 104.3 % reads as 12.0 %; 销售额(万元) 60 stays a number."""
    ws = openpyxl.load_workbook(reports["east-2026-03"])["计划"]
    formats = {ws.cell(row, 1).value: ws.cell(row, 3).number_format for row in range(1, 15)}
    assert formats["费用率"] == "0.0%" and formats["客户满意度"] == "0.0%"
    assert formats["销售额(万元)"] == "General"
