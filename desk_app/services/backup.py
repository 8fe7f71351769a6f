"""Plain backup and restore of the local store through SQLite's online backup API.

`backup` copies the live database (WAL included) into one self-contained file while the app
keeps working; `restore` first proves the file is a sound database of this application (SQLite
header, integrity check, our tables, a schema revision we know), then copies it over the data
folder's database with the same API and brings its schema up to date. Encryption
(`backup_crypto`) wraps these two: they take and give plain SQLite files.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from desk_app.domain.errors import InvalidInput
from desk_app.services import audit
from desk_app.services.context import database_path
from desk_app.services.users import acting_user
from desk_app.store.engine import SQLITE_HEADER, busy_timeout_ms, open_database, translate_errors
from desk_app.store.migrate import REVISIONS

REQUIRED_TABLES = {"settings", "users", "requests", "outbox", "audit_log", "alembic_version"}
MSG_NOT_OURS = "این فایل، پایگاه دادهٔ میز پیشخوان نیست؛ چیزی بازیابی نشد."
MSG_DAMAGED = "فایل پشتیبان خراب است؛ چیزی بازیابی نشد."


@dataclass(frozen=True)
class RestoreResult:
    requests: int
    office_code: str | None
    device_no: str | None
    revision: str

    def to_json(self) -> dict:
        return dict(self.__dict__)


def _copy(src: sqlite3.Connection, dest_path: Path, *, self_contained: bool) -> None:
    dst = sqlite3.connect(dest_path, timeout=busy_timeout_ms() / 1000)
    try:
        src.backup(dst)
        if self_contained:
            dst.execute("PRAGMA journal_mode = DELETE")  # no -wal file beside a backup
    finally:
        dst.close()


def backup(desk, file: Path | str, actor: str | None = None) -> Path:
    """Write a consistent copy of the database to `file` (replaced only when complete)."""
    dest = Path(file)
    if dest.exists() and dest.is_dir():
        raise InvalidInput(f"«{dest.name}» پوشه است؛ نام یک فایل را بدهید.", "file")
    with desk.db.write() as s:  # the audit line is inside the copy it describes
        if actor is not None:
            acting_user(s, actor, "backup")
        audit.record(s, actor, "backup", dest.name, {})
    part = dest.with_name(dest.name + ".part")
    with translate_errors():
        dest.parent.mkdir(parents=True, exist_ok=True)
        part.unlink(missing_ok=True)
        raw = desk.db.engine.raw_connection()
        try:
            _copy(raw.driver_connection, part, self_contained=True)
        finally:
            raw.close()
        os.replace(part, dest)
    return dest


def inspect(file: Path | str) -> tuple[str, int, str | None, str | None]:
    """(revision, request count, office code, device no) of a database file of ours, else InvalidInput."""
    path = Path(file)
    try:
        with open(path, "rb") as fh:
            head = fh.read(len(SQLITE_HEADER))
    except FileNotFoundError:
        raise InvalidInput(f"فایل «{path.name}» پیدا نشد.", "file") from None
    except IsADirectoryError:
        raise InvalidInput(f"«{path.name}» پوشه است، نه فایل.", "file") from None
    if head != SQLITE_HEADER:
        raise InvalidInput(MSG_NOT_OURS, "file")
    try:
        con = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True)
    except sqlite3.Error:
        raise InvalidInput(MSG_NOT_OURS, "file") from None
    try:
        with contextlib.closing(con):
            if con.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                raise InvalidInput(MSG_DAMAGED, "file")
            tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            if not REQUIRED_TABLES <= tables:
                raise InvalidInput(MSG_NOT_OURS, "file")
            revision = (con.execute("SELECT version_num FROM alembic_version").fetchone() or [None])[0]
            if revision not in REVISIONS:
                raise InvalidInput("این پشتیبان با نسخهٔ دیگری از برنامه ساخته شده و قابل بازیابی نیست.", "file")
            count = con.execute("SELECT count(*) FROM requests").fetchone()[0]
            settings = dict(
                con.execute("SELECT key, value FROM settings WHERE key IN ('office_code', 'device_no')").fetchall()
            )
    except sqlite3.DatabaseError:  # the header says SQLite, the pages say otherwise
        raise InvalidInput(MSG_DAMAGED, "file") from None
    return revision, count, settings.get("office_code"), settings.get("device_no")


def restore(home: Path | str, file: Path | str) -> RestoreResult:
    """Replace the data folder's database by the backup `file`, after checking it is ours."""
    revision, count, office, device = inspect(file)
    target = database_path(home)
    with translate_errors():
        Path(home).mkdir(parents=True, exist_ok=True)
        src = sqlite3.connect(Path(file).resolve().as_uri() + "?mode=ro", uri=True)
        try:
            _copy(src, target, self_contained=False)
        finally:
            src.close()
    db = open_database(target)  # WAL back on, schema brought to head
    try:
        with db.write() as s:
            audit.record(s, None, "restore", Path(file).name, {"requests": count, "revision": revision})
    finally:
        db.close()
    return RestoreResult(count, office, device, revision)
