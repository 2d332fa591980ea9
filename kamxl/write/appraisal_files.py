"""The HR appraisal outputs: <stem>.appraisal.xlsx (or a workbook per employee) and <stem>.appraisal.json."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd

from kamxl.config import Settings
from kamxl.issues import Issue
from kamxl.write.files import atomic_path

_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]+')
_RESERVED = {
    "con",
    "prn",
    "aux",
    "nul",
    *(f"com{i}" for i in range(1, 10)),
    *(f"lpt{i}" for i in range(1, 10)),
}


def safe_file_part(text: str, limit: int = 60) -> str:
    """Text usable in a file name anywhere: no separators or control characters, no reserved device names."""
    clean = _UNSAFE.sub("_", str(text)).strip().strip(".")
    clean = re.sub(r"\s+", " ", clean)[:limit].rstrip(" .")
    if not clean:
        return "_"
    if clean.split(".")[0].lower() in _RESERVED:
        clean = "_" + clean
    return clean


def appraisal_json(employees: pd.DataFrame, settings: Settings) -> dict[str, list[dict[str, object]]]:
    """The contract of <stem>.appraisal.json: an entry per employee; null score and grade for one in error."""
    from kamxl.write.report import clean

    out = []
    for e in employees.to_dict("records"):
        out.append(
            clean(
                {
                    "employee": e["employee"],
                    "employee_id": e.get("employee_id"),
                    "department": e.get("department"),
                    "period": e.get("period"),
                    "weighted_score": None if e["error"] else e["weighted_score"],
                    "grade": None if e["error"] else e["grade"],
                    "quadrant": e.get("quadrant"),
                    "ability": e.get("ability"),
                    "willingness": e.get("will"),
                    "weight_total": e.get("weight_total"),
                    "issues": [settings.issue_dict(i) for i in e.get("issues", [])],
                }
            )
        )
    return {"employees": out}


def write_appraisal(
    indicators: pd.DataFrame,
    employees: pd.DataFrame,
    out_dir: Path,
    stem: str,
    settings: Settings,
    source: str,
    split: bool = False,
) -> tuple[list[Path], list[Issue]]:
    """<stem>.appraisal.xlsx (overview + a form per employee) and <stem>.appraisal.json.

    With ``split``, one workbook per employee instead, for HR to send each their own form.
    """
    from kamxl.write.xlsx.appraisal_forms import employee_key, write_appraisal_book

    out_dir = Path(out_dir)
    written: list[Path] = []
    issues: list[Issue] = []
    if split:
        taken: set[str] = set()
        for e in employees.to_dict("records"):
            if e["error"]:
                continue
            part = safe_file_part(e["employee"]) + (
                f"_{safe_file_part(e['employee_id'])}"
                if isinstance(e.get("employee_id"), str) and e["employee_id"]
                else ""
            )
            name, copy = f"{stem}.{part}", 1
            while name.lower() in taken:  # two employees of one name and no ID: numbered, not overwritten
                copy += 1
                name = f"{stem}.{part}-{copy}"
            taken.add(name.lower())
            target = out_dir / f"{name}.appraisal.xlsx"
            more, _ = write_appraisal_book(
                indicators,
                employees,
                target,
                settings,
                source,
                only=employee_key(e["employee"], e.get("employee_id")),
                overview=False,
            )
            issues += more
            written.append(target)
    else:
        target = out_dir / f"{stem}.appraisal.xlsx"
        more, _ = write_appraisal_book(indicators, employees, target, settings, source)
        issues += more
        written.append(target)
    report = out_dir / f"{stem}.appraisal.json"
    with atomic_path(report) as tmp:
        tmp.write_text(json.dumps(appraisal_json(employees, settings), ensure_ascii=False, indent=2), "utf-8")
    written.append(report)
    return written, issues
