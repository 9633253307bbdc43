"""``pam run``: a service of the project on real files, driven end to end by a local fake CDP.

The project's real server app runs on a free loopback port, the fake CDP beside it; the
input is paged the way CDP pages it. Everything CDP would have received is written out.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from pam.cli.project import services
from pam.errors import UsageError
from pam.logs import FORMAT, LOGGER_NAME, IsoFormatter
from pam.server import create_app
from pam.testing import FakeCDP, PluginServer, pages_from_paths, wait_for_job
from pam.testing.fake_cdp import Upload
from pam.testing.pages import csv_rows

SAMPLE = Path(__file__).resolve().parents[1] / "testing" / "data" / "sample_events.csv"
DEFAULT_PAGE_ROWS = 1000


@dataclass
class Progress:
    """What a run has done so far."""

    pages_total: int
    pages_done: int = 0
    rows_in: int = 0
    rows_out: int = 0
    uploads: int = 0
    seconds: float = 0.0


@dataclass
class RunResult:
    ok: bool
    reason: str | None
    out: Path
    summary: dict[str, Any]
    log_lines: list[str] = field(repr=False)


def run_service(
    root: Path,
    name: str,
    inputs: Sequence[Path] = (),
    page_rows: int = DEFAULT_PAGE_ROWS,
    params: Mapping[str, str] | None = None,
    out: Path | None = None,
    dry_run: bool = False,
    timeout: float = 600.0,
    progress: Callable[[Progress], None] | None = None,
) -> RunResult:
    """Run service ``name`` of project ``root`` on ``inputs`` (default: the sample data); write to ``out``."""
    if name not in services(root):
        listed = ", ".join(services(root)) or "none yet (add one with `pam new service <name>`)"
        raise UsageError(f"no service {name!r} in {root}; services: {listed}")
    try:
        pages = pages_from_paths(list(inputs) or [SAMPLE], page_rows)
    except KeyError as exc:
        raise UsageError(f"the input has no {exc} column; CDP input has `_id`, `id`, then agreed columns") from exc
    except (OSError, ValueError) as exc:
        raise UsageError(f"the input cannot be read: {exc}") from exc
    params = {**(params or {}), **({"dry_run": "true"} if dry_run else {})}
    out = (out or root / "pam-run" / f"{name}-{datetime.now():%Y%m%d-%H%M%S}").resolve()
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="pam-run-") as work, _captured_logs(out / "plugin.log") as lines:
        work = Path(work)
        with _environ(TEMP_BASE_PATH=str(work / "data"), TEMP_DATASOURCE_PATH=str(work / "data" / "data_sources")):
            app = create_app(root)
            registry = app.extensions["pam"].registry
            if name in registry.errors:
                app.extensions["pam"].close()
                raise UsageError(f"service {name} cannot be loaded: {registry.errors[name]}")
            endpoint = next(endpoint for endpoint, folder in registry.folders.items() if folder == name)
            with FakeCDP(work / "cdp") as cdp, PluginServer(app) as plugin:
                tracker = _Tracker(cdp, len(pages), progress)
                token = cdp.start_job(plugin.url, endpoint, pages, params=params)
                try:
                    failure = wait_for_job(plugin.url, token, timeout, poll=0.1, on_poll=tracker.update)
                    status, reason = ("failed", failure["reason"]) if failure else ("done", None)
                except TimeoutError:
                    status, reason = "timed out", f"the job was still running after {timeout:g} s"
                tracker.update()
            summary = _write_outputs(cdp, token, out, tracker.progress, pages, status, reason, params)
    summary.update(service=name, endpoint=endpoint, token=token)
    (out / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    ok = status == "done" and not summary["failures"]
    if ok is False and reason is None:
        reason = "; ".join(summary["failures"])
    return RunResult(ok, reason, out, summary, lines)


class _Tracker:
    """Follows the fake CDP's records to report progress while the job runs."""

    def __init__(self, cdp: FakeCDP, pages_total: int, report: Callable[[Progress], None] | None) -> None:
        self.cdp, self.report = cdp, report
        self.progress = Progress(pages_total)
        self.started = time.monotonic()
        self._rows: dict[Path, int] = {}

    def update(self) -> None:
        delivered = [call for call in self.cdp.calls_of("dataset") if call.detail.get("status") == 200]
        results = [upload for upload in list(self.cdp.uploads) if upload.kind == "result"]
        self.progress.pages_done = len(delivered)
        self.progress.rows_in = sum(call.detail["rows"] for call in delivered)
        self.progress.rows_out = sum(self.rows(upload) for upload in results)
        self.progress.uploads = len(self.cdp.uploads)
        self.progress.seconds = time.monotonic() - self.started
        if self.report is not None:
            self.report(self.progress)

    def rows(self, upload: Upload) -> int:
        if upload.path not in self._rows:
            self._rows[upload.path] = csv_rows(upload.path)
        return self._rows[upload.path]


def _write_outputs(
    cdp: FakeCDP,
    token: str,
    out: Path,
    progress: Progress,
    pages: list,
    status: str,
    reason: str | None,
    params: Mapping[str, str],
) -> dict[str, Any]:
    """Results per stream (in upload order), reports, SQLite saves and the transcript; the summary."""
    results: dict[str, Path] = {}
    rows_out: dict[str, int] = {}
    for upload in (upload for upload in cdp.uploads if upload.kind == "result"):
        target = out / "results" / f"{upload.stream}.csv"
        first = upload.stream not in results
        results[upload.stream] = target
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(upload.path, "rb") as source, open(target, "wb" if first else "ab") as sink:
            if not first:
                source.readline()  # each upload has its own header; the stream keeps the first
            shutil.copyfileobj(source, sink, 1 << 20)
        rows_out[upload.stream] = rows_out.get(upload.stream, 0) + csv_rows(upload.path)
    reports = cdp.reports(token)
    (out / "reports.json").write_text(json.dumps(reports, indent=2, ensure_ascii=False) + "\n")
    saved = []
    for (_scope, file_name), path in cdp.sqlite_files.items():
        target = out / "sqlite" / (file_name or "state.sqlite")
        target.parent.mkdir(exist_ok=True)
        shutil.copyfile(path, target)
        saved.append(str(target))
    calls = [{"kind": call.kind, "at": call.at, **call.detail} for call in cdp.calls]
    (out / "calls.json").write_text(json.dumps(calls, indent=2, default=str) + "\n")
    refused_pages = [call for call in cdp.calls_of("dataset", token) if call.detail.get("status") != 200]
    refused_uploads = cdp.calls_of("upload_refused")
    failures = [reason] if reason else []
    failures += [f"page {call.detail['page']} refused: {call.detail['answer']}" for call in refused_pages]
    return {
        "status": status,
        "reason": reason,
        "dry_run": params.get("dry_run") == "true",
        "parameters": dict(params),
        "pages": {"total": len(pages), "delivered": progress.pages_done, "refused": len(refused_pages)},
        "rows_in": progress.rows_in,
        "rows_out": rows_out,
        "uploads": {
            "results": sum(upload.kind == "result" for upload in cdp.uploads),
            "reports": len(reports),
            "sqlite": len(cdp.calls_of("sqlite_upload")),
            "refused": len(refused_uploads),
            "bytes": sum(upload.bytes for upload in cdp.uploads),
        },
        "seconds": round(progress.seconds, 3),
        "failures": failures,
        "outputs": {
            "results": {stream: str(path) for stream, path in results.items()},
            "reports": str(out / "reports.json"),
            "sqlite": saved,
            "calls": str(out / "calls.json"),
            "log": str(out / "plugin.log"),
        },
    }


@contextmanager
def _environ(**values: str) -> Iterator[None]:
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@contextmanager
def _captured_logs(path: Path) -> Iterator[list[str]]:
    """The plugin's log lines, into ``path`` and a list (shown when the run fails)."""
    lines: list[str] = []
    formatter = IsoFormatter(FORMAT)

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(formatter.format(record))

    pam_logger, werkzeug = logging.getLogger(LOGGER_NAME), logging.getLogger("werkzeug")
    to_file = logging.FileHandler(path, encoding="utf-8")
    to_file.setFormatter(formatter)
    handlers, levels = [to_file, Keep()], (pam_logger.level, werkzeug.level)
    for handler in handlers:
        pam_logger.addHandler(handler)
    pam_logger.setLevel(logging.INFO)
    werkzeug.setLevel(logging.WARNING)  # the fake CDP's and the plugin's request lines
    try:
        yield lines
    finally:
        for handler in handlers:
            pam_logger.removeHandler(handler)
        to_file.close()
        pam_logger.setLevel(levels[0])
        werkzeug.setLevel(levels[1])
