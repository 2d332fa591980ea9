"""The project's own documentation in docs/: every page there, its links working, its generated parts current.

The repository must explain itself: README and code comments cite docs/,
so a page that goes missing, a link that points at nothing, or a reference
that no longer matches kamxl/labels.toml or kamxl/defaults.toml fails here.
"""

from __future__ import annotations

import importlib.util
import re
import tomllib
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
PAGES = ("README.md", "method.md", "forms.md", "report-json.md", "issue-codes.md")

FENCE = re.compile(r"^```.*?^```", re.M | re.S)
CODE_SPAN = re.compile(r"`[^`\n]*`")
LINK = re.compile(r"!?\[[^\]\n]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.M)
SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:", re.I)


def _generator() -> ModuleType:
    """docs/gen_issue_codes.py, loaded from its file (docs/ is not a package)."""
    spec = importlib.util.spec_from_file_location("gen_issue_codes", DOCS / "gen_issue_codes.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _prose(text: str) -> str:
    """Markdown without its code blocks and code spans, where a bracket is not a link."""
    return CODE_SPAN.sub("", FENCE.sub("", text))


def slug(heading: str) -> str:
    """The anchor GitHub gives a heading: its text, lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link's text only
    text = re.sub(r"[^\w\- ]", "", text.strip().lower())
    return text.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    """Every anchor of a Markdown page; repeated headings get -1, -2 … as on GitHub."""
    seen: dict[str, int] = {}
    found = set()
    for heading in HEADING.findall(FENCE.sub("", path.read_text("utf-8"))):
        base = slug(heading)
        n = seen.get(base, 0)
        seen[base] = n + 1
        found.add(base if n == 0 else f"{base}-{n}")
    return found


def links(path: Path) -> list[str]:
    """The targets of the page's links and images, outside code."""
    return LINK.findall(_prose(path.read_text("utf-8")))


def broken(page: Path, target: str) -> str | None:
    """Why a link of ``page`` does not resolve inside the repository, or None when it does."""
    if SCHEME.match(target):
        return None  # a web address: not this test's business
    file_part, _, fragment = target.partition("#")
    dest = (page.parent / file_part).resolve() if file_part else page
    if ROOT not in dest.parents and dest != ROOT:
        return f"{target}: outside the repository"
    if not dest.exists():
        return f"{target}: no such file"
    if fragment and dest.suffix == ".md" and fragment not in anchors(dest):
        return f"{target}: no heading #{fragment} in {dest.relative_to(ROOT)}"
    return None


# -- the pages ----------------------------------------------------------------
@pytest.mark.parametrize("page", PAGES)
def test_page_exists(page: str) -> None:
    path = DOCS / page
    assert path.is_file(), f"docs/{page} is missing"
    assert path.read_text("utf-8").lstrip().startswith(("#", "<!--")), f"docs/{page} has no title"


def test_the_index_links_every_page() -> None:
    targets = {link.partition("#")[0] for link in links(DOCS / "README.md")}
    assert set(PAGES) - {"README.md"} <= targets


# -- links ----------------------------------------------------------------------
@pytest.mark.parametrize("page", sorted(p.name for p in DOCS.glob("*.md")))
def test_links_in_docs_resolve(page: str) -> None:
    path = DOCS / page
    problems = [why for target in links(path) if (why := broken(path, target))]
    assert not problems, f"docs/{page}: " + "; ".join(problems)


def test_readme_links_into_docs_resolve() -> None:
    """The README's links into docs/ (its other links are the README's own business)."""
    readme = ROOT / "README.md"
    targets = [t for t in links(readme) if t.startswith(("docs/", "./docs/"))]
    problems = [why for target in targets if (why := broken(readme, target))]
    assert not problems, "README.md: " + "; ".join(problems)


@pytest.mark.parametrize(
    "heading, anchor",
    [
        ("4. Funnel health — 客户漏斗的四种状态", "4-funnel-health--客户漏斗的四种状态"),
        ("Appendix A: every setting of the method", "appendix-a-every-setting-of-the-method"),
        ("`kamxl check --json`", "kamxl-check---json"),
        ("appraisal.json", "appraisaljson"),
    ],
)
def test_slugs_are_githubs(heading: str, anchor: str) -> None:
    assert slug(heading) == anchor


def test_broken_links_are_found() -> None:
    page = DOCS / "README.md"
    assert broken(page, "method.md#4-funnel-health--客户漏斗的四种状态") is None
    assert broken(page, "https://example.com/nowhere") is None
    assert "no such file" in (broken(page, "nowhere.md") or "")
    assert "no heading" in (broken(page, "method.md#nowhere") or "")
    assert "outside the repository" in (broken(page, "../../elsewhere.md") or "")


# -- the generated issue-code reference ------------------------------------------
def test_issue_codes_page_is_current() -> None:
    generator = _generator()
    assert (DOCS / "issue-codes.md").read_text("utf-8") == generator.render(), (
        "docs/issue-codes.md is stale: run python docs/gen_issue_codes.py"
    )
    assert generator.main(["--check"]) == 0


def test_a_new_code_makes_the_page_stale() -> None:
    generator = _generator()
    new = {"brand_new": {"severity": "warning", "zh": "新的 {x}", "en": "New {x}"}}
    text = generator.render(generator.load_catalogue() | new)
    assert text != (DOCS / "issue-codes.md").read_text("utf-8")
    unused = text.split("## Not raised at present")[1]
    assert "| `brand_new` | warning | New {x} | 新的 {x} | `x` |" in unused


def test_issue_codes_page_lists_every_code_with_both_messages() -> None:
    catalogue = tomllib.loads((ROOT / "kamxl" / "labels.toml").read_text("utf-8"))["issues"]
    text = (DOCS / "issue-codes.md").read_text("utf-8")
    rows = {line.split("|")[1].strip(" `"): line for line in text.splitlines() if line.startswith("| `")}
    assert set(rows) == set(catalogue)
    for code, entry in catalogue.items():
        assert f"| {entry['severity']} |" in rows[code]
        assert entry["en"].replace("|", "\\|") in rows[code] and entry["zh"].replace("|", "\\|") in rows[code]


def test_generator_groups_by_the_earliest_stage() -> None:
    generator = _generator()
    assert generator.stage_of_paths(["watch.py", "read/container.py"]) == "open"
    assert generator.stage_of_paths(["process.py", "read/__init__.py"]) == "read"
    assert generator.stage_of_paths(["results.py"]) == "calc"
    assert generator.stage_of_paths(["write/xlsx/book.py"]) == "run"
    assert generator.stage_of_paths([]) == "unused"
    assert generator.parameters("{a} and {b}", "{b} or {c}") == ["a", "b", "c"]
    assert generator.cell("a | b") == "a \\| b"


# -- the hand-written references keep up with the settings --------------------------
def _defaults() -> dict[str, Any]:
    return tomllib.loads((ROOT / "kamxl" / "defaults.toml").read_text("utf-8"))


def _spellings() -> list[str]:
    """Every title, header alias, factor alias and vocabulary spelling kamxl accepts."""
    defaults = _defaults()
    out: list[str] = []
    for form in defaults["forms"].values():
        out += form["titles"]
        for aliases in [*form["fields"].values(), *form.get("factors", {}).values()]:
            out += aliases
    for name, vocab in defaults["vocab"].items():
        out += list(vocab) if name == "unit_multiplier" else [s for v in vocab.values() for s in v]
    return out


def test_forms_page_names_every_spelling() -> None:
    text = (DOCS / "forms.md").read_text("utf-8")
    missing = sorted({s for s in _spellings() if f"`{s}`" not in text})
    assert not missing, f"docs/forms.md does not list these spellings of kamxl/defaults.toml: {missing}"


def test_forms_page_names_every_limit() -> None:
    text = (DOCS / "forms.md").read_text("utf-8")
    missing = [f"limits.{key}" for key in _defaults()["limits"] if f"`limits.{key}`" not in text]
    assert not missing, f"docs/forms.md does not describe {missing}"


METHOD_SECTIONS = (
    "tier",
    "playbook",
    "funnel",
    "priority",
    "time_guideline",
    "time",
    "health",
    "receivables",
    "pnl",
    "activities",
    "calendar",
    "goals",
    "contribution",
    "crossform",
    "decisions",
    "history",
    "appraisal",
    "demo",
)


def test_method_page_names_every_setting_of_the_method() -> None:
    text = (DOCS / "method.md").read_text("utf-8")
    defaults = _defaults()
    missing = [
        f"{section}.{key}"
        for section in METHOD_SECTIONS
        for key in defaults[section]
        if f"`{section}.{key}" not in text
    ]
    assert not missing, f"docs/method.md does not say where these settings are used: {missing}"
    unknown = set(defaults) - set(METHOD_SECTIONS)
    assert unknown <= {
        "limits",
        "output",
        "charts",
        "summary",
        "print",
        "watch",
        "vocab",
        "forms",
        "formats",
        "rollup",
    }, f"a new section of kamxl/defaults.toml needs a place in docs/: {sorted(unknown)}"


def test_rollup_contract_names_every_rollup_setting() -> None:
    """The roll-up's rules are in the rollup.json section of docs/report-json.md, with their settings."""
    text = (DOCS / "report-json.md").read_text("utf-8")
    missing = [f"rollup.{key}" for key in _defaults()["rollup"] if f"`rollup.{key}`" not in text]
    assert not missing, f"docs/report-json.md does not say where these settings are used: {missing}"
