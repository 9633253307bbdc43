"""The Service base class (pam.service): its calls check what they are given, dry_run, temp paths."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from pam.errors import UsageError
from pam.models.request_command import RequestCommand
from pam.request_file_format import RequestFileFormat
from pam.service import Service, upload_fields, write_csv


class Host:
    """Records every call a service makes to its job."""

    def __init__(self):
        self.calls = []

    def __getattr__(self, name):
        return lambda *args: self.calls.append((name, *args))


def service(**params: str) -> tuple[Service, Host]:
    host = Host()
    request = RequestCommand(
        token="tok",
        service_name="Svc",
        runtime_parameters=params,
        response_api="http://cdp/api/dataadapter/ad-7/response",
    )
    return Service(host, request), host


def test_names_and_temp_folder(pam_temp):
    svc, _ = service()
    assert (svc.service_name, svc.token) == ("Svc", "tok")
    assert svc.temp_dir == pam_temp / date.today().strftime("%Y_%m_%d") / "Svc" / "tok"
    assert svc.temp_file("x", "csv").parent == svc.temp_dir


def test_upload_result_writes_a_csv_without_index_and_hands_it_over():
    svc, host = service()
    frame = pd.DataFrame({"id": ["a", "b"], "score": [1, 2]}, index=[10, 11])
    path = svc._upload_result(frame, {"is_realtime": True, "is_priority": "false"})
    assert Path(path).read_text() == "id,score\na,1\nb,2\n"
    assert host.calls == [("upload_result", Path(path), {"is_realtime": "true", "is_priority": "false"})]


def test_dry_run_writes_but_hands_nothing_over():
    svc, host = service(dry_run="TRUE")
    assert svc.dry_run
    path = svc._upload_result(pd.DataFrame({"id": ["a"]}))
    report = svc._upload_report("r", {"n": 1})
    assert Path(path).is_file()
    assert Path(report).is_file()
    assert host.calls == []


def test_report_uses_the_adapter_id_of_the_response_url():
    svc, host = service()
    path = svc._upload_report("weekly", {"total": 3.5}, tracker_name="t1")
    assert Path(path).read_text().splitlines() == [
        "customer,_tracker_name,data_weekly_no_index",
        'ad-7,t1,"{""total"": ""3.5""}"',
    ]
    assert host.calls == [("upload_report", Path(path))]


def test_request_data_passes_page_filter_and_format():
    svc, host = service()
    svc._request_data()
    svc._request_data("7", ["c1"], RequestFileFormat.PARQUET)
    svc._request_data("8", file_format="parquet")
    assert host.calls == [
        ("request_data", "", None, "csv"),
        ("request_data", "7", ["c1"], "parquet"),
        ("request_data", "8", None, "parquet"),
    ]


@pytest.mark.parametrize(
    ("call", "fragment"),
    [
        (lambda s: s._request_data(file_format="json"), "file_format"),
        (lambda s: s._request_data(filter_contact_ids="c1"), "list of strings"),
        (lambda s: s._upload_result([1, 2]), "DataFrame"),
        (lambda s: s._upload_result(pd.DataFrame(), {"later": True}), "upload option"),
        (lambda s: s._upload_result(pd.DataFrame(), {"is_realtime": "maybe"}), "not a boolean"),
        (lambda s: s._upload_sqlite("db.sqlite", sqlite_file="/nope/missing.sqlite"), "is not a file"),
        (lambda s: s._upload_sqlite("../db", sqlite_file=__file__), "file_name"),
        (lambda s: s._request_sqlite("a/b"), "file_name"),
    ],
)
def test_misuse_gets_a_clear_error(call, fragment):
    svc, host = service()
    with pytest.raises(UsageError, match=fragment):
        call(svc)
    assert host.calls == []


def test_sqlite_calls_go_to_the_job(tmp_path):
    svc, host = service()
    db = tmp_path / "state.sqlite"
    db.write_bytes(b"x")
    assert svc._upload_sqlite("state.sqlite", True, str(db)) == "state.sqlite"
    svc._request_sqlite("state.sqlite")
    assert host.calls[0] == ("upload_sqlite", "state.sqlite", True, db)
    assert host.calls[1] == ("request_sqlite", "state.sqlite", False, svc.temp_dir / "state.sqlite")


def test_hooks_a_service_must_write_say_so():
    svc, _ = service()
    with pytest.raises(NotImplementedError, match="Service must define on_start"):
        svc.on_start()
    assert svc.get_status() == "running"


def test_a_dask_like_frame_is_written_as_one_file(tmp_path):
    class DaskLike:
        npartitions = 2

        def to_csv(self, path, index, single_file):
            Path(path).write_text(f"index={index},single_file={single_file}")

    write_csv(DaskLike(), tmp_path / "out.csv")
    assert (tmp_path / "out.csv").read_text() == "index=False,single_file=True"


def test_upload_fields_take_booleans_and_their_spellings():
    assert upload_fields({"is_realtime": "yes", "is_priority": 0}) == {"is_realtime": "true", "is_priority": "false"}
    assert upload_fields(None) == {}
