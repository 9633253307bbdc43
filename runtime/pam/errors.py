"""One root error for everything pam raises; each carries the HTTP status it maps to."""

from __future__ import annotations


class PamError(Exception):
    """Root of pam's errors. ``status`` is the HTTP answer when it reaches the server."""

    status = 500

    def __init__(self, message: str, **context: object) -> None:
        super().__init__(message)
        self.message = message
        self.context = context


class BadRequestError(PamError, ValueError):
    """A command's field is missing or wrong."""

    status = 400


class NotFoundError(PamError, LookupError):
    """No such service or running job."""

    status = 404


class ConflictError(PamError):
    """The command clashes with the state of a job (e.g. a second start)."""

    status = 409


class TooLargeError(PamError, ValueError):
    """A body or archive is beyond a configured limit."""

    status = 413


class ConfigError(PamError, ValueError):
    """An environment variable holds a value pam cannot use."""


class UsageError(PamError, ValueError):
    """Plugin code called the API in a way it does not support."""


class CDPError(PamError):
    """A call to CDP failed for good (after any retries)."""

    def __init__(self, message: str, status_code: int | None = None, retry_after: float | None = None) -> None:
        super().__init__(message, status_code=status_code)
        self.status_code = status_code
        self.retry_after = retry_after


class JobEndedError(PamError, RuntimeError):
    """The job has ended (exited, failed or timed out); it takes no more work."""

    status = 409
