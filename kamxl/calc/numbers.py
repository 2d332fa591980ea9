"""Numbers as a calculation reads them from a cell and as a person reads them in a message.

One reading and one way of writing numbers serve every issue message and the
review summary, so that "95.0%" means the same wherever it appears: a cell
may hold text, a blank or an error where a number belongs (``as_number``
says None), a money amount reads 96,000 or 1,234.50 (``fmt``) and a share
reads 95.0%, −2.5% or <0.1% (``pct``).
"""

from __future__ import annotations

import math
from typing import SupportsFloat

BLANK = "—"
"""What a message shows where a number is unknown."""


def as_number(value: object) -> float | None:
    """A finite float, or None for a blank, NaN, an infinity or anything that is not a number.

    Text that spells a number ("12.5") reads as that number: cells typed as
    text are common in the course's forms.
    """
    if not isinstance(value, str | SupportsFloat):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) or math.isinf(number) else number


def fmt(value: SupportsFloat | None, digits: int = 2) -> str:
    """A number as users read it in messages: 96,000 or 1,234.50 (decimals only when there are any)."""
    if value is None or value != value:
        return BLANK
    number = float(value)
    if number.is_integer():
        return f"{number:,.0f}"
    return f"{number:,.{digits}f}"


def pct(value: object, signed: bool = False) -> str:
    """A share as users read it: 95.0%, −2.5% (a true minus sign), +2.5% when ``signed``.

    A share too small to show as 0.1% reads "<0.1%", not 0.0%: one customer
    in 13,000 is not none. Unknown shares read "—".
    """
    number = as_number(value)
    if number is None:
        return BLANK
    text = f"{abs(number):.1%}" if number == 0 or abs(number) >= 0.0005 else "<0.1%"
    if number < 0 and text != "0.0%":
        return "−" + text
    return ("+" if signed and number > 0 else "") + text
