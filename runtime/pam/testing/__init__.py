"""Test a plugin the way CDP runs it: a fake CDP on loopback driving the real server app.

``FakeCDP`` serves pages and records uploads; ``PluginServer`` serves the plugin's app;
``run_job`` drives one job to its end. The pytest fixtures in ``pam.testing.plugin`` wire
them up in one line.
"""

from pam.testing.fake_cdp import Call, FakeCDP, Upload
from pam.testing.harness import JobRun, PluginServer, run_job, wait_for_job
from pam.testing.pages import Page, pages_from_frame, pages_from_frames, pages_from_paths, write_zip

__all__ = [
    "Call",
    "FakeCDP",
    "JobRun",
    "Page",
    "PluginServer",
    "Upload",
    "pages_from_frame",
    "pages_from_frames",
    "pages_from_paths",
    "run_job",
    "wait_for_job",
    "write_zip",
]
