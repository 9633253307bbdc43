"""Raises wherever runtime parameter ``fail_in`` says: start, page, background, destroy, init."""

from pam.service import Service


class FaultySvc(Service):
    def __init__(self, task_manager, request):
        super().__init__(task_manager, request)
        self.where = request.runtime_parameters.get("fail_in", "")
        if self.where == "init":
            raise RuntimeError("boom in __init__")
        self.destroyed = 0

    def on_start(self):
        if self.where == "start":
            raise RuntimeError("boom in on_start")
        self._request_data()

    def on_data_input(self, req):
        if self.where == "page":
            raise ValueError("boom in on_data_input")
        if self.where == "background":
            self._run_in_background(self._work)
            return
        self._exit()

    def _work(self):
        raise KeyError("boom in background work")

    def on_destroy(self):
        if self.where == "destroy":
            raise RuntimeError("boom in on_destroy")
