"""pam.commands: checking the fields of a CDP command (spec §1) into a RequestCommand."""

from __future__ import annotations

import pytest

from pam.commands import parse_bool, parse_command, parse_positive_int
from pam.errors import BadRequestError


def cmd(**fields: object):
    """Parse a ``start`` command for endpoint ``EchoSvc`` with ``fields`` on top of a valid token."""
    return parse_command("EchoSvc", {"token": "tok-1", "cmd": "start", **fields})


def test_a_full_command_lands_on_the_request() -> None:
    request = cmd(
        cmd="dataset",
        data="http://cdp/data",
        response="https://cdp/api/dataadapter/a1/response",
        sqlite_download="http://cdp/dl",
        sqlite_upload="http://cdp/ul",
        sqlite_download_v2="http://cdp/dl2",
        log="http://cdp/log",
        is_end="false",
        next="cursor-2",
        file="ignored.zip",
    )
    assert (request.token, request.cmd, request.service_name) == ("tok-1", "dataset", "EchoSvc")
    assert (request.data_api, request.response_api) == ("http://cdp/data", "https://cdp/api/dataadapter/a1/response")
    assert (request.sqlite_download, request.sqlite_upload) == ("http://cdp/dl", "http://cdp/ul")
    assert (request.sqlite_download_v2, request.log_api) == ("http://cdp/dl2", "http://cdp/log")
    assert (request.is_end, request.next) == (False, "cursor-2")
    assert request.runtime_parameters == {}
    assert request.input_files == []


def test_optional_urls_absent_are_none_or_empty() -> None:
    request = cmd()
    assert (request.data_api, request.response_api, request.next) == ("", "", "")
    assert (request.log_api, request.sqlite_download_v2) == (None, None)


def test_token_is_required() -> None:
    with pytest.raises(BadRequestError, match="token is required"):
        parse_command("EchoSvc", {"cmd": "start"})


@pytest.mark.parametrize("token", ["", "../../x", ".", "..", "a/b", "a b", "t\n", "x" * 129])
def test_unsafe_tokens_are_refused(token: str) -> None:
    with pytest.raises(BadRequestError, match="token"):
        cmd(token=token)


def test_a_128_character_token_is_fine() -> None:
    assert cmd(token="x" * 128).token == "x" * 128


@pytest.mark.parametrize("fields", [{"cmd": "stop"}, {"cmd": ""}, {"cmd": "START"}])
def test_unknown_cmd_names_the_allowed_ones(fields: dict) -> None:
    with pytest.raises(BadRequestError, match="is not one of: start, dataset"):
        cmd(**fields)


def test_missing_cmd_names_the_allowed_ones() -> None:
    with pytest.raises(BadRequestError, match="cmd '' is not one of: start, dataset"):
        parse_command("EchoSvc", {"token": "t"})


@pytest.mark.parametrize(
    ("text", "expected"),
    [("true", True), ("TRUE", True), ("1", True), ("Yes", True), ("false", False), ("False", False), ("0", False),
     ("NO", False), (" yes ", True)],
)  # fmt: skip
def test_is_end_spellings(text: str, expected: bool) -> None:
    assert cmd(is_end=text).is_end is expected
    assert parse_bool(text) is expected


def test_is_end_defaults_to_true() -> None:
    assert cmd().is_end is True
    assert cmd(is_end="").is_end is True
    assert parse_bool("", default=False) is False
    assert parse_bool("maybe") is None


@pytest.mark.parametrize("text", ["maybe", "2", "t", "on"])
def test_bad_is_end_is_refused(text: str) -> None:
    with pytest.raises(BadRequestError, match=f"is_end '{text}' is not one of true/false, 1/0, yes/no"):
        cmd(is_end=text)


@pytest.mark.parametrize("field", ["data", "response", "sqlite_download", "sqlite_upload", "sqlite_download_v2", "log"])
@pytest.mark.parametrize("url", ["ftp://cdp/x", "cdp/data", "http://", "javascript:alert(1)", "/api/data"])
def test_url_fields_must_be_http_urls(field: str, url: str) -> None:
    with pytest.raises(BadRequestError, match=f"{field} .* is not an http\\(s\\) URL"):
        cmd(**{field: url})


def test_a_malformed_url_is_a_bad_request() -> None:
    with pytest.raises(BadRequestError, match="data"):
        cmd(data="http://[cdp/data")


def test_json_scalars_become_strings() -> None:
    request = cmd(flag=True, off=False, count=7, ratio=7.5, nothing=None, is_end=False)
    assert request.runtime_parameters == {"flag": "true", "off": "false", "count": "7", "ratio": "7.5", "nothing": ""}
    assert request.is_end is False


@pytest.mark.parametrize("value", [[1, 2], {"a": 1}, []])
def test_nested_values_are_refused(value: object) -> None:
    with pytest.raises(BadRequestError, match="field 'period' must be a string, number or boolean"):
        cmd(period=value)


def test_unknown_fields_go_to_runtime_parameters() -> None:
    request = cmd(period_day="7", segment="gold", dry_run="yes", batch_size="500")
    assert request.runtime_parameters == {"period_day": "7", "segment": "gold", "dry_run": "yes", "batch_size": "500"}


@pytest.mark.parametrize("value", ["true", "False", "1", "no", ""])
def test_dry_run_accepts_booleans(value: str) -> None:
    assert cmd(dry_run=value).runtime_parameters["dry_run"] == value


def test_bad_dry_run_is_refused() -> None:
    with pytest.raises(BadRequestError, match="dry_run 'maybe' is not one of true/false"):
        cmd(dry_run="maybe")


@pytest.mark.parametrize("value", ["0", "-5", "1.5", "abc", "", "١٢", "1e3"])
def test_bad_batch_size_is_refused(value: str) -> None:
    with pytest.raises(BadRequestError, match="is not a positive whole number"):
        cmd(batch_size=value)


@pytest.mark.parametrize(("text", "expected"), [("1", 1), ("50000", 50000), (" 12 ", 12), ("0", None), ("-3", None),
                                                ("+3", None), ("3.0", None), ("", None), ("²", None)])  # fmt: skip
def test_parse_positive_int(text: str, expected: int | None) -> None:
    assert parse_positive_int(text) == expected


def test_a_huge_batch_size_is_a_bad_request() -> None:
    assert parse_positive_int("9" * 5000) is None
    with pytest.raises(BadRequestError, match="batch_size"):
        cmd(batch_size="9" * 5000)


def test_service_name_is_the_endpoint() -> None:
    assert parse_command("RfmSegmentSvc", {"token": "t", "cmd": "dataset"}).service_name == "RfmSegmentSvc"
