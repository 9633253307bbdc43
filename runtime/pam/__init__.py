"""pam: the runtime of PAM Real CDP Data Plugin services.

A plugin is a Flask app whose services subclass ``Service``; ``Server`` (or
``create_app``) serves them to CDP. This module is the public API.
"""

from importlib.metadata import PackageNotFoundError, version

from pam.errors import (
    BadRequestError,
    CDPError,
    ConflictError,
    JobEndedError,
    NotFoundError,
    PamError,
    TooLargeError,
    UsageError,
)
from pam.models.request_command import RequestCommand
from pam.request_file_format import RequestFileFormat
from pam.server import Server, create_app
from pam.service import Service
from pam.sqlite import SQLiteDB
from pam.temp_file_utils import TempfileUtils
from pam.tester_task import TesterTask
from pam.uploader import ResultBatchUploader

try:
    __version__ = version("pam-python")
except PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0+unknown"

__all__ = [
    "BadRequestError",
    "CDPError",
    "ConflictError",
    "JobEndedError",
    "NotFoundError",
    "PamError",
    "RequestCommand",
    "RequestFileFormat",
    "ResultBatchUploader",
    "SQLiteDB",
    "Server",
    "Service",
    "TempfileUtils",
    "TesterTask",
    "TooLargeError",
    "UsageError",
    "__version__",
    "create_app",
]
