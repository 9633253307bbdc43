"""Where a job's files live: ``<datasource>/YYYY_MM_DD/<service>/<token>``, and their cleanup."""

from __future__ import annotations

import logging
import shutil
import time
import uuid
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from pathlib import Path

from pam.errors import UsageError
from pam.names import check_name
from pam.settings import settings

log = logging.getLogger(__name__)

DAY_FORMAT = "%Y_%m_%d"
INCOMING = ".incoming"

# Paths assigned in code (TempfileUtils.temp_base_path = ...) win over the environment.
_overrides: dict[str, str | None] = {"base": None, "datasource": None}


def set_root(which: str, path: str | None) -> None:
    """Pin the ``"base"`` or ``"datasource"`` root to ``path`` (None: follow the environment)."""
    _overrides[which] = None if path is None else str(path)


def base_root() -> Path:
    return Path(_overrides["base"] or settings().temp_base_path)


def datasource_root() -> Path:
    return Path(_overrides["datasource"] or settings().temp_datasource_path)


def job_dir(service_name: str, token: str, day: date | None = None, create: bool = True) -> Path:
    """The folder of one job, created unless ``create`` is false. Names are checked first."""
    check_name(service_name, "service name", UsageError)
    check_name(token, "token", UsageError)
    folder = datasource_root() / (day or date.today()).strftime(DAY_FORMAT) / service_name / token
    if create:
        folder.mkdir(parents=True, exist_ok=True)
    return folder


def unique_file(folder: Path, prefix: str = "", extension: str = "") -> Path:
    """A fresh path ``<prefix>_<uuid>.<extension>`` in ``folder`` (the file is not created)."""
    extension = extension.lstrip(".")
    if prefix:
        check_name(prefix, "file prefix", UsageError)
    if extension:
        check_name(extension, "file extension", UsageError)
    name = f"{prefix}_{uuid.uuid4().hex}" if prefix else uuid.uuid4().hex
    return folder / (f"{name}.{extension}" if extension else name)


def incoming_dir() -> Path:
    """Where request bodies' files are spooled before they join a job (inside the temp root)."""
    folder = datasource_root() / INCOMING
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def clean(days: int, keep: Iterable[Path] = ()) -> list[Path]:
    """Remove date folders older than ``days`` (negative: all), sparing any that holds a path in ``keep``.

    ``keep`` is read again before each removal, so it may be a live view of running jobs.
    Also removes spooled request files left by a crash (older than a day). Returns what was removed.
    """
    root = datasource_root()
    if not root.is_dir():
        return []
    cutoff = date.today() - timedelta(days=days)
    removed = []
    for folder in sorted(root.iterdir()):
        day = _folder_day(folder)
        if day is None or (days >= 0 and day >= cutoff):
            continue
        if any(_is_within(Path(path).resolve(), folder.resolve()) for path in keep):
            continue
        shutil.rmtree(folder, ignore_errors=True)
        removed.append(folder)
        log.info("removed temp folder %s", folder)
    _clean_incoming(root / INCOMING)
    return removed


def _clean_incoming(folder: Path, max_age: float = 86400.0) -> None:
    if not folder.is_dir():
        return
    now = time.time()
    for path in folder.iterdir():
        if now - path.stat().st_mtime > max_age:
            path.unlink(missing_ok=True)


def _folder_day(folder: Path) -> date | None:
    if not folder.is_dir():
        return None
    try:
        return datetime.strptime(folder.name, DAY_FORMAT).date()
    except ValueError:
        return None


def _is_within(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents
