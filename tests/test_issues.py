"""The one Issue type: capping floods of the same issue."""

from __future__ import annotations

from collections import Counter

from hypothesis import given
from hypothesis import strategies as st

from kamxl.issues import Issue, cap


def _more(sheet, code, n):
    return Issue("info", "more_cell_issues", sheet, None, f"{n} more {code}")


issue = st.builds(
    Issue,
    st.sampled_from(["warning", "error"]),
    st.sampled_from(["no_hours", "bad_number", "more_cell_issues"]),
    st.sampled_from(["甲", "乙", None]),
    st.none(),
    st.just("x"),
)


@given(st.lists(issue, max_size=60), st.integers(min_value=0, max_value=10))
def test_cap_keeps_order_and_accounts_for_every_issue(issues, limit):
    kept = cap(issues, limit, _more)
    listed = [
        i for i in kept if not (i.code == "more_cell_issues" and i.message.startswith(tuple("0123456789")))
    ]
    # what is kept is the input in its order, each (sheet, code) at most `limit` times (sheetless ones all kept)
    it = iter(issues)
    assert all(any(i is j for j in it) for i in listed)
    per = Counter((i.sheet, i.code) for i in listed if i.sheet is not None and i.code != "more_cell_issues")
    assert all(n <= limit for n in per.values())
    # nothing vanishes: kept + the counts the summaries name = the input
    counted = sum(int(i.message.split()[0]) for i in kept if i not in listed)
    assert len(listed) + counted == len(issues)


def test_cap_below_the_limit_changes_nothing():
    issues = [Issue("warning", "no_hours", "甲", f"A{r}", "x") for r in range(3)]
    assert cap(issues, 3, _more) == issues
