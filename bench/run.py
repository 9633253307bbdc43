"""pam's benchmarks: wall time and peak memory of a paged job end to end, and of one large upload.

The plugin is served by gunicorn in a process of its own, so its memory is measured apart from
the fake CDP, which runs here. Everything goes over loopback; all data is generated here.
Run with ``nox -s bench`` (or ``python bench/run.py --help``).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import requests

from pam.testing import FakeCDP, Upload, wait_for_job

PROJECT = Path(__file__).resolve().parent / "project"
CUSTOMERS_PER_PAGE = 10_000  # CDP pages by customers, about 10,000 a page
JOB_TIMEOUT = 1800.0
MIB = 1 << 20
REFERENCE = "earlier product (pam-python 0.2.0): paged 28 s, 260 MB peak; upload 18 s, adding 2x the CSV size to memory"


@dataclass
class Outcome:
    """One benchmark's line in the table, and a line on where its time went."""

    name: str
    rows: int
    seconds: float
    peak_mib: float
    idle_mib: float
    csv_mib: float | None = None
    growth_mib: float | None = None
    detail: str = ""


class Plugin:
    """The bench project under gunicorn (one worker, four threads) on a free loopback port."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = workdir / "plugin.log"
        self.process: subprocess.Popen[bytes] | None = None
        self.worker = 0

    def __enter__(self) -> Plugin:
        env = {
            **os.environ,
            "TEMP_BASE_PATH": str(self.workdir / "plugin"),
            "TEMP_DATASOURCE_PATH": str(self.workdir / "plugin" / "data_sources"),
        }
        command = [sys.executable, "-m", "gunicorn", "--workers", "1", "--threads", "4"]
        command += ["--bind", f"127.0.0.1:{self.port}", f'pam.server:create_app("{PROJECT}")']
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
        self._wait_until_ready()
        return self

    def __exit__(self, *_exc: object) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(30)

    def memory_mib(self, field: str) -> float:
        """``VmRSS`` (now) or ``VmHWM`` (peak) of the gunicorn worker, which runs the jobs, in MiB."""
        return _status_mib(self.worker, field)

    def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}:\n{self.log.read_text()}")
            try:
                home = requests.get(self.url, timeout=1).json()
            except requests.RequestException:
                time.sleep(0.1)
                continue
            if home["load_errors"]:
                raise RuntimeError(f"the bench services did not load: {home['load_errors']}")
            workers = _children(self.process.pid)
            if len(workers) != 1:
                raise RuntimeError(f"expected one gunicorn worker under {self.process.pid}, found {workers}")
            self.worker = workers[0]
            return
        raise TimeoutError(f"the plugin did not answer GET / within 60 s:\n{self.log.read_text()}")


def run_paged(pages: int, page_rows: int, workdir: Path) -> Outcome:
    """``pages`` pages of ``page_rows`` CDP-shaped rows through the passthrough service; every row must come back."""
    page_files, sent = [], 0
    for index in range(pages):
        frame = events(index * page_rows, page_rows, first_customer=index * CUSTOMERS_PER_PAGE)
        path = workdir / "pages" / f"{index:05d}" / "events.csv"
        path.parent.mkdir(parents=True)
        frame.to_csv(path, index=False)
        page_files.append({"events.csv": path})
        sent = (sent + checksum(frame["_id"])) % 2**64
    stats_path = workdir / "paged.json"
    with Plugin(workdir) as plugin, FakeCDP(workdir / "cdp") as cdp:
        idle = plugin.memory_mib("VmRSS")
        began = time.monotonic()
        token = cdp.start_job(plugin.url, "PassthroughSvc", page_files, params={"stats_path": str(stats_path)})
        _finish(plugin.url, token, stats_path)
        seconds = time.monotonic() - began
        peak = plugin.memory_mib("VmHWM")
        uploads = _results(cdp, token)
    rows, received = _received(uploads, "_id")
    if (rows, received) != (pages * page_rows, sent):
        raise AssertionError(f"CDP received {rows} rows (checksum {received}), sent {pages * page_rows} ({sent})")
    stats = json.loads(stats_path.read_text())
    seconds_in = {name: f"{value:.1f} s" for name, value in stats["seconds"].items()}
    detail = (
        f"the service's thread spent {seconds_in['read_csv']} in read_csv, {seconds_in['write_csv']} writing "
        f"batch CSVs, {seconds_in['next_page']} waiting for the next page (fake CDP zips and sends it, pam "
        f"unzips it), {seconds_in['upload_tail']} waiting for the last uploads; "
        f"{len(uploads)} uploads, {sum(upload.bytes for upload in uploads) / MIB:.0f} MiB"
    )
    return Outcome("paged", rows, seconds, peak, idle, detail=detail)


def run_upload(rows: int, workdir: Path) -> Outcome:
    """One ``_upload_result`` of a ``rows``-row frame: its time, and the memory it adds beyond the frame."""
    stats_path = workdir / "upload.json"
    with Plugin(workdir) as plugin, FakeCDP(workdir / "cdp") as cdp:
        idle = plugin.memory_mib("VmRSS")
        began = time.monotonic()
        token = cdp.start_job(plugin.url, "BigUploadSvc", [], params={"stats_path": str(stats_path), "rows": str(rows)})
        _finish(plugin.url, token, stats_path)
        job_seconds = time.monotonic() - began
        stats = json.loads(stats_path.read_text())
        peak = max(stats["peak_before_mib"], plugin.memory_mib("VmHWM"))
        uploads = _results(cdp, token)
    received = _received(uploads, "id")
    if received != (rows, stats["id_checksum"]):
        raise AssertionError(f"CDP received {received} (rows, checksum of id), the service sent {rows} rows")
    csv_mib = stats["csv_bytes"] / MIB
    write_growth = stats["write_peak_mib"] - stats["rss_before_mib"]
    send_growth = stats["send_peak_mib"] - stats["rss_written_mib"]
    detail = (
        f"wall = _upload_result until CDP accepted it (job {job_seconds:.1f} s); frame built in "
        f"{stats['build_seconds']:.1f} s, RSS {stats['rss_before_mib']:.0f} MiB with it; CSV written in "
        f"{stats['write_seconds']:.1f} s (+{write_growth:.0f} MiB), sent in {stats['send_seconds']:.1f} s "
        f"(+{send_growth:.0f} MiB)"
    )
    growth = max(write_growth, stats["send_peak_mib"] - stats["rss_before_mib"])
    return Outcome("upload", rows, stats["upload_seconds"], peak, idle, csv_mib, growth, detail)


def run_scaffold(workdir: Path) -> float:
    """Seconds for ``pam init`` plus ``pam new service`` from this checkout as a local template."""
    pam = Path(sys.executable).with_name("pam")
    repo = Path(__file__).resolve().parents[1]
    began = time.monotonic()
    subprocess.run([pam, "init", "demo", "--template", repo, "--vcs-ref", "HEAD", "--no-git"], cwd=workdir, check=True)
    subprocess.run([pam, "new", "service", "rfm_segment", "--vcs-ref", "HEAD"], cwd=workdir / "demo", check=True)
    return time.monotonic() - began


def events(first_row: int, rows: int, first_customer: int, customers: int = CUSTOMERS_PER_PAGE) -> pd.DataFrame:
    """CDP-shaped input: ``_id`` (event), ``id`` (customer), an amount, a channel and a CDP-style date."""
    rng = np.random.default_rng(first_row)
    return pd.DataFrame(
        {
            "_id": pd.Series(np.arange(first_row, first_row + rows)).map("{:024x}".format),
            "id": pd.Series(first_customer + rng.integers(0, customers, rows)).map("cus_{:08d}".format),
            "amount": rng.gamma(2.0, 40.0, rows).round(2),
            "channel": np.array(["web", "app", "store", "call"])[rng.integers(0, 4, rows)],
            "date": np.datetime64("2025-09-01 00:00:00", "s") + rng.integers(0, 30 * 86400, rows),
        }
    )


def checksum(values: pd.Series) -> int:
    """An order-independent checksum of a column's text values (the same as the upload service's); add mod 2**64."""
    return int(pd.util.hash_array(values.astype(str).to_numpy(dtype=object)).sum())


def _finish(plugin_url: str, token: str, stats_path: Path) -> None:
    """Wait for the job to end; fail loudly if it failed.

    The services write ``stats_path`` as the job ends, so we watch for that file and ask the plugin
    only every second: ``wait_for_job`` alone polls ``GET /tasks`` every 20 ms, which costs both
    processes CPU the job needs on a small machine.
    """
    deadline = time.monotonic() + JOB_TIMEOUT
    next_ask = time.monotonic() + 1
    while not stats_path.exists() and time.monotonic() < deadline:
        if time.monotonic() > next_ask:
            running = requests.get(f"{plugin_url}/tasks", timeout=10).json()["tasks"]
            if all(task["token"] != token for task in running):
                break  # the job left without writing its file (it failed): wait_for_job says why
            next_ask += 1
        time.sleep(0.02)
    failure = wait_for_job(plugin_url, token, max(deadline - time.monotonic(), 1.0))
    if failure is not None:
        raise RuntimeError(f"job {token} failed: {failure['reason']} (unsent: {failure['unsent_files']})")


def _results(cdp: FakeCDP, token: str) -> list[Upload]:
    return [upload for upload in cdp.uploads if upload.token == token and upload.kind == "result"]


def _received(uploads: list[Upload], column: str) -> tuple[int, int]:
    """Rows CDP received and the checksum of their ``column``, read from the stored upload files."""
    rows = total = 0
    for upload in uploads:
        values = pd.read_csv(upload.path, usecols=[column], dtype=str, keep_default_na=False)[column]
        rows += len(values)
        total = (total + checksum(values)) % 2**64
    return rows, total


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _children(pid: int) -> list[int]:
    """Pids of ``pid``'s child processes, read from /proc."""
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(child) for child in (task / "children").read_text().split()]
    return found


def _status_mib(pid: int, field: str) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    raise KeyError(f"{field} not in /proc/{pid}/status")


def print_table(outcomes: list[Outcome]) -> None:
    """The results, one line per benchmark, then where the time went and the earlier product's figures."""

    def cell(value: float | None) -> str:
        return "-" if value is None else f"{value:.0f}"

    print(f"{'benchmark':<10}{'rows':>11}{'wall s':>9}{'peak RSS MiB':>14}{'idle RSS MiB':>14}", end="")
    print(f"{'CSV MiB':>9}{'upload RSS growth MiB':>23}")
    for o in outcomes:
        print(f"{o.name:<10}{o.rows:>11,}{o.seconds:>9.1f}{o.peak_mib:>14.0f}{o.idle_mib:>14.0f}", end="")
        print(f"{cell(o.csv_mib):>9}{cell(o.growth_mib):>23}")
    print()
    for o in outcomes:
        print(f"{o.name}: {o.detail}")
    print(f"reference: {REFERENCE}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=20, help="pages of the paged job (default 20)")
    parser.add_argument("--page-rows", type=int, default=250_000, help="rows per page (default 250,000)")
    parser.add_argument("--upload-rows", type=int, default=5_000_000, help="rows of the large upload (default 5M)")
    parser.add_argument("--only", choices=["paged", "upload", "scaffold"], help="run one benchmark only")
    args = parser.parse_args(argv)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # the fake CDP's request lines
    if args.only in (None, "scaffold"):
        with tempfile.TemporaryDirectory(prefix="pam-bench-scaffold-") as folder:
            seconds = run_scaffold(Path(folder))
        print(f"scaffold: pam init + pam new service took {seconds:.2f} s (local template; the goal is 5 s at most)")
    outcomes = []
    for name in ("paged", "upload"):
        if args.only not in (None, name):
            continue
        workdir = Path(tempfile.mkdtemp(prefix=f"pam-bench-{name}-"))
        try:
            if name == "paged":
                outcomes.append(run_paged(args.pages, args.page_rows, workdir))
            else:
                outcomes.append(run_upload(args.upload_rows, workdir))
        except BaseException:
            print(f"{name} failed; its files (plugin.log, uploads) are kept in {workdir}", file=sys.stderr)
            raise
        shutil.rmtree(workdir)
    if outcomes:
        print_table(outcomes)


if __name__ == "__main__":
    main()
