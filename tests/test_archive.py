"""pam.archive: checking a page's zip against limits and extracting it inside the job's folder."""

from __future__ import annotations

import contextlib
import io
import zipfile
from pathlib import Path

import pytest
from helpers import zip_bytes

from pam.archive import ZipLimits, check_zip, extract_zip
from pam.errors import BadRequestError, TooLargeError

LIMITS = ZipLimits(max_bytes=1 << 30, max_entries=100, max_ratio=250.0)
GOOD = zip_bytes({"a.csv": b"a\n" * 1000, "b.csv": b"b\n" * 1000})


def write_zip(tmp_path: Path, files: dict[str, bytes]) -> Path:
    path = tmp_path / "page.zip"
    path.write_bytes(zip_bytes(files))
    return path


def test_files_come_back_sorted_with_their_content(tmp_path: Path) -> None:
    page = write_zip(tmp_path, {"b_events.csv": b"b\n", "a_events.csv": b"a\n", "sub/c.csv": b"c\n"})
    dest = tmp_path / "job"
    files = extract_zip(page, dest, LIMITS)
    root = dest.resolve()
    assert files == [str(root / "a_events.csv"), str(root / "b_events.csv"), str(root / "sub" / "c.csv")]
    assert [Path(name).read_bytes() for name in files] == [b"a\n", b"b\n", b"c\n"]
    assert [info.filename for info in check_zip(page, LIMITS)] == ["a_events.csv", "b_events.csv", "sub/c.csv"]


def test_macos_litter_and_directories_are_dropped(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("data/", b"")  # a directory entry
        archive.writestr("data/x.csv", b"x\n")
        archive.writestr("__MACOSX/data/._x.csv", b"junk")
        archive.writestr(".DS_Store", b"junk")
        archive.writestr("data/.DS_Store", b"junk")
        archive.writestr("._y.csv", b"junk")
    page = tmp_path / "page.zip"
    page.write_bytes(buffer.getvalue())
    files = extract_zip(page, tmp_path / "job", LIMITS)
    assert files == [str((tmp_path / "job").resolve() / "data" / "x.csv")]
    assert sorted(str(p.relative_to(tmp_path / "job")) for p in (tmp_path / "job").rglob("*")) == ["data", "data/x.csv"]


@pytest.mark.parametrize(
    "name", ["../x.csv", "/abs.csv", "a/../../b.csv", "a/../b.csv", "C:/x.csv", "..\\x.csv", "\\abs.csv", "C:\\x.csv"]
)
def test_entries_that_climb_out_are_refused(tmp_path: Path, name: str) -> None:
    page = write_zip(tmp_path, {"ok.csv": b"ok\n", name: b"evil\n"})
    dest = tmp_path / "deep" / "job"
    with pytest.raises(BadRequestError, match="would leave the job's folder"):
        extract_zip(page, dest, LIMITS)
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["page.zip"]


@pytest.mark.parametrize("content", [b"", b"not a zip at all", GOOD[: len(GOOD) // 2], GOOD[:-22]])
def test_unreadable_zips_are_bad_requests(tmp_path: Path, content: bytes) -> None:
    page = tmp_path / "page.zip"
    page.write_bytes(content)
    with pytest.raises(BadRequestError, match="`file` is not a readable zip archive"):
        extract_zip(page, tmp_path / "job", LIMITS)
    assert not (tmp_path / "job").exists()


def test_too_many_entries(tmp_path: Path) -> None:
    page = write_zip(tmp_path, {f"{i}.csv": b"x" for i in range(4)})
    assert len(check_zip(page, ZipLimits(1 << 30, 4, 250.0))) == 4
    with pytest.raises(TooLargeError, match="zip holds 4 entries, beyond PAM_ZIP_MAX_ENTRIES=3; raise the environ"):
        check_zip(page, ZipLimits(1 << 30, 3, 250.0))


def test_too_many_bytes(tmp_path: Path) -> None:
    page = write_zip(tmp_path, {"a.csv": b"x" * 600, "b.csv": b"y" * 400})
    assert len(check_zip(page, ZipLimits(1000, 100, 250.0))) == 2
    with pytest.raises(TooLargeError, match="holds 1000 bytes uncompressed, beyond PAM_ZIP_MAX_BYTES=999; raise the"):
        extract_zip(page, tmp_path / "job", ZipLimits(999, 100, 250.0))
    assert not (tmp_path / "job").exists()


def test_ratio_applies_to_entries_over_one_mib(tmp_path: Path) -> None:
    page = write_zip(tmp_path, {"small.csv": b"\0" * (1 << 20), "big.csv": b"\0" * (2 << 20)})
    with pytest.raises(TooLargeError, match=r"'big.csv' expands \d+ times, beyond PAM_ZIP_MAX_RATIO=250; raise the en"):
        check_zip(page, LIMITS)
    assert [info.filename for info in check_zip(page, ZipLimits(1 << 30, 100, 1e6))] == ["big.csv", "small.csv"]
    small = write_zip(tmp_path, {"small.csv": b"\0" * (1 << 20)})
    assert [info.filename for info in check_zip(small, LIMITS)] == ["small.csv"]


@pytest.mark.parametrize("names", [("a.csv", "a.csv"), ("a.csv", "./a.csv"), ("d/a.csv", "d//a.csv")])
def test_duplicate_names_are_refused(tmp_path: Path, names: tuple[str, str]) -> None:
    buffer = io.BytesIO()
    with (
        pytest.warns(UserWarning, match="Duplicate name") if names[0] == names[1] else contextlib.nullcontext(),
        zipfile.ZipFile(buffer, "w") as archive,
    ):
        for name in names:
            archive.writestr(name, b"x\n")
    page = tmp_path / "page.zip"
    page.write_bytes(buffer.getvalue())
    with pytest.raises(BadRequestError, match=f"zip holds '{names[0]}' twice"):
        extract_zip(page, tmp_path / "job", LIMITS)


def test_encrypted_entries_are_refused(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        info = zipfile.ZipInfo("secret.csv")
        archive.writestr(info, b"x\n")
        # writestr resets flag_bits, so the encrypted bit is set afterwards: it lands in the central directory.
        info.flag_bits |= 1
    page = tmp_path / "page.zip"
    page.write_bytes(buffer.getvalue())
    with pytest.raises(BadRequestError, match=r"zip entry 'secret\.csv' is encrypted"):
        extract_zip(page, tmp_path / "job", LIMITS)


def test_a_file_that_is_also_a_folder_is_refused(tmp_path: Path) -> None:
    page = write_zip(tmp_path, {"a": b"x\n", "a/b.csv": b"y\n"})
    with pytest.raises(BadRequestError, match="'a'"):
        check_zip(page, LIMITS)
