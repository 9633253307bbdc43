"""The report CSV CDP expects: one row holding the report as JSON with every number a string."""

from __future__ import annotations

import csv
import json
import numbers
import re
from pathlib import Path
from typing import Any

import numpy as np

from pam.errors import UsageError

_ADAPTER = re.compile(r"/api/dataadapter/([^/]+)/response/?$")
_REPORT_NAME = re.compile(r"[A-Za-z0-9_-]{1,128}")


def adapter_id_from_url(response_url: str) -> str:
    """The ``<adapter_id>`` of a response URL ``.../api/dataadapter/<adapter_id>/response``."""
    path = response_url.split("?", 1)[0]
    match = _ADAPTER.search(path)
    if not match:
        raise UsageError(f"response URL {response_url!r} has no '/api/dataadapter/<adapter_id>/response' path")
    return match.group(1)


def numbers_to_strings(value: Any) -> Any:
    """A copy of ``value`` (dicts, lists, tuples nested) in which every number is a string."""
    if isinstance(value, dict):
        return {key: numbers_to_strings(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [numbers_to_strings(item) for item in value]
    if isinstance(value, np.generic):  # numpy scalars, e.g. from df.x.sum() or (df.x > 0).any()
        value = value.item()
    if isinstance(value, numbers.Number) and not isinstance(value, bool):
        return str(value)
    return value


def write_report_csv(path: Path, adapter_id: str, report_name: str, report: dict, tracker_name: str = "") -> Path:
    """Write the one-row report CSV for ``report`` to ``path`` and return ``path``."""
    if not isinstance(report_name, str) or not _REPORT_NAME.fullmatch(report_name):
        raise UsageError(f"report name {report_name!r} may hold only letters, digits, '-' and '_' (1-128 of them)")
    if not isinstance(report, dict):
        raise UsageError(f"a report is a dict, not {type(report).__name__}")
    try:
        body = json.dumps(numbers_to_strings(report), ensure_ascii=False)
    except (TypeError, ValueError) as exc:
        raise UsageError(f"report {report_name!r} cannot be written as JSON: {exc}") from exc
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["customer", "_tracker_name", f"data_{report_name}_no_index"])
        writer.writerow([adapter_id, tracker_name, body])
    return path
