"""``Job``: one running job of a service, its worker, its ordered uploads, and how it ends.

A job owns two single-thread executors. The *command* worker runs the service's code
(construction, ``on_start``, each page's ``on_data_input``) one call at a time in arrival
order. The *upload* worker sends results to CDP one by one in the order they were made.
Whatever way the job ends (exit, failure, idle timeout), ``on_destroy`` runs once and the
job leaves the task list; a failure is logged with its traceback and kept for ``GET /tasks``.
"""

from __future__ import annotations

import os
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import CancelledError, Future, ThreadPoolExecutor
from contextlib import contextmanager
from datetime import date, datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pam import temp
from pam.archive import ZipLimits, extract_zip
from pam.cdp import CDPClient, RetryPolicy
from pam.errors import ConflictError, JobEndedError, UsageError
from pam.logs import job_logger
from pam.models.request_command import RequestCommand
from pam.settings import settings

if TYPE_CHECKING:
    from pam.service import Service
    from pam.tasks import TaskManager

RUNNING, EXITING, DONE, FAILED = "running", "exiting", "done", "failed"


class Job:
    """The framework's side of one job: what the service's ``task_manager`` calls go to."""

    def __init__(self, manager: TaskManager, service_cls: type[Service], command: RequestCommand) -> None:
        self.manager = manager
        self.service_cls = service_cls
        self.command = command
        self.token = command.token
        self.endpoint = command.service_name
        self.service: Service | None = None
        self.state = RUNNING
        self.started_on = date.today()
        self.started_at = datetime.now(timezone.utc)
        self.folder = temp.job_dir(self.endpoint, self.token, self.started_on)
        self.logger = job_logger(self.endpoint, self.token)
        self.cdp = CDPClient(RetryPolicy.from_settings(), self.logger)
        self.status_line = "starting"
        self.pages = 0
        self.uploads = 0
        self._pending: list[Path] = []  # files handed to the upload worker, not yet accepted by CDP
        self._asked: set[str] = set()  # page cursors the service asked for
        self._delivered: set[tuple[str, bool]] = set()  # (next, is_end) of the pages taken
        self._busy = 0
        self._last_activity = time.monotonic()
        self._lock = threading.RLock()
        name = f"pam-{self.endpoint}-{self.token}"[:60]
        self._commands = ThreadPoolExecutor(1, thread_name_prefix=name)
        self._uploader = ThreadPoolExecutor(1, thread_name_prefix=f"{name}-upload")

    # -- commands from CDP (request thread) ------------------------------------------

    def submit_start(self) -> None:
        """Queue construction of the service and its ``on_start``."""
        self._submit(self._start)

    def accept_page(self, spooled: Path, command: RequestCommand) -> None:
        """Move a checked page zip into the job's folder and queue its delivery.

        A page is known by its ``next`` cursor and ``is_end``; the same page delivered twice
        (a retried data request, say) is refused rather than processed twice.
        """
        with self._lock:
            self._require((RUNNING,), "its page was not taken")
            page = (command.next, command.is_end)
            if page in self._delivered:
                raise ConflictError(
                    f"job {self.token} already received the page with next={command.next!r}, "
                    f"is_end={str(command.is_end).lower()}; this duplicate was dropped"
                )
            self._delivered.add(page)
            self.pages += 1
            dest = self.folder / "input" / f"page_{self.pages:05d}.zip"
            dest.parent.mkdir(parents=True, exist_ok=True)
            _move(spooled, dest)
            self._submit(self._deliver, dest, command)

    # -- calls from the service (any thread) -----------------------------------------

    def request_data(self, page: str, filter_contact_ids: list[str] | None, file_format: str) -> None:
        url = self._url(self.command.data_api, "data")
        with self._lock:
            if page in self._asked:  # asked again on purpose: its page may come again
                self._delivered.clear()
            self._asked.add(page)
            self._touch()
        self.cdp.request_page(url, self.token, page, file_format, filter_contact_ids)

    def upload_result(self, path: Path, fields: dict[str, str]) -> None:
        url = self._url(self.command.response_api, "response")
        self._queue_upload(path, lambda: self.cdp.upload_file(url, path, fields))

    def upload_report(self, path: Path) -> None:
        url = self._url(self.command.response_api, "response")
        self._queue_upload(path, lambda: self.cdp.upload_file(url, path))

    def request_sqlite(self, file_name: str, is_shared: bool, dest: Path) -> str | None:
        url = self._url(self.command.sqlite_download, "sqlite_download")
        self._touch()
        path = self.cdp.download_sqlite(url, self.token, file_name, is_shared, dest)
        return None if path is None else str(path)

    def upload_sqlite(self, file_name: str, is_shared: bool, path: Path) -> None:
        url = self._url(self.command.sqlite_upload, "sqlite_upload")
        # In line with the results queued before it; its failure is the caller's to handle.
        done = self._queue_upload(
            path, lambda: self.cdp.upload_sqlite(url, self.token, file_name, is_shared, path), fails_job=False
        )
        done.result()

    def run_in_background(self, fn: Callable[..., Any], args: tuple, kwargs: dict) -> threading.Thread:
        with self._lock:
            self._require((RUNNING,), "no background work was started")

        def body() -> None:
            with self._working():
                try:
                    fn(*args, **kwargs)
                except BaseException as exc:  # noqa: BLE001 - any failure of the job's work fails the job
                    self.fail(exc)

        thread = threading.Thread(target=body, name=f"pam-{self.endpoint}-{self.token}-work"[:60], daemon=True)
        thread.start()
        return thread

    def exit(self) -> None:
        """Finish after the command now running and every upload made before this call."""
        with self._lock:
            if self.state != RUNNING:
                return
            self.state = EXITING
            self._commands.submit(self._finish)

    # -- ending ------------------------------------------------------------------------

    def fail(self, error: BaseException | str, defer: bool = False) -> None:
        """End the job as failed: log why, keep unsent files on disk, call ``on_destroy``.

        With ``defer`` (on a request thread), ``on_destroy`` runs on the job's worker instead.
        """
        with self._lock:
            if self.state in (DONE, FAILED):
                self.logger.error("after the job ended: %s", error, exc_info=_exc_info(error))
                return
            self.state = FAILED
            unsent = [str(path) for path in self._pending]
            self._pending.clear()
        self.logger.error("job failed: %s", error, exc_info=_exc_info(error))
        if unsent:
            self.logger.error("not uploaded, kept on disk: %s", ", ".join(unsent))
        if defer:
            self._commands.submit(self._end, _describe(error), unsent)
        else:
            self._end(_describe(error), unsent)

    def terminate(self, reason: str) -> None:
        """Stop the job early (idle timeout, shutdown): ``on_terminate``, then end as failed."""
        with self._lock:
            if self.state in (DONE, FAILED):
                return
        self._call_hook("on_terminate")
        self.fail(reason)

    def idle_seconds(self) -> float:
        """How long the job has done nothing: no command, upload or background work running."""
        with self._lock:
            return 0.0 if self._busy else time.monotonic() - self._last_activity

    def describe(self) -> dict[str, Any]:
        with self._lock:
            return {
                "token": self.token,
                "service": self.endpoint,
                "state": self.state,
                "status": self.status_line,
                "pages": self.pages,
                "uploads": self.uploads,
                "pending_uploads": len(self._pending),
                "started_at": self.started_at.isoformat(timespec="seconds"),
                "idle_seconds": round(self.idle_seconds(), 1),
            }

    # -- inside ------------------------------------------------------------------------

    def _start(self) -> None:
        self.service = self.service_cls(self, self.command)
        self.service.started_on = self.started_on
        self.service.on_start()

    def _deliver(self, archive: Path, command: RequestCommand) -> None:
        command.input_files = extract_zip(archive, archive.with_suffix(""), ZipLimits.from_settings(settings()))
        archive.unlink(missing_ok=True)
        self.service.on_data_input(command)

    def _finish(self) -> None:
        """On the command worker: wait for the uploads made so far, then end the job as done."""
        try:
            self._uploader.submit(lambda: None).result()
        except (RuntimeError, CancelledError):  # an upload failed meanwhile: the job has ended as failed
            return
        with self._lock:
            if self.state != EXITING:
                return
            self.state = DONE
        self.logger.info("job done: %d page(s), %d upload(s)", self.pages, self.uploads)
        self._end()

    def _end(self, reason: str | None = None, unsent: list[str] | None = None) -> None:
        self._commands.shutdown(wait=False, cancel_futures=True)
        self._uploader.shutdown(wait=False, cancel_futures=True)
        self._call_hook("on_destroy")
        self.manager.forget(self, reason, unsent or [])

    def _submit(self, fn: Callable[..., None], *args: Any) -> None:
        """Queue service code on the command worker; it is skipped if the job has ended by then."""
        with self._lock:
            self._require((RUNNING,), "the command was not taken")
            self._touch()
            self._commands.submit(self._run_command, fn, *args)

    def _run_command(self, fn: Callable[..., None], *args: Any) -> None:
        if self.state != RUNNING:
            self.logger.info("skipped %s: the job is %s", fn.__name__.strip("_"), self.state)
            return
        with self._working():
            try:
                fn(*args)
            except BaseException as exc:  # noqa: BLE001 - any failure of service code fails the job
                self.fail(exc)
                return
        self._refresh_status()

    def _queue_upload(self, path: Path, send: Callable[[], None], fails_job: bool = True) -> Future:
        with self._lock:
            self._require((RUNNING,), f"{path} was not uploaded and stays on disk")
            self._pending.append(path)
            self._touch()
            return self._uploader.submit(self._upload, path, send, fails_job)

    def _upload(self, path: Path, send: Callable[[], None], fails_job: bool) -> None:
        self._require((RUNNING, EXITING), f"{path} was not uploaded and stays on disk")
        with self._working():
            try:
                send()
            except Exception as exc:
                if fails_job:
                    self.fail(exc)
                    return
                self._forget_pending(path)
                raise
        self._forget_pending(path)
        with self._lock:
            self.uploads += 1

    def _forget_pending(self, path: Path) -> None:
        with self._lock:
            if path in self._pending:
                self._pending.remove(path)

    def _refresh_status(self) -> None:
        try:
            self.status_line = str(self.service.get_status()) if self.service else self.status_line
        except Exception as exc:  # noqa: BLE001 - a broken get_status must not break the job
            self.status_line = f"get_status() failed: {exc}"

    def _call_hook(self, name: str) -> None:
        if self.service is None:
            return
        try:
            getattr(self.service, name)()
        except Exception:
            self.logger.exception("%s() raised", name)

    def _require(self, states: tuple[str, ...], consequence: str) -> None:
        if self.state not in states:
            raise JobEndedError(f"job {self.token} of {self.endpoint} has ended ({self.state}); {consequence}")

    def _url(self, url: str, field: str) -> str:
        if not url:
            raise UsageError(f"job {self.token} has no `{field}` URL: CDP did not send one with `start`")
        return url

    def _touch(self) -> None:
        self._last_activity = time.monotonic()

    @contextmanager
    def _working(self) -> Iterator[None]:
        with self._lock:
            self._busy += 1
        try:
            yield
        finally:
            with self._lock:
                self._busy -= 1
                self._touch()


def _move(source: Path, dest: Path) -> None:
    try:
        os.replace(source, dest)
    except OSError:  # another filesystem: copy then remove
        shutil.move(str(source), str(dest))


def _describe(error: BaseException | str) -> str:
    return f"{type(error).__name__}: {error}" if isinstance(error, BaseException) else error


def _exc_info(error: BaseException | str) -> BaseException | None:
    return error if isinstance(error, BaseException) else None
