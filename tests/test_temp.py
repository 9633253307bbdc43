"""pam.temp, pam.temp_file_utils and pam.names: job folders, unique file names, roots and cleanup (spec §4)."""

from __future__ import annotations

import os
import re
import time
from datetime import date, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest

from pam import temp
from pam.errors import BadRequestError, UsageError
from pam.names import check_name
from pam.temp_file_utils import TempfileUtils

TODAY = date.today().strftime("%Y_%m_%d")
UNIQUE = re.compile(r"report_[0-9a-f]{32}\.csv")


def service(token: str = "tok1", started_on: date | None = date(2024, 1, 2)) -> SimpleNamespace:
    return SimpleNamespace(request=SimpleNamespace(token=token), started_on=started_on)


def test_job_folder_layout(pam_temp: Path) -> None:
    path = TempfileUtils.get_temp_path("EchoSvc", "tok1")
    assert path == f"{pam_temp}/{TODAY}/EchoSvc/tok1"
    assert Path(path).is_dir()
    assert temp.job_dir("EchoSvc", "tok2", date(2023, 12, 31), create=False) == pam_temp / "2023_12_31/EchoSvc/tok2"
    assert not (pam_temp / "2023_12_31").exists()


def test_unique_file_names(pam_temp: Path) -> None:
    first = TempfileUtils.get_temp_file_name("EchoSvc", "tok1", "report", "csv")
    second = TempfileUtils.get_temp_file_name("EchoSvc", "tok1", "report", ".csv")
    assert first != second
    for name in (first, second):
        assert Path(name).parent == pam_temp / TODAY / "EchoSvc" / "tok1"
        assert UNIQUE.fullmatch(Path(name).name)
        assert not Path(name).exists()
    assert re.fullmatch(r"[0-9a-f]{32}", temp.unique_file(pam_temp).name)
    assert re.fullmatch(r"x_[0-9a-f]{32}", temp.unique_file(pam_temp, "x").name)


def test_for_service_forms_use_the_services_token_and_start_day(pam_temp: Path) -> None:
    job = pam_temp / "2024_01_02" / "EchoSvc" / "tok1"
    assert TempfileUtils.get_temp_path_for_service(service(), "EchoSvc") == str(job)
    name = TempfileUtils.get_temp_file_name_for_service(service(), "EchoSvc", "report", "csv")
    assert Path(name).parent == job
    assert UNIQUE.fullmatch(Path(name).name)
    assert job.is_dir()
    undated = TempfileUtils.get_temp_path_for_service(SimpleNamespace(request=SimpleNamespace(token="t9")), "EchoSvc")
    assert undated == str(pam_temp / TODAY / "EchoSvc" / "t9")


def test_assigned_roots_redirect_storage_and_read_back(pam_temp: Path, tmp_path: Path) -> None:
    assert TempfileUtils.temp_datasource_path == str(pam_temp)
    assert TempfileUtils.temp_base_path == str(pam_temp.parent)
    TempfileUtils.temp_datasource_path = str(tmp_path / "pinned")
    TempfileUtils.temp_base_path = str(tmp_path / "base")
    assert TempfileUtils.temp_datasource_path == str(tmp_path / "pinned")
    assert TempfileUtils.temp_base_path == str(tmp_path / "base")
    assert TempfileUtils.get_temp_path("EchoSvc", "tok1") == str(tmp_path / "pinned" / TODAY / "EchoSvc" / "tok1")
    TempfileUtils.temp_datasource_path = None
    TempfileUtils.temp_base_path = None
    assert TempfileUtils.temp_datasource_path == str(pam_temp)
    assert TempfileUtils.temp_base_path == str(pam_temp.parent)
    assert TempfileUtils.get_temp_path("EchoSvc", "tok1") == str(pam_temp / TODAY / "EchoSvc" / "tok1")


@pytest.mark.parametrize(("service_name", "token"), [("EchoSvc", "../x"), ("EchoSvc", ""), ("..", "tok"), ("a/b", "t")])
def test_bad_names_raise_usage_error_and_create_nothing(pam_temp: Path, service_name: str, token: str) -> None:
    with pytest.raises(UsageError):
        TempfileUtils.get_temp_path(service_name, token)
    with pytest.raises(UsageError):
        TempfileUtils.get_temp_file_name(service_name, token, "p", "csv")
    with pytest.raises(UsageError):
        TempfileUtils.get_temp_path_for_service(service(token), service_name)
    assert not pam_temp.exists()


@pytest.mark.parametrize(("prefix", "extension"), [("../p", "csv"), ("p", "c/v"), ("p", "c v")])
def test_bad_prefix_or_extension_is_refused(pam_temp: Path, prefix: str, extension: str) -> None:
    with pytest.raises(UsageError, match=r"file (prefix|extension)"):
        temp.unique_file(pam_temp, prefix, extension)


@pytest.mark.parametrize("value", ["a", "A-b_c.9", "x" * 128])
def test_check_name_accepts_safe_segments(value: str) -> None:
    assert check_name(value, "token") == value


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (None, "token is required"),
        ("", "token is required"),
        ("x" * 129, "token is longer than 128 characters"),
        ("..", "token '..' may hold only"),
        ("a b", "token 'a b' may hold only"),
    ],
)
def test_check_name_refuses_unsafe_values(value: object, message: str) -> None:
    with pytest.raises(BadRequestError, match=re.escape(message)):
        check_name(value, "token")


def day_folder(root: Path, days_ago: int) -> Path:
    folder = root / (date.today() - timedelta(days=days_ago)).strftime("%Y_%m_%d") / "EchoSvc" / "tok"
    folder.mkdir(parents=True)
    (folder / "data.csv").write_text("x\n")
    return folder.parent.parent


def test_clean_removes_old_date_folders_only(pam_temp: Path) -> None:
    old, edge, new = day_folder(pam_temp, 11), day_folder(pam_temp, 10), day_folder(pam_temp, 0)
    other = pam_temp / "not_a_date"
    other.mkdir()
    (pam_temp / "2020_01_01").write_text("a file, not a folder")
    assert temp.clean(10) == [old]
    assert sorted(p.name for p in pam_temp.iterdir()) == sorted(["2020_01_01", edge.name, new.name, "not_a_date"])


def test_clean_with_negative_days_removes_every_date_folder(pam_temp: Path) -> None:
    folders = [day_folder(pam_temp, 3), day_folder(pam_temp, 0)]
    (pam_temp / "keepme").mkdir()
    assert temp.clean(-1) == sorted(folders)
    assert [p.name for p in pam_temp.iterdir()] == ["keepme"]


def test_clean_spares_a_folder_holding_a_kept_path(pam_temp: Path) -> None:
    busy, idle = day_folder(pam_temp, 20), day_folder(pam_temp, 30)
    assert temp.clean(5, keep=[busy / "EchoSvc" / "tok"]) == [idle]
    assert (busy / "EchoSvc" / "tok" / "data.csv").read_text() == "x\n"


def test_clean_removes_stale_incoming_files(pam_temp: Path) -> None:
    incoming = temp.incoming_dir()
    assert incoming == pam_temp / ".incoming"
    stale, fresh = incoming / "upload-1.part", incoming / "upload-2.part"
    stale.write_bytes(b"old")
    fresh.write_bytes(b"new")
    two_days_ago = time.time() - 2 * 86400
    os.utime(stale, (two_days_ago, two_days_ago))
    assert temp.clean(10) == []
    assert [p.name for p in incoming.iterdir()] == ["upload-2.part"]


def test_clean_without_a_root_does_nothing(pam_temp: Path) -> None:
    assert temp.clean(-1) == []
    assert not pam_temp.exists()
