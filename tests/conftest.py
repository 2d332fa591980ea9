from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings

from kamxl.config import load_settings

# Property tests check what holds, not how fast: a busy CI machine must not fail them on a deadline.
hypothesis_settings.register_profile("kamxl", deadline=None)
hypothesis_settings.load_profile("kamxl")

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
