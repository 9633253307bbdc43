"""pam.logs and pam.utils: ISO 8601 log lines, job-tagged lines, and the legacy pam.utils.log."""

from __future__ import annotations

import logging
import re
from datetime import datetime, timezone

import pytest

from pam import utils
from pam.logs import FORMAT, IsoFormatter, job_logger

ISO = r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}[+-]\d{2}:\d{2}"


def test_formatter_writes_iso_timestamps_with_the_offset() -> None:
    record = logging.LogRecord("pam.job", logging.WARNING, __file__, 1, "disk %s full", ("/tmp",), None)
    record.created = 1_700_000_000.25
    line = IsoFormatter(FORMAT).format(record)
    assert re.fullmatch(rf"{ISO} WARNING pam\.job: disk /tmp full", line), line
    stamp = datetime.fromisoformat(line.split(" ", 1)[0])
    assert stamp == datetime(2023, 11, 14, 22, 13, 20, 250000, tzinfo=timezone.utc)


def test_job_logger_tags_lines_with_service_and_token(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="pam.job")
    job_logger("EchoSvc", "tok-1").warning("page %d done", 3)
    assert [(r.name, r.levelno, r.getMessage()) for r in caplog.records] == [
        ("pam.job", logging.WARNING, "[EchoSvc tok-1] page 3 done")
    ]


@pytest.mark.parametrize(
    ("level", "expected"),
    [
        ("DEBUG", logging.DEBUG),
        ("INFO", logging.INFO),
        ("warning", logging.WARNING),
        ("WARN", logging.WARNING),
        ("Error", logging.ERROR),
        ("CRITICAL", logging.CRITICAL),
        ("LOUD", logging.INFO),
        ("", logging.INFO),
    ],
)
def test_utils_log_goes_through_logging(caplog: pytest.LogCaptureFixture, level: str, expected: int) -> None:
    caplog.set_level(logging.DEBUG, logger="pam.plugin")
    utils.log("hello 100%", level)
    assert [(r.name, r.levelno, r.getMessage()) for r in caplog.records] == [("pam.plugin", expected, "hello 100%")]


def test_utils_log_defaults_to_info(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="pam.plugin")
    utils.log("plain")
    assert [(r.levelname, r.getMessage()) for r in caplog.records] == [("INFO", "plain")]


def test_utils_keeps_the_legacy_names() -> None:
    assert utils.get_adapter_id("http://cdp/api/dataadapter/a1/response") == "a1"
    assert utils.deep_convert_numbers_to_strings({"n": [1]}) == {"n": ["1"]}
