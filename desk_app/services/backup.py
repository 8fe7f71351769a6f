"""Plain backup and restore of the local store through SQLite's online backup API.

`backup` copies the live database (WAL included) into one self-contained file while the app
keeps working; `restore` first proves the file is a sound database of this application (SQLite
header, integrity check, our tables, a schema revision we know) and of this device (or the manager
said the PC it came from is retired), then copies it over the data folder's database with the same
API and brings its schema up to date. A restored database gives no receipt number until the
provincial server has confirmed the device (`desk_app.sync.identity`). Encryption
(`backup_crypto`) wraps these two: they take and give plain SQLite files.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from desk_app.domain.errors import InvalidInput
from desk_app.paths import create_private_file
from desk_app.services import audit
from desk_app.services.context import database_path
from desk_app.services.users import acting_user
from desk_app.store.engine import SQLITE_HEADER, busy_timeout_ms, open_database, translate_errors
from desk_app.store.migrate import REVISIONS
from desk_app.sync import identity
from desk_app.sync.errors import SyncBusy
from desk_app.sync.lock import sync_lock

if TYPE_CHECKING:
    from desk_app.services.context import Desk

REQUIRED_TABLES = {"settings", "users", "requests", "outbox", "audit_log", "alembic_version"}
MSG_NOT_OURS = "این فایل، پایگاه دادهٔ میز پیشخوان نیست؛ چیزی بازیابی نشد."
MSG_DAMAGED = "فایل پشتیبان خراب است؛ چیزی بازیابی نشد."
MSG_SYNC_RUNNING = "همگام‌سازی با سرور استان در جریان است؛ چند لحظه بعد دوباره بازیابی کنید. چیزی بازیابی نشد."
MSG_OTHER_DEVICE = (
    "این پشتیبان از دستگاه {b_device} دفتر {b_office} است، اما این رایانه دستگاه {device} دفتر {office} است؛ "
    "چیزی بازیابی نشد. با این بازیابی، این رایانه دستگاه {b_device} می‌شود و اگر رایانهٔ دستگاه {b_device} "
    "هنوز کار کند، هر دو رسیدهایی با یک شماره به دو شهروند می‌دهند. فقط اگر رایانهٔ دستگاه {b_device} "
    "کنار گذاشته شده است (خراب، گم‌شده یا جایگزین‌شده)، بازیابی را با تأیید جایگزینی دستگاه تکرار کنید "
    "(desk-app restore FILE --replace-device)."
)


class OtherDevice(InvalidInput):
    """The backup is another device's than the one this PC is: refused unless `replace_device`."""

    def __init__(self, backup: tuple[str | None, str | None], this: tuple[str, str]):
        self.backup_office, self.backup_device = backup
        self.office, self.device = this
        super().__init__(
            MSG_OTHER_DEVICE.format(b_office=backup[0], b_device=backup[1], office=this[0], device=this[1]), "device"
        )


def device_of(home: Path | str) -> tuple[str, str] | None:
    """(office code, device no) this data folder is set up as, read without opening it for work (a
    damaged database is what one restores over); None when there is none or it cannot be read."""
    path = database_path(home)
    if not path.is_file():
        return None
    try:
        con = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True, timeout=busy_timeout_ms() / 1000)
        try:
            rows = dict(con.execute("SELECT key, value FROM settings WHERE key IN ('office_code', 'device_no')"))
        finally:
            con.close()
    except sqlite3.Error:
        return None
    office, device = rows.get("office_code"), _device_text(rows.get("device_no"))
    return (str(office), device) if office and device else None


@contextlib.contextmanager
def _no_sync(home: Path | str) -> Iterator[None]:
    try:
        with sync_lock(home):
            yield
    except SyncBusy:
        raise InvalidInput(MSG_SYNC_RUNNING, "file") from None


def _device_text(value: object) -> str | None:
    try:
        return str(int(str(value))) if value is not None else None
    except ValueError:
        return None


@dataclass(frozen=True)
class RestoreResult:
    requests: int
    office_code: str | None
    device_no: str | None
    revision: str
    replaced: tuple[str, str] | None = None  # (office, device) this PC was before, when it changed

    def to_json(self) -> dict[str, Any]:
        data = dict(self.__dict__)
        data["replaced"] = {"office": self.replaced[0], "device": self.replaced[1]} if self.replaced else None
        return data


def _copy(src: sqlite3.Connection, dest_path: Path, *, self_contained: bool) -> None:
    dst = sqlite3.connect(dest_path, timeout=busy_timeout_ms() / 1000)
    try:
        src.backup(dst)
        if self_contained:
            dst.execute("PRAGMA journal_mode = DELETE")  # no -wal file beside a backup
    finally:
        dst.close()


def backup(desk: Desk, file: Path | str, actor: str | None = None) -> Path:
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
        create_private_file(part)  # 0600 before SQLite writes national codes into it
        raw = desk.db.engine.raw_connection()
        try:
            driver = raw.driver_connection
            assert isinstance(driver, sqlite3.Connection), "the store is SQLite"
            _copy(driver, part, self_contained=True)
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
    return revision, count, settings.get("office_code"), _device_text(settings.get("device_no"))


def restore(home: Path | str, file: Path | str, *, replace_device: bool = False) -> RestoreResult:
    """Replace the data folder's database by the backup `file`, after checking it is ours.

    A backup of another device than the one this folder is set up as is refused (`OtherDevice`)
    unless `replace_device`: the manager confirmed the PC it came from is retired. Either way the
    restored database numbers no receipt until a `hello` confirms the device (`identity`); after a
    replacement it is marked `REPLACED` (enrol this PC as that device first)."""
    revision, count, office, device = inspect(file)
    this = device_of(home)
    replacing = this is not None and (str(office), device) != this
    if this is not None and replacing and not replace_device:
        raise OtherDevice((office, device), this)
    target = database_path(home)
    with translate_errors():
        Path(home).mkdir(parents=True, exist_ok=True)
    with translate_errors(), _no_sync(home):  # no sync of the old database may finish on the new one
        create_private_file(target)  # a new PC: 0600 from the start
        src = sqlite3.connect(Path(file).resolve().as_uri() + "?mode=ro", uri=True)
        try:
            _copy(src, target, self_contained=False)
        finally:
            src.close()
        db = open_database(target)  # WAL back on, schema brought to head
        try:
            with db.write() as s:
                identity.mark_unconfirmed(s, identity.REPLACED if replacing else identity.AFTER_RESTORE)
                details = {"requests": count, "revision": revision}
                if this is not None and replacing:
                    details["replaced_device"] = f"{this[0]}-{this[1]}"
                audit.record(s, None, "restore", Path(file).name, details)
        finally:
            db.close()
    return RestoreResult(count, office, device, revision, replaced=this if replacing else None)
