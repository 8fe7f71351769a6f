"""The SQLite engine: pragmas on every connection, BEGIN IMMEDIATE for writes, known errors mapped.

pysqlite's own transaction handling is switched off (`isolation_level = None`) and BEGIN is
emitted by us, the recipe of the SQLAlchemy SQLite dialect documentation; a write transaction
then takes the write lock at its start, so two writers queue on `busy_timeout` instead of
failing half-way with SQLITE_BUSY.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from desk_app.paths import create_private_file, make_private_dir
from desk_app.store.checkpoint import SAFETY_NET_PAGES, WAL_SIZE_LIMIT, Checkpointer
from desk_app.store.errors import StoreError

log = logging.getLogger("desk_app.store")

DEFAULT_BUSY_TIMEOUT_MS = 5000
SQLITE_HEADER = b"SQLite format 3\x00"
_BEGIN_OPTION = "desk_begin"

MESSAGES = {
    "locked": "پایگاه داده در دست برنامهٔ دیگری است و قفل ماند؛ چند لحظه بعد دوباره تلاش کنید.",
    "full": "فضای دیسک پر است و اطلاعات ذخیره نشد؛ فضا آزاد کنید و دوباره تلاش کنید.",
    "readonly": "پایگاه داده فقط‌خواندنی است و چیزی ذخیره نشد؛ اجازهٔ نوشتن در پوشهٔ داده را بررسی کنید.",
    "corrupt": "فایل پایگاه داده خراب است یا پایگاه دادهٔ این برنامه نیست؛ از نسخهٔ پشتیبان بازیابی کنید.",
    "cantopen": "فایل پایگاه داده باز نمی‌شود؛ مسیر و اجازه‌های پوشهٔ داده را بررسی کنید.",
    "io": "خطای خواندن یا نوشتن دیسک؛ دیسک و پوشهٔ داده را بررسی کنید.",
}

_ERROR_KINDS = {
    "SQLITE_BUSY": "locked",
    "SQLITE_LOCKED": "locked",
    "SQLITE_FULL": "full",
    "SQLITE_READONLY": "readonly",
    "SQLITE_PERM": "readonly",
    "SQLITE_CORRUPT": "corrupt",
    "SQLITE_NOTADB": "corrupt",
    "SQLITE_CANTOPEN": "cantopen",
    "SQLITE_IOERR": "io",
}


def store_error(kind: str) -> StoreError:
    return StoreError(MESSAGES[kind], kind)


def classify(exc: BaseException) -> str | None:
    """The StoreError kind of a known SQLite/OS failure, or None for anything else (a bug)."""
    orig = exc.orig if isinstance(exc, DBAPIError) else exc
    if isinstance(orig, OSError):
        kinds = {errno.ENOSPC: "full", errno.EROFS: "readonly", errno.EACCES: "readonly"}
        return kinds.get(orig.errno) if orig.errno is not None else None
    if not isinstance(orig, sqlite3.Error):
        return None
    name = getattr(orig, "sqlite_errorname", "") or ""
    for prefix, kind in _ERROR_KINDS.items():
        if name.startswith(prefix):
            return kind
    text_ = str(orig).lower()
    for needle, kind in (
        ("locked", "locked"),
        ("disk is full", "full"),
        ("readonly", "readonly"),
        ("malformed", "corrupt"),
        ("not a database", "corrupt"),
    ):
        if needle in text_:
            return kind
    return None


def _kind_behind(exc: BaseException) -> str | None:
    """The kind of a known failure that a database error was raised while handling. On a full disk
    SQLite may roll the whole transaction back by itself; the ROLLBACK TO SAVEPOINT that follows
    then fails ("no such savepoint") and would hide the full disk behind an unknown error."""
    if not isinstance(exc, DBAPIError | sqlite3.Error):
        return None
    seen = exc.__context__
    while seen is not None:
        kind = classify(seen)
        if kind is not None:
            return kind
        seen = seen.__context__
    return None


@contextlib.contextmanager
def translate_errors() -> Iterator[None]:
    """Turn known SQLite failures into StoreError; let everything else through."""
    try:
        yield
    except StoreError:
        raise
    except (DBAPIError, sqlite3.Error, OSError) as exc:
        kind = classify(exc) or _kind_behind(exc)
        if kind is None:
            raise
        log.warning("store error %s: %s", kind, type(exc).__name__)
        raise store_error(kind) from exc


def busy_timeout_ms() -> int:
    """`DESK_APP_BUSY_TIMEOUT_MS` (tests shorten it), else 5 s."""
    try:
        return int(os.environ.get("DESK_APP_BUSY_TIMEOUT_MS", DEFAULT_BUSY_TIMEOUT_MS))
    except ValueError:
        return DEFAULT_BUSY_TIMEOUT_MS


def apply_pragmas(dbapi_connection: sqlite3.Connection, timeout_ms: int) -> None:
    """The pragmas of DESIGN.md section 3; busy_timeout first so the WAL switch can wait."""
    dbapi_connection.isolation_level = None
    cur = dbapi_connection.cursor()
    try:
        cur.execute(f"PRAGMA busy_timeout = {int(timeout_ms)}")
        cur.execute("PRAGMA journal_mode = WAL")
        cur.execute("PRAGMA synchronous = FULL")
        cur.execute("PRAGMA foreign_keys = ON")
        cur.execute(f"PRAGMA wal_autocheckpoint = {SAFETY_NET_PAGES}")  # the Checkpointer does it
        cur.execute(f"PRAGMA journal_size_limit = {WAL_SIZE_LIMIT}")  # its trigger reads the WAL's size
    finally:
        cur.close()


def make_engine(path: Path, timeout_ms: int) -> Engine:
    engine = create_engine(
        f"sqlite:///{path}",
        connect_args={"check_same_thread": False, "timeout": timeout_ms / 1000},
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record: object) -> None:
        apply_pragmas(dbapi_connection, timeout_ms)

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        mode = conn.get_execution_options().get(_BEGIN_OPTION, "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")

    return engine


def check_header(path: Path) -> None:
    """Refuse a file that exists but is not an SQLite database, before SQLite touches it."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(len(SQLITE_HEADER))
    except FileNotFoundError:
        return
    except OSError as exc:
        raise store_error("cantopen") from exc
    if head and head != SQLITE_HEADER:
        raise store_error("corrupt")


class Database:
    """One SQLite file. `read()` and `write()` yield a Session inside a transaction."""

    def __init__(self, engine: Engine, path: Path, timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS):
        self.engine = engine
        self.path = path
        self.checkpointer = Checkpointer(path, timeout_ms)

    @contextlib.contextmanager
    def connection(self, immediate: bool = False) -> Iterator[Connection]:
        """A Core connection in a transaction (BEGIN IMMEDIATE when `immediate`)."""
        with translate_errors(), self.engine.connect() as conn:
            if immediate:
                conn.execution_options(**{_BEGIN_OPTION: "IMMEDIATE"})
            with conn.begin():
                yield conn
        if immediate:
            self.checkpointer.kick()

    @contextlib.contextmanager
    def read(self) -> Iterator[Session]:
        """A consistent snapshot for reading (deferred BEGIN; never takes the write lock)."""
        with (
            self.connection() as conn,
            Session(bind=conn, expire_on_commit=False, join_transaction_mode="rollback_only") as session,
        ):
            yield session
            session.flush()

    @contextlib.contextmanager
    def write(self) -> Iterator[Session]:
        """BEGIN IMMEDIATE; commits on normal exit, rolls back on any exception."""
        with (
            self.connection(immediate=True) as conn,
            Session(bind=conn, expire_on_commit=False, join_transaction_mode="rollback_only") as session,
        ):
            yield session
            session.flush()

    def close(self) -> None:
        self.checkpointer.stop()
        self.engine.dispose()

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_database(path: Path | str, *, busy_timeout: int | None = None, migrate: bool = True) -> Database:
    """Open (creating if needed) the store at `path` and bring its schema to the head revision."""
    from desk_app.store import migrate as migrations

    path = Path(path)
    with translate_errors():
        make_private_dir(path.parent)  # the data folder: 0700
        create_private_file(path)  # 0600 before SQLite creates it (its -wal and -shm take its mode)
    check_header(path)
    timeout_ms = busy_timeout if busy_timeout is not None else busy_timeout_ms()
    engine = make_engine(path, timeout_ms)
    db = Database(engine, path, timeout_ms)
    try:
        with translate_errors():
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            if migrate:
                migrations.upgrade(db)
    except BaseException:
        engine.dispose()
        raise
    return db
