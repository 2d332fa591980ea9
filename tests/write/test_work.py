"""时间: the time sheet says how many days of to-do lists its shares come from, and marks them indicative
when they are fewer than ``time.min_days``."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest

from kamxl.config import load_settings
from kamxl.pipeline import RunOptions, process
from tests.conftest import SAMPLES

AS_OF = dt.date(2026, 3, 31)


def _time_sheet(folder, settings, name="east-2026-03.xlsx"):
    process(SAMPLES / name, folder, settings, RunOptions(AS_OF, history=None, strict=True))
    return openpyxl.load_workbook(folder / name.replace(".xlsx", ".kamxl.xlsx"))


def _sentence(ws):
    """The sentence under the quadrant table (row 11), above the to-do list's header (row 12)."""
    return ws["A11"].value


def test_the_combined_sample_says_its_two_days_and_that_they_are_too_few(tmp_path, settings):
    ws = _time_sheet(tmp_path, settings)["时间"]
    # the sample's to-do lists are those of 5 and 6 March: 2 days, under time.min_days = 5
    assert _sentence(ws) == "M2 占比和各象限占比基于 2 天的待办单(3月5日–3月6日)。少于 5 天,占比仅供参考。"
    assert ws["A12"].value == "日期" and ws["A13"].value is not None  # the to-do list stays where it was
    shares = [ws.cell(row, 5) for row in range(5, 9)] + [ws["D10"]]  # M1–M4 and the M2 share
    assert all(found.font.i and found.number_format == "0.0%" for found in shares)


def test_enough_days_are_not_marked(tmp_path):
    config = tmp_path / "kamxl.toml"
    config.write_text("[time]\nmin_days = 2\n", encoding="utf-8")
    ws = _time_sheet(tmp_path, load_settings(config))["时间"]
    assert _sentence(ws) == "M2 占比和各象限占比基于 2 天的待办单(3月5日–3月6日)。"
    assert not ws["E6"].font.i and ws["E6"].number_format == "0.0%"


def test_english(tmp_path, settings_en):
    ws = _time_sheet(tmp_path, settings_en, "form-todo.xlsx")["Time"]
    assert _sentence(ws).startswith("The M2 share and the quadrants' shares are based on ")
    assert "Mar" in _sentence(ws)


def test_the_one_form_sample_has_the_sentence_too(tmp_path, settings):
    ws = _time_sheet(tmp_path, settings, "form-todo.xlsx")["时间"]
    assert "天的待办单" in _sentence(ws)


def test_each_time_table_names_its_form_and_the_gap_is_in_points(tmp_path, settings):
    """ "9 项待办, 14.5 小时" (the to-do lists) beside 26.5 h (the work log): each table says which form it
    counts; the gap to the 60/30/10 guideline is a difference of shares, in percentage points."""
    path = tmp_path / "east-2026-03.kamxl.xlsx"
    _time_sheet(tmp_path, settings)
    ws = openpyxl.load_workbook(path, data_only=True)["时间"]
    assert ws["A3"].value == "各象限时间(来源:地区经理日工作待办单)"
    texts = [found.value for found in ws["A"]]
    assert "按客户分组的时间(来源:工作日志)与 60/30/10 建议" in texts
    head = next(row for row, found in enumerate(ws["A"], 1) if found.value == "客户分组")
    assert ws.cell(head, 8).value == "与建议之差(个百分点)"
    # 重点客户: 11 of 26.5 hours = 41.5 % against the guideline's 60 %: −18.5 points, not −18.5 %
    gap = ws.cell(head + 1, 8)
    assert gap.value == pytest.approx((11 / 26.5 - 0.6) * 100)
    assert gap.number_format == '+0.0;"−"0.0;0.0'
    formulas = openpyxl.load_workbook(path)["时间"]
    assert formulas.cell(head + 1, 8).value.endswith(")*100)")
