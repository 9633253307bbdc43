"""TesterTask (pam.tester_task): the callback test double existing plugin tests use."""

from __future__ import annotations

import pandas as pd
import pytest
from helpers import events

from pam.errors import UsageError
from pam.models.request_command import RequestCommand
from pam.result_batch_uploader import ResultBatchUploader
from pam.service import Service
from pam.tester_task import TesterTask


class PagingSvc(Service):
    """Pages through its input with filter ids, uploads in batches, keeps SQLite state, exits."""

    def on_start(self):
        self.batches = ResultBatchUploader(self, batch_size=40)
        self.state = self._request_sqlite("s.sqlite", True)
        self._request_data(filter_contact_ids=["c1"])

    def on_data_input(self, req):
        for path in req.input_files:
            self.batches.upload(pd.read_csv(path, dtype=str))
        if not req.is_end:
            self._request_data(req.next, filter_contact_ids=["c1"])
            return
        self.batches.flush()
        self._upload_report("done", {"rows": sum(s["uploaded_rows"] for s in self.batches.get_status().values())})
        self._upload_sqlite("s.sqlite", True, self.state)
        self._exit()

    def on_destroy(self):
        self.destroyed = True


def request(**params) -> RequestCommand:
    return RequestCommand(token="tok", cmd="start", service_name="PagingSvc", runtime_parameters=params)


@pytest.fixture
def pages(tmp_path):
    paths = []
    for index in range(3):
        path = tmp_path / f"page{index}.csv"
        events(50, start=index * 50).to_csv(path, index=False)
        paths.append(str(path))
    return paths


def test_a_service_runs_through_its_pages_with_every_callback(pages, tmp_path):
    db = tmp_path / "state.sqlite"
    db.write_bytes(b"db")
    seen, uploads, reports, saved = [], [], [], []
    task = TesterTask()

    def on_request_data(page, filter_contact_ids):
        seen.append((page, filter_contact_ids))
        index = int(page or 0)
        return [pages[index]], index == len(pages) - 1, str(index + 1)

    task.set_on_request_data(on_request_data)
    task.set_on_upload_result(uploads.append)
    task.set_on_upload_report(reports.append)
    task.set_on_request_sqlite(lambda name, shared: str(db) if (name, shared) == ("s.sqlite", True) else None)
    task.set_on_upload_sqlite(lambda *args: saved.append(args))
    svc = PagingSvc(task, request())
    task.test_service(svc)
    task.wait_for_task_done(timeout=10)

    assert task.is_exit
    assert svc.destroyed
    assert seen == [("", ["c1"]), ("1", ["c1"]), ("2", ["c1"])]
    assert [len(pd.read_csv(path)) for path in uploads] == [40, 40, 40, 30]
    assert pd.read_csv(reports[0])["data_done_no_index"].tolist() == ['{"rows": "150"}']
    assert saved == [("s.sqlite", True, str(db))]


def test_a_callback_taking_only_the_page_still_works(pages):
    task = TesterTask()
    task.set_on_request_data(lambda page: ([pages[0]], True, ""))
    task.set_on_upload_result(lambda path: None)
    task.set_on_upload_report(lambda path: None)
    task.set_on_upload_sqlite(lambda *args: None)
    task.test_service(PagingSvc(task, request()))
    with pytest.raises(UsageError, match="sqlite_file"):  # no stored state was offered
        task.wait_for_task_done(timeout=10)


def test_an_exception_in_a_callback_reaches_the_test(pages):
    task = TesterTask()
    task.set_on_request_data(lambda page, ids: ([pages[0]], True, ""))

    def refuse(path):
        raise AssertionError(f"unexpected upload {path}")

    task.set_on_upload_result(refuse)
    task.test_service(PagingSvc(task, request(batch_size="10")))
    with pytest.raises(AssertionError, match="unexpected upload"):
        task.wait_for_task_done(timeout=10)


def test_asking_for_data_without_a_callback_is_an_error():
    task = TesterTask()
    task.test_service(PagingSvc(task, request()))
    with pytest.raises(UsageError, match="set_on_request_data"):
        task.wait_for_task_done(timeout=10)


def test_waiting_gives_up_after_the_timeout():
    class NeverExits(Service):
        def on_start(self):
            pass

    task = TesterTask()
    task.test_service(NeverExits(task, request()))
    with pytest.raises(TimeoutError, match="did not call _exit"):
        task.wait_for_task_done(timeout=0.2)
    assert not task.is_exit
