"""Reads each page's CSVs, tags every row with its page and file, uploads them in batches."""

from pathlib import Path

import pandas as pd

from pam.result_batch_uploader import ResultBatchUploader
from pam.service import Service


class EchoSvc(Service):
    def on_start(self):
        self.batches = ResultBatchUploader(self, batch_size=1000)
        self.pages = 0
        self._request_data()

    def on_data_input(self, req):
        self.pages += 1
        for index, path in enumerate(req.input_files):
            frame = pd.read_csv(path, dtype=str, keep_default_na=False)
            frame["page"] = str(self.pages)
            frame["file"] = Path(path).name
            self.batches.upload(frame, f"stream{index}")
        if not req.is_end:
            self._request_data(req.next)
            return
        self.batches.flush()
        if self.request.runtime_parameters.get("report") == "true":
            self._upload_report("summary", {"pages": self.pages, "status": self.batches.get_status()}, "tracker")
        self._exit()

    def get_status(self):
        return f"{self.pages} page(s)"
