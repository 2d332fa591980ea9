"""Claims that several watchers can trust: who holds a file, whether it is still alive, and names
reserved before anything is written under them.

A claim is a folder ``INBOX/.kamxl-work/<id>/`` holding ``.claim.json`` and,
once moved in, the input. The claim names its owner (host, pid, the pid's
start time, the boot) and the owner refreshes the file's time as a
heartbeat. A claim is taken over only when its owner is gone: on the same
machine its process no longer exists (or the pid now belongs to another
process, or the machine rebooted); on another machine its heartbeat is older
than ``watch.heartbeat_limit_seconds``. Taking over renames the folder, which
only one watcher can do.

Names in OUTBOX, done/ and failed/ are reserved by creating a file exclusively
(O_CREAT|O_EXCL), never chosen and then written: the output stem by a hidden
marker in OUTBOX, a done/ or failed/ name by a placeholder the input then
replaces. Each reservation is written into the claim first, so that a watcher
killed in between finds it again.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import socket
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from kamxl.write.files import (
    NAME_MAX,
    create_exclusive,
    display,
    name_bytes,
    numbered,
    shorten,
    write_atomic,
)

WORK = ".kamxl-work"
STAGING = ".new."  # a claim folder being made: its name says whose, so that a dead maker's is removed
CLAIM_FILE = ".claim.json"
LEGACY_CLAIM_FILE = "claim.json"  # kamxl before owners and heartbeats: its claims have no owner
STEM_MARKER = ".kamxl-stem"
ERROR_SUFFIX = ".error.txt"
STEM_MAX = 200  # bytes of an output stem: room for "-NN" and the longest output suffix (".appraisal.xlsx")
OUTPUT_SUFFIXES = (
    ".kamxl.xlsx",
    ".report.json",
    ".summary.md",
    ".summary.html",
    ".appraisal.xlsx",
    ".appraisal.json",
)


# -- owners ------------------------------------------------------------------------------------------
class Owner(NamedTuple):
    """A running watcher: enough to tell, later and from elsewhere, whether it still runs."""

    host: str
    pid: int
    started: int | None  # the process's start time in clock ticks since boot (Linux), against pid reuse
    boot: str | None  # the boot's id (Linux): after a reboot every old pid is gone

    @classmethod
    def me(cls) -> Owner:
        """This process."""
        return cls(socket.gethostname(), os.getpid(), process_start(os.getpid()), _boot_id())

    def as_dict(self) -> dict[str, Any]:
        return self._asdict()


def _boot_id() -> str | None:
    """The id of this boot of the machine, where the OS tells it."""
    try:
        return Path("/proc/sys/kernel/random/boot_id").read_text("ascii").strip()
    except OSError:
        return None


def process_start(pid: int) -> int | None:
    """When process ``pid`` started, in clock ticks since boot (Linux); None elsewhere or when it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text("ascii", "replace")
    except OSError:
        return None
    try:
        return int(stat.rsplit(")", 1)[1].split()[19])  # field 22; the name in parentheses may hold spaces
    except (IndexError, ValueError):
        return None


def pid_alive(pid: int) -> bool:
    """A process with this id exists on this machine."""
    if pid <= 0:
        return False
    if sys.platform == "win32":  # pragma: no cover - os.kill(pid, 0) would end the process there
        import ctypes

        handle = ctypes.windll.kernel32.OpenProcess(0x1000, False, pid)  # type: ignore[attr-defined]
        if handle:
            ctypes.windll.kernel32.CloseHandle(handle)  # type: ignore[attr-defined]
        return bool(handle)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: it exists
        return True
    return True


def owner_gone(owner: dict[str, Any] | None, heartbeat: float, limit: float, me: Owner) -> bool:
    """The claim's owner no longer runs: on this machine its process is gone, elsewhere its heartbeat
    (the claim file's time) is older than ``limit`` seconds. A claim without an owner (an older kamxl)
    counts as abandoned."""
    if not owner:
        return True
    if owner.get("host") != me.host:
        return time.time() - heartbeat > limit
    if owner.get("boot") and me.boot and owner["boot"] != me.boot:
        return True
    pid = int(owner.get("pid") or 0)
    if not pid_alive(pid):
        return True
    started = process_start(pid)
    return owner.get("started") is not None and started is not None and started != owner["started"]


def is_me(owner: dict[str, Any] | None, me: Owner) -> bool:
    """The owner is this very process."""
    if not owner:
        return False
    return (owner.get("host"), owner.get("pid"), owner.get("started")) == (me.host, me.pid, me.started)


# -- the claim file ------------------------------------------------------------------------------------
def new_folder_name() -> str:
    """A claim folder's name: when, then a random part; sorts oldest first."""
    return f"{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:12]}"


def _host_tag(host: str) -> str:
    return hashlib.sha1(host.encode("utf-8", "backslashreplace")).hexdigest()[:8]


def staging_name(owner: Owner, claim_id: str) -> str:
    """The name of a claim folder while it is made (claim file and stem written, then renamed into a
    claim folder's name): its maker and the claim's id, for the folder and its stem reservation to be
    removed when the maker died meanwhile."""
    return f"{STAGING}{_host_tag(owner.host)}.{owner.pid}.{owner.started or 0}.{claim_id}"


def staging_owner(name: str, me: Owner) -> tuple[dict[str, Any] | None, str]:
    """(the maker, the claim id) a staging folder's name tells; no maker when the name is not one."""
    try:
        host, pid, started, claim_id = name[len(STAGING) :].split(".")
        owner = {
            "host": me.host if host == _host_tag(me.host) else f"#{host}",
            "pid": int(pid),
            "started": int(started) or None,
            "boot": None,
        }
    except ValueError:
        return None, ""
    return owner, claim_id


@dataclass
class Claim:
    """One claimed input: its folder and what ``.claim.json`` says about it."""

    folder: Path
    data: dict[str, Any]

    @classmethod
    def new(
        cls, folder: Path, name: str, input_name: str, stem: str, owner: Owner, kind: str = "file"
    ) -> Claim:
        """A fresh claim (not yet saved) of the input called ``name`` in INBOX."""
        return cls(
            folder,
            {
                "version": 2,
                "id": uuid.uuid4().hex,
                "kind": kind,
                "name": display(name),
                "name_hex": name_bytes(name).hex(),
                "input": input_name,
                "stem": stem,
                "claimed": time.time(),
                "owner": owner.as_dict(),
                "worker_kills": 0,
                "interrupted": 0,
                "write_failures": 0,
                "filing": None,
            },
        )

    @classmethod
    def load(cls, folder: Path) -> Claim | None:
        """The claim in ``folder``; None when it has no readable claim file (being created, or debris)."""
        try:
            data = json.loads((folder / CLAIM_FILE).read_text("utf-8"))
        except FileNotFoundError:
            return cls._load_legacy(folder)
        except (OSError, ValueError):
            return None
        return cls(folder, data) if isinstance(data, dict) and "stem" in data else None

    @classmethod
    def _load_legacy(cls, folder: Path) -> Claim | None:
        """A claim written by kamxl before owners ({"name", "stem"}): ownerless, so taken over at once."""
        try:
            old = json.loads((folder / LEGACY_CLAIM_FILE).read_text("utf-8"))
            name, stem = str(old["name"]), str(old["stem"])
        except (OSError, ValueError, KeyError, TypeError):
            return None
        claim = cls.new(folder, name, name, stem, Owner("", 0, None, None))
        claim.data |= {"id": folder.name, "owner": None, "legacy": True}
        return claim

    @property
    def id(self) -> str:
        return str(self.data["id"])

    @property
    def stem(self) -> str:
        return str(self.data["stem"])

    @property
    def name(self) -> str:
        """The input's own name in INBOX (bytes that are not UTF-8 kept as they were)."""
        return from_hex(self.data["name_hex"])

    @property
    def shown(self) -> str:
        """The input's name as printable text."""
        return str(self.data["name"])

    @property
    def input(self) -> Path:
        """Where the input is while claimed."""
        return self.folder / self.data["input"]

    @property
    def path(self) -> Path:
        return self.folder / CLAIM_FILE

    def save(self) -> None:
        """Write the claim file atomically (a crash leaves the old one or the new one, never half); a claim
        whose folder is gone (INBOX deleted) is not made again."""
        if not self.folder.is_dir():
            raise FileNotFoundError(errno.ENOENT, "the claim's folder is gone", str(self.folder))
        write_atomic(self.path, json.dumps(self.data, ensure_ascii=False, indent=1))
        with contextlib.suppress(FileNotFoundError):
            (self.folder / LEGACY_CLAIM_FILE).unlink()  # converted: the new file says all

    def bump(self, counter: str) -> int:
        """Add one to a counter of the claim and save it; the new count."""
        self.data[counter] = int(self.data.get(counter) or 0) + 1
        self.save()
        return int(self.data[counter])

    def heartbeat(self) -> float:
        """When the owner last showed it is alive (the claim file's time); 0 when there is none."""
        for name in (CLAIM_FILE, LEGACY_CLAIM_FILE):
            with contextlib.suppress(OSError):
                return (self.folder / name).stat().st_mtime
        return 0.0

    def touch(self) -> None:
        """Refresh the heartbeat."""
        with contextlib.suppress(OSError):
            os.utime(self.path)


def take_over(claim: Claim, work: Path, me: Owner) -> Claim | None:
    """Make an abandoned claim ours: rename its folder (only one watcher can), then name us its owner.
    None when another watcher was first."""
    target = work / new_folder_name()
    try:
        os.rename(claim.folder, target)
    except OSError:
        return None
    taken = Claim.load(target) or Claim(target, claim.data)
    taken.folder = target
    taken.data["owner"] = me.as_dict()
    taken.data["interrupted"] = int(taken.data.get("interrupted") or 0) + 1
    taken.save()
    return taken


def remove_claim_folder(folder: Path) -> None:
    """A claim folder and what is left in it."""
    with contextlib.suppress(FileNotFoundError):
        for path in folder.iterdir():
            path.unlink(missing_ok=True)
    with contextlib.suppress(FileNotFoundError):
        folder.rmdir()


# -- reserved names ------------------------------------------------------------------------------------
def _marker(claim_id: str) -> bytes:
    return f"kamxl-claim {claim_id}\n".encode("ascii")


def held_by(path: Path, claim_id: str) -> bool:
    """``path`` is the placeholder or marker this claim created."""
    try:
        with path.open("rb") as handle:
            return handle.read(80) == _marker(claim_id)
    except OSError:
        return False


def stem_marker(outbox: Path, stem: str) -> Path:
    return outbox / f".{stem}{STEM_MARKER}"


def outputs_of(outbox: Path, stem: str) -> list[Path]:
    """Every output a file with this stem may have."""
    return [outbox / f"{stem}{suffix}" for suffix in OUTPUT_SUFFIXES]


def reserve_stem(outbox: Path, stem: str, claim_id: str) -> str:
    """An output stem no other claim holds and no output in OUTBOX uses, held by a marker created
    exclusively: two watchers never write the same outputs."""
    outbox.mkdir(parents=True, exist_ok=True)
    for candidate in numbered(stem, STEM_MAX, keep_suffix=False):
        if any(path.exists() for path in outputs_of(outbox, candidate)):
            continue
        marker = stem_marker(outbox, candidate)
        if not create_exclusive(marker, _marker(claim_id)):
            continue
        if any(path.exists() for path in outputs_of(outbox, candidate)):  # finished just before we came
            marker.unlink(missing_ok=True)
            continue
        return candidate
    raise AssertionError("unreachable")  # pragma: no cover - numbered() never ends


def release_stem(outbox: Path, stem: str, claim_id: str) -> None:
    """Give the stem up (its outputs, if any, now keep it taken)."""
    marker = stem_marker(outbox, stem)
    if held_by(marker, claim_id):
        marker.unlink(missing_ok=True)


def release_stems_of(outbox: Path, claim_id: str) -> None:
    """Every stem reservation a claim holds (one whose claim file was never written)."""
    with contextlib.suppress(OSError):
        for entry in os.scandir(outbox):
            if entry.name.endswith(STEM_MARKER) and held_by(Path(entry.path), claim_id):
                Path(entry.path).unlink(missing_ok=True)


def held_stems(outbox: Path) -> set[str]:
    """The stems some claim holds now."""
    try:
        names = os.listdir(outbox)
    except OSError:
        return set()
    return {name[1 : -len(STEM_MARKER)] for name in names if name.endswith(STEM_MARKER) and name[0] == "."}


def error_name(name: str) -> str:
    """The name of the text saying why ``name`` failed (shortened, with a stable hash, when too long)."""
    return shorten(name, NAME_MAX - len(ERROR_SUFFIX), keep_suffix=False) + ERROR_SUFFIX


def reserve_name(folder: Path, name: str, claim: Claim, *, with_error: bool = False) -> str:
    """A name in ``folder`` for the claim's input, held by a placeholder created exclusively; the name is
    written into the claim before the placeholder, so that a watcher killed in between finds it."""
    folder.mkdir(exist_ok=True)  # not INBOX itself: a deleted INBOX is not made again here
    for candidate in numbered(name):
        if held_by(folder / candidate, claim.id):
            return candidate  # reserved before a crash
        if with_error and (folder / error_name(candidate)).exists():
            continue  # a failed file's explanation keeps its name taken
        claim.data["filing"]["name_hex"] = name_bytes(candidate).hex()
        claim.save()
        if create_exclusive(folder / candidate, _marker(claim.id)):
            return candidate
    raise AssertionError("unreachable")  # pragma: no cover - numbered() never ends


def from_hex(text: str) -> str:
    """A file name kept in a claim as the hex of its bytes."""
    return os.fsdecode(bytes.fromhex(text))


def link_or_move(source: Path, target: Path) -> bool:
    """Put ``source`` at ``target`` unless something is there: a hard link (atomic, never overwrites)
    then the source removed; where links are not supported, a rename when the name is free. False when
    ``target`` is taken."""
    try:
        os.link(source, target)
    except FileExistsError:
        return False
    except OSError:  # no hard links here (some network shares)
        if target.exists():
            return False
        os.rename(source, target)
        return True
    source.unlink(missing_ok=True)
    return True
