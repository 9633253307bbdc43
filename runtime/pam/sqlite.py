"""``SQLiteDB``: a small convenience over ``sqlite3`` for a job's state database."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from typing import Any

import pandas as pd


class SQLiteDB:
    """Opens ``db_path`` (created if missing). Rows come back as tuples, or dicts with ``row_as_dict``.

    Each write commits at once; use it as a context manager to close it on the way out.
    """

    def __init__(self, db_path: str, row_as_dict: bool = False, timeout: float = 30) -> None:
        self.db_path = str(db_path)
        self.connection = sqlite3.connect(self.db_path, timeout=timeout, check_same_thread=False)
        if row_as_dict:
            self.connection.row_factory = lambda cursor, row: {
                column[0]: value for column, value in zip(cursor.description, row, strict=True)
            }

    def __enter__(self) -> SQLiteDB:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def execute(self, query: str, params: Sequence[Any] | None = None) -> None:
        with self.connection:
            self.connection.execute(query, params or ())

    def executemany(self, query: str, data: Iterable[Sequence[Any]]) -> None:
        with self.connection:
            self.connection.executemany(query, data)

    def fetchall(self, query: str, params: Sequence[Any] | None = None) -> list[Any]:
        return self.connection.execute(query, params or ()).fetchall()

    def fetchone(self, query: str, params: Sequence[Any] | None = None) -> Any:
        return self.connection.execute(query, params or ()).fetchone()

    def create_table(self, create_sql: str) -> None:
        self.execute(create_sql)

    def read_frame(self, query: str, params: Sequence[Any] | None = None) -> pd.DataFrame:
        """The result of ``query`` as a DataFrame."""
        return pd.read_sql_query(query, self.connection, params=params)

    def write_frame(self, df: pd.DataFrame, table: str, if_exists: str = "append") -> None:
        """Store ``df``'s rows in ``table`` (created to fit if missing)."""
        df.to_sql(table, self.connection, if_exists=if_exists, index=False)

    def close(self) -> None:
        self.connection.close()
