"""docs/method.md §14: decisions and risks, each rule on hand-made results, and their ranking."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from kamxl.calc.activities import Activities
from kamxl.calc.cells import CellMap
from kamxl.calc.decisions import Decision, Inputs, decide, decision_dict, sentence
from kamxl.calc.pnl import PnL
from kamxl.calc.receivables import Receivables

AS_OF = dt.date(2026, 3, 31)
CELLS = {
    "receivables": CellMap({"应收": {"customer": "A"}}),
    "customers": CellMap({"客户": {"customer": "A", "amount": "G", "likelihood": "Q"}}),
    "monthly": CellMap({"月度": {"actual": "D"}}),
}


def customers(*rows):
    """rows: (customer, project, tier, class, open, amount, likelihood, actions); Excel rows from 4."""
    return pd.DataFrame(
        [
            {
                "sheet": "客户",
                "row": 4 + i,
                "customer": customer,
                "project": project,
                "tier": tier,
                "class": cls,
                "open": is_open,
                "amount": amount,
                "likelihood": likelihood,
                "actions": actions,
            }
            for i, (customer, project, tier, cls, is_open, amount, likelihood, actions) in enumerate(rows)
        ]
    )


def receivables(*rows):
    """rows: (customer, plan_to_date, actual_to_date, behind); Excel rows from 5. ``behind`` is the line's
    flag (the sheet's); the rules judge a customer on all its lines together and must not read it."""
    frame = pd.DataFrame(
        [
            {
                "sheet": "应收",
                "row": 5 + i,
                "customer": c,
                "plan_to_date": p,
                "actual_to_date": a,
                "behind": b,
            }
            for i, (c, p, a, b) in enumerate(rows)
        ]
    )
    return Receivables(frame, pd.DataFrame(), pd.DataFrame(), {})  # type: ignore[typeddict-item]


def pnl(rows, last_period):
    """rows: (month, line, plan, actual) of the expense group; the month's Excel row is 5 + month."""
    lines = pd.DataFrame(
        [
            {"sheet": "损益", "row": 5 + m, "month": m, "period": m - 1, "group": "expense", "line": line}
            | {"plan": p, "actual": a, "actual_col": "G"}
            for m, line, p, a in rows
        ]
    )
    return PnL(lines, pd.DataFrame(), {}, last_period)  # type: ignore[typeddict-item]


def activities(*months):
    """months: (month, budget, advertising plan, over)."""
    by_month = pd.DataFrame(months, columns=["month", "budget", "advertising_plan", "over"])
    empty = pd.DataFrame()
    return Activities(empty, empty, by_month, empty, {})  # type: ignore[typeddict-item]


def monthly(*rows):
    """rows: (indicator, target, actual, attainment, behind); Excel rows from 4."""
    return pd.DataFrame(
        [
            {
                "sheet": "月度",
                "row": 4 + i,
                "indicator": n,
                "target": t,
                "actual": a,
                "attainment": r,
                "behind": b,
            }
            for i, (n, t, a, r, b) in enumerate(rows)
        ]
    )


TIER_2_ACTIONS = [6, 7, 8, 9]
TIER_1_ACTIONS = [3, 4, 15, 16]

# (name, inputs, expected (kind, sheet, cell, evidence subset) in rank order)
CASES = [
    (
        "tier-1 customer behind on all its lines together: 93,000 of 110,000 (84.5 %) at its first line; "
        "a tier-2 customer behind is no tier-1 decision",
        Inputs(
            AS_OF,
            customers=customers(
                ("朗通", "二期", 1, "B", True, 100_000, "later", TIER_1_ACTIONS),
                ("万星", "产线", 2, "C", True, 90_000, "later", TIER_2_ACTIONS),
            ),
            receivables=receivables(
                ("朗通", 10_000, 10_000, False),
                ("朗通", 60_000, 53_000, True),
                ("朗通", 40_000, 30_000, True),
                ("万星", 37_500, 11_000, True),
            ),
            cells=CELLS,
        ),
        [
            (
                "tier1_behind",
                "应收",
                "A5",
                {"plan": 110_000, "actual": 93_000, "shortfall": 17_000, "rate": 93 / 110},
            )
        ],
    ),
    (
        "a tier-1 customer with one late line is not behind as a customer: 朗通 of the combined sample, "
        "产品B at 53,000 / 60,000 = 88.3 %, all lines 203,000 / 210,000 = 96.7 %; nor is its big deal",
        Inputs(
            AS_OF,
            customers=customers(("朗通", "二期扩容", 1, "A", True, 320_000, "this_period", TIER_1_ACTIONS)),
            receivables=receivables(("朗通", 150_000, 150_000, False), ("朗通", 60_000, 53_000, True)),
            cells=CELLS,
        ),
        [],
    ),
    (
        "a customer exactly at 90 % of plan to date is not behind; nothing planned yet is not behind",
        Inputs(
            AS_OF,
            customers=customers(
                ("朗通", "二期", 1, "A", True, 320_000, "this_period", TIER_1_ACTIONS),
                ("华信", "数据", 1, "A", True, 500_000, "this_period", TIER_1_ACTIONS),
            ),
            receivables=receivables(("朗通", 100_000, 90_000, False), ("华信", 0, 0, False)),
            cells=CELLS,
        ),
        [],
    ),
    (
        "big A deal of a late payer (its lines together: 59,000 + 10,000 of 90,000 + 10,000 = 69 %); "
        "a small one and a deal of a customer on plan are not",
        Inputs(
            AS_OF,
            customers=customers(
                ("海川", "堆场", 3, "A", True, 420_000, "this_period", []),
                ("海川", "码头", 3, "A", True, 150_000, "this_period", []),
                ("华信", "数据", 1, "A", True, 500_000, "this_period", []),
            ),
            receivables=receivables(
                ("海川", 90_000, 59_000, True),
                ("华信", 100_000, 100_000, False),
                ("海川", 10_000, 10_000, False),
            ),
            cells=CELLS,
        ),
        [
            (
                "big_deal_late_payer",
                "客户",
                "G4",
                {"customer": "海川", "amount": 420_000, "rate": 69_000 / 100_000},
            )
        ],
    ),
    (
        "slipped: open A due this month at the month's end; B, won, or due later are not",
        Inputs(
            AS_OF,
            (2026, 3),
            customers=customers(
                ("华信", "数据", 1, "A", True, 500_000, "this_month", []),
                ("金桥", "工地", 3, "A", True, 110_000, "this_month", []),
                ("博雅", "校园", 1, "A", False, 210_000, "this_month", []),
                ("天成", "影像", 2, "B", True, 260_000, "this_month", []),
                ("朗通", "二期", 1, "A", True, 320_000, "this_period", []),
            ),
            cells=CELLS,
        ),
        [
            ("slipped", "客户", "Q4", {"customer": "华信", "amount": 500_000}),
            ("slipped", "客户", "Q5", {"customer": "金桥", "amount": 110_000}),
        ],
    ),
    (
        "slipped is not judged mid-month: 2026-03-20 is 11 days before the end, the setting allows 3",
        Inputs(
            dt.date(2026, 3, 20),
            (2026, 3),
            customers=customers(("华信", "数据", 1, "A", True, 500_000, "this_month", [])),
            cells=CELLS,
        ),
        [],
    ),
    (
        "stuck in C/D with a price cut in the playbook; stuck without one is not",
        Inputs(
            AS_OF,
            customers=customers(
                ("万星", "产线", 2, "C", True, 90_000, "later", TIER_2_ACTIONS),
                ("远航", "调度", 3, "D", True, 30_000, "intent", [1, 2, 5, 14]),
            ),
            stuck=pd.DataFrame(
                {
                    "key": ["万星|产线", "远航|调度"],
                    "customer": ["万星", "远航"],
                    "project": ["产线", "调度"],
                    "classes": [["C", "C", "C"], ["D", "D", "D"]],
                }
            ),
            cells=CELLS,
        ),
        [("stuck_price_cut", "客户", "A4", {"customer": "万星", "months": 3, "classes": "C → C → C"})],
    ),
    (
        "expense over plan to date by more than 5 %: 广告 99,000 of 90,000 (10 %); 工资 over 2 % is not; "
        "April's plan is not to date",
        Inputs(
            AS_OF,
            pnl=pnl(
                [
                    (1, "广告", 30_000, 26_000),
                    (2, "广告", 30_000, 34_000),
                    (3, "广告", 30_000, 39_000),
                    (4, "广告", 30_000, None),
                    (1, "工资", 150_000, 153_000),
                    (2, "工资", 150_000, 153_000),
                    (3, "工资", 150_000, 153_000),
                ],
                last_period=2,
            ),
        ),
        [("expense_over", "损益", "G8", {"line": "广告", "plan": 90_000, "actual": 99_000, "over": 9_000})],
    ),
    (
        "activities over the advertising plan, the biggest excess first",
        Inputs(
            AS_OF,
            activities=activities(
                (3, 66_500, 30_000, True), (4, 13_000, 30_000, False), (5, 40_000, 30_000, True)
            ),
            activities_sheet="活动",
        ),
        [
            ("activities_over_budget", "活动", None, {"month": 3, "over": 36_500}),
            ("activities_over_budget", "活动", None, {"month": 5, "over": 10_000}),
        ],
    ),
    (
        "monthly targets missed, the most missed first",
        Inputs(
            AS_OF,
            monthly=monthly(
                ("回款(万元)", 120, 111, 0.925, True),
                ("销售额(万元)", 60, 63.5, 1.058, False),
                ("团队培训(次)", 2, 1, 0.5, True),
            ),
            cells=CELLS,
        ),
        [
            ("monthly_missed", "月度", "D6", {"indicator": "团队培训(次)", "attainment": 0.5}),
            ("monthly_missed", "月度", "D4", {"indicator": "回款(万元)", "attainment": 0.925}),
        ],
    ),
    ("nothing to read: nothing to decide", Inputs(AS_OF, (2026, 3)), []),
]


@pytest.mark.parametrize("name, inputs, expected", CASES, ids=[case[0][:40] for case in CASES])
def test_rules(settings, name, inputs, expected):
    found = decide(inputs, settings)
    assert [(d.kind, d.sheet, d.cell) for d in found] == [
        (kind, sheet, cell) for kind, sheet, cell, _ in expected
    ]
    for decision, (_, _, _, evidence) in zip(found, expected, strict=True):
        for key, value in evidence.items():
            expected_value = pytest.approx(value) if isinstance(value, float) else value
            assert decision.evidence[key] == expected_value, (name, key)


def test_ranked_by_weight_then_stake(settings):
    """tier1_behind (5), slipped (4), a missed target (3), activities (2), whatever the money."""
    inputs = Inputs(
        AS_OF,
        (2026, 3),
        customers=customers(
            ("朗通", "二期", 1, "A", True, 320_000, "this_month", TIER_1_ACTIONS),
            ("华信", "数据", 1, "A", True, 500_000, "this_month", TIER_1_ACTIONS),
        ),
        receivables=receivables(("朗通", 60_000, 53_000, True)),
        activities=activities((3, 966_500, 30_000, True)),
        monthly=monthly(("回款(万元)", 120, 111, 0.925, True)),
        cells=CELLS,
    )
    found = decide(inputs, settings)
    assert [(d.kind, d.evidence.get("customer")) for d in found] == [
        ("tier1_behind", "朗通"),
        ("slipped", "华信"),  # weight 4: 500,000 at stake before 320,000
        (
            "big_deal_late_payer",
            "朗通",
        ),  # 320,000 ≥ 200,000 and 朗通 is behind; before slipped at equal stake
        ("slipped", "朗通"),
        ("monthly_missed", None),
        ("activities_over_budget", None),
    ]
    assert [d.severity(settings) for d in found] == ["high"] * 4 + ["medium"] * 2


def test_sentence_and_json_in_both_languages(settings, settings_en):
    decision = Decision(
        "tier1_behind",
        5,
        7_000,
        "应收",
        "A6",
        {"customer": "朗通", "plan": 60_000.0, "actual": 53_000.0, "shortfall": 7_000.0, "rate": 53 / 60},
    )
    assert sentence(decision, settings) == (
        "一级客户朗通回款落后:截至本期计划 60,000,实收 53,000(回款率 88.3%),少收 7,000。"
    )
    assert sentence(decision, settings_en) == (
        "Tier-1 customer 朗通 is behind on collections: 53,000 collected of 60,000 planned to date (88.3%), "
        "7,000 short."
    )
    entry = decision_dict(decision, 1, settings_en)
    assert entry["rank"] == 1 and entry["severity"] == "high" and entry["cell"] == "A6"
    assert entry["evidence"]["shortfall"] == 7_000


def test_a_rate_target_reads_as_a_percentage(settings):
    found = decide(Inputs(AS_OF, monthly=monthly(("费用率", 0.12, 0.15, 0.8, True))), settings)
    assert "目标 12.0%,实际 15.0%(达成率 80.0%)" in sentence(found[0], settings)


@pytest.mark.parametrize(("month", "words"), [(11, "十一月"), (202511, "2025-11"), (202611, "2026-11")])
def test_a_month_reads_as_its_name_or_with_its_year_in_a_rolling_plan(settings, month, words):
    evidence = {"month": month, "budget": 30_000.0, "plan": 20_000.0, "over": 10_000.0}
    decision = Decision("activities_over_budget", 2, 10_000, "活动", "E5", evidence)
    assert sentence(decision, settings).startswith(f"{words}的市场活动预算 30,000")


@pytest.fixture(scope="module")
def sample_decisions(settings, settings_en):
    """The combined sample's and the English sample's forms and decisions, as process() decides them."""
    from kamxl.pipeline import _decide
    from kamxl.read import read_workbook
    from kamxl.results import build_results
    from tests.conftest import SAMPLES

    found = {}
    for lang, stem, lang_settings in (
        ("zh", "east-2026-03", settings),
        ("en", "east-2026-03-en", settings_en),
    ):
        workbook = read_workbook(SAMPLES / f"{stem}.xlsx", lang_settings, strict=True)
        results = build_results(workbook, lang_settings, AS_OF, strict=True)
        _decide(results, workbook, lang_settings, True)
        found[lang] = (set(results.forms), results.decisions)
    return found


def test_the_english_sample_decides_as_the_chinese_one_on_the_forms_it_has(sample_decisions):
    """No rule depends on the language: the English copy of 华东区 holds only the customers, receivables and
    P&L forms, so it lacks the monthly plan's missed targets and the activity plan's months over budget;
    on the forms both have, the decisions are the same, at the same cells, with the same evidence."""
    (zh_forms, zh), (en_forms, en) = sample_decisions["zh"], sample_decisions["en"]
    assert en_forms == {"customers", "receivables", "pnl"} and en_forms < zh_forms
    only_zh = {"monthly_missed", "activities_over_budget"}
    assert {d.kind for d in zh} - {d.kind for d in en} == only_zh
    assert [(d.kind, d.cell, d.evidence) for d in en] == [
        (d.kind, d.cell, d.evidence) for d in zh if d.kind not in only_zh
    ]


def test_the_combined_sample_decides_on_customers_as_the_sheet_counts_them(sample_decisions):
    """朗通 is at 96.7 % as a customer (only its 产品B line is behind): neither 一级 behind nor a late payer;
    新源 (66.7 %) and 海川 (65.6 %) are behind as customers."""
    _, zh = sample_decisions["zh"]
    late = [(d.kind, d.evidence["customer"]) for d in zh if d.kind in ("tier1_behind", "big_deal_late_payer")]
    assert late == [("tier1_behind", "新源"), ("big_deal_late_payer", "海川")]
    assert len(zh) == 10 and len(sample_decisions["en"][1]) == 6
