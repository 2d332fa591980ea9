"""kamxl's speed against the fastest floor and the usual pandas + openpyxl script, in the same run.

    python bench/run.py            # 20k and 100k rows, 20k opportunities, 50k to-dos, 200 workbooks
    python bench/run.py --quick    # small sizes: checks that everything runs (the test suite runs this)

For each generated input (deterministic, in the course's layouts) it times
`kamxl process` as a user runs it (a fresh process, median of 3) with its
peak memory, the floor (python-calamine reading the same file + xlsxwriter
`constant_memory` writing the same cells) and the naive baseline
(`pandas.read_excel` + `DataFrame.to_excel`, both with openpyxl), and prints
the ratios. Timings are printed, never asserted.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import xlsxwriter

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SAMPLE = ROOT / "sample_workbooks" / "east-2026-03.xlsx"
MONTHS = ["一月", "二月", "三月", "四月", "五月", "六月", "七月", "八月", "九月", "十月", "十一月", "十二月"]
CUSTOMERS = [
    "朗通",
    "泰岳",
    "万星",
    "华信",
    "远航",
    "金桥",
    "瑞丰",
    "新源",
    "恒通",
    "博雅",
    "天成",
    "宏达",
    "益民",
    "海川",
]
OWNERS = ["王伟", "李娜", "张强", "赵敏", "陈刚"]


# ------------------------------------------------------------------ inputs ---
def receivables(path: Path, rows: int, seed: int = 1) -> Path:
    """应收帐款规划表: customer, product, owner, 12 × (计划, 实收), 总欠款 — three months of actuals."""
    rnd = random.Random(seed)
    wb = xlsxwriter.Workbook(path, {"constant_memory": True})
    ws = wb.add_worksheet("应收帐款规划表")
    ws.write_string(0, 0, "应收帐款规划表 — 全国汇总 2026 年度")
    ws.write_row(2, 0, ["客户", "产品", "负责人"] + [m for m in MONTHS for _ in (0, 1)] + ["总欠款"])
    ws.write_row(3, 0, ["", "", ""] + ["计划", "实收"] * 12 + [""])
    for i in range(rows):
        plan = rnd.randrange(5, 60) * 1000
        actual = [round(plan * rnd.uniform(0.6, 1.1), -2) for _ in range(3)]
        row = [f"{rnd.choice(CUSTOMERS)}{i // 14:05d}", f"产品{'AB'[i % 2]}", rnd.choice(OWNERS)]
        for m in range(12):
            row += [plan, actual[m] if m < 3 else None]
        row.append(plan * 12)
        ws.write_row(4 + i, 0, row)  # None: left empty
    wb.close()
    return path


def customers(path: Path, rows: int, seed: int = 2) -> Path:
    """客户价值评估: one row per opportunity with scores, order size, likelihood, amount."""
    rnd = random.Random(seed)
    wb = xlsxwriter.Workbook(path, {"constant_memory": True})
    ws = wb.add_worksheet("客户价值评估")
    ws.write_row(
        0,
        0,
        ["客户", "负责人", "项目", "客户吸引力", "我们的优势", "订单量", "成交可能性", "项目金额", "状态"],
    )
    for i in range(rows):
        ws.write_row(
            1 + i,
            0,
            [
                f"客户{i:06d}",
                rnd.choice(OWNERS),
                f"项目{i % 97}",
                round(rnd.uniform(1, 5), 1),
                round(rnd.uniform(1, 5), 1),
                rnd.choice(["超额", "重要", "部分", "微小"]),
                rnd.choice(["本月内", "考核期内", "更长期", "有意向"]),
                rnd.randrange(10, 500) * 1000,
                rnd.choice(["进行中"] * 8 + ["赢单", "丢单"]),
            ],
        )
    wb.close()
    return path


def todo(path: Path, rows: int, seed: int = 3) -> Path:
    """地区经理日工作待办单 exported as one long list: date, category, start, end, task, related, status."""
    import datetime as dt

    rnd = random.Random(seed)
    wb = xlsxwriter.Workbook(path, {"constant_memory": True})
    ws = wb.add_worksheet("日工作待办单")
    ws.write_row(0, 0, ["日期", "类别", "开始", "结束", "工作内容", "相关", "完成情况"])
    date_fmt, time_fmt = wb.add_format({"num_format": "yyyy-mm-dd"}), wb.add_format({"num_format": "hh:mm"})
    for i in range(rows):
        start = rnd.randrange(16, 36) / 4  # 8:00 … 17:45, in quarter hours
        ws.write_datetime(1 + i, 0, dt.datetime(2026, 3, 1) + dt.timedelta(days=i % 31), date_fmt)
        ws.write_string(1 + i, 1, rnd.choice(["M1", "M2", "M3", "M4"]))
        ws.write_number(1 + i, 2, start / 24, time_fmt)
        ws.write_number(1 + i, 3, (start + rnd.choice([0.5, 1, 1.5, 2])) / 24, time_fmt)
        ws.write_row(1 + i, 4, [f"拜访客户{i % 500}", rnd.choice(CUSTOMERS), rnd.choice(["完成", "未完成"])])
    wb.close()
    return path


def folder(path: Path, count: int) -> Path:
    """A month's drop: ``count`` small regional workbooks like the samples."""
    path.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        shutil.copy(SAMPLE, path / f"region{i:03d}-2026-03.xlsx")
    return path


# ----------------------------------------------------------------- timings ---
def run(cmd: list[str], env: dict | None = None) -> tuple[float, float]:
    """(seconds, peak RSS in MB) of a command in a fresh process."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}): {err[-500:]}")
    return seconds, usage.ru_maxrss / 1024


def median(cmd: list[str], repeat: int, env: dict | None = None) -> tuple[float, float]:
    runs = [run(cmd, env) for _ in range(repeat)]
    return statistics.median(r[0] for r in runs), max(r[1] for r in runs)


FLOOR = """
import sys, python_calamine, xlsxwriter
src, dst = sys.argv[1:3]
book = python_calamine.CalamineWorkbook.from_path(src)
wb = xlsxwriter.Workbook(dst, {"constant_memory": True})
for name in book.sheet_names:
    rows = book.get_sheet_by_name(name).to_python()
    ws = wb.add_worksheet(name[:31])
    for r, row in enumerate(rows):
        for c, v in enumerate(row):
            if v == "" or v is None:
                continue
            if isinstance(v, str):
                ws.write_string(r, c, v)
            elif isinstance(v, (int, float)):
                ws.write_number(r, c, v)
            else:
                ws.write(r, c, v)
wb.close()
"""

NAIVE = """
import sys, pandas as pd
src, dst = sys.argv[1:3]
sheets = pd.read_excel(src, sheet_name=None, engine="openpyxl", header=None)
with pd.ExcelWriter(dst, engine="openpyxl") as w:
    for name, df in sheets.items():
        df.to_excel(w, sheet_name=name[:31], index=False, header=False)
"""


def kamxl_cmd(src: Path, out: Path, *extra: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "kamxl",
        "process",
        str(src),
        "--out",
        str(out),
        "--as-of",
        "2026-03-31",
        "--no-history",
        *extra,
    ]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--quick", action="store_true", help="small inputs, one repeat: checks that the bench runs"
    )
    ap.add_argument("--keep", type=Path, help="keep the generated inputs and outputs in this folder")
    args = ap.parse_args()
    repeat = 1 if args.quick else 3
    sizes = {
        "receivables 20k": 20_000,
        "receivables 100k": 100_000,
        "customers 20k": 20_000,
        "to-do 50k": 50_000,
        "folder": 200,
    }
    if args.quick:
        sizes = {
            "receivables 20k": 500,
            "receivables 100k": 1_000,
            "customers 20k": 500,
            "to-do 50k": 500,
            "folder": 6,
        }
    work = args.keep or Path(tempfile.mkdtemp(prefix="kamxl-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    try:
        inputs = {
            "receivables 20k": receivables(work / "receivables-20k.xlsx", sizes["receivables 20k"]),
            "receivables 100k": receivables(work / "receivables-100k.xlsx", sizes["receivables 100k"]),
            "customers 20k": customers(work / "customers-20k.xlsx", sizes["customers 20k"]),
            "to-do 50k": todo(work / "todo-50k.xlsx", sizes["to-do 50k"]),
        }
        print(
            f"{'input':<18}{'rows':>8}{'kamxl s':>9}{'peak MB':>9}{'floor s':>9}{'naive s':>9}"
            f"{'k/floor':>9}{'k/naive':>9}"
        )
        for name, src in inputs.items():
            out = work / f"out-{src.stem}"
            k, mem = median(kamxl_cmd(src, out), repeat, env)
            floor, _ = median([sys.executable, "-c", FLOOR, str(src), str(work / "floor.xlsx")], repeat, env)
            naive, _ = median([sys.executable, "-c", NAIVE, str(src), str(work / "naive.xlsx")], 1, env)
            print(
                f"{name:<18}{sizes[name]:>8,}{k:>9.2f}{mem:>9.0f}{floor:>9.2f}{naive:>9.2f}"
                f"{k / floor:>9.2f}{k / naive:>9.2f}",
                flush=True,
            )
        drop = folder(work / "drop", sizes["folder"])
        one, _ = median(kamxl_cmd(drop, work / "out-drop-1", "--jobs", "1"), repeat, env)
        two, _ = median(kamxl_cmd(drop, work / "out-drop-2", "--jobs", "2"), repeat, env)
        print(
            f"\nfolder of {sizes['folder']} workbooks: 1 core {one:.2f} s, 2 cores {two:.2f} s, "
            f"speed-up {one / two:.2f}×"
        )
        help_s, _ = median([sys.executable, "-m", "kamxl", "--help"], max(repeat, 3), env)
        print(f"kamxl --help: {help_s:.3f} s")
        per_file = _watch_per_file(work, 3 if args.quick else 10)
        print(f"watch mode, combined sample, per workbook after start-up: {per_file:.3f} s")
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    return 0


def _watch_per_file(work: Path, count: int) -> float:
    """Seconds per workbook with imports paid once: the watcher's worker, timed in-process."""
    sys.path.insert(0, str(ROOT))
    from kamxl.config import load_settings
    from kamxl.pipeline import process

    settings = load_settings()
    out = work / "out-watch"
    process(SAMPLE, out, settings)  # warm up: imports, caches
    started = time.perf_counter()
    for i in range(count):
        process(SAMPLE, out, settings, stem=f"w{i}")
    return (time.perf_counter() - started) / count


if __name__ == "__main__":
    sys.exit(main())
