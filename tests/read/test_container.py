"""Files that are not what they seem, built by the test: one sentence, no traceback."""

from __future__ import annotations

import zipfile

import openpyxl
import pytest

from kamxl.config import load_settings
from kamxl.read import read_workbook


def _xlsx(tmp_path, name="ok.xlsx"):
    wb = openpyxl.Workbook()
    wb.active.append(["客户", "订单量"])
    wb.active.append(["朗通", "超额"])
    path = tmp_path / name
    wb.save(path)
    return path


def _only(result):
    assert len(result.issues) == 1 and result.kind is None
    return result.issues[0].code


@pytest.mark.parametrize(
    "content, name",
    [
        (b"\xef\xbb\xbfcustomer,amount\n=1+2,5\n", "export.xlsx"),
        (b"<html><body><table><tr><td>1</td></tr></table></body></html>", "report.xls"),
        (b"%PDF-1.7\n...", "scan.xlsx"),
        (b"\x00\x01\x02\x03" * 100, "noise.xlsx"),
    ],
)
def test_not_a_spreadsheet(tmp_path, settings, content, name):
    path = tmp_path / name
    path.write_bytes(content)
    assert _only(read_workbook(path, settings)) == "not_a_spreadsheet"


def test_truncated_copy_is_corrupt(tmp_path, settings):
    path = _xlsx(tmp_path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    assert _only(read_workbook(path, settings)) == "corrupt_file"


def test_zip_bomb_is_refused_before_parsing(tmp_path, settings):
    path = _xlsx(tmp_path)
    with zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/media/padding.bin", b"\0" * (8 * 1024 * 1024))
    assert _only(read_workbook(path, settings)) == "zip_bomb"


def test_too_many_entries(tmp_path):
    settings = load_settings()
    path = _xlsx(tmp_path)
    with zipfile.ZipFile(path, "a") as zf:
        for i in range(settings.get("limits.max_zip_entries")):
            zf.writestr(f"customXml/item{i}.txt", b"x")
    assert _only(read_workbook(path, settings)) == "too_many_parts"


def test_xml_entity_declarations_are_refused(tmp_path, settings):
    src = _xlsx(tmp_path, "src.xlsx")
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(bomb, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = b'<!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>' + data
            zout.writestr(item, data)
    assert _only(read_workbook(bomb, settings)) == "xml_entities"


def test_empty_workbook(tmp_path, settings):
    path = tmp_path / "empty.xlsx"
    openpyxl.Workbook().save(path)
    assert _only(read_workbook(path, settings)) == "empty_workbook"


def test_empty_file(tmp_path, settings):
    path = tmp_path / "zero.xlsx"
    path.write_bytes(b"")
    assert _only(read_workbook(path, settings)) == "empty_file"


def test_missing_file(tmp_path, settings):
    assert _only(read_workbook(tmp_path / "nope.xlsx", settings)) == "file_not_found"


def test_absurd_sheet_dimension_is_refused_per_sheet(tmp_path):
    cfg = tmp_path / "small.toml"
    cfg.write_text("[limits]\nmax_sheet_cells = 10\n", encoding="utf-8")
    settings = load_settings(cfg)
    wb = openpyxl.Workbook()
    wb.active.title = "big"
    wb.active["Z100"] = 1
    small = wb.create_sheet("客户")
    small.append(["客户", "订单量"])
    small.append(["朗通", "超额"])
    path = tmp_path / "big.xlsx"
    wb.save(path)
    result = read_workbook(path, settings)
    assert [(i.code, i.sheet) for i in result.errors] == [("sheet_too_large", "big")]
    assert "customers" in result.forms


def test_english_messages(tmp_path, settings_en):
    path = tmp_path / "a.xlsx"
    path.write_bytes(b"a,b\n1,2\n")
    [issue] = read_workbook(path, settings_en).issues
    assert settings_en.message(issue).startswith("a.xlsx is not a spreadsheet: its content is CSV/plain text")
