"""The one SQLite file every SQLite port writes to: a connection per call (safe across threads and
processes), the schema made on first use, and the row helpers more than one port needs."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from functools import wraps
from pathlib import Path
from typing import TypeVar

from functions.adapters.stores.sqlite.schema import initialise
from functions.core.errors import StoreUnavailable
from functions.core.i18n import both

T = TypeVar("T")
CHUNK = 500  # SQLite's limit on bound parameters is far above; keeps statements small


class SqliteFile:
    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._ready = False

    @contextmanager
    def connection(self) -> Iterator[sqlite3.Connection]:
        if not self.path.parent.is_dir():
            raise StoreUnavailable(f"SQLite {self.path}: {both('folder_missing')}")
        with closing(sqlite3.connect(self.path, timeout=30, isolation_level=None)) as connection:
            connection.execute("PRAGMA busy_timeout = 30000")
            if not self._ready:
                initialise(connection)
                self._ready = True
            yield connection

    def one(self, table: str, id_column: str, value: str, parse: Callable[[str], T]) -> T | None:
        """One record's body, parsed; None when there is none."""
        with self.connection() as db:
            row = body(db, table, id_column, value)
        return parse(row[0]) if row else None


class SqlitePort:
    """A port kept in the file: each of its methods turns a SQLite error into StoreUnavailable."""

    def __init__(self, file: SqliteFile):
        self.file = file


def unavailable_on_error(method):
    @wraps(method)
    def wrapper(self: SqlitePort, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except sqlite3.Error as error:
            raise StoreUnavailable(f"SQLite {self.file.path}: {error}") from error

    return wrapper


def body(db: sqlite3.Connection, table: str, id_column: str, value: str) -> tuple[str] | None:
    """The JSON body of one record, by its ID; None when there is none."""
    row: tuple[str] | None = db.execute(f"SELECT body FROM {table} WHERE {id_column} = ?", (value,)).fetchone()
    return row


def body_for_update(db: sqlite3.Connection, table: str, id_column: str, value: str) -> str:
    """Begin a write transaction and read the body it will replace; KeyError (rolled back) when there is none."""
    db.execute("BEGIN IMMEDIATE")
    row = body(db, table, id_column, value)
    if row is None:
        db.execute("ROLLBACK")
        raise KeyError(value)
    return row[0]
