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


def test_the_python_api_is_what_kamxl_exports():
    import subprocess
    import sys

    import kamxl

    missing = [name for name in kamxl.__all__ if not hasattr(kamxl, name)]
    assert missing == []
    assert callable(kamxl.process) and callable(kamxl.read_workbook)
    # importing kamxl costs nothing until a name is used (the command line's --help stays fast)
    probe = "import sys, kamxl; print(sorted(m for m in ('pandas', 'kamxl.pipeline') if m in sys.modules))"
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert loaded.stdout.strip() == "[]"


# import name -> distribution, where they differ
_DISTRIBUTIONS = {"python_calamine": "python-calamine", "yaml": "pyyaml"}


def _third_party_imports() -> set[str]:
    import ast
    import sys

    found: set[str] = set()
    for path in (ROOT / "kamxl").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Import):
                found.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.add(node.module.split(".")[0])
    return {name for name in found if name not in sys.stdlib_module_names and name != "kamxl"}


def test_runtime_dependencies_are_exactly_what_the_package_imports():
    import re

    declared = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]["dependencies"]
    names = {re.split(r"[<>=!~ \[;]", spec, maxsplit=1)[0].lower() for spec in declared}
    imported = {_DISTRIBUTIONS.get(name, name).lower() for name in _third_party_imports()}
    assert names == imported


def test_the_wheel_ships_no_scripts_among_the_samples():
    samples = ROOT / "sample_workbooks"
    assert [p.name for p in samples.glob("*.py")] == ["__init__.py"]
