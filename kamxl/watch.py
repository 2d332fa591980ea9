"""The drop folder: workbooks that appear in INBOX are processed into OUTBOX, and never lost.

Several watchers (on one machine, or on several sharing a network folder) may
watch one INBOX, be killed at any moment and started again: every input ends
exactly once in ``done/`` or ``failed/``. Each file goes through three steps:

1. claim: a folder ``INBOX/.kamxl-work/<id>/`` gets ``.claim.json`` (the
   file's name, the output stem reserved for it in OUTBOX, its owner), then
   the file is renamed into it (``kamxl.claims`` says how claims are owned,
   kept alive and taken over);
2. process: the same ``process`` as the CLI, in a worker process with a time
   limit and a memory cap that dies with its watcher (``kamxl.worker``);
3. file away: a name in ``done/`` or ``failed/`` is reserved exclusively, the
   input is renamed onto it (failed/ gets ``<name>.error.txt`` saying why),
   then the claim folder is removed.

A file is done only when every output it should have was written; outputs
that could not be written (a full disk) are removed and the file is tried
again, then failed with the reason. A worker that was killed is replaced and
the file tried again (``watch.worker_retries``). A snapshot the history could
not take is queued in ``INBOX/.kamxl-refile/`` and filed again, loudly, until
it is; a corrupt history is moved aside and rebuilt from the reports in
OUTBOX. ``status.json`` in OUTBOX (and ``kamxl watch --status``) tells how it
all stands. With ``rollup`` (a folder), the roll-up of the latest period is
written there after each file filed in the history (once after the last of
several waiting), all its files or none, under a lock the watchers sharing
the folder take in turn (``kamxl.rollup.publish``). Library code: it logs
through the callable it is given and never prints.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import threading
import time
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from kamxl import SPREADSHEET_SUFFIXES
from kamxl.claims import (
    CLAIM_FILE,
    STAGING,
    STEM_MAX,
    WORK,
    Claim,
    Owner,
    error_name,
    from_hex,
    held_stems,
    is_me,
    link_or_move,
    new_folder_name,
    outputs_of,
    owner_gone,
    release_stem,
    release_stems_of,
    remove_claim_folder,
    reserve_name,
    reserve_stem,
    staging_name,
    staging_owner,
    take_over,
)
from kamxl.config import Settings
from kamxl.issues import describe
from kamxl.outcome import Outcome
from kamxl.worker import FileJob, Result, Worker
from kamxl.write.files import (
    create_exclusive,
    display,
    escape_controls,
    is_disk_full,
    is_temporary,
    numbered,
    shorten,
    split_name,
    temp_prefix,
    write_atomic,
)

if TYPE_CHECKING:
    from types import FrameType

    from watchdog.observers.api import BaseObserver

    from kamxl.rollup import RollupOutcome
    from kamxl.store import HistoryStore

REFILE = ".kamxl-refile"
REFILE_ENTRY = ".refile.json"
INCOMPLETE_CODES = ("corrupt_file", "empty_file", "file_not_found")
__all__ = ["FileJob", "Watcher", "ignored", "read_status", "status_lines", "unique_name"]


def ignored(path: Path) -> bool:
    """Lock files of Excel, WPS and LibreOffice, hidden and temporary files: left where they are."""
    name = path.name
    low = name.lower()
    return (
        name.startswith(("~$", ".~lock.", ".", "~"))
        or low.endswith((".tmp", ".temp", ".part", ".crdownload", ".download", "#"))
        or low in ("thumbs.db", "desktop.ini")
    )


def unique_name(folder: Path, name: str, taken: Collection[str] = frozenset()) -> str:
    """``name``, or ``stem-2.ext``, ``stem-3.ext`` … whichever is free in ``folder`` (a guess: only a
    reservation makes a name safe from another process)."""
    return next(c for c in numbered(name) if c not in taken and not (folder / c).exists())


class Verdict(NamedTuple):
    """What becomes of a processed claim: "done", "failed" (``reason`` says why) or "release" (back to
    INBOX: the watcher is stopping)."""

    state: str
    reason: str | None
    outcome: Outcome | None
    seconds: float


def _now() -> str:
    return dt.datetime.now().isoformat(timespec="seconds")


@dataclass
class Watcher:
    """One drop folder: INBOX in, OUTBOX out."""

    inbox: Path
    outbox: Path
    settings: Settings
    history: Path | None = None
    region: str | None = None
    as_of: dt.date | None = None
    poll: float | None = None
    rollup: Path | None = None  # keep the roll-up of the latest period up to date in this folder
    log: Callable[[str], None] = lambda line: None
    stop: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        self.inbox, self.outbox = Path(self.inbox), Path(self.outbox)
        self.done = self.inbox / self.settings.get("watch.done_folder")
        self.failed = self.inbox / self.settings.get("watch.failed_folder")
        self.work = self.inbox / WORK
        self.refile = self.inbox / REFILE
        self.wake = threading.Event()
        self.ended = threading.Event()
        self.seen: dict[Path, tuple[int, int, float]] = {}  # path -> (size, mtime_ns, when first seen so)
        self.worker = Worker(self.settings)
        self.me = Owner.me()
        self.inbox_gone = False
        self.last_error: dict[str, Any] | None = None
        self.history_state: dict[str, Any] = {"state": "none" if self.history is None else "unchecked"}
        self.periodic_at = 0.0
        self.refile_at = 0.0
        # a roll-up is due at start, and after each file filed in the history
        self.rollup_due = self.rollup is not None and self.history is not None
        self.rollup_state: dict[str, Any] | None = None

    def setting(self, key: str) -> float:
        """A number of the [watch] settings."""
        return float(self.settings.get(f"watch.{key}"))

    def say(self, key: str, **args: Any) -> None:
        """Log a catalogue line; control characters escaped, so one event stays one line."""
        self.log(escape_controls(self.settings.label(f"ui.{key}", **args)))

    def stop_on_signals(self) -> None:
        """Ctrl-C and SIGTERM stop the watcher after the current file (within ``stop_grace_seconds``, or
        the file goes back to INBOX). Stopping is bounded: should the watcher still run a few seconds past
        the grace period, it exits with every thread's traceback on stderr, and the next watcher finishes
        its claims. Call from the main thread."""
        import faulthandler
        import signal

        def stop(signum: int, frame: FrameType | None) -> None:
            self.stop.set()
            self.wake.set()
            faulthandler.dump_traceback_later(self.setting("stop_grace_seconds") + 5, exit=True)

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)

    # -- the loop ---------------------------------------------------------------
    def run(self) -> None:
        """Finish what a killed watcher left, process what is waiting, then watch until stopped."""
        self._make_folders()
        self.sweep_debris()
        self.check_history()
        beat = threading.Thread(target=self._heartbeat, daemon=True, name="kamxl-heartbeat")
        beat.start()
        observer = self._observer()
        try:
            self.recover()
            while not self.stop.is_set():
                observer = self.cycle(observer)
                self.wake.wait(self._next_wait())
                self.wake.clear()
        finally:
            self.ended.set()
            if observer is not None:
                observer.stop()
                observer.join(5)
            self.worker.close()
            self.write_status()

    def _make_folders(self) -> None:
        for folder in (self.outbox, self.done, self.failed, self.work):
            folder.mkdir(parents=True, exist_ok=True)

    def cycle(self, observer: BaseObserver | None) -> BaseObserver | None:
        """One round: new files, then (every rescan interval) abandoned claims, snapshots to file again,
        debris and the status file. Returns the observer, started anew when INBOX came back."""
        if not self._inbox_present():
            if observer is not None:
                observer.stop()
            return None
        if observer is None:
            observer = self._observer()
        self.scan()
        self.refresh_rollup()
        if time.monotonic() - self.periodic_at >= self.setting("rescan_seconds") and not self.stop.is_set():
            self.periodic_at = time.monotonic()
            self.recover()
            self.refile_pending()
            self.sweep_debris()
            self.write_status()
        return observer

    def _inbox_present(self) -> bool:
        """INBOX is there; when it was deleted, say so once, and when it is back, make its folders again."""
        if self.inbox.is_dir():
            if self.inbox_gone:
                self.inbox_gone = False
                self._make_folders()
                self.say("watch_inbox_back", inbox=display(str(self.inbox)))
            return True
        if not self.inbox_gone:
            self.inbox_gone = True
            self.say("watch_inbox_gone", inbox=display(str(self.inbox)))
            self.write_status()
        return False

    def _observer(self) -> BaseObserver | None:
        """A started watchdog observer that wakes the loop on any change in INBOX (polling with --poll);
        None when INBOX cannot be watched now (the rescan still finds every file)."""
        from watchdog.events import FileSystemEvent, FileSystemEventHandler
        from watchdog.observers import Observer
        from watchdog.observers.polling import PollingObserver

        watcher = self

        class Handler(FileSystemEventHandler):
            def on_any_event(self, event: FileSystemEvent) -> None:
                watcher.wake.set()

        observer = PollingObserver(timeout=self.poll) if self.poll else Observer()
        try:
            observer.schedule(Handler(), str(self.inbox), recursive=False)
            observer.start()
        except OSError:
            return None
        return observer

    def _next_wait(self) -> float:
        """Seconds until the next scan: soon while a file is settling, else at the rescan interval."""
        if self.seen:
            return min(self.setting("settle_seconds"), self.setting("rescan_seconds"))
        return self.setting("rescan_seconds")

    def _heartbeat(self) -> None:
        """Refresh the claims this watcher holds, so that watchers elsewhere know it is alive."""
        while not self.ended.wait(self.setting("heartbeat_seconds")):
            for folder in self._claim_folders():
                claim = Claim.load(folder)
                if claim is not None and is_me(claim.data.get("owner"), self.me):
                    claim.touch()

    def candidates(self) -> list[Path]:
        """The files in INBOX that may be inputs, oldest first."""
        try:
            entries = [e for e in os.scandir(self.inbox) if not ignored(Path(e.name))]
        except OSError:
            return []
        found = []
        for entry in entries:
            with contextlib.suppress(OSError):
                if entry.is_file(follow_symlinks=False):
                    found.append(
                        (entry.stat(follow_symlinks=False).st_mtime_ns, entry.name, Path(entry.path))
                    )
        return [path for _, _, path in sorted(found)]

    def scan(self) -> None:
        """Process every file in INBOX that has stopped changing."""
        now = time.monotonic()
        present = set()
        for path in self.candidates():
            if self.stop.is_set():
                return
            present.add(path)
            if self._settled(path, now):
                self.seen.pop(path, None)
                self.handle(path)
        for gone in set(self.seen) - present:
            self.seen.pop(gone, None)

    def _settled(self, path: Path, now: float) -> bool:
        """Unchanged in size and time for ``settle_seconds``, and not a copy still arriving: ready."""
        try:
            stat = path.stat()
        except OSError:
            return False
        key = (stat.st_size, stat.st_mtime_ns)
        before = self.seen.get(path)
        if before is None or before[:2] != key:
            self.seen[path] = (*key, now)
            return False
        if now - before[2] < self.setting("settle_seconds"):
            return False
        return not self._still_arriving(path, stat)

    def _still_arriving(self, path: Path, stat: os.stat_result) -> bool:
        """A spreadsheet that is not yet a valid workbook, written to lately: a slow copy, wait for it
        (up to the grace period)."""
        from kamxl.read.container import Refused, open_container

        if path.suffix.lower() not in SPREADSHEET_SUFFIXES:
            return False
        try:
            open_container(path, self.settings)
        except Refused as exc:
            recent = time.time() - stat.st_mtime < self.setting("grace_seconds")
            return exc.issue.code in INCOMPLETE_CODES and recent
        except OSError:
            return True
        return False

    # -- one file -----------------------------------------------------------------
    def handle(self, path: Path) -> None:
        """Claim, process and file away one input."""
        try:
            claim = self.claim(path)
        except OSError as exc:  # INBOX deleted meanwhile, a full disk: the file stays where it is
            self.say("watch_claim_failed", name=display(path.name), detail=exc)
            return
        if claim is not None:
            self.finish(claim)

    def claim(self, path: Path) -> Claim | None:
        """Move ``path`` into a new claim folder, with the output stem reserved for it; None if another
        watcher took it first. A name that is not UTF-8 (or holds control characters) is processed as
        its escaped text, so that the reports can name it; it gets its own bytes back when filed."""
        self.work.mkdir(exist_ok=True)  # not INBOX itself: a deleted INBOX is not made again here
        name = path.name
        input_name = name if display(name) == name else shorten(display(name))
        stem = shorten(split_name(display(name))[0], STEM_MAX, keep_suffix=False)
        claim = self._stage(Claim.new(self.work, name, input_name, stem, self.me))
        try:
            claim.data["stem"] = reserve_stem(self.outbox, stem, claim.id)
            claim.save()
            self._publish(claim)
            os.replace(path, claim.input)
        except BaseException as exc:
            release_stem(self.outbox, claim.stem, claim.id)
            remove_claim_folder(claim.folder)
            if not isinstance(exc, FileNotFoundError) or os.path.lexists(path):
                raise  # the file is still in INBOX: the error is real, the next scan tries again
            return None  # another watcher took it meanwhile
        return claim

    def _stage(self, claim: Claim) -> Claim:
        """Make the claim's folder under a name saying who is making it (recovery ignores it while its
        maker lives, and removes it when not)."""
        claim.folder = self.work / staging_name(self.me, claim.id)
        claim.folder.mkdir()
        return claim

    def _publish(self, claim: Claim) -> None:
        """The staged claim, its claim file written, becomes a claim folder."""
        final = self.work / new_folder_name()
        os.rename(claim.folder, final)
        claim.folder = final

    def finish(self, claim: Claim) -> None:
        """Process a claimed input and file it away; safe to run again on the same claim after a crash.
        A filesystem error (a folder deleted, a full disk while filing) leaves the claim to be tried
        again later."""
        try:
            self._finish(claim)
        except OSError as exc:
            self.say("watch_file_error", name=claim.shown, detail=exc)
            self._record_error(claim.shown, str(exc))
            claim.data["retry_after"] = time.time() + self.setting("retry_seconds")
            with contextlib.suppress(OSError):
                claim.save()

    def _finish(self, claim: Claim) -> None:
        """The steps of ``finish`` not yet done: processing, then filing away."""
        filing = claim.data.get("filing")
        if filing and filing.get("to") == "inbox":
            self._complete_release(claim)
        elif filing:
            self._complete_filing(claim)
        elif claim.data.get("kind") == "refile":
            self._finish_refile(claim)
        elif not claim.input.exists():  # the input never arrived (it is still in INBOX)
            self._cleanup(claim)
        else:
            self._conclude(claim, self._process(claim))

    def _job(self, claim: Claim, link: Path) -> FileJob:
        return FileJob(claim.input, self.outbox, claim.stem, self.as_of, self.history, self.region, link)

    def _link(self, claim: Claim) -> Path:
        """Where the input will most likely be in done/, for the report's links (its escaped name when
        the real one cannot be written in a report)."""
        name = claim.name if display(claim.name) == claim.name else claim.data["input"]
        return self.done / unique_name(self.done, name)

    def _process(self, claim: Claim) -> Verdict:
        """Run the worker on the claim until it is done, failed, or to be released; a killed worker and
        outputs that could not be written are tried again, within their limits."""
        link = self._link(claim)
        while True:
            started = time.perf_counter()
            result = self.worker.run(self._job(claim, link), self.stop)
            verdict = self._judge(claim, result, time.perf_counter() - started)
            if verdict is not None:
                return verdict

    def _judge(self, claim: Claim, result: Result, seconds: float) -> Verdict | None:
        """The verdict on one run of the worker; None to run it again."""
        if result.state == "ok" and result.outcome is not None:
            return self._judge_outputs(claim, result.outcome, seconds)
        self._remove_outputs(claim.stem)
        if result.state == "stopped" or (result.state == "killed" and self.stop.is_set()):
            return Verdict("release", None, None, seconds)
        mb, limit = self.settings.get("watch.memory_mb"), f"{self.setting('time_limit_seconds'):g}"
        if result.state == "killed":
            kills = claim.bump("worker_kills")
            if kills <= self.setting("worker_retries"):
                self.say("watch_retry_killed", name=claim.shown, code=result.detail, times=kills)
                return None
            reason = self.settings.label(
                "ui.watch_killed", code=result.detail, times=kills, mb=mb, seconds=limit
            )
        elif result.state == "timeout":
            reason = self.settings.label("ui.watch_timeout", seconds=result.detail)
        elif result.state == "memory":
            reason = self.settings.label("ui.watch_memory", mb=mb)
        else:
            reason = self.settings.label("ui.watch_error", detail=result.detail)
        return Verdict("failed", reason, None, seconds)

    def _judge_outputs(self, claim: Claim, outcome: Outcome, seconds: float) -> Verdict | None:
        """Done only with every output written; outputs that could not be written are removed and tried
        again (a full disk may be emptied), then the file fails saying why."""
        problem = self._write_problem(claim.stem, outcome)
        if problem is not None:
            self._remove_outputs(claim.stem)
            failures = claim.bump("write_failures")
            if failures <= self.setting("write_retries") and not self.stop.is_set():
                self.say(
                    "watch_retry_write",
                    name=claim.shown,
                    reason=problem,
                    seconds=self.setting("retry_seconds"),
                )
                if not self.stop.wait(self.setting("retry_seconds")):
                    return None
            if self.stop.is_set():
                return Verdict("release", None, outcome, seconds)
            return Verdict("failed", problem, outcome, seconds)
        if not outcome.forms:
            self._withdraw_snapshot(outcome, claim.data["input"])
            self._remove_outputs(claim.stem, keep_report=True)
            return Verdict("failed", self._content_reason(outcome), outcome, seconds)
        if self._workbook_written(claim.stem, outcome) is None:
            self._remove_outputs(claim.stem, keep_report=True)
            return Verdict("failed", self._content_reason(outcome), outcome, seconds)
        return Verdict("done", None, outcome, seconds)

    def _write_problem(self, stem: str, outcome: Outcome) -> str | None:
        """Why the outputs are incomplete (the disk is full, a write failed), or None when they are all
        there."""
        report = self.outbox / f"{stem}.report.json"
        failures = [
            str(i.params.get("detail", ""))
            for i in outcome.issues
            if i.code == "write_failed"
            or (i.code == "unexpected_error" and is_disk_full(i.params.get("detail", "")))
        ]
        missing = [p for p in outcome.outputs if not p.exists()]
        if not failures and not missing and report in outcome.outputs:
            return None
        if any(is_disk_full(detail) for detail in failures):
            return self.settings.label("ui.watch_disk_full", folder=display(str(self.outbox)))
        detail = failures[0] if failures else ", ".join(display(p.name) for p in missing) or report.name
        return self.settings.label("ui.watch_write_failed", folder=display(str(self.outbox)), detail=detail)

    def _content_reason(self, outcome: Outcome) -> str:
        """Why a file that was read failed: its first errors, else that it holds no form."""
        messages = [self.settings.message(i) for i in outcome.errors[:2]]
        return " ".join(messages) or self.settings.label("ui.watch_no_forms")

    def _workbook_written(self, stem: str, outcome: Outcome) -> Path | None:
        """The report or appraisal workbook among the outputs: without one the file counts as failed."""
        workbooks = (self.outbox / f"{stem}.kamxl.xlsx", self.outbox / f"{stem}.appraisal.xlsx")
        return next((path for path in workbooks if path in outcome.outputs), None)

    def _remove_outputs(self, stem: str, keep_report: bool = False) -> None:
        """A file's outputs (all, or all but its report.json) and its writers' temporary files."""
        for path in outputs_of(self.outbox, stem):
            if not (keep_report and path.name.endswith(".report.json")):
                path.unlink(missing_ok=True)
        self._remove_temporaries(self.outbox, [path.name for path in outputs_of(self.outbox, stem)])

    def _remove_temporaries(self, folder: Path, targets: list[str]) -> None:
        """The temporary files of atomic writes of ``targets`` in ``folder`` (a writer killed mid-write)."""
        prefixes = tuple(temp_prefix(name) for name in targets)
        with contextlib.suppress(OSError):
            for entry in os.scandir(folder):
                if is_temporary(entry.name) and entry.name.startswith(prefixes):
                    Path(entry.path).unlink(missing_ok=True)

    def _withdraw_snapshot(self, outcome: Outcome, source: str) -> None:
        """A workbook without forms files no snapshot: remove the empty one ``process`` filed for it."""
        if self.history is None or outcome.filed is None:
            return
        with contextlib.suppress(Exception):  # the history's troubles are reported where it is used
            self._store().withdraw_empty(outcome.filed.region, outcome.filed.period, source)

    # -- filing away ---------------------------------------------------------------
    def _conclude(self, claim: Claim, verdict: Verdict) -> None:
        """Record the verdict in the claim, then file the input away accordingly."""
        if verdict.state == "release":
            claim.data["filing"] = {"to": "inbox", "name_hex": None}
            claim.save()
            self._complete_release(claim)
            return
        outcome = verdict.outcome
        claim.data["filing"] = {
            "to": verdict.state,
            "name_hex": None,
            "reason": verdict.reason,
            "seconds": round(verdict.seconds, 1),
            "counts": [len(outcome.errors), len(outcome.warnings)] if outcome else None,
            "refile": bool(
                verdict.state == "done"
                and outcome
                and any(i.code == "history_failed" for i in outcome.issues)
            ),
        }
        claim.save()
        if outcome is not None:
            self._note_history(outcome)
            self.rollup_due |= outcome.filed is not None and self.rollup is not None
        self._complete_filing(claim)

    def _complete_filing(self, claim: Claim) -> None:
        """Move the input onto a name reserved in done/ or failed/ (failed/ gets the explanation first),
        then log and clean up; picks up where a killed watcher stopped."""
        filing = claim.data["filing"]
        folder = self.done if filing["to"] == "done" else self.failed
        if claim.input.exists():
            name = reserve_name(folder, claim.name, claim, with_error=filing["to"] == "failed")
            if filing["to"] == "failed":
                write_atomic(folder / error_name(name), self._explanation(claim, filing["reason"]))
            os.replace(claim.input, folder / name)
        else:
            name = from_hex(filing["name_hex"])
            if not (folder / name).exists():  # taken out of the claim by someone else (INBOX deleted)
                self.say("watch_file_error", name=claim.shown, detail=f"{claim.input} is gone")
                self._cleanup(claim)
                return
        if filing["to"] == "failed":
            self._remove_temporaries(folder, [error_name(name)])  # an explanation cut short by a kill
        self._log_filed(claim, filing, folder / name)
        if filing.get("refile"):
            self._queue_refile(claim, name)
        self._cleanup(claim)

    def _explanation(self, claim: Claim, reason: str | None) -> str:
        """failed/<name>.error.txt: the reason, and where the report is."""
        report = self.outbox / f"{claim.stem}.report.json"
        text = reason or self.settings.label("ui.watch_no_forms")
        if report.exists():
            text += "\n" + self.settings.label("ui.watch_report_at", path=display(str(report)))
        return text + "\n"

    def _log_filed(self, claim: Claim, filing: dict[str, Any], where: Path) -> None:
        """The log line of a file done or failed: where it went, its issue counts, why it failed."""
        counts = ""
        if filing.get("counts"):
            errors, warnings = filing["counts"]
            counts = self.settings.label("ui.watch_counts", errors=errors, warnings=warnings)
        state = filing["to"]
        line = self.settings.label(
            f"ui.watch_{state}",
            name=claim.shown,
            seconds=f"{filing.get('seconds') or 0:.1f}",
            where=display(str(where)),
            counts=counts,
        )
        if state == "failed":
            line += f" — {filing.get('reason')}"
            self._record_error(claim.shown, str(filing.get("reason")))
        self.log(escape_controls(line))

    def _record_error(self, name: str, reason: str) -> None:
        self.last_error = {"name": name, "reason": reason, "at": _now()}

    def _complete_release(self, claim: Claim) -> None:
        """Give the input back to INBOX under its own name (or a free variant): the watcher is stopping
        before it could finish it; the next watcher takes it as new."""
        if claim.input.exists():
            for candidate in numbered(claim.name):
                target = self.inbox / candidate
                claim.data["filing"]["name_hex"] = os.fsencode(candidate).hex()
                claim.save()
                if link_or_move(claim.input, target):
                    break
        self._remove_outputs(claim.stem)
        self.say("watch_released", name=claim.shown)
        self._cleanup(claim)

    def _cleanup(self, claim: Claim) -> None:
        """After a file: its temporary files, the stem's reservation, the claim folder."""
        self._remove_temporaries(self.outbox, [path.name for path in outputs_of(self.outbox, claim.stem)])
        release_stem(self.outbox, claim.stem, claim.id)
        remove_claim_folder(claim.folder)

    # -- recovery -------------------------------------------------------------------
    def _claim_folders(self) -> list[Path]:
        try:
            return sorted(p for p in self.work.iterdir() if p.is_dir())
        except OSError:
            return []

    def recover(self) -> None:
        """Finish the claims whose owner is gone (a killed watcher, here or elsewhere), oldest first, and
        our own claims waiting to be tried again."""
        limit = self.setting("heartbeat_limit_seconds")
        for folder in self._claim_folders():
            if self.stop.is_set():
                return
            if folder.name.startswith(STAGING):
                self._remove_abandoned_staging(folder, limit)
                continue
            claim = Claim.load(folder)
            if claim is None:
                self._remove_stray_folder(folder)
            elif is_me(claim.data.get("owner"), self.me):
                if time.time() >= float(claim.data.get("retry_after") or 0):
                    self.finish(claim)
            elif owner_gone(claim.data.get("owner"), claim.heartbeat(), limit, self.me):
                taken = take_over(claim, self.work, self.me)
                if taken is not None:
                    self.say("watch_taken_over", name=taken.shown, owner=_owner_text(claim.data.get("owner")))
                    self.finish(taken)

    def _remove_abandoned_staging(self, folder: Path, limit: float) -> None:
        """A claim folder its maker died making (no input is moved in before it is published): removed
        with the stem it reserved."""
        owner, claim_id = staging_owner(folder.name, self.me)
        try:
            made = folder.stat().st_mtime
        except OSError:
            return
        if owner is not None and not owner_gone(owner, made, limit, self.me):
            return
        if claim_id:
            release_stems_of(self.outbox, claim_id)
        self._remove_stray_folder(folder)

    def _remove_stray_folder(self, folder: Path) -> None:
        """A folder in .kamxl-work without a claim file (an older kamxl's, or debris): nothing is claimed
        in it, since a claim file is written before its input moves in; anything else found there goes
        back to INBOX all the same."""
        try:
            for path in folder.iterdir():
                if not is_temporary(path.name) and path.name != CLAIM_FILE:
                    next(c for c in numbered(path.name) if link_or_move(path, self.inbox / c))
        except OSError:
            return
        remove_claim_folder(folder)

    def sweep_debris(self) -> None:
        """Temporary files of atomic writes that no claim owns and older than ``debris_seconds`` (a
        writer killed mid-write), and stem reservations whose claim is gone."""
        cutoff = time.time() - self.setting("debris_seconds")
        stems = held_stems(self.outbox)
        owned = tuple(temp_prefix(path.name) for stem in stems for path in outputs_of(self.outbox, stem))
        for folder in (self.outbox, self.done, self.failed):
            with contextlib.suppress(OSError):
                for entry in os.scandir(folder):
                    if is_temporary(entry.name) and not entry.name.startswith(owned or ("\0",)):
                        with contextlib.suppress(OSError):
                            if entry.stat().st_mtime < cutoff:
                                Path(entry.path).unlink()
        claims = {c.stem for c in map(Claim.load, self._claim_folders()) if c is not None}
        for stem in stems - claims:
            marker = self.outbox / f".{stem}.kamxl-stem"
            with contextlib.suppress(OSError):
                if marker.stat().st_mtime < cutoff:
                    marker.unlink()

    # -- the history ---------------------------------------------------------------------
    def _store(self) -> HistoryStore:
        from kamxl.store import HistoryStore

        assert self.history is not None  # only called with a history
        retries, timeout = (
            self.settings.get("history.busy_retries"),
            self.settings.get("history.busy_timeout_s"),
        )
        return HistoryStore(self.history, retries=retries, timeout=timeout)

    def check_history(self) -> str:
        """SQLite's quick check of the history; a corrupt one is moved aside and rebuilt from the reports
        in OUTBOX. The state ("ok", "missing", "failing", "none")."""
        if self.history is None:
            return "none"
        store = self._store()
        state, detail = store.health()
        if state == "corrupt":
            with self._history_lock() as locked:
                if locked and store.health()[0] == "corrupt":
                    self._rebuild(store, detail)
            state, detail = store.health()
        self.history_state |= {"path": str(self.history), "state": state, "detail": detail, "checked": _now()}
        return state

    def _rebuild(self, store: HistoryStore, detail: str | None) -> None:
        """Move the corrupt database aside and file again every snapshot the reports in OUTBOX hold."""
        moved = store.quarantine()
        self.say("watch_history_corrupt", path=display(str(self.history)), detail=detail, moved=moved)
        reports = sorted(self.outbox.glob("*.report.json"))
        filed = store.rebuild(reports)
        self.history_state["rebuilt"] = {"at": _now(), "snapshots": filed, "corrupt_copy": str(moved)}
        self.say("watch_history_rebuilt", path=display(str(self.history)), count=filed)

    @contextlib.contextmanager
    def _history_lock(self) -> Iterator[bool]:
        """Held by one watcher while it repairs the history; True if this one holds it. A lock whose
        owner is gone is broken."""
        assert self.history is not None
        lock = self.history.with_name(f".{self.history.name}.lock")
        mine = json.dumps(self.me.as_dict()).encode()
        if not create_exclusive(lock, mine):
            try:
                owner = json.loads(lock.read_text("utf-8"))
            except (OSError, ValueError):
                owner = None
            if not owner_gone(owner, lock.stat().st_mtime, self.setting("heartbeat_limit_seconds"), self.me):
                yield False
                return
            lock.unlink(missing_ok=True)
            if not create_exclusive(lock, mine):
                yield False
                return
        try:
            yield True
        finally:
            lock.unlink(missing_ok=True)

    def _note_history(self, outcome: Outcome) -> None:
        """Keep the history's state from what a file's filing said; a failure is checked at once (a
        corrupt database is rebuilt) and said loudly."""
        if self.history is None:
            return
        failed = [i for i in outcome.issues if i.code == "history_failed"]
        if not failed:
            if any(i.code == "history_filed" for i in outcome.issues):
                self.history_state |= {"state": "ok", "detail": None}
            return
        detail = str(failed[0].params.get("detail", ""))
        if self.check_history() != "corrupt":
            self.history_state |= {"state": "failing", "detail": detail}
        self.say("watch_history_failing", path=display(str(self.history)), detail=detail)

    def _queue_refile(self, claim: Claim, done_name: str) -> None:
        """Remember a file in done/ whose snapshot the history did not take, to file it again."""
        self.refile.mkdir(exist_ok=True)
        entry = {
            "done_hex": os.fsencode(done_name).hex(),
            "name": claim.shown,
            "stem": claim.stem,
            "since": _now(),
        }
        write_atomic(self.refile / f"{claim.stem}.json", json.dumps(entry, ensure_ascii=False))

    def pending_refiles(self) -> list[Path]:
        """The queued snapshots, oldest first (a month is compared with the months filed before it)."""
        found = []
        try:
            for entry in os.scandir(self.refile):
                if entry.name.endswith(".json") and not is_temporary(entry.name):
                    with contextlib.suppress(OSError):
                        found.append((entry.stat().st_mtime_ns, entry.name, Path(entry.path)))
        except OSError:
            return []
        return [path for _, _, path in sorted(found)]

    def refile_pending(self) -> None:
        """Process again, every ``history.retry_seconds``, the files of done/ whose snapshot is missing,
        while the history takes them; say loudly how many still wait."""
        entries = self.pending_refiles()
        self.history_state["pending"] = len(entries)
        if not entries or time.monotonic() - self.refile_at < float(
            self.settings.get("history.retry_seconds")
        ):
            return
        self.refile_at = time.monotonic()
        if self.check_history() in ("corrupt", "failing"):
            self.say("watch_history_pending", count=len(entries), detail=self.history_state.get("detail"))
            return
        for entry in entries:
            if self.stop.is_set():
                return
            claim = self._claim_refile(entry)
            if claim is not None:
                self.finish(claim)
                if self.history_state.get("state") == "failing":
                    break
        left = len(self.pending_refiles())
        self.history_state["pending"] = left
        if left:
            self.say("watch_history_pending", count=left, detail=self.history_state.get("detail"))

    def _claim_refile(self, entry: Path) -> Claim | None:
        """Claim a queued snapshot: the entry moves into a claim folder (one watcher wins), with a link
        to the input in done/ under the name the reports know."""
        try:
            data = json.loads(entry.read_text("utf-8"))
            done = self.done / from_hex(data["done_hex"])
        except (OSError, ValueError, KeyError):
            return None
        shown = display(done.name)
        claim = Claim.new(
            self.work,
            done.name,
            shown if shown == done.name else shorten(shown),
            data["stem"],
            self.me,
            "refile",
        )
        self._stage(claim)
        claim.data["entry"] = data
        claim.save()
        try:
            os.rename(entry, claim.folder / REFILE_ENTRY)
        except OSError:
            remove_claim_folder(claim.folder)
            return None
        self._publish(claim)
        return claim

    def _finish_refile(self, claim: Claim) -> None:
        """File a queued snapshot again by processing the input in done/ again (its outputs replaced);
        the entry goes back to the queue while the history still fails."""
        done = self.done / from_hex(claim.data["entry"]["done_hex"])
        if not claim.input.exists():
            try:
                _link_or_copy(done, claim.input)
            except FileNotFoundError:  # the input was taken out of done/: nothing to file
                self.say("watch_history_gone", name=claim.shown)
                remove_claim_folder(claim.folder)
                return
        started = time.perf_counter()
        result = self.worker.run(self._job(claim, done), self.stop)
        outcome = result.outcome if result.state == "ok" else None
        if outcome is not None and self._write_problem(claim.stem, outcome) is None:
            self._note_history(outcome)
            if not any(i.code == "history_failed" for i in outcome.issues):
                self.say(
                    "watch_history_refiled", name=claim.shown, seconds=f"{time.perf_counter() - started:.1f}"
                )
                remove_claim_folder(claim.folder)
                return
        with contextlib.suppress(OSError):
            self.refile.mkdir(exist_ok=True)
            os.rename(claim.folder / REFILE_ENTRY, self.refile / f"{claim.stem}.json")
        remove_claim_folder(claim.folder)

    # -- the roll-up -------------------------------------------------------------------------
    def refresh_rollup(self) -> None:
        """Write the roll-up of the latest period into ``rollup`` when a file was filed since the last
        one. A roll-up that fails is logged and tried again after the next file; it never stops the
        watcher."""
        if not self.rollup_due or self.rollup is None or self.history is None or self.stop.is_set():
            return
        from kamxl.rollup import rollup

        self.rollup_due = False
        started = time.perf_counter()
        outcome: RollupOutcome | None = None
        try:
            outcome = rollup(self.history, None, self.rollup, self.settings, reports_dir=self.outbox)
        except Exception as exc:  # a bug or a full disk costs the roll-up, not the drop folder
            detail = describe(exc)
        else:
            # an empty history is no failure: nothing is filed yet
            errors = [issue for issue in outcome.errors if issue.code != "rollup_no_history"]
            detail = "; ".join(self.settings.message(issue) for issue in errors)
        if outcome is None or not outcome.outputs:
            if detail:  # no roll-up and no error: nothing is filed yet
                self.say("watch_rollup_failed", folder=display(str(self.rollup)), detail=detail)
            self.rollup_state = {"at": _now(), "period": None, "error": detail or None}
            return
        self.rollup_state = {"at": _now(), "period": outcome.period, "error": None}
        seconds = f"{time.perf_counter() - started:.1f}"
        self.say(
            "watch_rollup_written", period=outcome.period, folder=display(str(self.rollup)), seconds=seconds
        )

    # -- status ----------------------------------------------------------------------------
    def write_status(self) -> None:
        """status.json in OUTBOX: the queue, the files in progress, today's counts, the last error, the
        history's health. Never stops the watcher."""
        try:
            view = read_status(self.inbox, self.outbox, self.settings)
            view["watcher"] = {"owner": self.me.as_dict(), "last_error": self.last_error}
            view["history"] = self.history_state | {"pending": view["history"]["pending"]}
            if self.rollup is not None:
                view["rollup"] = {"folder": str(self.rollup)} | (self.rollup_state or {})
            write_atomic(
                self.outbox / self.settings.get("watch.status_file"),
                json.dumps(view, ensure_ascii=False, indent=1),
            )
        except OSError:
            pass


def _link_or_copy(source: Path, target: Path) -> None:
    """``target`` is ``source`` too: a hard link, or a copy where links are not supported."""
    try:
        os.link(source, target)
    except FileExistsError:
        return
    except FileNotFoundError:
        raise
    except OSError:
        import shutil

        shutil.copy2(source, target)


def _owner_text(owner: dict[str, Any] | None) -> str:
    if not owner:
        return "?"
    return f"{owner.get('host')}:{owner.get('pid')}"


def read_status(inbox: Path, outbox: Path, settings: Settings) -> dict[str, Any]:
    """How the drop folder stands, from the folders themselves (any watcher's or none)."""
    inbox, outbox = Path(inbox), Path(outbox)
    watcher = Watcher(inbox, outbox, settings)
    today = dt.date.today()
    view: dict[str, Any] = {
        "updated": _now(),
        "inbox": display(str(inbox)),
        "outbox": display(str(outbox)),
        "inbox_present": inbox.is_dir(),
        "queue": len(watcher.candidates()),
        "in_progress": _in_progress(watcher),
        "today": {
            "done": _filed_on(watcher.done, today),
            "failed": _filed_on(watcher.failed, today, skip_suffix=".error.txt"),
        },
        "last_error": _last_error(watcher.failed),
        "history": {"pending": len(watcher.pending_refiles())},
    }
    previous = outbox / settings.get("watch.status_file")
    with contextlib.suppress(OSError, ValueError):
        written = json.loads(previous.read_text("utf-8"))
        view["history"] = written.get("history", {}) | view["history"]
        view["watcher"] = written.get("watcher")
    return view


def _in_progress(watcher: Watcher) -> list[dict[str, Any]]:
    """The claims held now, with their owner and whether it is alive."""
    found = []
    limit = watcher.setting("heartbeat_limit_seconds")
    for folder in watcher._claim_folders():
        claim = Claim.load(folder)
        if claim is None:
            continue
        owner = claim.data.get("owner")
        found.append(
            {
                "name": claim.shown,
                "kind": claim.data.get("kind", "file"),
                "owner": owner,
                "alive": not owner_gone(owner, claim.heartbeat(), limit, watcher.me),
                "since": dt.datetime.fromtimestamp(float(claim.data.get("claimed") or 0)).isoformat(
                    timespec="seconds"
                ),
                "worker_kills": claim.data.get("worker_kills", 0),
                "write_failures": claim.data.get("write_failures", 0),
            }
        )
    return found


def _filed_on(folder: Path, day: dt.date, skip_suffix: str = "") -> int:
    """Files moved into ``folder`` on ``day`` (a rename changes a file's ctime, not its mtime)."""
    count = 0
    with contextlib.suppress(OSError):
        for entry in os.scandir(folder):
            if entry.name.startswith(".") or (skip_suffix and entry.name.endswith(skip_suffix)):
                continue
            with contextlib.suppress(OSError):
                if dt.date.fromtimestamp(entry.stat(follow_symlinks=False).st_ctime) == day:
                    count += 1
    return count


def _last_error(failed: Path) -> dict[str, Any] | None:
    """The newest explanation in failed/."""
    newest: tuple[float, Path] | None = None
    with contextlib.suppress(OSError):
        for entry in os.scandir(failed):
            if entry.name.endswith(".error.txt") and not entry.name.startswith("."):
                when = entry.stat().st_mtime
                if newest is None or when > newest[0]:
                    newest = (when, Path(entry.path))
    if newest is None:
        return None
    try:
        reason = newest[1].read_text("utf-8", "replace").strip()
    except OSError:
        return None
    name = display(newest[1].name[: -len(".error.txt")])
    return {
        "name": name,
        "reason": reason,
        "at": dt.datetime.fromtimestamp(newest[0]).isoformat(timespec="seconds"),
    }


def status_lines(view: dict[str, Any], settings: Settings) -> list[str]:
    """``kamxl watch --status`` as lines of text."""
    label = settings.label
    lines = [label("ui.watch_status_folders", inbox=view["inbox"], outbox=view["outbox"])]
    if not view["inbox_present"]:
        lines.append(label("ui.watch_inbox_gone", inbox=view["inbox"]))
    lines.append(
        label(
            "ui.watch_status_queue",
            count=view["queue"],
            done=view["today"]["done"],
            failed=view["today"]["failed"],
        )
    )
    for held in view["in_progress"]:
        state = label("ui.watch_status_alive") if held["alive"] else label("ui.watch_status_abandoned")
        lines.append(
            label(
                "ui.watch_status_claim",
                name=held["name"],
                owner=_owner_text(held["owner"]),
                since=held["since"],
                state=state,
            )
        )
    if view["last_error"]:
        error = view["last_error"]
        lines.append(
            label(
                "ui.watch_status_error",
                name=error["name"],
                at=error["at"],
                reason=error["reason"].splitlines()[0],
            )
        )
    history = view["history"]
    lines.append(
        label(
            "ui.watch_status_history",
            state=history.get("state", "?"),
            detail=f" — {history['detail']}" if history.get("detail") else "",
            pending=history.get("pending", 0),
        )
    )
    return [escape_controls(line) for line in lines]
