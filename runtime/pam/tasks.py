"""``TaskManager``: the running jobs by token, the record of failed ones, and the monitor.

The monitor thread ends jobs that have been idle too long and, while no job runs,
removes old temp folders; it never runs on a request and stops as soon as it is told.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Mapping
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from pam import temp
from pam.archive import ZipLimits, check_zip
from pam.errors import BadRequestError, ConflictError, NotFoundError, TooLargeError
from pam.jobs import Job
from pam.models.request_command import RequestCommand
from pam.service import Service
from pam.settings import settings

log = logging.getLogger(__name__)
FAILURES_KEPT = 100


class TaskManager:
    """Starts jobs, routes pages to them, and keeps the list ``GET /tasks`` shows."""

    def __init__(self, services: Mapping[str, type[Service]], temp_clean_days: int | None = None) -> None:
        self.services = dict(services)
        self.temp_clean_days = temp_clean_days
        self._jobs: dict[str, Job] = {}
        self._failed: deque[dict[str, Any]] = deque(maxlen=FAILURES_KEPT)
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._monitor: threading.Thread | None = None
        self._last_clean: float | None = None

    # -- commands ----------------------------------------------------------------------

    def service_class(self, endpoint: str) -> type[Service]:
        try:
            return self.services[endpoint]
        except KeyError:
            raise NotFoundError(f"Service `{endpoint}` Not found.") from None

    def start(self, command: RequestCommand) -> Job:
        """Register a job for ``command`` (before any service code runs), then queue its start."""
        service_cls = self.service_class(command.service_name)
        with self._lock:
            running = self._jobs.get(command.token)
            if running is not None:
                raise ConflictError(
                    f"job {command.token} is already running ({running.endpoint}); the running job was left as it is"
                )
            job = self._jobs[command.token] = Job(self, service_cls, command)
        job.logger.info("start, parameters %s", command.runtime_parameters)
        job.submit_start()
        return job

    def dataset(self, command: RequestCommand, spooled: Path) -> Job:
        """Check a page's zip and hand it to the running job with that token and endpoint."""
        job = self.running_job(command.token, command.service_name)
        try:
            check_zip(spooled, ZipLimits.from_settings(settings()))
        except (BadRequestError, TooLargeError) as exc:
            # The job cannot finish without this page: end it now, not at the idle timeout.
            job.fail(f"a page was refused: {exc.message}", defer=True)
            raise
        job.accept_page(spooled, command)
        return job

    def running_job(self, token: str, endpoint: str) -> Job:
        with self._lock:
            job = self._jobs.get(token)
        if job is None or job.endpoint != endpoint or job.state != "running":
            raise NotFoundError(f"no running job {token} for service {endpoint}: it has ended, or never started")
        return job

    def forget(self, job: Job, reason: str | None = None, unsent: list[str] | None = None) -> None:
        """Remove an ended job; a failed one is kept in the failure record with its unsent files."""
        with self._lock:
            if self._jobs.get(job.token) is job:
                del self._jobs[job.token]
            if reason is not None:
                self._failed.append(
                    {
                        "token": job.token,
                        "service": job.endpoint,
                        "reason": reason,
                        "failed_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                        "unsent_files": list(unsent or []),
                    }
                )

    def snapshot(self) -> dict[str, list[dict[str, Any]]]:
        """Running jobs and recent failures, for ``GET /tasks``."""
        with self._lock:
            jobs = list(self._jobs.values())
            failed = list(self._failed)
        return {"tasks": [job.describe() for job in jobs], "failed": failed}

    def jobs(self) -> list[Job]:
        with self._lock:
            return list(self._jobs.values())

    # -- monitor -----------------------------------------------------------------------

    def start_monitor(self) -> None:
        """Start the monitor thread (once)."""
        if self._monitor is None:
            self._monitor = threading.Thread(target=self._watch, name="pam-monitor", daemon=True)
            self._monitor.start()

    def close(self, timeout: float = 5.0) -> None:
        """Stop the monitor and end every running job (``on_terminate``, then ``on_destroy``)."""
        self._stop.set()
        if self._monitor is not None:
            self._monitor.join(timeout)
        for job in self.jobs():
            job.terminate("the server stopped")

    def housekeep(self) -> None:
        """One round of the monitor: end idle jobs, then clean temp folders when due and idle."""
        current = settings()
        for job in self.jobs():
            if job.idle_seconds() > current.job_idle_timeout:
                job.terminate(f"idle for more than {current.job_idle_timeout:g} s (PAM_JOB_IDLE_TIMEOUT)")
        hours = current.temp_clean_interval_hours
        now = time.monotonic()
        due = hours is not None and (self._last_clean is None or now - self._last_clean >= hours * 3600)
        if due and not self.jobs():
            days = current.temp_clean_days if self.temp_clean_days is None else self.temp_clean_days
            # A job may start while we clean: its folder is spared all the same.
            temp.clean(days, keep=_Folders(self))
            self._last_clean = now

    def _watch(self) -> None:
        while not self._stop.is_set():
            try:
                self.housekeep()
            except Exception:
                log.exception("monitor round failed")
            self._stop.wait(_monitor_interval())


class _Folders:
    """The running jobs' folders, read afresh each time cleanup asks."""

    def __init__(self, manager: TaskManager) -> None:
        self.manager = manager

    def __iter__(self):
        return iter([job.folder for job in self.manager.jobs()])


def _monitor_interval() -> float:
    try:
        return settings().monitor_interval
    except Exception:  # noqa: BLE001 - a bad variable is reported by housekeep; keep a sane pace
        return 60.0
