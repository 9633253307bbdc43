"""Every setting pam reads from the environment, in one place, read when used (not at import)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from pam.errors import ConfigError


@dataclass(frozen=True)
class Settings:
    server_host: str = "0.0.0.0"
    server_port: int = 8000
    temp_base_path: Path = Path("/app/data")
    temp_datasource_path: Path = Path("/app/data/data_sources")
    temp_clean_days: int = 10
    temp_clean_interval_hours: float | None = 6.0
    job_idle_timeout: float = 2 * 3600.0
    monitor_interval: float = 60.0
    max_request_bytes: int = 1 << 30
    zip_max_bytes: int = 8 << 30
    zip_max_entries: int = 1000
    zip_max_ratio: float = 250.0
    http_timeout: float = 300.0
    retry_attempts: int = 6
    retry_max_seconds: float = 600.0
    retry_backoff: float = 1.0
    retry_backoff_max: float = 60.0

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Build settings from ``environ`` (default ``os.environ``); a bad value raises ConfigError."""
        env = _Env(os.environ if environ is None else environ)
        base = Path(env.text("TEMP_BASE_PATH", str(cls.temp_base_path)))
        return cls(
            server_host=env.text("SERVER_HOST", cls.server_host),
            server_port=env.integer("SERVER_PORT", cls.server_port, minimum=0, maximum=65535),
            temp_base_path=base,
            temp_datasource_path=Path(env.text("TEMP_DATASOURCE_PATH", str(base / "data_sources"))),
            temp_clean_days=env.integer("TEMP_CLEAN_DAYS", cls.temp_clean_days),
            temp_clean_interval_hours=env.optional_number("TEMP_CLEAN_INTERVAL_HOURS", 6.0),
            job_idle_timeout=env.number("PAM_JOB_IDLE_TIMEOUT", cls.job_idle_timeout, positive=True),
            monitor_interval=env.number("PAM_MONITOR_INTERVAL", cls.monitor_interval, positive=True),
            max_request_bytes=env.integer("PAM_MAX_REQUEST_BYTES", cls.max_request_bytes, minimum=1),
            zip_max_bytes=env.integer("PAM_ZIP_MAX_BYTES", cls.zip_max_bytes, minimum=1),
            zip_max_entries=env.integer("PAM_ZIP_MAX_ENTRIES", cls.zip_max_entries, minimum=1),
            zip_max_ratio=env.number("PAM_ZIP_MAX_RATIO", cls.zip_max_ratio, positive=True),
            http_timeout=env.number("PAM_HTTP_TIMEOUT", cls.http_timeout, positive=True),
            retry_attempts=env.integer("PAM_RETRY_ATTEMPTS", cls.retry_attempts, minimum=1),
            retry_max_seconds=env.number("PAM_RETRY_MAX_SECONDS", cls.retry_max_seconds, positive=True),
            retry_backoff=env.number("PAM_RETRY_BACKOFF", cls.retry_backoff, positive=True),
            retry_backoff_max=env.number("PAM_RETRY_BACKOFF_MAX", cls.retry_backoff_max, positive=True),
        )


def settings() -> Settings:
    """The settings as the environment holds them right now."""
    return Settings.from_env()


class _Env:
    """Typed reads of environment variables, each failure naming the variable."""

    def __init__(self, environ: Mapping[str, str]) -> None:
        self.environ = environ

    def text(self, name: str, default: str) -> str:
        value = self.environ.get(name, "").strip()
        return value or default

    def integer(self, name: str, default: int, minimum: int | None = None, maximum: int | None = None) -> int:
        raw = self.environ.get(name, "").strip()
        if not raw:
            return default
        try:
            value = int(raw)
        except ValueError:
            raise ConfigError(f"{name}={raw!r} is not a whole number") from None
        if minimum is not None and value < minimum:
            raise ConfigError(f"{name}={raw!r} must be at least {minimum}")
        if maximum is not None and value > maximum:
            raise ConfigError(f"{name}={raw!r} must be at most {maximum}")
        return value

    def number(self, name: str, default: float, positive: bool = False) -> float:
        raw = self.environ.get(name, "").strip()
        if not raw:
            return default
        try:
            value = float(raw)
        except ValueError:
            raise ConfigError(f"{name}={raw!r} is not a number") from None
        if positive and not value > 0:
            raise ConfigError(f"{name}={raw!r} must be greater than 0")
        return value

    def optional_number(self, name: str, default: float) -> float | None:
        """A positive number, where a variable that is set but empty means "off" (None)."""
        if name in self.environ and not self.environ[name].strip():
            return None
        return self.number(name, default, positive=True)
