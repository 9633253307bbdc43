"""The HTTP face of a plugin (spec §1): CDP's commands in, JSON answers out.

Requests are only checked and queued here; service code runs on each job's own worker,
so every answer comes in milliseconds. Every error, ours or Flask's, leaves through one
handler as JSON ``{"message": ...}`` with its status.
"""

from __future__ import annotations

import json
import logging
import tempfile
from pathlib import Path
from typing import Any, BinaryIO

import flask
from flask import Flask, jsonify, request
from werkzeug.exceptions import HTTPException, MethodNotAllowed, RequestEntityTooLarge

from pam import temp
from pam.commands import parse_command
from pam.errors import BadRequestError, PamError
from pam.logs import configure_logging
from pam.registry import discover
from pam.settings import settings
from pam.tasks import TaskManager

log = logging.getLogger(__name__)


class PamRequest(flask.Request):
    """Reads the body limit from the environment and spools uploaded files inside the temp root."""

    @property
    def max_content_length(self) -> int | None:
        return settings().max_request_bytes

    def _get_file_stream(
        self,
        total_content_length: int | None,
        content_type: str | None,
        filename: str | None = None,
        content_length: int | None = None,
    ) -> BinaryIO:
        # werkzeug owns the open file from here; the teardown below removes it if no job took it.
        handle = tempfile.NamedTemporaryFile(  # noqa: SIM115
            dir=temp.incoming_dir(), prefix="upload-", suffix=".part", delete=False
        )
        self.__dict__.setdefault("pam_spooled", []).append(Path(handle.name))
        return handle


class Server:
    """Registers the project's services on ``app`` and serves CDP's routes.

    ``project_dir`` defaults to the app's root path (the folder of ``main.py``);
    ``temp_clean_days`` overrides ``TEMP_CLEAN_DAYS``.
    """

    def __init__(
        self,
        app: Flask,
        temp_clean_days: int | None = None,
        project_dir: str | Path | None = None,
        start_monitor: bool = True,
    ) -> None:
        configure_logging()
        self.app = app
        self.project_dir = Path(project_dir or app.root_path)
        self.registry = discover(self.project_dir)
        self.tasks = TaskManager(self.registry.services, temp_clean_days)
        app.request_class = PamRequest
        app.extensions["pam"] = self
        app.add_url_rule("/", "pam_home", self.home, methods=["GET"])
        app.add_url_rule("/service/<endpoint>", "pam_service", self.service_command, methods=["POST"])
        app.add_url_rule("/tasks", "pam_tasks", self.list_tasks, methods=["GET"])
        app.add_url_rule("/status/<endpoint>", "pam_status", self.status, methods=["GET"])
        app.register_error_handler(Exception, error_response)
        app.teardown_request(_remove_spooled_files)
        if start_monitor:
            self.tasks.start_monitor()

    def run(self, host: str | None = None, port: int | None = None) -> None:
        """Serve on ``SERVER_HOST``:``SERVER_PORT`` (default 0.0.0.0:8000) until interrupted."""
        from werkzeug.serving import run_simple

        current = settings()
        try:
            run_simple(host or current.server_host, port or current.server_port, self.app, threaded=True)
        finally:
            self.close()

    def close(self) -> None:
        """Stop the monitor and end the running jobs."""
        self.tasks.close()

    # -- routes --------------------------------------------------------------------------

    def home(self) -> Any:
        names = ", ".join(f"/{name}" for name in sorted(self.registry.services)) or "none"
        return {"message": f"pam data plugin; services: {names}", "load_errors": self.registry.errors}

    def service_command(self, endpoint: str) -> Any:
        self.tasks.service_class(endpoint)
        command = parse_command(endpoint, _request_fields())
        if command.cmd == "start":
            self.tasks.start(command)
        else:
            upload = request.files.get("file")
            if upload is None:
                raise BadRequestError("a dataset command needs the page's zip as the multipart file field `file`")
            self.tasks.dataset(command, Path(upload.stream.name))
        return {"acknowledge": True}

    def list_tasks(self) -> Any:
        return self.tasks.snapshot()

    def status(self, endpoint: str) -> Any:
        self.tasks.service_class(endpoint)
        return {"message": f"OK {endpoint}"}


def create_app(project_dir: str | Path | None = None, temp_clean_days: int | None = None) -> Flask:
    """A Flask app serving the services of ``project_dir`` (default: the working directory).

    For gunicorn: ``gunicorn 'pam.server:create_app()'``, or ``main:app`` in a generated project.
    """
    folder = Path(project_dir or Path.cwd()).resolve()
    app = Flask("pam_plugin", root_path=str(folder))
    Server(app, temp_clean_days=temp_clean_days, project_dir=folder)
    return app


def error_response(error: Exception) -> tuple[Any, int, dict[str, str]]:
    """The one way out for every error: JSON ``{"message": ...}`` with its status."""
    headers: dict[str, str] = {}
    if isinstance(error, PamError):
        status, message = error.status, error.message
    elif isinstance(error, RequestEntityTooLarge):
        limit = settings().max_request_bytes
        status = 413
        message = (
            f"request body is larger than PAM_MAX_REQUEST_BYTES={limit}; "
            "raise the environment variable PAM_MAX_REQUEST_BYTES to accept it"
        )
    elif isinstance(error, HTTPException):
        status, message = error.code or 500, _http_message(error)
        if isinstance(error, MethodNotAllowed) and error.valid_methods:
            headers["Allow"] = ", ".join(error.valid_methods)
    else:
        status, message = 500, f"internal error: {type(error).__name__}: {error}"
    if status >= 500:
        log.error("%s %s failed: %s", request.method, request.path, message, exc_info=error)
    return jsonify(message=message), status, headers


def _http_message(error: HTTPException) -> str:
    if isinstance(error, MethodNotAllowed):
        allowed = ", ".join(error.valid_methods or [])
        return f"{request.method} is not allowed on {request.path}; allowed: {allowed}"
    if error.code == 404:
        return f"no route {request.path}"
    return f"{error.name}: {error.description}"


def _request_fields() -> dict[str, Any]:
    """A command's fields, from a JSON object body or from form fields (multipart or urlencoded)."""
    if request.is_json:
        data = request.get_data(cache=False)
        if not data.strip():
            raise BadRequestError("the JSON body is empty; send an object of fields")
        try:
            body = json.loads(data)
        except (ValueError, UnicodeDecodeError) as exc:
            raise BadRequestError(f"the body is not valid JSON: {exc}") from None
        if not isinstance(body, dict):
            raise BadRequestError(f"a JSON body must be an object of fields, not {type(body).__name__}")
        return body
    return request.form.to_dict(flat=True)


def _remove_spooled_files(_error: BaseException | None = None) -> None:
    """Whatever a request spooled and no job took is removed when the request ends."""
    for path in flask.request.__dict__.get("pam_spooled", []):
        path.unlink(missing_ok=True)
