"""Written the old way: each hook hands its work to a thread of its own and returns."""

import threading

import pandas as pd

from pam.service import Service


class LegacySvc(Service):
    def on_start(self):
        threading.Thread(target=self._request_data).start()

    def on_data_input(self, req):
        threading.Thread(target=self._process, args=(req,)).start()

    def _process(self, req):
        frame = pd.concat(pd.read_csv(path, dtype=str) for path in req.input_files)
        self._upload_result(frame)
        if req.is_end:
            self._exit()
        else:
            self._request_data(req.next)
