"""The plugin's calls to CDP (spec §2): page requests, streamed uploads, SQLite state.

Every call is retried on transient failures (connection errors, timeouts, 429, 5xx) with
exponential backoff and full jitter, honouring ``Retry-After``, bounded in attempts and in
total time. Each attempt reopens the file and builds a fresh multipart encoder, so a retry
never sends a half-read body; other 4xx answers fail at once.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any, TypeVar

import requests
from requests_toolbelt import MultipartEncoder
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception,
    stop_after_attempt,
    stop_before_delay,
    wait_random_exponential,
)

from pam.errors import CDPError
from pam.settings import Settings, settings

T = TypeVar("T")
CONNECT_TIMEOUT = 10.0
CHUNK = 1 << 20


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 6
    max_seconds: float = 600.0
    backoff: float = 1.0
    backoff_max: float = 60.0
    timeout: float = 300.0

    @classmethod
    def from_settings(cls, values: Settings | None = None) -> RetryPolicy:
        values = values or settings()
        return cls(
            attempts=values.retry_attempts,
            max_seconds=values.retry_max_seconds,
            backoff=values.retry_backoff,
            backoff_max=values.retry_backoff_max,
            timeout=values.http_timeout,
        )


class CDPClient:
    """Calls CDP's callback URLs for one job; ``logger`` tags retry lines with the job."""

    def __init__(self, policy: RetryPolicy | None = None, logger: logging.Logger | logging.LoggerAdapter | None = None):
        self.policy = policy or RetryPolicy.from_settings()
        self.log = logger or logging.getLogger(__name__)

    def request_page(
        self, url: str, token: str, page: str, file_format: str, filter_contact_ids: list[str] | None = None
    ) -> None:
        """Ask CDP for a page; it answers at once and delivers the page later as a ``dataset`` command."""
        body: dict[str, Any] = {"page": page, "token": token, "file_format": file_format}
        if filter_contact_ids is not None:
            body["filter_contact_ids"] = list(filter_contact_ids)
        self._retry(f"data request for page {page!r}", lambda: self._check(self._post(url, json=body)))

    def upload_file(
        self, url: str, path: str | os.PathLike, fields: Mapping[str, str] | None = None, content_type: str = "text/csv"
    ) -> None:
        """Upload ``path`` as multipart field ``file`` (plus ``fields``), streamed from disk."""
        path = Path(path)

        def attempt() -> None:
            with open(path, "rb") as handle:
                encoder = MultipartEncoder({**(fields or {}), "file": (path.name, handle, content_type)})
                response = self._post(url, data=encoder, headers={"Content-Type": encoder.content_type})
            self._check(response)

        self._retry(f"upload of {path.name}", attempt)

    def download_sqlite(self, url: str, token: str, file_name: str, is_shared: bool, dest: Path) -> Path | None:
        """Save CDP's stored SQLite file to ``dest``; None when CDP has none stored yet (404)."""
        body = {"file_name": file_name, "is_shared": is_shared, "token": token}
        partial = dest.with_name(dest.name + ".part")

        def attempt() -> Path | None:
            with self._post(url, json=body, stream=True) as response:
                if response.status_code == 404:
                    return None
                self._check(response)
                with open(partial, "wb") as out:
                    for chunk in response.iter_content(CHUNK):
                        out.write(chunk)
            os.replace(partial, dest)
            return dest

        try:
            return self._retry(f"SQLite download of {file_name!r}", attempt)
        finally:
            partial.unlink(missing_ok=True)

    def upload_sqlite(self, url: str, token: str, file_name: str, is_shared: bool, path: Path) -> None:
        """Store ``path`` in CDP under ``file_name``, replacing what was there."""
        fields = {"file_name": file_name, "is_shared": "true" if is_shared else "false", "token": token}
        self.upload_file(url, path, fields, content_type="application/octet-stream")

    def _post(self, url: str, **kwargs: Any) -> requests.Response:
        return requests.post(url, timeout=(CONNECT_TIMEOUT, self.policy.timeout), **kwargs)

    @staticmethod
    def _check(response: requests.Response) -> None:
        if response.ok:
            return
        detail = response.text[:300].strip()
        raise CDPError(
            f"CDP answered {response.status_code} {response.reason} at {response.url}: {detail}".rstrip(": "),
            status_code=response.status_code,
            retry_after=_retry_after(response.headers.get("Retry-After")),
        )

    def _retry(self, what: str, attempt: Callable[[], T]) -> T:
        retrying = Retrying(
            retry=retry_if_exception(_is_transient),
            stop=stop_after_attempt(self.policy.attempts) | stop_before_delay(self.policy.max_seconds),
            wait=self._wait,
            before_sleep=lambda state: self.log.warning(
                "%s failed (%s); attempt %d of %d, next in %.1f s",
                what,
                state.outcome.exception(),
                state.attempt_number,
                self.policy.attempts,
                state.upcoming_sleep,
            ),
            reraise=True,
        )
        try:
            return retrying(attempt)
        except CDPError as exc:
            raise CDPError(f"{what} failed: {exc.message}", status_code=exc.status_code) from exc
        except requests.RequestException as exc:
            attempts = retrying.statistics.get("attempt_number", 1)
            raise CDPError(f"{what} failed after {attempts} attempt(s): {exc}") from exc

    def _wait(self, state: RetryCallState) -> float:
        backoff = wait_random_exponential(multiplier=self.policy.backoff, max=self.policy.backoff_max)(state)
        retry_after = getattr(state.outcome.exception(), "retry_after", None)
        return max(backoff, retry_after) if retry_after is not None else backoff


def _is_transient(exc: BaseException) -> bool:
    if isinstance(exc, (requests.ConnectionError, requests.Timeout)):
        return True
    status = getattr(exc, "status_code", None)
    return isinstance(exc, CDPError) and status is not None and (status == 429 or status >= 500)


def _retry_after(value: str | None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (seconds or an HTTP date)."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())
