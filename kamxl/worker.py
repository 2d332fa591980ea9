"""The watcher's worker: a long-lived child process that runs ``process`` on one claimed input at a time.

Imports are paid once, and a file that hangs or eats memory costs only the
child, which is then replaced. The child dies with its watcher: on Linux the
kernel kills it when the watcher dies (PR_SET_PDEATHSIG), everywhere a thread
watches the pipe to the watcher and ends the child when it closes. So a
``kill -9`` of the watcher never leaves a worker writing outputs and history
beside the watcher started next.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import signal
import sys
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from kamxl.config import Settings
from kamxl.issues import describe
from kamxl.outcome import Outcome

if TYPE_CHECKING:
    from multiprocessing.connection import Connection
    from multiprocessing.context import SpawnProcess

_POLL_SECONDS = 0.1
PR_SET_PDEATHSIG = 1


class FileJob(NamedTuple):
    """One claimed input as the worker process gets it: what ``process`` is called with."""

    source: Path
    outbox: Path
    stem: str
    as_of: dt.date | None
    history: Path | None
    region: str | None
    link: Path  # where the input will be once filed away: the issue links point there


class Result(NamedTuple):
    """How a job ended: ``state`` is "ok" (with the outcome), "killed" (the worker died: ``detail`` its
    exit code), "timeout", "memory", "error" (a bug: ``detail`` says which) or "stopped" (the watcher
    is stopping and the job did not finish in the grace period)."""

    state: str
    outcome: Outcome | None = None
    detail: str | None = None


class Worker:
    """The child process and the pipe to it, started on first use and after every death."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.proc: SpawnProcess | None = None
        self.conn: Connection | None = None

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc is not None else None

    def _start(self) -> None:
        """A fresh child, spawned (not forked: no threads or locks of the watcher carried over)."""
        import multiprocessing

        ctx = multiprocessing.get_context("spawn")
        parent, child = ctx.Pipe()
        memory_mb = int(self.settings.get("watch.memory_mb"))
        # the settings go through the pipe, not the start-up arguments: multiprocessing writes those while
        # it still holds the child's end, so a child killed before reading more than a pipe's buffer
        # would leave the watcher blocked for good
        self.proc = ctx.Process(target=_serve, args=(child, memory_mb, os.getpid()), daemon=True)
        self.proc.start()
        child.close()
        self.conn = parent
        parent.send(self.settings)

    def _connection(self) -> Connection:
        """The pipe to a running child, started anew if there is none or it died."""
        if self.proc is None or not self.proc.is_alive():
            self._kill()
            self._start()
        assert self.conn is not None  # _start sets it
        return self.conn

    def run(self, job: FileJob, stop: threading.Event) -> Result:
        """Run ``job`` within the time limit. When ``stop`` is set meanwhile, the job gets
        ``watch.stop_grace_seconds`` more to finish, then the worker is ended ("stopped")."""
        limit = float(self.settings.get("watch.time_limit_seconds"))
        grace = float(self.settings.get("watch.stop_grace_seconds"))
        try:
            conn = self._connection()
            conn.send(job)
            deadline, stop_deadline = time.monotonic() + limit, None
            while not conn.poll(_POLL_SECONDS):
                now = time.monotonic()
                if stop.is_set() and stop_deadline is None:
                    stop_deadline = now + grace
                if now > deadline or (stop_deadline is not None and now > stop_deadline):
                    self._kill()
                    return Result("timeout" if now > deadline else "stopped", detail=f"{limit:g}")
            status, payload = conn.recv()
        except (EOFError, OSError):
            return Result("killed", detail=self._death())
        if status == "memory":
            self._kill()
            return Result("memory")
        if status == "error":
            return Result("error", detail=str(payload))
        return Result("ok", payload)

    def _death(self) -> str:
        """The dead child's exit code ("-9": killed by signal 9), after making sure it is gone."""
        code = None
        if self.proc is not None:
            self.proc.join(5)
            code = self.proc.exitcode
        self._kill()
        return str(code)

    def _kill(self) -> None:
        """End the child, whatever it is doing; the next file starts a new one."""
        if self.proc is not None:
            with contextlib.suppress(OSError, ValueError):
                self.proc.kill()
                self.proc.join(10)
        if self.conn is not None:
            with contextlib.suppress(OSError):
                self.conn.close()
        self.proc = self.conn = None

    def close(self) -> None:
        """Ask the child to stop after its current file, and make sure it has."""
        if self.proc is not None and self.proc.is_alive() and self.conn is not None:
            with contextlib.suppress(OSError, BrokenPipeError):
                self.conn.send(None)
                self.proc.join(5)
        self._kill()


def _serve(conn: Connection, memory_mb: int, parent: int) -> None:
    """The worker: die with the watcher, leave Ctrl-C and SIGTERM to the watcher (which decides whether
    the current file finishes), cap its memory, process files."""
    _die_with_parent(parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    sys.unraisablehook = _unraisable
    try:
        settings: Settings = conn.recv()
    except EOFError:
        return
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


def _unraisable(unraisable: sys.UnraisableHookArgs) -> None:
    """An error in a finaliser (a ZipFile closed on a full disk after its writer failed): the failure
    is reported with the file already, so no traceback in the watcher's log; anything else in one line."""
    if isinstance(unraisable.exc_value, OSError):
        return
    detail = (
        describe(unraisable.exc_value) if unraisable.exc_value is not None else unraisable.exc_type.__name__
    )
    print(f"kamxl worker: ignored {detail}", file=sys.stderr)


def _die_with_parent(parent: int) -> None:
    """End this process when the watcher ends: the kernel's parent-death signal on Linux, and everywhere
    a thread that waits on the watcher's end of the process pipe."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            import ctypes

            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # the watcher died before the signal was asked for
        os._exit(1)
    import multiprocessing

    watched = multiprocessing.parent_process()
    if watched is None or watched.sentinel is None:  # pragma: no cover - always set for a spawned child
        return

    def wait_for_parent() -> None:
        from multiprocessing.connection import wait

        wait([watched.sentinel])
        os._exit(1)

    with contextlib.suppress(RuntimeError):
        threading.Thread(target=wait_for_parent, daemon=True, name="parent-watch").start()


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
    """``process`` one claimed input; the outcome without its tables, to cross the pipe small.

    Never strict: a bad file is an outcome, not an exception.
    """
    # imported here, inside the caller's guard: under a small cap even the imports may not fit
    from kamxl.pipeline import RunOptions, process

    options = RunOptions(job.as_of, job.history, job.region)
    outcome = process(job.source, job.outbox, settings, options, stem=job.stem, link=job.link)
    outcome.results = None
    return outcome


def _out_of_memory(exc: BaseException) -> bool:
    """MemoryError, or what the address-space cap looks like elsewhere (a library that cannot be mapped,
    ENOMEM), also when wrapped in another error (pandas re-raises numpy's failed import as its own)."""
    seen: BaseException | None = exc
    for _ in range(8):  # the chain of causes, not forever
        if seen is None:
            return False
        if isinstance(seen, MemoryError):
            return True
        text = str(seen).lower()
        if isinstance(seen, (ImportError, OSError)) and (
            "failed to map" in text or "cannot allocate memory" in text
        ):
            return True
        seen = seen.__cause__ or seen.__context__
    return False
