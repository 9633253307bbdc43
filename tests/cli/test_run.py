"""pam run (pam.cli.run): a generated project's service, run end to end on files, and its failure exits."""

from __future__ import annotations

import importlib.util
import io
import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from helpers import events

from pam.cli.progress import ProgressDisplay
from pam.cli.run import SAMPLE, Progress

PROJECT = Path(__file__).resolve().parents[1] / "project"


@pytest.fixture
def project(tmp_path, template, pam):
    folder = tmp_path / "demo"
    assert pam("init", str(folder), "--template", str(template), "--no-git", cwd=tmp_path).exit_code == 0
    assert pam("new", "service", "rfm_segment", cwd=folder).exit_code == 0
    return folder


def summarize(project: Path, frame: pd.DataFrame) -> pd.DataFrame:
    """The generated service's own logic, loaded from the project."""
    spec = importlib.util.spec_from_file_location("generated_functions", project / "rfm_segment/functions.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.summarize_customers(frame)


def test_a_fresh_service_runs_on_the_sample_data(project, pam):
    result = pam("run", "rfm_segment", "--out", "out", cwd=project)
    assert result.exit_code == 0, result.output
    out = project / "out"
    summary = json.loads((out / "summary.json").read_text())
    sample = pd.read_csv(SAMPLE, dtype=str, keep_default_na=False)
    assert summary["status"] == "done"
    assert summary["rows_in"] == len(sample) == 3000
    assert summary["pages"] == {"total": 3, "delivered": 3, "refused": 0}
    assert summary["failures"] == []
    received = pd.read_csv(out / "results/summary.csv", dtype=str, keep_default_na=False)
    expected = summarize(project, sample).astype(str)
    pd.testing.assert_frame_equal(received.sort_values("id", ignore_index=True), expected)
    assert summary["rows_out"] == {"summary": len(expected)}
    assert "done: 3/3 pages" in result.output
    assert str(out) in result.output


def test_inputs_pages_and_parameters(project, pam, tmp_path):
    orders = events(900, customers=90)
    orders.to_csv(tmp_path / "orders.csv", index=False)
    result = pam(
        "run",
        "rfm_segment",
        "--input",
        str(tmp_path / "orders.csv"),
        "--page-rows",
        "200",
        "--param",
        "period_day=7",
        "--out",
        str(tmp_path / "out"),
        cwd=project,
    )
    assert result.exit_code == 0, result.output
    summary = json.loads((tmp_path / "out/summary.json").read_text())
    assert summary["pages"]["total"] == 5
    assert summary["parameters"] == {"period_day": "7"}
    calls = json.loads((tmp_path / "out/calls.json").read_text())
    assert [call["rows"] for call in calls if call["kind"] == "dataset"] == [200, 200, 200, 200, 100]


def test_a_folder_of_pages_is_taken_as_it_is(project, pam, tmp_path):
    for number in range(4):
        (tmp_path / "pages" / f"p{number}").mkdir(parents=True)
        events(50, start=number * 50).to_csv(tmp_path / "pages" / f"p{number}" / "events.csv", index=False)
    result = pam("run", "rfm_segment", "--input", str(tmp_path / "pages"), "--out", str(tmp_path / "out"), cwd=project)
    assert result.exit_code == 0, result.output
    assert json.loads((tmp_path / "out/summary.json").read_text())["pages"]["total"] == 4


def test_dry_run_uploads_nothing(project, pam, tmp_path):
    result = pam("run", "rfm_segment", "--dry-run", "--out", str(tmp_path / "out"), cwd=project)
    assert result.exit_code == 0, result.output
    summary = json.loads((tmp_path / "out/summary.json").read_text())
    assert summary["dry_run"] is True
    assert summary["uploads"]["results"] == 0
    assert not (tmp_path / "out/results").exists()


def test_reports_and_sqlite_saves_are_written_out(project, pam, tmp_path):
    shutil.copytree(PROJECT / "echo", project / "echo")
    shutil.copytree(PROJECT / "stateful", project / "stateful")
    echo = pam("run", "echo", "--param", "report=true", "--out", str(tmp_path / "echo"), cwd=project)
    assert echo.exit_code == 0, echo.output
    [report] = json.loads((tmp_path / "echo/reports.json").read_text())
    assert report["name"] == "summary"
    assert report["report"]["pages"] == "3"
    assert (tmp_path / "echo/results/stream0.csv").is_file()
    state = pam("run", "stateful", "--out", str(tmp_path / "state"), cwd=project)
    assert state.exit_code == 0, state.output
    assert (tmp_path / "state/sqlite/runs.sqlite").read_bytes().startswith(b"SQLite format 3")


def test_a_failing_service_exits_non_zero_with_its_log(project, pam, tmp_path):
    functions = project / "rfm_segment/functions.py"
    functions.write_text(
        functions.read_text().replace("    amounts =", '    raise RuntimeError("logic bug")\n    amounts =')
    )
    result = pam("run", "rfm_segment", "--out", str(tmp_path / "out"), cwd=project)
    assert result.exit_code == 1
    assert "the run failed: RuntimeError: logic bug" in result.output
    assert "job failed" in result.output
    summary = json.loads((tmp_path / "out/summary.json").read_text())
    assert (summary["status"], summary["reason"]) == ("failed", "RuntimeError: logic bug")
    assert "logic bug" in (tmp_path / "out/plugin.log").read_text()


def test_a_service_that_never_exits_times_out(project, pam, tmp_path):
    svc = project / "rfm_segment/RfmSegmentSvc.py"
    svc.write_text(svc.read_text().replace("        self._exit()", "        pass"))
    result = pam("run", "rfm_segment", "--timeout", "1", "--out", str(tmp_path / "out"), cwd=project)
    assert result.exit_code == 1
    assert "the job was still running after 1 s" in result.output
    assert json.loads((tmp_path / "out/summary.json").read_text())["status"] == "timed out"


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["nope"], "no service 'nope'"),
        (["rfm_segment", "--input", "missing.csv"], "does not exist"),
        (["rfm_segment", "--param", "novalue"], "is not KEY=VALUE"),
    ],
)
def test_bad_requests_are_refused_clearly(project, pam, args, fragment):
    result = pam("run", *args, cwd=project)
    assert result.exit_code in (1, 2)
    assert fragment in result.output


def test_input_without_an_id_column_is_refused(project, pam, tmp_path):
    (tmp_path / "bad.csv").write_text("a,b\n1,2\n")
    result = pam("run", "rfm_segment", "--input", str(tmp_path / "bad.csv"), cwd=project)
    assert result.exit_code == 1
    assert "the input has no 'id' column" in result.output


def test_a_service_that_cannot_load_is_named(project, pam):
    (project / "rfm_segment/RfmSegmentSvc.py").write_text("import not_installed_anywhere\n")
    result = pam("run", "rfm_segment", cwd=project)
    assert result.exit_code == 1
    assert "cannot be loaded: importing rfm_segment.RfmSegmentSvc failed" in result.output


def test_progress_is_a_live_bar_on_a_terminal_and_lines_elsewhere():
    steps = [Progress(4, 0, 0, 0, 0, 0.1), Progress(4, 2, 200, 0, 0, 0.5), Progress(4, 2, 200, 0, 0, 0.6)]
    live, plain = io.StringIO(), io.StringIO()
    for display in (ProgressDisplay(live, live=True), ProgressDisplay(plain, live=False)):
        for step in steps:
            display(step)
        display.close()
    assert live.getvalue().count("\r[") == 3
    assert "\r[############------------] pages 2/4 | rows in 200" in live.getvalue()
    assert plain.getvalue().splitlines() == [
        "pages 0/4 | rows in 0 | rows uploaded 0 | uploads 0 | 0.1 s",
        "pages 2/4 | rows in 200 | rows uploaded 0 | uploads 0 | 0.5 s",
    ]
