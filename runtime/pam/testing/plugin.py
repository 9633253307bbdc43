"""pytest fixtures for plugin projects, loaded automatically wherever pam is installed.

``pam_run("RfmSegmentSvc", pages, params)`` starts the project's real server app on
loopback, drives the service with a fake CDP, and returns a ``JobRun`` to assert on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path

import pytest

from pam.server import create_app
from pam.testing.fake_cdp import FakeCDP
from pam.testing.harness import JobRun, PluginServer, run_job
from pam.testing.pages import Page


@pytest.fixture
def pam_temp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point the plugin's temp storage into the test's own folder; return the data-source root."""
    root = tmp_path / "pam-data"
    monkeypatch.setenv("TEMP_BASE_PATH", str(root))
    monkeypatch.setenv("TEMP_DATASOURCE_PATH", str(root / "data_sources"))
    return root / "data_sources"


@pytest.fixture
def pam_project_dir(request: pytest.FixtureRequest) -> Path:
    """The plugin project whose services are served: the pytest root folder (override to change)."""
    return Path(request.config.rootpath)


@pytest.fixture
def fake_cdp(tmp_path: Path) -> Iterator[FakeCDP]:
    """A started fake CDP on 127.0.0.1 that records everything the plugin sends."""
    with FakeCDP(tmp_path / "fake-cdp") as cdp:
        yield cdp


@pytest.fixture
def pam_plugin(pam_temp: Path, pam_project_dir: Path) -> Iterator[PluginServer]:
    """The project's plugin server app, served for real on a free loopback port."""
    with PluginServer(create_app(pam_project_dir)) as server:
        yield server


@pytest.fixture
def pam_run(pam_plugin: PluginServer, fake_cdp: FakeCDP) -> Callable[..., JobRun]:
    """``pam_run(endpoint, pages, params=None, timeout=60)``: run one job end to end."""

    def run(
        endpoint: str, pages: Sequence[Page], params: Mapping[str, str] | None = None, timeout: float = 60.0
    ) -> JobRun:
        return run_job(pam_plugin.url, fake_cdp, endpoint, pages, params=params, timeout=timeout)

    return run
