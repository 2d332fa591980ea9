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


def _nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip()


class Values:
    """Parsers bound to the vocabularies of one Settings."""

    def __init__(self, settings: Settings):
        self.settings = settings
        vocab = settings.get("vocab")
        self._maps = {
            name: self._index(entries)
            for name, entries in vocab.items()
            if name not in ("unit_multiplier", "currency", "blank", "total", "note")
        }
        self._month = {k: int(v) for k, v in self._maps.pop("month").items()}
        self._blank = {normalise(v) for v in vocab["blank"]["values"]} | {""}
        self._total = {normalise(v) for v in vocab["total"]["total"]}
        self._mult = {normalise(k): float(v) for k, v in vocab["unit_multiplier"].items()}
        prefixes = "|".join(re.escape(_nfkc(p).casefold()) for p in vocab["note"]["prefixes"])
        self._note = re.compile(rf"^(?:{prefixes})\s*(?:[:：]|$)|^[*※]")
        self._currency = sorted(
            (_nfkc(c).casefold() for c in vocab["currency"]["symbols"]), key=len, reverse=True
        )

    @staticmethod
    def _index(entries: dict) -> dict[str, str]:
        out: dict[str, str] = {}
        for code, aliases in entries.items():
            for alias in aliases:
                out.setdefault(normalise(alias), code)
                out.setdefault(normalise_loose(alias), code)
        return out

    # -- blanks and totals -------------------------------------------------
    def is_blank(self, v) -> bool:
        if v is None:
            return True
        if isinstance(v, float) and math.isnan(v):
            return True
        return isinstance(v, str) and normalise(v) in self._blank

    def is_total(self, v) -> bool:
        return isinstance(v, str) and normalise_loose(v) in self._total

    def is_note(self, v) -> bool:
        """A note under the table: "备注:…", "Note: …", "* …"."""
        return isinstance(v, str) and bool(self._note.match(_nfkc(v).casefold()))

    # -- numbers -------------------------------------------------------------
    def number(self, v):
        if self.is_blank(v):
            return None, True
        if isinstance(v, bool):
            return None, False
        if isinstance(v, (int, float)):
            return (None, False) if math.isinf(v) else (float(v), True)
        if not isinstance(v, str):
            return None, False
        s = _nfkc(v).casefold().replace(" ", "").replace(",", "").replace("−", "-")
        negative = False
        if s.startswith("(") and s.endswith(")"):
            negative, s = True, s[1:-1]
        for sym in self._currency:
            s = s.replace(sym, "")
        scale = 1.0
        if s.endswith("%"):
            scale, s = 0.01, s[:-1]
        for suffix, mult in self._mult.items():
            if s.endswith(suffix) and len(s) > len(suffix):
                scale, s = scale * mult, s[: -len(suffix)]
                break
        if s.startswith("+"):
            s = s[1:]
        if not _NUM.match(s):
            return None, False
        value = float(s) * scale
        return (-value if negative else value), True

    def percent(self, v):
        """A share as a fraction: 40%, "40%", 0.4 and 40 all give 0.4."""
        if isinstance(v, str) and "%" in v:
            return self.number(v)
        value, ok = self.number(v)
        if value is None:
            return value, ok
        return (value / 100.0 if abs(value) > 1.0 else value), True

    def quantity(self, v):
        """A number with an optional unit: "10家" -> (10.0, "家")."""
        if isinstance(v, str) and not self.is_blank(v):
            value, ok = self.number(v)
            if ok:
                return (value, ""), True
            m = _QTY.match(_nfkc(v))
            if m:
                value, ok = self.number(m.group(1))
                if ok:
                    return (value, m.group(2).strip()), True
            return None, False
        value, ok = self.number(v)
        return ((value, "") if value is not None else None), ok

    # -- months, dates, times -------------------------------------------------
    def month(self, v):
        """A month as (year or None, 1..12)."""
        if self.is_blank(v):
            return None, True
        if isinstance(v, (dt.date, dt.datetime)):
            return (v.year, v.month), True
        if isinstance(v, bool):
            return None, False
        if isinstance(v, (int, float)):
            if float(v).is_integer() and 1 <= v <= 12:
                return (None, int(v)), True
            return None, False
        s = _nfkc(str(v))
        key = normalise(s)
        if key.endswith("份"):
            key = key[:-1]
        if key in self._month:
            return (None, self._month[key]), True
        if key.isdigit() and 1 <= int(key) <= 12:
            return (None, int(key)), True
        m = _YM.match(s)
        if m and 1 <= int(m.group(2)) <= 12:
            return (int(m.group(1)), int(m.group(2))), True
        d, ok = self.date(s)
        if d is not None:
            return (d.year, d.month), True
        return None, False

    def date(self, v, year: int | None = None):
        if self.is_blank(v):
            return None, True
        if isinstance(v, dt.datetime):
            return v.date(), True
        if isinstance(v, dt.date):
            return v, True
        if isinstance(v, bool):
            return None, False
        if isinstance(v, (int, float)):
            if 1 <= v < 2958466:  # an Excel serial date that lost its format
                return (_EXCEL_EPOCH + dt.timedelta(days=int(v))).date(), True
            return None, False
        s = _nfkc(str(v)).casefold()
        for pattern in (_YMD, _YMD8):
            m = pattern.match(s)
            if m:
                try:
                    return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3))), True
                except ValueError:
                    return None, False
        m = _MD.match(s)
        if m and year is not None:
            try:
                return dt.date(year, int(m.group(1)), int(m.group(2))), True
            except ValueError:
                return None, False
        return None, False

    def time(self, v):
        """A clock time as hours after midnight (9:30 -> 9.5)."""
        if self.is_blank(v):
            return None, True
        if isinstance(v, dt.datetime):
            return v.hour + v.minute / 60 + v.second / 3600, True
        if isinstance(v, dt.time):
            return v.hour + v.minute / 60 + v.second / 3600, True
        if isinstance(v, dt.timedelta):
            hours = v.total_seconds() / 3600
            return (hours, True) if 0 <= hours <= 24 else (None, False)
        if isinstance(v, bool):
            return None, False
        if isinstance(v, (int, float)):
            if 0 <= v < 1:
                return float(v) * 24, True
            if 1 <= v <= 24:
                return float(v), True
            return None, False
        s = _nfkc(str(v)).casefold().replace(" ", "")
        pm = s.startswith(("下午", "晚上", "pm")) or s.endswith("pm")
        for token in ("上午", "下午", "晚上", "早上", "中午", "am", "pm"):
            s = s.replace(token, "")
        m = _HM.match(s)
        if not m:
            return None, False
        hour = int(m.group(1))
        minute = 30 if m.group(2) == "半" else int(m.group(2) or 0)
        second = int(m.group(3) or 0)
        if pm and hour < 12:
            hour += 12
        if hour > 24 or minute > 59 or second > 59:
            return None, False
        return hour + minute / 60 + second / 3600, True

    def date_in_text(self, v):
        """A full date written somewhere inside a title: "日期:2026年3月5日"."""
        if isinstance(v, (dt.date, dt.datetime)):
            return self.date(v)[0]
        if not isinstance(v, str):
            return None
        m = _YMD_IN.search(_nfkc(v))
        if m:
            try:
                return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            except ValueError:
                return None
        return None

    def month_in_text(self, v):
        """(year, month) inside a title such as "地区经理行事月历(2026-03)"."""
        if isinstance(v, (dt.date, dt.datetime)):
            return v.year, v.month
        if not isinstance(v, str):
            return None
        m = _YM_IN.search(_nfkc(v))
        if m and 1 <= int(m.group(2)) <= 12:
            return int(m.group(1)), int(m.group(2))
        return None

    def measure_aliases(self) -> list[tuple[str, str]]:
        """(normalised alias, code) of plan/actual, longest first."""
        return sorted(self._maps["measure"].items(), key=lambda kv: -len(kv[0]))

    # -- labels -----------------------------------------------------------
    def label(self, vocab: str, v):
        """A vocabulary code for what the user wrote (zh, zh-Hant or en)."""
        if self.is_blank(v):
            return None, True
        key = normalise(v)
        table = self._maps[vocab]
        code = table.get(key) or table.get(normalise_loose(v))
        return (code, True) if code else (None, False)

    def aliases(self, vocab: str) -> list[str]:
        """The first spelling of each code, to tell the user what is accepted."""
        entries = self.settings.get(f"vocab.{vocab}")
        return [aliases[0] for aliases in entries.values()]
