"""Input pages for the fake CDP: what each page's zip holds, built from frames, CSVs or folders."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable, Mapping, Sequence
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
    """Several event types paged together by customer: page k holds the k-th slice of customers.

    File names keep the order of ``frames`` (``0_<name>.csv``, ``1_<name>.csv``, ...), which is the
    order ``input_files`` reaches the service in.
    """
    customers = pd.Index(pd.concat([frame[key] for frame in frames.values()]).unique())
    pages: list[Page] = []
    for start in range(0, max(len(customers), 1), page_rows):
        chosen = customers[start : start + page_rows]
        pages.append(
            {
                f"{index}_{name}.csv": frame[frame[key].isin(chosen)]
                for index, (name, frame) in enumerate(frames.items())
            }
        )
    return pages


def pages_from_paths(paths: Sequence[Path], page_rows: int | None = None) -> list[Page]:
    """Pages from CSV files and folders.

    A folder is one page holding its CSV files. CSV files given together are one page's event
    types, in the order given; with ``page_rows`` they are split by customer (column ``id``).
    """
    paths = [Path(path) for path in paths]
    folders = [path for path in paths if path.is_dir()]
    files = [path for path in paths if not path.is_dir()]
    pages: list[Page] = [_folder_page(folder) for folder in folders]
    if files and page_rows:
        frames = {path.stem: pd.read_csv(path, dtype=str, keep_default_na=False) for path in files}
        pages += pages_from_frames(frames, page_rows)
    elif files:
        pages.append({f"{index}_{path.name}": path for index, path in enumerate(files)})
    return pages


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
    """Rows across a page's files (CSV files on disk are counted by their lines)."""
    total = 0
    for content in page.values():
        if isinstance(content, pd.DataFrame):
            total += len(content)
        elif isinstance(content, (bytes, bytearray)):
            total += max(bytes(content).count(b"\n") - 1, 0)
        else:
            with open(content, "rb") as handle:
                total += max(sum(chunk.count(b"\n") for chunk in _chunks(handle)) - 1, 0)
    return total


def _chunks(handle) -> Iterable[bytes]:
    while chunk := handle.read(1 << 20):
        yield chunk
