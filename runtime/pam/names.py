"""Validation of names that become paths or URLs: tokens, endpoints, streams, files."""

from __future__ import annotations

import re

from pam.errors import BadRequestError

MAX_NAME_LENGTH = 128
_SAFE = re.compile(r"[A-Za-z0-9._-]+")


def check_name(value: object, what: str, error: type[Exception] = BadRequestError) -> str:
    """Return ``value`` if it is a safe single path segment, else raise ``error`` saying why.

    Safe means 1 to 128 of letters, digits, ``-``, ``_`` and ``.``, and not ``.`` or ``..``:
    such a name can never climb out of the folder it is joined to.
    """
    if not isinstance(value, str) or not value:
        raise error(f"{what} is required")
    if len(value) > MAX_NAME_LENGTH:
        raise error(f"{what} is longer than {MAX_NAME_LENGTH} characters")
    if not _SAFE.fullmatch(value) or value in {".", ".."}:
        raise error(f"{what} {value!r} may hold only letters, digits, '-', '_' and '.' (and is not '.' or '..')")
    return value
