"""Helpers of the drop-folder fault tests: inputs that can be told apart, and what became of them.

Every input gets an id (a workbook in its zip comment, a text file in its text), so that after a run
each input can be found in done/ or failed/ whatever name it was filed under: the figures are how many
went in, were done, failed, were lost or duplicated, and what debris was left.
"""

from __future__ import annotations

import json
import os
import shutil
import zipfile
from pathlib import Path

from tests.conftest import SAMPLES

WORKBOOKS = ["form-pnl.xlsx", "form-customers.xlsx", "form-receivables.xlsx", "east-2026-01.xlsx"]
OUTPUTS = (".kamxl.xlsx", ".report.json", ".summary.md", ".summary.html")


def make_input(folder: Path, name: str, ident: str, sample: str | None = "form-pnl.xlsx") -> Path:
    """A workbook copied from ``sample`` with ``ident`` as its zip comment (None: a text file, not a
    workbook, holding ``ident``); written beside, then renamed in, as a copy that arrives whole."""
    target = folder / name
    staging = folder.parent / f".staging-{ident}"
    if sample is None:
        staging.write_text(f"id {ident}\n", "utf-8")
    else:
        shutil.copy(SAMPLES / sample, staging)
        with zipfile.ZipFile(staging, "a") as archive:
            archive.comment = ident.encode()
    os.replace(staging, target)
    return target


def ident_of(path: Path) -> str | None:
    """The id an input was made with."""
    try:
        with zipfile.ZipFile(path) as archive:
            return archive.comment.decode() or None
    except (zipfile.BadZipFile, OSError):
        pass
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    return text.split()[1] if text.startswith("id ") else None


def figures(inbox: Path, outbox: Path, sent: dict[str, bool]) -> dict[str, object]:
    """What became of the inputs ``sent`` (id -> whether it is a valid workbook): counts, and the ids of
    anything lost, duplicated or wrongly failed; debris is every file a finished run should not leave."""
    found: dict[str, list[str]] = {}
    for state in ("done", "failed"):
        for path in sorted((inbox / state).iterdir()):
            if path.name.endswith(".error.txt"):
                continue
            ident = ident_of(path)
            found.setdefault(ident or f"?{path.name}", []).append(state)
    lost = sorted(set(sent) - set(found))
    duplicated = sorted(ident for ident, states in found.items() if len(states) > 1)
    valid_failed = sorted(ident for ident, states in found.items() if sent.get(ident) and "failed" in states)
    return {
        "inputs": len(sent),
        "done": sum(states.count("done") for states in found.values()),
        "failed": sum(states.count("failed") for states in found.values()),
        "lost": lost,
        "duplicated": duplicated,
        "valid_failed": valid_failed,
        "unknown": sorted(ident for ident in found if ident not in sent),
        "debris": debris(inbox, outbox),
    }


def debris(inbox: Path, outbox: Path) -> list[str]:
    """Temporary files, reservations, claim folders and explanations without their input."""
    left = []
    for folder in (outbox, inbox / "done", inbox / "failed", inbox):
        for path in folder.iterdir():
            if path.name.endswith((".part", ".kamxl-stem")) or (
                path.is_file() and path.stat().st_size < 64 and _placeholder(path)
            ):
                left.append(str(path.relative_to(inbox.parent)))
    work = inbox / ".kamxl-work"
    if work.exists():
        left += [str(p.relative_to(inbox.parent)) for p in work.iterdir()]
    failed = inbox / "failed"
    inputs = {p.name for p in failed.iterdir() if not p.name.endswith(".error.txt")}
    for path in failed.glob("*.error.txt"):
        if path.name[: -len(".error.txt")] not in inputs:
            left.append(str(path.relative_to(inbox.parent)))
    return left


def _placeholder(path: Path) -> bool:
    try:
        return path.read_bytes().startswith(b"kamxl-claim ")
    except OSError:
        return False


def inconsistent_outputs(outbox: Path) -> list[str]:
    """Output sets that are incomplete or disagree: a report.json without its workbook and summaries (or
    the other way round), a report that lost its forms."""
    problems = []
    for report in outbox.glob("*.report.json"):
        stem = report.name[: -len(".report.json")]
        data = json.loads(report.read_text("utf-8"))
        has_workbook = (outbox / f"{stem}.kamxl.xlsx").exists()
        if data.get("forms") and not all((outbox / f"{stem}{suffix}").exists() for suffix in OUTPUTS):
            problems.append(f"{stem}: incomplete")
        if has_workbook and not data.get("forms"):
            problems.append(f"{stem}: report without forms beside a workbook")
        if any(i.get("code") == "file_not_found" for i in data.get("issues", [])):
            problems.append(f"{stem}: file_not_found")
    for workbook in outbox.glob("*.kamxl.xlsx"):
        if not (outbox / workbook.name.replace(".kamxl.xlsx", ".report.json")).exists():
            problems.append(f"{workbook.name}: no report.json")
    return problems
