"""The reader over every odd or broken file of tests/data/corpus (MANIFEST.tsv)."""

from __future__ import annotations

import csv

import pytest

from kamxl.read import read_workbook
from tests.conftest import CORPUS

MANIFEST = CORPUS / "MANIFEST.tsv"
with MANIFEST.open(encoding="utf-8") as manifest:
    ENTRIES = list(csv.DictReader(manifest, delimiter="\t"))
# Files beside the workbooks that are not inputs: the manifest, its README and the upstream licences.
LICENCES = {e["license_file"] for e in ENTRIES if e["license_file"] != "-"}
NOT_INPUTS = {"MANIFEST.tsv", "README.md", "poi/NOTICE"} | LICENCES

# Files that must be refused, with the code that says why.
REFUSED = {
    "openpyxl/null_file.xlsx": "empty_file",
    "synthetic/csv_text_named.xlsx": "not_a_spreadsheet",
    "synthetic/html_table_named.xls": "not_a_spreadsheet",
    "poi/SampleSS.xml": "not_a_spreadsheet",
    "xlrd/sample.zip": "not_a_spreadsheet",
    "synthetic/~$report.xlsx": "not_a_spreadsheet",
    "synthetic/.~lock.report.xlsx#": "not_a_spreadsheet",
    "synthetic/truncated_60pct.xlsx": "corrupt_file",
    "synthetic/preallocated_zero_tail.xlsx": "corrupt_file",
    "calamine/pass_protected.xlsx": "encrypted",
    "poi/protect.xlsx": "encrypted",
    "python-calamine/password.xls": "encrypted",
    "roo/encrypted-letmein.ods": "encrypted",
    "synthetic/zipbomb_ratio_64MiB_sheet.xlsx": "zip_bomb",
    "synthetic/zipbomb_ratio_128MiB_unreferenced_part.xlsx": "zip_bomb",
    "synthetic/billion_laughs_sharedstrings.xlsx": "xml_entities",
    "synthetic/xxe_external_entity_sharedstrings.xlsx": "xml_entities",
    "poi/poc-xmlbomb.xlsx": "xml_entities",
    "poi/testEXCEL_3.xls": "old_excel_format",
    "xlrd/biff4_no_format_no_window2.xls": "old_excel_format",
    "openpyxl/empty.xltx": "empty_workbook",
}
# Files that must be read (sheets listed), whatever their extension says.
READ = [
    "synthetic/xlsx_content_named.xls",
    "roo/type_excelx.ods",
    "roo/type_openoffice.xlsx",
    "roo/type_excel.xlsx",
    "synthetic/huge_dimension_ref.xlsx",
    "synthetic/many_sheets_300.xlsx",
    "calamine/strict_iso_paths.xlsx",
    "poi/SampleSS.strict.xlsx",
    "tealeg-xlsx/namespaced.xlsx",
    "openpyxl/date_1904.xlsx",
    "xlsxwriter/macro01.xlsm",
]


def test_manifest_lists_the_corpus():
    assert len(ENTRIES) > 100


def test_manifest_lists_every_file_of_the_corpus_and_its_licence():
    """Every workbook in the folder is run below, so none may be missing from the manifest; every copied
    file keeps the licence of the suite it came from beside it."""
    on_disk = {path.relative_to(CORPUS).as_posix() for path in CORPUS.rglob("*") if path.is_file()}
    assert on_disk - NOT_INPUTS == {e["file"] for e in ENTRIES}
    assert all((CORPUS / licence).is_file() for licence in LICENCES)
    made_here = [e["file"] for e in ENTRIES if e["license_of_repo"].startswith("generated")]
    assert [e["file"] for e in ENTRIES if e["license_file"] == "-"] == made_here


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e["file"])
def test_every_corpus_file_is_read_or_refused_in_one_sentence(entry, settings):
    path = CORPUS / entry["file"]
    result = read_workbook(path, settings, strict=True)  # strict: a bug would raise here
    if result.kind is None:
        assert len(result.issues) == 1, result.issues
        issue = result.issues[0]
        assert issue.severity == "error"
        message = settings.message(issue)
        assert message.count("。") <= 2 and path.name in message
        assert "Traceback" not in message
    else:
        assert result.sheets, "a readable workbook lists its sheets"
        for issue in result.issues:
            assert issue.code and settings.message(issue)


@pytest.mark.parametrize("name, code", sorted(REFUSED.items()))
def test_refusals_name_the_reason(name, code, settings):
    result = read_workbook(CORPUS / name, settings)
    assert [i.code for i in result.issues] == [code]


@pytest.mark.parametrize("name", READ)
def test_readable_oddities_are_read(name, settings):
    result = read_workbook(CORPUS / name, settings)
    assert result.kind is not None and result.sheets and not result.errors


def test_date_1904_is_honoured(settings):
    from kamxl.read.container import open_container
    from kamxl.read.grid import load_grids

    grids, _ = load_grids(open_container(CORPUS / "openpyxl/date_1904.xlsx", settings), settings)
    import datetime as dt

    assert grids[0].rows[0][0] == dt.date(2011, 10, 31)


def test_formula_cells_without_cached_values_are_found(settings):
    from kamxl.read.container import open_container
    from kamxl.read.grid import load_grids

    grids, _ = load_grids(
        open_container(CORPUS / "synthetic/formulas_no_cached_values_openpyxl.xlsx", settings), settings
    )
    suspects = grids[0].suspects
    assert {(s.row, s.col, s.problem) for s in suspects.values()} >= {(0, 1, "no_value"), (2, 0, "no_value")}
    assert suspects[(0, 1)].formula == "=A1*2"


def test_stale_zero_in_full_calc_file_is_found(settings):
    from kamxl.read.container import open_container
    from kamxl.read.grid import load_grids

    grids, _ = load_grids(
        open_container(CORPUS / "synthetic/formulas_cached_zero_xlsxwriter.xlsx", settings), settings
    )
    assert (
        grids[0].suspects[(2, 0)].problem == "stale_zero"
    )  # =SUM(A1:A2) cached 0 while A1:A2 hold 10 and 32
    assert (0, 1) not in grids[0].suspects  # =A1*2 cached 20 is trusted


def test_input_files_are_never_modified(settings, tmp_path):
    import hashlib
    import shutil

    copy = tmp_path / "copy.xls"
    shutil.copy(CORPUS / "synthetic/xlsx_content_named.xls", copy)
    before = hashlib.sha256(copy.read_bytes()).hexdigest(), copy.stat().st_mtime_ns
    read_workbook(copy, settings)
    assert (hashlib.sha256(copy.read_bytes()).hexdigest(), copy.stat().st_mtime_ns) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["copy.xls"]


def test_macro_workbooks_are_read_without_running_macros(settings):
    result = read_workbook(CORPUS / "xlsxwriter/macro01.xlsm", settings)
    assert "macros_not_run" in [i.code for i in result.issues]
