"""The HTTP face of a plugin (pam.server): routes, command checking, and every error as JSON."""

from __future__ import annotations

import pytest
import requests
from helpers import command, events, files_under, tasks, wait_until, zip_bytes

from pam.server import Server
from pam.tasks import TaskManager
from pam.testing import wait_for_job


@pytest.fixture
def idle(pam_plugin):
    """The IdleSvc class as the running server loaded it, with its records cleared."""
    cls = pam_plugin.app.extensions["pam"].registry.services["IdleSvc"]
    cls.released.clear()
    for record in (cls.pages, cls.terminated, cls.destroyed):
        record.clear()
    cls.params.clear()
    yield cls
    cls.released.set()


def start_idle(url: str, token: str, **params: str) -> requests.Response:
    return command(url, "IdleSvc", json={"token": token, "cmd": "start", **params})


def dataset(url: str, endpoint: str, token: str, body: bytes, **fields: str) -> requests.Response:
    return command(url, endpoint, data={"token": token, "cmd": "dataset", **fields}, files={"file": ("page.zip", body)})


def test_home_lists_services_and_reports_folders_that_failed_to_load(pam_plugin):
    answer = requests.get(pam_plugin.url, timeout=5).json()
    assert "/EchoSvc" in answer["message"]
    assert "/IdleSvc" in answer["message"]
    errors = answer["load_errors"]
    assert set(errors) == {"bad_import", "broken_yaml", "missing_class"}
    assert "not_a_module_anywhere" in errors["bad_import"]
    assert "not valid YAML" in errors["broken_yaml"]
    assert "missing_class/MissingSvc.py" in errors["missing_class"]


def test_status_answers_for_known_services_only(pam_plugin):
    known = requests.get(f"{pam_plugin.url}/status/EchoSvc", timeout=5)
    unknown = requests.get(f"{pam_plugin.url}/status/Nope", timeout=5)
    assert (known.status_code, known.json()) == (200, {"message": "OK EchoSvc"})
    assert (unknown.status_code, unknown.json()) == (404, {"message": "Service `Nope` Not found."})


def test_unknown_endpoint_is_404_with_the_spec_message(pam_plugin):
    answer = command(pam_plugin.url, "Nope", json={"token": "t1", "cmd": "start"})
    assert (answer.status_code, answer.json()) == (404, {"message": "Service `Nope` Not found."})


def test_start_is_acknowledged_and_listed(pam_plugin, idle):
    answer = start_idle(pam_plugin.url, "t1")
    assert (answer.status_code, answer.json()) == (200, {"acknowledge": True})
    [task] = tasks(pam_plugin.url)["tasks"]
    assert (task["token"], task["service"], task["state"]) == ("t1", "IdleSvc", "running")


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"data": "token=t2&cmd=start&period_day=7"}, {"period_day": "7"}),
        ({"files": {"token": (None, "t2"), "cmd": (None, "start"), "period_day": (None, "7")}}, {"period_day": "7"}),
        (
            {
                "data": '{"token": "t2", "cmd": "start", "period_day": 7, "ratio": 0.5, "flag": true}',
                "headers": {"Content-Type": "application/json; charset=utf-8"},
            },
            {"period_day": "7", "ratio": "0.5", "flag": "true"},
        ),
    ],
    ids=["urlencoded", "multipart", "json-with-charset"],
)
def test_every_body_kind_starts_a_job_with_string_parameters(pam_plugin, idle, kwargs, expected):
    if "data" in kwargs and "headers" not in kwargs:
        kwargs["headers"] = {"Content-Type": "application/x-www-form-urlencoded"}
    answer = command(pam_plugin.url, "IdleSvc", **kwargs)
    assert answer.status_code == 200, answer.text
    assert wait_until(lambda: idle.params.get("t2")) == expected


@pytest.mark.parametrize(
    ("kwargs", "status", "fragment"),
    [
        ({"json": {"cmd": "start"}}, 400, "token is required"),
        ({"json": {"token": "t1", "cmd": "stop"}}, 400, "not one of: start, dataset"),
        ({"json": {"token": "t1"}}, 400, "not one of: start, dataset"),
        ({"json": {"token": "t1", "cmd": "start", "is_end": "maybe"}}, 400, "is_end"),
        ({"json": {"token": "t1", "cmd": "start", "data": "ftp://x"}}, 400, "not an http(s) URL"),
        ({"json": {"token": "t1", "cmd": "start", "batch_size": "0"}}, 400, "batch_size"),
        ({"json": {"token": "t1", "cmd": "start", "dry_run": "perhaps"}}, 400, "dry_run"),
        ({"json": {"token": "t1", "cmd": "start", "nested": {"a": 1}}}, 400, "'nested'"),
        ({"json": [1, 2]}, 400, "must be an object"),
        ({"data": "{not json", "headers": {"Content-Type": "application/json"}}, 400, "not valid JSON"),
        ({"data": "", "headers": {"Content-Type": "application/json"}}, 400, "empty"),
    ],
    ids=[
        "no-token",
        "unknown-cmd",
        "no-cmd",
        "bad-is_end",
        "bad-url",
        "bad-batch_size",
        "bad-dry_run",
        "nested-value",
        "json-array",
        "malformed-json",
        "empty-json",
    ],
)
def test_bad_commands_get_a_4xx_json_message(pam_plugin, kwargs, status, fragment):
    answer = command(pam_plugin.url, "IdleSvc", **kwargs)
    assert answer.status_code == status
    assert answer.headers["Content-Type"] == "application/json"
    assert fragment in answer.json()["message"]
    assert tasks(pam_plugin.url)["tasks"] == []


@pytest.mark.parametrize("token", ["../../x", "a/b", "..", ".", "x" * 129, "tab\tbed"])
def test_unsafe_tokens_are_refused_before_touching_the_disk(pam_plugin, pam_temp, token):
    answer = start_idle(pam_plugin.url, token)
    assert answer.status_code == 400
    assert "token" in answer.json()["message"]
    assert [path for path in files_under(pam_temp.parent.parent) if ".incoming" not in path] == []


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [("get", "/nowhere", 404), ("get", "/service/EchoSvc", 405), ("delete", "/tasks", 405)],
)
def test_routing_errors_are_json_not_html(pam_plugin, method, path, status):
    answer = requests.request(method, f"{pam_plugin.url}{path}", timeout=5)
    assert answer.status_code == status
    assert answer.headers["Content-Type"] == "application/json"
    assert answer.json()["message"]
    if status == 405:
        assert "Allow" in answer.headers


def test_an_unexpected_exception_is_a_json_500(pam_plugin, monkeypatch):
    def explode(self):
        raise RuntimeError("kaput")

    monkeypatch.setattr(TaskManager, "snapshot", explode)
    answer = requests.get(f"{pam_plugin.url}/tasks", timeout=5)
    assert answer.status_code == 500
    assert answer.json() == {"message": "internal error: RuntimeError: kaput"}


def test_a_second_start_for_a_running_token_is_409_and_leaves_the_job_alone(pam_plugin, idle):
    assert start_idle(pam_plugin.url, "t1", first="yes").status_code == 200
    wait_until(lambda: idle.params.get("t1"))
    again = command(pam_plugin.url, "EchoSvc", json={"token": "t1", "cmd": "start"})
    assert again.status_code == 409
    assert "already running" in again.json()["message"]
    [task] = tasks(pam_plugin.url)["tasks"]
    assert (task["service"], task["state"]) == ("IdleSvc", "running")
    assert idle.params["t1"] == {"first": "yes"}


def test_answers_do_not_wait_for_service_code_and_an_early_page_is_kept(pam_plugin, idle):
    # on_start blocks until released; both commands must still be answered meanwhile.
    assert start_idle(pam_plugin.url, "t1", sleep="60").status_code == 200
    page = zip_bytes({"b.csv": b"id\n2\n", "a.csv": b"id\n1\n"})
    answer = dataset(pam_plugin.url, "IdleSvc", "t1", page)
    assert answer.status_code == 200, answer.text
    assert idle.pages == []
    idle.released.set()
    assert wait_until(lambda: idle.pages) == [("t1", ["a.csv", "b.csv"])]


def test_input_files_are_sorted_by_name_without_macos_litter(pam_plugin, idle):
    start_idle(pam_plugin.url, "t1")
    page = zip_bytes(
        {"2_visits.csv": b"id\n", "__MACOSX/._0_orders.csv": b"x", ".DS_Store": b"x", "0_orders.csv": b"id\n"}
    )
    assert dataset(pam_plugin.url, "IdleSvc", "t1", page).status_code == 200
    assert wait_until(lambda: idle.pages) == [("t1", ["0_orders.csv", "2_visits.csv"])]


def test_a_page_for_an_unknown_token_is_404_and_leaves_nothing_on_disk(pam_plugin, pam_temp):
    answer = dataset(pam_plugin.url, "IdleSvc", "ghost", zip_bytes({"a.csv": b"id\n1\n"}))
    assert answer.status_code == 404
    assert "no running job ghost" in answer.json()["message"]
    assert files_under(pam_temp) == []


def test_a_page_goes_only_to_the_job_of_that_endpoint(pam_plugin, idle):
    start_idle(pam_plugin.url, "t1")
    answer = dataset(pam_plugin.url, "EchoSvc", "t1", zip_bytes({"a.csv": b"id\n1\n"}))
    assert answer.status_code == 404
    assert idle.pages == []


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        (b"this is not a zip", "not a readable zip"),
        (zip_bytes({"a.csv": b"x"})[:40], "not a readable zip"),
        (zip_bytes({"../../escape.csv": b"id\n"}), "would leave the job's folder"),
    ],
    ids=["not-a-zip", "truncated", "path-traversal"],
)
def test_bad_page_zips_are_400_and_leave_nothing_behind(pam_plugin, idle, pam_temp, body, fragment):
    start_idle(pam_plugin.url, "t1")
    answer = dataset(pam_plugin.url, "IdleSvc", "t1", body)
    assert answer.status_code == 400
    assert fragment in answer.json()["message"]
    failure = wait_for_job(pam_plugin.url, "t1", timeout=10)
    assert failure["reason"] == f"a page was refused: {answer.json()['message']}"
    assert "t1" in idle.destroyed
    assert [path for path in files_under(pam_temp) if "escape" in path or path.endswith(".part")] == []
    assert not (pam_temp.parent / "escape.csv").exists()


def test_a_dataset_without_a_file_is_400(pam_plugin, idle):
    start_idle(pam_plugin.url, "t1")
    for kwargs in ({"json": {"token": "t1", "cmd": "dataset"}}, {"data": {"token": "t1", "cmd": "dataset"}}):
        answer = command(pam_plugin.url, "IdleSvc", **kwargs)
        assert answer.status_code == 400
        assert "multipart file field `file`" in answer.json()["message"]


def test_a_body_over_the_limit_is_413_saying_how_to_raise_it(pam_plugin, idle, monkeypatch):
    start_idle(pam_plugin.url, "t1")
    monkeypatch.setenv("PAM_MAX_REQUEST_BYTES", "2000")
    answer = dataset(pam_plugin.url, "IdleSvc", "t1", b"x" * 5000)
    assert answer.status_code == 413
    assert "PAM_MAX_REQUEST_BYTES=2000" in answer.json()["message"]


@pytest.mark.parametrize(
    ("variable", "value", "files"),
    [
        ("PAM_ZIP_MAX_ENTRIES", "2", {"a.csv": b"1", "b.csv": b"2", "c.csv": b"3"}),
        ("PAM_ZIP_MAX_BYTES", "1000", {"a.csv": events(200).to_csv(index=False).encode()}),
        ("PAM_ZIP_MAX_RATIO", "10", {"a.csv": b"0" * (2 << 20)}),
    ],
)
def test_zips_beyond_a_limit_are_413_naming_the_limit(pam_plugin, idle, monkeypatch, variable, value, files):
    start_idle(pam_plugin.url, "t1")
    monkeypatch.setenv(variable, value)
    answer = dataset(pam_plugin.url, "IdleSvc", "t1", zip_bytes(files))
    assert answer.status_code == 413
    assert f"{variable}={value}" in answer.json()["message"]
    assert idle.pages == []
    assert variable in wait_for_job(pam_plugin.url, "t1", timeout=10)["reason"]


def test_server_uses_the_app_root_as_project_and_runs_with_server_host_and_port(pam_temp, pam_project_dir):
    from flask import Flask

    app = Flask("plugin", root_path=str(pam_project_dir))
    server = Server(app, start_monitor=False)
    try:
        assert "EchoSvc" in server.registry.services
        assert server.project_dir == pam_project_dir
    finally:
        server.close()
