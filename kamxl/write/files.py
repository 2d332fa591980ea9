"""Files and their names: written so that a reader never sees half of one, named so that nothing is
overwritten and no name is too long.

A file name is whatever bytes the filesystem allowed (a GBK name from a zip
made on Chinese Windows is not UTF-8), up to 255 bytes. Python holds such a
name as text with "surrogate escapes"; ``display`` turns it into text that
can be printed, logged and put in JSON, and ``shorten`` keeps a name under
the limit with a stable hash of the whole name, so that the same long name
always becomes the same short one.
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

NAME_MAX = 255  # bytes of one file name on every common filesystem
# the temporary name of an atomic write is ".<prefix>.<8 random>.<suffix>.part": the prefix is cut so that
# the whole stays under NAME_MAX whatever the target's name
_TEMP_PREFIX_MAX = 120
_HASH_CHARS = 8
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def name_bytes(name: str) -> bytes:
    """A file name as the bytes it has on disk."""
    return os.fsencode(name)


def fit(text: str, max_bytes: int) -> str:
    """The longest start of ``text`` whose on-disk bytes are at most ``max_bytes``, cut between characters."""
    if len(name_bytes(text)) <= max_bytes:
        return text
    size, end = 0, 0
    for end, char in enumerate(text):
        size += len(name_bytes(char))
        if size > max_bytes:
            return text[:end]
    return text


def split_name(name: str) -> tuple[str, str]:
    """(stem, suffix) of a file name; a name without a suffix (or only a dot's) is all stem."""
    path = Path(name)
    return (path.stem, path.suffix) if path.suffix else (name, "")


def shorten(name: str, max_bytes: int = NAME_MAX, keep_suffix: bool = True) -> str:
    """``name`` if it fits in ``max_bytes``; else its start, ``~`` and a hash of the whole name, then its
    suffix: stable (the same name always gives the same short name) and distinct for different names."""
    if len(name_bytes(name)) <= max_bytes:
        return name
    stem, suffix = split_name(name) if keep_suffix else (name, "")
    if len(name_bytes(suffix)) > max_bytes // 4:  # a "suffix" that long is part of the name
        stem, suffix = name, ""
    tag = "~" + hashlib.sha1(name_bytes(name)).hexdigest()[:_HASH_CHARS]
    room = max_bytes - len(name_bytes(tag)) - len(name_bytes(suffix))
    return fit(stem, room) + tag + suffix


def display(name: str) -> str:
    """A file name as printable text: bytes that are not UTF-8 as ``\\xNN``, control characters (a
    newline in a name would forge a log line) as escapes."""
    text = name_bytes(name).decode("utf-8", "backslashreplace")
    return escape_controls(text)


def escape_controls(text: str) -> str:
    """Control characters (newline, tab, escape, …) shown as escapes, so one line stays one line."""
    return _CONTROL.sub(lambda found: found.group().encode("unicode_escape").decode("ascii"), text)


def numbered(name: str, max_bytes: int = NAME_MAX, keep_suffix: bool = True) -> Iterator[str]:
    """``name``, ``stem-2.ext``, ``stem-3.ext`` …, each shortened to ``max_bytes``: the candidates for a
    free name (an output stem has no suffix: ``keep_suffix=False``)."""
    stem, suffix = split_name(name) if keep_suffix else (name, "")
    yield shorten(name, max_bytes, keep_suffix)
    number = 2
    while True:
        yield shorten(f"{stem}-{number}{suffix}", max_bytes, keep_suffix)
        number += 1


def create_exclusive(path: Path, content: bytes = b"") -> bool:
    """Create ``path`` with ``content`` only if nothing has that name (O_CREAT|O_EXCL, atomic also between
    processes and, on NFS v3+ and SMB, between machines); False when it exists."""
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    except FileExistsError:
        return False
    try:
        os.write(descriptor, content)
    except OSError:
        os.close(descriptor)
        path.unlink(missing_ok=True)
        raise
    os.close(descriptor)
    return True


def is_disk_full(exc: BaseException | str) -> bool:
    """The error (or its text) says the disk or the user's quota is full."""
    if isinstance(exc, OSError):
        return exc.errno in (errno.ENOSPC, errno.EDQUOT)
    text = str(exc)
    return any(f"[Errno {number}]" in text for number in (errno.ENOSPC, errno.EDQUOT))


def temp_prefix(target_name: str) -> str:
    """The start of the temporary names of an atomic write of ``target_name``: "." and its stem, shortened
    with a hash when long, then ".", so that it tells apart the temporaries of every target."""
    return "." + shorten(Path(target_name).stem, _TEMP_PREFIX_MAX, keep_suffix=False) + "."


def is_temporary(name: str) -> bool:
    """A temporary file of an atomic write (what a killed writer leaves behind)."""
    return name.startswith(".") and name.endswith(".part")


@contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; rename it into place on success, remove it on failure."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    suffix = fit(target.suffix, 32) + ".part"
    fd, tmp = tempfile.mkstemp(prefix=temp_prefix(target.name), suffix=suffix, dir=target.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        os.chmod(
            tmp, 0o666 & ~_umask()
        )  # mkstemp makes 0600; an output is as readable as any file the user writes
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_atomic(target: Path, text: str) -> None:
    """Write ``text`` (UTF-8) so that ``target`` is never seen half written."""
    with atomic_path(target) as tmp:
        tmp.write_text(text, "utf-8")
