"""The command line as a user runs it: exit codes, JSON, help on every command."""

from __future__ import annotations

import json
import subprocess
import sys

import click
import pytest
from click.testing import CliRunner

from kamxl import __version__
from kamxl.cli import main
from tests.conftest import CORPUS


@pytest.fixture()
def runner():
    return CliRunner()


def test_version(runner):
    result = runner.invoke(main, ["--version"])
    assert result.exit_code == 0 and __version__ in result.output


@pytest.mark.parametrize(
    "command", [[], ["check"], ["template"], ["process"], ["demo"], ["appraisal"], ["watch"]]
)
def test_help_on_every_command(runner, command):
    result = runner.invoke(main, command + ["--help"])
    assert result.exit_code == 0 and "Usage" in result.output


@pytest.mark.parametrize("name", sorted(main.commands))
def test_every_command_explains_itself_and_every_option(runner, name):
    """A description a user can act on, and a help text for every option, shown in --help."""
    command = main.commands[name]
    assert command.help and len(command.help.split()) >= 10, name
    short = command.get_short_help_str(limit=65)  # as `kamxl --help` lists the commands
    assert short.endswith(".") and not short.endswith("..."), "the first sentence is shown whole"
    result = runner.invoke(main, [name, "--help"])
    for param in command.params:
        if isinstance(param, click.Option):
            assert param.help, f"{name} {param.opts[0]} has no help text"
            assert param.opts[-1] in result.output, param.opts


def test_python_dash_m(tmp_path):
    out = subprocess.run([sys.executable, "-m", "kamxl", "--version"], capture_output=True, text=True)
    assert out.returncode == 0 and __version__ in out.stdout


def test_check_exit_codes(runner, tmp_path):
    template = runner.invoke(main, ["template", "customers", "--out", str(tmp_path)])
    assert template.exit_code == 0
    good = runner.invoke(main, ["check", str(tmp_path / "customers.xlsx")])
    assert good.exit_code == 0, good.output
    bad = runner.invoke(main, ["check", str(CORPUS / "synthetic/csv_text_named.xlsx")])
    assert bad.exit_code == 1 and "not_a_spreadsheet" in bad.output and "Traceback" not in bad.output
    usage = runner.invoke(main, ["check"])
    assert usage.exit_code == 2
    unknown = runner.invoke(main, ["template", "nonsense", "--out", str(tmp_path)])
    assert unknown.exit_code == 2


def test_check_json_lists_sheets_forms_and_issues(runner, tmp_path):
    runner.invoke(main, ["template", "receivables", "todo", "--out", str(tmp_path)])
    result = runner.invoke(main, ["check", "--json", str(tmp_path)])
    data = json.loads(result.output)
    assert [(d["sheets"][0]["form"], d["sheets"][0]["rows"]) for d in data] == [
        ("receivables", 1),
        ("todo", 1),
    ]
    assert all(d["issues"] == [] for d in data)


def test_check_in_english(runner):
    result = runner.invoke(main, ["check", "--lang", "en", str(CORPUS / "poi/protect.xlsx")])
    assert result.exit_code == 1 and "password-protected" in result.output


def test_config_errors_name_the_key(runner, tmp_path):
    cfg = tmp_path / "my.toml"
    cfg.write_text("[tier]\nhigh_treshold = 3.5\n", encoding="utf-8")
    result = runner.invoke(main, ["check", "--config", str(cfg), str(CORPUS / "poi/protect.xlsx")])
    assert result.exit_code == 2 and "tier.high_treshold" in result.output


def test_user_aliases_extend_the_defaults(runner, tmp_path):
    import openpyxl

    cfg = tmp_path / "my.toml"
    cfg.write_text('[forms.customers.fields]\ncustomer = ["经销商"]\n', encoding="utf-8")
    wb = openpyxl.Workbook()
    wb.active.append(["经销商", "订单量"])
    wb.active.append(["朗通", "超额"])
    wb.save(tmp_path / "dealers.xlsx")
    result = runner.invoke(main, ["check", "--json", "--config", str(cfg), str(tmp_path / "dealers.xlsx")])
    assert json.loads(result.output)[0]["sheets"][0]["form"] == "customers"


def test_folders_skip_lock_files(runner, tmp_path):
    (tmp_path / "~$plan.xlsx").write_bytes(b"\x05owner")
    runner.invoke(main, ["template", "weekly", "--out", str(tmp_path)])
    result = runner.invoke(main, ["check", "--json", str(tmp_path)])
    assert [d["file"].rsplit("/", 1)[-1] for d in json.loads(result.output)] == ["weekly.xlsx"]


@pytest.mark.slow
def test_demo_processes_the_samples_and_says_where_to_look(runner, tmp_path):
    from tests.conftest import SAMPLES

    out = tmp_path / "kamxl-output"
    result = runner.invoke(main, ["demo", "--out", str(out)])
    assert result.exit_code == 0, result.output
    samples = sorted(p.stem for p in SAMPLES.glob("*.xlsx"))
    for stem in samples:
        # an HR export becomes appraisal forms; every other sample a report workbook and its summary
        suffixes = (
            (".appraisal.xlsx", ".appraisal.json")
            if "appraisal" in stem
            else (".kamxl.xlsx", ".summary.md", ".summary.html")
        )
        for suffix in suffixes + (".report.json",):
            assert (out / (stem + suffix)).is_file(), stem + suffix
    assert str(out.resolve() / "east-2026-03.kamxl.xlsx") in result.output
    assert str(out.resolve() / "east-2026-03.summary.html") in result.output
    # reviewed as of the samples' own date: March's receivables are to date, not overdue by November
    report = json.loads((out / "east-2026-03.report.json").read_text("utf-8"))
    assert report["as_of"] == "2026-03-31" and report["receivables"]["last_month"] == 3
    # the roll-up counts each region once: the English copy of 华东区 and the one-form samples are not regions
    rollup = json.loads((out / "org-2026-03.rollup.json").read_text("utf-8"))
    assert sorted(region["region"] for region in rollup["regions"]) == ["华东区", "华南区", "西北区"]
    assert sorted(row["region"] for row in rollup["completeness"]) == ["华东区", "华南区", "西北区"]
    # each month reviewed as of its own month's end, and so filed on time: January is not late
    january = json.loads((out / "east-2026-01.report.json").read_text("utf-8"))
    assert january["as_of"] == "2026-01-31" and january["receivables"]["last_month"] == 1
    assert "评审日期 2026-02-28" in (out / "south-2026-02.summary.md").read_text("utf-8")
    assert runner.invoke(main, ["rollup", "--out", str(out), "--period", "2026-01"]).exit_code == 0
    first = json.loads((out / "org-2026-01.rollup.json").read_text("utf-8"))
    assert [(row["as_of"], row["late"]) for row in first["completeness"]] == [("2026-01-31", False)] * 3


@pytest.mark.parametrize(
    ("stem", "as_of"),
    [
        ("east-2026-01", "2026-01-31"),
        ("south-2026-02", "2026-02-28"),  # not a leap year
        ("northwest-2026-03", "2026-03-31"),
        ("east-2024-02", "2024-02-29"),
        ("east-2026-12", "2026-12-31"),
        ("east-2026-13", "2026-03-31"),  # no such month: the demo's date
    ],
)
def test_a_regional_sample_is_reviewed_as_of_its_months_end(settings, stem, as_of):
    import datetime as dt
    import re

    from kamxl.cli import _month_end_of

    regional = re.compile(settings.get("demo.regional_pattern"))
    assert _month_end_of(stem, regional, dt.date(2026, 3, 31)) == dt.date.fromisoformat(as_of)


def test_the_demo_runs_each_month_as_of_its_end_the_earliest_first(settings, tmp_path, monkeypatch):
    """January's workbooks on 2026-01-31 and filed first, then February's, then March's; the one-form
    samples, the English copy and the HR export on the demo's date, not filed."""
    import datetime as dt
    from pathlib import Path

    import kamxl.cli as cli

    calls = []
    monkeypatch.setattr(
        cli,
        "_run",
        lambda files, out, s, as_of, debug, history, *rest: calls.append((files, as_of, history)) or [],
    )
    names = ["east-2026-03", "east-2026-01", "form-pnl", "south-2026-01", "east-2026-02", "east-2026-03-en"]
    history = tmp_path / "history.sqlite"
    cli._run_demo(
        [Path(f"{name}.xlsx") for name in names], tmp_path, settings, dt.date(2026, 3, 31), False, history, 1
    )
    assert [
        ([path.stem for path in files], str(as_of), kept is not None) for files, as_of, kept in calls
    ] == [
        (["east-2026-01", "south-2026-01"], "2026-01-31", True),
        (["east-2026-02"], "2026-02-28", True),
        (["east-2026-03"], "2026-03-31", True),
        (["form-pnl", "east-2026-03-en"], "2026-03-31", False),
    ]


@pytest.mark.slow
def test_demo_in_english_points_at_the_english_sample(runner, tmp_path):
    result = runner.invoke(main, ["demo", "--out", str(tmp_path), "--lang", "en"])
    assert result.exit_code == 0
    assert "east-2026-03-en.summary.html" in result.output and "Start with" in result.output
