"""Compatibility helpers that existing plugins import from ``pam.utils``."""

from __future__ import annotations

import logging

from pam.logs import LOGGER_NAME
from pam.report import adapter_id_from_url as get_adapter_id
from pam.report import numbers_to_strings as deep_convert_numbers_to_strings

__all__ = ["deep_convert_numbers_to_strings", "get_adapter_id", "log"]

_logger = logging.getLogger(f"{LOGGER_NAME}.plugin")


def log(msg: str, level: str = "INFO") -> None:
    """Log ``msg`` at ``level`` (a level name such as ``"INFO"`` or ``"ERROR"``) through ``logging``."""
    levelno = logging.getLevelName(str(level).upper())
    _logger.log(levelno if isinstance(levelno, int) else logging.INFO, msg)
