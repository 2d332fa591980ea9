"""Every value spelling of docs/forms.md (Values), table-driven, plus invariants."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kamxl.read.values import Values


@pytest.fixture(scope="module")
def values(settings):
    return Values(settings)


@pytest.mark.parametrize(
    "raw, expected",
    [
        (1200, 1200.0),
        (1200.5, 1200.5),
        ("1,200", 1200.0),
        ("1200元", 1200.0),
        ("12万", 120000.0),
        ("1.5万元", 15000.0),
        ("￥3,000", 3000.0),
        ("¥3,000.50", 3000.5),
        ("４", 4.0),
        ("１２，０００", 12000.0),
        ("(1,200)", -1200.0),
        ("-300", -300.0),
        ("−300", -300.0),
        ("40%", 0.4),
        (" 7 ", 7.0),
        ("RMB 500", 500.0),
        ("2亿", 200_000_000.0),
        ("3k", 3000.0),
    ],
)
def test_number_spellings(values, raw, expected):
    assert values.number(raw) == (pytest.approx(expected), True)


@pytest.mark.parametrize("raw", [None, "", "  ", "-", "—", "无", "N/A"])
def test_blank_cells_are_blank_not_errors(values, raw):
    assert values.number(raw) == (None, True)


@pytest.mark.parametrize("raw", ["abc", "12 apples", "1.2.3", True, dt.date(2026, 3, 5), "万"])
def test_unparseable_numbers_are_flagged(values, raw):
    assert values.number(raw) == (None, False)


@pytest.mark.parametrize(
    "raw, expected", [("40%", 0.4), (0.4, 0.4), (40, 0.4), ("40", 0.4), ("４０％", 0.4), (1, 1.0), (100, 1.0)]
)
def test_percent_spellings(values, raw, expected):
    assert values.percent(raw) == (pytest.approx(expected), True)


MONTHS = [
    ("一月", 1),
    ("二月", 2),
    ("十月", 10),
    ("十一月", 11),
    ("十二月", 12),
    ("1月", 1),
    ("12月", 12),
    ("１２月", 12),
    ("Jan", 1),
    ("jan.", 1),
    ("January", 1),
    ("SEPT", 9),
    ("december", 12),
    (3, 3),
    (3.0, 3),
    ("7", 7),
    ("三月份", 3),
    (dt.date(2026, 5, 1), 5),
    (dt.datetime(2026, 8, 1), 8),
    ("2026-03", 3),
    ("2026年4月", 4),
    ("2026/11", 11),
]


@pytest.mark.parametrize("raw, month", MONTHS)
def test_month_spellings(values, raw, month):
    ym, ok = values.month(raw)
    assert ok and ym[1] == month


@pytest.mark.parametrize("raw", ["十三月", 13, 0, "Foo", 2.5])
def test_bad_months(values, raw):
    assert values.month(raw) == (None, False)


@pytest.mark.parametrize(
    "raw",
    [
        dt.date(2026, 3, 5),
        dt.datetime(2026, 3, 5, 10, 0),
        "2026-03-05",
        "2026/3/5",
        "2026.3.5",
        "2026年3月5日",
        "2026年3月5",
        "20260305",
        46086,
        "２０２６－０３－０５",
    ],
)
def test_date_spellings(values, raw):
    assert values.date(raw) == (dt.date(2026, 3, 5), True)


def test_month_day_needs_a_year(values):
    assert values.date("3月5日") == (None, False)
    assert values.date("3月5日", year=2026) == (dt.date(2026, 3, 5), True)


@pytest.mark.parametrize("raw", ["2026-02-30", "yesterday", "3/5/26x"])
def test_bad_dates(values, raw):
    assert values.date(raw)[1] is False


@pytest.mark.parametrize(
    "raw, hours",
    [
        (dt.time(9, 30), 9.5),
        ("9:30", 9.5),
        ("09:30:00", 9.5),
        ("９：３０", 9.5),
        ("9点半", 9.5),
        ("14时15分", 14.25),
        ("下午3:00", 15.0),
        ("3:00 PM", 15.0),
        (0.375, 9.0),
        (dt.timedelta(hours=10), 10.0),
        (dt.datetime(1899, 12, 31, 16, 45), 16.75),
    ],
)
def test_time_spellings(values, raw, hours):
    assert values.time(raw) == (pytest.approx(hours), True)


@pytest.mark.parametrize("raw", ["25:00", "9:75", "noon-ish"])
def test_bad_times(values, raw):
    assert values.time(raw)[1] is False


LABELS = [
    ("order_size", "超额", "over"),
    ("order_size", "超額", "over"),
    ("order_size", "Over-target", "over"),
    ("order_size", "重要", "major"),
    ("order_size", "部分", "partial"),
    ("order_size", "MINOR", "minor"),
    ("likelihood", "本月内", "this_month"),
    ("likelihood", "考核期內", "this_period"),
    ("likelihood", "Later", "later"),
    ("likelihood", "有意向", "intent"),
    ("high_low", "高", "high"),
    ("high_low", "Low", "low"),
    ("done", "完成", "done"),
    ("done", "未完成", "not_done"),
    ("done", "Done", "done"),
    ("quadrant", "紧迫且重要", "M1"),
    ("quadrant", "緊迫且重要", "M1"),
    ("quadrant", "重要不紧迫", "M2"),
    ("quadrant", "m3", "M3"),
    ("quadrant", "D", "M4"),
    ("indicator_class", "財務類", "financial"),
    ("indicator_class", "Market", "market"),
    ("status", "赢单", "won"),
    ("status", "丟單", "lost"),
    ("direction", "越低越好", "lower"),
    ("measure", "實收", "actual"),
]


@pytest.mark.parametrize("vocab, raw, code", LABELS)
def test_labels_in_zh_hant_en(values, vocab, raw, code):
    assert values.label(vocab, raw) == (code, True)


def test_unknown_label_is_flagged(values):
    assert values.label("order_size", "巨大") == (None, False)


@given(st.decimals(min_value=-(10**9), max_value=10**9, places=2, allow_nan=False, allow_infinity=False))
def test_thousands_separated_text_reads_back_exactly(value):
    from kamxl.config import load_settings

    v = Values(load_settings())
    text = f"{value:,.2f}"
    parsed, ok = v.number(text)
    assert ok and parsed == pytest.approx(float(value), abs=1e-6)
    wide = text.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789,."})
    assert v.number(wide) == (pytest.approx(float(value), abs=1e-6), True)


@given(st.integers(min_value=1, max_value=12))
def test_every_month_spelling_maps_to_the_same_number(month):
    from kamxl.config import load_settings

    s = load_settings()
    v = Values(s)
    spellings = s.get(f"vocab.month.{month}") + [f"{month}月", month, dt.date(2026, month, 1)]
    assert {v.month(x)[0][1] for x in spellings} == {month}
