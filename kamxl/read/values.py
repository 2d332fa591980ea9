"""Cell values as users type them: numbers as text, months, dates, times, labels.

Every parser returns ``(value, ok)``: ``value`` is None for a blank cell or
for one that could not be parsed, and ``ok`` is False only in the second
case, so the caller can warn at the cell instead of reading a silent zero.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from typing import Literal, TypeAlias, TypeVar

from kamxl.config import Settings
from kamxl.text import normalise, normalise_loose

_NUM = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$")
_YMD = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ t].*)?$")
_YMD8 = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_MD = re.compile(r"^(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_YM = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?(?:份)?$")
_HM = re.compile(r"^(\d{1,2})\s*(?::|点|时|h)\s*(\d{1,2}|半)?\s*(?::\s*(\d{1,2}))?\s*分?$")
_YMD_IN = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})")
_YM_IN = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})(?!\d)")
_EXCEL_EPOCH = dt.datetime(1899, 12, 30)
_QTY = re.compile(r"^([+-]?(?:\d[\d,]*\.?\d*|\.\d+))\s*(.*)$")
# Vocabulary sections that are not code -> aliases tables, read apart.
_NOT_LABELS = ("unit_multiplier", "currency", "blank", "total", "note", "signature", "score")
_DAY_PARTS = ("上午", "下午", "晚上", "早上", "中午", "am", "pm")

# What a cell can hold as python-calamine hands it over.
CellValue: TypeAlias = str | int | float | bool | dt.datetime | dt.date | dt.time | dt.timedelta | None
_T = TypeVar("_T")
# A parser's answer: (value or None, False only when the cell holds something unreadable).
Parsed: TypeAlias = tuple[_T | None, bool]
YearMonth: TypeAlias = tuple[int | None, int]  # (year if written, 1..12)
Quantity: TypeAlias = tuple[float, str]  # (number, unit as written, "" if none)
# What a row that sums other rows sums: every row (total), its group (subtotal), every row above it.
TotalKind = Literal["total", "subtotal", "cumulative"]
_TOTAL_KINDS: tuple[TotalKind, ...] = ("total", "subtotal", "cumulative")
_BRACKETS = "()（）[]【】<>《》"


def _nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip()


class Values:
    """Parsers bound to the vocabularies of one Settings, so a user's aliases are understood everywhere."""

    def __init__(self, settings: Settings):
        self.settings = settings
        vocab = settings.get("vocab")
        self._maps = {
            name: self._index(entries) for name, entries in vocab.items() if name not in _NOT_LABELS
        }
        self._month = {key: int(code) for key, code in self._maps.pop("month").items()}
        self._blank = {normalise(text) for text in vocab["blank"]["values"]} | {""}
        self._total: dict[str, TotalKind] = {}
        for kind in _TOTAL_KINDS:
            for text in vocab["total"].get(kind, []):
                self._total.setdefault(normalise(text), kind)
        # the lengths of the total words, longest first: a label is tried against its own ends
        self._total_lengths = sorted({len(word) for word in self._total}, reverse=True)
        self._total_name_max: int = settings.get("limits.total_name_max")
        self._mult = {normalise(suffix): float(mult) for suffix, mult in vocab["unit_multiplier"].items()}
        prefixes = "|".join(re.escape(_nfkc(prefix).casefold()) for prefix in vocab["note"]["prefixes"])
        self._note = re.compile(rf"^(?:{prefixes})\s*(?:[:：]|$)|^[*※]")
        signs = "|".join(re.escape(_nfkc(word).casefold()) for word in vocab["signature"]["prefixes"])
        self._signature = re.compile(rf"^(?:{signs})\s*(?:[:：]|$|\s)")
        self._score_suffixes = sorted(
            (_nfkc(word).casefold() for word in vocab["score"]["suffixes"]), key=len, reverse=True
        )
        self._currency = sorted(
            (_nfkc(symbol).casefold() for symbol in vocab["currency"]["symbols"]), key=len, reverse=True
        )

    @staticmethod
    def _index(entries: dict[str, list[str]]) -> dict[str, str]:
        """Every spelling of every code, strict and loose, so a lookup is one dict access."""
        out: dict[str, str] = {}
        for code, aliases in entries.items():
            for alias in aliases:
                out.setdefault(normalise(alias), code)
                out.setdefault(normalise_loose(alias), code)
        return out

    # -- blanks and totals -------------------------------------------------
    def is_blank(self, value: CellValue) -> bool:
        """Users write "-", "无" or "N/A" for nothing; those are blanks, not bad values."""
        if value is None:
            return True
        if isinstance(value, float) and math.isnan(value):
            return True
        return isinstance(value, str) and normalise(value) in self._blank

    def is_total(self, value: CellValue) -> bool:
        """A 合计/小计/Total label: its row sums the rows above and is not an item."""
        return isinstance(value, str) and normalise_loose(value) in self._total

    def total_kind(self, value: CellValue, named_totals: bool = True) -> tuple[TotalKind, str] | None:
        """(kind, the group it names or "") of a total label, None for anything else.

        合计, 合 计 and 合计(元) are the grand total; "王伟 小计", "小计:王伟" and
        "一季度合计" are subtotals of the group they name. A total word must end
        the label ("合计公司" is a name), a subtotal word may also begin it; the
        name is short (``vocab.total.name_max``) and a note ("备注:以上合计") is not a total.
        Without ``named_totals`` only subtotal words name a group: in a column of
        free text "销售额合计" may be an item.
        """
        if not isinstance(value, str):
            return None
        key = normalise(value)
        exact = self._total.get(key)
        if exact is not None:
            return exact, ""
        for length in self._total_lengths if key else ():
            if length >= len(key):
                continue
            for word, rest, at_end in (
                (key[-length:], key[:-length], True),
                (key[:length], key[length:], False),
            ):
                kind = self._total.get(word)
                if kind is None or not (kind == "subtotal" or (named_totals and at_end)):
                    continue
                name = rest.strip(_BRACKETS)
                raw = _nfkc(value).casefold()
                if (
                    0 < len(name) <= self._total_name_max
                    and _bounded(raw, word, at_end)
                    and not self.is_note(value)
                ):
                    return "subtotal", name
        loose = self._total.get(normalise_loose(value))  # 合计(元): a unit, not a name
        return (loose, "") if loose is not None else None

    def is_note(self, value: CellValue) -> bool:
        """A note under the table: "备注:…", "Note: …", "* …"."""
        return isinstance(value, str) and bool(self._note.match(_nfkc(value).casefold()))

    def is_signature(self, value: CellValue) -> bool:
        """A signature line under the table: "制表:王伟", "审核:", "填表人 李娜", "Prepared by: …"."""
        return isinstance(value, str) and bool(self._signature.match(_nfkc(value).casefold()))

    # -- numbers -------------------------------------------------------------
    def number(self, value: CellValue) -> Parsed[float]:
        """Numbers as typed: "1,200", "(300)", "¥5万", "12%"; dates and booleans are not numbers."""
        if self.is_blank(value):
            return None, True
        if isinstance(value, bool):
            return None, False
        if isinstance(value, (int, float)):
            return (None, False) if math.isinf(value) else (float(value), True)
        if not isinstance(value, str):
            return None, False
        return self._number_text(value)

    def _number_text(self, value: str) -> Parsed[float]:
        """Strip what users add around a number (grouping, currency, brackets, %, 万) and scale it."""
        text = _nfkc(value).casefold().replace(" ", "").replace(",", "").replace("−", "-")
        negative = False
        if text.startswith("(") and text.endswith(")"):
            negative, text = True, text[1:-1]
        for symbol in self._currency:
            text = text.replace(symbol, "")
        scale = 1.0
        if text.endswith("%"):
            scale, text = 0.01, text[:-1]
        for suffix, mult in self._mult.items():
            if text.endswith(suffix) and len(text) > len(suffix):
                scale, text = scale * mult, text[: -len(suffix)]
                break
        if text.startswith("+"):
            text = text[1:]
        if not _NUM.match(text):
            return None, False
        number = float(text) * scale
        return (-number if negative else number), True

    def has_unit(self, text: str) -> bool:
        """A number typed with its own unit or currency: "1.5万", "3000元", "¥300", "2k"."""
        key = _nfkc(text).casefold().replace(" ", "")
        return any(key.endswith(suffix) for suffix in self._mult) or any(
            symbol in key for symbol in self._currency
        )

    def score(self, value: CellValue) -> Parsed[float]:
        """A score as people write it: 4, "4.5", "4.5分", "4 points"."""
        if isinstance(value, str):
            text = _nfkc(value).casefold()
            for suffix in self._score_suffixes:
                if text.endswith(suffix) and len(text) > len(suffix):
                    return self.number(text[: -len(suffix)].strip())
        return self.number(value)

    def percent(self, value: CellValue) -> Parsed[float]:
        """A share as a fraction: 40%, "40%", 0.4 and 40 all give 0.4."""
        if isinstance(value, str) and "%" in value:
            return self.number(value)
        number, ok = self.number(value)
        if number is None:
            return number, ok
        return (number / 100.0 if abs(number) > 1.0 else number), True

    def quantity(self, value: CellValue) -> Parsed[Quantity]:
        """A number with an optional unit: "10家" -> (10.0, "家"), for targets counted in things."""
        if isinstance(value, str) and not self.is_blank(value):
            number, ok = self.number(value)
            if ok and number is not None:
                return (number, ""), True
            match = _QTY.match(_nfkc(value))
            if match:
                number, ok = self.number(match.group(1))
                if ok and number is not None:
                    return (number, match.group(2).strip()), True
            return None, False
        number, ok = self.number(value)
        return ((number, "") if number is not None else None), ok

    # -- months, dates, times -------------------------------------------------
    def month(self, value: CellValue) -> Parsed[YearMonth]:
        """A month as (year or None, 1..12): "三月", "Mar", "2026-03", 3 or a date."""
        if self.is_blank(value):
            return None, True
        if isinstance(value, (dt.date, dt.datetime)):
            return (value.year, value.month), True
        if isinstance(value, bool):
            return None, False
        if isinstance(value, (int, float)):
            if float(value).is_integer() and 1 <= value <= 12:
                return (None, int(value)), True
            return None, False
        text = _nfkc(str(value))
        key = normalise(text)
        if key.endswith("份"):
            key = key[:-1]
        if key in self._month:
            return (None, self._month[key]), True
        if key.isdigit() and 1 <= int(key) <= 12:
            return (None, int(key)), True
        match = _YM.match(text)
        if match and 1 <= int(match.group(2)) <= 12:
            return (int(match.group(1)), int(match.group(2))), True
        day, _ = self.date(text)
        if day is not None:
            return (day.year, day.month), True
        return None, False

    def date(self, value: CellValue, year: int | None = None) -> Parsed[dt.date]:
        """A day from a date cell, an Excel serial that lost its format, or text; "3月5日" needs ``year``."""
        if self.is_blank(value):
            return None, True
        if isinstance(value, dt.datetime):
            return value.date(), True
        if isinstance(value, dt.date):
            return value, True
        if isinstance(value, bool):
            return None, False
        if isinstance(value, (int, float)):
            if 1 <= value < 2958466:  # an Excel serial date that lost its format
                return (_EXCEL_EPOCH + dt.timedelta(days=int(value))).date(), True
            return None, False
        return _date_text(_nfkc(str(value)).casefold(), year)

    def close_date(self, value: CellValue) -> Parsed[dt.date]:
        """A date, or a month as its last day: a close or due month typed 2026.03, "2026-03", "2026年3月".

        A number such as 2026.03 is a month, never the Excel serial 2026 (1905-07-18).
        2026.1 is refused: it may be January, or October typed 2026.10 and kept as a number.
        """
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            month = year_dot_month(float(value))
            if month is not None:
                return (_month_end(*month), True) if month[1] else (None, False)
            if _YEARS[0] <= value < _YEARS[1]:
                return None, False  # a year alone, or 2026.13: not a day
        if isinstance(value, str):
            match = _YM.match(_nfkc(value))
            if match and 1 <= int(match.group(2)) <= 12:
                return _month_end(int(match.group(1)), int(match.group(2))), True
        return self.date(value)

    def time(self, value: CellValue) -> Parsed[float]:
        """A clock time as hours after midnight (9:30 -> 9.5), so durations are a subtraction."""
        if self.is_blank(value):
            return None, True
        hours = _clock_hours(value)
        if hours is not None:
            return hours
        return _hours_in_text(_nfkc(str(value)).casefold().replace(" ", ""))

    def date_in_text(self, value: CellValue) -> dt.date | None:
        """A full date written somewhere inside a title: "日期:2026年3月5日"."""
        if isinstance(value, (dt.date, dt.datetime)):
            return self.date(value)[0]
        if not isinstance(value, str):
            return None
        match = _YMD_IN.search(_nfkc(value))
        if match:
            try:
                return dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
            except ValueError:
                return None
        return None

    def month_in_text(self, value: CellValue) -> tuple[int, int] | None:
        """(year, month) inside a title such as "地区经理行事月历(2026-03)"."""
        if isinstance(value, (dt.date, dt.datetime)):
            return value.year, value.month
        if not isinstance(value, str):
            return None
        match = _YM_IN.search(_nfkc(value))
        if match and 1 <= int(match.group(2)) <= 12:
            return int(match.group(1)), int(match.group(2))
        return None

    def measure_aliases(self) -> list[tuple[str, str]]:
        """(normalised alias, code) of plan/actual, longest first, so "实际收款" wins over "收款"."""
        return sorted(self._maps["measure"].items(), key=lambda alias_code: -len(alias_code[0]))

    # -- labels -----------------------------------------------------------
    def label(self, vocab: str, value: CellValue) -> Parsed[str]:
        """A vocabulary code for what the user wrote (zh, zh-Hant or en)."""
        if self.is_blank(value):
            return None, True
        table = self._maps[vocab]
        code = table.get(normalise(value)) or table.get(normalise_loose(value))
        return (code, True) if code else (None, False)

    def aliases(self, vocab: str) -> list[str]:
        """The first spelling of each code, to tell the user what is accepted."""
        entries: dict[str, list[str]] = self.settings.get(f"vocab.{vocab}")
        return [aliases[0] for aliases in entries.values()]


_YEARS = (1900, 2100)  # a number in this range in a date column is a year (with its month), not a serial


def year_dot_month(number: float) -> tuple[int, int] | None:
    """(year, month) of 2026.03 or 2026.11; (year, 0) when the month is unsure (2026.1); None otherwise."""
    if not (_YEARS[0] <= number < _YEARS[1]) or number == int(number):
        return None
    hundredths = round(number * 100)
    if abs(number * 100 - hundredths) > 1e-6:
        return None
    year, month = divmod(hundredths, 100)
    if month % 10 == 0:  # one decimal: 2026.3 is March; 2026.1 is January, or October typed 2026.10
        month //= 10
        return (year, 0) if month == 1 else (year, month)
    return (year, month) if 1 <= month <= 12 else None


def _month_end(year: int, month: int) -> dt.date:
    """The last day of a month: a deal to close "in March" is due by its end."""
    following = dt.date(year + month // 12, month % 12 + 1, 1)
    return following - dt.timedelta(days=1)


def hours_minutes(number: float) -> float | None:
    """8.45 typed as h.mm -> 8.75 hours (8:45); None when the digits cannot be minutes (8.75, 8.123)."""
    hundredths = round(number * 100)
    if abs(number * 100 - hundredths) > 1e-6:
        return None
    hour, minute = divmod(hundredths, 100)
    return hour + minute / 60 if minute <= 59 and hour <= 24 else None


def is_hours_minutes(number: float) -> bool:
    """A number with two decimals that can be minutes (8.45, 10.15): a time typed as h.mm.

    One decimal (8.5) is the usual decimal hours, and so is 8.75, whose decimals cannot be minutes.
    """
    hundredths = round(number * 100)
    return (
        number >= 1
        and abs(number * 100 - hundredths) <= 1e-6
        and hundredths % 10 != 0
        and hours_minutes(number) is not None
    )


def _bounded(raw: str, word: str, at_end: bool) -> bool:
    """A total word at the end (or start) of a label, and whole words when it is English.

    "Wang subtotal" and "Sub total: Wang" name a group; "Gypsum" does not end in a sum.
    Chinese has no spaces to mark a word.
    """
    if not word.isascii():
        return True
    tokens = re.sub(r"[^a-z0-9\u3400-\u9fff]+", " ", raw).split()
    ends = (tokens[-k:] if at_end else tokens[:k] for k in range(1, len(tokens) + 1))
    return any("".join(part) == word for part in ends)


def _date_text(text: str, year: int | None) -> Parsed[dt.date]:
    """A date typed as text (NFKC, casefolded): full forms, or month and day when the year is known."""
    for pattern in (_YMD, _YMD8):
        match = pattern.match(text)
        if match:
            try:
                return dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3))), True
            except ValueError:
                return None, False
    match = _MD.match(text)
    if match and year is not None:
        try:
            return dt.date(year, int(match.group(1)), int(match.group(2))), True
        except ValueError:
            return None, False
    return None, False


def _clock_hours(value: CellValue) -> Parsed[float] | None:
    """Hours of a cell that holds a time, a duration or a number; None for text (and other values)."""
    if isinstance(value, dt.datetime):
        return value.hour + value.minute / 60 + value.second / 3600, True
    if isinstance(value, dt.time):
        return value.hour + value.minute / 60 + value.second / 3600, True
    if isinstance(value, dt.timedelta):
        hours = value.total_seconds() / 3600
        return (hours, True) if 0 <= hours <= 24 else (None, False)
    if isinstance(value, bool):
        return None, False
    if isinstance(value, (int, float)):
        if 0 <= value < 1:  # a fraction of a day, as spreadsheets keep times
            return float(value) * 24, True
        if 1 <= value <= 24:
            return float(value), True
        return None, False
    return None


def _hours_in_text(text: str) -> Parsed[float]:
    """ "9:30", "下午2点", "2:15pm", "9点半" (NFKC, casefolded, spaces removed) -> hours after midnight."""
    afternoon = text.startswith(("下午", "晚上", "pm")) or text.endswith("pm")
    for token in _DAY_PARTS:
        text = text.replace(token, "")
    match = _HM.match(text)
    if not match:
        return None, False
    hour = int(match.group(1))
    minute = 30 if match.group(2) == "半" else int(match.group(2) or 0)
    second = int(match.group(3) or 0)
    if afternoon and hour < 12:
        hour += 12
    if hour > 24 or minute > 59 or second > 59:
        return None, False
    return hour + minute / 60 + second / 3600, True
