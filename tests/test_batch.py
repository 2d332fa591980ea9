"""Batches: every core, one bad file never stops the rest, and a parallel batch gives the serial results."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from kamxl.batch import default_jobs, run_batch
from kamxl.pipeline import RunOptions
from tests.conftest import SAMPLES

MONTHS = ["east-2026-01.xlsx", "east-2026-02.xlsx", "east-2026-03.xlsx"]


def kamxl(*args, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "kamxl", *args], capture_output=True, text=True, cwd=cwd, timeout=300
    )


@pytest.fixture()
def inbox(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    # newest first on purpose: the pool must still give March its February and January
    for name in reversed(MONTHS):
        shutil.copy(SAMPLES / name, folder / name)
    (folder / "broken.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")
    (folder / "~$east-2026-03.xlsx").write_bytes(b"lock")
    return folder


@pytest.mark.slow
def test_batch_continues_past_a_bad_file_and_exits_1(inbox, tmp_path):
    out = tmp_path / "out"
    result = kamxl("process", str(inbox), "--out", str(out), "--as-of", "2026-03-31", "--jobs", "2")
    assert result.returncode == 1
    for name in MONTHS:
        assert (out / name.replace(".xlsx", ".kamxl.xlsx")).is_file()
    assert json.loads((out / "broken.report.json").read_text("utf-8"))["forms"] == {}
    assert not (out / "~$east-2026-03.report.json").exists()
    # not a terminal: one plain line per file, then the closing table
    assert result.stderr.count("/4] ") == 4
    assert "broken.xlsx" in result.stdout and "east-2026-03.kamxl.xlsx +3" in result.stdout


@pytest.mark.slow
def test_parallel_batch_equals_processing_in_order(inbox, tmp_path, settings):
    files = sorted(inbox.glob("east-*.xlsx"), reverse=True)
    parallel = run_batch(files, tmp_path / "p", settings, RunOptions(history=tmp_path / "p.sqlite"), jobs=2)
    run_batch(sorted(files), tmp_path / "s", settings, RunOptions(history=tmp_path / "s.sqlite"), jobs=1)
    assert [o.source.name for o in parallel] == [f.name for f in files]
    for name in MONTHS:
        a = json.loads((tmp_path / "p" / name.replace(".xlsx", ".report.json")).read_text("utf-8"))
        b = json.loads((tmp_path / "s" / name.replace(".xlsx", ".report.json")).read_text("utf-8"))
        assert a["funnel"] == b["funnel"] and a["trends"] == b["trends"], name
    march = json.loads((tmp_path / "p" / "east-2026-03.report.json").read_text("utf-8"))
    assert march["funnel"]["health_rule"] == "stuck"


@pytest.mark.slow
def test_no_history_flag(tmp_path):
    result = kamxl("process", str(SAMPLES / "east-2026-03.xlsx"), "--out", str(tmp_path), "--no-history")
    assert result.returncode == 0
    assert not (tmp_path / "kamxl-history.sqlite").exists()
    assert json.loads((tmp_path / "east-2026-03.report.json").read_text("utf-8"))["history"] is None


@pytest.mark.slow
def test_history_and_region_options(tmp_path):
    db = tmp_path / "elsewhere" / "h.sqlite"
    result = kamxl(
        "process",
        str(SAMPLES / "form-customers.xlsx"),
        "--out",
        str(tmp_path / "out"),
        "--history",
        str(db),
        "--region",
        "华东一组",
    )
    assert result.returncode == 0 and db.is_file()
    report = json.loads((tmp_path / "out" / "form-customers.report.json").read_text("utf-8"))
    assert report["history"]["region"] == "华东一组"


def test_default_jobs_is_the_cores_we_may_use():
    assert default_jobs() >= 1


@pytest.mark.slow
def test_two_files_of_one_region_and_month_leave_the_snapshot_one_by_one_would(tmp_path, settings):
    """east-2026-03.xlsx and form-customers.xlsx are both 华东区 2026-03: processed one by one in name
    order the latter keeps the snapshot, whichever finishes last in a parallel batch (the big one, given
    first, finishes last)."""
    import sqlite3

    files = [SAMPLES / "east-2026-03.xlsx", SAMPLES / "form-customers.xlsx"]
    for jobs in (2, 1):
        db = tmp_path / f"{jobs}.sqlite"
        outcomes = run_batch(
            files if jobs > 1 else sorted(files, key=lambda p: p.name),
            tmp_path / str(jobs),
            settings,
            RunOptions(history=db),
            jobs=jobs,
        )
        assert {(o.filed.region, o.filed.period) for o in outcomes} == {("华东区", "2026-03")}
        with sqlite3.connect(db) as con:
            assert con.execute(
                "SELECT source FROM snapshots WHERE region = '华东区' AND period = '2026-03'"
            ).fetchall() == [("form-customers.xlsx",)]


def _without_timestamps(report: dict) -> dict:
    """report.json without what changes from run to run by itself (none today; the names are the
    fields that would: the time a run took)."""
    return {key: value for key, value in report.items() if key not in ("generated_at", "seconds")}


def test_jobs_1_and_jobs_2_give_the_same_reports_byte_for_byte(tmp_path):
    """Every sample at once, named so that name order is not period order (March before January),
    with several workbooks of one region and month: --jobs 1 and --jobs 2 write the same report.json."""
    folder = tmp_path / "in"
    folder.mkdir()
    for sample in SAMPLES.glob("*.xlsx"):
        shutil.copy(sample, folder / sample.name)
    for number, month in ((1, "03"), (2, "01"), (3, "02")):  # the months again, named against their order
        shutil.copy(SAMPLES / f"east-2026-{month}.xlsx", folder / f"a{number}-review.xlsx")
    outputs = {}
    for jobs in ("1", "2"):
        out = tmp_path / f"jobs{jobs}"
        result = kamxl("process", str(folder), "--out", str(out), "--as-of", "2026-03-31", "--jobs", jobs)
        assert result.returncode in (0, 1), result.stderr
        outputs[jobs] = {
            p.name: _without_timestamps(json.loads(p.read_text("utf-8")))
            for p in sorted(out.glob("*.report.json"))
        }
    assert outputs["1"].keys() == outputs["2"].keys() and len(outputs["1"]) >= 18
    differing = [name for name in outputs["1"] if outputs["1"][name] != outputs["2"][name]]
    assert differing == []
    # the March review named first was compared with February all the same
    assert outputs["1"]["a1-review.report.json"]["history"]["previous_period"] == "2026-02"
    raw = {jobs: (tmp_path / f"jobs{jobs}" / "a1-review.report.json").read_bytes() for jobs in ("1", "2")}
    assert raw["1"] == raw["2"]
