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
    assert filed == {"region": "华东区", "period": "2026-01", "previous_period": None}
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
