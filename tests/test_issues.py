"""The one Issue type: capping floods of the same issue."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kamxl.issues import Issue, Severity, a1, cap, parse_a1


def _more(sheet, code, n):
    return Issue(Severity.INFO, "more_cell_issues", sheet, params={"count": n, "kind": code})


issue = st.builds(
    Issue,
    st.sampled_from([Severity.WARNING, Severity.ERROR]),
    st.sampled_from(["no_hours", "bad_number", "more_cell_issues"]),
    st.sampled_from(["甲", "乙", None]),
)


@given(st.lists(issue, max_size=60), st.integers(min_value=0, max_value=10))
def test_cap_keeps_order_and_accounts_for_every_issue(issues, limit):
    kept = cap(issues, limit, _more)
    listed = [i for i in kept if not (i.code == "more_cell_issues" and "count" in i.params)]
    # what is kept is the input in its order, each (sheet, code) at most `limit` times
    # (sheetless ones all kept)
    it = iter(issues)
    assert all(any(i is j for j in it) for i in listed)
    per = Counter((i.sheet, i.code) for i in listed if i.sheet is not None and i.code != "more_cell_issues")
    assert all(n <= limit for n in per.values())
    # nothing vanishes: kept + the counts the summaries name = the input
    counted = sum(i.params["count"] for i in kept if i not in listed)
    assert len(listed) + counted == len(issues)


def test_cap_below_the_limit_changes_nothing():
    issues = [Issue(Severity.WARNING, "no_hours", "甲", row, 0) for row in range(3)]
    assert cap(issues, 3, _more) == issues


# ---------------------------------------------------------------- places and the catalogue ---
KAMXL = Path(__file__).resolve().parent.parent / "kamxl"


@pytest.mark.parametrize(
    ("row", "col", "ref"),
    [(0, 0, "A1"), (9, 25, "Z10"), (0, 26, "AA1"), (99, 701, "ZZ100"), (4, 702, "AAA5")],
)
def test_a1_and_parse_a1_are_inverse(row, col, ref):
    assert a1(row, col) == ref
    assert parse_a1(ref) == (row, col)


@pytest.mark.parametrize("ref", ["", "A0", "a1", "1A", "A1:B2", "Sheet!A1"])
def test_parse_a1_refuses_what_is_not_one_cell(ref):
    with pytest.raises(ValueError):
        parse_a1(ref)


def test_an_issue_keeps_its_data_and_renders_in_either_language(settings, settings_en):
    issue = settings.issue("no_hours", "待办", "C7", task="拜访朗通")
    assert (issue.severity, issue.code, issue.sheet, issue.row, issue.col) == (
        "info",
        "no_hours",
        "待办",
        6,
        2,
    )
    assert issue.cell == "C7" and issue.place == "待办!C7"
    assert issue.params == {"task": "拜访朗通"}
    assert "拜访朗通" in settings.message(issue) and "拜访朗通" in settings_en.message(issue)
    assert settings.message(issue) != settings_en.message(issue)
    assert settings_en.issue_dict(issue) == {
        "severity": "info",
        "code": "no_hours",
        "sheet": "待办",
        "cell": "C7",
        "message": settings_en.message(issue),
    }


def _catalogue(settings) -> dict:
    return settings.get("labels.issues")


def test_every_catalogue_entry_has_a_severity_and_both_languages(settings):
    for code, entry in _catalogue(settings).items():
        assert entry["severity"] in tuple(Severity), code
        assert entry["zh"].strip() and entry["en"].strip(), code
        # the two languages name the same values
        fields = [set(re.findall(r"{(\w+)", entry[lang])) for lang in ("zh", "en")]
        assert fields[0] == fields[1], code


def test_every_catalogue_code_is_used_in_the_code(settings):
    source = "\n".join(p.read_text("utf-8") for p in KAMXL.rglob("*.py"))
    unused = [
        code for code in _catalogue(settings) if f'"{code}"' not in source and f"'{code}'" not in source
    ]
    assert unused == []


def test_every_code_raised_is_in_the_catalogue(settings):
    source = "\n".join(p.read_text("utf-8") for p in KAMXL.rglob("*.py"))
    raised = set(re.findall(r"\.issue\(\s*\"([a-z_]+)\"", source))
    assert raised <= set(_catalogue(settings))
