"""Jobs end to end (pam.jobs): pages in, batched uploads out, failures loud, nothing lost."""

from __future__ import annotations

import csv
import logging
from pathlib import Path

import pandas as pd
import pytest
from helpers import events, tasks

from pam.testing import pages_from_frame, pages_from_frames

INPUT_COLUMNS = ["_id", "id", "amount", "date"]


def test_a_multi_page_job_delivers_every_row_in_order_in_full_batches(pam_run, fake_cdp):
    source = events(5500, customers=300)
    run = pam_run("EchoSvc", pages_from_frame(source, 1000))
    assert run.ok, run.reason
    received = run.results["stream0"]
    pd.testing.assert_frame_equal(received[INPUT_COLUMNS], source)
    assert received["page"].tolist() == [str(1 + i // 1000) for i in range(5500)]
    sizes = [len(pd.read_csv(upload.path)) for upload in fake_cdp.uploads if upload.token == run.token]
    assert sizes == [1000] * 5 + [500]
    assert [call.detail["page"] for call in fake_cdp.calls_of("data_request", run.token)] == [
        "",
        "1",
        "2",
        "3",
        "4",
        "5",
    ]


def test_several_event_types_arrive_in_the_agreed_order(pam_run):
    orders, visits = events(300, customers=50), events(120, customers=50, start=1000)
    run = pam_run("EchoSvc", pages_from_frames({"orders": orders, "visits": visits}, page_rows=40))
    assert run.ok, run.reason
    assert set(run.results) == {"stream0", "stream1"}
    assert set(run.results["stream0"]["file"]) == {"00_orders.csv"}
    assert set(run.results["stream1"]["file"]) == {"01_visits.csv"}
    assert sorted(run.results["stream0"]["_id"]) == sorted(orders["_id"])
    assert sorted(run.results["stream1"]["_id"]) == sorted(visits["_id"])


def test_batch_size_parameter_overrides_the_uploaders_size(pam_run, fake_cdp):
    run = pam_run("EchoSvc", pages_from_frame(events(2500), 1000), params={"batch_size": "700"})
    assert run.ok, run.reason
    sizes = [len(pd.read_csv(upload.path)) for upload in fake_cdp.uploads]
    assert sizes == [700, 700, 700, 400]


def test_dry_run_runs_fully_writes_files_and_uploads_nothing(pam_run, fake_cdp, pam_temp):
    run = pam_run("EchoSvc", pages_from_frame(events(2500), 1000), params={"dry_run": "true", "report": "true"})
    assert run.ok, run.reason
    assert fake_cdp.uploads == []
    assert len(fake_cdp.calls_of("data_request", run.token)) == 3
    written = sorted(pam_temp.rglob(f"*/EchoSvc/{run.token}/stream0_*.csv"))
    assert sum(len(pd.read_csv(path)) for path in written) == 2500
    assert len(list(pam_temp.rglob(f"*/EchoSvc/{run.token}/report_*.csv"))) == 1


def test_a_report_is_one_csv_row_with_numbers_as_strings(pam_run, fake_cdp):
    run = pam_run("EchoSvc", pages_from_frame(events(1500), 1000), params={"report": "true"})
    assert run.ok, run.reason
    assert run.reports == [
        {
            "name": "summary",
            "customer": "demo-adapter",
            "tracker_name": "tracker",
            "report": {
                "pages": "2",
                "status": {"stream0": {"buffered_rows": "0", "uploaded_rows": "1500", "uploaded_batches": "2"}},
            },
        }
    ]
    [report] = [upload for upload in fake_cdp.uploads if upload.kind == "report"]
    with open(report.path, newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["customer", "_tracker_name", "data_summary_no_index"]
    assert len(rows) == 2


def test_sqlite_state_is_restored_by_the_next_job(pam_run, fake_cdp):
    first, second = pam_run("StateSvc", []), pam_run("StateSvc", [])
    assert first.ok
    assert second.ok
    assert first.results["result"]["runs"].tolist() == ["1"]
    assert second.results["result"]["runs"].tolist() == ["2"]
    assert [call.detail["found"] for call in fake_cdp.calls_of("sqlite_download")] == [False, True]
    assert [call.detail["file_name"] for call in fake_cdp.calls_of("sqlite_upload")] == ["runs.sqlite"] * 2


@pytest.mark.parametrize(
    ("where", "message"),
    [
        ("init", "RuntimeError: boom in __init__"),
        ("start", "RuntimeError: boom in on_start"),
        ("page", "ValueError: boom in on_data_input"),
        ("background", "KeyError: 'boom in background work'"),
    ],
)
def test_an_exception_in_service_code_fails_the_job_loudly(pam_run, pam_plugin, caplog, where, message):
    caplog.set_level(logging.ERROR, logger="pam")
    run = pam_run("FaultySvc", pages_from_frame(events(10), 10), params={"fail_in": where})
    assert (run.state, run.reason) == ("failed", message)
    assert tasks(pam_plugin.url)["tasks"] == []
    [record] = [r for r in caplog.records if "job failed" in r.getMessage()]
    assert f"[FaultySvc {run.token}]" in record.getMessage()
    assert record.exc_info is not None


def test_an_exception_in_on_destroy_is_logged_and_the_job_still_ends(pam_run, caplog):
    caplog.set_level(logging.ERROR, logger="pam")
    run = pam_run("FaultySvc", pages_from_frame(events(10), 10), params={"fail_in": "destroy"})
    assert run.ok
    assert any("on_destroy() raised" in r.getMessage() and run.token in r.getMessage() for r in caplog.records)


def test_services_that_spawn_their_own_threads_still_work(pam_run):
    source = events(2500)
    run = pam_run("LegacySvc", pages_from_frame(source, 1000))
    assert run.ok, run.reason
    pd.testing.assert_frame_equal(run.results["result"], source)


@pytest.mark.parametrize(
    "fault",
    [{"status": 503}, {"status": 502}, {"status": 429, "retry_after": "0"}, {"drop": True}],
    ids=["503", "502", "429", "dropped-connection"],
)
def test_uploads_that_fail_a_few_times_then_succeed_lose_nothing(pam_run, fake_cdp, fault):
    source = events(3000)
    fake_cdp.fail_uploads(2, **fault)
    run = pam_run("EchoSvc", pages_from_frame(source, 1000))
    assert run.ok, run.reason
    pd.testing.assert_frame_equal(run.results["stream0"][INPUT_COLUMNS], source)
    assert len(fake_cdp.calls_of("upload_refused")) == 2


def test_an_upload_that_keeps_failing_fails_the_job_and_keeps_the_file(
    pam_run, fake_cdp, pam_plugin, monkeypatch, caplog
):
    monkeypatch.setenv("PAM_RETRY_ATTEMPTS", "3")
    caplog.set_level(logging.ERROR, logger="pam")
    fake_cdp.fail_uploads(1000, status=503)
    run = pam_run("EchoSvc", pages_from_frame(events(1500), 1000))
    assert run.state == "failed"
    assert "503" in run.reason
    assert len(fake_cdp.calls_of("upload_refused")) == 3
    assert run.unsent_files
    for path in run.unsent_files:
        assert Path(path).is_file()
        assert len(pd.read_csv(path)) > 0
    [failure] = tasks(pam_plugin.url)["failed"]
    assert failure["unsent_files"] == run.unsent_files
    assert any(run.unsent_files[0] in r.getMessage() for r in caplog.records)


def test_a_4xx_upload_answer_is_not_retried(pam_run, fake_cdp):
    fake_cdp.fail_uploads(5, status=400)
    run = pam_run("EchoSvc", pages_from_frame(events(1500), 1000))
    assert run.state == "failed"
    assert "400" in run.reason
    assert len(fake_cdp.calls_of("upload_refused")) == 1


def test_exit_waits_for_the_uploads_made_before_it(pam_run, fake_cdp):
    fake_cdp.delay_answers(0.1)
    source = events(3000)
    run = pam_run("EchoSvc", pages_from_frame(source, 1000))
    # run_job returns once the job has left /tasks; by then every upload must have landed.
    assert run.ok, run.reason
    assert len(run.results["stream0"]) == 3000
