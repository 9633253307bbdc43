"""The test harness (pam.testing): pages, the fake CDP's records, and each injected fault.

Every fault is shown to do what it says, and the runtime to recover from it or fail clearly.
"""

from __future__ import annotations

import zipfile

import pandas as pd
import pytest
import requests
from helpers import events

from pam.testing import pages_from_frame, pages_from_frames, pages_from_paths, run_job, write_zip

COLUMNS = ["_id", "id", "amount", "date"]


def test_pages_by_customer_keep_each_customers_events_together():
    orders, visits = events(500, customers=37), events(90, customers=37, start=9000)
    pages = pages_from_frames({"orders": orders, "visits": visits}, page_rows=60)
    assert all(list(page) == ["00_orders.csv", "01_visits.csv"] for page in pages)
    seen: dict[str, int] = {}
    for number, page in enumerate(pages):
        for frame in page.values():
            for customer in frame["id"]:
                assert seen.setdefault(customer, number) == number
    assert sum(len(page["00_orders.csv"]) for page in pages) == 500
    assert sum(len(page["01_visits.csv"]) for page in pages) == 90


def test_pages_from_paths_take_files_folders_and_folders_of_pages(tmp_path):
    events(300, customers=30).to_csv(tmp_path / "orders.csv", index=False)
    by_files = pages_from_paths([tmp_path / "orders.csv"], page_rows=100)
    assert [len(page["00_orders.csv"]) for page in by_files] == [100, 100, 100]
    assert len(pages_from_paths([tmp_path], page_rows=1000)) == 1
    for number in range(3):
        (tmp_path / "pages" / f"p{number}").mkdir(parents=True)
        events(5).to_csv(tmp_path / "pages" / f"p{number}" / "a.csv", index=False)
    assert len(pages_from_paths([tmp_path / "pages"], page_rows=1)) == 3
    with pytest.raises(FileNotFoundError):
        pages_from_paths([tmp_path / "missing.csv"], 10)


def test_a_page_zip_holds_frames_bytes_and_files(tmp_path):
    (tmp_path / "c.csv").write_text("id\nz\n")
    archive = write_zip({"a.csv": events(3), "b.csv": b"id\nx\n", "c.csv": tmp_path / "c.csv"}, tmp_path / "p.zip")
    with zipfile.ZipFile(archive) as opened:
        assert opened.namelist() == ["a.csv", "b.csv", "c.csv"]
        assert opened.read("c.csv") == b"id\nz\n"
        assert opened.read("a.csv").decode().splitlines()[0] == "_id,id,amount,date"


def test_a_run_brings_back_results_reports_and_a_transcript(pam_run):
    run = pam_run("EchoSvc", pages_from_frame(events(1200), 600), params={"report": "true"})
    assert run.ok, run.reason
    pd.testing.assert_frame_equal(run.results["stream0"][COLUMNS], events(1200))
    assert [report["name"] for report in run.reports] == ["summary"]
    kinds = [call.kind for call in run.calls]
    assert kinds[:2] == ["start", "data_request"]
    assert kinds.count("dataset") == 2
    assert kinds[-1] == "report"


def test_a_job_that_never_ends_fails_the_wait_clearly(pam_plugin, fake_cdp):
    with pytest.raises(TimeoutError, match=r"job \w+ still running after 0.3 s"):
        run_job(pam_plugin.url, fake_cdp, "IdleSvc", [], timeout=0.3)


def test_failed_uploads_are_answered_as_asked_and_the_job_recovers(pam_run, fake_cdp):
    fake_cdp.fail_uploads(3, status=502)
    run = pam_run("EchoSvc", pages_from_frame(events(2000), 1000))
    assert run.ok, run.reason
    assert [call.detail["status"] for call in fake_cdp.calls_of("upload_refused")] == [502, 502, 502]
    assert len(run.results["stream0"]) == 2000


def test_a_dropped_connection_is_really_dropped(fake_cdp, tmp_path):
    fake_cdp.fail_uploads(1, drop=True)
    (tmp_path / "r.csv").write_text("id\n1\n")
    with open(tmp_path / "r.csv", "rb") as handle, pytest.raises(requests.ConnectionError):
        requests.post(f"{fake_cdp.url}/api/dataadapter/a/response", files={"file": handle}, timeout=5)


def test_delayed_answers_are_late_and_the_runtime_waits_or_gives_up(pam_run, fake_cdp, monkeypatch):
    fake_cdp.delay_answers(0.5)
    with pytest.raises(requests.ReadTimeout):
        requests.post(f"{fake_cdp.url}/api/data", json={}, timeout=0.2)
    slow = pam_run("EchoSvc", pages_from_frame(events(100), 100))
    assert slow.ok, slow.reason
    monkeypatch.setenv("PAM_HTTP_TIMEOUT", "0.2")
    monkeypatch.setenv("PAM_RETRY_ATTEMPTS", "2")
    given_up = pam_run("EchoSvc", pages_from_frame(events(100), 100))
    assert given_up.state == "failed"
    assert "data request for page '' failed after 2 attempt(s)" in given_up.reason


def test_a_page_delivered_twice_is_taken_once(pam_run, fake_cdp):
    fake_cdp.duplicate_pages(1)
    run = pam_run("EchoSvc", pages_from_frame(events(2000), 1000))
    assert run.ok, run.reason
    first, second = (call for call in fake_cdp.calls_of("dataset", run.token) if call.detail["page"] == 0)
    assert first.detail["status"] == 200
    assert second.detail["status"] == 409
    assert "duplicate was dropped" in second.detail["answer"]["message"]
    pd.testing.assert_frame_equal(run.results["stream0"][COLUMNS], events(2000))


def test_a_truncated_page_is_refused_and_the_job_fails_at_once(pam_run, fake_cdp):
    fake_cdp.truncate_zips(1)
    run = pam_run("EchoSvc", pages_from_frame(events(2000), 1000))
    [delivery] = fake_cdp.calls_of("dataset", run.token)
    assert delivery.detail["status"] == 400
    assert run.state == "failed"
    assert run.reason.startswith("a page was refused: `file` is not a readable zip archive")
