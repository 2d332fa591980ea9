"""The drop folder: workbooks that appear in INBOX are processed into OUTBOX, and never lost.

Each file goes through three steps, each one a rename, so that a watcher
killed at any moment (even ``kill -9``) and started again finishes every file
exactly once:

1. claim: a folder ``INBOX/.kamxl-work/<id>/`` gets ``claim.json`` (the file's
   name and the stem its outputs will have), then the file is renamed into it;
2. process: the same ``process`` as the CLI, in a worker process with a time
   limit and a memory cap, writes the outputs (each atomically) to OUTBOX;
3. file away: the input is renamed into ``done/`` or ``failed/`` (with
   ``<name>.error.txt``), then the claim folder is removed.

On start, claim folders left by a killed watcher are finished first (a claim
whose input is gone was filed already; one whose input never arrived is
dropped, the file still being in INBOX). Watchdog reports changes; a rescan
every few seconds catches anything it missed. Library code: it logs through
the callable it is given and never prints.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import signal
import threading
import time
import uuid
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from kamxl import SPREADSHEET_SUFFIXES
from kamxl.config import Settings
from kamxl.issues import describe
from kamxl.outcome import Outcome

if TYPE_CHECKING:
    from multiprocessing.connection import Connection
    from multiprocessing.context import SpawnProcess

    from watchdog.observers.api import BaseObserver

WORK = ".kamxl-work"
OUTPUT_SUFFIXES = (
    ".kamxl.xlsx",
    ".report.json",
    ".summary.md",
    ".summary.html",
    ".appraisal.xlsx",
    ".appraisal.json",
)
INCOMPLETE_CODES = ("corrupt_file", "empty_file", "file_not_found")


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
    """``name``, or ``stem-2.ext``, ``stem-3.ext`` … whichever is free in ``folder``."""
    stem, suffix = _split(name)
    number = 1
    candidate = name
    while (folder / candidate).exists() or candidate in taken:
        number += 1
        candidate = f"{stem}-{number}{suffix}"
    return candidate


def _split(name: str) -> tuple[str, str]:
    """(stem, suffix) of a file name; a name without a suffix is all stem."""
    path = Path(name)
    return (path.stem, path.suffix) if path.suffix else (name, "")


class FileJob(NamedTuple):
    """One claimed input as the worker process gets it: what ``process`` is called with."""

    source: Path
    outbox: Path
    stem: str
    as_of: dt.date | None
    history: Path | None
    region: str | None
    link: Path  # where the input will be once filed away: the issue links point there


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
    log: Callable[[str], None] = lambda line: None
    stop: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        self.inbox, self.outbox = Path(self.inbox), Path(self.outbox)
        watch_settings = self.settings.get("watch")
        self.done = self.inbox / watch_settings["done_folder"]
        self.failed = self.inbox / watch_settings["failed_folder"]
        self.work = self.inbox / WORK
        self.wake = threading.Event()
        self.seen: dict[Path, tuple[int, int, float]] = {}  # path -> (size, mtime_ns, when first seen so)
        self.worker = _Worker(self.settings)

    # -- the loop ---------------------------------------------------------------
    def run(self) -> None:
        """Finish what a killed watcher left, process what is waiting, then watch until stopped."""
        for folder in (self.outbox, self.done, self.failed, self.work):
            folder.mkdir(parents=True, exist_ok=True)
        observer = self._observer()
        try:
            self.recover()
            while not self.stop.is_set():
                self.scan()
                self.wake.wait(self._next_wait())
                self.wake.clear()
        finally:
            observer.stop()
            observer.join(5)
            self.worker.close()

    def _observer(self) -> BaseObserver:
        """A started watchdog observer that wakes the loop on any change in INBOX (polling with --poll)."""
        from watchdog.events import FileSystemEvent, FileSystemEventHandler
        from watchdog.observers import Observer
        from watchdog.observers.polling import PollingObserver

        watcher = self

        class Handler(FileSystemEventHandler):
            def on_any_event(self, event: FileSystemEvent) -> None:
                watcher.wake.set()

        observer = PollingObserver(timeout=self.poll) if self.poll else Observer()
        observer.schedule(Handler(), str(self.inbox), recursive=False)
        observer.start()
        return observer

    def _next_wait(self) -> float:
        """Seconds until the next scan: soon while a file is settling, else at the rescan interval."""
        watch_settings = self.settings.get("watch")
        if self.seen:
            return float(min(watch_settings["settle_seconds"], watch_settings["rescan_seconds"]))
        return float(watch_settings["rescan_seconds"])

    def candidates(self) -> list[Path]:
        """The files in INBOX that may be inputs, oldest first."""
        try:
            entries = list(os.scandir(self.inbox))
        except FileNotFoundError:
            return []
        return sorted(
            (Path(e.path) for e in entries if e.is_file(follow_symlinks=False) and not ignored(Path(e.name))),
            key=lambda path: (path.stat().st_mtime_ns if path.exists() else 0, path.name),
        )

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
        except FileNotFoundError:
            return False
        key = (stat.st_size, stat.st_mtime_ns)
        before = self.seen.get(path)
        if before is None or before[:2] != key:
            self.seen[path] = (*key, now)
            return False
        if now - before[2] < self.settings.get("watch")["settle_seconds"]:
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
            recent = time.time() - stat.st_mtime < self.settings.get("watch.grace_seconds")
            return exc.issue.code in INCOMPLETE_CODES and recent
        except OSError:
            return True
        return False

    # -- one file -----------------------------------------------------------------
    def handle(self, path: Path) -> None:
        """Claim, process and file away one input."""
        claim = self.claim(path)
        if claim is not None:
            self.finish(claim)

    def claim(self, path: Path) -> Path | None:
        """Move ``path`` into a new claim folder, with the output stem it will have; None if it is gone."""
        folder = self.work / f"{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:8]}"
        folder.mkdir(parents=True)
        stem = self._free_stem(_split(path.name)[0])
        (folder / "claim.json").write_text(
            json.dumps({"name": path.name, "stem": stem}, ensure_ascii=False), "utf-8"
        )
        try:
            os.replace(path, folder / path.name)
        except FileNotFoundError:  # taken away meanwhile
            _remove(folder)
            return None
        return folder

    def _free_stem(self, stem: str) -> str:
        """An output stem no file in OUTBOX and no other claim uses: nothing is overwritten."""
        reserved = set()
        for claim in self.work.glob("*/claim.json"):
            try:
                reserved.add(json.loads(claim.read_text("utf-8"))["stem"])
            except (OSError, ValueError, KeyError):
                continue
        number, candidate = 1, stem
        while candidate in reserved or any(
            (self.outbox / f"{candidate}{suffix}").exists() for suffix in OUTPUT_SUFFIXES
        ):
            number += 1
            candidate = f"{stem}-{number}"
        return candidate

    def finish(self, folder: Path) -> None:
        """Process a claimed input and file it away; safe to run again on the same claim after a crash."""
        claim = _read_claim(folder)
        inputs = [p for p in folder.iterdir() if p.name != "claim.json"] if folder.exists() else []
        if claim is None or not inputs:
            _remove(folder)  # the input never arrived (it is still in INBOX) or was filed away already
            return
        source = folder / claim["name"]
        if not source.exists():
            source = inputs[0]
        started = time.perf_counter()
        done_name = unique_name(self.done, claim["name"])
        status, outcome, reason = self.worker.run(
            FileJob(
                source,
                self.outbox,
                claim["stem"],
                self.as_of,
                self.history,
                self.region,
                self.done / done_name,
            )
        )
        seconds = time.perf_counter() - started
        workbook = self._workbook_written(claim["stem"], outcome)
        if status == "ok" and workbook is not None and workbook.exists():
            os.replace(source, self.done / done_name)
            self.log(self._line(claim["name"], "done", seconds, outcome, workbook))
        else:
            self._file_failed(source, claim, seconds, outcome, reason)
        _remove(folder)

    def _workbook_written(self, stem: str, outcome: Outcome | None) -> Path | None:
        """The report or appraisal workbook among the outputs: without one the file counts as failed."""
        if outcome is None:
            return None
        workbooks = (self.outbox / f"{stem}.kamxl.xlsx", self.outbox / f"{stem}.appraisal.xlsx")
        return next((path for path in workbooks if path in outcome.outputs), None)

    def _file_failed(
        self, source: Path, claim: dict[str, str], seconds: float, outcome: Outcome | None, reason: str | None
    ) -> None:
        """Move the input into failed/ beside ``<name>.error.txt``, which says why and where the report is."""
        if reason is None:
            reason = " ".join(
                self.settings.message(i) for i in (outcome.errors if outcome else [])[:2]
            ) or self.settings.label("ui.watch_no_forms")
        report = self.outbox / f"{claim['stem']}.report.json"
        failed_name = unique_name(
            self.failed,
            claim["name"],
            {p.name[: -len(".error.txt")] for p in self.failed.glob("*.error.txt")},
        )
        text = reason + (
            "\n" + self.settings.label("ui.watch_report_at", path=report) if report.exists() else ""
        )
        _write_atomic(self.failed / f"{failed_name}.error.txt", text + "\n")
        os.replace(source, self.failed / failed_name)
        self.log(self._line(claim["name"], "failed", seconds, outcome, self.failed / failed_name, reason))

    def recover(self) -> None:
        """Finish the claims a killed watcher left behind, oldest first."""
        for folder in sorted(p for p in self.work.iterdir() if p.is_dir()):
            self.finish(folder)

    def _line(
        self,
        name: str,
        state: str,
        seconds: float,
        outcome: Outcome | None,
        where: Path,
        reason: str | None = None,
    ) -> str:
        """The log line of a file done or failed: where it went, its issue counts, why it failed."""
        settings = self.settings
        counts = ""
        if outcome is not None:
            counts = settings.label(
                "ui.watch_counts", errors=len(outcome.errors), warnings=len(outcome.warnings)
            )
        text = settings.label(
            f"ui.watch_{state}", name=name, seconds=f"{seconds:.1f}", where=where, counts=counts
        )
        return text + (f" — {reason}" if reason and state == "failed" else "")


def _read_claim(folder: Path) -> dict[str, str] | None:
    """The claim's name and stem, or None when claim.json is missing or torn (a crash while writing it)."""
    try:
        claim: dict[str, str] = json.loads((folder / "claim.json").read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return claim


class _Worker:
    """A long-lived child process that runs ``process``: imports are paid once, and a file that hangs
    or eats memory costs only the child, which is then replaced."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.proc: SpawnProcess | None = None
        self.conn: Connection | None = None

    def _start(self) -> None:
        """A fresh child, spawned (not forked: no threads or locks of the watcher carried over)."""
        import multiprocessing

        ctx = multiprocessing.get_context("spawn")
        parent, child = ctx.Pipe()
        self.proc = ctx.Process(
            target=_serve, args=(child, self.settings, int(self.settings.get("watch.memory_mb"))), daemon=True
        )
        self.proc.start()
        child.close()
        self.conn = parent

    def _connection(self) -> Connection:
        """The pipe to a running child, started anew if there is none or it died."""
        if self.proc is None or not self.proc.is_alive():
            self._start()
        assert self.conn is not None  # _start sets it
        return self.conn

    def run(self, job: FileJob) -> tuple[str, Outcome | None, str | None]:
        """("ok", outcome, None), or ("failed", outcome or None, reason) when it crashed, ran out of
        memory or took too long."""
        conn = self._connection()
        limit = float(self.settings.get("watch.time_limit_seconds"))
        memory_mb = self.settings.get("watch.memory_mb")
        try:
            conn.send(job)
            if not conn.poll(limit):
                self._kill()
                return "failed", None, self.settings.label("ui.watch_timeout", seconds=f"{limit:g}")
            status, payload = conn.recv()
        except (EOFError, OSError, BrokenPipeError):
            if self.proc is not None:
                self.proc.join(5)
            code = self.proc.exitcode if self.proc else None
            self._kill()
            return "failed", None, self.settings.label("ui.watch_crashed", code=code, mb=memory_mb)
        if status == "memory":
            self._kill()
            return "failed", None, self.settings.label("ui.watch_memory", mb=memory_mb)
        if status == "error":
            return "failed", None, self.settings.label("ui.watch_error", detail=payload)
        return "ok", payload, None

    def _kill(self) -> None:
        """End the child, whatever it is doing; the next file starts a new one."""
        if self.proc is not None:
            self.proc.kill()
            self.proc.join(10)
        self.proc = self.conn = None

    def close(self) -> None:
        """Ask the child to stop after its current file, and make sure it has."""
        if self.proc is not None and self.proc.is_alive() and self.conn is not None:
            with contextlib.suppress(OSError, BrokenPipeError):
                self.conn.send(None)
                self.proc.join(5)
        self._kill()


def _serve(conn: Connection, settings: Settings, memory_mb: int) -> None:
    """The worker: cap its memory, leave Ctrl-C to the watcher (which stops after the current file),
    process files."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _cap_memory(memory_mb)
    while True:
        try:
            job: FileJob | None = conn.recv()
        except EOFError:
            return
        if job is None:
            return
        try:
            conn.send(("ok", _process(job, settings)))
        except Exception as exc:  # process() turns bad files into issues; this is a bug (or the cap)
            conn.send(("memory", None) if _out_of_memory(exc) else ("error", describe(exc)))


def _cap_memory(memory_mb: int) -> None:
    """Limit this process's address space, and BLAS to one thread (its thread pools reserve address
    space per core)."""
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, "1")
    try:
        import resource

        cap = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    except (ImportError, ValueError, OSError):  # pragma: no cover - not on POSIX
        pass


def _process(job: FileJob, settings: Settings) -> Outcome:
    """``process`` one claimed input; the outcome without its tables, to cross the pipe small."""
    # imported here, inside the caller's guard: under a small cap even the imports may not fit
    from kamxl.pipeline import RunOptions, process

    options = RunOptions(job.as_of, job.history, job.region)
    outcome = process(job.source, job.outbox, settings, options, stem=job.stem, link=job.link)
    outcome.results = None
    return outcome


def _out_of_memory(exc: BaseException) -> bool:
    """MemoryError, or what the address-space cap looks like elsewhere (a library that cannot be mapped,
    ENOMEM)."""
    if isinstance(exc, MemoryError):
        return True
    text = str(exc).lower()
    return isinstance(exc, (ImportError, OSError)) and (
        "failed to map" in text or "cannot allocate memory" in text
    )


def _write_atomic(target: Path, text: str) -> None:
    """Write ``text`` so that ``target`` is never seen half written."""
    from kamxl.write.files import atomic_path

    with atomic_path(target) as tmp:
        tmp.write_text(text, "utf-8")


def _remove(folder: Path) -> None:
    """A claim folder and what is left in it."""
    for path in sorted(folder.glob("*"), reverse=True):
        path.unlink(missing_ok=True)
    with contextlib.suppress(FileNotFoundError):
        folder.rmdir()
