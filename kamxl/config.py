"""Settings: the shipped defaults and label catalogue, plus a user's TOML.

Everything the method needs (thresholds, weights, playbook, vocabularies,
labels) comes from here, so code holds no magic numbers and a user can
change any of it without touching code.
"""

from __future__ import annotations

import copy
import tomllib
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar, cast

from kamxl.issues import Issue, Severity, parse_a1

T = TypeVar("T")

LANGS = ("zh", "en")
# Alias lists under these sections are extended by a user's file, not
# replaced: adding "经销商" as a customer header must not drop "客户".
_EXTENDED = ("forms", "vocab")


class ConfigError(ValueError):
    """A user's configuration is unreadable or names a key kamxl lacks."""

    def __init__(self, key: str, detail: str):
        super().__init__(f"{key}: {detail}" if key else detail)
        self.key = key


@lru_cache(maxsize=1)
def _shipped() -> dict[str, Any]:
    pkg = resources.files("kamxl")
    tree = tomllib.loads(pkg.joinpath("defaults.toml").read_text("utf-8"))
    tree["labels"] = tomllib.loads(pkg.joinpath("labels.toml").read_text("utf-8"))
    return tree


def _merge(base: dict[str, Any], user: Mapping[str, Any], path: str) -> None:
    """Lay a user's settings over the defaults, refusing keys kamxl lacks and values of the wrong type."""
    for key, value in user.items():
        where = f"{path}.{key}" if path else str(key)
        if key not in base:
            raise ConfigError(where, "unknown key (no such setting in kamxl's defaults)")
        current = base[key]
        if isinstance(current, dict):
            if not isinstance(value, Mapping):
                raise ConfigError(where, "expected a table of settings")
            _merge(current, value, where)
        else:
            base[key] = _merged_value(current, value, where)


def _merged_value(current: Any, value: Any, where: str) -> Any:
    """The user's value for one setting, checked against the type of the default it replaces."""
    if isinstance(current, bool) or isinstance(value, bool):
        if type(current) is not type(value):
            raise ConfigError(where, f"expected {type(current).__name__}, got {value!r}")
        return value
    if isinstance(current, int | float):
        if not isinstance(value, int | float):
            raise ConfigError(where, f"expected a number, got {value!r}")
        return float(value) if isinstance(current, float) else value
    if isinstance(current, list):
        if not isinstance(value, list):
            raise ConfigError(where, f"expected a list, got {value!r}")
        if where.split(".")[0] in _EXTENDED:
            return list(value) + [item for item in current if item not in value]
        return list(value)
    if isinstance(current, str) and not isinstance(value, str):
        raise ConfigError(where, f"expected text, got {value!r}")
    return value


@dataclass(frozen=True)
class Settings:
    """Merged settings in one language; passed into every calculation."""

    tree: Mapping[str, Any]
    lang: str = "zh"
    _labels: dict[str, str] = field(default_factory=dict, compare=False, repr=False)
    _built: dict[Hashable, Any] = field(default_factory=dict, compare=False, repr=False)

    def get(self, dotted: str) -> Any:
        node: Any = self.tree
        for part in dotted.split("."):
            node = node[part]
        return node

    def label(self, dotted: str, **args: Any) -> str:
        """A display label from the catalogue in this language."""
        text = self._labels.get(dotted)
        if text is None:
            entry = self.get("labels." + dotted)
            text = self._labels[dotted] = entry[self.lang] if isinstance(entry, Mapping) else str(entry)
        return text.format(**args) if args else text

    def cached(self, key: Hashable, build: Callable[[], T]) -> T:
        """What ``build`` makes from these settings, made once: settings never change once loaded.

        The reader's vocabularies and form specs are indexed when built, and
        every sheet of every workbook asks for them.
        """
        if key not in self._built:
            self._built[key] = build()
        return cast(T, self._built[key])

    def form_name(self, form: str) -> str:
        return self.label(f"forms.{form}")

    def issue(
        self,
        code: str,
        sheet: str | None = None,
        cell: str | tuple[int, int] | None = None,
        **params: Any,
    ) -> Issue:
        """An Issue of a catalogue code at a sheet and cell (A1 text or 0-based (row, col)).

        The severity comes from the catalogue now; the message only when an
        output renders it (``message``), in that output's language.
        """
        entry = self.get(f"labels.issues.{code}")
        row, col = parse_a1(cell) if isinstance(cell, str) else cell if cell is not None else (None, None)
        return Issue(Severity(entry["severity"]), code, sheet, row, col, params)

    def message(self, issue: Issue) -> str:
        """The issue's message from the catalogue, in this language."""
        template = self.get(f"labels.issues.{issue.code}")[self.lang]
        return str(template.format(**{"sheet": issue.sheet, **issue.params}))

    def issue_dict(self, issue: Issue) -> dict[str, Any]:
        """report.json's entry for an issue, its message in this language."""
        return issue.to_dict(self.message(issue))


def load_settings(config: str | Path | None = None, lang: str = "zh") -> Settings:
    """Defaults merged with the user's TOML file; raises ConfigError."""
    if lang not in LANGS:
        raise ConfigError("lang", f"must be one of {', '.join(LANGS)}, got {lang!r}")
    tree = copy.deepcopy(_shipped())
    if config is not None:
        path = Path(config)
        try:
            user = tomllib.loads(path.read_text("utf-8"))
        except FileNotFoundError:
            raise ConfigError("", f"config file {path} not found") from None
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError("", f"{path} is not valid TOML: {exc}") from None
        _merge(tree, user, "")
    return Settings(tree, lang)
