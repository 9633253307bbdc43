"""The pam command line itself (pam.cli): version, help on every command, the installed script."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from pam import __version__


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        ["init", "--help"],
        ["new", "--help"],
        ["new", "service", "--help"],
        ["test", "--help"],
        ["update", "--help"],
    ],
)
def test_every_command_has_help(pam, args):
    result = pam(*args)
    assert result.exit_code == 0
    assert "Usage: " in result.output


def test_version(pam):
    assert pam("--version").output.strip() == f"pam, version {__version__}"


def test_the_console_script_is_installed_and_reports_errors_without_traceback(tmp_path):
    script = Path(sys.executable).with_name("pam")
    assert script.is_file(), "the pam console script is not installed beside this Python"
    result = subprocess.run([str(script), "test"], cwd=tmp_path, capture_output=True, text=True)
    assert result.returncode == 1
    assert "is not inside a pam project" in result.stderr
    assert "Traceback" not in result.stderr
