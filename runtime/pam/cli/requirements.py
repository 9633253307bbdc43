"""Merging requirements files by package name, keeping every line the author wrote."""

from __future__ import annotations

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name


def merge_requirements(ours: str, template: str) -> str:
    """``ours`` unchanged, plus each line of ``template`` naming a package ``ours`` does not name."""
    have = {name for name in map(_package, ours.splitlines()) if name}
    missing = [line for line in template.splitlines() if (name := _package(line)) and name not in have]
    if not missing:
        return ours
    merged = ours if not ours or ours.endswith("\n") else ours + "\n"
    return merged + "# Added by pam init:\n" + "\n".join(missing) + "\n"


def _package(line: str) -> str | None:
    """The canonical package name a requirements line names (None for comments, options, blanks)."""
    text = line.split(" #", 1)[0].strip()
    if not text or text.startswith(("#", "-")):
        return None
    try:
        return canonicalize_name(Requirement(text).name)
    except InvalidRequirement:
        return None
