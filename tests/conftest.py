"""Every test gets its own temp root and a clean pam environment; services come from tests/project."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from pam import temp

PROJECT = Path(__file__).parent / "project"


@pytest.fixture(autouse=True)
def _isolated(pam_temp: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No PAM_* setting leaks in from the machine; retries are quick; temp roots are reset after."""
    for name in list(os.environ):
        if name.startswith("PAM_") or name in ("TEMP_CLEAN_DAYS", "TEMP_CLEAN_INTERVAL_HOURS"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("PAM_RETRY_BACKOFF", "0.01")
    monkeypatch.setenv("PAM_RETRY_BACKOFF_MAX", "0.05")
    yield
    temp.set_root("base", None)
    temp.set_root("datasource", None)


@pytest.fixture
def pam_project_dir() -> Path:
    """The runtime's tests serve the services of tests/project."""
    return PROJECT
