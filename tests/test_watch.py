"""The drop folder, as a user runs it: a real `kamxl watch` process on temporary folders.

Good, bad, lock, hidden and duplicate files, one copied slowly in chunks, and
a watcher killed with SIGKILL in the middle of files and started again.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kamxl.watch import ignored, unique_name
from tests.conftest import SAMPLES

FAST = """
[watch]
settle_seconds = 0.3
rescan_seconds = 0.5
grace_seconds = 4.0
"""


def start(inbox: Path, outbox: Path, config: Path, *extra: str) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "kamxl",
            "watch",
            str(inbox),
            "--out",
            str(outbox),
            "--as-of",
            "2026-03-31",
            "--config",
            str(config),
            *extra,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def wait_for(predicate, timeout: float = 60.0, step: float = 0.05) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(step)
    return predicate()


def stop(proc: subprocess.Popen) -> tuple[int, str]:
    proc.send_signal(signal.SIGTERM)
    try:
        _, err = proc.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        _, err = proc.communicate()
        pytest.fail("the watcher did not stop on SIGTERM")
    return proc.returncode, err


@pytest.fixture()
def folders(tmp_path):
    inbox, outbox = tmp_path / "in", tmp_path / "out"
    inbox.mkdir()
    config = tmp_path / "kamxl.toml"
    config.write_text(FAST, "utf-8")
    return inbox, outbox, config


@pytest.mark.slow
def test_drop_folder_end_to_end(folders):
    inbox, outbox, config = folders
    shutil.copy(
        SAMPLES / "east-2026-01.xlsx", inbox / "east-2026-01.xlsx"
    )  # waiting before the watcher starts
    proc = start(inbox, outbox, config)
    try:
        done, failed = inbox / "done", inbox / "failed"
        assert wait_for(lambda: (done / "east-2026-01.xlsx").exists())
        # lock files, a hidden file: left alone
        for name in ("~$east-2026-03.xlsx", ".~lock.east-2026-03.xlsx#", ".hidden.xlsx"):
            (inbox / name).write_bytes(b"lock")
        shutil.copy(SAMPLES / "east-2026-03.xlsx", inbox / "east-2026-03.xlsx")
        (inbox / "notes.txt").write_text("not a workbook\n", "utf-8")
        (inbox / "broken.xlsx").write_bytes(
            b"PK\x03\x04" + b"\0" * 100
        )  # a zip that never completes: failed after the grace period
        # the same name again
        assert wait_for(lambda: (done / "east-2026-03.xlsx").exists())
        shutil.copy(SAMPLES / "east-2026-01.xlsx", inbox / "east-2026-01.xlsx")
        # a slow copy in chunks, pausing longer than the settle time
        data = (SAMPLES / "east-2026-02.xlsx").read_bytes()
        with (inbox / "east-2026-02.xlsx").open("wb") as fh:
            for i in range(0, len(data), len(data) // 3 + 1):
                fh.write(data[i : i + len(data) // 3 + 1])
                fh.flush()
                time.sleep(0.9)
        assert wait_for(
            lambda: (
                (done / "east-2026-02.xlsx").exists()
                and (done / "east-2026-01-2.xlsx").exists()
                and (failed / "broken.xlsx").exists()
                and (failed / "notes.txt").exists()
            ),
            timeout=90,
        )
    finally:
        code, log = stop(proc)
    assert code == 0
    assert sorted(p.name for p in done.iterdir()) == [
        "east-2026-01-2.xlsx",
        "east-2026-01.xlsx",
        "east-2026-02.xlsx",
        "east-2026-03.xlsx",
    ]
    assert sorted(p.name for p in failed.iterdir()) == [
        "broken.xlsx",
        "broken.xlsx.error.txt",
        "notes.txt",
        "notes.txt.error.txt",
    ]
    # inputs are moved, never changed; the duplicate's outputs do not overwrite the first's
    assert (done / "east-2026-02.xlsx").read_bytes() == data
    for stem in ("east-2026-01", "east-2026-01-2", "east-2026-02", "east-2026-03"):
        for suffix in (".kamxl.xlsx", ".report.json", ".summary.md", ".summary.html"):
            assert (outbox / f"{stem}{suffix}").is_file(), stem + suffix
    assert (outbox / "broken.report.json").is_file() and (outbox / "notes.report.json").is_file()
    reason = (failed / "notes.txt.error.txt").read_text("utf-8")
    assert "notes.txt" in reason and "notes.report.json" in reason and len(reason.splitlines()) <= 2
    # left alone
    assert sorted(p.name for p in inbox.iterdir() if p.is_file()) == [
        ".hidden.xlsx",
        ".~lock.east-2026-03.xlsx#",
        "~$east-2026-03.xlsx",
    ]
    assert not list(outbox.glob("*.part")) and not list((inbox / ".kamxl-work").iterdir())
    # the history saw February after March: March's report was written before February arrived
    march = json.loads((outbox / "east-2026-03.report.json").read_text("utf-8"))
    assert march["history"]["previous_period"] == "2026-01"
    # one line per file
    assert log.count("done in") + log.count("完成,用时") == 4 and log.count("失败,用时") == 2


@pytest.mark.slow
def test_killed_mid_file_and_restarted_loses_nothing(folders):
    inbox, outbox, config = folders
    names = [f"plan-{i}.xlsx" for i in range(6)] + ["bad.xlsx"]
    for name in names[:-1]:
        shutil.copy(SAMPLES / "east-2026-03.xlsx", inbox / name)
    (inbox / "bad.xlsx").write_text("a,b\n1,2\n", "utf-8")
    work = inbox / ".kamxl-work"
    kills = 0
    for _ in range(3):  # kill it mid-file, several times, at whatever step it is in
        proc = start(inbox, outbox, config)
        claimed = wait_for(lambda: work.exists() and any(work.iterdir()), timeout=60, step=0.005)
        time.sleep(0.05 * kills)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        kills += claimed
    assert kills >= 1, "the watcher was never caught in the middle of a file"
    proc = start(inbox, outbox, config)
    try:
        assert wait_for(
            lambda: (
                sum(1 for _ in (inbox / "done").glob("*")) + sum(1 for _ in (inbox / "failed").glob("*.xlsx"))
                == len(names)
            ),
            timeout=120,
        )
        time.sleep(1.0)  # nothing more happens
    finally:
        code, _ = stop(proc)
    assert code == 0
    done = sorted(p.name for p in (inbox / "done").iterdir())
    failed = sorted(p.name for p in (inbox / "failed").iterdir())
    # every input exactly once, under its own name: none lost, none duplicated
    assert done == sorted(names[:-1]) and failed == ["bad.xlsx", "bad.xlsx.error.txt"]
    assert not list(work.iterdir()) and not [p for p in inbox.iterdir() if p.is_file()]
    for name in names[:-1]:
        stem = name[:-5]
        assert json.loads((outbox / f"{stem}.report.json").read_text("utf-8"))["source"] == name
        assert (outbox / f"{stem}.kamxl.xlsx").is_file()
    assert not list(outbox.glob("plan-*-2.*")), "a re-run after the kill must not create second outputs"
    assert not list(outbox.glob("*.part")) and not list(outbox.glob(".*.part"))


@pytest.mark.slow
@pytest.mark.parametrize(
    "limit, reason",
    [
        ("time_limit_seconds = 0.01", "0.01"),
        ("memory_mb = 120", "120 MB"),  # too little even for pandas: every file hits the cap
    ],
)
def test_a_pathological_file_fails_and_the_watcher_goes_on(folders, limit, reason):
    inbox, outbox, config = folders
    config.write_text(FAST + limit + "\n", "utf-8")
    shutil.copy(SAMPLES / "east-2026-03.xlsx", inbox / "bad.xlsx")
    proc = start(inbox, outbox, config)
    try:
        assert wait_for(lambda: (inbox / "failed" / "bad.xlsx.error.txt").exists(), timeout=60)
        assert proc.poll() is None, "the watcher itself is still running"
        (inbox / "next.txt").write_text("x", "utf-8")  # and it goes on with the next file
        assert wait_for(lambda: (inbox / "failed" / "next.txt").exists(), timeout=60)
    finally:
        code, _ = stop(proc)
    assert code == 0
    assert reason in (inbox / "failed" / "bad.xlsx.error.txt").read_text("utf-8")


@pytest.mark.slow
def test_an_hr_export_dropped_becomes_appraisal_forms(folders):
    inbox, outbox, config = folders
    shutil.copy(SAMPLES / "hr-appraisal-2026q1.xlsx", inbox / "hr.xlsx")
    proc = start(inbox, outbox, config)
    try:
        assert wait_for(lambda: (inbox / "done" / "hr.xlsx").exists(), timeout=60)
    finally:
        code, _ = stop(proc)
    assert code == 0
    assert (outbox / "hr.appraisal.xlsx").is_file() and len(
        json.loads((outbox / "hr.appraisal.json").read_text("utf-8"))["employees"]
    ) == 5


@pytest.mark.slow
def test_polling_for_network_shares(folders):
    inbox, outbox, config = folders
    proc = start(inbox, outbox, config, "--poll", "0.5")
    try:
        time.sleep(1.0)
        shutil.copy(SAMPLES / "form-pnl.xlsx", inbox / "form-pnl.xlsx")
        assert wait_for(lambda: (inbox / "done" / "form-pnl.xlsx").exists(), timeout=60)
    finally:
        code, _ = stop(proc)
    assert code == 0 and (outbox / "form-pnl.kamxl.xlsx").is_file()


@pytest.mark.parametrize(
    "name, skip",
    [
        ("~$a.xlsx", True),
        (".~lock.a.xlsx#", True),
        (".a.xlsx", True),
        ("a.xlsx.tmp", True),
        ("a.crdownload", True),
        ("a.xlsx", False),
        ("说明.txt", False),
    ],
)
def test_ignored(name, skip):
    assert ignored(Path(name)) == skip


def test_unique_name(tmp_path):
    (tmp_path / "a.xlsx").touch()
    (tmp_path / "a-2.xlsx").touch()
    assert unique_name(tmp_path, "a.xlsx") == "a-3.xlsx"
    assert unique_name(tmp_path, "b.xlsx", {"b.xlsx"}) == "b-2.xlsx"
