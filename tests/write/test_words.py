"""The words every output shares: what a count counts, the funnel's grade, a P1 action's who and when."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from kamxl.calc.decisions import Decision
from kamxl.write.words import (
    action_plan,
    counted,
    customers_behind,
    decision_groups,
    decision_where,
    health_label,
    health_verdict,
    trend_health,
)


def _lines(*rows: tuple[str, float, float]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["customer", "plan_to_date", "actual_to_date"])


@pytest.mark.parametrize(
    "rows, behind",
    [
        # 朗通 of the combined sample: 产品B at 53/60 = 88 % is late, the customer (203/210 = 96.7 %) is not
        ((("朗通", 150_000, 150_000), ("朗通", 60_000, 53_000)), []),
        ((("万星", 37_500, 11_000),), ["万星"]),  # 29 %
        ((("甲", 100, 90),), []),  # exactly 90 %: not behind
        ((("甲", 100, 89.99),), ["甲"]),
        ((("甲", 0, 0),), []),  # nothing planned yet: not behind
        ((("甲", 50, 10), ("乙", 50, 50), ("甲", 50, 80)), []),  # 90/100 in all
        ((("甲", 50, 10), ("乙", 50, 0), ("甲", 50, 70)), ["甲", "乙"]),  # 80 % and 0 %, in input order
    ],
)
def test_a_customer_is_behind_on_its_lines_together(rows, behind):
    assert customers_behind(_lines(*rows), 0.9) == behind


def test_customers_behind_of_no_lines():
    assert customers_behind(_lines(), 0.9) == []


@pytest.mark.parametrize(
    "what, count, zh, en",
    [
        ("customers", 4, "4 个客户", "4 customers"),
        ("customers", 1, "1 个客户", "1 customer"),
        ("customers", 0, "0 个客户", "0 customers"),
        ("opportunities", 4, "4 个商机", "4 opportunities"),
        ("opportunities", 1, "1 个商机", "1 opportunity"),
        ("lines", 4, "4 条客户·产品明细", "4 customer-product lines"),
        ("lines", 1, "1 条客户·产品明细", "1 customer-product line"),
        ("errors", 0, "0 个错误", "0 errors"),
        ("errors", 1, "1 个错误", "1 error"),
        ("warnings", 4, "4 个警告", "4 warnings"),
    ],
)
def test_a_count_says_what_it_counts_in_real_plurals(settings, settings_en, what, count, zh, en):
    assert counted(settings, count, what) == zh
    assert counted(settings_en, count, what) == en


@pytest.mark.parametrize("month, zh, en", [(3, "3 月", "March"), (12, "12 月", "December"), (None, "—", "—")])
def test_a_month_in_a_sentence_is_named(settings, settings_en, month, zh, en):
    from kamxl.write.words import month_name

    assert month_name(settings, month) == zh
    assert month_name(settings_en, month) == en


@pytest.mark.parametrize(
    "grade, rule, shown",
    [
        ("poor", "sparse", "差"),
        ("fair", "no_back_end", "中"),
        ("good", "stuck", "良(有停滞,需推动)"),
        ("excellent", "history", "优"),
        ("good", "bottom_heavy", "良(底部过重,需推动)"),
        # January and February of the sample: too few reviews to judge being stuck, so 优 says so
        ("excellent", "no_history", "优(未判断停滞)"),
    ],
)
def test_the_grade_says_what_holds_it_back_or_was_not_judged(settings, grade, rule, shown):
    assert health_label(settings, grade, rule) == shown


def test_the_verdict_gives_the_stuck_share_measured(settings):
    verdict = health_verdict(settings, "good", "stuck", 2 / 3)
    assert verdict.startswith("良(有停滞,需推动) — C、D 类中停滞的占 50% 以上")
    assert verdict.endswith("(本期停滞占 67%)")
    assert "本期" not in health_verdict(settings, "good", "stuck")  # no share known: none invented
    assert health_verdict(settings, "excellent", "no_history") == (
        "优(未判断停滞) — 良性循环(历史不足 3 次评审,未判断停滞)"
    )


@pytest.mark.parametrize(
    "record, text",
    [
        (
            {"customer": "华信", "project": "数据中心", "owner": "李娜", "likelihood": "this_month"},
            "华信 / 数据中心 — 负责人:李娜;预计成交:未指定(成交可能性:本月内);下一步:未指定",
        ),
        (
            {
                "customer": "朗通",
                "project": None,
                "owner": "王伟",
                "expected_close": dt.date(2026, 3, 31),
                "next_step": "签合同",
            },
            "朗通 — 负责人:王伟;预计成交:2026-03-31;下一步:签合同",
        ),
        (
            {"customer": "新源", "owner": float("nan"), "expected_close": pd.NaT, "likelihood": None},
            "新源 — 负责人:未指定;预计成交:未指定;下一步:未指定",
        ),
    ],
)
def test_a_p1_action_names_the_customer_owner_and_date_from_the_data(settings, record, text):
    assert action_plan(settings, record) == text


@pytest.mark.parametrize(
    "grade, rule, shown",
    [
        ("excellent", "no_history", "优(未判断停滞)"),  # a month of the history judged without enough of it
        ("good", "stuck", "良(有停滞,需推动)"),
        ("excellent", None, "优"),  # a month filed without its rule keeps the bare grade
        (None, None, None),  # no funnel that month
    ],
)
def test_a_months_grade_in_the_trends(settings, grade, rule, shown):
    assert trend_health(settings, grade, rule) == shown


def _decision(kind: str, customer: str | None, sheet: str | None, cell: str | None) -> Decision:
    evidence = {"customer": customer} if customer else {}
    return Decision(kind, 4, 0.0, sheet, cell, evidence)


@pytest.mark.parametrize(
    "ranked, top, lines",
    [
        # 海川 twice: one line at the rank of its first; the ones naming no customer each alone
        (
            [("a", "新源"), ("b", "海川"), ("c", None), ("d", "海川"), ("e", None), ("f", "金桥")],
            5,
            [["a"], ["b", "d"], ["c"], ["e"], ["f"]],
        ),
        ([("a", "新源"), ("b", "海川"), ("c", "金桥"), ("d", "海川")], 2, [["a"], ["b", "d"]]),
        ([], 5, []),
    ],
)
def test_a_customers_decisions_are_one_line(ranked, top, lines):
    decisions = [_decision(kind, customer, None, None) for kind, customer in ranked]
    assert [[decision.kind for decision in group] for group in decision_groups(decisions, top)] == lines


def test_a_lines_cells_by_sheet():
    group = [
        _decision("tier1_behind", "朗通", "应收帐款规划表", "A6"),
        _decision("big_deal_late_payer", "朗通", "客户价值评估", "R4"),
        _decision("slipped", "朗通", "客户价值评估", "Q4"),
        _decision("slipped", "朗通", "客户价值评估", "Q4"),  # a cell said once
    ]
    assert decision_where(group) == "应收帐款规划表 A6; 客户价值评估 R4, Q4"
    assert decision_where([_decision("pnl_over", None, None, None)]) == ""
