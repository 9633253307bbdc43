"""Data and HTTP helpers shared by the tests."""

from __future__ import annotations

import io
import subprocess
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import pandas as pd
import requests

T = TypeVar("T")


def events(rows: int, customers: int = 100, start: int = 0) -> pd.DataFrame:
    """CDP-shaped input: ``_id``, ``id``, then agreed columns (all text, as read back from CSV)."""
    index = range(start, start + rows)
    return pd.DataFrame(
        {
            "_id": [f"e{i}" for i in index],
            "id": [f"c{i % customers}" for i in index],
            "amount": [str(i % 97) for i in index],
            "date": [f"2025-09-{1 + i % 28:02d} 13:07:38" for i in index],
        }
    )


def zip_bytes(files: dict[str, bytes]) -> bytes:
    """A zip holding ``files`` (name -> content)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def command(url: str, endpoint: str, **kwargs: Any) -> requests.Response:
    """POST to the plugin's ``/service/<endpoint>``; ``kwargs`` go to requests (json=, data=, files=)."""
    return requests.post(f"{url}/service/{endpoint}", timeout=10, **kwargs)


def tasks(url: str) -> dict:
    """The plugin's ``GET /tasks`` answer."""
    return requests.get(f"{url}/tasks", timeout=10).json()


def wait_until(condition: Callable[[], T], timeout: float = 10.0) -> T:
    """Poll ``condition()`` until it is truthy and return it; fail the test after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not (value := condition()):
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout:g} s")
        time.sleep(0.02)
    return value


def files_under(root: Path) -> list[str]:
    """Every file below ``root``, relative and sorted (empty when ``root`` does not exist)."""
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file()) if root.exists() else []


def git(folder: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=folder, check=True, capture_output=True, text=True).stdout


def release(template: Path, tag: str, edit: Callable[[Path], None]) -> None:
    """Change the template with ``edit``, commit, and tag it ``tag``."""
    edit(template)
    git(template, "add", "-A")
    git(template, "commit", "--quiet", "-m", f"release {tag}")
    git(template, "tag", tag)


def tree(folder: Path) -> dict[str, str]:
    """Every file below ``folder`` (but .git) with its text, to compare whole projects."""
    return {
        str(path.relative_to(folder)): path.read_text()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and ".git" not in path.relative_to(folder).parts and "__pycache__" not in path.parts
    }
