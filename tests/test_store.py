"""The history store and the three monthly samples end to end (docs/method.md §4 stuck rule, §8)."""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
import sqlite3

import pandas as pd
import pytest

from kamxl.pipeline import RunOptions, process
from kamxl.store import HistoryError, HistoryStore
from tests.conftest import SAMPLES

MONTHS = [
    ("east-2026-01.xlsx", dt.date(2026, 1, 31)),
    ("east-2026-02.xlsx", dt.date(2026, 2, 28)),
    ("east-2026-03.xlsx", dt.date(2026, 3, 31)),
]


@pytest.fixture(scope="module")
def three_months(tmp_path_factory, settings):
    out = tmp_path_factory.mktemp("history")
    db = out / "kamxl-history.sqlite"
    for name, as_of in MONTHS:
        process(SAMPLES / name, out, settings, RunOptions(as_of, strict=True, history=db))
    return out, db


def report(out, stem):
    return json.loads((out / f"{stem}.report.json").read_text("utf-8"))


def test_first_month_has_no_history(three_months):
    r = report(three_months[0], "east-2026-01")
    filed = {key: value for key, value in r["history"].items() if key != "snapshot"}
    assert filed == {"region": "华东区", "region_from": "title", "period": "2026-01", "previous_period": None}
    # what the history keeps of the review travels in report.json (a corrupt history is rebuilt from it)
    assert {o["customer"] for o in r["history"]["snapshot"]["opportunities"]} >= {"朗通"}
    assert "movement" not in r["funnel"] and r["funnel"]["health_rule"] == "no_history"


def test_march_movement_by_hand(three_months):
    f = report(three_months[0], "east-2026-03")["funnel"]
    moves = {m["customer"]: (m["previous"], m["current"], m["move"]) for m in f["movement"]}
    # from the sample's February and March assessments
    assert moves == {
        "新源": ("C", "B", "up"),
        "金桥": ("B", "A", "up"),
        "瑞丰": ("C", "D", "down"),
        "万星": ("C", "C", "same"),
        "华信": ("A", "A", "same"),
        "天成": ("B", "B", "same"),
        "宏达": ("C", "C", "same"),
        "恒通": ("C", "C", "same"),
        "朗通": ("A", "A", "same"),
        "泰岳": ("B", "B", "same"),
        "海川": ("A", "A", "same"),
        "远航": ("D", "D", "same"),
        "益民": (None, "C", "new"),
        "博雅": ("A", "won", "won"),
    }
    assert f["transitions"] == {
        "A→A": 3,
        "A→won": 1,
        "B→A": 1,
        "B→B": 2,
        "C→B": 1,
        "C→C": 3,
        "C→D": 1,
        "D→D": 1,
        "new→C": 1,
    }
    # previous D: 远航 stayed (0/1); C: 新源 of 万星 瑞丰 新源 恒通 宏达 (1/5);
    # B: 金桥 of 泰岳 金桥 天成 (1/3); A: 博雅 won of 4
    assert f["conversion"] == {"D→C": 0.0, "C→B": 0.2, "B→A": pytest.approx(1 / 3), "A→won": 0.25}


def test_march_stuck_and_the_health_rule_that_uses_it(three_months):
    f = report(three_months[0], "east-2026-03")["funnel"]
    # C or D in January, February and March without moving up; 宏达 went D → C, 新源 and 益民 are newer
    assert sorted(s["customer"] for s in f["stuck"]) == sorted(["万星", "远航", "恒通", "瑞丰"])
    assert {s["customer"]: s["classes"] for s in f["stuck"]}["瑞丰"] == ["C", "C", "D"]
    # stuck 4 of n_C + n_D = 4 + 2: 67 % ≥ 50 % → 良 by the stuck rule
    # (without history the same funnel was 优)
    assert f["stuck_share"] == pytest.approx(4 / 6)
    assert (f["health"], f["health_rule"]) == ("good", "stuck")


def test_february_cannot_judge_stuck_yet(three_months):
    f = report(three_months[0], "east-2026-02")["funnel"]
    assert "stuck" not in f and f["health_rule"] == "no_history"
    assert f["transitions"]["D→C"] == 1  # 宏达


def test_trends_by_month(three_months):
    trends = report(three_months[0], "east-2026-03")["trends"]
    assert [t["period"] for t in trends] == ["2026-01", "2026-02", "2026-03"]
    assert [(t["A"], t["B"], t["C"], t["D"]) for t in trends] == [(2, 4, 4, 2), (4, 3, 5, 1), (4, 3, 4, 2)]
    # collection rate to date: Jan 261,000 / 296,500; profit of the month plan vs actual from each month's P&L
    assert trends[0]["collection_rate"] == pytest.approx(261_000 / 296_500)
    assert [(t["profit_plan"], t["profit_actual"]) for t in trends] == [
        (395_000, 387_000),
        (395_000, 387_000),
        (395_000, 428_000),
    ]


def test_same_period_again_replaces_its_snapshot(three_months, settings):
    out, db = three_months
    store = HistoryStore(db)
    before = [(s["period"], s["totals"]) for s in store.snapshots("华东区")]
    process(
        SAMPLES / "east-2026-03.xlsx",
        out / "again",
        settings,
        RunOptions(dt.date(2026, 3, 31), strict=True, history=db),
    )
    after = store.snapshots("华东区")
    assert [(s["period"], s["totals"]) for s in after] == before
    with sqlite3.connect(db) as con:
        assert con.execute("SELECT COUNT(*) FROM snapshots").fetchone()[0] == 3
        assert (
            con.execute(
                "SELECT COUNT(*) FROM opportunities WHERE snapshot_id NOT IN (SELECT id FROM snapshots)"
            ).fetchone()[0]
            == 0
        )
        assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def _writer(db: str, region: str, n: int) -> None:
    store = HistoryStore(db, retries=20, timeout=1.0)
    opps = pd.DataFrame({"key": ["a\x1f"], "customer": ["a"], "class": ["C"], "status": ["open"]})
    for i in range(n):
        store.save(region, f"2026-{i % 12 + 1:02d}", opps, {"i": i})


@pytest.mark.slow
def test_concurrent_writers_do_not_corrupt(tmp_path):
    db = str(tmp_path / "h.sqlite")
    ctx = multiprocessing.get_context("spawn")
    workers = [ctx.Process(target=_writer, args=(db, f"r{k}", 30)) for k in range(3)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(60)
        assert w.exitcode == 0
    with sqlite3.connect(db) as con:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert con.execute("SELECT COUNT(*) FROM snapshots").fetchone()[0] == 3 * 12
        assert con.execute("SELECT COUNT(*) FROM opportunities").fetchone()[0] == 3 * 12


def test_a_newer_schema_is_refused(tmp_path, settings):
    db = tmp_path / "h.sqlite"
    with sqlite3.connect(db) as con:
        con.execute("PRAGMA user_version = 99")
    with pytest.raises(HistoryError):
        HistoryStore(db).snapshots("x")
    outcome = process(
        SAMPLES / "form-customers.xlsx", tmp_path, settings, RunOptions(dt.date(2026, 3, 31), history=db)
    )
    assert (
        "history_failed" in [i.code for i in outcome.issues] and outcome.outputs
    )  # the outputs are written all the same


def test_a_partial_workbook_keeps_the_rest_of_its_periods_snapshot(tmp_path, settings):
    """A P&L filed after the full March review updates March's profit and keeps its funnel and
    opportunities."""
    import openpyxl

    db = tmp_path / "h.sqlite"
    process(
        SAMPLES / "east-2026-03.xlsx",
        tmp_path / "a",
        settings,
        RunOptions(dt.date(2026, 3, 31), strict=True, history=db),
    )
    store = HistoryStore(db)
    full = store.snapshots("华东区")[-1]
    opportunities = len(store.opportunities(full["id"]))
    wb = openpyxl.load_workbook(SAMPLES / "east-2026-03.xlsx")
    for name in wb.sheetnames:
        if "损益" not in name:
            del wb[name]
    wb[wb.sheetnames[0]]["C8"] = 455_000  # March's revenue from 产品A, corrected: +10,000
    wb.save(tmp_path / "east-2026-03-pnl.xlsx")
    process(
        tmp_path / "east-2026-03-pnl.xlsx",
        tmp_path / "b",
        settings,
        RunOptions(dt.date(2026, 3, 31), strict=True, history=db, region="华东区"),
    )
    after = store.snapshots("华东区")
    assert len(after) == 1 and after[0]["period"] == "2026-03"
    assert after[0]["totals"]["funnel_counts"] == full["totals"]["funnel_counts"]
    assert len(store.opportunities(after[0]["id"])) == opportunities == 14
    assert after[0]["totals"]["collection_rate"] == full["totals"]["collection_rate"]
    assert (full["totals"]["profit_actual_month"], after[0]["totals"]["profit_actual_month"]) == (
        428_000,
        438_000,
    )


def test_each_report_gives_back_the_snapshot_it_was_filed_with(three_months):
    """What a corrupt history is rebuilt from: report.json's sections give each month's totals and
    opportunities as the store kept them."""
    from kamxl.store import snapshot_from_report

    out, db = three_months
    store = HistoryStore(db)
    kept = {s["period"]: s for s in store.snapshots("华东区")}
    for name, _ in MONTHS:
        region, period, opportunities, totals = snapshot_from_report(report(out, name[:-5]))
        assert (region, period) == ("华东区", name[5:12])
        assert totals == kept[period]["totals"]
        stored = store.opportunities(kept[period]["id"])
        assert (
            opportunities[["key", "class", "status"]].values.tolist()
            == stored[["key", "class", "status"]].values.tolist()
        )


def test_rebuild_files_every_reports_snapshot_and_quarantine_keeps_the_old_file(three_months, tmp_path):
    out, db = three_months
    copy = tmp_path / "h.sqlite"
    copy.write_bytes(b"not a database at all" * 100)
    store = HistoryStore(copy)
    assert store.health()[0] == "corrupt"
    moved = store.quarantine()
    assert moved is not None and moved.exists() and not copy.exists()
    assert store.rebuild(sorted(out.glob("east-2026-0*.report.json"))) == 3
    assert store.health() == ("ok", None)
    before = {s["period"]: s["totals"] for s in HistoryStore(db).snapshots("华东区")}
    after = {s["period"]: s["totals"] for s in store.snapshots("华东区")}
    assert after == before


def test_a_report_holding_its_snapshot_is_rebuilt_from_it(tmp_path):
    from kamxl.store import snapshot_from_report

    report = {
        "source": "x.xlsx",
        "history": {
            "region": "r",
            "period": "2026-04",
            "snapshot": {
                "totals": {"open": 1},
                "opportunities": [{"key": "a\x1f", "customer": "a", "class": "C"}],
            },
        },
    }
    region, period, opportunities, totals = snapshot_from_report(report)
    assert (region, period, totals) == ("r", "2026-04", {"open": 1}) and opportunities["key"].tolist() == [
        "a\x1f"
    ]
    assert snapshot_from_report({"history": None}) is None


# ------------------------------------------------- schema 1 -> 2 migration ---
SCHEMA_1 = """
CREATE TABLE snapshots (
    id INTEGER PRIMARY KEY AUTOINCREMENT, region TEXT NOT NULL, period TEXT NOT NULL, source TEXT,
    as_of TEXT, kamxl_version TEXT, totals TEXT NOT NULL, digest TEXT NOT NULL, UNIQUE (region, period)
);
CREATE TABLE opportunities (
    snapshot_id INTEGER NOT NULL REFERENCES snapshots(id) ON DELETE CASCADE,
    key TEXT NOT NULL, customer TEXT, project TEXT, owner TEXT,
    tier INTEGER, class TEXT, status TEXT, amount REAL, weighted_amount REAL
);
"""


def test_a_history_of_the_old_format_opens_and_is_migrated(tmp_path):
    """A schema-1 file (one source per snapshot, no per-form sources, no issue counts) is brought to
    schema 2 on first use: its forms are those its figures show, each from its one source."""
    db = tmp_path / "old.sqlite"
    with sqlite3.connect(db) as con:
        con.executescript(SCHEMA_1)
        totals = {"funnel_counts": {"A": 1, "B": 0, "C": 0, "D": 0}, "collection_rate": 0.5}
        con.execute(
            "INSERT INTO snapshots (region, period, source, as_of, kamxl_version, totals, digest)"
            " VALUES ('华东区', '2026-02', 'east-2026-02.xlsx', '2026-02-28', '0.9', ?, 'abc')",
            (json.dumps(totals),),
        )
        con.execute("INSERT INTO opportunities (snapshot_id, key, customer) VALUES (1, 'k', '甲')")
        con.execute("PRAGMA user_version = 1")
    store = HistoryStore(db)
    [snapshot] = store.snapshots("华东区")
    assert snapshot["totals"] == totals and snapshot["digest"] == "abc"
    entry = {"source": "east-2026-02.xlsx", "as_of": "2026-02-28", "replaced": []}
    assert snapshot["forms"] == {"customers": entry, "receivables": entry}
    assert snapshot["inputs"] == {"east-2026-02.xlsx": {"as_of": "2026-02-28"}}  # no issue counts known
    assert store.opportunities(snapshot["id"])["customer"].tolist() == ["甲"]
    with sqlite3.connect(db) as con:
        assert con.execute("PRAGMA user_version").fetchone()[0] == 2
    store.save("华东区", "2026-03", pd.DataFrame(), {"open": 0}, source="x.xlsx")  # writable after
    assert [s["period"] for s in store.snapshots("华东区")] == ["2026-02", "2026-03"]


# ------------------------------------------------------ merging form by form ---
def _kept(totals, forms, inputs):
    return {"totals": totals, "forms": forms, "inputs": inputs}


A = {"source": "a.xlsx", "as_of": "2026-03-31", "replaced": []}


@pytest.mark.parametrize(
    ("kept", "totals", "forms", "source", "expected_totals", "expected_forms"),
    [
        # a first file: its forms, from it
        (None, {"open": 3}, ["customers"], "a.xlsx", {"open": 3}, {"customers": A}),
        # another form from another file: both kept, each with its source
        (
            _kept({"open": 3}, {"customers": A}, {"a.xlsx": {}}),
            {"collection_rate": 0.5},
            ["receivables"],
            "b.xlsx",
            {"open": 3, "collection_rate": 0.5},
            {"customers": A, "receivables": A | {"source": "b.xlsx"}},
        ),
        # the same form from another file: the later replaces the earlier, which is remembered
        (
            _kept({"open": 3, "health": "poor"}, {"customers": A}, {"a.xlsx": {}}),
            {"open": 5},
            ["customers"],
            "b.xlsx",
            {"open": 5},  # the earlier file's customer figures all go, even one the later lacks
            {"customers": A | {"source": "b.xlsx", "replaced": ["a.xlsx"]}},
        ),
        # the same file again: a re-run, not a second filing
        (
            _kept({"open": 3}, {"customers": A}, {"a.xlsx": {}}),
            {"open": 4},
            ["customers"],
            "a.xlsx",
            {"open": 4},
            {"customers": A},
        ),
        # owners are replaced per form
        (
            _kept({"owners": {"customers": {"王": {"pipeline": 1.0}}}}, {"customers": A}, {"a.xlsx": {}}),
            {"owners": {"receivables": {"王": {"collections_plan": 2.0}}}},
            ["receivables"],
            "b.xlsx",
            {
                "owners": {
                    "customers": {"王": {"pipeline": 1.0}},
                    "receivables": {"王": {"collections_plan": 2.0}},
                }
            },
            {"customers": A, "receivables": A | {"source": "b.xlsx"}},
        ),
    ],
)
def test_a_period_merges_its_files_form_by_form(kept, totals, forms, source, expected_totals, expected_forms):
    from kamxl.store import merge_snapshot

    merged = merge_snapshot(kept, totals, forms, source, {"as_of": "2026-03-31", "errors": 0})
    assert merged["totals"] == expected_totals
    assert merged["forms"] == expected_forms
    # the inputs kept are those that still give a form, each with its counts
    assert set(merged["inputs"]) == {entry["source"] for entry in expected_forms.values()}


def test_two_files_of_one_region_month_merge_and_the_same_form_twice_replaces(tmp_path, settings):
    """form-customers.xlsx and form-receivables.xlsx are both 华东区's March: the snapshot holds both
    forms' figures, each with its file; the customer assessment filed again as another file replaces
    the first, and the snapshot says which it replaced."""
    import shutil

    db = tmp_path / "h.sqlite"
    options = RunOptions(dt.date(2026, 3, 31), strict=True, history=db)
    alone = {}
    for name in ("form-customers.xlsx", "form-receivables.xlsx"):
        process(SAMPLES / name, tmp_path / name, settings, RunOptions(dt.date(2026, 3, 31), strict=True))
        alone[name] = report(tmp_path / name, name.removesuffix(".xlsx"))
        process(SAMPLES / name, tmp_path / "out", settings, options)
    [snapshot] = HistoryStore(db).snapshots("华东区")
    totals = snapshot["totals"]
    assert totals["funnel_counts"] == alone["form-customers.xlsx"]["funnel"]["counts"]
    receivables = alone["form-receivables.xlsx"]["receivables"]
    assert (totals["receivables_plan_to_date"], totals["receivables_balance"]) == (
        receivables["plan_to_date"],
        receivables["balance"],
    )
    assert snapshot["forms"]["customers"]["source"] == "form-customers.xlsx"
    assert snapshot["forms"]["receivables"]["source"] == "form-receivables.xlsx"
    assert sorted(snapshot["inputs"]) == ["form-customers.xlsx", "form-receivables.xlsx"]
    assert len(HistoryStore(db).opportunities(snapshot["id"])) == len(
        alone["form-customers.xlsx"]["customers"]
    )

    shutil.copy(SAMPLES / "form-customers.xlsx", tmp_path / "customers-again.xlsx")
    process(tmp_path / "customers-again.xlsx", tmp_path / "out", settings, options)
    [snapshot] = HistoryStore(db).snapshots("华东区")
    assert snapshot["forms"]["customers"] == {
        "source": "customers-again.xlsx",
        "as_of": "2026-03-31",
        "replaced": ["form-customers.xlsx"],
    }
    assert snapshot["forms"]["receivables"]["source"] == "form-receivables.xlsx"
    assert sorted(snapshot["inputs"]) == ["customers-again.xlsx", "form-receivables.xlsx"]


def test_a_workbook_naming_no_region_is_filed_under_a_name_it_is_told(tmp_path, settings):
    """form-todo.xlsx names no region in its titles or file name: filed under "form-todo" with a warning
    saying so and how to change it; given --region, under that, silently."""
    db = tmp_path / "h.sqlite"
    outcome = process(
        SAMPLES / "form-todo.xlsx", tmp_path, settings, RunOptions(dt.date(2026, 3, 31), history=db)
    )
    [warning] = [issue for issue in outcome.issues if issue.code == "region_guessed"]
    assert warning.params["region"] == "form-todo"
    assert "--region" in settings.message(warning)
    inputs = HistoryStore(db).snapshots("form-todo")[0]["inputs"]
    assert inputs["form-todo.xlsx"]["region_from"] == "file_stem"
    outcome = process(
        SAMPLES / "form-todo.xlsx",
        tmp_path,
        settings,
        RunOptions(dt.date(2026, 3, 31), history=db, region="华东区"),
    )
    assert "region_guessed" not in [issue.code for issue in outcome.issues]
    assert HistoryStore(db).snapshots("华东区")[0]["inputs"]["form-todo.xlsx"]["region_from"] == "option"


@pytest.mark.parametrize(
    ("titles", "stem", "owners", "given", "expected"),
    [
        (["华南区客户评估表"], "x", None, None, ("华南区", "title")),
        (["客户评估表"], "华南区-2026-03", None, None, ("华南区", "file_name")),
        (["客户评估表"], "plan-2026-03", ["王伟", "王伟"], None, ("王伟", "owner")),
        (["客户评估表"], "plan-2026-03", ["王伟", "李娜"], None, ("plan", "file_stem")),
        (["华南区客户评估表"], "x", None, "西北区", ("西北区", "option")),
    ],
)
def test_where_a_region_comes_from(titles, stem, owners, given, expected, settings):
    from kamxl.calc.snapshots import region_and_source

    customers = pd.DataFrame({"owner": owners}) if owners else None
    assert region_and_source(titles, stem, customers, settings, given) == expected


def test_a_snapshot_keeps_each_owners_figures_by_the_form_that_gives_them():
    """results.owners (where Results has it): collections from the receivables plan, pipeline from the
    customer assessment, attainment from the monthly plan — only for the forms the workbook holds."""
    from types import SimpleNamespace

    from kamxl.store import snapshot_totals

    owners = pd.DataFrame(
        {
            "owner": ["王伟", "李娜"],
            "collections_plan": [100.0, 50.0],
            "collections_actual": [90.0, float("nan")],
            "collections_rate": [0.9, None],
            "pipeline": [0.0, 0.0],
            "weighted_pipeline": [0.0, 0.0],
            "p1_customers": [0, 0],
            "plan_attainment": [0.5, 1.0],
            "hours": [10.0, 12.0],
        }
    )
    results = SimpleNamespace(
        funnel=None, receivables=None, pnl=None, monthly=None, forms={"receivables": ["s"]}, owners=owners
    )
    assert snapshot_totals(results, "2026-03") == {
        "owners": {
            "receivables": {
                "王伟": {"collections_plan": 100.0, "collections_actual": 90.0, "collections_rate": 0.9},
                "李娜": {"collections_plan": 50.0, "collections_actual": None, "collections_rate": None},
            }
        }
    }
    del results.owners  # a Results without per-owner figures keeps none
    assert snapshot_totals(results, "2026-03") == {}


def test_a_period_filed_as_several_files_is_rebuilt_with_each_forms_source(tmp_path, settings):
    """Rebuilt from the reports in the order they were written, a month filed as two files and a form
    filed twice gives back the same figures, per-form sources and issue counts."""
    import os
    import shutil

    db, out = tmp_path / "h.sqlite", tmp_path / "out"
    shutil.copy(SAMPLES / "form-customers.xlsx", tmp_path / "customers-again.xlsx")
    files = [
        SAMPLES / "form-customers.xlsx",
        SAMPLES / "form-receivables.xlsx",
        tmp_path / "customers-again.xlsx",
    ]
    for when, path in enumerate(files):
        process(path, out, settings, RunOptions(dt.date(2026, 3, 31), strict=True, history=db))
        os.utime(out / f"{path.stem}.report.json", (1_000_000 + when, 1_000_000 + when))
    rebuilt = HistoryStore(tmp_path / "rebuilt.sqlite")
    assert rebuilt.rebuild(sorted(out.glob("*.report.json"))) == 3
    [before], [after] = HistoryStore(db).snapshots("华东区"), rebuilt.snapshots("华东区")
    assert after["totals"] == before["totals"]
    assert after["forms"] == before["forms"]
    assert after["forms"]["customers"]["replaced"] == ["form-customers.xlsx"]
    strip = lambda inputs: {name: entry | {"region_from": None} for name, entry in inputs.items()}  # noqa: E731
    assert strip(after["inputs"]) == strip(before["inputs"])
