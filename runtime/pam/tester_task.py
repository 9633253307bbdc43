"""``TesterTask``: drive a service in a unit test with callbacks in place of CDP.

The service runs on a worker thread as it does in the server (one hook at a time, in
order). Whatever the service or a callback raises is re-raised by ``wait_for_task_done``,
which also gives up after ``timeout`` seconds instead of hanging.
"""

from __future__ import annotations

import inspect
import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import Any

from pam.errors import UsageError
from pam.service import Service

log = logging.getLogger(__name__)


class TesterTask:
    """Stands in for the job a service runs in; set callbacks, then ``test_service(service)``."""

    __test__ = False  # not a pytest test class, whatever its name says

    def __init__(self) -> None:
        self.is_exit = False
        self.service: Service | None = None
        self._on_request_data: Callable[..., tuple[list[str], bool, str]] | None = None
        self._on_upload_result: Callable[[str], Any] | None = None
        self._on_upload_report: Callable[[str], Any] | None = None
        self._on_request_sqlite: Callable[[str, bool], str | None] | None = None
        self._on_upload_sqlite: Callable[[str, bool, str], Any] | None = None
        self._worker = ThreadPoolExecutor(1, thread_name_prefix="pam-tester")
        self._errors: list[BaseException] = []
        self._done = threading.Event()

    # -- callbacks ------------------------------------------------------------------------

    def set_on_request_data(self, callback: Callable[..., tuple[list[str], bool, str]]) -> None:
        """``callback(page[, filter_contact_ids]) -> (files, is_end, next)`` answers ``_request_data``."""
        self._on_request_data = callback

    def set_on_upload_result(self, callback: Callable[[str], Any]) -> None:
        """``callback(csv_path)`` receives each uploaded result."""
        self._on_upload_result = callback

    def set_on_upload_report(self, callback: Callable[[str], Any]) -> None:
        """``callback(csv_path)`` receives each uploaded report."""
        self._on_upload_report = callback

    def set_on_request_sqlite(self, callback: Callable[[str, bool], str | None]) -> None:
        """``callback(file_name, is_shared) -> path or None`` answers ``_request_sqlite``."""
        self._on_request_sqlite = callback

    def set_on_upload_sqlite(self, callback: Callable[[str, bool, str], Any]) -> None:
        """``callback(file_name, is_shared, sqlite_file)`` receives each SQLite save."""
        self._on_upload_sqlite = callback

    # -- running ---------------------------------------------------------------------------

    def test_service(self, service: Service) -> None:
        """Start ``service`` (its ``on_start`` runs on the worker); then ``wait_for_task_done()``."""
        self.service = service
        self._submit(service.on_start)

    def wait_for_task_done(self, timeout: float = 300.0) -> None:
        """Wait until the service calls ``_exit()``; re-raise the first error; fail after ``timeout``."""
        finished = self._done.wait(timeout)
        if self._errors:
            raise self._errors[0]
        if not finished:
            raise TimeoutError(f"the service did not call _exit() within {timeout:g} s")

    # -- what the service calls (pam.service.JobHost) ------------------------------------

    def request_data(self, page: str, filter_contact_ids: list[str] | None, file_format: str) -> None:
        if self._on_request_data is None:
            raise UsageError("the service asked for data, but set_on_request_data() was not called")
        callback = self._on_request_data
        if filter_contact_ids is not None and _accepts(callback, 2):
            files, is_end, next_page = callback(page, filter_contact_ids)
        else:
            files, is_end, next_page = callback(page)
        request = replace(
            self.service.request, cmd="dataset", input_files=[str(f) for f in files], is_end=is_end, next=next_page
        )
        self._submit(self.service.on_data_input, request)

    def upload_result(self, path: Path, fields: dict[str, str]) -> None:
        self._deliver("set_on_upload_result", self._on_upload_result, str(path))

    def upload_report(self, path: Path) -> None:
        self._deliver("set_on_upload_report", self._on_upload_report, str(path))

    def request_sqlite(self, file_name: str, is_shared: bool, dest: Path) -> str | None:
        return None if self._on_request_sqlite is None else self._on_request_sqlite(file_name, is_shared)

    def upload_sqlite(self, file_name: str, is_shared: bool, path: Path) -> None:
        self._deliver("set_on_upload_sqlite", self._on_upload_sqlite, file_name, is_shared, str(path))

    def run_in_background(self, fn: Callable[..., Any], args: tuple, kwargs: dict) -> threading.Thread:
        thread = threading.Thread(target=self._run, args=(fn, *args), kwargs=kwargs, daemon=True)
        thread.start()
        return thread

    def exit(self) -> None:
        self._submit(self._finish)

    # -- inside ------------------------------------------------------------------------------

    def _finish(self) -> None:
        try:
            self.service.on_destroy()
        finally:
            self.is_exit = True
            self._done.set()

    def _submit(self, fn: Callable[..., Any], *args: Any) -> None:
        self._worker.submit(self._run, fn, *args)

    def _run(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        try:
            fn(*args, **kwargs)
        except BaseException as exc:  # noqa: BLE001 - handed to the test by wait_for_task_done
            self._errors.append(exc)
            self._done.set()

    @staticmethod
    def _deliver(setter: str, callback: Callable[..., Any] | None, *args: Any) -> None:
        if callback is None:
            log.warning("%s() was not called, so %s went unchecked", setter, args[-1])
            return
        callback(*args)


def _accepts(callback: Callable[..., Any], count: int) -> bool:
    """Whether ``callback`` can be called with ``count`` positional arguments."""
    try:
        inspect.signature(callback).bind(*range(count))
    except TypeError:
        return False
    except ValueError:  # no signature to read (some builtins): assume it does
        return True
    return True
