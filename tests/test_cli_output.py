"""The command line's whole output, compared exactly with the files in tests/data/cli/.

A substring test passes while a column slips, a line doubles or a message
loses its cell; comparing the whole output (exit status, stdout and stderr)
catches those. What changes from run to run is replaced by a placeholder,
not left out: the temporary folder by <TMP>, the repository by <ROOT>,
seconds by <S>. Spaces at the ends of lines (rich pads its table cells) are
dropped, since editors and pre-commit hooks drop them from the expected files.

When an output changes on purpose, rewrite the expected files and read the diff:

    UPDATE_GOLDEN=1 python -m pytest tests/test_cli_output.py && git diff tests/data/cli
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from kamxl.cli import main
from tests.conftest import ROOT, SAMPLES

GOLDEN = Path(__file__).resolve().parent / "data" / "cli"
AS_OF = "2026-03-31"  # the samples' own review date (defaults.toml demo.as_of)
# A fixed, wide, colourless terminal whatever the machine's: rich and click size their output from these.
ENVIRONMENT = {
    "COLUMNS": "100",
    "LINES": "50",
    "NO_COLOR": "1",
    "FORCE_COLOR": None,
    "TTY_COMPATIBLE": None,
    "TTY_INTERACTIVE": None,
}
# Every command and the first line of its help; a new command fails here until it is added.
USAGE = {
    "": "Usage: kamxl [OPTIONS] COMMAND [ARGS]...",
    "demo": "Usage: kamxl demo [OPTIONS]",
    "process": "Usage: kamxl process [OPTIONS] PATHS...",
    "watch": "Usage: kamxl watch [OPTIONS] INBOX",
    "appraisal": "Usage: kamxl appraisal [OPTIONS] PATH",
    "check": "Usage: kamxl check [OPTIONS] PATHS...",
    "template": "Usage: kamxl template [OPTIONS] [FORMS]...",
    "rollup": "Usage: kamxl rollup [OPTIONS] [PATHS]...",
}


def kamxl(*args: str) -> Result:
    return CliRunner(env=ENVIRONMENT).invoke(main, list(args), prog_name="kamxl")


def normalised(text: str, tmp_path: Path) -> str:
    """The output with what differs between runs replaced by placeholders."""
    text = text.replace(str(tmp_path.resolve()), "<TMP>").replace(str(tmp_path), "<TMP>")
    text = text.replace(str(ROOT), "<ROOT>")
    text = re.sub(r"\b\d+\.\d+ s\b", "<S> s", text)
    return "\n".join(line.rstrip() for line in text.split("\n"))


def transcript(args: list[str], result: Result, tmp_path: Path) -> str:
    """The command, its exit status, stdout and stderr as one text."""
    return normalised(
        f"$ kamxl {' '.join(args)}\n"
        f"exit {result.exit_code}\n"
        f"--- stdout\n{result.stdout}"
        f"--- stderr\n{result.stderr}",
        tmp_path,
    )


def assert_output(name: str, args: list[str], tmp_path: Path) -> None:
    result = kamxl(*args)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    actual = transcript(args, result, tmp_path)
    expected_file = GOLDEN / f"{name}.txt"
    if os.environ.get("UPDATE_GOLDEN"):
        expected_file.parent.mkdir(parents=True, exist_ok=True)
        expected_file.write_text(actual, encoding="utf-8")
    expected = expected_file.read_text(encoding="utf-8")
    assert actual == expected, f"output differs from {expected_file} (UPDATE_GOLDEN=1 rewrites it)"


def test_check_a_sample(tmp_path):
    assert_output("check-sample", ["check", str(SAMPLES / "east-2026-03.xlsx")], tmp_path)


def test_check_a_text_file_named_xlsx(tmp_path):
    broken = tmp_path / "plan.xlsx"
    broken.write_text("客户,总欠款\n朗通,1200\n", encoding="utf-8")
    assert_output("check-broken", ["check", str(broken)], tmp_path)
    assert_output("check-broken-en", ["check", "--lang", "en", str(broken)], tmp_path)


def test_process_one_sample(tmp_path):
    args = ["process", str(SAMPLES / "east-2026-03.xlsx"), "--out", str(tmp_path / "out")]
    assert_output("process-sample", args + ["--no-history", "--as-of", AS_OF], tmp_path)


def test_process_two_files_one_line_each(tmp_path):
    """Off a terminal, several files print one plain line each (with seconds) before the table."""
    broken = tmp_path / "notes.xlsx"
    broken.write_bytes(b"")
    files = [str(SAMPLES / "form-customers.xlsx"), str(broken)]
    args = [
        "process",
        *files,
        "--out",
        str(tmp_path / "out"),
        "--no-history",
        "--as-of",
        AS_OF,
        "--jobs",
        "1",
    ]
    assert_output("process-two-files", args, tmp_path)


def test_appraisal_of_the_hr_sample(tmp_path):
    args = ["appraisal", str(SAMPLES / "hr-appraisal-2026q1.xlsx"), "--out", str(tmp_path / "hr")]
    assert_output("appraisal-sample", args, tmp_path)


def test_usage_lines_cover_every_command():
    assert set(USAGE) - {""} == set(main.commands)


@pytest.mark.parametrize("command", list(USAGE))
def test_help_on_every_command(command):
    result = kamxl(*([command] if command else []), "--help")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == USAGE[command]
    assert result.stderr == ""
