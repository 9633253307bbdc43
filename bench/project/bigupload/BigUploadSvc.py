"""One large ``_upload_result``: how long it takes and how much memory it adds beyond the frame itself."""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np
import pandas as pd

from pam.service import Service


class BigUploadSvc(Service):
    """Builds a ``rows``-row frame, uploads it once, and writes its measurements to ``stats_path``."""

    def on_start(self) -> None:
        rows = int(self.request.runtime_parameters.get("rows", "5000000"))
        began = time.monotonic()
        self.frame = result_frame(rows)  # kept until the job ends, so the RSS baseline holds during the upload
        self.stats = {
            "rows": rows,
            "id_checksum": checksum(self.frame["id"]),
            "build_seconds": time.monotonic() - began,
            "peak_before_mib": status_mib("VmHWM"),
            "rss_before_mib": status_mib("VmRSS"),
        }
        reset_peak()
        self.upload_began = time.monotonic()
        path = Path(self._upload_result(self.frame))  # writes the CSV here, then queues its upload
        self.written_at = time.monotonic()
        self.stats.update(
            csv_bytes=path.stat().st_size,
            write_seconds=self.written_at - self.upload_began,
            write_peak_mib=status_mib("VmHWM"),
            rss_written_mib=status_mib("VmRSS"),
        )
        reset_peak()
        self._exit()

    def on_destroy(self) -> None:
        """Runs once CDP has accepted the upload: the send phase ends here."""
        done = time.monotonic()
        self.stats.update(
            send_seconds=done - self.written_at,
            upload_seconds=done - self.upload_began,
            send_peak_mib=status_mib("VmHWM"),
        )
        Path(self.request.runtime_parameters["stats_path"]).write_text(json.dumps(self.stats))
        self.frame = None


def result_frame(rows: int, seed: int = 7) -> pd.DataFrame:
    """A CDP-shaped result: customer ``id`` and a few agreed columns, one of them a CDP-style date."""
    rng = np.random.default_rng(seed)
    customers = rng.integers(0, rows // 10 + 1, rows)
    return pd.DataFrame(
        {
            "id": pd.Series(customers).map("cus_{:08d}".format),
            "amount": rng.gamma(2.0, 40.0, rows).round(2),
            "score": rng.integers(0, 1000, rows),
            "segment": pd.Categorical.from_codes(rng.integers(0, 4, rows), ["champion", "loyal", "at_risk", "lost"]),
            "last_seen": np.datetime64("2025-01-01 00:00:00", "s") + rng.integers(0, 365 * 86400, rows),
        }
    )


def checksum(values: pd.Series) -> int:
    """An order-independent checksum of a column's text values."""
    return int(pd.util.hash_array(values.astype(str).to_numpy(dtype=object)).sum())


def status_mib(field: str) -> float:
    """A memory figure of this process from ``/proc/self/status`` (VmRSS now, VmHWM the peak), in MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    raise KeyError(field)


def reset_peak() -> None:
    """Set this process's VmHWM back to its current RSS, so the next reading is the peak from now on."""
    Path("/proc/self/clear_refs").write_text("5")
