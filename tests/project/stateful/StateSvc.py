"""Counts its runs in a SQLite file kept by CDP between jobs."""

from pam.service import Service
from pam.sqlite import SQLiteDB


class StateSvc(Service):
    def on_start(self):
        path = self._request_sqlite("runs.sqlite")
        if path is None:
            path = str(self.temp_file("runs", "sqlite"))
        with SQLiteDB(path) as db:
            db.create_table("CREATE TABLE IF NOT EXISTS runs (token TEXT)")
            db.execute("INSERT INTO runs VALUES (?)", (self.token,))
            count = db.fetchone("SELECT COUNT(*) FROM runs")[0]
        self._upload_sqlite("runs.sqlite", False, path)
        self._upload_result(__import__("pandas").DataFrame({"id": ["all"], "runs": [count]}))
        self._exit()
