"""A plugin project on disk: its root, its services, and running their tests."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import yaml

from pam.errors import UsageError
from pam.registry import config_file

ANSWERS = ".copier-answers.yml"


def answers(folder: Path) -> dict:
    """The Copier answers recorded in ``folder`` (empty when there are none)."""
    path = folder / ANSWERS
    if not path.is_file():
        return {}
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return data if isinstance(data, dict) else {}


def find_root(start: Path) -> Path:
    """The project holding ``start``: the nearest folder up whose answers say it is a pam project."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if answers(folder).get("kind") == "project":
            return folder
    raise UsageError(f"{start} is not inside a pam project; create one with `pam init <folder>`")


def services(root: Path) -> list[str]:
    """The service folders of the project, by name."""
    return sorted(folder.name for folder in root.iterdir() if folder.is_dir() and config_file(folder) is not None)


def run_tests(root: Path, name: str | None = None, pytest_args: Sequence[str] = ()) -> int:
    """Run one service's tests (or all) with pytest in the project; return pytest's exit status."""
    known = services(root)
    if name is not None and name not in known:
        listed = ", ".join(known) or "none yet (add one with `pam new service <name>`)"
        raise UsageError(f"no service {name!r} in {root}; services: {listed}")
    targets = [name] if name else known
    if not targets:
        raise UsageError(f"{root} has no services yet; add one with `pam new service <name>`")
    command = [sys.executable, "-m", "pytest", *targets, *pytest_args]
    return subprocess.run(command, cwd=root, check=False).returncode
