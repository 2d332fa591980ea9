"""Formula cells whose cached value cannot be trusted (xlsx only).

Readers return a formula cell's cached value. Files written by scripts and
never opened in a spreadsheet program have none (readers then see a blank or
drop the cell) or a placeholder 0 with ``fullCalcOnLoad`` set; error results
such as #DIV/0! come back blank. This module finds those cells so the reader
can say so at their place instead of reading a silent blank or zero.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from dataclasses import dataclass
from html import unescape
from typing import Literal

from defusedxml import ElementTree as SafeET

_CELL = re.compile(rb"<(?:\w+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)", re.S)
_HAS_F = re.compile(rb"<(?:\w+:)?f[\s>/]")
_F = re.compile(rb"<(?:\w+:)?f\b[^>]*?(?:/>|>(.*?)</(?:\w+:)?f>)", re.S)
_V = re.compile(rb"<(?:\w+:)?v\s*(?:/>|>(.*?)</(?:\w+:)?v>)", re.S)
_REF = re.compile(rb'\br="([A-Z]+)(\d+)"')
_TYPE = re.compile(rb'\bt="(\w+)"')

# no_value: nothing cached; stale_zero: a 0 cached by a writer that asked for a recalculation;
# error: the formula's result is an error such as #DIV/0!.
Problem = Literal["no_value", "stale_zero", "error"]


@dataclass(frozen=True)
class SuspectFormula:
    """A formula cell the reader must not take at its cached value, kept to warn at its place."""

    row: int  # 0-based
    col: int  # 0-based
    formula: str
    problem: Problem
    value: str = ""


def column_index(letters: str) -> int:
    """Excel column letters to a 0-based index (A -> 0, AA -> 26), the inverse of ``column_letter``."""
    index = 0
    for ch in letters.upper():
        index = index * 26 + ord(ch) - 64
    return index - 1


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _rels(archive: zipfile.ZipFile, part: str) -> dict[str, tuple[str, str]]:
    """A part's relationships, id -> (type, part path), so sheets are found however the writer named them."""
    folder, base = posixpath.split(part)
    rels_name = posixpath.join(folder, "_rels", base + ".rels")
    try:
        root = SafeET.fromstring(archive.read(rels_name))
    except KeyError:
        return {}
    out: dict[str, tuple[str, str]] = {}
    for element in root:
        target = element.get("Target", "")
        if element.get("TargetMode") == "External":
            continue
        full = (
            target.lstrip("/")
            if target.startswith("/")
            else posixpath.normpath(posixpath.join(folder, target))
        )
        out[element.get("Id", "")] = (element.get("Type", ""), full)
    return out


def sheet_parts(archive: zipfile.ZipFile) -> tuple[dict[str, str], bool]:
    """Map sheet name -> worksheet part, and whether fullCalcOnLoad is set."""
    workbook = next(
        (path for kind, path in _rels(archive, "").values() if kind.endswith("/officeDocument")),
        "xl/workbook.xml",
    )
    root = SafeET.fromstring(archive.read(workbook))
    rels = _rels(archive, workbook)
    parts: dict[str, str] = {}
    full_calc = False
    for element in root.iter():
        tag = _local(element.tag)
        if tag == "sheet":
            rel_id = next((v for k, v in element.attrib.items() if _local(k) == "id"), None)
            if rel_id in rels:
                parts[element.get("name", "")] = rels[rel_id][1]
        elif tag == "calcPr":
            full_calc = element.get("fullCalcOnLoad") in ("1", "true")
    return parts, full_calc


def scan_part(data: bytes, full_calc: bool) -> list[SuspectFormula]:
    """Cells of one worksheet part whose cached value is missing, doubtful or an error."""
    if not _HAS_F.search(data) and b't="e"' not in data:
        return []
    found = []
    for cell in _CELL.finditer(data):
        attrs, inner = cell.group(1), cell.group(2) or b""
        formula_match = _F.search(inner)
        is_error = b't="e"' in attrs
        if not (formula_match or is_error):
            continue
        ref = _REF.search(attrs)
        if not ref:
            continue
        row, col = int(ref.group(2)) - 1, column_index(ref.group(1).decode("ascii"))
        formula = "=" + _xml_text(formula_match.group(1)) if formula_match else ""
        value_match = _V.search(inner)
        value = _xml_text(value_match.group(1)) if value_match else None
        type_match = _TYPE.search(attrs)
        cell_type = type_match.group(1).decode() if type_match else "n"
        if is_error:
            found.append(SuspectFormula(row, col, formula, "error", value or ""))
        elif value is None or (value == "" and cell_type not in ("str", "inlineStr")):
            found.append(SuspectFormula(row, col, formula, "no_value"))
        elif full_calc and cell_type == "n" and value.strip() in ("0", "0.0"):
            found.append(SuspectFormula(row, col, formula, "stale_zero", value))
    return found


def _xml_text(raw: bytes | None) -> str:
    """An element's text as written in the part (empty elements give "")."""
    return unescape((raw or b"").decode("utf-8", "replace"))
