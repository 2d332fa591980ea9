"""Generate the sample workbooks in sample_workbooks/ (run: python scripts/make_samples.py).

Hand-believable data in the course's layouts: a regional plan of 华东区 for
three consecutive months (the last one holding every form), the plans of 华南区
and 西北区 for the same months (for `kamxl rollup`), one workbook per
form, one fully in English and an HR appraisal export. Totals are formulas
with their cached values, as Excel would save them. Deterministic: the same
script gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import xlsxwriter
from xlsxwriter.utility import xl_rowcol_to_cell

# The workbooks ship as kamxl.samples; this script stays out of the package (and the wheel).
SAMPLES = Path(__file__).resolve().parent.parent / "sample_workbooks"
MONTHS_ZH = [
    "一月",
    "二月",
    "三月",
    "四月",
    "五月",
    "六月",
    "七月",
    "八月",
    "九月",
    "十月",
    "十一月",
    "十二月",
]
MONTHS_EN = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

# customer, owner, industry, project,
# attractiveness factors (profit, volume, growth, strategic, referrals) or None,
# direct (attractiveness, advantage), advantage factors (product, people, service, influence) or None,
# per month (Jan, Feb, Mar): (order size, likelihood) or None when not in the funnel that month, amount
CUSTOMERS = [
    (
        "朗通",
        "王伟",
        "通信",
        "二期扩容",
        (5, 4, 4, 5, 4),
        None,
        (4, 4, 3, 4),
        [("重要", "考核期内"), ("重要", "本月内"), ("超额", "本月内")],
        320000,
    ),
    (
        "泰岳",
        "王伟",
        "软件",
        "运维外包",
        (4, 4, 3, 4, 3),
        None,
        (3, 2, 3, 2),
        [("部分", "更长期"), ("重要", "考核期内"), ("重要", "考核期内")],
        150000,
    ),
    (
        "万星",
        "李娜",
        "制造",
        "产线改造",
        None,
        (4.5, 2.5),
        None,
        [("部分", "有意向"), ("部分", "有意向"), ("部分", "有意向")],
        90000,
    ),
    (
        "华信",
        "李娜",
        "金融",
        "数据中心",
        None,
        (3.8, 4.1),
        None,
        [("超额", "考核期内"), ("超额", "本月内"), ("超额", "本月内")],
        500000,
    ),
    (
        "远航",
        "张强",
        "物流",
        "调度系统",
        None,
        (2.2, 3.5),
        None,
        [("微小", "有意向"), ("微小", "有意向"), ("微小", "有意向")],
        30000,
    ),
    (
        "金桥",
        "张强",
        "建筑",
        "工地监控",
        (2, 3, 2, 2, 3),
        None,
        (4, 3, 4, 4),
        [("部分", "考核期内"), ("部分", "考核期内"), ("重要", "本月内")],
        110000,
    ),
    (
        "瑞丰",
        "王伟",
        "零售",
        "门店终端",
        None,
        (2.5, 2.0),
        None,
        [("微小", "更长期"), ("微小", "更长期"), ("微小", "有意向")],
        20000,
    ),
    (
        "新源",
        "李娜",
        "能源",
        "能耗监测",
        None,
        (4.0, 3.2),
        None,
        [None, ("部分", "更长期"), ("重要", "考核期内")],
        180000,
    ),
    (
        "恒通",
        "张强",
        "交通",
        "票务平台",
        None,
        (3.3, 2.8),
        None,
        [("部分", "更长期"), ("部分", "更长期"), ("部分", "更长期")],
        80000,
    ),
    (
        "博雅",
        "王伟",
        "教育",
        "智慧校园",
        None,
        (3.6, 3.9),
        None,
        [("重要", "本月内"), ("重要", "本月内"), None],
        210000,
    ),
    (
        "天成",
        "李娜",
        "医疗",
        "影像归档",
        (4, 3, 5, 4, 4),
        None,
        (2, 3, 2, 3),
        [("重要", "更长期"), ("重要", "考核期内"), ("重要", "考核期内")],
        260000,
    ),
    (
        "宏达",
        "张强",
        "化工",
        "安全巡检",
        None,
        (1.8, 1.5),
        None,
        [("微小", "有意向"), ("部分", "有意向"), ("部分", "更长期")],
        40000,
    ),
    ("益民", "王伟", "政务", "热线系统", None, (3.1, 3.0), None, [None, None, ("部分", "有意向")], 60000),
    (
        "海川",
        "李娜",
        "港口",
        "堆场管理",
        None,
        (2.9, 3.4),
        None,
        [("重要", "考核期内"), ("超额", "考核期内"), ("超额", "本月内")],
        420000,
    ),
]

# customer, product, qty, total owed, monthly plan (12), actuals to date (Jan..Mar)
RECEIVABLES = [
    ("朗通", "产品A", 120, 600000, [50000] * 12, [48000, 50000, 52000]),
    ("朗通", "产品B", 40, 240000, [20000] * 12, [20000, 15000, 18000]),
    ("泰岳", "产品A", 80, 360000, [30000] * 12, [30000, 31000, 29000]),
    ("万星", "产品B", 30, 150000, [12500] * 12, [0, 5000, 6000]),
    ("华信", "产品A", 200, 900000, [75000] * 12, [75000, 75000, 80000]),
    ("金桥", "产品B", 50, 200000, [15000] * 12, [15000, 16000, 12000]),
    ("天成", "产品A", 60, 300000, [25000] * 12, [25000, 25000, 25000]),
    ("海川", "产品B", 90, 420000, [30000] * 12, [20000, 18000, 21000]),
    ("恒通", "产品A", 25, 100000, [8000] * 12, [8000, 8000, 7000]),
    ("博雅", "产品B", 45, 180000, [15000] * 12, [15000, 15000, 15000]),
    ("新源", "产品A", 35, 140000, [11000] * 12, [0, 11000, 11000]),
    ("瑞丰", "产品B", 10, 60000, [5000] * 12, [5000, 0, 0]),
]

PNL_LINES = {"revenue": ["产品A", "产品B"], "expense": ["区域广告", "人员工资", "业务往来"]}
PNL_PLAN = {"产品A": 420000, "产品B": 180000, "区域广告": 30000, "人员工资": 150000, "业务往来": 25000}
PNL_ACTUAL = {  # Jan..Mar
    "产品A": [410000, 432000, 445000],
    "产品B": [175000, 166000, 190000],
    "区域广告": [26000, 34000, 31000],
    "人员工资": [150000, 150000, 152000],
    "业务往来": [22000, 27000, 24000],
}


# 华南区 and 西北区: the same forms, three months each, so that `kamxl rollup` has regions to compare.
SOUTH_CUSTOMERS = [
    (
        "美佳",
        "陈刚",
        "零售",
        "收银系统",
        None,
        (4.2, 3.8),
        None,
        [("重要", "考核期内"), ("重要", "本月内"), ("超额", "本月内")],
        280000,
    ),
    (
        "粤海",
        "陈刚",
        "港口",
        "闸口改造",
        None,
        (3.9, 4.2),
        None,
        [("超额", "考核期内"), ("超额", "考核期内"), ("超额", "本月内")],
        450000,
    ),
    (
        "宏图",
        "赵敏",
        "制造",
        "MES",
        None,
        (3.2, 2.6),
        None,
        [("部分", "有意向"), ("部分", "更长期"), ("重要", "考核期内")],
        160000,
    ),
    (
        "南星",
        "赵敏",
        "医疗",
        "HIS 接口",
        None,
        (2.4, 3.6),
        None,
        [("微小", "有意向"), ("微小", "有意向"), ("微小", "有意向")],
        25000,
    ),
    (
        "鹏程",
        "陈刚",
        "物流",
        "仓储系统",
        None,
        (3.5, 3.1),
        None,
        [("部分", "更长期"), ("部分", "更长期"), ("部分", "有意向")],
        120000,
    ),
    (
        "珠江",
        "赵敏",
        "能源",
        "巡检平台",
        None,
        (4.1, 2.2),
        None,
        [("重要", "更长期"), ("重要", "考核期内"), ("重要", "考核期内")],
        230000,
    ),
    (
        "金湾",
        "陈刚",
        "航空",
        "地勤调度",
        None,
        (3.0, 3.4),
        None,
        [None, ("部分", "有意向"), ("部分", "更长期")],
        90000,
    ),
    (
        "海韵",
        "赵敏",
        "教育",
        "录播教室",
        None,
        (2.8, 2.9),
        None,
        [("部分", "考核期内"), ("部分", "本月内"), None],
        70000,
    ),
    (
        "岭南",
        "陈刚",
        "政务",
        "一网通办",
        None,
        (3.7, 3.3),
        None,
        [("部分", "有意向"), ("部分", "有意向"), ("部分", "有意向")],
        100000,
    ),
    ("华侨", "赵敏", "金融", "网点终端", None, (3.4, 3.9), None, [None, None, ("重要", "更长期")], 200000),
]
SOUTH_RECEIVABLES = [
    ("美佳", "产品A", 50, 300000, [25000] * 12, [25000, 25000, 25000]),
    ("粤海", "产品A", 80, 480000, [40000] * 12, [40000, 38000, 42000]),
    ("宏图", "产品B", 20, 120000, [10000] * 12, [10000, 8000, 9000]),
    ("珠江", "产品B", 30, 180000, [15000] * 12, [15000, 15000, 12000]),
    ("鹏程", "产品A", 15, 96000, [8000] * 12, [8000, 8000, 8000]),
    ("南星", "产品B", 5, 36000, [3000] * 12, [3000, 0, 3000]),
]
SOUTH_PNL_PLAN = {"产品A": 300000, "产品B": 120000, "区域广告": 20000, "人员工资": 110000, "业务往来": 15000}
SOUTH_PNL_ACTUAL = {
    "产品A": [290000, 310000, 305000],
    "产品B": [118000, 125000, 122000],
    "区域广告": [18000, 22000, 20000],
    "人员工资": [110000, 110000, 112000],
    "业务往来": [14000, 16000, 15000],
}
NORTHWEST_CUSTOMERS = [
    ("长安", "刘洋", "交通", "路网监测", None, (3.6, 3.2), None, [("重要", "考核期内")] * 3, 200000),
    ("秦川", "刘洋", "制造", "设备联网", None, (3.1, 2.7), None, [("部分", "更长期")] * 3, 80000),
    ("祁连", "孙丽", "能源", "光伏运维", None, (2.2, 2.5), None, [("微小", "有意向")] * 3, 20000),
    (
        "天山",
        "孙丽",
        "矿业",
        "安全监控",
        None,
        (4.3, 3.5),
        None,
        [("重要", "考核期内"), ("超额", "考核期内"), ("超额", "本月内")],
        350000,
    ),
    (
        "河西",
        "刘洋",
        "农业",
        "灌区管理",
        None,
        (2.9, 3.3),
        None,
        [None, ("部分", "考核期内"), ("部分", "考核期内")],
        60000,
    ),
    ("黄河", "孙丽", "水利", "水文平台", None, (3.8, 2.9), None, [("重要", "更长期")] * 3, 150000),
]
NORTHWEST_RECEIVABLES = [
    ("长安", "产品A", 30, 240000, [20000] * 12, [15000, 16000, 14000]),
    ("天山", "产品A", 40, 360000, [30000] * 12, [30000, 25000, 20000]),
    ("黄河", "产品B", 10, 96000, [8000] * 12, [8000, 6000, 5000]),
]
NORTHWEST_PNL_PLAN = {
    "产品A": 200000,
    "产品B": 60000,
    "区域广告": 10000,
    "人员工资": 80000,
    "业务往来": 10000,
}
NORTHWEST_PNL_ACTUAL = {
    "产品A": [180000, 170000, 175000],
    "产品B": [50000, 55000, 52000],
    "区域广告": [12000, 11000, 10000],
    "人员工资": [80000, 82000, 80000],
    "业务往来": [11000, 12000, 10000],
}


class Region:
    """One region's data: the forms' rows and the name its titles carry."""

    def __init__(self, name, author, customers, receivables, pnl_plan, pnl_actual):
        self.name, self.author = name, author
        self.customers, self.receivables = customers, receivables
        self.pnl_plan, self.pnl_actual = pnl_plan, pnl_actual


EAST = Region("华东区", "华东区 王伟", CUSTOMERS, RECEIVABLES, PNL_PLAN, PNL_ACTUAL)
SOUTH = Region("华南区", "华南区 陈刚", SOUTH_CUSTOMERS, SOUTH_RECEIVABLES, SOUTH_PNL_PLAN, SOUTH_PNL_ACTUAL)
NORTHWEST = Region(
    "西北区",
    "西北区 刘洋",
    NORTHWEST_CUSTOMERS,
    NORTHWEST_RECEIVABLES,
    NORTHWEST_PNL_PLAN,
    NORTHWEST_PNL_ACTUAL,
)


class Book:
    """An xlsxwriter workbook with the formats people use in these forms."""

    def __init__(self, path: Path, title: str, author: str = "华东区 王伟"):
        self.wb = xlsxwriter.Workbook(
            str(path), {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
        )
        self.wb.set_properties({"title": title, "author": author, "created": dt.datetime(2026, 3, 1)})
        base = {"font_name": "Microsoft YaHei", "font_size": 10, "valign": "vcenter"}
        f = self.wb.add_format
        self.title = f(base | {"bold": True, "font_size": 14})
        self.head = f(
            base | {"bold": True, "bg_color": "#DCE6F1", "border": 1, "align": "center", "text_wrap": True}
        )
        self.text = f(base | {"border": 1})
        self.money = f(base | {"border": 1, "num_format": "#,##0"})
        self.num = f(base | {"border": 1, "num_format": "0.0"})
        self.date = f(base | {"border": 1, "num_format": "yyyy-mm-dd"})
        self.time = f(base | {"border": 1, "num_format": "hh:mm"})
        self.pct = f(base | {"border": 1, "num_format": "0%"})
        self.total = f(base | {"bold": True, "border": 1, "top": 2, "num_format": "#,##0"})
        self.note = f(base | {"italic": True, "font_color": "#666666"})
        self.cell = f(base | {"border": 1, "text_wrap": True, "valign": "top"})
        self.day = f(base | {"bold": True, "border": 1, "bg_color": "#F2F2F2", "align": "left"})

    def sheet(self, name: str):
        return self.wb.add_worksheet(name)

    def put(self, ws, r, c, v, fmt=None):
        if v is None:
            ws.write_blank(r, c, None, fmt or self.text)
        elif isinstance(v, str):
            ws.write_string(r, c, v, fmt or self.text)
        elif isinstance(v, dt.datetime):
            ws.write_datetime(r, c, v, fmt or self.time)
        elif isinstance(v, dt.date):
            ws.write_datetime(r, c, dt.datetime.combine(v, dt.time()), fmt or self.date)
        else:
            ws.write_number(r, c, v, fmt or self.money)

    def flat(
        self,
        ws,
        title: str,
        headers: list[str],
        rows: list[list],
        fmts: dict[int, object] | None = None,
        totals: tuple[int, ...] = (),
        total_label: str = "合计",
        note: str | None = None,
        widths: dict[int, int] | None = None,
    ):
        ws.write_string(0, 0, title, self.title)
        for c, h in enumerate(headers):
            ws.write_string(2, c, h, self.head)
        for i, row in enumerate(rows):
            for c, v in enumerate(row):
                self.put(ws, 3 + i, c, v, (fmts or {}).get(c))
        last = 3 + len(rows) - 1
        if totals:
            ws.write_string(last + 1, 0, total_label, self.total)
            for c in totals:
                cached = sum(v for row in rows if isinstance(v := row[c], (int, float)))
                col = xl_rowcol_to_cell(0, c)[:-1]
                ws.write_formula(last + 1, c, f"=SUM({col}4:{col}{last + 1})", self.total, cached)
        if note:
            ws.write_string(last + 3, 0, note, self.note)
        ws.freeze_panes(3, 0)
        for c, w in (widths or {}).items():
            ws.set_column(c, c, w)
        ws.set_column(0, 0, 14)

    def close(self):
        self.wb.close()


def _class_label(size: str, likely: str) -> tuple[str, str]:
    return size, likely


def customers_sheet(b: Book, month: int, name="客户价值评估", english=False, region=EAST):
    ws = b.sheet(name)
    if english:
        headers = [
            "Customer",
            "Owner",
            "Industry",
            "Project",
            "Profit contribution",
            "Purchase volume",
            "Growth",
            "Strategic high ground",
            "Referrals",
            "Attractiveness",
            "Product",
            "People",
            "Service",
            "Influence",
            "Our advantage",
            "Order size",
            "Likelihood",
            "Amount",
            "Status",
        ]
    else:
        headers = [
            "客户",
            "负责人",
            "行业",
            "项目",
            "利润贡献",
            "采购量",
            "成长性",
            "战略制高点",
            "转介绍",
            "客户吸引力",
            "产品",
            "人员",
            "服务",
            "影响力",
            "我们的优势",
            "订单量",
            "成交可能性",
            "项目金额",
            "状态",
        ]
    to_en = {
        "超额": "Over-target",
        "重要": "Major",
        "部分": "Partial",
        "微小": "Minor",
        "本月内": "This month",
        "考核期内": "This period",
        "更长期": "Later",
        "有意向": "Intent",
    }
    rows = []
    for cust, owner, industry, project, attr_f, direct, adv_f, funnel, amount in region.customers:
        stage = funnel[month - 1]
        status = "进行中"
        if stage is None:
            if month >= 2 and funnel[month - 2] is not None:
                status = "赢单"
                stage = funnel[month - 2]
            else:
                continue
        size, likely = stage
        attr = list(attr_f) if attr_f else [None] * 5
        adv = list(adv_f) if adv_f else [None] * 4
        row = [
            cust,
            owner,
            industry,
            project,
            *attr,
            direct[0] if direct else None,
            *adv,
            direct[1] if direct else None,
            to_en[size] if english else size,
            to_en[likely] if english else likely,
            amount,
            ("Won" if status == "赢单" else "Open") if english else status,
        ]
        rows.append(row)
    fmts = {c: b.num for c in range(4, 15)}
    b.flat(
        ws,
        "Customer assessment and opportunities"
        if english
        else f"客户价值评估与商机 — {region.name} 2026年{month}月",
        headers,
        rows,
        fmts,
        totals=(17,),
        total_label="Total" if english else "合计",
        note="Scores 1–5; blank = not assessed." if english else "备注:评分 1–5 分,空白表示未评估。",
        widths={3: 12, 17: 12},
    )


def receivables_sheet(b: Book, month: int, english=False, name="应收帐款规划表", region=EAST):
    receivables = region.receivables
    ws = b.sheet(name)
    months = MONTHS_EN if english else MONTHS_ZH
    ws.write_string(
        0,
        0,
        "Receivables plan — East region 2026" if english else f"应收帐款规划表 — {region.name} 2026 年度",
        b.title,
    )
    top, sub = 2, 3
    fixed = ["Customer", "Product", "Qty"] if english else ["客户", "产品", "数量"]
    for c, h in enumerate(fixed):
        ws.merge_range(top, c, sub, c, h, b.head)
    for m in range(12):
        c = 3 + 2 * m
        ws.merge_range(top, c, top, c + 1, months[m], b.head)
        ws.write_string(sub, c, "Plan" if english else "计划", b.head)
        ws.write_string(sub, c + 1, "Actual" if english else "实收", b.head)
    owed_col = 27
    ws.merge_range(top, owed_col, sub, owed_col, "Total owed" if english else "总欠款", b.head)
    ws.merge_range(top, owed_col + 1, sub, owed_col + 1, "Owner" if english else "负责人", b.head)
    owners = {c[0]: c[1] for c in region.customers}
    first = sub + 1
    for i, (cust, product, qty, owed, plan, actual) in enumerate(receivables):
        r = first + i
        b.put(ws, r, 0, cust)
        b.put(ws, r, 1, product.replace("产品", "Product ") if english else product)
        b.put(ws, r, 2, qty)
        for m in range(12):
            b.put(ws, r, 3 + 2 * m, plan[m])
            if m < month:
                v = actual[m]
                # people type some figures as text: "50,000", "3万"
                if not english and i == 2 and m == 1:
                    b.put(ws, r, 4 + 2 * m, f"{v:,}")
                else:
                    b.put(ws, r, 4 + 2 * m, v)
            else:
                b.put(ws, r, 4 + 2 * m, None, b.money)
        b.put(ws, r, owed_col, owed)
        b.put(ws, r, owed_col + 1, owners[cust])
    last = first + len(receivables) - 1
    ws.write_string(last + 1, 0, "Total" if english else "合计", b.total)
    for c in [2] + list(range(3, 27)) + [owed_col]:
        col = xl_rowcol_to_cell(0, c)[:-1]
        if c == 2:
            cached = sum(x[2] for x in receivables)
        elif c == owed_col:
            cached = sum(x[3] for x in receivables)
        else:
            m, is_actual = divmod(c - 3, 2)
            cached = sum((x[5][m] if m < month else 0) if is_actual else x[4][m] for x in receivables)
        ws.write_formula(last + 1, c, f"=SUM({col}{first + 1}:{col}{last + 1})", b.total, cached)
    ws.write_string(
        last + 3, 0, "Note: actuals are cash received." if english else "注:实收为当月到账金额。", b.note
    )
    ws.freeze_panes(first, 1)
    ws.set_column(3, 27, 10)


def pnl_sheet(b: Book, month: int, english=False, name="预期损益表", region=EAST):
    ws = b.sheet(name)
    ws.write_string(
        0, 0, "Projected P&L — East region 2026" if english else f"预期损益表 — {region.name} 2026", b.title
    )
    top = 2
    ws.merge_range(top, 0, top + 2, 0, "Month" if english else "时间", b.head)
    c = 1
    cols = []
    en = {
        "产品A": "Product A",
        "产品B": "Product B",
        "区域广告": "Regional advertising",
        "人员工资": "Salaries",
        "业务往来": "Business entertainment",
    }
    for group, label in (
        ("revenue", "Revenue" if english else "收入项"),
        ("expense", "Expense" if english else "支出项"),
    ):
        lines = PNL_LINES[group]
        ws.merge_range(top, c, top, c + 2 * len(lines) - 1, label, b.head)
        for line in lines:
            ws.merge_range(top + 1, c, top + 1, c + 1, en[line] if english else line, b.head)
            ws.write_string(top + 2, c, "Plan" if english else "计划", b.head)
            ws.write_string(top + 2, c + 1, "Actual" if english else "实际", b.head)
            cols.append((group, line, c))
            c += 2
    pc = c
    ws.merge_range(top, pc, top + 1, pc + 1, "Profit" if english else "预期盈亏", b.head)
    ws.write_string(top + 2, pc, "Plan" if english else "计划", b.head)
    ws.write_string(top + 2, pc + 1, "Actual" if english else "实际", b.head)
    first = top + 3
    sums: dict[int, float] = {}
    for m in range(12):
        r = first + m
        ws.write_string(r, 0, (MONTHS_EN if english else MONTHS_ZH)[m], b.text)
        vals = {}
        for group, line, col in cols:
            plan = region.pnl_plan[line]
            actual = region.pnl_actual[line][m] if m < month else None
            b.put(ws, r, col, plan)
            b.put(ws, r, col + 1, actual, b.money)
            vals[(group, line)] = (plan, actual or 0)
            sums[col] = sums.get(col, 0) + plan
            sums[col + 1] = sums.get(col + 1, 0) + (actual or 0)
        for k in (0, 1):
            rev = "+".join(xl_rowcol_to_cell(r, col + k) for g, _, col in cols if g == "revenue")
            exp = "+".join(xl_rowcol_to_cell(r, col + k) for g, _, col in cols if g == "expense")
            cached = sum(v[k] for (g, _), v in vals.items() if g == "revenue") - sum(
                v[k] for (g, _), v in vals.items() if g == "expense"
            )
            ws.write_formula(r, pc + k, f"=({rev})-({exp})", b.money, cached)
            sums[pc + k] = sums.get(pc + k, 0) + cached
    last = first + 11
    ws.write_string(last + 1, 0, "Total" if english else "合计", b.total)
    for col, cached in sums.items():
        letter = xl_rowcol_to_cell(0, col)[:-1]
        ws.write_formula(last + 1, col, f"=SUM({letter}{first + 1}:{letter}{last + 1})", b.total, cached)
    ws.freeze_panes(first, 1)
    ws.set_column(1, pc + 1, 11)


ACTIVITIES = [
    ("春季新品推介会", "李娜", "市场部提供展板与样品", 60000, "签约新客户 3 家", [3]),
    ("重点客户高层拜访", "王伟", "总经理出席", 15000, "朗通二期签约", [2, 3, 4]),
    ("行业展会(智慧城市)", "张强", "展位费", 40000, "获取线索 50 条", [5]),
    ("渠道伙伴培训", "李娜", None, "8,000", "伙伴认证 10 人", [4]),
    ("客户满意度回访", "张强", "客服中心配合", 6000, "满意度 ≥ 90%", [3, 6, 9, 12]),
    ("夏季促销", None, "财务审批折扣", 30000, "产品B 销量提升 20%", [6, 7]),
]


def activities_sheet(b: Book, name="区域市场活动协调计划表"):
    ws = b.sheet(name)
    headers = ["工作内容", "负责人", "提请支持", "费用预算", "达成效果"] + MONTHS_ZH
    rows = []
    for act, owner, support, budget, effect, months in ACTIVITIES:
        marks = ["✓" if m + 1 in months else None for m in range(12)]
        if act == "重点客户高层拜访":
            marks = [None, 5000, 5000, 5000] + [None] * 8  # amounts per month instead of marks
        rows.append([act, owner, support, budget, effect, *marks])
    b.flat(
        ws,
        "区域市场活动协调计划表 — 华东区 2026",
        headers,
        rows,
        totals=(3,),
        note="备注:月份列打 ✓ 表示活动月份;填金额表示当月费用。",
        widths={0: 20, 2: 18, 4: 18},
    )
    for c in range(5, 17):
        ws.set_column(c, c, 6)


def calendar_sheet(b: Book, year=2026, month=3, name="行事月历"):
    ws = b.sheet(name)
    ws.write_string(0, 0, f"地区经理行事月历({year}-{month:02d})", b.title)
    ws.write_string(2, 0, "本月大事", b.head)
    ws.merge_range(2, 1, 2, 6, "3月18日 春季新品推介会;3月25日 季度回款冲刺", b.cell)
    for c, d in enumerate(["周一", "周二", "周三", "周四", "周五", "周六", "周日"]):
        ws.write_string(4, c, d, b.head)
        ws.set_column(c, c, 16)
    events = {
        2: "区域例会",
        5: "拜访朗通",
        9: "泰岳方案评审",
        12: "华信高层拜访",
        18: "新品推介会",
        20: "渠道培训",
        25: "回款冲刺",
        31: "月度总结",
    }
    first = dt.date(year, month, 1)
    day = first - dt.timedelta(days=first.weekday())
    r = 5
    while day <= dt.date(year, month, 31):
        for c in range(7):
            d = day + dt.timedelta(days=c)
            if d.month == month:
                ws.write_number(r, c, d.day, b.day)
                b.put(ws, r + 1, c, events.get(d.day, ""), b.cell)
            else:
                ws.write_blank(r, c, None, b.day)
                ws.write_blank(r + 1, c, None, b.cell)
        ws.set_row(r + 1, 40)
        r += 2
        day += dt.timedelta(days=7)
    ws.write_string(r + 1, 0, "备注", b.head)
    ws.merge_range(r + 1, 1, r + 1, 6, "25日前完成一季度回款目标的 90%", b.cell)


TODO = [
    (
        dt.date(2026, 3, 5),
        [
            ("紧迫且重要", "08:30", "10:00", "处理万星发货投诉", "万星", "完成"),
            ("重要不紧迫", "10:00", "12:00", "准备泰岳运维方案", "泰岳", "完成"),
            ("紧迫不重要", "13:30", "14:30", "填写费用报销", None, "完成"),
            ("重要不紧迫", "14:30", "17:00", "拜访朗通,沟通二期需求", "朗通", "完成"),
            ("不紧迫不重要", "17:00", "17:30", "整理邮件", None, "未完成"),
        ],
    ),
    (
        dt.date(2026, 3, 6),
        [
            ("重要不紧迫", "09:00", "11:30", "团队辅导:李娜的海川项目", "海川", "完成"),
            ("紧迫且重要", "13:00", "15:00", "华信合同条款谈判", "华信", "80%"),
            ("紧迫不重要", "15:00", "16:00", "部门周报", None, "完成"),
            ("重要不紧迫", "16:00", "17:30", "制定下周拜访计划", None, "完成"),
        ],
    ),
]


def todo_sheet(b: Book, name="日工作待办单"):
    ws = b.sheet(name)
    ws.write_string(0, 0, "地区经理日工作待办单", b.title)
    headers = ["类别", "开始", "结束", "工作内容", "相关", "备注", "完成情况"]
    for c, h in enumerate(headers):
        ws.write_string(2, c, h, b.head)
    r = 3
    for day, items in TODO:
        ws.merge_range(r, 0, r, 6, f"日期:{day.year}年{day.month}月{day.day}日", b.day)
        r += 1
        for cat, start, end, task, related, status in items:
            h1, m1 = map(int, start.split(":"))
            h2, m2 = map(int, end.split(":"))
            b.put(ws, r, 0, cat)
            ws.write_datetime(r, 1, dt.datetime(1899, 12, 31, h1, m1), b.time)
            ws.write_datetime(r, 2, dt.datetime(1899, 12, 31, h2, m2), b.time)
            b.put(ws, r, 3, task)
            b.put(ws, r, 4, related)
            b.put(ws, r, 5, None)
            b.put(ws, r, 6, status)
            r += 1
    ws.set_column(0, 0, 12)
    ws.set_column(3, 3, 28)
    ws.freeze_panes(3, 0)


def weekly_sheet(b: Book, name="周计划表"):
    rows = []
    goals = [
        ("拜访重点客户", 5, [5, 4, 6, 5], "重点客户拜访 20 家"),
        ("新增商机", "2个", [2, 1, 3, 2], "新增商机 8 个"),
        ("回款(万元)", 30, [28, 32, 25, 31], "回款 120 万"),
    ]
    for w in range(4):
        for goal, target, actual, item in goals:
            rows.append(
                [
                    w + 1,
                    goal,
                    target,
                    actual[w],
                    item,
                    "王伟",
                    "周三 区域例会" if goal == "拜访重点客户" else None,
                ]
            )
    b.flat(
        b.sheet(name),
        "周计划表 — 2026年3月",
        ["周次", "目标项", "周目标", "实际完成", "月计划项", "负责人", "本周大事"],
        rows,
        widths={1: 14, 4: 18},
    )


def monthly_sheet(b: Book, name="月度计划"):
    rows = [
        ["销售额(万元)", "财务类", 60, 63.5, "王伟", 55, "华信二期签约", None],
        ["回款(万元)", "财务类", 120, 111, "王伟", 118, "万星欠款清收", "万星 2 月回款不足"],
        ["费用率", "财务类", "12%", "11.5%", "李娜", "12.5%", None, None],
        ["新增商机(个)", "市场类", 8, 9, "张强", 6, None, None],
        ["重点客户拜访(家)", "市场类", 20, 20, "王伟", 18, None, None],
        ["客户满意度", "形象类", "90%", "92%", "张强", "88%", None, None],
        ["团队培训(次)", "管理类", 2, 1, "李娜", 2, "渠道伙伴培训", None],
        ["周报按时率", "管理类", "100%", "100%", "王伟; 李娜", "95%", None, None],
    ]
    b.flat(
        b.sheet(name),
        "月度计划 — 华东区 2026年3月",
        ["指标", "类别", "目标", "实际", "负责人", "上期实际", "下月重点目标", "特别纪要"],
        rows,
        widths={0: 18, 6: 16, 7: 18},
    )


def worklog_sheet(b: Book, name="工作日志"):
    entries = [
        (2, "09:00", "11:00", "朗通", "需求调研", "确认二期范围"),
        (3, "14:00", "16:30", "华信", "方案汇报", "客户认可架构"),
        (4, "10:00", "11:00", "瑞丰", "电话回访", "暂无新需求"),
        (5, "14:30", "17:00", "朗通", "二期需求沟通", "下周报价"),
        (9, "09:30", "12:00", "泰岳", "方案评审", "需补充 SLA"),
        (10, "15:00", "16:00", "万星", "投诉处理", "已安排补发"),
        (11, "09:00", "10:30", "宏达", "初次拜访", "有意向"),
        (12, "10:00", "12:00", "华信", "高层拜访", "进入合同阶段"),
        (16, "14:00", "17:00", "海川", "技术交流", "确认堆场规模"),
        (17, "09:00", "10:00", "恒通", "电话沟通", "预算未批"),
        (19, "13:30", "15:30", "新源", "需求调研", "预计 4 月立项"),
        (23, "09:00", "11:30", "天成", "演示", "影像科满意"),
        (24, "14:00", "15:00", "益民", "初次拜访", "了解热线现状"),
        (26, "10:00", "12:00", "金桥", "商务谈判", "价格待定"),
    ]
    rows = [
        [
            dt.date(2026, 3, d),
            dt.datetime(1899, 12, 31, *map(int, s.split(":"))),
            dt.datetime(1899, 12, 31, *map(int, e.split(":"))),
            c,
            a,
            o,
        ]
        for d, s, e, c, a, o in entries
    ]
    b.flat(
        b.sheet(name),
        "工作日志 — 王伟 2026年3月",
        ["日期", "开始", "结束", "客户", "工作内容", "结果"],
        rows,
        fmts={0: b.date, 1: b.time, 2: b.time},
        widths={4: 14, 5: 16},
    )


def appraisal_book(path: Path):
    b = Book(path, "考核表")
    ws = b.sheet("考核导出")
    people = [
        ("王伟", "E001", 4, 5, 4, 5),
        ("李娜", "E002", 4, 4, 3, 4),
        ("张强", "E003", 3, 3, 4, 2),
        ("刘洋", "E004", 3, 4, 2, 4),
        ("周杰", "E005", 2, 2, 2, 2),
    ]
    indicators = [
        ("销售额", "财务类", 1_000_000, "越高越好", "40%"),
        ("回款率", "财务类", 0.95, "越高越好", "20%"),
        ("新客户数", "市场类", 10, "越高越好", "15%"),
        ("客户投诉", "形象类", 5, "越低越好", "10%"),
        ("报告及时率", "管理类", 1.0, "越高越好", "15%"),
    ]
    actual = {
        "王伟": [1_150_000, 0.97, 12, 2, 1.0],
        "李娜": [930_000, 0.92, 9, 4, 0.95],
        "张强": [820_000, 0.88, 11, 6, 0.9],
        "刘洋": [700_000, 0.9, 6, 3, 1.0],
        "周杰": [520_000, 0.75, 3, 9, 0.8],
    }
    rows = []
    for name, eid, pers, drive, ability, will in people:
        for i, (ind, klass, target, direction, weight) in enumerate(indicators):
            rows.append(
                [
                    name,
                    eid,
                    "华东大客户部",
                    "2026Q1",
                    ind,
                    klass,
                    target,
                    actual[name][i],
                    weight,
                    direction,
                    pers,
                    drive,
                    ability,
                    will,
                ]
            )
    b.flat(
        ws,
        "大客户主任考核表 2026 第一季度(HR 导出)",
        [
            "员工",
            "工号",
            "部门",
            "考核期间",
            "指标",
            "指标类别",
            "目标",
            "实际",
            "权重",
            "方向",
            "个性",
            "动力",
            "能力",
            "意愿",
        ],
        rows,
        widths={2: 14},
    )
    b.close()


def regional_plan(path: Path, month: int, full: bool):
    b = Book(path, f"华东区 2026年{month}月 计划")
    customers_sheet(b, month)
    receivables_sheet(b, month)
    pnl_sheet(b, month)
    if full:
        activities_sheet(b)
        calendar_sheet(b)
        todo_sheet(b)
        weekly_sheet(b)
        monthly_sheet(b)
        worklog_sheet(b)
        readme = b.sheet("说明")
        readme.write_string(0, 0, "本工作簿为华东区三月计划评审材料,由王伟整理。")
    b.close()


def other_region(path: Path, month: int, region: Region):
    """A plan of another region: the customer assessment, receivables plan and P&L of one month."""
    b = Book(path, f"{region.name} 2026年{month}月 计划", author=region.author)
    customers_sheet(b, month, region=region)
    receivables_sheet(b, month, region=region)
    pnl_sheet(b, month, region=region)
    b.close()


def english_plan(path: Path):
    b = Book(path, "East region plan, March 2026")
    customers_sheet(b, 3, name="Customers", english=True)
    receivables_sheet(b, 3, english=True, name="Receivables")
    pnl_sheet(b, 3, english=True, name="P&L")
    b.close()


# -- the course's planning forms: competitors, SWOT, targets breakdown, plan review ------------------
COMPETITORS = [
    [
        "远大科技",
        "A型机、运维服务",
        "高于我方 5%",
        "直销 + 两家代理",
        "顾问式",
        "7×24 热线",
        "与朗通高层关系深",
        "交付周期长",
        "朗通、华信",
        "3月在华信做免费试用",
    ],
    [
        "联创",
        "B型机",
        "低于我方 10%",
        "代理为主",
        "电话 + 拜访",
        "响应慢",
        "价格低",
        "售后网点少",
        "泰岳;万星",
        "3月起对泰岳降价 8%",
    ],
    ["中科信", "定制系统", "持平", "直销", "项目制", "驻场", "行业方案全", "产品线窄", "天成", None],
]


def competitors_sheet(b: Book, name="竞争对手信息表"):
    b.flat(
        b.sheet(name),
        "竞争对手信息表 — 华东区 2026年3月",
        [
            "竞争对手",
            "主要产品",
            "价格水平",
            "渠道运作",
            "销售模式",
            "服务状态",
            "优势",
            "劣势",
            "争夺客户",
            "竞争者动向",
        ],
        COMPETITORS,
        widths={1: 16, 2: 12, 3: 16, 6: 16, 7: 12, 8: 12, 9: 20},
    )


def swot_sheet(b: Book, name="SWOT分析"):
    ws = b.sheet(name)
    ws.write_string(0, 0, "SWOT分析 — 华东区 2026年", b.title)
    quadrants = [
        (2, 0, "优势(S)", "产品质量稳定,返修率低于 1%\n老客户关系好(朗通、华信)\n本地服务团队 12 人"),
        (2, 1, "劣势(W)", "交货周期比对手长 2 周\n中小客户覆盖不足"),
        (5, 0, "机会(O)", "新区工业园 4 月开工\n政府采购向本地厂商倾斜"),
        (5, 1, "威胁(T)", "联创对泰岳降价 8%\n远大科技在华信免费试用"),
    ]
    for row, col, label, text in quadrants:
        ws.write_string(row, col, label, b.head)
        ws.write_string(row + 1, col, text, b.cell)
        ws.set_row(row + 1, 60)
    ws.write_string(8, 0, "具体行动趋向", b.head)
    ws.write_string(9, 0, "守住朗通、华信:二季度前完成续约", b.cell)
    ws.write_string(10, 0, "抢园区首批项目:4 月组织园区推介会", b.cell)
    ws.write_string(11, 0, "对泰岳以服务换价格,不跟降价", b.cell)
    ws.set_column(0, 1, 44)


TARGET_ROWS = [
    ["产品A", "朗通", [130000, 130000, 135000]],
    ["产品A", "华信", [110000, 115000, 120000]],
    ["产品A", "其他客户", [190000, 197000, 200000]],
    ["产品B", "泰岳", [60000, 56000, 70000]],
    ["产品B", "其他客户", [115000, 110000, 120000]],
]


def targets_sheet(b: Book, name="营销目标及分解"):
    ws = b.sheet(name)
    ws.write_string(0, 0, "营销目标及分解 — 华东区 2026年第一季度", b.title)
    headers = ["产品", "市场/客户", "1月", "2月", "3月", "全年目标"]
    for c, h in enumerate(headers):
        ws.write_string(2, c, h, b.head)
    for i, (product, market, months) in enumerate(TARGET_ROWS):
        r = 3 + i
        b.put(ws, r, 0, product)
        b.put(ws, r, 1, market)
        for c, value in enumerate(months, 2):
            b.put(ws, r, c, value)
        ws.write_formula(r, 5, f"=SUM(C{r + 1}:E{r + 1})", b.money, sum(months))
    last = 3 + len(TARGET_ROWS)
    ws.write_string(last, 0, "合计", b.total)
    for c in range(2, 6):
        col = "CDEF"[c - 2]
        cached = (
            sum(row[2][c - 2] for row in TARGET_ROWS) if c < 5 else sum(sum(row[2]) for row in TARGET_ROWS)
        )
        ws.write_formula(last, c, f"=SUM({col}4:{col}{last})", b.total, cached)
    ws.set_column(0, 1, 12)
    ws.set_column(2, 5, 11)


REVIEW_ROWS = [
    ["销售额(万元)", 60, 63.5, 14, 16.5, 15, 18, "达成", "华信二期签约"],
    ["回款(万元)", 120, 111, 25, 30, 28, 28, "万星回款不足", "万星欠款清收"],
    ["新增商机(个)", 8, 9, 2, 3, 2, 2, "达成", None],
    ["重点客户拜访(家)", 20, 17, 5, 4, 4, 4, "泰岳、万星各少一次", "补齐泰岳拜访"],
]


def review_sheet(b: Book, name="月度计划审查"):
    ws = b.sheet(name)
    ws.write_string(0, 0, "月度计划审查 — 华东区 2026年3月", b.title)
    headers = [
        "考核项目",
        "月目标",
        "实际完成",
        "第1周",
        "第2周",
        "第3周",
        "第4周",
        "考核达成情况",
        "下月重点目标",
    ]
    for c, h in enumerate(headers):
        ws.write_string(2, c, h, b.head)
    for i, row in enumerate(REVIEW_ROWS):
        for c, value in enumerate(row):
            b.put(ws, 3 + i, c, value, b.num if isinstance(value, float) else None)
    below = 3 + len(REVIEW_ROWS) + 1
    ws.write_string(below, 0, "特别纪要:", b.head)
    ws.write_string(below + 1, 0, "联创对泰岳降价 8%,4 月初与泰岳采购部面谈,以服务条款应对。", b.text)
    ws.write_string(below + 2, 0, "万星 2 月、3 月回款均不足,已报财务部,4 月起按周跟进。", b.text)
    ws.set_column(0, 0, 18)
    ws.set_column(7, 8, 18)


def strategy_book(path: Path):
    """The four planning forms, the customers and March P&L of 华东区: shown, not filed, by the demo."""
    b = Book(path, "华东区 2026年 竞争、SWOT、目标与计划审查")
    customers_sheet(b, 3)
    competitors_sheet(b)
    swot_sheet(b)
    targets_sheet(b)
    review_sheet(b)
    pnl_sheet(b, 3)
    b.close()


def single_forms(folder: Path):
    for form, builder in (
        ("customers", lambda b: customers_sheet(b, 3)),
        ("receivables", lambda b: receivables_sheet(b, 3)),
        ("pnl", lambda b: pnl_sheet(b, 3)),
        ("activities", activities_sheet),
        ("calendar", calendar_sheet),
        ("todo", todo_sheet),
        ("weekly", weekly_sheet),
        ("monthly", monthly_sheet),
        ("worklog", worklog_sheet),
        ("competitors", competitors_sheet),
        ("swot", swot_sheet),
        ("targets", targets_sheet),
        ("review", review_sheet),
    ):
        b = Book(folder / f"form-{form}.xlsx", form)
        builder(b)
        b.close()
    appraisal_book(folder / "form-appraisal.xlsx")


def main():
    for month in (1, 2, 3):
        regional_plan(SAMPLES / f"east-2026-{month:02d}.xlsx", month, full=(month == 3))
    for stem, region in (("south", SOUTH), ("northwest", NORTHWEST)):
        for month in (1, 2, 3):
            other_region(SAMPLES / f"{stem}-2026-{month:02d}.xlsx", month, region)
    english_plan(SAMPLES / "east-2026-03-en.xlsx")
    single_forms(SAMPLES)
    strategy_book(SAMPLES / "strategy-east-2026.xlsx")
    appraisal_book(SAMPLES / "hr-appraisal-2026q1.xlsx")


if __name__ == "__main__":
    main()
