"""`kamxl appraisal`: an HR export in, one printable appraisal form per employee and appraisal.json out.

``process`` does the same for a workbook that holds nothing but an appraisal
export (kamxl/write/appraisal_files.py), so a drop folder does too.
"""

from __future__ import annotations

from pathlib import Path

from kamxl.config import Settings
from kamxl.outcome import AppraisalOutcome
from kamxl.write.appraisal_files import appraisal_json, write_appraisal


def export_appraisal(
    path: str | Path, out_dir: str | Path, settings: Settings, split: bool = False, strict: bool = False
) -> AppraisalOutcome:
    """Read an HR export and write the appraisal forms; every problem is an issue in the outcome."""
    from kamxl.calc.appraisal import appraise
    from kamxl.calc.cells import CellMap
    from kamxl.read import read_workbook

    path, out_dir = Path(path), Path(out_dir)
    outcome = AppraisalOutcome(path)
    wb = read_workbook(path, settings, strict=strict)
    outcome.issues += wb.issues
    table = wb.table("appraisal") if wb.kind else None
    if table is None:
        if wb.kind is not None and not wb.errors:
            outcome.issues.append(settings.issue("no_appraisal", name=path.name))
        return outcome
    indicators, employees, issues = appraise(
        table.reset_index(drop=True), settings, CellMap.of(wb.forms["appraisal"])
    )
    outcome.issues += issues
    outcome.employees = appraisal_json(employees, settings)["employees"]
    written, issues = write_appraisal(indicators, employees, out_dir, path.stem, settings, path.name, split)
    outcome.outputs += written
    outcome.issues += issues
    return outcome
