"""Faults around the drop folder, each with a real `kamxl watch` process: a full OUTBOX (a 2 MB tmpfs when
this machine lets the test mount one, and always a write that fails as a full disk does), a corrupt and a
full history, INBOX deleted and created again, a workbook without forms, and the status it all shows."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import SAMPLES
from tests.drop import WORKBOOKS, figures, make_input
from tests.test_watch import start, stop, wait_for
from tests.test_watch_many import SERVICE, _assert_clean

MONTHS = ["east-2026-01.xlsx", "east-2026-02.xlsx", "east-2026-03.xlsx"]

# a write that fails as on a full disk, for the outputs of inputs whose name holds "full", after the
# writer wrote into its temporary file; put on PYTHONPATH, it runs in the watcher and in its worker
FULL_DISK = """
import errno, os
from contextlib import contextmanager

import kamxl.write.files as files

_atomic_path = files.atomic_path


@contextmanager
def atomic_path(target):
    with _atomic_path(target) as tmp:
        yield tmp
        name = os.path.basename(str(target))
        if "full" in name and not name.endswith(".error.txt"):
            raise OSError(errno.ENOSPC, "No space left on device", str(tmp))


files.atomic_path = atomic_path
"""


@pytest.fixture()
def drop(tmp_path):
    inbox, outbox = tmp_path / "in", tmp_path / "out"
    inbox.mkdir()
    config = tmp_path / "kamxl.toml"
    config.write_text(
        SERVICE + "write_retries = 1\nretry_seconds = 0.2\n[history]\nretry_seconds = 0.5\n", "utf-8"
    )
    return inbox, outbox, config


@contextlib.contextmanager
def tmpfs(folder: Path, size: str):
    """``folder`` as a tmpfs of ``size``; skips the test where mounting is not allowed."""
    folder.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)], capture_output=True
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode(errors='replace').strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True)


def _done_have_outputs(inbox: Path, outbox: Path) -> list[str]:
    """Inputs in done/ whose outputs are not all there (each report.json names its input)."""
    reports: dict[str, list[str]] = {}
    for report in outbox.glob("*.report.json"):
        with contextlib.suppress(ValueError):
            reports.setdefault(json.loads(report.read_text("utf-8"))["source"], []).append(
                report.name[: -len(".report.json")]
            )
    missing = []
    for done in (inbox / "done").iterdir():
        stems = reports.get(done.name, [])
        complete = [
            stem
            for stem in stems
            if all(
                (outbox / f"{stem}{suffix}").exists()
                for suffix in (".kamxl.xlsx", ".summary.md", ".summary.html")
            )
        ]
        if not complete:
            missing.append(done.name)
    return missing


def _filed(inbox: Path) -> int:
    """Inputs in done/ and failed/ so far."""
    count = 0
    for state in ("done", "failed"):
        with contextlib.suppress(OSError):
            count += sum(1 for p in (inbox / state).iterdir() if not p.name.endswith(".error.txt"))
    return count


def _log_ok(log: str) -> None:
    assert "Traceback" not in log and "ZipFile.__del__" not in log, log[-3000:]


@pytest.mark.slow
def test_outbox_on_a_full_2mb_tmpfs(drop, tmp_path):
    inbox, _, config = drop
    with tmpfs(tmp_path / "small", "2m") as outbox:
        sent = {}
        for number in range(40):
            ident = f"d{number:03d}"
            make_input(inbox, f"plan-{number:03d}.xlsx", ident, WORKBOOKS[number % len(WORKBOOKS)])
            sent[ident] = True
        proc = start(inbox, outbox, config, "--lang", "en")
        try:
            assert wait_for(lambda: _filed(inbox) == len(sent), timeout=240, step=0.2)
            time.sleep(3)
            assert proc.poll() is None
        finally:
            code, log = stop(proc)
        counts = figures(inbox, outbox, {ident: False for ident in sent})  # here a valid file may fail
        print(f"\nFIGURES 2 MB tmpfs: {json.dumps(counts)}")
        assert code == 0
        _log_ok(log)
        assert counts["lost"] == [] and counts["duplicated"] == [] and counts["debris"] == [], counts
        assert counts["done"] > 0 and counts["failed"] > 0, "the disk was meant to fill up"
        # no input is done with outputs missing
        assert _done_have_outputs(inbox, outbox) == []
        # a failed one says the disk is full, and where; it left no outputs
        for explanation in (inbox / "failed").glob("*.error.txt"):
            text = explanation.read_text("utf-8")
            assert "Disk full" in text and str(outbox) in text, text
            name = explanation.name[: -len(".error.txt")]
            assert not (outbox / name.replace(".xlsx", ".kamxl.xlsx")).exists()
        assert not [p.name for p in outbox.iterdir() if p.name.endswith(".part")]


def test_a_write_that_fails_as_a_full_disk_leaves_no_outputs_and_says_so(drop, tmp_path):
    inbox, outbox, config = drop
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(FULL_DISK, "utf-8")
    make_input(inbox, "full-march.xlsx", "f1", "east-2026-03.xlsx")
    make_input(inbox, "fine.xlsx", "f2", "form-pnl.xlsx")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(hook), *sys.path]))
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "kamxl",
            "watch",
            str(inbox),
            "--out",
            str(outbox),
            "--config",
            str(config),
            "--lang",
            "en",
        ],
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        start_new_session=True,
    )
    try:
        assert wait_for(
            lambda: (
                (inbox / "failed" / "full-march.xlsx").exists() and (inbox / "done" / "fine.xlsx").exists()
            ),
            timeout=120,
        )
    finally:
        code, log = stop(proc)
    assert code == 0
    _log_ok(log)
    reason = (inbox / "failed" / "full-march.xlsx.error.txt").read_text("utf-8")
    assert reason.startswith("Disk full") and str(outbox) in reason, reason
    assert "trying again" in log  # retried once before it failed
    assert not list(outbox.glob("full-march.*")) and not [
        p for p in outbox.iterdir() if p.name.endswith(".part")
    ]
    assert _done_have_outputs(inbox, outbox) == []


def _snapshots(db: Path) -> list[tuple[str, str]]:
    """The (region, period) of every snapshot filed; none when nothing ever created the history's tables."""
    with contextlib.closing(sqlite3.connect(db)) as con:
        if not con.execute("SELECT 1 FROM sqlite_master WHERE name = 'snapshots'").fetchone():
            return []
        return con.execute("SELECT region, period FROM snapshots ORDER BY region, period").fetchall()


def _run_months(inbox: Path, outbox: Path, config: Path, names: list[str], *extra: str) -> str:
    """The three months dropped one after the other into one watcher; its log."""
    proc = start(inbox, outbox, config, *extra)
    try:
        for name in names:
            shutil.copy(SAMPLES / name, inbox / name)
            assert wait_for(lambda n=name: (inbox / "done" / n).exists(), timeout=90)
    finally:
        code, log = stop(proc)
    assert code == 0
    return log


def test_a_corrupt_history_is_moved_aside_and_rebuilt_from_the_reports(drop):
    inbox, outbox, config = drop
    _run_months(inbox, outbox, config, MONTHS)
    db = outbox / "kamxl-history.sqlite"
    months = _snapshots(db)
    assert months == [("华东区", "2026-01"), ("华东区", "2026-02"), ("华东区", "2026-03")]
    first = json.loads((outbox / "east-2026-03.report.json").read_text("utf-8"))
    with db.open("r+b") as handle:  # pages after the header overwritten: quick_check fails
        handle.seek(4096)
        handle.write(b"\xde\xad\xbe\xef" * 2048)
    shutil.copy(SAMPLES / "east-2026-03.xlsx", inbox / "again.xlsx")
    proc = start(inbox, outbox, config, "--lang", "en")
    try:
        assert wait_for(lambda: (inbox / "done" / "again.xlsx").exists(), timeout=90)
    finally:
        _, log = stop(proc)
    assert "is corrupt" in log and "rebuilt: 3 snapshots" in log, log
    assert list(outbox.glob("kamxl-history.sqlite.corrupt-*"))
    assert _snapshots(db) == months
    # March again, against the rebuilt history: the same movement, stuck and trends as the first time
    again = json.loads((outbox / "again.report.json").read_text("utf-8"))
    for key in ("movement", "transitions", "conversion", "stuck", "stuck_share", "health", "health_rule"):
        assert again["funnel"].get(key) == first["funnel"].get(key), key
    assert again["history"]["previous_period"] == "2026-02"
    assert [t["period"] for t in again["trends"]] == ["2026-01", "2026-02", "2026-03"]


def test_snapshots_the_history_could_not_take_are_filed_again_loudly(drop, tmp_path):
    """The history is unusable for a while (here: its folder cannot be made, a file has its name, as a
    full or read-only disk would refuse it): every month is queued, the log and status.json say so, and
    once the history works again every month is filed, oldest first."""
    inbox, outbox, config = drop
    blocker = tmp_path / "shared"
    blocker.write_text("not a folder", "utf-8")
    history = blocker / "history.sqlite"
    proc = start(inbox, outbox, config, "--history", str(history), "--lang", "en")
    try:
        for name in MONTHS:
            shutil.copy(SAMPLES / name, inbox / name)
            assert wait_for(lambda n=name: (inbox / "done" / n).exists(), timeout=90)
        assert wait_for(lambda: len(list((inbox / ".kamxl-refile").glob("*.json"))) == 3, timeout=10)
        assert wait_for(
            lambda: json.loads((outbox / "status.json").read_text("utf-8"))["history"]["pending"] == 3,
            timeout=10,
        )
        blocker.unlink()  # the history works again
        assert wait_for(lambda: not list((inbox / ".kamxl-refile").glob("*.json")), timeout=60)
        time.sleep(1.0)
    finally:
        code, log = stop(proc)
    assert code == 0
    _log_ok(log)
    assert "!!!" in log and "snapshots are not in the history yet" in log
    assert _snapshots(history) == [("华东区", "2026-01"), ("华东区", "2026-02"), ("华东区", "2026-03")]
    march = json.loads((outbox / "east-2026-03.report.json").read_text("utf-8"))
    assert march["history"]["previous_period"] == "2026-02"  # the report was written again, with its history
    assert json.loads((outbox / "status.json").read_text("utf-8"))["history"]["pending"] == 0


@pytest.mark.slow
def test_a_full_history_disk_is_detected_and_no_month_is_missing(drop, tmp_path):
    inbox, outbox, config = drop
    with tmpfs(tmp_path / "hist", "1m") as folder:
        filler = folder / "filler"
        with contextlib.suppress(OSError), filler.open("wb") as handle:
            handle.write(b"\0" * 2 * 1024 * 1024)  # the disk is full
        history = folder / "h.sqlite"
        proc = start(inbox, outbox, config, "--history", str(history), "--lang", "en")
        try:
            for name in MONTHS:
                shutil.copy(SAMPLES / name, inbox / name)
                assert wait_for(lambda n=name: (inbox / "done" / n).exists(), timeout=90)
            assert wait_for(lambda: len(list((inbox / ".kamxl-refile").glob("*.json"))) == 3, timeout=10)
            filler.unlink()
            assert wait_for(lambda: not list((inbox / ".kamxl-refile").glob("*.json")), timeout=60)
        finally:
            code, log = stop(proc)
        assert code == 0
        assert "did not take this snapshot" in log
        assert _snapshots(history) == [("华东区", "2026-01"), ("华东区", "2026-02"), ("华东区", "2026-03")]


def test_inbox_deleted_and_created_again(drop):
    inbox, outbox, config = drop
    proc = start(inbox, outbox, config, "--lang", "en")
    try:
        make_input(inbox, "first.xlsx", "g1")
        assert wait_for(lambda: (inbox / "done" / "first.xlsx").exists(), timeout=90)
        make_input(inbox, "lost.xlsx", "g0", "east-2026-03.xlsx")
        work = inbox / ".kamxl-work"
        assert wait_for(lambda: any(work.iterdir()), timeout=60, step=0.005)
        for _ in range(100):  # with the file in progress (the watcher may write into it meanwhile)
            shutil.rmtree(inbox, ignore_errors=True)
            if not inbox.exists():
                break
        time.sleep(2.0)
        assert proc.poll() is None and not inbox.exists(), "INBOX is not made again by the watcher"
        inbox.mkdir()
        make_input(inbox, "second.xlsx", "g2")
        assert wait_for(lambda: (inbox / "done" / "second.xlsx").exists(), timeout=90)
    finally:
        code, log = stop(proc)
    assert code == 0
    _log_ok(log)
    assert "is gone" in log and "is back" in log


def test_a_workbook_without_forms_fails_and_files_no_snapshot(drop):
    import openpyxl

    inbox, outbox, config = drop
    book = openpyxl.Workbook()
    book.active["A1"] = "hello"
    book.save(inbox / "nothing.xlsx")
    proc = start(inbox, outbox, config, "--lang", "en")
    try:
        assert wait_for(lambda: (inbox / "failed" / "nothing.xlsx.error.txt").exists(), timeout=90)
    finally:
        code, _ = stop(proc)
    assert code == 0
    reason = (inbox / "failed" / "nothing.xlsx.error.txt").read_text("utf-8")
    assert "no form" in reason and "nothing.report.json" in reason
    assert not (outbox / "nothing.kamxl.xlsx").exists() and (outbox / "nothing.report.json").exists()
    assert _snapshots(outbox / "kamxl-history.sqlite") == []


def test_status_file_and_status_option(drop):
    inbox, outbox, config = drop
    make_input(inbox, "good.xlsx", "h1")
    make_input(inbox, "bad.txt", "h2", sample=None)
    proc = start(inbox, outbox, config, "--lang", "en")
    try:
        assert wait_for(
            lambda: (inbox / "failed" / "bad.txt").exists() and (inbox / "done" / "good.xlsx").exists(),
            timeout=90,
        )
        assert wait_for(lambda: (outbox / "status.json").exists(), timeout=10)
        time.sleep(1.0)
        status = json.loads((outbox / "status.json").read_text("utf-8"))
    finally:
        code, _ = stop(proc)
    assert code == 0
    assert status["queue"] == 0 and status["today"] == {"done": 1, "failed": 1}
    assert status["last_error"]["name"] == "bad.txt" and status["in_progress"] == []
    assert status["history"]["state"] == "ok" and status["history"]["pending"] == 0
    make_input(inbox, "waiting.xlsx", "h3")
    shown = subprocess.run(
        [
            sys.executable,
            "-m",
            "kamxl",
            "watch",
            str(inbox),
            "--out",
            str(outbox),
            "--status",
            "--lang",
            "en",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert shown.returncode == 0, shown.stderr
    assert "1 files waiting; today 1 done, 1 failed" in shown.stdout
    assert "last error: bad.txt" in shown.stdout and "history: ok" in shown.stdout


def test_debris_left_by_a_killed_writer_is_removed_at_start(drop):
    inbox, outbox, config = drop
    outbox.mkdir()
    old = time.time() - 3600
    for name in (".plan.kamxl.abcd1234.xlsx.part", ".status.abcd1234.json.part"):
        (outbox / name).write_bytes(b"")
        os.utime(outbox / name, (old, old))
    (inbox / "failed").mkdir()
    (inbox / "failed" / ".x.error.abcd1234.txt.part").write_bytes(b"")
    os.utime(inbox / "failed" / ".x.error.abcd1234.txt.part", (old, old))
    proc = start(inbox, outbox, config)
    try:
        assert wait_for(
            lambda: (
                not [p for d in (outbox, inbox / "failed") for p in d.iterdir() if p.name.endswith(".part")]
            ),
            timeout=30,
        )
    finally:
        code, _ = stop(proc)
    assert code == 0


def test_figures_of_a_clean_run(drop):
    """The baseline the fault runs are compared with: one watcher, no faults."""
    inbox, outbox, config = drop
    sent = {}
    for number in range(10):
        make_input(inbox, f"p{number}.xlsx", f"c{number}", WORKBOOKS[number % len(WORKBOOKS)])
        sent[f"c{number}"] = True
    proc = start(inbox, outbox, config)
    try:
        assert wait_for(lambda: _filed(inbox) == 10, timeout=120)
        time.sleep(0.5)
    finally:
        code, _ = stop(proc)
    assert code == 0
    _assert_clean(inbox, outbox, sent, "one watcher, no faults")
