"""What a file really is, judged by its bytes, and whether it is safe to open.

Users rename CSV and HTML exports to .xlsx, copy files half-way, and receive
encrypted or hostile workbooks. Nothing here trusts the extension, and a zip
is checked through its central directory (entry count, declared sizes,
compression ratio, XML entity declarations) before any parser sees it.
"""

from __future__ import annotations

import mmap
import zipfile
from dataclasses import dataclass
from pathlib import Path

from kamxl.config import Settings
from kamxl.issues import Issue

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
# BIFF2-BIFF4 worksheets start with a BOF record, not an OLE container.
OLD_BIFF = {b"\x09\x00": "2.x", b"\x09\x02": "3.0", b"\x09\x04": "4.0"}
ODS_MIME = b"application/vnd.oasis.opendocument.spreadsheet"


class Refused(Exception):
    """The file cannot or must not be read; carries the one Issue that says why."""

    def __init__(self, issue: Issue):
        super().__init__(issue.code)
        self.issue = issue


@dataclass(frozen=True)
class Container:
    path: Path
    kind: str  # xlsx | xlsb | xls | ods
    has_macros: bool = False


def _text_kind(head: bytes, name: str) -> str:
    """Name the kind of a file that is not a workbook, for the user's sentence."""
    low = name.lower()
    if low.startswith("~$") or low.startswith(".~lock."):
        return "lock"
    text = head.lstrip(b"\xef\xbb\xbf").lstrip().lower()
    if text.startswith(b"%pdf"):
        return "pdf"
    if text.startswith(b"<?xml") or text.startswith(b"<workbook"):
        return "xml2003" if b"urn:schemas-microsoft-com:office:spreadsheet" in text else "xml"
    if (
        text.startswith((b"<!doctype html", b"<html", b"<table", b"<meta", b"<head"))
        or b"<table" in text[:512]
    ):
        return "html"
    try:
        head.decode("utf-8")
        return "csv"
    except UnicodeDecodeError:
        pass
    try:
        head[:-1].decode("gb18030")
        printable = sum(32 <= b < 127 or b in (9, 10, 13) or b >= 0x80 for b in head)
        if printable > 0.95 * len(head):
            return "csv"
    except UnicodeDecodeError:
        pass
    return "binary"


def _check_zip(path: Path, settings: Settings) -> Container:
    name = path.name
    lim = settings.get("limits")
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise Refused(settings.issue("corrupt_file", name=name, detail=str(exc) or "bad zip")) from None
    with zf:
        infos = zf.infolist()
        if len(infos) > lim["max_zip_entries"]:
            raise Refused(
                settings.issue("too_many_parts", name=name, count=len(infos), limit=lim["max_zip_entries"])
            )
        total = sum(i.file_size for i in infos)
        if total > lim["max_uncompressed_bytes"]:
            raise Refused(
                settings.issue(
                    "too_large_uncompressed",
                    name=name,
                    size=f"{total:,}",
                    limit=f"{lim['max_uncompressed_bytes']:,}",
                )
            )
        for info in infos:
            if info.file_size >= lim["ratio_check_min_bytes"]:
                ratio = info.file_size / max(info.compress_size, 1)
                if ratio > lim["max_compression_ratio"]:
                    raise Refused(
                        settings.issue(
                            "zip_bomb",
                            name=name,
                            entry=info.filename,
                            ratio=f"{ratio:,.0f}",
                            limit=f"{lim['max_compression_ratio']:g}",
                        )
                    )
        names = {i.filename for i in infos}
        try:
            for info in infos:
                if info.filename.lower().endswith((".xml", ".rels")) and info.file_size:
                    with zf.open(info) as fh:
                        head = fh.read(2048)
                    if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
                        raise Refused(settings.issue("xml_entities", name=name, entry=info.filename))
            if "mimetype" in names:
                mime = zf.read("mimetype")[:200]
                if not mime.startswith(ODS_MIME):
                    raise Refused(
                        settings.issue("not_a_spreadsheet", name=name, kind=settings.label("kinds.word"))
                    )
                if "META-INF/manifest.xml" in names and b"encryption-data" in zf.read(
                    "META-INF/manifest.xml"
                ):
                    raise Refused(settings.issue("encrypted", name=name))
                return Container(path, "ods")
        except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
            raise Refused(settings.issue("corrupt_file", name=name, detail=str(exc))) from None
        lower = {n.lower() for n in names}
        macros = any(n.endswith("vbaproject.bin") or n.startswith("xl/macrosheets/") for n in lower)
        if "xl/workbook.bin" in lower:
            return Container(path, "xlsb", macros)
        if any(n.endswith("workbook.xml") for n in lower) or "[content_types].xml" in lower:
            if "word/document.xml" in lower or "ppt/presentation.xml" in lower:
                raise Refused(
                    settings.issue("not_a_spreadsheet", name=name, kind=settings.label("kinds.word"))
                )
            return Container(path, "xlsx", macros)
        raise Refused(settings.issue("not_a_spreadsheet", name=name, kind=settings.label("kinds.zip")))


def _check_ole(path: Path, settings: Settings) -> Container:
    with path.open("rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mm:
        if mm.find("EncryptedPackage".encode("utf-16-le")) >= 0:
            raise Refused(settings.issue("encrypted", name=path.name))
        if mm.find("WordDocument".encode("utf-16-le")) >= 0 or mm.find("PowerPoint".encode("utf-16-le")) >= 0:
            raise Refused(
                settings.issue("not_a_spreadsheet", name=path.name, kind=settings.label("kinds.word"))
            )
        macros = mm.find("_VBA_PROJECT".encode("utf-16-le")) >= 0
    return Container(path, "xls", macros)


def open_container(path: Path, settings: Settings) -> Container:
    """Sniff a file's real kind and check it is safe; raise Refused otherwise."""
    name = path.name
    try:
        size = path.stat().st_size
        if not path.is_file():
            raise FileNotFoundError(path)
    except (FileNotFoundError, NotADirectoryError):
        raise Refused(settings.issue("file_not_found", name=str(path))) from None
    if size == 0:
        raise Refused(settings.issue("empty_file", name=name))
    limit = settings.get("limits.max_file_bytes")
    if size > limit:
        raise Refused(settings.issue("file_too_large", name=name, size=f"{size:,}", limit=f"{limit:,}"))
    with path.open("rb") as fh:
        head = fh.read(4096)
    if name.startswith("~$") or name.startswith(".~lock."):
        raise Refused(settings.issue("not_a_spreadsheet", name=name, kind=settings.label("kinds.lock")))
    if head.startswith(ZIP_MAGICS):
        return _check_zip(path, settings)
    if head.startswith(OLE_MAGIC):
        return _check_ole(path, settings)
    if head[:2] in OLD_BIFF and len(head) > 4 and head[3] == 0:
        raise Refused(settings.issue("old_excel_format", name=name, version=OLD_BIFF[head[:2]]))
    if b"PK\x03\x04" in head[:1024] or b"PK\x01\x02" in head:
        raise Refused(
            settings.issue("corrupt_file", name=name, detail="zip data does not start at the beginning")
        )
    kind = _text_kind(head, name)
    raise Refused(settings.issue("not_a_spreadsheet", name=name, kind=settings.label(f"kinds.{kind}")))
