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
from typing import Literal

from kamxl.config import Settings
from kamxl.issues import Issue

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
# BIFF2-BIFF4 worksheets start with a BOF record, not an OLE container.
OLD_BIFF = {b"\x09\x00": "2.x", b"\x09\x02": "3.0", b"\x09\x04": "4.0"}
ODS_MIME = b"application/vnd.oasis.opendocument.spreadsheet"


class Refused(Exception):
    """The file cannot or must not be read; carries the one Issue that says why."""

    def __init__(self, issue: Issue) -> None:
        super().__init__(issue.code)
        self.issue = issue


Kind = Literal["xlsx", "xlsb", "xls", "ods"]


@dataclass(frozen=True)
class Container:
    """A file judged safe to open, with the kind its bytes say it is (whatever its extension)."""

    path: Path
    kind: Kind
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
    """A zip container: refuse hostile or foreign archives, then tell ODS, XLSB and XLSX apart."""
    name = path.name
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise Refused(settings.issue("corrupt_file", name=name, detail=str(exc) or "bad zip")) from None
    with archive:
        infos = archive.infolist()
        _check_sizes(infos, name, settings)
        names = {info.filename for info in infos}
        try:
            _check_entities(archive, infos, name, settings)
            if "mimetype" in names:
                return _check_ods(archive, names, path, settings)
        except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
            raise Refused(settings.issue("corrupt_file", name=name, detail=str(exc))) from None
        return _office_container(path, {entry.lower() for entry in names}, settings)


def _check_sizes(infos: list[zipfile.ZipInfo], name: str, settings: Settings) -> None:
    """Refuse zip bombs by the central directory alone: entry count, total size, compression ratio."""
    limits = settings.get("limits")
    max_entries: int = limits["max_zip_entries"]
    if len(infos) > max_entries:
        raise Refused(settings.issue("too_many_parts", name=name, count=len(infos), limit=max_entries))
    total = sum(info.file_size for info in infos)
    max_bytes: int = limits["max_uncompressed_bytes"]
    if total > max_bytes:
        raise Refused(
            settings.issue("too_large_uncompressed", name=name, size=f"{total:,}", limit=f"{max_bytes:,}")
        )
    max_ratio: float = limits["max_compression_ratio"]
    for info in infos:
        if info.file_size >= limits["ratio_check_min_bytes"]:
            ratio = info.file_size / max(info.compress_size, 1)
            if ratio > max_ratio:
                raise Refused(
                    settings.issue(
                        "zip_bomb",
                        name=name,
                        entry=info.filename,
                        ratio=f"{ratio:,.0f}",
                        limit=f"{max_ratio:g}",
                    )
                )


def _check_entities(
    archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo], name: str, settings: Settings
) -> None:
    """Refuse XML parts that declare a DOCTYPE or entities (billion laughs, external entities)."""
    for info in infos:
        if info.filename.lower().endswith((".xml", ".rels")) and info.file_size:
            with archive.open(info) as part:
                head = part.read(2048)
            if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
                raise Refused(settings.issue("xml_entities", name=name, entry=info.filename))


def _check_ods(archive: zipfile.ZipFile, names: set[str], path: Path, settings: Settings) -> Container:
    """An OpenDocument package: a spreadsheet by its mimetype, and not encrypted."""
    mime = archive.read("mimetype")[:200]
    if not mime.startswith(ODS_MIME):
        raise Refused(settings.issue("not_a_spreadsheet", name=path.name, kind=settings.label("kinds.word")))
    if "META-INF/manifest.xml" in names and b"encryption-data" in archive.read("META-INF/manifest.xml"):
        raise Refused(settings.issue("encrypted", name=path.name))
    return Container(path, "ods")


def _office_container(path: Path, lower_names: set[str], settings: Settings) -> Container:
    """An Office Open XML package: a workbook (binary or XML, with or without macros), else refused."""
    macros = any(
        entry.endswith("vbaproject.bin") or entry.startswith("xl/macrosheets/") for entry in lower_names
    )
    if "xl/workbook.bin" in lower_names:
        return Container(path, "xlsb", macros)
    if any(entry.endswith("workbook.xml") for entry in lower_names) or "[content_types].xml" in lower_names:
        if "word/document.xml" in lower_names or "ppt/presentation.xml" in lower_names:
            raise Refused(
                settings.issue("not_a_spreadsheet", name=path.name, kind=settings.label("kinds.word"))
            )
        return Container(path, "xlsx", macros)
    raise Refused(settings.issue("not_a_spreadsheet", name=path.name, kind=settings.label("kinds.zip")))


def _check_ole(path: Path, settings: Settings) -> Container:
    """An OLE compound file: an .xls workbook, unless it is encrypted OOXML or a Word/PowerPoint file.

    The stream names are searched in the raw bytes (UTF-16 directory entries), so
    nothing is parsed before the file is known to be a workbook.
    """
    with path.open("rb") as file, mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ) as data:

        def has(stream: str) -> bool:
            return data.find(stream.encode("utf-16-le")) >= 0

        if has("EncryptedPackage"):
            raise Refused(settings.issue("encrypted", name=path.name))
        if has("WordDocument") or has("PowerPoint"):
            raise Refused(
                settings.issue("not_a_spreadsheet", name=path.name, kind=settings.label("kinds.word"))
            )
        macros = has("_VBA_PROJECT")
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
    with path.open("rb") as file:
        head = file.read(4096)
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
