"""Checking and extracting the zip of one input page, within limits and inside the job's folder."""

from __future__ import annotations

import shutil
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from pam.errors import BadRequestError, TooLargeError
from pam.settings import Settings

# macOS adds these to zips it makes; they are never data.
LITTER_DIRS = {"__MACOSX"}
LITTER_FILES = {".DS_Store"}
# The ratio cap only applies to entries larger than this: small, very regular files are harmless.
RATIO_FLOOR_BYTES = 1 << 20


@dataclass(frozen=True)
class ZipLimits:
    max_bytes: int
    max_entries: int
    max_ratio: float

    @classmethod
    def from_settings(cls, settings: Settings) -> ZipLimits:
        return cls(settings.zip_max_bytes, settings.zip_max_entries, settings.zip_max_ratio)


def check_zip(path: Path, limits: ZipLimits) -> list[zipfile.ZipInfo]:
    """Read ``path``'s directory (not its data) and return the entries to extract, in name order.

    Raises BadRequestError when it is not a usable zip, TooLargeError when it is beyond ``limits``.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise BadRequestError(f"`file` is not a readable zip archive ({exc})") from None
    if len(infos) > limits.max_entries:
        raise _too_large(f"zip holds {len(infos)} entries", "PAM_ZIP_MAX_ENTRIES", limits.max_entries)
    total = sum(info.file_size for info in infos)
    if total > limits.max_bytes:
        raise _too_large(f"zip holds {total} bytes uncompressed", "PAM_ZIP_MAX_BYTES", limits.max_bytes)
    wanted: dict[str, zipfile.ZipInfo] = {}
    for info in infos:
        parts = _safe_parts(info.filename)
        if info.is_dir() or not parts or _is_litter(parts):
            continue
        if info.flag_bits & 0x1:
            raise BadRequestError(f"zip entry {info.filename!r} is encrypted")
        if info.file_size > RATIO_FLOOR_BYTES and info.file_size > limits.max_ratio * max(info.compress_size, 1):
            ratio = info.file_size / max(info.compress_size, 1)
            raise _too_large(
                f"zip entry {info.filename!r} expands {ratio:.0f} times", "PAM_ZIP_MAX_RATIO", limits.max_ratio
            )
        name = "/".join(parts)
        if name in wanted:
            raise BadRequestError(f"zip holds {name!r} twice")
        wanted[name] = info
    folders = {"/".join(name.split("/")[:depth]) for name in wanted for depth in range(1, name.count("/") + 1)}
    clash = sorted(folders & wanted.keys())
    if clash:
        raise BadRequestError(f"zip holds {clash[0]!r} both as a file and as a folder")
    return [wanted[name] for name in sorted(wanted)]


def extract_zip(path: Path, dest: Path, limits: ZipLimits) -> list[str]:
    """Extract the data files of ``path`` into ``dest``; return their paths sorted by name."""
    infos = check_zip(path, limits)
    dest.mkdir(parents=True, exist_ok=True)
    root = dest.resolve()
    files = []
    with zipfile.ZipFile(path) as archive:
        for info in infos:
            target = root.joinpath(*_safe_parts(info.filename))
            if root not in target.parents:  # _safe_parts already forbids this; a second lock on the door
                raise BadRequestError(f"zip entry {info.filename!r} would leave the job's folder")
            target.parent.mkdir(parents=True, exist_ok=True)
            with archive.open(info) as source, open(target, "wb") as out:
                shutil.copyfileobj(source, out, 1 << 20)
            files.append(str(target))
    return files


def _safe_parts(name: str) -> list[str]:
    """The path parts of an entry name, refusing any that would climb out of the folder."""
    parts = PurePosixPath(name.replace("\\", "/")).parts
    if name.startswith(("/", "\\")) or (parts and parts[0].endswith(":")) or ".." in parts:
        raise BadRequestError(f"zip entry {name!r} would leave the job's folder")
    return [part for part in parts if part not in ("", ".")]


def _is_litter(parts: list[str]) -> bool:
    return any(part in LITTER_DIRS for part in parts) or parts[-1] in LITTER_FILES or parts[-1].startswith("._")


def _too_large(what: str, variable: str, cap: float) -> TooLargeError:
    shown = f"{cap:g}" if isinstance(cap, float) else cap
    return TooLargeError(f"{what}, beyond {variable}={shown}; raise the environment variable {variable} to accept it")
