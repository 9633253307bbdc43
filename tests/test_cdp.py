"""The CDP client (pam.cdp) against a real local server: bodies, streaming, retries, give-ups."""

from __future__ import annotations

import logging
import re
import socket
import threading
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import pytest

from pam.cdp import CDPClient, RetryPolicy, _retry_after
from pam.errors import CDPError

FAST = RetryPolicy(attempts=4, max_seconds=30, backoff=0.01, backoff_max=0.05, timeout=10)


@pytest.fixture
def job(fake_cdp):
    """A job known to the fake CDP, so its URLs and SQLite scope exist."""
    fake_cdp.add_job("http://127.0.0.1:9", "NoSvc", [{}] * 5, token="tok", adapter_id="adapter-1")
    return fake_cdp.callback_urls("tok", "adapter-1")


def big_csv(path, rows=20000):
    with open(path, "w") as handle:
        handle.write("id,value\n")
        handle.writelines(f"c{i},{i * 7}\n" for i in range(rows))
    return path


def test_a_page_request_sends_the_agreed_json(fake_cdp, job):
    CDPClient(FAST).request_page(job["data"], "tok", "3", "csv", ["c1", "c2"])
    CDPClient(FAST).request_page(job["data"], "tok", "", "parquet")
    first, second = (call.detail for call in fake_cdp.calls_of("data_request", "tok"))
    assert first == {"page": "3", "file_format": "csv", "filter_contact_ids": ["c1", "c2"]}
    assert second == {"page": "", "file_format": "parquet", "filter_contact_ids": None}


def test_an_upload_sends_the_file_and_fields(fake_cdp, job, tmp_path):
    path = big_csv(tmp_path / "result_x.csv")
    CDPClient(FAST).upload_file(job["response"], path, {"is_realtime": "true"})
    [upload] = fake_cdp.uploads
    assert upload.path.read_bytes() == path.read_bytes()
    assert (upload.token, upload.fields) == ("tok", {"is_realtime": "true"})


def test_every_retry_sends_the_whole_file_again(fake_cdp, job, tmp_path):
    path = big_csv(tmp_path / "result_x.csv")
    fake_cdp.fail_uploads(3, status=503)
    CDPClient(FAST).upload_file(job["response"], path)
    assert len(fake_cdp.calls_of("upload_refused")) == 3
    [upload] = fake_cdp.uploads
    assert upload.path.read_bytes() == path.read_bytes()


def test_retry_after_is_honoured(fake_cdp, job, tmp_path, caplog):
    caplog.set_level(logging.WARNING, logger="pam")
    fake_cdp.fail_uploads(1, status=429, retry_after="0.3")
    CDPClient(FAST).upload_file(job["response"], big_csv(tmp_path / "r.csv", 10))
    [line] = [r.getMessage() for r in caplog.records if "next in" in r.getMessage()]
    assert float(re.search(r"next in ([0-9.]+) s", line).group(1)) >= 0.3


def test_giving_up_after_the_attempts_raises_a_clear_error(fake_cdp, job, tmp_path):
    fake_cdp.fail_uploads(10, status=500)
    with pytest.raises(CDPError, match=r"upload of r.csv failed: CDP answered 500") as caught:
        CDPClient(FAST).upload_file(job["response"], big_csv(tmp_path / "r.csv", 10))
    assert caught.value.status_code == 500
    assert len(fake_cdp.calls_of("upload_refused")) == FAST.attempts


def test_a_client_error_is_not_retried(fake_cdp, job, tmp_path):
    fake_cdp.fail_uploads(10, status=422)
    with pytest.raises(CDPError, match="422"):
        CDPClient(FAST).upload_file(job["response"], big_csv(tmp_path / "r.csv", 10))
    assert len(fake_cdp.calls_of("upload_refused")) == 1


def test_a_server_that_is_not_there_is_retried_then_reported(tmp_path):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(CDPError, match=r"data request for page '' failed after 4 attempt\(s\)"):
        CDPClient(FAST).request_page(f"http://127.0.0.1:{port}/api/data", "tok", "", "csv")


def test_sqlite_round_trip_and_none_when_nothing_is_stored(fake_cdp, job, tmp_path):
    client = CDPClient(FAST)
    folder = tmp_path / "job"
    folder.mkdir()
    dest = folder / "state.sqlite"
    assert client.download_sqlite(job["sqlite_download"], "tok", "state.sqlite", False, dest) is None
    assert list(folder.iterdir()) == []
    source = tmp_path / "mine.sqlite"
    source.write_bytes(b"SQLite format 3\x00" + bytes(range(256)) * 100)
    client.upload_sqlite(job["sqlite_upload"], "tok", "state.sqlite", False, source)
    assert client.download_sqlite(job["sqlite_download"], "tok", "state.sqlite", False, dest) == dest
    assert dest.read_bytes() == source.read_bytes()
    assert client.download_sqlite(job["sqlite_download"], "tok", "state.sqlite", True, tmp_path / "s") is None


def test_a_download_cut_short_leaves_no_partial_file(tmp_path):
    """A server that promises 100,000 bytes, sends 10 and hangs up."""
    listener = socket.create_server(("127.0.0.1", 0))

    def serve_once():
        connection, _ = listener.accept()
        with connection:
            connection.recv(65536)
            connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n0123456789")

    thread = threading.Thread(target=serve_once, daemon=True)
    thread.start()
    once = RetryPolicy(attempts=1, max_seconds=5, backoff=0.01, backoff_max=0.01, timeout=5)
    url = f"http://127.0.0.1:{listener.getsockname()[1]}/download"
    with listener, pytest.raises(CDPError, match=r"SQLite download of 's\.sqlite' failed"):
        CDPClient(once).download_sqlite(url, "tok", "s.sqlite", False, tmp_path / "s.sqlite")
    thread.join(5)
    assert list(tmp_path.iterdir()) == []


def test_retry_after_reads_seconds_and_http_dates():
    later = datetime.now(timezone.utc) + timedelta(seconds=30)
    assert _retry_after("12") == 12.0
    assert 25 < _retry_after(format_datetime(later, usegmt=True)) <= 30
    assert _retry_after("soon") is None
    assert _retry_after(None) is None
