"""Text normalisation for matching what users type against known labels.

Users write headers and labels in simplified or traditional Chinese or
English, in full- or half-width forms, with stray spaces and punctuation;
every comparison goes through :func:`normalise` so all of those match.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Protocol

_DROP = re.compile(r"[\s:：*＊_\-‐–—·・.,，、;；/\\'\"“”‘’`]+")
_BRACKETED = re.compile(r"[(（\[【<《][^)）\]】>》]*[)）\]】>》]")
# Variant characters that t2s leaves apart but users treat as one.
_FOLD = str.maketrans({"账": "帐", "週": "周", "裡": "里"})


class _Converter(Protocol):
    """The part of an OpenCC converter kamxl uses (opencc ships no type information)."""

    def convert(self, text: str) -> str: ...


@lru_cache(maxsize=1)
def _converter() -> _Converter:
    """OpenCC loads its dictionaries when built: build it once, and only for text that needs it."""
    import opencc

    converter: _Converter = opencc.OpenCC("t2s")
    return converter


@lru_cache(maxsize=65536)
def normalise(value: object) -> str:
    """Fold width, case, script (traditional to simplified) and punctuation, so spellings match."""
    if value is None:
        return ""
    text = unicodedata.normalize("NFKC", str(value)).casefold()
    if any("\u3400" <= ch <= "\u9fff" for ch in text):
        text = _converter().convert(text)
    text = text.translate(_FOLD)
    return _DROP.sub("", text)


@lru_cache(maxsize=65536)
def normalise_loose(value: object) -> str:
    """Like :func:`normalise`, with bracketed units such as (元) removed: "金额(元)" names 金额."""
    if value is None:
        return ""
    return normalise(_BRACKETED.sub("", unicodedata.normalize("NFKC", str(value))))


@lru_cache(maxsize=65536)
def display_width(text: str) -> int:
    """Columns a string needs in a spreadsheet, East Asian wide characters counting 2.

    Cached: the same names recur by the thousand when column widths are fitted.
    """
    if text.isascii():
        return len(text)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
