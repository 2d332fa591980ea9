"""The ledger holds everywhere: every sample, template, corpus file and workbook the reader tests build.

For every table read, values + headers + totals + notes + unread equals the
non-blank cells of its area (counted here on their own, from the grid), and
every cell not read has an issue at it or inside the range an issue names.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

import kamxl.read as reader
from kamxl.issues import Issue, parse_a1
from kamxl.read import FORM_NAMES, read_workbook
from kamxl.read.ledger import COLUMN_CODES, COLUMNS, Ledger, Reading
from kamxl.read.values import Values
from kamxl.write.template import write_template
from tests.conftest import CORPUS, ROOT, SAMPLES
from tests.write.libreoffice import convert, require

SAMPLE_BOOKS = sorted(SAMPLES.glob("*.xlsx"))
# The reader tests that build workbooks of every layout; run again under the guard (slow).
BUILDING_TESTS = [
    "tests/read/test_layouts.py",
    "tests/read/test_several_tables.py",
    "tests/read/test_sheets.py",
    "tests/read/test_header_layouts.py",
    "tests/read/test_body_rows.py",
    "tests/read/test_body_rows_formats.py",
    "tests/read/test_month_years.py",
    "tests/read/test_values_rows.py",
    "tests/read/test_body_rows_property.py",
    "tests/read/test_header_properties.py",
    "tests/read/test_columns.py",
    "tests/write/test_template.py",
    "tests/test_appraisal.py",
]


def _blank(value: object, values: Values) -> bool:
    """Blank as a person sees it: nothing, spaces, NaN, or what users write for nothing ("-", "无")."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip() or values.is_blank(value)
    return isinstance(value, float) and math.isnan(value)


def _area_cells(reading: Reading) -> int:
    """The area's non-blank cells, counted without the ledger's own code."""
    grid, area, values = reading.grid, reading.area, reading.ctx.values
    right = area.right if area.right is not None else grid.ncols - 1
    return sum(
        1
        for r in range(area.top, min(area.bottom, grid.nrows - 1) + 1)
        for c in range(area.left, right + 1)
        if not _blank(grid.value(r, c), values)
    )


def _in_range(cell: tuple[int, int], cells: str) -> bool:
    """Whether ``cell`` lies in an A1 range ("C5:F9") or is that one cell ("C5")."""
    first, _, last = cells.partition(":")
    (r0, c0), (r1, c1) = parse_a1(first), parse_a1(last or first)
    return r0 <= cell[0] <= r1 and c0 <= cell[1] <= c1


def _says(issue: Issue, cell: tuple[int, int], reading: Reading) -> bool:
    """The issue names the cell: at it, a range holding it, its column's header, or the block it is in."""
    if (issue.row, issue.col) == cell:
        return True
    cells = issue.params.get("cells")
    if issue.code in ("figure_not_read", "text_not_read") and isinstance(cells, str):
        return _in_range(cell, cells)
    block = reading.ctx.block
    if issue.code in COLUMN_CODES and block is not None:
        return block.top <= (issue.row or 0) <= block.bottom < cell[0]
    if cell[0] in reading.ctx.skipped and issue.row == cell[0]:
        return True  # a row skipped, and the issue in it that says why
    if issue.code == "table_not_read":
        return (issue.row, issue.col) <= cell
    return False


class Guard:
    """Wraps the reader's ledger step and records every way the guarantee fails."""

    def __init__(self) -> None:
        self.ledgers: list[Ledger] = []
        self.failures: list[str] = []
        self.warnings: list[Issue] = []
        self._account = reader.account

    def account(self, reading: Reading, said: list[Issue], settings: object) -> tuple[Ledger, list[Issue]]:
        ledger, unsaid = self._account(reading, said, settings)  # type: ignore[arg-type]
        self.ledgers.append(ledger)
        where = f"{reading.grid.name}!{ledger.area}"
        counted = sum(ledger.counts[column] for column in COLUMNS)
        expected = _area_cells(reading)
        if counted != expected:
            self.failures.append(f"{where}: {ledger.counts} sum to {counted}, the area holds {expected}")
        issues = [*said, *unsaid]
        for cell, issue in ledger.unread.items():
            if not any(issue is known for known in issues) or not _says(issue, cell, reading):
                self.failures.append(f"{where}: cell {cell} not read, and {issue.code} does not say so")
        self.warnings += [issue for issue in unsaid if issue.severity == "warning"]
        return ledger, unsaid


@contextmanager
def guarded() -> Iterator[Guard]:
    guard = Guard()
    original = reader.account
    reader.account = guard.account  # type: ignore[assignment]
    try:
        yield guard
    finally:
        reader.account = original  # type: ignore[assignment]


@pytest.mark.parametrize("path", SAMPLE_BOOKS, ids=lambda p: p.name)
def test_every_cell_of_every_sample_is_in_the_ledger_and_none_is_a_figure_not_read(path, settings):
    with guarded() as guard:
        result = read_workbook(path, settings, strict=True)
    assert guard.failures == []
    assert guard.warnings == []
    assert len(result.ledgers) == len(guard.ledgers) == sum(len(sheets) for sheets in result.forms.values())
    assert all(ledger.counts["values"] > 0 and ledger.counts["headers"] > 0 for ledger in result.ledgers)
    assert [
        ledger.area for ledger in result.ledgers if ledger.counts["unread"]
    ] == []  # the samples are clean


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("form", FORM_NAMES)
def test_every_cell_of_every_template_is_in_the_ledger(tmp_path, form, lang, settings, settings_en):
    chosen = settings if lang == "zh" else settings_en
    path = write_template(form, tmp_path, chosen)
    with guarded() as guard:
        result = read_workbook(path, chosen, strict=True)
    assert guard.failures == []
    assert guard.warnings == []
    assert [ledger.form for ledger in result.ledgers] == [form]


def _corpus_files() -> list[str]:
    with (CORPUS / "MANIFEST.tsv").open(encoding="utf-8") as manifest:
        return [entry["file"] for entry in csv.DictReader(manifest, delimiter="\t")]


@pytest.mark.slow
def test_every_cell_of_the_corpus_is_in_the_ledger(settings):
    with guarded() as guard:
        for name in _corpus_files():
            read_workbook(CORPUS / name, settings)
    assert guard.failures == []


class _Collect:
    """A pytest plugin for the run below: keeps the reader tests' own outcome."""

    def __init__(self) -> None:
        self.failed: list[str] = []

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.failed:
            self.failed.append(report.nodeid)


@pytest.mark.slow
def test_every_cell_of_every_workbook_the_reader_tests_build_is_in_the_ledger():
    """The reader's own tests, run again with the ledger guarded: every layout they build is accounted."""
    collect = _Collect()
    started = dt.datetime.now()
    with guarded() as guard:
        args = ["-q", "-p", "no:cacheprovider", "-m", "not slow", *[str(ROOT / p) for p in BUILDING_TESTS]]
        pytest.main(args, plugins=[collect])
    assert collect.failed == [], collect.failed
    assert guard.failures == []
    assert len(guard.ledgers) > len(BUILDING_TESTS), dt.datetime.now() - started


def test_the_guard_sees_a_cell_left_out(tmp_path, settings):
    """The guard itself can fail: a ledger that forgets a cell is caught."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "应收帐款规划表"
    sheet.append(["客户", "总欠款"])
    sheet.append(["甲公司", 100])
    path = Path(tmp_path) / "book.xlsx"
    book.save(path)
    with guarded() as guard:
        original = guard._account

        def forgetful(reading, said, settings):
            ledger, unsaid = original(reading, said, settings)
            ledger.counts["values"] -= 1
            return ledger, unsaid

        guard._account = forgetful
        read_workbook(path, settings, strict=True)
    assert len(guard.failures) == 1


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["ods", "xls"])
@pytest.mark.parametrize("name", ["east-2026-03.xlsx", "east-2026-03-en.xlsx", "hr-appraisal-2026q1.xlsx"])
def test_a_sample_saved_by_libreoffice_has_the_same_ledger(tmp_path, settings, kind, name):
    """.ods keeps no merges for calamine, .xls is another format: each cell still lands in the same column."""
    require()
    original = read_workbook(SAMPLES / name, settings, strict=True)
    with guarded() as guard:
        converted = read_workbook(convert(SAMPLES / name, tmp_path, kind), settings, strict=True)
    assert guard.failures == [] and guard.warnings == []
    assert [ledger.as_dict() for ledger in converted.ledgers] == [
        ledger.as_dict() for ledger in original.ledgers
    ]
