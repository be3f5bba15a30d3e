"""Credentials (a provider's token pair) in the SQLite file, replaced only by compare-and-swap on their version."""

from __future__ import annotations

import json
from collections.abc import Mapping

from functions.adapters.stores.sqlite.database import SqlitePort, unavailable_on_error
from functions.core.ledger import StoredCredential


class SqliteCredentials(SqlitePort):
    @unavailable_on_error
    def credential(self, name: str) -> StoredCredential | None:
        with self.file.connection() as db:
            row = db.execute("SELECT version, body FROM credentials WHERE name = ?", (name,)).fetchone()
        return StoredCredential(row[0], json.loads(row[1])) if row else None

    @unavailable_on_error
    def swap_credential(self, name: str, version: int, fields: Mapping[str, str]) -> bool:
        body = json.dumps(dict(fields))
        with self.file.connection() as db:
            if version == 0:
                cursor = db.execute("INSERT OR IGNORE INTO credentials VALUES (?, 1, ?)", (name, body))
            else:
                cursor = db.execute(
                    "UPDATE credentials SET version = ?, body = ? WHERE name = ? AND version = ?",
                    (version + 1, body, name, version),
                )
            return cursor.rowcount == 1
