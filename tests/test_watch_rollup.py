"""kamxl watch --rollup: real watcher processes keep the roll-up of the latest period up to date.

One watcher: after each file the roll-up in OUTBOX/rollup/ holds every region
filed so far, its links point at the regions' workbooks in OUTBOX. Two watchers
sharing INBOX and the roll-up folder: whichever wrote last read the history
last, so the roll-up left holds every region, and no staging folder is left.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from kamxl.rollup import LOCK_NAME, STAGING_PREFIX
from tests.conftest import SAMPLES
from tests.test_watch import FAST, start, stop, wait_for

REGIONS = {"east-2026-03.xlsx": "华东区", "south-2026-03.xlsx": "华南区", "northwest-2026-03.xlsx": "西北区"}


def _regions(folder: Path) -> list[str]:
    """The regions of the roll-up in ``folder`` (none while there is none, or while it is replaced)."""
    try:
        report = json.loads((folder / "org-2026-03.rollup.json").read_text("utf-8"))
    except (OSError, ValueError):
        return []
    return sorted(region["region"] for region in report["regions"])


@pytest.fixture()
def drop(tmp_path):
    inbox, outbox = tmp_path / "in", tmp_path / "out"
    inbox.mkdir()
    config = tmp_path / "kamxl.toml"
    config.write_text(FAST, "utf-8")
    return inbox, outbox, config


@pytest.mark.slow
def test_the_rollup_follows_each_file(drop):
    inbox, outbox, config = drop
    folder = outbox / "rollup"
    proc = start(inbox, outbox, config, "--rollup")
    try:
        shutil.copy(SAMPLES / "east-2026-03.xlsx", inbox / "east-2026-03.xlsx")
        assert wait_for(lambda: _regions(folder) == ["华东区"], timeout=90)
        shutil.copy(SAMPLES / "south-2026-03.xlsx", inbox / "south-2026-03.xlsx")
        assert wait_for(lambda: _regions(folder) == ["华东区", "华南区"], timeout=90)
    finally:
        code, log = stop(proc)
    assert code == 0, log
    assert sorted(path.name for path in folder.iterdir()) == [
        LOCK_NAME,
        "org-2026-03.rollup.json",
        "org-2026-03.rollup.xlsx",
        "org-2026-03.summary.html",
        "org-2026-03.summary.md",
    ]
    report = json.loads((folder / "org-2026-03.rollup.json").read_text("utf-8"))
    links = {region["region"]: region["report"] for region in report["regions"]}
    assert links["华南区"] == "../south-2026-03.kamxl.xlsx" and (folder / links["华南区"]).is_file()
    assert log.count(str(folder)) >= 2  # a line per roll-up written, naming where
    status = json.loads((outbox / "status.json").read_text("utf-8"))
    assert status["rollup"]["period"] == "2026-03" and status["rollup"]["error"] is None


@pytest.mark.slow
def test_two_watchers_sharing_the_rollup_folder_leave_the_latest(drop, tmp_path):
    inbox, outbox, config = drop
    folder = tmp_path / "shared-rollup"
    watchers = [start(inbox, outbox, config, "--rollup", str(folder)) for _ in range(2)]
    try:
        for name in REGIONS:
            shutil.copy(SAMPLES / name, inbox / name)
        assert wait_for(lambda: all((inbox / "done" / name).exists() for name in REGIONS), timeout=120)
        assert wait_for(lambda: _regions(folder) == sorted(REGIONS.values()), timeout=60)
    finally:
        logs = [stop(proc) for proc in watchers]
    assert [code for code, _ in logs] == [0, 0], logs
    assert not list(folder.glob(STAGING_PREFIX + "*"))
    assert not [path.name for path in folder.iterdir() if path.name.endswith(".part")]


def test_rollup_needs_the_history(drop):
    from click.testing import CliRunner

    from kamxl.cli import main

    inbox, outbox, _ = drop
    result = CliRunner().invoke(main, ["watch", str(inbox), "--out", str(outbox), "--no-history", "--rollup"])
    assert result.exit_code == 2 and "--rollup" in result.output
