"""The import paths existing plugins use (spec §5) keep working and mean what they meant."""

from __future__ import annotations

import dataclasses
import importlib

import pytest

import pam

SPEC_NAMES = [
    ("pam.service", "Service"),
    ("pam.server", "Server"),
    ("pam.models.request_command", "RequestCommand"),
    ("pam.temp_file_utils", "TempfileUtils"),
    ("pam.result_batch_uploader", "ResultBatchUploader"),
    ("pam.request_file_format", "RequestFileFormat"),
    ("pam.sqlite", "SQLiteDB"),
    ("pam.utils", "log"),
    ("pam.tester_task", "TesterTask"),
]


@pytest.mark.parametrize(("module", "name"), SPEC_NAMES)
def test_spec_import_paths(module, name):
    assert getattr(importlib.import_module(module), name)


def test_request_command_has_the_spec_fields_in_order():
    from pam.models.request_command import RequestCommand

    names = [field.name for field in dataclasses.fields(RequestCommand)]
    assert names == [
        "sqlite_download",
        "sqlite_upload",
        "runtime_parameters",
        "token",
        "cmd",
        "data_api",
        "response_api",
        "is_end",
        "next",
        "input_files",
        "service_name",
        "log_api",
        "sqlite_download_v2",
    ]
    positional = RequestCommand("d", "u", {"k": "v"}, "tok", "start", "data", "resp", False, "2", ["f"], "Svc")
    assert (positional.token, positional.is_end, positional.log_api) == ("tok", False, None)


def test_request_file_format_values():
    from pam.request_file_format import RequestFileFormat

    assert (RequestFileFormat.CSV.value, RequestFileFormat.PARQUET.value) == ("csv", "parquet")


def test_the_package_states_its_public_api():
    assert set(pam.__all__) >= {"Service", "Server", "create_app", "ResultBatchUploader", "TesterTask", "PamError"}
    for name in pam.__all__:
        assert hasattr(pam, name)
    assert pam.__version__ != "0+unknown"


def test_errors_share_one_root_and_the_matching_builtin():
    assert issubclass(pam.BadRequestError, pam.PamError)
    assert issubclass(pam.BadRequestError, ValueError)
    assert issubclass(pam.NotFoundError, LookupError)
    assert (pam.BadRequestError.status, pam.NotFoundError.status, pam.ConflictError.status) == (400, 404, 409)
    assert pam.TooLargeError.status == 413
