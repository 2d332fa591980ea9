"""Hostile file names in the drop folder: a GBK name from a zip made on Chinese Windows (not UTF-8), names of
231–255 bytes, a newline in a name. Each is processed once, keeps its own bytes in done/ or failed/, and is
shown escaped in the log and in report.json; a watcher killed on such a name finishes it when restarted."""

from __future__ import annotations

import json
import os
import shutil
import signal
import time

from kamxl.claims import STEM_MAX
from kamxl.write.files import NAME_MAX, display, escape_controls, numbered, shorten
from tests.conftest import SAMPLES
from tests.test_watch import folders, start, stop, wait_for

__all__ = ["folders"]  # the fixture, used by name

GBK = os.fsdecode("华东区-2026-03".encode("gbk") + b".xlsx")
LONG = "华东区" + "计划" * 38 + "-2026-03.xlsx"  # 250 bytes
LONG_TEXT = (
    "说明" * 40 + "x" * 6 + ".txt"
)  # 250 bytes, not a workbook: failed/ needs a longer explanation name
NEWLINE = "form\npnl.xlsx"


def test_names_fit_and_are_stable():
    assert len(os.fsencode(LONG)) == 250 and len(os.fsencode(LONG_TEXT)) == 250
    short = shorten(LONG + LONG, NAME_MAX)
    assert len(os.fsencode(short)) <= NAME_MAX and short.endswith(".xlsx")
    assert short == shorten(LONG + LONG, NAME_MAX) != shorten(LONG + LONG + "x", NAME_MAX)
    stem = shorten("长" * 100, STEM_MAX, keep_suffix=False)
    assert len(os.fsencode(stem)) <= STEM_MAX and "~" in stem
    assert display(GBK) == "\\xbb\\xaa\\xb6\\xab\\xc7\\xf8-2026-03.xlsx"
    assert display(NEWLINE) == "form\\npnl.xlsx" and escape_controls("a\tb\x1b") == "a\\tb\\x1b"
    candidates = numbered("east.2026.xlsx")
    assert [next(candidates) for _ in range(3)] == ["east.2026.xlsx", "east.2026-2.xlsx", "east.2026-3.xlsx"]


def test_hostile_names_are_processed_once_and_shown_escaped(folders):
    inbox, outbox, config = folders
    shutil.copy(SAMPLES / "east-2026-03.xlsx", inbox / GBK)
    shutil.copy(SAMPLES / "east-2026-02.xlsx", inbox / LONG)
    shutil.copy(SAMPLES / "form-pnl.xlsx", inbox / NEWLINE)
    (inbox / LONG_TEXT).write_text("not a workbook\n", "utf-8")
    # killed while the first of them is claimed, and started again: no crash loop on the names
    proc = start(inbox, outbox, config)
    work = inbox / ".kamxl-work"
    wait_for(lambda: work.exists() and any(work.iterdir()), timeout=60, step=0.01)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.communicate()
    proc = start(inbox, outbox, config)
    try:
        assert wait_for(
            lambda: len(os.listdir(inbox / "done")) == 3 and len(os.listdir(inbox / "failed")) == 2,
            timeout=120,
        )
        time.sleep(0.5)
    finally:
        code, log = stop(proc)
    assert code == 0, log
    # own bytes kept on disk
    assert sorted(os.listdir(os.fsencode(inbox / "done"))) == sorted(
        os.fsencode(n) for n in (GBK, LONG, NEWLINE)
    )
    failed = os.listdir(inbox / "failed")
    assert LONG_TEXT in failed
    explanation = next(name for name in failed if name.endswith(".error.txt"))
    assert len(os.fsencode(explanation)) <= NAME_MAX
    # outputs under escaped, shortened stems; report.json names the input in escaped text
    gbk_stem = display(GBK)[:-5]
    report = json.loads((outbox / f"{gbk_stem}.report.json").read_text("utf-8"))
    assert report["source"] == display(GBK) and report["forms"]
    long_reports = [
        p for p in outbox.glob("*.report.json") if json.loads(p.read_text("utf-8"))["source"] == LONG
    ]
    assert len(long_reports) == 1 and len(os.fsencode(long_reports[0].name)) <= NAME_MAX
    long_stem = long_reports[0].name[: -len(".report.json")]
    for suffix in (".kamxl.xlsx", ".summary.md", ".summary.html"):
        assert (outbox / f"{gbk_stem}{suffix}").is_file() and (outbox / f"{long_stem}{suffix}").is_file()
    assert (outbox / "form\\npnl.kamxl.xlsx").is_file()
    # one log line per event: the newline in a name does not start a new line
    lines = log.splitlines()
    assert all(line[:4].isdigit() for line in lines), lines
    assert any("form\\npnl.xlsx" in line for line in lines)
    assert not list(work.iterdir()) and not [p for p in outbox.iterdir() if p.name.endswith(".part")]
