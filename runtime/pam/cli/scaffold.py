"""Creating, extending and upgrading plugin projects with the Copier templates.

Everything is rendered into a staging folder first and moved into place only when the
render succeeded, so a failure never leaves half a project or half a service behind.
"""

from __future__ import annotations

import keyword
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib.metadata import packages_distributions
from pathlib import Path

import copier
from copier.errors import CopierError

from pam.cli.project import ANSWERS, answers, find_root
from pam.cli.requirements import merge_requirements
from pam.cli.source import TemplateSource, resolve_source
from pam.errors import UsageError
from pam.registry import ServiceLoadError, config_file, read_config

REQUIREMENTS_MODES = ("overwrite", "keep", "merge")
SERVICE_NAME = re.compile(r"[a-z][a-z0-9_]*")
CONFLICT_MARKER = "<<<<<<< "


@dataclass
class UpdateReport:
    updated: list[str] = field(default_factory=list)  # folders brought up to date ("." is the project)
    conflicts: list[str] = field(default_factory=list)  # files holding inline conflict markers


def init_project(
    dest: Path,
    source: TemplateSource,
    project_name: str | None = None,
    python_version: str | None = None,
    requirements: str | Callable[[Path], str] | None = None,
    force: bool = False,
    git: bool = True,
) -> Path:
    """Render the project template into ``dest``; return the project's root.

    An existing ``requirements.txt`` is overwritten, kept, or merged (every line of the
    author's kept, the template's packages it lacks added), as ``requirements`` says; it
    may be a function asked with the file's path when there is one.
    """
    dest = dest.resolve()
    if answers(dest):
        raise UsageError(f"{dest} is already a pam project; bring it up to date with `pam update`")
    existing = dest / "requirements.txt"
    if existing.is_file() and callable(requirements):
        requirements = requirements(existing)
    if existing.is_file() and requirements not in REQUIREMENTS_MODES:
        raise UsageError(f"{existing} exists: choose --requirements {'|'.join(REQUIREMENTS_MODES)}")
    data = {"kind": "project", "project_name": project_name or dest.name}
    if python_version:
        data["python_version"] = python_version
    dest.mkdir(parents=True, exist_ok=True)
    with _staging(dest) as stage:
        _render(source, stage, data)
        rendered = _files(stage)
        clashes = [path for path in rendered if (dest / path).exists() and path != "requirements.txt"]
        if clashes and not force:
            raise UsageError(f"{dest} already has {', '.join(clashes)}; move them away or pass --force")
        if existing.is_file() and requirements == "keep":
            (stage / "requirements.txt").unlink()
        elif existing.is_file() and requirements == "merge":
            merged = merge_requirements(existing.read_text(encoding="utf-8"), (stage / "requirements.txt").read_text())
            (stage / "requirements.txt").write_text(merged, encoding="utf-8")
        _move_into(stage, dest)
    if git and not _in_git(dest):
        subprocess.run(["git", "init", "--quiet"], cwd=dest, check=True)
    return dest


def new_service(
    start: Path, name: str, template: str | None = None, ref: str | None = None, force: bool = False
) -> Path:
    """Render the service template into ``<project>/<name>/``; return that folder.

    Without ``template`` the service comes from the template the project came from, at the
    project's version unless ``ref`` names another.
    """
    check_service_name(name)
    root = find_root(start)
    _check_not_shadowing(name)
    target = root / name
    if target.exists() and not force:
        raise UsageError(f"{target} already exists; pick another name, or pass --force to render over it")
    project = answers(root)
    if template:
        source = resolve_source(template, ref)
    elif project.get("_src_path"):
        source = TemplateSource(project["_src_path"], ref or project.get("_commit"))
    else:
        raise UsageError(f"{root / ANSWERS} does not say which template made the project; pass --template")
    with _staging(root) as stage:
        service_dir = stage / name
        _render(source, service_dir, {"kind": "service", "service_name": name})
        endpoint = _endpoint(service_dir)
        for other in _endpoints(root):
            if other[1] == endpoint and other[0] != name:
                raise UsageError(f"endpoint /{endpoint} is already served by {other[0]}/; choose another name")
        if target.exists():
            _move_into(service_dir, target)
        else:
            service_dir.replace(target)
    return target


def update_project(start: Path, ref: str | None = None) -> UpdateReport:
    """Bring the project and each of its services to the template's newer version.

    Each is updated through its own answers file; the author's edits are kept, and clashing
    hunks are marked inline and reported. The git tree must be clean before.
    """
    root = find_root(start)
    if not _in_git(root):
        raise UsageError(f"{root} is not under git; `pam update` needs it: git init && git add -A && git commit")
    if _git(root, "status", "--porcelain", "--", "."):
        raise UsageError(
            "the project has uncommitted changes; commit or stash them first (git stash), then run pam update again"
        )
    report = UpdateReport()
    targets = [root] + [root / name for name in sorted(p.name for p in root.iterdir() if (p / ANSWERS).is_file())]
    for target in targets:
        try:
            copier.run_update(
                target, defaults=True, overwrite=True, conflict="inline", vcs_ref=ref, quiet=True, skip_answered=True
            )
        except CopierError as exc:
            raise UsageError(f"updating {target.relative_to(root)} failed: {exc}") from exc
        report.updated.append(str(target.relative_to(root)))
    report.conflicts = _conflicted_files(root)
    return report


def check_service_name(name: str) -> None:
    """Refuse names that cannot be a service folder and Python package."""
    if not SERVICE_NAME.fullmatch(name or ""):
        raise UsageError(
            f"service name {name!r} is not allowed: use lowercase letters, digits and '_', "
            "starting with a letter (e.g. rfm_segment)"
        )
    if keyword.iskeyword(name) or keyword.issoftkeyword(name):
        raise UsageError(f"service name {name!r} is a Python keyword; choose another name")


def _check_not_shadowing(name: str) -> None:
    """A service folder named like an installed module would hide it from the project's code."""
    if name in sys.stdlib_module_names or name in packages_distributions():
        raise UsageError(f"service name {name!r} would hide the Python module of that name; choose another name")


def _render(source: TemplateSource, dest: Path, data: dict) -> None:
    try:
        copier.run_copy(source.src, dest, data=data, vcs_ref=source.ref, defaults=True, overwrite=True, quiet=True)
    except Exception as exc:  # a broken template can raise anything: report it as one error
        raise UsageError(f"rendering the template from {source.src} failed: {type(exc).__name__}: {exc}") from exc


@contextmanager
def _staging(parent: Path) -> Iterator[Path]:
    """A scratch folder beside the destination (same filesystem, so moving out is a rename)."""
    stage = Path(tempfile.mkdtemp(prefix=".pam-staging-", dir=parent))
    try:
        yield stage
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def _files(folder: Path) -> list[str]:
    return sorted(str(path.relative_to(folder)) for path in folder.rglob("*") if path.is_file())


def _move_into(stage: Path, dest: Path) -> None:
    for relative in _files(stage):
        target = dest / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        (stage / relative).replace(target)


def _endpoint(folder: Path) -> str:
    """The endpoint a service folder declares ("" when it declares none readable)."""
    config = config_file(folder)
    try:
        return read_config(config)[0] if config else ""
    except ServiceLoadError:
        return ""


def _endpoints(root: Path) -> list[tuple[str, str]]:
    return [(folder.name, _endpoint(folder)) for folder in sorted(root.iterdir()) if folder.is_dir()]


def _in_git(folder: Path) -> bool:
    try:
        return _git(folder, "rev-parse", "--is-inside-work-tree") == "true"
    except subprocess.CalledProcessError:
        return False


def _git(folder: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=folder, capture_output=True, text=True, check=True).stdout.strip()


def _conflicted_files(root: Path) -> list[str]:
    """Files of the project (tracked or new, not ignored) holding inline conflict markers."""
    found = []
    for relative in _git(root, "ls-files", "--cached", "--others", "--exclude-standard").splitlines():
        path = root / relative
        if path.is_file() and any(line.startswith(CONFLICT_MARKER) for line in _lines(path)):
            found.append(relative)
    return sorted(found)


def _lines(path: Path) -> list[str]:
    try:
        return path.read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError:
        return []
