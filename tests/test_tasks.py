"""The task manager's monitor (pam.tasks): idle timeouts, temp cleanup, prompt shutdown."""

from __future__ import annotations

import threading
from datetime import date, timedelta

import pytest
from helpers import command, tasks, wait_until

from pam.server import create_app
from pam.tasks import TaskManager
from pam.temp import DAY_FORMAT
from pam.testing import PluginServer, wait_for_job


@pytest.fixture
def plugin(pam_project_dir, monkeypatch):
    """A plugin whose monitor runs every 50 ms and ends jobs idle for 0.3 s."""
    monkeypatch.setenv("PAM_MONITOR_INTERVAL", "0.05")
    monkeypatch.setenv("PAM_JOB_IDLE_TIMEOUT", "0.3")
    with PluginServer(create_app(pam_project_dir)) as server:
        idle = server.app.extensions["pam"].registry.services["IdleSvc"]
        idle.released.clear()
        yield server, idle
        idle.released.set()


def old_day(datasource, days: int):
    folder = datasource / (date.today() - timedelta(days=days)).strftime(DAY_FORMAT) / "Svc" / "tok"
    folder.mkdir(parents=True)
    (folder / "file.csv").write_text("id\n")
    return folder.parent.parent


def test_an_idle_job_is_ended_with_on_terminate_and_on_destroy(plugin):
    server, idle = plugin
    command(server.url, "IdleSvc", json={"token": "sleepy", "cmd": "start"})
    failure = wait_for_job(server.url, "sleepy", timeout=10)
    assert "idle for more than 0.3 s" in failure["reason"]
    assert "sleepy" in idle.terminated
    assert "sleepy" in idle.destroyed


def test_a_job_busy_in_its_hook_is_not_idle(plugin):
    server, idle = plugin
    command(server.url, "IdleSvc", json={"token": "busy", "cmd": "start", "sleep": "30"})
    # Ten monitor rounds and more than three timeouts pass while on_start works.
    threading.Event().wait(1.0)
    [task] = tasks(server.url)["tasks"]
    assert (task["token"], task["state"]) == ("busy", "running")
    idle.released.set()
    assert "idle" in wait_for_job(server.url, "busy", timeout=10)["reason"]


def test_close_stops_the_monitor_promptly_and_ends_running_jobs(pam_project_dir, monkeypatch):
    monkeypatch.setenv("PAM_MONITOR_INTERVAL", "3600")
    app = create_app(pam_project_dir)
    pam_server = app.extensions["pam"]
    with PluginServer(app) as server:
        command(server.url, "IdleSvc", json={"token": "late", "cmd": "start"})
        wait_until(lambda: pam_server.tasks.jobs()[0].service)
    assert not pam_server.tasks._monitor.is_alive()
    assert "late" in pam_server.registry.services["IdleSvc"].terminated
    assert pam_server.tasks.snapshot()["failed"][-1]["reason"] == "the server stopped"


def test_cleanup_removes_old_date_folders_only_while_no_job_runs(plugin, pam_temp):
    server, _idle = plugin
    manager = server.app.extensions["pam"].tasks
    stale, recent = old_day(pam_temp, 30), old_day(pam_temp, 2)
    command(server.url, "IdleSvc", json={"token": "t1", "cmd": "start", "sleep": "30"})
    manager._last_clean = None
    manager.housekeep()
    assert stale.exists()
    server.app.extensions["pam"].registry.services["IdleSvc"].released.set()
    wait_for_job(server.url, "t1", timeout=10)
    manager._last_clean = None
    manager.housekeep()
    assert not stale.exists()
    assert recent.exists()


def test_temp_clean_days_given_to_the_server_wins_over_the_environment(pam_temp, monkeypatch):
    monkeypatch.setenv("TEMP_CLEAN_DAYS", "100")
    stale = old_day(pam_temp, 30)
    TaskManager({}).housekeep()
    assert stale.exists()
    TaskManager({}, temp_clean_days=5).housekeep()
    assert not stale.exists()


def test_an_empty_clean_interval_turns_cleanup_off(pam_temp, monkeypatch):
    monkeypatch.setenv("TEMP_CLEAN_INTERVAL_HOURS", "")
    stale = old_day(pam_temp, 30)
    TaskManager({}, temp_clean_days=1).housekeep()
    assert stale.exists()


def test_cleanup_runs_again_only_after_its_interval(pam_temp, monkeypatch):
    monkeypatch.setenv("TEMP_CLEAN_INTERVAL_HOURS", "1")
    manager = TaskManager({}, temp_clean_days=1)
    manager.housekeep()
    stale = old_day(pam_temp, 30)
    manager.housekeep()
    assert stale.exists()
    manager._last_clean -= 3601
    manager.housekeep()
    assert not stale.exists()
