"""The README's first command, as a new user runs it: `nox -s demo` in a clean clone."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow


def test_the_demo_scaffolds_tests_and_runs_a_plugin(tagged_clone, tmp_path):
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "--quiet", str(tagged_clone), str(clone)], check=True)
    done = subprocess.run(
        [sys.executable, "-m", "nox", "-s", "demo"], cwd=clone, capture_output=True, text=True, timeout=900
    )
    assert done.returncode == 0, done.stdout + done.stderr
    output = done.stdout + done.stderr
    assert "2 passed" in output
    results = Path(re.search(r"its run's results are in (\S+)", output).group(1))
    summary = json.loads((results / "summary.json").read_text())
    assert summary["status"] == "done"
    assert summary["rows_in"] == 3000
    assert summary["rows_out"]["summary"] > 0
