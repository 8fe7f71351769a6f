"""Scanned pages inside the encrypted backup, without a new backup format.

The encrypted backup is one SQLite snapshot (`backup_crypto`); `embed` adds to that snapshot a
table `backup_attachment_files(sha256, data)` holding every page file a row still needs (unsent
pages, including a cancelled request's until the manager purges them; sent pages are at the
province and stay out, so daily backups do not grow with every page ever scanned). On restore,
`extract` writes those files back into `<data folder>/attachments/` (checked against their
SHA-256, atomically, before the database is replaced), then drops the table and vacuums the
snapshot so the restored database carries no copy of them. A backup made before attachments
existed has no such table and restores as before; an older program never sees this table, since
it refuses a backup of a newer schema revision anyway.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import sqlite3
from pathlib import Path

from desk_app.services.attachments import blob_path, write_blob

log = logging.getLogger("desk_app.services")

TABLE = "backup_attachment_files"
_NEEDED_SQL = "SELECT DISTINCT sha256 FROM attachments WHERE state = 'pending' ORDER BY sha256"


def _tables(con: sqlite3.Connection) -> set[str]:
    return {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def embed(home: Path | str, snapshot: Path | str) -> int:
    """Copy the page files the snapshot's unsent rows need into the snapshot; returns how many.
    A file missing or damaged on disk is logged and left out (the rest of the backup goes on)."""
    con = sqlite3.connect(snapshot)
    count = 0
    with contextlib.closing(con):
        if "attachments" not in _tables(con):
            return 0
        shas = [r[0] for r in con.execute(_NEEDED_SQL)]
        con.execute(f"CREATE TABLE {TABLE} (sha256 TEXT PRIMARY KEY, data BLOB NOT NULL)")
        for sha in shas:
            try:
                data = blob_path(home, sha).read_bytes()
            except OSError as exc:
                log.warning("page %s not in the backup: %s", sha[:12], type(exc).__name__)
                continue
            if hashlib.sha256(data).hexdigest() != sha:
                log.warning("page %s not in the backup: damaged on disk", sha[:12])
                continue
            con.execute(f"INSERT INTO {TABLE} (sha256, data) VALUES (?, ?)", (sha, data))
            count += 1
        con.commit()
    log.info("%d page files put into the backup", count)
    return count


def extract(snapshot: Path | str, home: Path | str) -> int:
    """Write the snapshot's page files into the data folder and take them out of the snapshot;
    returns how many. A file whose bytes do not match its name is refused (ValueError)."""
    con = sqlite3.connect(snapshot)
    count = 0
    with contextlib.closing(con):
        if TABLE not in _tables(con):
            return 0
        for sha, data in con.execute(f"SELECT sha256, data FROM {TABLE}"):
            if hashlib.sha256(data).hexdigest() != sha:
                raise ValueError(f"backup page {sha[:12]} does not match its hash")  # GCM makes this a bug
            write_blob(home, sha, data)
            count += 1
        con.execute(f"DROP TABLE {TABLE}")
        con.commit()
        con.execute("VACUUM")
    log.info("%d page files restored from the backup", count)
    return count
