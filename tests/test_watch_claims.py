"""Claims a watcher finds when it starts or while it runs, as other watchers (or older kamxl versions) left
them: one whose owner is alive is left alone, here by its process, elsewhere by its heartbeat; one whose
owner is gone is taken over and finished; one stopped at the exact rename is finished without orphans."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

from kamxl.claims import CLAIM_FILE, Owner, owner_gone, process_start
from tests.conftest import SAMPLES
from tests.test_watch import start, stop, wait_for
from tests.test_watch_many import SERVICE, drop

__all__ = ["drop"]  # the fixture, used by name


def _claim(inbox: Path, outbox: Path, name: str, owner: dict | None, **extra) -> tuple[Path, str]:
    """A claim folder as a watcher leaves it once the input moved in: claim file, stem reservation, input."""
    claim_id = uuid.uuid4().hex
    folder = inbox / ".kamxl-work" / f"20260101-000000-{claim_id[:12]}"
    folder.mkdir(parents=True)
    stem = name.rsplit(".", 1)[0]
    data = {
        "version": 2,
        "id": claim_id,
        "kind": "file",
        "name": name,
        "name_hex": os.fsencode(name).hex(),
        "input": name,
        "stem": stem,
        "claimed": time.time(),
        "owner": owner,
        "worker_kills": 0,
        "interrupted": 0,
        "write_failures": 0,
        "filing": None,
    } | extra
    (folder / CLAIM_FILE).write_text(json.dumps(data), "utf-8")
    outbox.mkdir(exist_ok=True)
    (outbox / f".{stem}.kamxl-stem").write_text(f"kamxl-claim {claim_id}\n", "ascii")
    shutil.copy(SAMPLES / "form-pnl.xlsx", folder / name)
    return folder, claim_id


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_owner_gone():
    me = Owner.me()
    alive = me.as_dict()
    assert not owner_gone(alive, 0.0, 1.0, me)
    assert owner_gone(alive | {"pid": _dead_pid()}, time.time(), 1.0, me)
    assert owner_gone(alive | {"started": (me.started or 0) + 1}, time.time(), 1.0, me) == (
        me.started is not None
    )
    assert owner_gone(alive | {"boot": "another boot"}, time.time(), 1.0, me) == (me.boot is not None)
    elsewhere = {"host": "elsewhere", "pid": 1, "started": None, "boot": None}
    assert not owner_gone(elsewhere, time.time(), 5.0, me) and owner_gone(
        elsewhere, time.time() - 10, 5.0, me
    )
    assert owner_gone(None, time.time(), 5.0, me)  # a claim of an older kamxl has no owner


def test_live_claims_are_left_alone_and_abandoned_ones_taken_over(drop):
    inbox, outbox, config = drop
    config.write_text(SERVICE + "heartbeat_limit_seconds = 3.0\n", "utf-8")
    remote, _ = _claim(
        inbox, outbox, "remote.xlsx", {"host": "elsewhere", "pid": 1, "started": 1, "boot": "b"}
    )
    me = Owner.me()
    local, local_id = _claim(inbox, outbox, "local.xlsx", me.as_dict())  # this test process: alive
    beating = threading.Event()

    def heartbeat() -> None:  # the remote watcher, alive for a while
        while not beating.wait(0.3):
            os.utime(remote / CLAIM_FILE)

    thread = threading.Thread(target=heartbeat)
    thread.start()
    proc = start(inbox, outbox, config, "--lang", "en")
    try:
        time.sleep(4.0)
        assert (remote / "remote.xlsx").exists() and (local / "local.xlsx").exists(), "a live claim was taken"
        beating.set()  # the remote watcher stops: its heartbeat gets old
        assert wait_for(lambda: (inbox / "done" / "remote.xlsx").exists(), timeout=60)
        assert (local / "local.xlsx").exists()
        data = json.loads((local / CLAIM_FILE).read_text("utf-8"))
        data["owner"]["pid"] = _dead_pid()  # the local owner dies
        (local / CLAIM_FILE).write_text(json.dumps(data), "utf-8")
        assert wait_for(lambda: (inbox / "done" / "local.xlsx").exists(), timeout=60)
    finally:
        beating.set()
        thread.join()
        code, log = stop(proc)
    assert code == 0
    assert "remote.xlsx: taken over from a watcher that is gone (elsewhere:1)" in log
    assert f"local.xlsx: taken over from a watcher that is gone ({socket.gethostname()}:" in log
    for stem in ("remote", "local"):  # under the stems they reserved, nothing doubled
        assert json.loads((outbox / f"{stem}.report.json").read_text("utf-8"))["forms"]
    assert not list(outbox.glob("*-2.*")) and not list(outbox.glob(".*.kamxl-stem"))
    assert not any((inbox / ".kamxl-work").iterdir()) and local_id


def test_a_claim_of_an_older_kamxl_is_finished(drop):
    """Upgrading while a file was claimed: the old claim.json ({"name", "stem"}) is finished."""
    inbox, outbox, config = drop
    folder = inbox / ".kamxl-work" / "20250101-000000-abcdef12"
    folder.mkdir(parents=True)
    (folder / "claim.json").write_text(json.dumps({"name": "old.xlsx", "stem": "old"}), "utf-8")
    shutil.copy(SAMPLES / "form-pnl.xlsx", folder / "old.xlsx")
    proc = start(inbox, outbox, config)
    try:
        assert wait_for(lambda: (inbox / "done" / "old.xlsx").exists(), timeout=60)
    finally:
        code, _ = stop(proc)
    assert code == 0 and (outbox / "old.kamxl.xlsx").exists()
    assert not any((inbox / ".kamxl-work").iterdir())


def test_killed_at_the_exact_rename_is_finished_without_orphans(drop):
    """Killed after failed/x.txt was reserved and x.txt.error.txt written, before the input moved; and
    another killed after done/same-2.xlsx was reserved (done/same.xlsx being someone else's)."""
    inbox, outbox, config = drop
    dead = {"host": socket.gethostname(), "pid": _dead_pid(), "started": None, "boot": None}
    failed, done = inbox / "failed", inbox / "done"
    failed.mkdir()
    done.mkdir()
    reason = "The workbook holds no form kamxl recognises."
    bad, bad_id = _claim(
        inbox, outbox, "x.txt", dead, filing={"to": "failed", "name_hex": b"x.txt".hex(), "reason": reason}
    )
    (bad / "x.txt").write_text("not a workbook", "utf-8")
    (failed / "x.txt").write_text(f"kamxl-claim {bad_id}\n", "ascii")
    (failed / "x.txt.error.txt").write_text(reason + "\n", "utf-8")
    (done / "same.xlsx").write_bytes(b"someone else's")
    good, good_id = _claim(
        inbox, outbox, "same.xlsx", dead, filing={"to": "done", "name_hex": b"same-2.xlsx".hex()}
    )
    (done / "same-2.xlsx").write_text(f"kamxl-claim {good_id}\n", "ascii")
    proc = start(inbox, outbox, config)
    try:
        assert wait_for(lambda: not any((inbox / ".kamxl-work").iterdir()), timeout=60)
    finally:
        code, log = stop(proc)
    assert code == 0, log
    assert sorted(p.name for p in failed.iterdir()) == ["x.txt", "x.txt.error.txt"]
    assert (failed / "x.txt").read_text("utf-8") == "not a workbook"
    assert sorted(p.name for p in done.iterdir()) == ["same-2.xlsx", "same.xlsx"]
    assert (done / "same.xlsx").read_bytes() == b"someone else's"
    assert (done / "same-2.xlsx").read_bytes() == (SAMPLES / "form-pnl.xlsx").read_bytes()
    assert process_start(os.getpid()) is not None or sys.platform != "linux"
