"""The README's first command, run as a new user runs it: in a clean clone, from the README itself."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow


def readme_command(clone: Path, comment: str) -> str:
    """The shell line of the README's two-command block that ends with ``# <comment>``."""
    for line in (clone / "README.md").read_text().splitlines():
        command, _, note = line.partition("#")
        if note.strip() == comment:
            return command.strip()
    raise AssertionError(f"the README has no command marked # {comment}")


def test_the_demo_scaffolds_tests_and_runs_a_plugin(tagged_clone, tmp_path):
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "--quiet", str(tagged_clone), str(clone)], check=True)
    command = readme_command(clone, "the demo")
    done = subprocess.run(["bash", "-c", command], cwd=clone, capture_output=True, text=True, timeout=900)
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert "2 passed" in output
    results = Path(re.search(r"its run's results are in (\S+)", output).group(1))
    summary = json.loads((results / "summary.json").read_text())
    assert summary["status"] == "done"
    assert summary["rows_in"] == 3000
    assert summary["rows_out"]["summary"] > 0
