"""The typical plugin: read each page's CSVs with pandas, upload the rows in batches, ask for the next page."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pandas as pd

from pam.models.request_command import RequestCommand
from pam.result_batch_uploader import ResultBatchUploader
from pam.service import Service


class PassthroughSvc(Service):
    """Uploads every input row unchanged; writes where its time went to ``stats_path`` when the job ends."""

    def on_start(self) -> None:
        self.batches = ResultBatchUploader(self, batch_size=50_000)
        self.seconds = {"read_csv": 0.0, "write_csv": 0.0, "next_page": 0.0}
        self.pages = 0
        self._ask()

    def on_data_input(self, req: RequestCommand) -> None:
        self.seconds["next_page"] += time.monotonic() - self.asked_at
        for path in req.input_files:
            began = time.monotonic()
            frame = pd.read_csv(path)
            read = time.monotonic()
            self.batches.upload(frame, "rows")  # writes a CSV for each full batch; sending is the framework's
            self.seconds["read_csv"] += read - began
            self.seconds["write_csv"] += time.monotonic() - read
        self.pages += 1
        if not req.is_end:
            self._ask(req.next)
            return
        began = time.monotonic()
        self.batches.flush()
        self.seconds["write_csv"] += time.monotonic() - began
        self.last_hook_end = time.monotonic()
        self._exit()

    def on_destroy(self) -> None:
        """Runs once CDP has accepted every upload: the time after the last page is the upload tail."""
        self.seconds["upload_tail"] = time.monotonic() - getattr(self, "last_hook_end", time.monotonic())
        stats = {"pages": self.pages, "seconds": self.seconds, "batches": self.batches.get_status()}
        Path(self.request.runtime_parameters["stats_path"]).write_text(json.dumps(stats))

    def get_status(self) -> str:
        return f"{self.pages} page(s)"

    def _ask(self, page: str = "") -> None:
        self.asked_at = time.monotonic()
        self._request_data(page)
