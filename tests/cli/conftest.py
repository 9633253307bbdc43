"""Fixtures for the pam command: a tagged clone of this repository as template, isolated git and Copier."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from pam import __version__
from pam.cli import main

REPO = Path(__file__).resolve().parents[2]
TAG = f"v{__version__}"


@pytest.fixture(autouse=True)
def _isolated_tools(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Git and Copier see only settings made here, never the machine's."""
    home = tmp_path_factory.mktemp("home")
    (home / ".gitconfig").write_text(
        "[user]\n\tname = Test\n\temail = test@example.com\n[init]\n\tdefaultBranch = main\n"
    )
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(home / ".gitconfig"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    (home / "copier-settings.yml").write_text("defaults: {}\n")
    monkeypatch.setenv("COPIER_SETTINGS_PATH", str(home / "copier-settings.yml"))
    monkeypatch.delenv("PAM_TEMPLATE", raising=False)
    monkeypatch.delenv("PAM_TEMPLATE_REF", raising=False)


@pytest.fixture(scope="session")
def tagged_clone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This repository as it is on disk (working-tree changes included), committed and tagged."""
    clone = tmp_path_factory.mktemp("template") / "pam-python"
    subprocess.run(["git", "clone", "--quiet", "--no-hardlinks", str(REPO), str(clone)], check=True)
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        check=True,
        capture_output=True,
    ).stdout
    for relative in filter(None, listed.decode().split("\0")):
        source, target = REPO / relative, clone / relative
        if source.is_file():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
        else:
            target.unlink(missing_ok=True)
    env = ["-c", "user.name=Test", "-c", "user.email=test@example.com"]
    subprocess.run(["git", *env, "add", "-A"], cwd=clone, check=True)
    subprocess.run(["git", *env, "commit", "--quiet", "--allow-empty", "-m", "working tree"], cwd=clone, check=True)
    subprocess.run(["git", "tag", "--force", TAG], cwd=clone, check=True, capture_output=True)
    return clone


@pytest.fixture
def template(tagged_clone: Path, tmp_path: Path) -> Path:
    """A private copy of the tagged template repository, free to change and tag anew."""
    copy = tmp_path / "template"
    shutil.copytree(tagged_clone, copy, symlinks=True)
    return copy


@pytest.fixture
def pam(monkeypatch: pytest.MonkeyPatch) -> Callable[..., Result]:
    """Run the pam command in-process: ``pam("init", "demo", cwd=folder)``."""

    def run(*args: str, cwd: Path | None = None, input: str | None = None) -> Result:
        if cwd is not None:
            monkeypatch.chdir(cwd)
        return CliRunner().invoke(main, list(args), input=input, catch_exceptions=False, prog_name="pam")

    return run
