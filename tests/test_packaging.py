"""What a non-editable install ships: every subpackage, the data files and the summary templates."""

from __future__ import annotations

import tomllib
from importlib import resources

from tests.conftest import ROOT


def test_every_subpackage_is_listed():
    listed = set(
        tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]["setuptools"]["packages"]
    )
    found = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "kamxl").rglob("__init__.py")}
    assert found - listed == set(), (
        "add these to [tool.setuptools] packages, or an installed kamxl lacks them"
    )


def test_templates_are_package_data():
    names = {p.name for p in resources.files("kamxl.templates").iterdir()}
    assert {"summary.md.j2", "summary.html.j2", "examples.toml"} <= names


def test_samples_are_package_data():
    names = {p.name for p in resources.files("kamxl.samples").iterdir()}
    assert {"east-2026-03.xlsx", "hr-appraisal-2026q1.xlsx"} <= names
