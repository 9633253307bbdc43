"""``Service``: the base class of a plugin's service, and what it may ask of the framework."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from datetime import date
from pathlib import Path
from typing import Any, Protocol

import pandas as pd

from pam import temp
from pam.commands import parse_bool
from pam.errors import UsageError
from pam.logs import job_logger
from pam.models.request_command import RequestCommand
from pam.names import check_name
from pam.report import adapter_id_from_url, write_report_csv
from pam.request_file_format import RequestFileFormat

UPLOAD_OPTIONS = ("is_realtime", "is_priority")


class JobHost(Protocol):
    """What a service's calls go to: the running job in the server, or ``TesterTask`` in tests."""

    def request_data(self, page: str, filter_contact_ids: list[str] | None, file_format: str) -> None: ...
    def upload_result(self, path: Path, fields: dict[str, str]) -> None: ...
    def upload_report(self, path: Path) -> None: ...
    def request_sqlite(self, file_name: str, is_shared: bool, dest: Path) -> str | None: ...
    def upload_sqlite(self, file_name: str, is_shared: bool, path: Path) -> None: ...
    def run_in_background(self, fn: Callable[..., Any], args: tuple, kwargs: dict) -> threading.Thread: ...
    def exit(self) -> None: ...


class Service:
    """One job of a plugin's service. Subclasses implement ``on_start`` and ``on_data_input``.

    Both hooks run on the job's own worker thread, one at a time, in the order CDP's
    commands arrived, so they may do their work directly; an exception in either ends the
    job as failed (logged with service and token).
    """

    def __init__(self, task_manager: JobHost, request: RequestCommand) -> None:
        self.task_manager = task_manager
        self.request = request
        self.started_on = date.today()  # the job keeps one temp folder even across midnight
        self.logger = job_logger(request.service_name, request.token)

    # -- what the job is -------------------------------------------------------------

    @property
    def service_name(self) -> str:
        """The service's endpoint name, e.g. ``RfmSegmentSvc``."""
        return self.request.service_name

    @property
    def token(self) -> str:
        return self.request.token

    @property
    def dry_run(self) -> bool:
        """True when CDP sent ``dry_run=true``: the job runs and writes files, but uploads nothing."""
        return parse_bool(self.request.runtime_parameters.get("dry_run", ""), default=False) is True

    @property
    def temp_dir(self) -> Path:
        """This job's temp folder (created on first use). The framework cleans it up, not you."""
        return temp.job_dir(self.service_name, self.token, self.started_on)

    def temp_file(self, prefix: str = "", extension: str = "") -> Path:
        """A fresh, unique path in this job's temp folder."""
        return temp.unique_file(self.temp_dir, prefix, extension)

    # -- hooks a service implements --------------------------------------------------

    def on_start(self) -> None:
        """Called once when the job starts; usually reads parameters and calls ``_request_data()``."""
        raise NotImplementedError(f"{type(self).__name__} must define on_start()")

    def on_data_input(self, req: RequestCommand) -> None:
        """Called once per page: ``req.input_files`` (sorted by name), ``req.is_end``, ``req.next``."""
        raise NotImplementedError(f"{type(self).__name__} must define on_data_input(req)")

    def on_terminate(self) -> None:
        """Called when the framework stops the job early (idle timeout, server shutdown)."""

    def on_destroy(self) -> None:
        """Called once when the job ends, however it ends: release what the job holds."""

    def get_status(self) -> str:
        """A short line about progress, shown in ``GET /tasks``."""
        return "running"

    # -- calls a service makes ---------------------------------------------------------

    def _request_data(
        self,
        page: str = "",
        filter_contact_ids: list[str] | None = None,
        file_format: RequestFileFormat | str = RequestFileFormat.CSV,
    ) -> None:
        """Ask CDP for a page (``""`` for the first, then ``req.next``); it arrives in ``on_data_input``."""
        try:
            file_format = RequestFileFormat(file_format)
        except ValueError:
            raise UsageError(f"file_format {file_format!r} is not one of: csv, parquet") from None
        if filter_contact_ids is not None and (
            isinstance(filter_contact_ids, str) or not all(isinstance(i, str) for i in filter_contact_ids)
        ):
            raise UsageError("filter_contact_ids is a list of strings")
        ids = None if filter_contact_ids is None else list(filter_contact_ids)
        self.task_manager.request_data(page or "", ids, file_format.value)

    def _upload_result(self, df: Any, options: Mapping[str, Any] | None = None) -> str:
        """Write ``df`` to a CSV (header, no index) and upload it to CDP; return the CSV's path.

        ``options``: ``is_realtime`` and ``is_priority`` (booleans). Uploads reach CDP in the
        order they were made; ``_exit()`` waits for them.
        """
        fields = upload_fields(options)
        path = self.temp_file("result", "csv")
        write_csv(df, path)
        self._upload_result_file(path, fields)
        return str(path)

    def _upload_result_file(self, path: Path, fields: dict[str, str]) -> None:
        """Upload a result CSV that is already written (the batch uploader's way in)."""
        if self.dry_run:
            self.logger.info("dry run: kept %s, not uploaded", path)
            return
        self.task_manager.upload_result(Path(path), fields)

    def _upload_report(self, report_name: str, report_dict: dict, tracker_name: str = "") -> str:
        """Upload ``report_dict`` as the report ``report_name``; return the report CSV's path."""
        response = self.request.response_api
        adapter_id = adapter_id_from_url(response) if response else ""
        path = write_report_csv(self.temp_file("report", "csv"), adapter_id, report_name, report_dict, tracker_name)
        if self.dry_run:
            self.logger.info("dry run: kept report %s, not uploaded", path)
        else:
            self.task_manager.upload_report(path)
        return str(path)

    def _request_sqlite(self, file_name: str = "", is_shared: bool = False) -> str | None:
        """Fetch the SQLite file CDP stored under ``file_name``: its local path, or None if none is stored."""
        dest = self.temp_dir / (check_name(file_name, "file_name", UsageError) if file_name else "state.sqlite")
        return self.task_manager.request_sqlite(file_name, bool(is_shared), dest)

    def _upload_sqlite(self, file_name: str = "", is_shared: bool = False, sqlite_file: str = "") -> str:
        """Store ``sqlite_file`` in CDP under ``file_name`` (replacing it); return the stored name."""
        if file_name:
            check_name(file_name, "file_name", UsageError)
        path = Path(sqlite_file) if sqlite_file else None
        if path is None or not path.is_file():
            raise UsageError(f"sqlite_file {sqlite_file!r} is not a file")
        if self.dry_run:
            self.logger.info("dry run: kept %s, not uploaded", path)
        else:
            self.task_manager.upload_sqlite(file_name, bool(is_shared), path)
        return file_name

    def _run_in_background(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> threading.Thread:
        """Run ``fn`` on a thread of its own; if it raises, the job ends as failed (not silently)."""
        return self.task_manager.run_in_background(fn, args, kwargs)

    def _exit(self) -> None:
        """The job is done. The framework finishes its pending uploads, then calls ``on_destroy``."""
        self.task_manager.exit()


def upload_fields(options: Mapping[str, Any] | None) -> dict[str, str]:
    """The form fields of a result upload from its ``options`` (only known keys, as "true"/"false")."""
    fields = {}
    for key, value in (options or {}).items():
        if key not in UPLOAD_OPTIONS:
            raise UsageError(f"upload option {key!r} is not one of: {', '.join(UPLOAD_OPTIONS)}")
        flag = value if isinstance(value, bool) else parse_bool(str(value))
        if flag is None:
            raise UsageError(f"upload option {key}={value!r} is not a boolean")
        fields[key] = "true" if flag else "false"
    return fields


def write_csv(df: Any, path: Path) -> None:
    """Write a pandas (or Dask) DataFrame to ``path`` as CSV with a header and no index column."""
    if isinstance(df, pd.DataFrame):
        df.to_csv(path, index=False)
    elif hasattr(df, "to_csv") and hasattr(df, "npartitions"):  # a Dask DataFrame: one file, not a folder
        df.to_csv(str(path), index=False, single_file=True)
    else:
        raise UsageError(f"a result is a pandas or Dask DataFrame, not {type(df).__name__}")
