"""Starts, optionally blocks in on_start, records pages, and never exits on its own.

``sleep`` (seconds) blocks on_start until the test sets ``IdleSvc.released``.
"""

import threading
from pathlib import Path

from pam.service import Service


class IdleSvc(Service):
    released = threading.Event()
    pages = []
    params = {}
    terminated = []
    destroyed = []

    def on_start(self):
        IdleSvc.params[self.token] = dict(self.request.runtime_parameters)
        seconds = float(self.request.runtime_parameters.get("sleep", "0"))
        if seconds:
            IdleSvc.released.wait(seconds)

    def on_data_input(self, req):
        IdleSvc.pages.append((self.token, [Path(path).name for path in req.input_files]))
        if req.runtime_parameters.get("exit") == "true":
            self._exit()

    def on_terminate(self):
        IdleSvc.terminated.append(self.token)

    def on_destroy(self):
        IdleSvc.destroyed.append(self.token)
