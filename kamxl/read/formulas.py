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

from defusedxml import ElementTree as SafeET

_CELL = re.compile(rb"<(?:\w+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)", re.S)
_HAS_F = re.compile(rb"<(?:\w+:)?f[\s>/]")
_F = re.compile(rb"<(?:\w+:)?f\b[^>]*?(?:/>|>(.*?)</(?:\w+:)?f>)", re.S)
_V = re.compile(rb"<(?:\w+:)?v\s*(?:/>|>(.*?)</(?:\w+:)?v>)", re.S)
_REF = re.compile(rb'\br="([A-Z]+)(\d+)"')
_TYPE = re.compile(rb'\bt="(\w+)"')


@dataclass(frozen=True)
class SuspectFormula:
    row: int  # 0-based
    col: int  # 0-based
    formula: str
    problem: str  # no_value | stale_zero | error
    value: str = ""


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _rels(zf: zipfile.ZipFile, part: str) -> dict[str, tuple[str, str]]:
    folder, base = posixpath.split(part)
    rels_name = posixpath.join(folder, "_rels", base + ".rels")
    try:
        root = SafeET.fromstring(zf.read(rels_name))
    except KeyError:
        return {}
    out = {}
    for el in root:
        target = el.get("Target", "")
        if el.get("TargetMode") == "External":
            continue
        full = (
            target.lstrip("/")
            if target.startswith("/")
            else posixpath.normpath(posixpath.join(folder, target))
        )
        out[el.get("Id", "")] = (el.get("Type", ""), full)
    return out


def sheet_parts(zf: zipfile.ZipFile) -> tuple[dict[str, str], bool]:
    """Map sheet name -> worksheet part, and whether fullCalcOnLoad is set."""
    workbook = next(
        (p for t, p in _rels(zf, "").values() if t.endswith("/officeDocument")), "xl/workbook.xml"
    )
    root = SafeET.fromstring(zf.read(workbook))
    rels = _rels(zf, workbook)
    parts, full_calc = {}, False
    for el in root.iter():
        tag = _local(el.tag)
        if tag == "sheet":
            rid = next((v for k, v in el.attrib.items() if _local(k) == "id"), None)
            if rid in rels:
                parts[el.get("name", "")] = rels[rid][1]
        elif tag == "calcPr":
            full_calc = el.get("fullCalcOnLoad") in ("1", "true")
    return parts, full_calc


def _col_index(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ch - 64)
    return n - 1


def scan_part(data: bytes, full_calc: bool) -> list[SuspectFormula]:
    """Cells of one worksheet part whose cached value is missing, doubtful or an error."""
    if not _HAS_F.search(data) and b't="e"' not in data:
        return []
    found = []
    for m in _CELL.finditer(data):
        attrs, inner = m.group(1), m.group(2) or b""
        fm = _F.search(inner)
        is_error = b't="e"' in attrs
        if not (fm or is_error):
            continue
        ref = _REF.search(attrs)
        if not ref:
            continue
        row, col = int(ref.group(2)) - 1, _col_index(ref.group(1))
        formula = "=" + unescape((fm.group(1) or b"").decode("utf-8", "replace")) if fm else ""
        vm = _V.search(inner)
        value = unescape((vm.group(1) or b"").decode("utf-8", "replace")) if vm else None
        tm = _TYPE.search(attrs)
        ctype = tm.group(1).decode() if tm else "n"
        if is_error:
            found.append(SuspectFormula(row, col, formula, "error", value or ""))
        elif value is None or (value == "" and ctype not in ("str", "inlineStr")):
            found.append(SuspectFormula(row, col, formula, "no_value"))
        elif full_calc and ctype == "n" and value.strip() in ("0", "0.0"):
            found.append(SuspectFormula(row, col, formula, "stale_zero", value))
    return found
