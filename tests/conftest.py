from __future__ import annotations

from pathlib import Path

import pytest

from kamxl.config import load_settings

ROOT = Path(__file__).resolve().parent.parent
# Odd and broken workbooks from public test suites, with their licences (tests/data/corpus/README.md)
CORPUS = ROOT / "tests" / "data" / "corpus"
SAMPLES = ROOT / "sample_workbooks"


@pytest.fixture(scope="session")
def settings():
    return load_settings()


@pytest.fixture(scope="session")
def settings_en():
    return load_settings(lang="en")
