"""``ResultBatchUploader``: collect result rows per named stream and upload them in fixed-size batches."""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

from pam.commands import parse_positive_int
from pam.errors import UsageError
from pam.names import check_name
from pam.service import upload_fields

if TYPE_CHECKING:
    from pam.service import Service

DEFAULT_BATCH_SIZE = 50_000


@dataclass
class _Stream:
    columns: list[str]
    fields: dict[str, str]
    frames: deque[pd.DataFrame] = field(default_factory=deque)
    buffered_rows: int = 0
    uploaded_rows: int = 0
    uploaded_batches: int = 0


class ResultBatchUploader:
    """Buffers DataFrames per stream name and uploads every full batch of ``batch_size`` rows.

    A stream's columns and options are fixed by its first frame. ``runtime_parameters
    ["batch_size"]`` (a positive integer) overrides ``batch_size``. Each row is written to
    CSV exactly once, so the cost is linear in the rows uploaded.
    """

    def __init__(self, service: Service, batch_size: int = DEFAULT_BATCH_SIZE) -> None:
        batch_size = parse_positive_int(service.request.runtime_parameters.get("batch_size", "")) or batch_size
        if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
            raise UsageError(f"batch_size {batch_size!r} is not a positive whole number")
        self.service = service
        self.batch_size = batch_size
        self._streams: dict[str, _Stream] = {}
        self._lock = threading.Lock()

    def upload(self, df: pd.DataFrame, name: str = "default", options: Mapping[str, Any] | None = None) -> None:
        """Append ``df``'s rows to stream ``name``; upload each batch that fills up."""
        check_name(name, "stream name", UsageError)
        if not isinstance(df, pd.DataFrame):
            raise UsageError(f"ResultBatchUploader takes a pandas DataFrame, not {type(df).__name__}")
        fields = upload_fields(options)
        columns = [str(column) for column in df.columns]
        with self._lock:
            stream = self._streams.setdefault(name, _Stream(columns, fields))
            if columns != stream.columns:
                raise UsageError(
                    f"stream {name!r} has columns {stream.columns}, this frame has {columns}; "
                    "give results of another shape a stream name of their own"
                )
            if fields != stream.fields:
                raise UsageError(f"stream {name!r} was opened with options {stream.fields}, not {fields}")
            if len(df):
                stream.frames.append(df)
                stream.buffered_rows += len(df)
            while stream.buffered_rows >= self.batch_size:
                self._send(name, stream, self.batch_size)

    def flush(self, name: str | None = None) -> None:
        """Upload the rows left below a full batch, in stream ``name`` or in every stream."""
        with self._lock:
            if name is not None and name not in self._streams:
                raise UsageError(f"no stream named {name!r}; streams: {sorted(self._streams)}")
            for stream_name in [name] if name is not None else list(self._streams):
                stream = self._streams[stream_name]
                if stream.buffered_rows:
                    self._send(stream_name, stream, stream.buffered_rows)

    def get_status(self) -> dict[str, dict[str, int]]:
        """Per stream: rows buffered, rows uploaded, batches uploaded."""
        with self._lock:
            return {
                name: {
                    "buffered_rows": stream.buffered_rows,
                    "uploaded_rows": stream.uploaded_rows,
                    "uploaded_batches": stream.uploaded_batches,
                }
                for name, stream in self._streams.items()
            }

    def _send(self, name: str, stream: _Stream, rows: int) -> None:
        """Write the first ``rows`` buffered rows to one CSV and upload it."""
        path = self.service.temp_file(name, "csv")
        left = rows
        with open(path, "w", newline="", encoding="utf-8") as handle:
            header = True
            while left:
                frame = stream.frames.popleft()
                if len(frame) > left:
                    stream.frames.appendleft(frame.iloc[left:])
                    frame = frame.iloc[:left]
                frame.to_csv(handle, index=False, header=header)
                header = False
                left -= len(frame)
        stream.buffered_rows -= rows
        self.service._upload_result_file(path, stream.fields)
        stream.uploaded_rows += rows
        stream.uploaded_batches += 1
