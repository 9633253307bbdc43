"""Input pages for the fake CDP: what each page's zip holds, built from frames, CSVs or folders."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd

# A page maps each file name in its zip to a DataFrame, CSV bytes, or a path to a file on disk.
PageFile = pd.DataFrame | bytes | Path
Page = Mapping[str, PageFile]


def pages_from_frame(df: pd.DataFrame, page_rows: int, name: str = "events.csv") -> list[Page]:
    """Split one frame into pages of ``page_rows`` rows (at least one page, even when empty)."""
    if page_rows < 1:
        raise ValueError("page_rows must be at least 1")
    starts = range(0, max(len(df), 1), page_rows)
    return [{name: df.iloc[start : start + page_rows]} for start in starts]


def pages_from_frames(frames: Mapping[str, pd.DataFrame], page_rows: int, key: str = "id") -> list[Page]:
    """Page several event types together the way CDP does: by customer, about ``page_rows`` rows a page.

    A customer's events always share one page. File names keep the order of ``frames``
    (``00_<name>.csv``, ``01_<name>.csv``, ...), the order ``input_files`` reaches the service in.
    """
    if page_rows < 1:
        raise ValueError("page_rows must be at least 1")
    keys = pd.concat([frame[key] for frame in frames.values()], ignore_index=True)
    if keys.empty:
        return [{_event_file(index, name): frame for index, (name, frame) in enumerate(frames.items())}]
    rows = keys.groupby(keys, sort=False).size()  # rows per customer, in order of first appearance
    page_of = (rows.cumsum() - 1) // page_rows
    numbered = {_event_file(index, name): frame[key].map(page_of) for index, (name, frame) in enumerate(frames.items())}
    return [
        {file: frame[numbered[file] == page] for file, frame in zip(numbered, frames.values(), strict=True)}
        for page in range(int(page_of.iloc[-1]) + 1)
    ]


def pages_from_paths(paths: Sequence[Path], page_rows: int) -> list[Page]:
    """Pages from what a person points at.

    CSV files are event types (in the order given), paged by customer; a folder of CSV files
    is the same as its files in name order; a folder of folders holds one page per folder,
    taken as they are.
    """
    files: list[Path] = []
    pages: list[Page] = []
    for path in map(Path, paths):
        if not path.exists():
            raise FileNotFoundError(f"{path} does not exist")
        if path.is_file():
            files.append(path)
        elif subfolders := sorted(child for child in path.iterdir() if child.is_dir()):
            pages += [_folder_page(folder) for folder in subfolders]
        else:
            files += sorted(child for child in path.iterdir() if child.suffix.lower() == ".csv")
    if files:
        frames = {path.stem: pd.read_csv(path, dtype=str, keep_default_na=False) for path in files}
        pages += pages_from_frames(frames, page_rows)
    if not pages:
        raise ValueError(f"no CSV files in {', '.join(map(str, paths))}")
    return pages


def _event_file(index: int, name: str) -> str:
    return f"{index:02d}_{Path(name).stem}.csv"


def _folder_page(folder: Path) -> Page:
    files = sorted(path for path in folder.iterdir() if path.suffix.lower() in (".csv", ".parquet"))
    if not files:
        raise ValueError(f"folder {folder} holds no .csv files")
    return {path.name: path for path in files}


def write_zip(page: Page, dest: Path) -> Path:
    """Write ``page``'s files into the zip ``dest``."""
    with zipfile.ZipFile(dest, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for name, content in page.items():
            if isinstance(content, pd.DataFrame):
                with (
                    archive.open(name, "w", force_zip64=True) as raw,
                    io.TextIOWrapper(raw, "utf-8", newline="") as text,
                ):
                    content.to_csv(text, index=False)
            elif isinstance(content, (bytes, bytearray)):
                archive.writestr(name, bytes(content))
            else:
                archive.write(content, name)
    return dest


def page_rows(page: Page) -> int:
    """Rows across a page's files."""
    total = 0
    for content in page.values():
        if isinstance(content, pd.DataFrame):
            total += len(content)
        elif isinstance(content, (bytes, bytearray)):
            total += max(bytes(content).count(b"\n") - 1, 0)
        else:
            total += csv_rows(content)
    return total


def csv_rows(path: Path) -> int:
    """Data rows of a CSV file (its lines but the header), counted without parsing it."""
    with open(path, "rb") as handle:
        lines = sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b""))
    return max(lines - 1, 0)
