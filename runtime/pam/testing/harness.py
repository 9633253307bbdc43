"""Running a plugin's service end to end over HTTP: its app on loopback, driven by a ``FakeCDP``."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import requests
from flask import Flask
from werkzeug.serving import make_server

from pam.testing.fake_cdp import Call, FakeCDP
from pam.testing.pages import Page


class PluginServer:
    """Serves a plugin's Flask app on a free 127.0.0.1 port, in a thread, until ``stop()``."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self._server = make_server("127.0.0.1", 0, app, threaded=True)
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), name="plugin-server", daemon=True
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_port}"

    def start(self) -> PluginServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        pam_server = self.app.extensions.get("pam")
        if pam_server is not None:
            pam_server.close()

    def __enter__(self) -> PluginServer:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()


@dataclass
class JobRun:
    """How a job ended and everything CDP received from it."""

    token: str
    state: str  # "done" (the service called _exit) or "failed"
    reason: str | None
    unsent_files: list[str]
    results: dict[str, pd.DataFrame]
    reports: list[dict[str, Any]]
    calls: list[Call] = field(repr=False)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.state == "done"


def wait_for_job(
    plugin_url: str,
    token: str,
    timeout: float,
    known_failures: int = 0,
    poll: float = 0.02,
    on_poll: Callable[[], None] | None = None,
) -> dict[str, Any] | None:
    """Poll ``GET /tasks`` every ``poll`` seconds until job ``token`` has left.

    Returns its failure record, or None if it ended well; ``on_poll`` is called each round.
    """
    deadline = time.monotonic() + timeout
    while True:
        if on_poll is not None:
            on_poll()
        tasks = requests.get(f"{plugin_url}/tasks", timeout=10).json()
        running = [task for task in tasks["tasks"] if task["token"] == token]
        if not running:
            failures = [entry for entry in tasks["failed"] if entry["token"] == token]
            return failures[-1] if len(failures) > known_failures else None
        if time.monotonic() > deadline:
            raise TimeoutError(f"job {token} still running after {timeout:g} s: {running[0]}")
        time.sleep(poll)


def run_job(
    plugin_url: str,
    cdp: FakeCDP,
    endpoint: str,
    pages: Sequence[Page],
    params: Mapping[str, str] | None = None,
    token: str | None = None,
    timeout: float = 60.0,
) -> JobRun:
    """Start ``endpoint`` on ``pages`` through the plugin's HTTP API and wait for the job to end."""
    began = time.monotonic()
    known = 0
    if token is not None:
        failed = requests.get(f"{plugin_url}/tasks", timeout=10).json()["failed"]
        known = sum(entry["token"] == token for entry in failed)
    token = cdp.start_job(plugin_url, endpoint, pages, params=params, token=token)
    failure = wait_for_job(plugin_url, token, timeout, known)
    return JobRun(
        token=token,
        state="failed" if failure else "done",
        reason=failure["reason"] if failure else None,
        unsent_files=failure["unsent_files"] if failure else [],
        results=cdp.results(token),
        reports=cdp.reports(token),
        calls=[call for call in cdp.calls if call.token in (token, "")],
        seconds=time.monotonic() - began,
    )
