"""pam.sqlite: SQLiteDB, the small sqlite3 convenience plugins keep their state in."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pandas as pd
import pytest

from pam.sqlite import SQLiteDB


def test_create_insert_and_fetch(tmp_path: Path) -> None:
    db = SQLiteDB(str(tmp_path / "state.sqlite"))
    db.create_table("CREATE TABLE seen (id TEXT PRIMARY KEY, visits INTEGER)")
    db.execute("INSERT INTO seen VALUES (?, ?)", ["c1", 3])
    db.execute("INSERT INTO seen VALUES ('c2', 5)")
    assert db.fetchone("SELECT visits FROM seen WHERE id = ?", ["c2"]) == (5,)
    assert db.fetchone("SELECT visits FROM seen WHERE id = ?", ["nobody"]) is None
    assert db.fetchall("SELECT id, visits FROM seen ORDER BY id") == [("c1", 3), ("c2", 5)]
    db.close()


def test_writes_are_committed_at_once(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite"
    with SQLiteDB(str(path)) as db:
        db.create_table("CREATE TABLE t (x INTEGER)")
        db.execute("INSERT INTO t VALUES (1)")
        other = sqlite3.connect(path)
        assert other.execute("SELECT x FROM t").fetchall() == [(1,)]
        other.close()


def test_row_as_dict(tmp_path: Path) -> None:
    with SQLiteDB(str(tmp_path / "state.sqlite"), row_as_dict=True) as db:
        db.create_table("CREATE TABLE t (id TEXT, n INTEGER)")
        db.executemany("INSERT INTO t VALUES (?, ?)", [("a", 1), ("b", 2)])
        assert db.fetchall("SELECT id, n FROM t ORDER BY id") == [{"id": "a", "n": 1}, {"id": "b", "n": 2}]
        assert db.fetchone("SELECT n AS total FROM t WHERE id = 'b'") == {"total": 2}


def test_executemany(tmp_path: Path) -> None:
    with SQLiteDB(str(tmp_path / "state.sqlite")) as db:
        db.create_table("CREATE TABLE t (id TEXT, n INTEGER)")
        db.executemany("INSERT INTO t VALUES (?, ?)", ((f"c{i}", i) for i in range(5)))
        assert db.fetchone("SELECT COUNT(*), SUM(n) FROM t") == (5, 10)


def test_context_manager_closes(tmp_path: Path) -> None:
    with SQLiteDB(str(tmp_path / "state.sqlite")) as db:
        assert db.fetchone("SELECT 1") == (1,)
    with pytest.raises(sqlite3.ProgrammingError, match="closed"):
        db.fetchone("SELECT 1")


def test_the_file_is_created_and_kept(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite"
    with SQLiteDB(path) as db:  # a Path works as well as a str
        db.create_table("CREATE TABLE t (x TEXT)")
        db.execute("INSERT INTO t VALUES ('kept')")
    assert db.db_path == str(path)
    with SQLiteDB(str(path)) as again:
        assert again.fetchall("SELECT x FROM t") == [("kept",)]


def test_write_and_read_frames(tmp_path: Path) -> None:
    frame = pd.DataFrame({"id": ["c1", "c2"], "spend": [10.5, 3.0]})
    with SQLiteDB(str(tmp_path / "state.sqlite")) as db:
        db.write_frame(frame, "spend")
        db.write_frame(frame.iloc[:1], "spend")
        back = db.read_frame("SELECT id, spend FROM spend WHERE spend > ? ORDER BY id, spend", [5])
        assert back.to_dict("list") == {"id": ["c1", "c1"], "spend": [10.5, 10.5]}
        db.write_frame(frame.iloc[1:], "spend", if_exists="replace")
        assert db.fetchall("SELECT id, spend FROM spend") == [("c2", 3.0)]
