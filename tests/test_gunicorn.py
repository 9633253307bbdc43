"""The plugin served as in production: a gunicorn process, driven over HTTP by the fake CDP."""

from __future__ import annotations

import os
import socket
import subprocess
import sys

import pandas as pd
import pytest
import requests
from helpers import events, wait_until

from pam.testing import pages_from_frame, run_job

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=1).ok
    except requests.ConnectionError:
        return False


@pytest.fixture
def gunicorn(pam_project_dir, pam_temp):
    port = free_port()
    app = f"pam.server:create_app({str(pam_project_dir)!r})"
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", "1", "--threads", "4", "--bind", f"127.0.0.1:{port}", app],
        env={**os.environ, "PAM_MONITOR_INTERVAL": "0.1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: answers(url) or process.poll() is not None, timeout=30)
        assert process.poll() is None, process.stdout.read()
        yield url, process
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_a_job_runs_end_to_end_under_gunicorn(gunicorn, fake_cdp):
    url, process = gunicorn
    source = events(4200, customers=500)
    run = run_job(url, fake_cdp, "EchoSvc", pages_from_frame(source, 1000), timeout=60)
    assert run.ok, run.reason
    pd.testing.assert_frame_equal(run.results["stream0"][["_id", "id", "amount", "date"]], source)
    failed = run_job(url, fake_cdp, "FaultySvc", pages_from_frame(source, 1000), params={"fail_in": "page"})
    assert failed.reason == "ValueError: boom in on_data_input"
    process.terminate()
    output = process.communicate(timeout=30)[0]
    assert f"[FaultySvc {failed.token}] job failed" in output
    assert "Traceback" in output
