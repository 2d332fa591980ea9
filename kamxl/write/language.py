"""The language a review is written in: the input's own, unless the user chose one.

A workbook filled in with English labels is reviewed by someone who reads
English; a report in Chinese would be of no use to them. The reader counts
the recognised sheets' header labels in each language (``SheetInfo.header_words``);
the outputs follow the majority when ``output.follow_input_lang`` is on, which the
command line turns on unless ``--lang`` is given.
"""

from __future__ import annotations

from kamxl.config import Settings
from kamxl.results import Results


def input_lang(results: Results) -> str | None:
    """ "zh" or "en" by the majority of the recognised sheets' header labels; None when they are even."""
    chinese = sum(sheet.header_words[0] for sheet in results.sheets if sheet.form)
    english = sum(sheet.header_words[1] for sheet in results.sheets if sheet.form)
    if chinese == english:
        return None
    return "zh" if chinese > english else "en"


def output_settings(results: Results, settings: Settings) -> Settings:
    """The settings to write ``results`` with: in the input's language when they are to follow it."""
    if not settings.get("output.follow_input_lang"):
        return settings
    lang = input_lang(results)
    if lang is None or lang == settings.lang:
        return settings
    return Settings(settings.tree, lang)
