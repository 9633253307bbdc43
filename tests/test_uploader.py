"""ResultBatchUploader (pam.uploader): named streams, exact batches, fixed shapes, linear cost."""

from __future__ import annotations

import pandas as pd
import pytest
from helpers import events

from pam.errors import UsageError
from pam.models.request_command import RequestCommand
from pam.result_batch_uploader import ResultBatchUploader
from pam.service import Service


class Recorder:
    """The job side of a service, keeping what it is handed: (csv path, form fields)."""

    def __init__(self):
        self.uploads: list[tuple[str, dict]] = []

    def upload_result(self, path, fields):
        self.uploads.append((str(path), fields))


def service(**params: str) -> tuple[Service, Recorder]:
    host = Recorder()
    return Service(host, RequestCommand(token="tok", service_name="Svc", runtime_parameters=params)), host


def rows_of(host: Recorder) -> list[int]:
    return [len(pd.read_csv(path)) for path, _ in host.uploads]


def test_full_batches_go_at_once_and_flush_sends_the_rest():
    svc, host = service()
    uploader = ResultBatchUploader(svc, batch_size=1000)
    for start in range(0, 2600, 300):
        uploader.upload(events(min(300, 2600 - start), start=start), "orders")
    assert rows_of(host) == [1000, 1000]
    uploader.flush()
    assert rows_of(host) == [1000, 1000, 600]
    combined = pd.concat(pd.read_csv(path, dtype=str, keep_default_na=False) for path, _ in host.uploads)
    pd.testing.assert_frame_equal(combined.reset_index(drop=True), events(2600))


def test_one_large_frame_is_cut_into_batches_each_row_written_once():
    svc, host = service()
    uploader = ResultBatchUploader(svc, batch_size=400)
    uploader.upload(events(1900))
    assert rows_of(host) == [400] * 4
    assert uploader.get_status() == {"default": {"buffered_rows": 300, "uploaded_rows": 1600, "uploaded_batches": 4}}


def test_streams_are_separate_and_flush_can_pick_one():
    svc, host = service()
    uploader = ResultBatchUploader(svc, batch_size=100)
    uploader.upload(events(30), "a")
    uploader.upload(pd.DataFrame({"id": ["x"], "score": [1]}), "b", {"is_priority": True})
    uploader.flush("b")
    assert host.uploads[0][1] == {"is_priority": "true"}
    assert "/b_" in host.uploads[0][0]
    assert uploader.get_status()["a"]["buffered_rows"] == 30
    uploader.flush()
    assert rows_of(host) == [1, 30]


def test_runtime_parameter_batch_size_wins():
    svc, _ = service(batch_size="25")
    assert ResultBatchUploader(svc, batch_size=50_000).batch_size == 25


@pytest.mark.parametrize("size", [0, -5, 2.5, "10", True])
def test_a_bad_batch_size_is_refused(size):
    with pytest.raises(UsageError, match="batch_size"):
        ResultBatchUploader(service()[0], batch_size=size)


def test_a_stream_keeps_its_columns_and_options():
    uploader = ResultBatchUploader(service()[0], batch_size=10)
    uploader.upload(events(3), "s", {"is_realtime": "true"})
    with pytest.raises(UsageError, match="has columns"):
        uploader.upload(events(3)[["id", "_id", "amount", "date"]], "s", {"is_realtime": "true"})
    with pytest.raises(UsageError, match="opened with options"):
        uploader.upload(events(3), "s")


@pytest.mark.parametrize(
    ("call", "fragment"),
    [
        (lambda u: u.upload(events(1), "../x"), "stream name"),
        (lambda u: u.upload([1, 2], "s"), "pandas DataFrame"),
        (lambda u: u.upload(events(1), "s", {"urgent": True}), "upload option"),
        (lambda u: u.flush("never-opened"), "no stream named"),
    ],
)
def test_misuse_gets_a_clear_error(call, fragment):
    with pytest.raises(UsageError, match=fragment):
        call(ResultBatchUploader(service()[0]))


def test_flushing_empty_streams_uploads_nothing():
    svc, host = service()
    uploader = ResultBatchUploader(svc, batch_size=10)
    uploader.upload(events(0), "empty")
    uploader.flush()
    assert host.uploads == []
    assert uploader.get_status() == {"empty": {"buffered_rows": 0, "uploaded_rows": 0, "uploaded_batches": 0}}
