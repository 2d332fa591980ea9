"""One receivables plan in random body-row layouts reads back the same figures (issue 14).

Keys merged, written once or on every row; no subtotals, unnamed or named
ones; a grand total above, below or none; money in 元 or 万元 (a units row,
the title or the headers); title rows and a signature line or not.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
import xlsxwriter
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from kamxl.read import read_workbook

pytestmark = pytest.mark.slow

HEADER = ["客户", "产品", "负责人", "总欠款", "一月计划", "一月实收"]
OWNERS = ["王伟", "李娜"]

products = st.lists(
    st.tuples(st.integers(1, 9_999).map(lambda n: n * 100), st.integers(0, 999).map(lambda n: n * 100)),
    min_size=1,
    max_size=3,
)
plans = st.lists(products, min_size=1, max_size=4)
layouts = st.fixed_dictionaries(
    {
        "keys": st.sampled_from(["merged", "once", "every"]),
        "subtotals": st.sampled_from(["none", "plain", "named"]),
        "total": st.sampled_from(["none", "above", "below"]),
        "unit": st.sampled_from(["元", "units_row", "title", "header"]),
        "title_rows": st.integers(0, 2),
        "signature": st.booleans(),
    }
)


def _body(plan, layout, scale):
    """(rows, merges): one customer per entry of ``plan``, its products below it."""
    rows, merges = [], []
    for i, items in enumerate(plan):
        customer, owner = f"客户{i}", OWNERS[i % 2]
        first = len(rows)
        for j, (owed, planned) in enumerate(items):
            key = j == 0 or layout["keys"] == "every"
            rows.append(
                [
                    customer if key else None,
                    f"产品{j}",
                    owner if key else None,
                    owed / scale,
                    planned / scale,
                    0,
                ]
            )
        if layout["keys"] == "merged" and len(items) > 1:
            merges += [(first, 0, len(rows) - 1, customer), (first, 2, len(rows) - 1, owner)]
        if layout["subtotals"] != "none":
            label = f"{customer} 小计" if layout["subtotals"] == "named" else "小计"
            owed, planned = sum(o for o, _ in items), sum(p for _, p in items)
            rows.append([label, None, None, owed / scale, planned / scale, 0])
    return rows, merges


def _write(path, plan, layout):
    scale = 1 if layout["unit"] == "元" else 10_000
    body, merges = _body(plan, layout, scale)
    owed, planned = sum(o for items in plan for o, _ in items), sum(p for items in plan for _, p in items)
    total = ["合计", None, None, owed / scale, planned / scale, 0]
    if layout["total"] == "above":
        body.insert(0, total)
        merges = [(r0 + 1, c, r1 + 1, value) for r0, c, r1, value in merges]
    elif layout["total"] == "below":
        body.append(total)
    title = "应收帐款规划表(单位:万元)" if layout["unit"] == "title" else "应收帐款规划表"
    title_rows = max(layout["title_rows"], layout["unit"] == "title")  # the title names the unit
    top = [[title]] + [[]] * (title_rows - 1) if title_rows else []
    if layout["unit"] == "units_row":
        top.append(["单位:万元"])
    header = [f"{h}(万元)" if h == "总欠款" and layout["unit"] == "header" else h for h in HEADER]
    if layout["unit"] == "header":
        header[4:6] = ["一月计划", "一月实收"]
    workbook = xlsxwriter.Workbook(path)
    sheet = workbook.add_worksheet("应收")
    start = len(top) + 1
    for r, row in enumerate([*top, header, *body]):
        for c, value in enumerate(row):
            if value is not None:
                sheet.write(r, c, value)
    for r0, c, r1, value in merges:
        sheet.merge_range(start + r0, c, start + r1, c, value)
    if layout["signature"]:
        sheet.write(start + len(body) + 1, 0, "制表:王伟")
    workbook.close()
    return scale


@hypothesis_settings(max_examples=150)
@given(plan=plans, layout=layouts)
def test_every_layout_reads_the_same_plan(settings, plan, layout):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "plan.xlsx"
        scale = _write(path, plan, layout)
        workbook = read_workbook(path, settings)
    [sheet] = workbook.forms["receivables"]
    main = sheet.tables["main"]
    expected = [
        (f"客户{i}", f"产品{j}", owed) for i, items in enumerate(plan) for j, (owed, _) in enumerate(items)
    ]
    got = list(zip(main["customer"], main["product"], main["total_owed"], strict=True))
    assert [(c, p) for c, p, _ in got] == [(c, p) for c, p, _ in expected]
    assert [o for *_, o in got] == pytest.approx([o for *_, o in expected])
    owners = [OWNERS[i % 2] for i, items in enumerate(plan) for _ in items]
    assert list(main["owner"]) == owners
    month_plan = sheet.tables["months"]["plan"].fillna(0).tolist()
    # the header's unit covers 总欠款 only: the month columns stay as written
    month_scale = scale if layout["unit"] != "header" else 1
    assert month_plan == pytest.approx([p / scale * month_scale for items in plan for _, p in items])
    assert not [i for i in workbook.issues if i.code.endswith("total_mismatch") or i.severity == "error"]
    assert not [i for i in workbook.issues if i.code in ("missing_value", "invalid_number")]
