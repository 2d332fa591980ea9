"""kamxl: key-account-management planning workbooks in, calculated reviews out.

The Python API is what the command line uses::

    import kamxl

    settings = kamxl.load_settings(lang="en")
    outcome = kamxl.process("east-2026-03.xlsx", "out", settings, kamxl.RunOptions(as_of=...))
    workbook = kamxl.read_workbook("east-2026-03.xlsx", settings)

Names are imported when first used, so ``import kamxl`` (and ``kamxl --help``)
stays fast.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# What kamxl reads (and a drop folder or a batch picks up) by file name.
SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xltx", ".xltm", ".xls", ".xlsb", ".ods")

# public name -> the module that defines it
_API = {
    "process": "kamxl.pipeline",
    "RunOptions": "kamxl.pipeline",
    "Outcome": "kamxl.outcome",
    "read_workbook": "kamxl.read",
    "WorkbookData": "kamxl.read",
    "load_settings": "kamxl.config",
    "Settings": "kamxl.config",
    "ConfigError": "kamxl.config",
    "Issue": "kamxl.issues",
    "Severity": "kamxl.issues",
    "build_results": "kamxl.results",
    "Results": "kamxl.results",
}

__all__ = [
    "SPREADSHEET_SUFFIXES",
    "ConfigError",
    "Issue",
    "Outcome",
    "Results",
    "RunOptions",
    "Settings",
    "Severity",
    "WorkbookData",
    "__version__",
    "build_results",
    "load_settings",
    "process",
    "read_workbook",
]

if TYPE_CHECKING:
    from kamxl.config import ConfigError, Settings, load_settings
    from kamxl.issues import Issue, Severity
    from kamxl.outcome import Outcome
    from kamxl.pipeline import RunOptions, process
    from kamxl.read import WorkbookData, read_workbook
    from kamxl.results import Results, build_results


def __getattr__(name: str) -> Any:
    if name in _API:
        return getattr(import_module(_API[name]), name)
    raise AttributeError(f"module 'kamxl' has no attribute {name!r}")
