"""The habits that keep kamxl easy to carry on, checked so they stay: short functions, no import cycles,
a repository that needs nothing beside it."""

from __future__ import annotations

import ast
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "kamxl"
MAX_FUNCTION_LINES = 60
# Files that name the team's spec only to keep it out (these tests) or to tell history (the changelog).
GUARDS = {"tests/test_codebase.py", "tests/test_readme.py", "CHANGELOG.md"}


def _modules() -> dict[str, ast.Module]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = ast.parse(path.read_text("utf-8"), str(path))
    return found


def test_no_function_is_longer_than_the_limit():
    long = [
        f"{name}.{node.name}: {node.end_lineno - node.lineno + 1} lines"
        for name, tree in _modules().items()
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES
    ]
    assert long == []


def _imports_at_load(name: str, tree: ast.Module, known: set[str]) -> set[str]:
    """The kamxl modules a module imports when it is loaded (not the lazy imports inside functions)."""
    found: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.If):  # `if TYPE_CHECKING:` imports never run
            continue
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("kamxl"):
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.startswith("kamxl"))
    return {module for module in found if module in known and module != name}


def test_no_import_cycles():
    modules = _modules()
    graph = {name: _imports_at_load(name, tree, set(modules)) for name, tree in modules.items()}
    cycles: list[list[str]] = []
    state: dict[str, str] = {}  # "open" while its imports are followed, "done" after

    def visit(name: str, path: list[str]) -> None:
        state[name] = "open"
        for target in sorted(graph[name]):
            if state.get(target) == "open":
                cycles.append([*path[path.index(target) :], target])
            elif target not in state:
                visit(target, [*path, target])
        state[name] = "done"

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    assert cycles == []


# The reader's stages in the order data flows through them (kamxl/read/__init__.py): the file, its cells,
# the header model, which form and where its tables are, a sheet's context, the body rows, the ledger.
READER_STAGES = [
    "values",
    "formulas",
    "container",
    "parts",
    "grid",
    "header",
    "recognise",
    "tables",
    "sheet",
    "plan_forms",
    "forms",
    "ledger",
]


def _all_kamxl_imports(tree: ast.Module) -> set[str]:
    """Every kamxl module a module names in an import, at load or inside a function."""
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("kamxl"):
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.startswith("kamxl"))
    return found


def test_the_reader_runs_one_way():
    """A stage of the reader uses only the stages before it, so following a workbook through the reader
    never returns to a file already left (kamxl.read itself calls the stages in order)."""
    modules = _modules()
    stages = {name.removeprefix("kamxl.read.") for name in modules if name.startswith("kamxl.read.")}
    assert stages == set(READER_STAGES)  # a new stage takes its place in the list
    backwards = [
        f"{stage} imports {target}"
        for index, stage in enumerate(READER_STAGES)
        for target in _all_kamxl_imports(modules[f"kamxl.read.{stage}"])
        if target.startswith("kamxl.read.")
        and target.removeprefix("kamxl.read.") not in READER_STAGES[:index]
    ]
    assert backwards == []


def _tracked_files() -> list[Path]:
    try:
        listed = subprocess.run(
            ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.splitlines()
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout")
    return [ROOT / name for name in listed if (ROOT / name).suffix in {".py", ".md", ".toml", ".j2", ".cfg"}]


def test_nothing_reaches_outside_the_repository():
    """A clone alone must work: no file names the team's spec or corpus beside the repository."""
    # the team's folder beside the repository, spelt in two parts so that this guard does not name it itself
    team = "../" + "shared"
    outside = (team, "shared/spec", "shared/corpus", "METHOD.md", "FORMS.md", "REPORT_JSON.md")
    offenders = [
        f"{path.relative_to(ROOT)}: {word}"
        for path in _tracked_files()
        if path.relative_to(ROOT).as_posix() not in GUARDS and path.exists()
        for word in outside
        if word in path.read_text("utf-8", errors="replace")
    ]
    assert offenders == []
