"""The bundled sample workbooks: every form named correctly, no errors, numbers as written."""

from __future__ import annotations

import pytest

from kamxl.read import read_workbook
from tests.conftest import SAMPLES

SAMPLE_FILES = sorted(SAMPLES.glob("*.xlsx"))
ALL_FORMS = [
    "customers",
    "receivables",
    "pnl",
    "activities",
    "calendar",
    "todo",
    "weekly",
    "monthly",
    "worklog",
]


def test_samples_exist():
    names = {p.name for p in SAMPLE_FILES}
    assert {
        "east-2026-01.xlsx",
        "east-2026-02.xlsx",
        "east-2026-03.xlsx",
        "east-2026-03-en.xlsx",
        "hr-appraisal-2026q1.xlsx",
    } <= names
    assert {f"form-{f}.xlsx" for f in ALL_FORMS + ["appraisal"]} <= names


@pytest.mark.parametrize("path", SAMPLE_FILES, ids=lambda p: p.name)
def test_every_sample_reads_without_errors_or_warnings(path, settings):
    result = read_workbook(path, settings, strict=True)
    assert result.issues == []
    if path.name.startswith("form-"):
        assert [s.form for s in result.sheets] == [path.stem[5:]]


def test_combined_plan_holds_every_form(settings):
    result = read_workbook(SAMPLES / "east-2026-03.xlsx", settings)
    assert [s.form for s in result.sheets] == ALL_FORMS + [None]
    customers = result.table("customers")
    assert len(customers) >= 12
    assert customers.set_index("customer").loc["朗通", ["order_size", "likelihood"]].tolist() == [
        "over",
        "this_month",
    ]
    assert customers.set_index("customer").loc["朗通", "f_attr.profit"] == 5


def test_combined_plan_numbers_by_hand(settings):
    """Hand-checked against make_samples.py's data: totals of the March plan."""
    result = read_workbook(SAMPLES / "east-2026-03.xlsx", settings)
    rec = result.table("receivables")
    months = result.table("receivables", "months")
    assert rec["total_owed"].sum() == 3_650_000
    assert (
        months[months["month"] <= 3]["actual"].sum() == 806_000
    )  # 150k+53k+90k+11k+230k+43k+75k+59k+23k+45k+22k+5k
    assert months.query("month == 2 and row == 7")["actual"].item() == 31000  # typed as text "31,000"
    totals = result.table("receivables", "total_months")
    assert totals.query("month == 3")["actual"].item() == 276000
    pnl = result.table("pnl")
    march = pnl[pnl["month"] == 3].set_index("line")
    assert march.loc["产品A", "actual"] == 445000 and march.loc["预期盈亏", "actual"] == 635000 - 207000
    activities = result.table("activities", "months")
    assert activities.query("month == 3")["mark"].sum() == 3
    cal = result.forms["calendar"][0]
    assert len(cal.tables["main"]) == 8 and cal.meta["month"] == 3
    todo = result.table("todo")
    assert todo["hours"].sum() == pytest.approx(7.5 + 7.0)  # 1.5+2+1+2.5+0.5 and 2.5+2+1+1.5
    monthly = result.table("monthly").set_index("indicator")
    assert monthly.loc["费用率", "target"] == pytest.approx(0.12)


def test_three_month_series_shows_the_funnel_moving(settings):
    classes = []
    for month in (1, 2, 3):
        c = (
            read_workbook(SAMPLES / f"east-2026-{month:02d}.xlsx", settings)
            .table("customers")
            .set_index("customer")
        )
        classes.append(c)
    assert "新源" not in classes[0].index and "新源" in classes[1].index
    assert classes[2].loc["博雅", "status"] == "won"
    assert [c.loc["万星", "likelihood"] for c in classes] == ["intent"] * 3  # stuck at the bottom


def test_english_sample_in_english(settings_en):
    result = read_workbook(SAMPLES / "east-2026-03-en.xlsx", settings_en)
    assert [s.form for s in result.sheets] == ["customers", "receivables", "pnl"] and not result.issues
    assert result.table("customers").set_index("customer").loc["朗通", "order_size"] == "over"
