"""Where the pam templates come from: an explicit source, or the repository pam was installed from."""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path
from urllib.parse import unquote, urlparse

from pam.errors import UsageError

ENV_TEMPLATE = "PAM_TEMPLATE"
ENV_REF = "PAM_TEMPLATE_REF"
DISTRIBUTION = "pam-python"


@dataclass(frozen=True)
class TemplateSource:
    """A template repository (absolute path or URL) and the git ref to render (None: the latest tag)."""

    src: str
    ref: str | None = None


def resolve_source(template: str | None = None, ref: str | None = None) -> TemplateSource:
    """The template to use: ``template`` (or $PAM_TEMPLATE), else the repository pam came from.

    Without ``ref`` (or $PAM_TEMPLATE_REF), the tag matching the installed runtime's version
    is used when the repository has it.
    """
    src = absolute(template or os.environ.get(ENV_TEMPLATE) or installed_repository())
    ref = ref or os.environ.get(ENV_REF) or matching_tag(src)
    return TemplateSource(src, ref)


def absolute(src: str) -> str:
    """A URL as it is; a local path made absolute and checked (Copier records it for updates)."""
    if "://" in src or src.startswith(("git@", "gh:", "gl:")):
        return src
    path = Path(src).expanduser().resolve()
    if not (path / "copier.yml").is_file():
        raise UsageError(f"{path} holds no copier.yml: it is not the pam template repository")
    return str(path)


def installed_repository() -> str:
    """The repository this runtime was installed from (PEP 610 record), else its declared URL."""
    try:
        dist = distribution(DISTRIBUTION)
    except PackageNotFoundError:
        raise UsageError(f"{DISTRIBUTION} is not installed; pass --template or set {ENV_TEMPLATE}") from None
    record = json.loads(dist.read_text("direct_url.json") or "{}")
    url = record.get("url", "")
    if url.startswith("file://"):
        path = Path(unquote(urlparse(url).path))
        for candidate in (path, path.parent):  # the repository, or its runtime/ folder
            if (candidate / "copier.yml").is_file():
                return str(candidate)
    elif url and "vcs_info" in record:
        return url
    for entry in dist.metadata.get_all("Project-URL") or []:
        label, _, link = entry.partition(",")
        if label.strip().lower() == "repository":
            return link.strip()
    raise UsageError(f"cannot tell where the pam templates are; pass --template or set {ENV_TEMPLATE}")


def matching_tag(src: str) -> str | None:
    """``v<version>`` (or ``<version>``) of the installed runtime, if ``src`` has that tag."""
    from pam import __version__

    try:
        listing = subprocess.run(
            ["git", "ls-remote", "--tags", src], capture_output=True, text=True, timeout=60, check=True
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    tags = {line.rsplit("refs/tags/", 1)[-1].removesuffix("^{}") for line in listing.splitlines()}
    return next((tag for tag in (f"v{__version__}", __version__) if tag in tags), None)
