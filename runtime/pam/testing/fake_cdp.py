"""``FakeCDP``: a CDP on loopback that serves pages as zips and records everything a plugin sends.

It is a real HTTP server (werkzeug, one thread per request). It answers a plugin's data
requests the way CDP does: a quick answer, then the page POSTed back to the plugin as a
``cmd=dataset`` multipart command. Faults can be injected on demand.
"""

from __future__ import annotations

import itertools
import json
import re
import shutil
import socket
import tempfile
import threading
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import flask
import pandas as pd
import requests
from flask import Flask, jsonify, request
from requests_toolbelt import MultipartEncoder
from werkzeug.serving import make_server

from pam.testing.pages import Page, page_rows, write_zip

_STREAM = re.compile(r"^(?P<stream>.+)_[0-9a-f]{32}\.csv$")


@dataclass
class Call:
    """One exchange between plugin and CDP, in the order it happened."""

    kind: str  # start, data_request, dataset, result, report, sqlite_download, sqlite_upload
    token: str
    at: float  # seconds since the fake CDP started
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass
class Upload:
    token: str
    kind: str  # "result" or "report"
    stream: str
    path: Path
    fields: dict[str, str]
    bytes: int


@dataclass
class _Job:
    token: str
    endpoint: str
    plugin_url: str
    pages: Sequence[Page]
    adapter_id: str


@dataclass
class _Faults:
    fail_uploads: int = 0
    fail_status: int = 503
    drop_connection: bool = False
    retry_after: str | None = None
    delay: float = 0.0
    duplicate_pages: int = 0
    truncate_zips: int = 0


class _SpoolingRequest(flask.Request):
    """Writes uploaded files straight into the fake CDP's folder instead of memory or /tmp."""

    spool_dir: Path

    def _get_file_stream(self, total_content_length, content_type, filename=None, content_length=None):
        return tempfile.NamedTemporaryFile(dir=self.spool_dir, suffix=".part", delete=False)  # werkzeug owns it


class FakeCDP:
    """Start it (``with FakeCDP() as cdp:``), then ``start_job`` a plugin's service on some pages."""

    def __init__(self, workdir: str | Path | None = None) -> None:
        self.workdir = Path(workdir or tempfile.mkdtemp(prefix="pam-fake-cdp-"))
        (self.workdir / "uploads").mkdir(parents=True, exist_ok=True)
        (self.workdir / "pages").mkdir(exist_ok=True)
        self.calls: list[Call] = []
        self.uploads: list[Upload] = []
        self.sqlite_files: dict[tuple[str, str], Path] = {}
        self.faults = _Faults()
        self._jobs: dict[str, _Job] = {}
        self._lock = threading.Lock()
        self._deliveries: list[threading.Thread] = []
        self._sequence = itertools.count(1)
        self._started = time.monotonic()
        self._server = None
        self._thread: threading.Thread | None = None
        self.app = self._build_app()

    # -- lifecycle --------------------------------------------------------------------------

    def start(self) -> FakeCDP:
        self._server = make_server("127.0.0.1", 0, self.app, threaded=True)
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), name="fake-cdp", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        for thread in list(self._deliveries):
            thread.join(10)
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeCDP:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("the fake CDP is not started")
        return f"http://127.0.0.1:{self._server.server_port}"

    # -- driving a job ------------------------------------------------------------------------

    def callback_urls(self, token: str, adapter_id: str = "demo-adapter") -> dict[str, str]:
        """The URL fields CDP sends with ``start`` for job ``token`` of adapter ``adapter_id``."""
        return {
            "data": f"{self.url}/api/data",
            "response": f"{self.url}/api/dataadapter/{adapter_id}/response?job={token}",
            "sqlite_download": f"{self.url}/api/sqlite/download",
            "sqlite_upload": f"{self.url}/api/sqlite/upload",
        }

    def add_job(
        self,
        plugin_url: str,
        endpoint: str,
        pages: Sequence[Page] = (),
        token: str | None = None,
        adapter_id: str = "demo-adapter",
    ) -> str:
        """Make job ``token`` known (its pages, where to deliver them) without starting it; return the token."""
        token = token or uuid.uuid4().hex[:12]
        with self._lock:
            self._jobs[token] = _Job(token, endpoint.lstrip("/"), plugin_url.rstrip("/"), list(pages), adapter_id)
        return token

    def start_job(
        self,
        plugin_url: str,
        endpoint: str,
        pages: Sequence[Page],
        params: Mapping[str, str] | None = None,
        token: str | None = None,
        adapter_id: str = "demo-adapter",
    ) -> str:
        """Register ``pages`` for a new job and send ``start`` to the plugin; return the token.

        SQLite files a job stores privately are kept per ``adapter_id``, so later jobs of the
        same adapter find them, as on CDP.
        """
        token = self.add_job(plugin_url, endpoint, pages, token, adapter_id)
        body = {"token": token, "cmd": "start", **self.callback_urls(token, adapter_id), **dict(params or {})}
        response = requests.post(f"{plugin_url.rstrip('/')}/service/{endpoint.lstrip('/')}", json=body, timeout=30)
        self._record("start", token, status=response.status_code, answer=_answer(response))
        if response.status_code != 200:
            raise RuntimeError(f"the plugin refused start: {response.status_code} {_answer(response)}")
        return token

    # -- what was received ---------------------------------------------------------------------

    def results(self, token: str | None = None) -> dict[str, pd.DataFrame]:
        """Uploaded results per stream (file prefix), concatenated in upload order, as text columns."""
        frames: dict[str, list[pd.DataFrame]] = {}
        for upload in self._uploads_of("result", token):
            frames.setdefault(upload.stream, []).append(_read_csv(upload.path))
        return {stream: pd.concat(parts, ignore_index=True) for stream, parts in frames.items()}

    def reports(self, token: str | None = None) -> list[dict[str, Any]]:
        """Uploaded reports: ``name``, ``customer``, ``tracker_name`` and the decoded ``report``."""
        found = []
        for upload in self._uploads_of("report", token):
            row = _read_csv(upload.path).iloc[0]
            column = next(name for name in row.index if name.startswith("data_") and name.endswith("_no_index"))
            found.append(
                {
                    "name": column[len("data_") : -len("_no_index")],
                    "customer": row["customer"],
                    "tracker_name": row["_tracker_name"],
                    "report": json.loads(row[column]),
                }
            )
        return found

    def calls_of(self, kind: str, token: str | None = None) -> list[Call]:
        with self._lock:
            return [call for call in self.calls if call.kind == kind and token in (None, call.token)]

    def _uploads_of(self, kind: str, token: str | None) -> list[Upload]:
        with self._lock:
            return [upload for upload in self.uploads if upload.kind == kind and token in (None, upload.token)]

    # -- fault injection -------------------------------------------------------------------------

    def fail_uploads(self, count: int, status: int = 503, drop: bool = False, retry_after: str | None = None) -> None:
        """Answer the next ``count`` result/report/SQLite uploads with ``status``, or drop the connection."""
        with self._lock:
            self.faults.fail_uploads = count
            self.faults.fail_status = status
            self.faults.drop_connection = drop
            self.faults.retry_after = retry_after

    def delay_answers(self, seconds: float) -> None:
        """Wait ``seconds`` before answering every call from now on (0 to stop)."""
        self.faults.delay = seconds

    def duplicate_pages(self, count: int = 1) -> None:
        """Deliver each of the next ``count`` pages twice."""
        self.faults.duplicate_pages = count

    def truncate_zips(self, count: int = 1) -> None:
        """Cut each of the next ``count`` page zips in half (an unreadable archive)."""
        self.faults.truncate_zips = count

    # -- the HTTP side -----------------------------------------------------------------------------

    def _build_app(self) -> Flask:
        app = Flask("pam_fake_cdp")
        spooling = type("SpoolingRequest", (_SpoolingRequest,), {"spool_dir": self.workdir / "uploads"})
        app.request_class = spooling
        app.before_request(self._before)
        app.add_url_rule("/api/data", "data", self._on_data_request, methods=["POST"])
        app.add_url_rule("/api/dataadapter/<adapter_id>/response", "response", self._on_upload, methods=["POST"])
        app.add_url_rule("/api/sqlite/download", "sqlite_download", self._on_sqlite_download, methods=["POST"])
        app.add_url_rule("/api/sqlite/upload", "sqlite_upload", self._on_sqlite_upload, methods=["POST"])
        return app

    def _before(self) -> None:
        if self.faults.delay:
            time.sleep(self.faults.delay)

    def _on_data_request(self) -> Any:
        body = request.get_json(silent=True)
        if not isinstance(body, dict) or not isinstance(body.get("token"), str):
            return jsonify(message="expected a JSON object with token, page and file_format"), 400
        token, cursor = body["token"], body.get("page", "")
        self._record(
            "data_request",
            token,
            page=cursor,
            file_format=body.get("file_format"),
            filter_contact_ids=body.get("filter_contact_ids"),
        )
        job = self._jobs.get(token)
        if job is None:
            return jsonify(message=f"unknown token {token}"), 404
        index = int(cursor) if isinstance(cursor, str) and cursor.isdigit() else 0 if cursor == "" else None
        if index is None or index >= max(len(job.pages), 1):
            return jsonify(message=f"no page {cursor!r} for token {token}"), 400
        thread = threading.Thread(
            target=self._deliver, args=(job, index), name=f"fake-cdp-deliver-{token}", daemon=True
        )
        self._deliveries = [t for t in self._deliveries if t.is_alive()] + [thread]
        thread.start()
        return jsonify(message="accepted")

    def _deliver(self, job: _Job, index: int) -> None:
        page = job.pages[index] if job.pages else {}
        archive = write_zip(page, self.workdir / "pages" / f"{job.token}_{index:05d}.zip")
        with self._lock:
            truncate = self.faults.truncate_zips > 0
            self.faults.truncate_zips -= truncate
            twice = self.faults.duplicate_pages > 0
            self.faults.duplicate_pages -= twice
        if truncate:
            data = archive.read_bytes()
            archive.write_bytes(data[: len(data) // 2])
        is_end = index + 1 >= len(job.pages)
        for _ in range(2 if twice else 1):
            fields = {
                "token": job.token,
                "cmd": "dataset",
                "is_end": "true" if is_end else "false",
                "next": "" if is_end else str(index + 1),
            }
            with open(archive, "rb") as handle:
                encoder = MultipartEncoder({**fields, "file": (archive.name, handle, "application/zip")})
                try:
                    response = requests.post(
                        f"{job.plugin_url}/service/{job.endpoint}",
                        data=encoder,
                        headers={"Content-Type": encoder.content_type},
                        timeout=60,
                    )
                    status, answer = response.status_code, _answer(response)
                except requests.RequestException as exc:
                    status, answer = None, str(exc)
            self._record(
                "dataset", job.token, page=index, rows=page_rows(page), is_end=is_end, status=status, answer=answer
            )

    def _on_upload(self, adapter_id: str) -> Any:
        token = request.args.get("job", adapter_id)
        failure = self._take_upload_fault()
        if failure is not None:
            return failure
        stored = self._store_file()
        if stored is None:
            return jsonify(message="expected a multipart upload with a file field `file`"), 400
        path, filename = stored
        fields = request.form.to_dict()
        with open(path, "rb") as handle:
            kind = "report" if handle.readline().startswith(b"customer,_tracker_name,data_") else "result"
        match = _STREAM.match(filename)
        upload = Upload(
            token, kind, match["stream"] if match else Path(filename).stem, path, fields, path.stat().st_size
        )
        with self._lock:
            self.uploads.append(upload)
        self._record(kind, token, stream=upload.stream, bytes=upload.bytes, fields=fields, file=filename)
        return jsonify(message="stored")

    def _on_sqlite_download(self) -> Any:
        body = request.get_json(silent=True) or {}
        token, name, shared = body.get("token", ""), body.get("file_name", ""), bool(body.get("is_shared"))
        path = self.sqlite_files.get((self._scope(token, shared), name))
        self._record("sqlite_download", token, file_name=name, is_shared=shared, found=path is not None)
        if path is None:
            return jsonify(message=f"no SQLite file {name!r} stored"), 404
        return flask.send_file(path, mimetype="application/octet-stream")

    def _on_sqlite_upload(self) -> Any:
        failure = self._take_upload_fault()
        if failure is not None:
            return failure
        stored = self._store_file()
        if stored is None:
            return jsonify(message="expected a multipart upload with a file field `file`"), 400
        token, name = request.form.get("token", ""), request.form.get("file_name", "")
        shared = request.form.get("is_shared", "false") == "true"
        with self._lock:
            self.sqlite_files[(self._scope(token, shared), name)] = stored[0]
        self._record("sqlite_upload", token, file_name=name, is_shared=shared, bytes=stored[0].stat().st_size)
        return jsonify(message="stored")

    def _scope(self, token: str, shared: bool) -> str:
        """Shared files are one pool; private ones belong to the job's adapter."""
        job = self._jobs.get(token)
        return "shared" if shared else job.adapter_id if job else token

    def _take_upload_fault(self) -> Any:
        with self._lock:
            if self.faults.fail_uploads <= 0:
                return None
            self.faults.fail_uploads -= 1
            faults = self.faults
        self._record("upload_refused", "", status=None if faults.drop_connection else faults.fail_status)
        while request.stream.read(1 << 20):  # read the body first, so the client sees our answer
            pass
        if faults.drop_connection:
            _drop_connection()
            return ("", 500)
        headers = {"Retry-After": faults.retry_after} if faults.retry_after else {}
        return jsonify(message="injected failure"), faults.fail_status, headers

    def _store_file(self) -> tuple[Path, str] | None:
        upload = request.files.get("file")
        if upload is None:
            return None
        dest = self.workdir / "uploads" / f"{next(self._sequence):06d}_{Path(upload.filename or 'file').name}"
        upload.stream.flush()
        shutil.move(upload.stream.name, dest)
        return dest, Path(upload.filename or "file").name

    def _record(self, kind: str, token: str, **detail: Any) -> None:
        with self._lock:
            self.calls.append(Call(kind, token, round(time.monotonic() - self._started, 4), detail))


def _drop_connection() -> None:
    """Close the client's socket without an answer, as a crashed proxy would."""
    sock = request.environ.get("werkzeug.socket")
    if sock is not None:
        sock.shutdown(socket.SHUT_RDWR)


def _answer(response: requests.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return response.text[:300]


def _read_csv(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


__all__ = ["Call", "FakeCDP", "Upload"]
