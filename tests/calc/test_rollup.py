"""The roll-up across regions (kamxl/calc/rollup.py): three regions × three months, every figure by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from kamxl.calc.rollup import (
    Filing,
    Report,
    build_rollup,
    latest_period,
    period_end,
    rank_values,
    ratio,
    refiled_forms,
)
from kamxl.calc.snapshots import OPPORTUNITY_COLUMNS, opportunity_key

PERIODS = ("2026-01", "2026-02", "2026-03")


def opportunities(*rows):
    """(customer, owner, tier, class, status, amount, weighted) → the frame a snapshot keeps."""
    return pd.DataFrame(
        [
            {
                "key": opportunity_key(customer, None),
                "customer": customer,
                "project": None,
                "owner": owner,
                "tier": tier,
                "class": cls,
                "status": status,
                "amount": amount,
                "weighted_amount": weighted,
            }
            for customer, owner, tier, cls, status, amount, weighted in rows
        ],
        columns=OPPORTUNITY_COLUMNS,
    )


def totals(counts, weighted, plan=None, actual=None, health=("excellent", "no_history")):
    out = {
        "funnel_counts": counts,
        "open": sum(counts.values()),
        "weighted_total": weighted,
        "health": health[0],
        "health_rule": health[1],
    }
    if plan is not None:
        out |= {
            "collection_rate": actual / plan,
            "receivables_plan_to_date": plan,
            "receivables_actual_to_date": actual,
            "receivables_last_month": 3,
        }
    return out


def issues(errors, warnings):
    return [{"severity": "error"}] * errors + [{"severity": "warning"}] * warnings + [{"severity": "info"}]


# 华南区: the region checked figure by figure.
# 甲 C→D→C (stuck: no net progress), 乙 D→D→C (moved up: not stuck), 丙 B→A→A, 丁 A→A→won, 戊 new in March.
SOUTH_OPPORTUNITIES = {
    "2026-01": opportunities(
        ("甲", "陈", 1, "C", "open", 1000, 100),
        ("乙", "赵", 2, "D", "open", 500, 50),
        ("丙", "陈", 1, "B", "open", 500, 300),
        ("丁", "赵", 1, "A", "open", 400, 360),
    ),
    "2026-02": opportunities(
        ("甲", "陈", 1, "D", "open", 1000, 100),
        ("乙", "赵", 2, "D", "open", 500, 50),
        ("丙", "陈", 1, "A", "open", 500, 300),
        ("丁", "赵", 1, "A", "open", 400, 360),
    ),
    "2026-03": opportunities(
        ("甲", "陈", 1, "C", "open", 1000, 100),
        ("乙", "赵", 2, "C", "open", 500, 50),
        ("丙", "陈", 1, "A", "open", 500, 300),
        ("丁", "赵", 1, None, "won", 400, None),
        ("戊", "赵", 2, "D", "open", 200, 50),
    ),
}
SOUTH_REPORT = Report(
    "south-2026-03.kamxl.xlsx",
    {
        "source": "south-2026-03.xlsx",
        "as_of": "2026-04-15",  # 15 days after March: late (rollup.late_days is 10)
        "forms": {"customers": "客户", "receivables": "应收", "pnl": "损益", "monthly": "月度计划"},
        "receivables": {
            "balance": 5000.0,
            "rows": [
                {"owner": "陈", "plan_to_date": 600.0, "actual_to_date": 500.0},
                {"owner": "赵", "plan_to_date": 400.0, "actual_to_date": 300.0},
            ],
        },
        "pnl": {
            "revenue_plan_to_date": 3000.0,
            "revenue_actual": 3300.0,
            "expense_plan_to_date": 1000.0,
            "expense_actual": 1200.0,
            "profit_plan_to_date": 2000.0,
            "profit_actual": 2100.0,
        },
        "plans": {
            "monthly": [
                {"attainment": 1.2, "owner": "陈"},
                {"attainment": 0.5, "owner": "陈; 赵"},
                {"attainment": None, "owner": "赵"},
            ]
        },
        "issues": issues(1, 2),
    },
)


def south():
    counts = {
        "2026-01": {"A": 1, "B": 1, "C": 1, "D": 1},
        "2026-02": {"A": 2, "B": 0, "C": 0, "D": 2},
        "2026-03": {"A": 1, "B": 0, "C": 2, "D": 1},
    }
    weighted = {"2026-01": 810.0, "2026-02": 810.0, "2026-03": 500.0}
    plan = {"2026-01": 300.0, "2026-02": 650.0, "2026-03": 1000.0}
    actual = {"2026-01": 300.0, "2026-02": 500.0, "2026-03": 800.0}
    return [
        Filing(
            "华南区",
            period,
            totals(counts[period], weighted[period], plan[period], actual[period], ("poor", "sparse")),
            SOUTH_OPPORTUNITIES[period],
            (SOUTH_REPORT,) if period == "2026-03" else (),
        )
        for period in PERIODS
    ]


def east():
    """Rate 0.95, profit 200 under plan, one warning; nothing stuck (its C was new in March)."""
    frames = [
        opportunities(("子", "王", 1, "A", "open", 1000, 900)),
        opportunities(("子", "王", 1, "A", "open", 1000, 900)),
        opportunities(
            ("子", "王", 1, "A", "open", 1000, 900),
            ("丑", "王", 3, "C", "open", 100, 0),
        ),
    ]
    report = Report(
        "east-2026-03.kamxl.xlsx",
        {
            "source": "east-2026-03.xlsx",
            "as_of": "2026-03-31",
            "forms": {"customers": "", "receivables": "", "pnl": ""},
            "receivables": {"balance": 10000.0, "rows": []},
            "pnl": {
                "revenue_plan_to_date": 5000.0,
                "revenue_actual": 4900.0,
                "expense_plan_to_date": 1000.0,
                "expense_actual": 1100.0,
                "profit_plan_to_date": 4000.0,
                "profit_actual": 3800.0,
            },
            "issues": issues(0, 1),
        },
    )
    counts = {"A": 2, "B": 1, "C": 1, "D": 0}
    return [
        Filing("华东区", period, totals(counts, 900.0, 2000.0, 1900.0), frame, (report,) if i == 2 else ())
        for i, (period, frame) in enumerate(zip(PERIODS, frames, strict=True))
    ]


def northwest(months=PERIODS):
    """Rate 0.9; no report.json (so no P&L, balance or issue counts); nothing stuck."""
    frames = {
        "2026-01": opportunities(("寅", "刘", 2, "B", "open", 300, 180)),
        "2026-02": opportunities(("寅", "刘", 2, "B", "open", 300, 180)),
        "2026-03": opportunities(
            ("寅", "刘", 2, "B", "open", 300, 180),
            ("卯", "刘", 4, "C", "open", 100, 10),
            ("辰", "孙", 4, "D", "open", 100, 10),
        ),
    }
    counts = {"A": 0, "B": 1, "C": 1, "D": 1}
    return [
        Filing("西北区", period, totals(counts, 200.0, 500.0, 450.0), frames[period]) for period in months
    ]


@pytest.fixture
def rollup(settings):
    return build_rollup({"华南区": south(), "华东区": east(), "西北区": northwest()}, "2026-03", settings)


def row_of(result, region):
    return next(row for row in result.regions if row["region"] == region)


def test_every_figure_of_one_regions_row(rollup):
    row = row_of(rollup, "华南区")
    expected = {
        "period": "2026-03",
        "filed": ["customers", "monthly", "pnl", "receivables"],
        "link": "south-2026-03.kamxl.xlsx",
        "as_of": "2026-04-15",
        # receivables: the store's plan and actual to date, the report's balance
        "receivables_plan_to_date": 1000.0,
        "receivables_actual_to_date": 800.0,
        "collection_rate": 0.8,
        "receivables_balance": 5000.0,
        # the P&L to date from the report, variance = actual − plan
        "revenue_plan_to_date": 3000.0,
        "revenue_actual_to_date": 3300.0,
        "revenue_variance": 300.0,
        "expense_plan_to_date": 1000.0,
        "expense_actual_to_date": 1200.0,
        "expense_variance": 200.0,
        "profit_plan_to_date": 2000.0,
        "profit_actual_to_date": 2100.0,
        "profit_variance": 100.0,
        # the funnel from the store; stuck over the last three snapshots: 甲 (C→D→C) only
        "A": 1,
        "B": 0,
        "C": 2,
        "D": 1,
        "open": 4,
        "weighted_total": 500.0,
        "health": "poor",
        "health_rule": "sparse",
        "stuck": ["甲"],
        "stuck_count": 1,
        "stuck_base": 3,
        "stuck_share": pytest.approx(1 / 3),
        # the monthly plan: two indicators judged (one blank), one on plan
        "plans_judged": 2,
        "plans_met": 1,
        "plan_attainment": 0.5,
        # issues of the region's inputs: errors and warnings, not info
        "errors": 1,
        "warnings": 2,
        # ranks: collection rate 0.8 is the lowest of 0.95, 0.9, 0.8
        "rank": 3,
        "ranks": {
            "collection_rate": 3,
            "profit_variance": 1,  # +100 against east's −200 (north-west has none)
            "weighted_total": 2,  # 500 between 900 and 200
            "stuck_share": 3,  # 1/3 after 0 and 0 (both rank 1): less is better
            "plan_attainment": 1,
        },
    }
    assert {key: row[key] for key in expected} == expected


def test_regions_are_ranked_by_collection_rate(rollup):
    assert [(row["region"], row["rank"]) for row in rollup.regions] == [
        ("华东区", 1),
        ("西北区", 2),
        ("华南区", 3),
    ]
    assert [row["collection_rate"] for row in rollup.regions] == [0.95, 0.9, 0.8]


def test_the_organisation_total_sums_and_recomputes_rates_from_the_sums(rollup):
    total = rollup.total
    assert total["receivables_plan_to_date"] == 1000 + 2000 + 500
    assert total["receivables_actual_to_date"] == 800 + 1900 + 450
    # 3150 / 3500, not the average of 0.8, 0.95 and 0.9 (0.8833…)
    assert total["collection_rate"] == pytest.approx(0.9)
    # north-west filed receivables without a report: its balance is unknown, so is the sum
    assert total["receivables_balance"] is None
    # north-west filed no P&L: the P&L sums are the other two regions'
    assert (total["revenue_plan_to_date"], total["revenue_actual_to_date"], total["revenue_variance"]) == (
        8000.0,
        8200.0,
        200.0,
    )
    assert (total["profit_plan_to_date"], total["profit_actual_to_date"], total["profit_variance"]) == (
        6000.0,
        5900.0,
        -100.0,
    )
    assert [total[cls] for cls in "ABCD"] == [3, 2, 4, 2]
    assert (total["open"], total["weighted_total"]) == (11, 1600.0)
    # stuck 1 of C + D = 3 + 1 + 2
    assert (total["stuck_count"], total["stuck_base"], total["stuck_share"]) == (1, 6, pytest.approx(1 / 6))
    # only 华南区 has a monthly plan: one region of three is not the organisation's attainment
    assert (total["plans_judged"], total["plans_met"], total["plan_attainment"]) == (None, None, None)
    assert total["coverage"]["monthly"] == [1, 3]
    assert total["coverage"]["pnl"] == [2, 3]  # two of three: the sums stand (rollup.organisation_min_share)
    assert "receivables" not in total["coverage"]
    # north-west's issues are unknown (no report.json): the total is not a partial count
    assert total["errors"] is None and total["warnings"] is None


def test_the_median_region(rollup):
    median = rollup.median
    assert median["collection_rate"] == 0.9
    assert median["weighted_total"] == 500.0
    assert median["profit_variance"] == pytest.approx(-50.0)  # of +100 and −200
    assert median["receivables_balance"] == 7500.0


def test_completeness_when_every_region_filed(rollup):
    by_region = {entry["region"]: entry for entry in rollup.completeness}
    assert by_region["华南区"]["status"] == "filed" and by_region["华南区"]["late"] is True
    assert by_region["华东区"]["status"] == "filed" and by_region["华东区"]["late"] is False
    # north-west's store holds the funnel and receivables only, and no report says more
    assert by_region["西北区"]["status"] == "partial"
    assert by_region["西北区"]["missing_forms"] == ["pnl"]
    assert by_region["西北区"]["late"] is None
    assert rollup.missing == []


def test_a_region_missing_the_month(settings):
    history = {"华南区": south(), "华东区": east(), "西北区": northwest(PERIODS[:2])}
    result = build_rollup(history, "2026-03", settings)
    assert [row["region"] for row in result.regions] == ["华东区", "华南区"]
    assert result.missing == ["西北区"]
    entry = next(entry for entry in result.completeness if entry["region"] == "西北区")
    assert (entry["status"], entry["last_period"]) == ("missing", "2026-02")
    # not filed comes first among the matters for the director
    first = result.decisions[0]
    assert (first["region"], first["code"], first["evidence"]) == (
        "西北区",
        "not_filed",
        {"last_period": "2026-02"},
    )
    # the total is the two regions that filed
    assert result.total["receivables_plan_to_date"] == 3000.0
    assert result.total["collection_rate"] == pytest.approx(2700 / 3000)


def test_an_earlier_period_rolls_up_what_was_filed_by_then(settings):
    result = build_rollup({"华南区": south(), "华东区": east()}, "2026-02", settings)
    assert {row["region"] for row in result.regions} == {"华南区", "华东区"}
    south_row = row_of(result, "华南区")
    assert south_row["receivables_plan_to_date"] == 650.0
    # two snapshots cannot judge being stuck (health.stuck_months is 3)
    assert south_row["stuck"] is None and south_row["stuck_share"] is None
    assert south_row["link"] is None and south_row["errors"] is None


def test_salespeople_across_regions(rollup):
    owners = {(row["region"], row["owner"]): row for row in rollup.owners}
    chen = owners[("华南区", "陈")]
    # 甲 (C, tier 1: P2) and 丙 (A, tier 1: P1)
    assert (chen["weighted_total"], chen["open"], chen["p1"]) == (400.0, 2, 1)
    assert chen["collection_rate"] == pytest.approx(500 / 600)
    # the indicator of "陈; 赵" counts for both; attainment is their mean (method.md §13.1): (1.2 + 0.5) / 2
    assert (chen["plans_judged"], chen["plans_met"]) == (2, 1)
    assert chen["plan_attainment"] == pytest.approx(0.85)
    zhao = owners[("华南区", "赵")]
    # 乙 (C) and 戊 (D); 丁 was won and is no longer open
    assert (zhao["weighted_total"], zhao["open"], zhao["p1"]) == (100.0, 2, 0)
    assert (zhao["plans_judged"], zhao["plans_met"], zhao["plan_attainment"]) == (1, 0, 0.5)
    assert zhao["collection_rate"] == 0.75
    # ranked on the collection rate; owners without receivables rows last
    assert [(row["owner"], row["rank"]) for row in rollup.owners[:2]] == [("陈", 1), ("赵", 2)]
    assert owners[("华东区", "王")]["rank"] is None


def test_trends_with_month_over_month_change(rollup):
    months = rollup.trends["华南区"]
    assert [month["period"] for month in months] == list(PERIODS)
    assert [month["weighted_total"] for month in months] == [810.0, 810.0, 500.0]
    assert [month["weighted_total_change"] for month in months] == [None, 0.0, -310.0]
    assert [month["D_change"] for month in months] == [None, 1, -1]
    assert months[2]["collection_rate_change"] == pytest.approx(0.8 - 500 / 650)
    assert set(rollup.trends) == {"华南区", "华东区", "西北区"}


def test_decisions_are_ranked_by_weight_then_money(rollup):
    """rollup.weights: a region's facts first (collections 6, a poor funnel 6, forms missing 6), then the
    profit (4), filed late (2), a stuck deal (1); within a weight the most money first."""
    codes = [
        (item["region"], item["code"], item["customer"], item["amount"], item["weight"])
        for item in rollup.decisions
    ]
    assert codes == [
        ("华南区", "collections_behind", None, 200.0, 6),  # 0.8 < 0.9: 1000 − 800 short
        ("华南区", "funnel_health", None, None, 6),  # poor
        ("西北区", "forms_missing", None, None, 6),  # no P&L
        ("华东区", "profit_behind", None, 200.0, 4),  # 3800 against 4000
        ("华南区", "filed_late", None, None, 2),  # reviewed 2026-04-15
        ("华南区", "stuck", "甲", 1000.0, 1),
    ]
    # north-west collects exactly 0.9 of plan: not under the alert
    evidence = [item["evidence"] for item in rollup.decisions]
    assert evidence == [
        {"plan_to_date": 1000.0, "actual_to_date": 800.0, "collection_rate": 0.8},
        {"counts": {"A": 1, "B": 0, "C": 2, "D": 1}, "health_rule": "sparse"},
        {"missing_forms": ["pnl"]},
        {"profit_plan_to_date": 4000.0, "profit_actual_to_date": 3800.0},
        {"as_of": "2026-04-15"},
        {"classes": ["C", "D", "C"]},
    ]


def _region_decision(kind, weight, **evidence):
    return {
        "rank": 0,
        "kind": kind,
        "weight": weight,
        "sheet": "客户价值评估",
        "cell": "Q7",
        "evidence": evidence,
    }


def test_the_regions_own_decisions_rank_among_the_rollups(settings):
    """A region's report.json decisions keep their kinds and weights, and all rank by score = weight × (1 +
    log10(1 + amount ÷ 50,000)) (method.md §8.5): a slipped A deal of 500,000 (4 × 2.041 = 8.17) ranks above
    the region's collections 200 behind (6 × 1.002 = 6.01) and a tier-1 customer 11,000 short (5 × 1.086 =
    5.43); the stuck deal the region itself decided on (stuck_price_cut) is not listed twice."""
    decided = [
        _region_decision("slipped", 4, customer="华信", project="数据中心", amount=500000.0),
        _region_decision(
            "tier1_behind", 5, customer="新源", plan=33000.0, actual=22000.0, shortfall=11000.0, rate=2 / 3
        ),
        _region_decision("stuck_price_cut", 2, customer="甲", amount=1000.0, classes="C → D → C", months=3),
        _region_decision("slipped", 4, customer="海川", project="堆场管理", amount=420000.0),
    ]
    report = Report(SOUTH_REPORT.name, {**SOUTH_REPORT.data, "decisions": decided})
    filings = south()
    filings[-1] = Filing(
        *[getattr(filings[-1], name) for name in ("region", "period", "totals", "opportunities")], (report,)
    )
    result = build_rollup({"华南区": filings, "华东区": east()}, "2026-03", settings)
    ranked = [
        (item["code"], item["kind"], item["customer"], item["amount"], item["weight"])
        for item in result.decisions
    ]
    assert ranked == [
        ("region_decision", "slipped", "华信", 500000.0, 4),  # 4 × (1 + log10 11) = 8.166
        ("region_decision", "slipped", "海川", 420000.0, 4),  # 4 × (1 + log10 9.4) = 7.893
        ("collections_behind", None, None, 200.0, 6),  # 6 × (1 + log10 1.004) = 6.010
        ("funnel_health", None, None, None, 6),  # no money: its weight, 6
        ("region_decision", "tier1_behind", "新源", 11000.0, 5),  # 5 × (1 + log10 1.22) = 5.432
        ("profit_behind", None, None, 200.0, 4),  # 4 × (1 + log10 1.004) = 4.007
        ("region_decision", "stuck_price_cut", "甲", 1000.0, 2),  # 2 × (1 + log10 1.02) = 2.017
        ("filed_late", None, None, None, 2),
    ]
    assert [round(item["score"], 3) for item in result.decisions] == [
        8.166,
        7.893,
        6.01,
        6.0,
        5.432,
        4.007,
        2.017,
        2.0,
    ]


@pytest.mark.parametrize(
    ("health", "weight"),
    [("poor", 6), ("fair", 3), ("good", None)],  # rollup.weights.funnel_poor / funnel_fair; good is no matter
)
def test_a_funnels_grade_decides_its_weight(settings, health, weight):
    filings = northwest()
    last = filings[-1]
    graded = {**last.totals, "health": health, "health_rule": "sparse"}
    filings[-1] = Filing(last.region, last.period, graded, last.opportunities)
    result = build_rollup({"西北区": filings}, "2026-03", settings)
    found = [item["weight"] for item in result.decisions if item["code"] == "funnel_health"]
    assert found == ([] if weight is None else [weight])


@pytest.mark.parametrize(
    ("values", "lower", "ranks"),
    [
        ([0.9, 0.8, 0.95], False, [2, 3, 1]),
        ([0.9, 0.9, 0.8], False, [1, 1, 3]),  # ties share a rank, the next skips, as Excel's RANK
        ([0.5, None, 0.2], False, [1, None, 2]),
        ([0.5, 0.0, 0.2], True, [3, 1, 2]),
        ([], False, []),
    ],
)
def test_rank_values(values, lower, ranks):
    assert rank_values(values, lower) == ranks


@pytest.mark.parametrize(
    ("numerator", "denominator", "expected"),
    [(3.0, 4.0, 0.75), (0.0, 4.0, 0.0), (3.0, 0.0, None), (None, 4.0, None), (3.0, None, None)],
)
def test_ratio(numerator, denominator, expected):
    assert ratio(numerator, denominator) == expected


@pytest.mark.parametrize(
    ("period", "end"), [("2026-02", "2026-02-28"), ("2024-02", "2024-02-29"), ("2026-12", "2026-12-31")]
)
def test_period_end(period, end):
    assert period_end(period).isoformat() == end


def test_a_form_filed_in_two_files_is_named(settings):
    reports = [
        Report("a.kamxl.xlsx", {"source": "a.xlsx", "forms": {"customers": "", "pnl": ""}}),
        Report("b.kamxl.xlsx", {"source": "b.xlsx", "forms": {"pnl": ""}}),
        Report("a-2.kamxl.xlsx", {"source": "a.xlsx", "forms": {"customers": "", "pnl": ""}}),  # a again
    ]
    assert refiled_forms(reports) == ["pnl"]


def test_the_latest_period_is_the_default():
    assert latest_period({"华南区": south(), "西北区": northwest(PERIODS[:1])}) == "2026-03"
    assert latest_period({}) is None


def test_a_region_that_filed_no_rolled_up_form_is_listed_only_in_completeness(settings):
    calendar_only = [Filing("form-calendar", "2026-03", {}, opportunities())]
    result = build_rollup({"华东区": east(), "form-calendar": calendar_only}, "2026-03", settings)
    assert [row["region"] for row in result.regions] == ["华东区"]
    entry = next(entry for entry in result.completeness if entry["region"] == "form-calendar")
    assert entry["status"] == "no_figures"


def test_the_league_table_uses_a_regions_definitions(settings):
    """docs/method.md §13.1, by hand: "陈; 赵" stays one owner for the money; P1 counts customers, not
    opportunities; the store's per-owner figures (results.owners) win over the snapshot's rows."""
    frame = opportunities(
        ("甲", "陈; 赵", 1, "A", "open", 1000, 900),  # shared: one owner "陈; 赵", not 900 each
        ("乙", "陈", 1, "A", "open", 500, 450),  # 乙 twice, both P1 (tier 1 × A): one P1 customer
        ("乙", "陈", 1, "B", "open", 300, 180),
        ("丙", "陈", 1, "A", "won", 100, None),  # won: not open
    )
    report = Report(
        "x.kamxl.xlsx",
        {
            "forms": {"customers": "", "receivables": ""},
            "receivables": {"rows": [{"owner": "陈; 赵", "plan_to_date": 100.0, "actual_to_date": 80.0}]},
        },
    )
    counts = {"A": 2, "B": 1, "C": 0, "D": 0}
    found = build_rollup(
        {"华南区": [Filing("华南区", "2026-03", totals(counts, 1530.0), frame, (report,))]},
        "2026-03",
        settings,
    )
    owners = {row["owner"]: row for row in found.owners}
    assert set(owners) == {"陈", "陈; 赵"}
    assert (owners["陈"]["weighted_total"], owners["陈"]["open"], owners["陈"]["p1"]) == (630.0, 2, 1)
    shared = owners["陈; 赵"]
    assert (shared["weighted_total"], shared["open"], shared["p1"]) == (900.0, 1, 1)
    assert (shared["receivables_plan_to_date"], shared["collection_rate"]) == (100.0, 0.8)

    stored = totals(counts, 1530.0) | {
        "owners": {
            "customers": {"陈": {"pipeline": 800.0, "weighted_pipeline": 630.0, "p1_customers": 1}},
            "receivables": {"陈": {"collections_plan": 50.0, "collections_actual": 50.0}},
            "monthly": {"陈": {"plan_attainment": 0.75}},
        }
    }
    found = build_rollup(
        {"华南区": [Filing("华南区", "2026-03", stored, frame, (report,))]}, "2026-03", settings
    )
    chen = next(row for row in found.owners if row["owner"] == "陈")
    assert (chen["weighted_total"], chen["p1"], chen["open"]) == (630.0, 1, 2)
    assert (chen["collection_rate"], chen["plan_attainment"]) == (1.0, 0.75)


def test_an_opportunity_with_no_owner_counts_for_the_unassigned_row(settings):
    """§13.1: a row with no owner is never dropped; it is the region's unassigned row (未指定)."""
    frame = opportunities(("甲", None, 1, "A", "open", 1000, 900), ("乙", " ", 2, "C", "open", 100, 10))
    counts = {"A": 1, "B": 0, "C": 1, "D": 0}
    found = build_rollup(
        {"华南区": [Filing("华南区", "2026-03", totals(counts, 910.0), frame)]}, "2026-03", settings
    )
    [row] = found.owners
    assert (row["owner"], row["open"], row["weighted_total"], row["p1"]) == ("未指定", 2, 910.0, 1)


@pytest.mark.parametrize(
    ("weight", "amount", "score"),
    [
        (4, 500000.0, 8.16557),  # 4 × (1 + log10 11): a slipped A deal
        (5, 15000.0, 5.56972),  # 5 × (1 + log10 1.3): a tier-1 customer 15,000 short
        (4, 106000.0, 5.97662),  # 4 × (1 + log10 3.12): a region's profit under plan
        (6, None, 6.0),  # no money: its weight
        (2, 0.0, 2.0),
        (1, 50000.0, 1.30103),  # 1 × (1 + log10 2): one money unit
    ],
)
def test_a_matters_score_is_its_weight_times_the_moneys_factor(settings, weight, amount, score):
    from kamxl.calc.rollup import decision_score

    assert decision_score({"weight": weight, "amount": amount}, settings) == pytest.approx(score, abs=1e-5)


def test_a_customers_matters_are_one_line_at_the_rank_of_its_first():
    from kamxl.calc.rollup import decision_lines

    def item(region, customer):
        return {"region": region, "customer": customer}

    ranked = [
        item("华东区", "海川"),
        item("华东区", None),
        item("西北区", "海川"),  # another region's 海川: a line of its own
        item("华东区", "海川 / 堆场管理"),  # the same customer, named with its project (stuck)
        item("华东区", None),  # a region's matter naming no customer: a line of its own
    ]
    lines = decision_lines(ranked)
    assert [[(entry["region"], entry["customer"]) for entry in line] for line in lines] == [
        [("华东区", "海川"), ("华东区", "海川 / 堆场管理")],
        [("华东区", None)],
        [("西北区", "海川")],
        [("华东区", None)],
    ]


def _median_rows():
    from kamxl.calc.rollup import NUMERIC

    def row(filed, **figures):
        return {name: None for name in NUMERIC} | {"filed": filed, "errors": None} | figures

    return [
        row(
            ["monthly", "receivables"], plans_judged=8, plans_met=6, plan_attainment=0.75, collection_rate=0.9
        ),
        row(["receivables"], collection_rate=0.8),
        row(["receivables"], collection_rate=1.0),
    ]


def test_the_median_leaves_a_figure_blank_when_fewer_than_half_the_regions_filed_its_form(settings):
    """One region's monthly plan (8 judged, 6 met) is not the median region's, as it is not the total."""
    from kamxl.calc.rollup import median_row

    rows = _median_rows()
    median = median_row(rows, settings)
    assert (median["plans_judged"], median["plans_met"], median["plan_attainment"]) == (None, None, None)
    assert median["collection_rate"] == 0.9
    rows[1] |= {
        "filed": ["monthly", "receivables"],
        "plans_judged": 4,
        "plans_met": 4,
        "plan_attainment": 1.0,
    }
    median = median_row(rows, settings)  # two regions of three: the median of their figures
    assert (median["plans_judged"], median["plans_met"], median["plan_attainment"]) == (6.0, 5.0, 0.875)
