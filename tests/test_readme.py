"""The README tells the truth: its two commands, its generated help, its example code and pictures.

The Commands section is generated with cog (`cog -r README.md`). The test
re-runs the same generators itself and compares, so it needs no cog
installed; UPDATE_GOLDEN=1 rewrites the generated parts in place, as
`cog -r README.md` does.
"""

from __future__ import annotations

import os
import re
import textwrap
import types

import pytest

from kamxl.cli import main
from kamxl.config import load_settings
from tests.conftest import ROOT

README = ROOT / "README.md"
# What a new user copies first; .ci/run runs the second line.
COMMANDS = [
    "python3 -m venv .venv && . .venv/bin/activate && pip install -e . && kamxl demo",
    'python3 -m venv .venv && . .venv/bin/activate && pip install -e ".[test]" && python -m pytest -q',
]
# Files the README links to that another branch of the same change writes; empty this once they are in.
WRITTEN_ELSEWHERE = {
    "CONTRIBUTING.md",
    "docs/method.md",
    "docs/forms.md",
    "docs/report-json.md",
    "docs/issue-codes.md",
}
# A cog block as the README writes it: the generator between its markers, then its output.
COG_BLOCK = re.compile(
    r"(?P<start><!-- \[\[\[cog(?P<code>.*?)\]\]\] -->\n)(?P<output>.*?)(?P<end><!-- \[\[\[end\]\]\] -->)",
    re.DOTALL,
)


def rendered(text: str) -> str:
    """The README with every cog block's output generated afresh (globals shared, as in cog)."""
    namespace: dict[str, object] = {}
    pieces: list[str] = []

    def render(match: re.Match[str]) -> str:
        pieces.clear()
        cog = types.SimpleNamespace(out=pieces.append, outl=lambda line="": pieces.append(line + "\n"))
        namespace["cog"] = cog
        code = textwrap.dedent(match["code"].strip("\n")).strip() + "\n"
        exec(compile(code, f"{README} (cog block)", "exec"), namespace)
        output = "".join(pieces)
        if output and not output.endswith("\n"):
            output += "\n"
        return match["start"] + output + match["end"]

    return COG_BLOCK.sub(render, text)


def readme() -> str:
    return README.read_text(encoding="utf-8")


def fenced_blocks(text: str, language: str) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```$", text, re.DOTALL | re.MULTILINE)


def section(text: str, heading: str) -> str:
    start = text.index(f"\n## {heading}\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else None]


def test_the_first_lines_are_the_two_commands():
    lines = readme().splitlines()
    assert lines[:6] == ["# kamxl", "", "```bash", COMMANDS[0], COMMANDS[1], "```"]


def test_the_commands_section_is_generated_from_the_help():
    text = readme()
    current = rendered(text)
    if os.environ.get("UPDATE_GOLDEN") and current != text:
        README.write_text(current, encoding="utf-8")
        text = current
    assert current == text, "README.md's generated help is stale: run `cog -r README.md`"


def test_every_command_has_its_help_in_the_readme():
    text = readme()
    shown = re.findall(r"^\$ kamxl (?:(\S+) )?--help$", text, re.MULTILINE)
    assert sorted(shown) == sorted(["", *main.commands])
    # cog's markers come after the two commands, never before them
    assert text.index("[[[cog") > text.index(COMMANDS[1])


def test_cog_itself_agrees():
    """Where cog is installed, its own check passes too (the block is written the way cog reads it)."""
    cogapp = pytest.importorskip("cogapp")
    assert cogapp.Cog().main(["cog", "--check", str(README)]) == 0


def test_the_python_example_runs(tmp_path, monkeypatch, capsys):
    (example,) = fenced_blocks(section(readme(), "Python API"), "python")
    monkeypatch.chdir(tmp_path)
    exec(compile(example, "README.md (Python API)", "exec"), {"__name__": "readme_example"})
    printed = capsys.readouterr().out
    assert "客户价值评估 customers 3 14" in printed
    assert "east-2026-03.kamxl.xlsx" in printed and "0 errors," in printed
    assert (tmp_path / "kamxl-output" / "east-2026-03.summary.html").is_file()


def test_the_configuration_example_loads(tmp_path):
    (example,) = fenced_blocks(section(readme(), "Configuration"), "toml")
    config = tmp_path / "my.toml"
    config.write_text(example, encoding="utf-8")
    settings = load_settings(config, lang="en")
    assert settings.get("tier.high_threshold") == 3.5
    aliases = settings.get("forms.customers.fields.customer")
    assert aliases[0] == "经销商" and "客户" in aliases
    assert settings.label("ui.file_done") == "ok"
    assert load_settings(config).label("ui.file_done") == "完成"


def test_the_pictures_are_there_and_small():
    images = re.findall(r"!\[[^\]]*\]\(([^)]+\.png)\)", readme())
    assert len(images) >= 2
    for image in images:
        path = ROOT / image
        assert path.is_file(), image
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert path.stat().st_size <= 250_000, f"{image} is too heavy for a README"


def test_the_readme_cites_only_what_the_repository_has():
    text = readme()
    team = "../" + "shared"  # spelt in two parts so that this guard does not name the folder itself
    assert team not in text and "METHOD" not in text and "REPORT_JSON" not in text
    links = re.findall(r"\]\(((?!https?://)[^)#]+)\)", text)
    missing = [link for link in links if not (ROOT / link).exists()]
    assert set(missing) <= WRITTEN_ELSEWHERE, missing


def test_the_layout_names_modules_that_exist():
    layout = section(readme(), "Layout")
    modules = {
        path.name for folder in ("kamxl", "scripts", "bench") for path in (ROOT / folder).rglob("*.py")
    }
    named = set(re.findall(r"\b([a-z_]+\.py)\b", layout))
    assert named and named <= modules, named - modules
