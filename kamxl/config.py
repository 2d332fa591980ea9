"""Settings: the shipped defaults and label catalogue, plus a user's TOML.

Everything the method needs (thresholds, weights, playbook, vocabularies,
labels) comes from here, so code holds no magic numbers and a user can
change any of it without touching code.
"""

from __future__ import annotations

import copy
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Mapping

from kamxl.issues import Issue

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


def _merge(base: dict, user: Mapping, path: str) -> None:
    for key, value in user.items():
        where = f"{path}.{key}" if path else str(key)
        if key not in base:
            raise ConfigError(where, "unknown key (no such setting in kamxl's defaults)")
        current = base[key]
        if isinstance(current, dict):
            if not isinstance(value, Mapping):
                raise ConfigError(where, "expected a table of settings")
            _merge(current, value, where)
        elif isinstance(current, bool) or isinstance(value, bool):
            if type(current) is not type(value):
                raise ConfigError(where, f"expected {type(current).__name__}, got {value!r}")
            base[key] = value
        elif isinstance(current, (int, float)):
            if not isinstance(value, (int, float)):
                raise ConfigError(where, f"expected a number, got {value!r}")
            base[key] = type(current)(value) if isinstance(current, float) else value
        elif isinstance(current, list):
            if not isinstance(value, list):
                raise ConfigError(where, f"expected a list, got {value!r}")
            if where.split(".")[0] in _EXTENDED:
                base[key] = list(value) + [v for v in current if v not in value]
            else:
                base[key] = list(value)
        elif isinstance(current, str):
            if not isinstance(value, str):
                raise ConfigError(where, f"expected text, got {value!r}")
            base[key] = value
        else:  # pragma: no cover - defaults hold only the types above
            base[key] = value


@dataclass(frozen=True)
class Settings:
    """Merged settings in one language; passed into every calculation."""

    tree: Mapping[str, Any]
    lang: str = "zh"
    _cache: dict = field(default_factory=dict, compare=False, repr=False)

    def get(self, dotted: str) -> Any:
        node: Any = self.tree
        for part in dotted.split("."):
            node = node[part]
        return node

    def label(self, dotted: str, **args: Any) -> str:
        """A display label from the catalogue in this language."""
        text = self._cache.get(dotted)
        if text is None:
            entry = self.get("labels." + dotted)
            text = self._cache[dotted] = entry[self.lang] if isinstance(entry, Mapping) else str(entry)
        return text.format(**args) if args else text

    def form_name(self, form: str) -> str:
        return self.label(f"forms.{form}")

    def issue(self, code: str, sheet: str | None = None, cell: str | None = None, **args: Any) -> Issue:
        """Build an Issue whose severity and message come from the catalogue."""
        entry = self.get(f"labels.issues.{code}")
        if sheet is not None:
            args.setdefault("sheet", sheet)
        message = entry[self.lang].format(**args)
        return Issue(entry["severity"], code, sheet, cell, message)


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
