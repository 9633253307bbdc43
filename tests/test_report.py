"""pam.report: the adapter id of a response URL and the one-row report CSV CDP expects (spec §2)."""

from __future__ import annotations

import csv
import json
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest

from pam.errors import UsageError
from pam.report import adapter_id_from_url, numbers_to_strings, write_report_csv


@pytest.mark.parametrize(
    "url",
    [
        "http://cdp/api/dataadapter/ad-42/response",
        "https://cdp.example:8443/v1/api/dataadapter/ad-42/response/",
        "http://cdp/api/dataadapter/ad-42/response?key=1&x=/api/dataadapter/other/response",
        "http://cdp/api/dataadapter/ad-42/response/?key=1",
    ],
)
def test_adapter_id_from_url(url: str) -> None:
    assert adapter_id_from_url(url) == "ad-42"


@pytest.mark.parametrize(
    "url",
    ["", "http://cdp/api/dataadapter//response", "http://cdp/api/dataadapter/ad/result", "http://cdp/response"],
)
def test_adapter_id_needs_the_response_path(url: str) -> None:
    with pytest.raises(UsageError, match="has no '/api/dataadapter/<adapter_id>/response' path"):
        adapter_id_from_url(url)


def test_numbers_to_strings_walks_nested_values() -> None:
    value = {
        "count": 7,
        "ratio": 7.5,
        "flag": True,
        "off": False,
        "name": "gold",
        "none": None,
        "nested": {"list": [1, 2.25, "3", None], "tuple": (4, "x")},
        "numpy": [np.int64(5), np.float64(0.5), np.float32(1.5), np.uint8(9)],
        "decimal": Decimal("1.10"),
    }
    assert numbers_to_strings(value) == {
        "count": "7",
        "ratio": "7.5",
        "flag": True,
        "off": False,
        "name": "gold",
        "none": None,
        "nested": {"list": ["1", "2.25", "3", None], "tuple": ["4", "x"]},
        "numpy": ["5", "0.5", "1.5", "9"],
        "decimal": "1.10",
    }
    assert numbers_to_strings(True) is True
    assert numbers_to_strings(3) == "3"


def read_rows(path: Path) -> list[list[str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


def test_write_report_csv(tmp_path: Path) -> None:
    report = {"customers": 120, "share": 0.25, "ok": True, "top": [{"id": "c1", "spend": 99}], "note": 'a "b", ç'}
    path = write_report_csv(tmp_path / "report.csv", "ad-42", "rfm_summary", report, tracker_name="tracker-1")
    assert path == tmp_path / "report.csv"
    header, row, *rest = read_rows(path)
    assert rest == []
    assert header == ["customer", "_tracker_name", "data_rfm_summary_no_index"]
    assert row[:2] == ["ad-42", "tracker-1"]
    assert json.loads(row[2]) == {
        "customers": "120",
        "share": "0.25",
        "ok": True,
        "top": [{"id": "c1", "spend": "99"}],
        "note": 'a "b", ç',
    }
    assert report["customers"] == 120  # the caller's dict is not changed


def test_tracker_name_defaults_to_empty(tmp_path: Path) -> None:
    path = write_report_csv(tmp_path / "r.csv", "ad-1", "summary", {})
    assert read_rows(path) == [["customer", "_tracker_name", "data_summary_no_index"], ["ad-1", "", "{}"]]


def test_numpy_booleans_are_written_as_booleans(tmp_path: Path) -> None:
    path = write_report_csv(tmp_path / "r.csv", "ad-1", "summary", {"any": np.bool_(True), "n": np.int64(2)})
    assert json.loads(read_rows(path)[1][2]) == {"any": True, "n": "2"}


@pytest.mark.parametrize("name", ["", "a b", "a/b", "a.b", "x" * 129, None, 7])
def test_bad_report_names_are_refused(tmp_path: Path, name: object) -> None:
    with pytest.raises(UsageError, match="report name"):
        write_report_csv(tmp_path / "r.csv", "ad-1", name, {"a": 1})  # type: ignore[arg-type]
    assert not (tmp_path / "r.csv").exists()


@pytest.mark.parametrize("report", [[1, 2], "text", None, 5])
def test_a_report_must_be_a_dict(tmp_path: Path, report: object) -> None:
    with pytest.raises(UsageError, match=f"a report is a dict, not {type(report).__name__}"):
        write_report_csv(tmp_path / "r.csv", "ad-1", "summary", report)  # type: ignore[arg-type]
    assert not (tmp_path / "r.csv").exists()


def test_a_report_that_is_not_json_is_refused(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="report 'summary' cannot be written as JSON"):
        write_report_csv(tmp_path / "r.csv", "ad-1", "summary", {"when": object()})
    assert not (tmp_path / "r.csv").exists()
