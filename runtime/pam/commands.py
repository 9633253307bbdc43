"""Turning the fields of a CDP command into a checked ``RequestCommand`` (no Flask here)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from urllib.parse import urlsplit

from pam.errors import BadRequestError
from pam.models.request_command import RequestCommand
from pam.names import check_name

COMMANDS = ("start", "dataset")
URL_FIELDS = ("data", "response", "sqlite_download", "sqlite_upload", "sqlite_download_v2", "log")
KNOWN_FIELDS = {"token", "cmd", "is_end", "next", "file", *URL_FIELDS}
TRUE = {"true", "1", "yes"}
FALSE = {"false", "0", "no"}


def parse_bool(value: str, default: bool | None = None) -> bool | None:
    """``true/false``, ``1/0``, ``yes/no`` in any case; empty gives ``default``; anything else None."""
    text = value.strip().lower()
    if not text:
        return default
    return True if text in TRUE else False if text in FALSE else None


def parse_positive_int(value: str) -> int | None:
    """A positive whole number written in ASCII digits, else None."""
    text = value.strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 18:
        return None
    return int(text) or None


def parse_command(endpoint: str, fields: Mapping[str, object]) -> RequestCommand:
    """Check ``fields`` (JSON or form values) and build the command for ``endpoint``."""
    values = {str(key): _text(str(key), value) for key, value in fields.items()}
    token = check_name(values.get("token", ""), "token")
    cmd = values.get("cmd", "")
    if cmd not in COMMANDS:
        raise BadRequestError(f"cmd {cmd!r} is not one of: {', '.join(COMMANDS)}")
    for name in URL_FIELDS:
        _check_url(name, values.get(name, ""))
    is_end = parse_bool(values.get("is_end", ""), default=True)
    if is_end is None:
        raise BadRequestError(f"is_end {values['is_end']!r} is not one of true/false, 1/0, yes/no")
    parameters = {key: value for key, value in values.items() if key not in KNOWN_FIELDS}
    _check_builtin_parameters(parameters)
    return RequestCommand(
        sqlite_download=values.get("sqlite_download", ""),
        sqlite_upload=values.get("sqlite_upload", ""),
        runtime_parameters=parameters,
        token=token,
        cmd=cmd,
        data_api=values.get("data", ""),
        response_api=values.get("response", ""),
        is_end=is_end,
        next=values.get("next", ""),
        service_name=endpoint,
        log_api=values.get("log") or None,
        sqlite_download_v2=values.get("sqlite_download_v2") or None,
    )


def _text(name: str, value: object) -> str:
    """CDP sends strings; JSON numbers and booleans become the strings a plugin expects."""
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return json.dumps(value)
    raise BadRequestError(f"field {name!r} must be a string, number or boolean, not {type(value).__name__}")


def _check_url(name: str, value: str) -> None:
    if not value:
        return
    try:
        parts = urlsplit(value)
    except ValueError:
        raise BadRequestError(f"{name} {value!r} is not an http(s) URL") from None
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise BadRequestError(f"{name} {value!r} is not an http(s) URL")


def _check_builtin_parameters(parameters: Mapping[str, str]) -> None:
    if "dry_run" in parameters and parse_bool(parameters["dry_run"], default=False) is None:
        raise BadRequestError(f"dry_run {parameters['dry_run']!r} is not one of true/false, 1/0, yes/no")
    if "batch_size" in parameters and parse_positive_int(parameters["batch_size"]) is None:
        raise BadRequestError(f"batch_size {parameters['batch_size']!r} is not a positive whole number")
