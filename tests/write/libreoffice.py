"""Recalculate a workbook in headless LibreOffice, with recalculation on load forced.

LibreOffice keeps the cached values of an .xlsx unless told otherwise; the
user profile's ``OOXMLRecalcMode = 0`` ("always") makes it recompute every
formula, so the converted copy holds LibreOffice's own results.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

_LOAD = '<item oor:path="/org.openoffice.Office.Calc/Formula/Load">'
_NEVER = '<prop oor:name="{mode}" oor:op="fuse"><value>0</value></prop></item>\n'  # never recalculate on load
XCU = (
    """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
"""
    + "".join(_LOAD + _NEVER.format(mode=mode) for mode in ("OOXMLRecalcMode", "ODFRecalcMode"))
    + "</oor:items>\n"
)


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def convert(src: Path, out_dir: Path, to: str = "xlsx") -> Path:
    """Open ``src`` in LibreOffice (recalculating everything) and save it as ``to`` into ``out_dir``."""
    exe = soffice()
    if exe is None:
        raise FileNotFoundError("LibreOffice (soffice) is not installed")
    profile = out_dir / "lo-profile"
    (profile / "user").mkdir(parents=True, exist_ok=True)
    (profile / "user" / "registrymodifications.xcu").write_text(XCU, encoding="utf-8")
    out_dir.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, HOME=str(out_dir))
    subprocess.run(
        [
            exe,
            f"-env:UserInstallation={profile.resolve().as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            to,
            "--outdir",
            str(out_dir),
            str(src),
        ],
        check=True,
        capture_output=True,
        timeout=240,
        env=env,
    )
    result = out_dir / (src.stem + "." + to.split(":")[0])
    if not result.exists():
        raise RuntimeError(f"LibreOffice wrote no {result.name}")
    return result


def require() -> None:
    """Skip where LibreOffice is absent, except in CI (.ci/run installs it), where its absence fails."""
    import pytest

    if soffice() is None:
        if os.environ.get("CI"):
            pytest.fail("LibreOffice is required in CI (.ci/run installs libreoffice-calc-nogui)")
        pytest.skip("LibreOffice is not installed")


def formula_cells(path) -> list[tuple[str, str, str]]:
    """(sheet, cell, formula) of every formula in a workbook."""
    import openpyxl

    wb = openpyxl.load_workbook(path)
    return [
        (ws.title, c.coordinate, c.value)
        for ws in wb.worksheets
        for row in ws.iter_rows()
        for c in row
        if isinstance(c.value, str) and c.value.startswith("=")
    ]


def same(a, b) -> bool:
    """A cached value and LibreOffice's: numbers to 1e-6 relative, "" and None alike."""
    a, b = (None if v == "" else v for v in (a, b))
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        return abs(a - b) <= 1e-6 * max(1.0, abs(a))
    return a == b
