"""Starts and then waits: for ``sleep`` seconds in on_start, then for nothing (never exits)."""

import threading

from pam.service import Service


class IdleSvc(Service):
    released = threading.Event()
    terminated = []
    destroyed = []

    def on_start(self):
        seconds = float(self.request.runtime_parameters.get("sleep", "0"))
        if seconds:
            IdleSvc.released.wait(seconds)

    def on_terminate(self):
        IdleSvc.terminated.append(self.token)

    def on_destroy(self):
        IdleSvc.destroyed.append(self.token)
