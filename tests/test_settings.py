"""pam.settings: every environment variable pam reads, its default, its parsing and its errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from pam.errors import ConfigError
from pam.settings import Settings, settings


def test_defaults() -> None:
    current = Settings.from_env({})
    assert current == Settings()
    assert (current.server_host, current.server_port) == ("0.0.0.0", 8000)
    assert current.temp_base_path == Path("/app/data")
    assert current.temp_datasource_path == Path("/app/data/data_sources")
    assert (current.temp_clean_days, current.temp_clean_interval_hours) == (10, 6.0)
    assert (current.job_idle_timeout, current.monitor_interval) == (7200.0, 60.0)
    assert current.max_request_bytes == 1073741824
    assert (current.zip_max_bytes, current.zip_max_entries, current.zip_max_ratio) == (8 * 1024**3, 1000, 250.0)
    assert current.http_timeout == 300.0
    assert (current.retry_attempts, current.retry_max_seconds) == (6, 600.0)
    assert (current.retry_backoff, current.retry_backoff_max) == (1.0, 60.0)


@pytest.mark.parametrize(
    ("variable", "text", "field", "value"),
    [
        ("SERVER_HOST", "127.0.0.1", "server_host", "127.0.0.1"),
        ("SERVER_PORT", "9001", "server_port", 9001),
        ("SERVER_PORT", "0", "server_port", 0),
        ("TEMP_BASE_PATH", "/srv/pam", "temp_base_path", Path("/srv/pam")),
        ("TEMP_DATASOURCE_PATH", "/srv/ds", "temp_datasource_path", Path("/srv/ds")),
        ("TEMP_CLEAN_DAYS", "3", "temp_clean_days", 3),
        ("TEMP_CLEAN_DAYS", "-1", "temp_clean_days", -1),
        ("TEMP_CLEAN_INTERVAL_HOURS", "0.5", "temp_clean_interval_hours", 0.5),
        ("PAM_JOB_IDLE_TIMEOUT", "30", "job_idle_timeout", 30.0),
        ("PAM_MONITOR_INTERVAL", "2.5", "monitor_interval", 2.5),
        ("PAM_MAX_REQUEST_BYTES", "1024", "max_request_bytes", 1024),
        ("PAM_ZIP_MAX_BYTES", "2048", "zip_max_bytes", 2048),
        ("PAM_ZIP_MAX_ENTRIES", "7", "zip_max_entries", 7),
        ("PAM_ZIP_MAX_RATIO", "1000", "zip_max_ratio", 1000.0),
        ("PAM_HTTP_TIMEOUT", "12", "http_timeout", 12.0),
        ("PAM_RETRY_ATTEMPTS", "1", "retry_attempts", 1),
        ("PAM_RETRY_MAX_SECONDS", "90", "retry_max_seconds", 90.0),
        ("PAM_RETRY_BACKOFF", "0.25", "retry_backoff", 0.25),
        ("PAM_RETRY_BACKOFF_MAX", "8", "retry_backoff_max", 8.0),
        ("PAM_HTTP_TIMEOUT", "  45  ", "http_timeout", 45.0),
        ("PAM_HTTP_TIMEOUT", "   ", "http_timeout", 300.0),
    ],
)
def test_each_variable_is_parsed(variable: str, text: str, field: str, value: object) -> None:
    assert getattr(Settings.from_env({variable: text}), field) == value


@pytest.mark.parametrize(
    ("variable", "text", "why"),
    [
        ("SERVER_PORT", "eighty", "is not a whole number"),
        ("SERVER_PORT", "-1", "must be at least 0"),
        ("TEMP_CLEAN_DAYS", "1.5", "is not a whole number"),
        ("TEMP_CLEAN_INTERVAL_HOURS", "0", "must be greater than 0"),
        ("TEMP_CLEAN_INTERVAL_HOURS", "often", "is not a number"),
        ("PAM_JOB_IDLE_TIMEOUT", "-5", "must be greater than 0"),
        ("PAM_MONITOR_INTERVAL", "nan", "must be greater than 0"),
        ("PAM_MAX_REQUEST_BYTES", "0", "must be at least 1"),
        ("PAM_ZIP_MAX_BYTES", "8G", "is not a whole number"),
        ("PAM_ZIP_MAX_ENTRIES", "0", "must be at least 1"),
        ("PAM_ZIP_MAX_RATIO", "0", "must be greater than 0"),
        ("PAM_HTTP_TIMEOUT", "soon", "is not a number"),
        ("PAM_RETRY_ATTEMPTS", "0", "must be at least 1"),
        ("PAM_RETRY_MAX_SECONDS", "0", "must be greater than 0"),
        ("PAM_RETRY_BACKOFF", "x", "is not a number"),
        ("PAM_RETRY_BACKOFF_MAX", "-1", "must be greater than 0"),
    ],
)
def test_bad_values_name_the_variable_and_value(variable: str, text: str, why: str) -> None:
    with pytest.raises(ConfigError) as caught:
        Settings.from_env({variable: text})
    assert str(caught.value) == f"{variable}={text!r} {why}"


def test_a_port_beyond_65535_is_refused() -> None:
    with pytest.raises(ConfigError, match="SERVER_PORT='70000'"):
        Settings.from_env({"SERVER_PORT": "70000"})


def test_datasource_path_follows_base_path_when_unset() -> None:
    assert Settings.from_env({"TEMP_BASE_PATH": "/srv/pam"}).temp_datasource_path == Path("/srv/pam/data_sources")
    both = Settings.from_env({"TEMP_BASE_PATH": "/srv/pam", "TEMP_DATASOURCE_PATH": "/elsewhere"})
    assert both.temp_datasource_path == Path("/elsewhere")


def test_clean_interval_set_but_empty_means_off() -> None:
    assert Settings.from_env({"TEMP_CLEAN_INTERVAL_HOURS": ""}).temp_clean_interval_hours is None
    assert Settings.from_env({"TEMP_CLEAN_INTERVAL_HOURS": "  "}).temp_clean_interval_hours is None
    assert Settings.from_env({}).temp_clean_interval_hours == 6.0


def test_values_are_read_at_call_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TEMP_DATASOURCE_PATH")
    monkeypatch.setenv("TEMP_BASE_PATH", "/first")
    assert settings().temp_datasource_path == Path("/first/data_sources")
    monkeypatch.setenv("TEMP_BASE_PATH", "/second")
    monkeypatch.setenv("PAM_ZIP_MAX_ENTRIES", "3")
    current = settings()
    assert (current.temp_base_path, current.temp_datasource_path) == (Path("/second"), Path("/second/data_sources"))
    assert current.zip_max_entries == 3
    monkeypatch.setenv("PAM_ZIP_MAX_ENTRIES", "zero")
    with pytest.raises(ConfigError, match="PAM_ZIP_MAX_ENTRIES='zero' is not a whole number"):
        settings()
