"""Tables of the provincial server and the engine that serves them (SQLite or PostgreSQL).

Every table has a natural or composite key (no autoincrement), so a JSON backup restores
to the same rows on either engine without fixing sequences.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import (
    BigInteger,
    DateTime,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    create_engine,
    event,
    select,
)
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

DEFAULT_DB_URL = "sqlite:///provincial.db"


def utcnow() -> datetime:
    return datetime.now(UTC)


def new_epoch() -> str:
    """A random 128-bit feed epoch, 32 lowercase hex digits."""
    return secrets.token_hex(16)


class Base(DeclarativeBase):
    pass


TS = DateTime(timezone=True)


class Meta(Base):
    __tablename__ = "meta"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class Office(Base):
    __tablename__ = "offices"
    code: Mapped[str] = mapped_column(String(6), primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(TS, default=utcnow)


class Device(Base):
    __tablename__ = "devices"
    office: Mapped[str] = mapped_column(ForeignKey("offices.code"), primary_key=True)
    device: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_sha256: Mapped[str | None] = mapped_column(String(64), unique=True)  # NULL once revoked
    enrolled_at: Mapped[datetime | None] = mapped_column(TS)
    revoked_at: Mapped[datetime | None] = mapped_column(TS)
    last_receipt_no: Mapped[str | None] = mapped_column(String(40))
    last_seen_at: Mapped[datetime | None] = mapped_column(TS)


class RateBucket(Base):
    """Token bucket per device; in the database so it holds across workers."""

    __tablename__ = "rate_buckets"
    office: Mapped[str] = mapped_column(String(6), primary_key=True)
    device: Mapped[int] = mapped_column(Integer, primary_key=True)
    tokens: Mapped[float] = mapped_column(Float)
    updated: Mapped[float] = mapped_column(Float)  # unix time


class CatalogVersion(Base):
    __tablename__ = "catalog_versions"
    version: Mapped[str] = mapped_column(String(64), primary_key=True)
    load_no: Mapped[int] = mapped_column(Integer, unique=True)  # order of loading; highest = current
    content_json: Mapped[str] = mapped_column(Text)  # canonical JSON
    content_sha256: Mapped[str] = mapped_column(String(64))
    loaded_at: Mapped[datetime] = mapped_column(TS, default=utcnow)


class ServerRequest(Base):
    __tablename__ = "requests"
    office: Mapped[str] = mapped_column(ForeignKey("offices.code"), primary_key=True)
    request_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    receipt_no: Mapped[str] = mapped_column(String(40))
    device: Mapped[int] = mapped_column(Integer)
    server_ref: Mapped[str] = mapped_column(String(10), unique=True)
    payload_json: Mapped[str] = mapped_column(Text)  # the client's frozen canonical bytes, decoded
    payload_sha256: Mapped[str] = mapped_column(String(64))
    core_sha256: Mapped[str] = mapped_column(String(64))  # hash without server_ref
    status: Mapped[str] = mapped_column(String(16))
    status_note: Mapped[str | None] = mapped_column(Text)
    service_code: Mapped[str] = mapped_column(String(16))
    catalog_version: Mapped[str] = mapped_column(String(64))
    total: Mapped[int] = mapped_column(BigInteger)
    refund: Mapped[int] = mapped_column(BigInteger, default=0)
    created_at: Mapped[datetime] = mapped_column(TS)  # client clock, UTC
    clock_skew_s: Mapped[float] = mapped_column(Float, default=0)
    tehran_day: Mapped[str] = mapped_column(String(10))  # ISO date of the Tehran civil day
    received_at: Mapped[datetime] = mapped_column(TS, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(TS, default=utcnow)
    __table_args__ = (
        UniqueConstraint("office", "receipt_no", name="uq_requests_office_receipt"),
        Index("ix_requests_office_day", "office", "tehran_day"),
    )


class RequestText(Base):
    """Normalised copies of the free text in a request's payload, for display and search.

    `requests.payload_json` keeps the client's frozen bytes as they came (their hash is the
    request's identity and decides `duplicate`/`conflict`), so text from it is never shown as it
    is: whoever displays, searches or sends a citizen's or clerk's name reads it here, where it
    went through `normalize_text` (keys: `search_key`). Written with the request; rows made before
    this table existed are filled in once by `ServerDB.init` (`provincial_server.texts.backfill`).
    """

    __tablename__ = "request_texts"
    office: Mapped[str] = mapped_column(String(6), primary_key=True)
    request_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    first_name: Mapped[str] = mapped_column(Text)
    last_name: Mapped[str] = mapped_column(Text)
    first_key: Mapped[str] = mapped_column(Text)
    last_key: Mapped[str] = mapped_column(Text)
    clerk_full_name: Mapped[str | None] = mapped_column(Text)
    __table_args__ = (
        ForeignKeyConstraint(["office", "request_id"], ["requests.office", "requests.request_id"]),
        Index("ix_request_texts_last_key", "office", "last_key"),
    )


class Operation(Base):
    """Every applied operation, keyed by its idempotency key; keys never expire."""

    __tablename__ = "operations"
    office: Mapped[str] = mapped_column(String(6), primary_key=True)
    op_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))
    request_id: Mapped[str] = mapped_column(String(36))
    device: Mapped[int] = mapped_column(Integer)
    payload_sha256: Mapped[str] = mapped_column(String(64))
    result: Mapped[str] = mapped_column(String(16))
    server_ref: Mapped[str | None] = mapped_column(String(10))
    seq: Mapped[int | None] = mapped_column(Integer)
    detail: Mapped[str | None] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(TS, default=utcnow)


class StatusHistory(Base):
    __tablename__ = "status_history"
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=lambda: secrets.token_hex(16))
    office: Mapped[str] = mapped_column(String(6))
    request_id: Mapped[str] = mapped_column(String(36))
    at: Mapped[datetime] = mapped_column(TS, default=utcnow)
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    actor: Mapped[str] = mapped_column(String(64))
    note: Mapped[str | None] = mapped_column(Text)
    __table_args__ = (Index("ix_history_request", "office", "request_id"),)


class FeedCounter(Base):
    """Per-office feed counter; the seq of a change is taken from it in the change's transaction."""

    __tablename__ = "feed_counters"
    office: Mapped[str] = mapped_column(ForeignKey("offices.code"), primary_key=True)
    last_seq: Mapped[int] = mapped_column(Integer, default=0)


class Change(Base):
    __tablename__ = "changes"
    office: Mapped[str] = mapped_column(String(6), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    device: Mapped[int] = mapped_column(Integer)
    request_id: Mapped[str] = mapped_column(String(36))
    receipt_no: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(16))
    server_ref: Mapped[str | None] = mapped_column(String(10))
    note: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(TS, default=utcnow)
    __table_args__ = (Index("ix_changes_device", "office", "device", "seq"),)


class DeviceStatus(Base):
    """What a desk last reported of itself in `hello` (DESIGN.md section 12): one row a device.

    Only the desk knows its backlog, so these figures are the desk's own word, as of
    `reported_at` (server clock)."""

    __tablename__ = "device_status"
    office: Mapped[str] = mapped_column(String(6), primary_key=True)
    device: Mapped[int] = mapped_column(Integer, primary_key=True)
    reported_at: Mapped[datetime] = mapped_column(TS, default=utcnow)
    app_version: Mapped[str | None] = mapped_column(String(32))
    pending: Mapped[int | None] = mapped_column(Integer)
    oldest_pending_s: Mapped[int | None] = mapped_column(Integer)
    attachment_bytes_pending: Mapped[int | None] = mapped_column(BigInteger)
    printer_state: Mapped[str | None] = mapped_column(String(32))
    last_error: Mapped[str | None] = mapped_column(Text)


class Heartbeat(Base):
    """Every report of `DeviceStatus`, kept for the province's history (a week is enough)."""

    __tablename__ = "heartbeats"
    office: Mapped[str] = mapped_column(String(6), primary_key=True)
    device: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(TS, primary_key=True, default=utcnow)
    app_version: Mapped[str | None] = mapped_column(String(32))
    pending: Mapped[int | None] = mapped_column(Integer)
    oldest_pending_s: Mapped[int | None] = mapped_column(Integer)
    attachment_bytes_pending: Mapped[int | None] = mapped_column(BigInteger)
    printer_state: Mapped[str | None] = mapped_column(String(32))
    last_error: Mapped[str | None] = mapped_column(Text)


class SmsMessage(Base):
    """The citizen's SMS of one status change (DESIGN.md section 12), queued in the change's own
    transaction by `provincial_server.feed.record_status` and sent by `provincial_server.sms`.

    Keyed by the change (office, seq): one message a change, never two. `idempotency_key` is what
    the gateway sees; it also names the feed epoch, because a restore from a backup hands out the
    same seqs again and a gateway must not mistake those new changes for old ones."""

    __tablename__ = "sms_outbox"
    office: Mapped[str] = mapped_column(String(6), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(80), unique=True)
    request_id: Mapped[str] = mapped_column(String(36))
    server_ref: Mapped[str | None] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(16))  # the request's new status: completed | rejected
    to_number: Mapped[str | None] = mapped_column(String(16))  # None: the request had no mobile (skipped)
    text: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(16))  # provincial_server.sms.STATES
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(TS)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_until: Mapped[datetime | None] = mapped_column(TS)
    last_error: Mapped[str | None] = mapped_column(Text)
    gateway_id: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(TS, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(TS)
    delivered_at: Mapped[datetime | None] = mapped_column(TS)
    __table_args__ = (Index("ix_sms_outbox_due", "state", "next_attempt_at"),)


class Attachment(Base):
    """A page linked to a request (DESIGN.md section 11): its bytes live in the file store
    (`provincial_server.storage`) under the office and the SHA-256, verified before the link."""

    __tablename__ = "attachments"
    office: Mapped[str] = mapped_column(String(6), primary_key=True)
    request_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    document: Mapped[str | None] = mapped_column(Text)
    bytes: Mapped[int] = mapped_column(BigInteger)
    content_type: Mapped[str] = mapped_column(String(64))
    linked_at: Mapped[datetime] = mapped_column(TS, default=utcnow)
    __table_args__ = (ForeignKeyConstraint(["office", "request_id"], ["requests.office", "requests.request_id"]),)


class Upload(Base):
    """A tus upload of one page (DESIGN.md section 11), open until its last byte arrives.

    Its bytes so far are a file of the store (`partial_path`), appended and fsynced before each
    PATCH is answered: the file's size is the upload's offset, so a server killed mid-upload
    resumes at what reached the disk. `state`: `open` -> `complete` (the bytes hashed to `sha256`
    and went into the store) or `refused` (`detail`: hash_mismatch | not_a_page | truncated)."""

    __tablename__ = "uploads"
    office: Mapped[str] = mapped_column(String(6), primary_key=True)
    upload_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    device: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    length: Mapped[int] = mapped_column(BigInteger)
    metadata_text: Mapped[str | None] = mapped_column(Text)  # the Upload-Metadata header as sent
    state: Mapped[str] = mapped_column(String(12), default="open")
    detail: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(TS, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(TS, default=utcnow)
    __table_args__ = (Index("ix_uploads_office_sha", "office", "sha256"),)


# Restore order (parents first); backup uses the same list.
TABLES = [
    Meta,
    Office,
    Device,
    RateBucket,
    CatalogVersion,
    ServerRequest,
    RequestText,
    Operation,
    StatusHistory,
    FeedCounter,
    Change,
    DeviceStatus,
    Heartbeat,
    SmsMessage,
    Attachment,
    Upload,
]


# ---------------------------------------------------------------- engine


class ServerDB:
    """Engine + session helpers. `write()` takes the write lock at BEGIN on SQLite."""

    def __init__(self, url: str):
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        if self.is_sqlite:
            _create_private(url)
            self.engine = create_engine(
                url, connect_args={"timeout": 60, "check_same_thread": False}, hide_parameters=True
            )  # payloads hold national codes
            _sqlite_pragmas(self.engine)
        else:
            self.engine = create_engine(url, pool_size=10, max_overflow=20, pool_pre_ping=True, hide_parameters=True)
        self._immediate = self.engine.execution_options(sqlite_immediate=True)

    @contextmanager
    def read(self, *, snapshot: bool = False) -> Iterator[Session]:
        """A read transaction; `snapshot=True` sees one instant across every statement (a backup).
        SQLite's read transaction is a snapshot already; PostgreSQL needs REPEATABLE READ."""
        bind = self.engine
        if snapshot and not self.is_sqlite:
            bind = self.engine.execution_options(isolation_level="REPEATABLE READ")
        with Session(bind, expire_on_commit=False) as s, s.begin():
            yield s

    @contextmanager
    def write(self) -> Iterator[Session]:
        with Session(self._immediate, expire_on_commit=False) as s, s.begin():
            yield s

    def init(self) -> None:
        """Create the tables and the meta row (feed epoch) when missing. Not safe to race."""
        from provincial_server import texts  # it imports this module

        Base.metadata.create_all(self.engine)
        with self.write() as s:
            if s.get(Meta, "feed_epoch") is None:
                s.add(Meta(key="feed_epoch", value=new_epoch()))
            texts.backfill_once(s)

    def dispose(self) -> None:
        self.engine.dispose()


def _create_private(url: str) -> None:
    """Create a SQLite database file that does not exist yet as an empty file of mode 0600 (it
    will hold national codes; SQLite gives its -wal and -shm files the same mode)."""
    database = make_url(url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    path = Path(database)
    if path.exists():
        return
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    except OSError:
        return  # a folder that does not exist: let SQLite say so
    try:
        if hasattr(os, "fchmod"):
            os.fchmod(fd, 0o600)
    finally:
        os.close(fd)


def _sqlite_pragmas(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _connect(dbapi_conn, _record):
        dbapi_conn.isolation_level = None  # we emit BEGIN ourselves
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=FULL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=60000")
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn):
        immediate = conn.get_execution_options().get("sqlite_immediate")
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def feed_epoch(s: Session) -> str:
    """Written when the schema is made (and replaced, never removed, by a feed reset)."""
    return s.execute(select(Meta.value).where(Meta.key == "feed_epoch")).scalar_one()
