"""Text normalisation for matching what users type against known labels.

Users write headers and labels in simplified or traditional Chinese or
English, in full- or half-width forms, with stray spaces and punctuation;
every comparison goes through :func:`normalise` so all of those match.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_DROP = re.compile(r"[\s:：*＊_\-‐–—·・.,，、;；/\\'\"“”‘’`]+")
_BRACKETED = re.compile(r"[(（\[【<《][^)）\]】>》]*[)）\]】>》]")
# Variant characters that t2s leaves apart but users treat as one.
_FOLD = str.maketrans({"账": "帐", "週": "周", "裡": "里"})


@lru_cache(maxsize=1)
def _converter():
    import opencc

    return opencc.OpenCC("t2s")


@lru_cache(maxsize=65536)
def normalise(value: object) -> str:
    """Fold width, case, script (traditional to simplified) and punctuation."""
    if value is None:
        return ""
    s = unicodedata.normalize("NFKC", str(value)).casefold()
    if any("\u3400" <= ch <= "\u9fff" for ch in s):
        s = _converter().convert(s)
    s = s.translate(_FOLD)
    return _DROP.sub("", s)


@lru_cache(maxsize=65536)
def normalise_loose(value: object) -> str:
    """Like :func:`normalise`, with bracketed units such as (元) removed."""
    if value is None:
        return ""
    return normalise(_BRACKETED.sub("", unicodedata.normalize("NFKC", str(value))))


@lru_cache(maxsize=65536)
def display_width(text: str) -> int:
    """Columns a string needs in a spreadsheet: East Asian wide chars count 2 (cached: the same names recur by the thousand)."""
    if text.isascii():
        return len(text)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
