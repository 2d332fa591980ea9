"""Codes turned into the words every output shows: one place, so the workbook and the summary agree."""

from __future__ import annotations

import pandas as pd

from kamxl.config import Settings


def _missing(value) -> bool:
    """None, NaN, NA or empty text: nothing to show."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    try:
        return bool(pd.isna(value))  # None, NaN, NaT, pd.NA
    except (TypeError, ValueError):  # a list of actions is not missing
        return False


def value_label(settings: Settings, vocab: str, code) -> str | None:
    """A code of the method (tier 1, class A, "this_month") in words; None for a blank."""
    if _missing(code):
        return None
    return settings.label(f"values.{vocab}.{int(code) if vocab == 'tier' else code}")


def actions_text(settings: Settings, actions, sep: str = "\n") -> str:
    """The playbook actions, numbered as the course numbers them (remembered: a few sets recur on thousands of rows)."""
    numbers = tuple(actions) if actions is not None and len(actions) else ()
    return settings.cached(
        ("actions_text", numbers, sep),
        lambda: sep.join(f"{n}. {settings.label(f'actions.{n}')}" for n in numbers),
    )


def health_text(settings: Settings, rule: str) -> str:
    """The rule that decided the funnel's grade, in words, with its threshold."""
    share = {
        "no_back_end": settings.get("health.back_end_min_share"),
        "bottom_heavy": settings.get("health.front_min_share"),
        "stuck": settings.get("health.stuck_share"),
    }
    return settings.label(
        f"values.health_rule.{rule}",
        min_open=settings.get("health.min_open"),
        share=f"{share.get(rule, 0):.0%}",
    )
