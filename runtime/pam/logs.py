"""Logging through the standard library: ISO 8601 timestamps with the zone, job lines tagged."""

from __future__ import annotations

import logging
from collections.abc import MutableMapping
from datetime import datetime
from typing import Any

LOGGER_NAME = "pam"
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class IsoFormatter(logging.Formatter):
    """Formats ``asctime`` as local ISO 8601 with milliseconds and the UTC offset."""

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:  # noqa: N802 (logging's name)
        return datetime.fromtimestamp(record.created).astimezone().isoformat(timespec="milliseconds")


def configure_logging(level: int = logging.INFO) -> None:
    """Send pam's logs to stderr in our format, unless the application configured logging itself."""
    logger = logging.getLogger(LOGGER_NAME)
    if logger.handlers or logging.getLogger().handlers:
        return
    handler = logging.StreamHandler()
    handler.setFormatter(IsoFormatter(FORMAT))
    logger.addHandler(handler)
    logger.setLevel(level)


class JobLogger(logging.LoggerAdapter):
    """Prefixes every line with ``[service token]`` so a job's lines can be found in a busy log."""

    def process(self, msg: Any, kwargs: MutableMapping[str, Any]) -> tuple[Any, MutableMapping[str, Any]]:
        extra = self.extra or {}
        return f"[{extra.get('service')} {extra.get('token')}] {msg}", kwargs


def job_logger(service: str, token: str) -> JobLogger:
    """The logger for one job's lines."""
    return JobLogger(logging.getLogger(f"{LOGGER_NAME}.job"), {"service": service, "token": token})
