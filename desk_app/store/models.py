"""SQLAlchemy models of the local store (docs/INTERFACES.md names; the schema itself lives in
the Alembic migrations, and a test keeps the two equal).

Timestamps are TEXT in UTC, `format_utc` form ("2026-11-29T15:38:52.123456Z"), so they sort as
text. Money is INTEGER rials. Identifiers (national code, receipt no) are TEXT.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Setting(Base):
    __tablename__ = "settings"
    key: Mapped[str] = mapped_column(String, primary_key=True)
    value: Mapped[str | None] = mapped_column(Text)


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String, unique=True, nullable=False)
    full_name: Mapped[str] = mapped_column(String, nullable=False, default="")
    role: Mapped[str] = mapped_column(String, nullable=False)
    password_hash: Mapped[str] = mapped_column(String, nullable=False)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    created_at: Mapped[str] = mapped_column(String, nullable=False)


class Shift(Base):
    __tablename__ = "shifts"
    __table_args__ = (Index("ix_shifts_user_open", "user_id", "closed_at"),)
    id: Mapped[str] = mapped_column(String, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), nullable=False)
    opened_at: Mapped[str] = mapped_column(String, nullable=False)
    opening_cash: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    closed_at: Mapped[str | None] = mapped_column(String)
    counted_json: Mapped[str | None] = mapped_column(Text)
    expected_json: Mapped[str | None] = mapped_column(Text)
    closed_by: Mapped[str | None] = mapped_column(String)  # username of who counted, when not the clerk (0005)


class Draft(Base):
    """An intake form the UI has not saved yet; a shift with drafts cannot be closed."""

    __tablename__ = "drafts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    shift_id: Mapped[str] = mapped_column(ForeignKey("shifts.id"), nullable=False, index=True)
    clerk_username: Mapped[str] = mapped_column(String, nullable=False)
    data_json: Mapped[str] = mapped_column(Text, nullable=False, default="{}")
    created_at: Mapped[str] = mapped_column(String, nullable=False)
    updated_at: Mapped[str] = mapped_column(String, nullable=False)


class Citizen(Base):
    __tablename__ = "citizens"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    national_code: Mapped[str] = mapped_column(String, unique=True, nullable=False)
    first_name: Mapped[str] = mapped_column(String, nullable=False)
    last_name: Mapped[str] = mapped_column(String, nullable=False)
    mobile: Mapped[str | None] = mapped_column(String)
    first_key: Mapped[str] = mapped_column(String, nullable=False)
    last_key: Mapped[str] = mapped_column(String, nullable=False)
    updated_at: Mapped[str] = mapped_column(String, nullable=False)


class CatalogVersion(Base):
    __tablename__ = "catalog_versions"
    version: Mapped[str] = mapped_column(String, primary_key=True)
    imported_at: Mapped[str] = mapped_column(String, nullable=False)
    content_sha256: Mapped[str] = mapped_column(String, nullable=False)


class ServiceRow(Base):
    __tablename__ = "services"
    code: Mapped[str] = mapped_column(String, primary_key=True)
    title: Mapped[str] = mapped_column(String, nullable=False)
    title_key: Mapped[str] = mapped_column(String, nullable=False)
    agency: Mapped[str] = mapped_column(String, nullable=False)
    fees_json: Mapped[str] = mapped_column(Text, nullable=False)
    documents_json: Mapped[str] = mapped_column(Text, nullable=False, default="[]")
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    catalog_version: Mapped[str] = mapped_column(String, nullable=False)
    # revision 0008: the service's form (canonical JSON of its JSON Schema), NULL when it has none
    form_json: Mapped[str | None] = mapped_column(Text, nullable=True)


class Request(Base):
    __tablename__ = "requests"
    __table_args__ = (
        Index("ix_requests_tehran_day", "tehran_day"),
        Index("ix_requests_status", "status"),
        # revision 0002: search and report indexes
        Index("ix_requests_national_code", "national_code"),
        Index("ix_requests_first_key", "first_key"),
        Index("ix_requests_last_key", "last_key"),
        Index("ix_requests_shift", "shift_id"),
        Index("ix_requests_service_day", "service_code", "tehran_day"),
        Index("ix_requests_clerk_day", "clerk_username", "tehran_day"),
    )
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    request_id: Mapped[str] = mapped_column(String, unique=True, nullable=False)
    receipt_no: Mapped[str] = mapped_column(String, unique=True, nullable=False)
    office: Mapped[str] = mapped_column(String, nullable=False)
    device: Mapped[str] = mapped_column(String, nullable=False)
    created_at: Mapped[str] = mapped_column(String, nullable=False)
    tehran_day: Mapped[str] = mapped_column(String, nullable=False)
    citizen_id: Mapped[int | None] = mapped_column(ForeignKey("citizens.id"))
    national_code: Mapped[str] = mapped_column(String, nullable=False)
    first_name: Mapped[str] = mapped_column(String, nullable=False)
    last_name: Mapped[str] = mapped_column(String, nullable=False)
    first_key: Mapped[str] = mapped_column(String, nullable=False)
    last_key: Mapped[str] = mapped_column(String, nullable=False)
    mobile: Mapped[str | None] = mapped_column(String)
    service_code: Mapped[str] = mapped_column(String, nullable=False)
    service_title: Mapped[str] = mapped_column(String, nullable=False)
    catalog_version: Mapped[str] = mapped_column(String, nullable=False)
    fees_json: Mapped[str] = mapped_column(Text, nullable=False)
    total: Mapped[int] = mapped_column(Integer, nullable=False)
    payment_method: Mapped[str] = mapped_column(String, nullable=False)
    payment_ref: Mapped[str | None] = mapped_column(String)
    clerk_username: Mapped[str] = mapped_column(String, nullable=False)
    shift_id: Mapped[str | None] = mapped_column(ForeignKey("shifts.id"))
    status: Mapped[str] = mapped_column(String, nullable=False)
    status_note: Mapped[str | None] = mapped_column(Text)
    server_ref: Mapped[str | None] = mapped_column(String)
    clock_skew_s: Mapped[int | None] = mapped_column(Integer)
    reprint_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    updated_at: Mapped[str] = mapped_column(String, nullable=False)
    # revision 0008: the form's answers frozen at intake (canonical JSON) and the version they obey
    fields_json: Mapped[str | None] = mapped_column(Text, nullable=True)
    form_version: Mapped[str | None] = mapped_column(String, nullable=True)


class ImportedRow(Base):
    """A CSV row that `request import` registered (revision 0005): the file by the SHA-256 of its
    bytes, the row by its line number and the SHA-256 of its cells. Written in the transaction of
    the request it made, so a re-run of the same file finds every row that was committed (also
    after a full disk or a kill) and registers none of them twice."""

    __tablename__ = "import_rows"
    __table_args__ = (UniqueConstraint("file_sha256", "line", "row_sha256", name="uq_import_rows_key"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    file_sha256: Mapped[str] = mapped_column(String, nullable=False)
    line: Mapped[int] = mapped_column(Integer, nullable=False)
    row_sha256: Mapped[str] = mapped_column(String, nullable=False)
    request_id: Mapped[str] = mapped_column(ForeignKey("requests.request_id"), unique=True, nullable=False)
    imported_at: Mapped[str] = mapped_column(String, nullable=False)


class RequestHistory(Base):
    __tablename__ = "request_history"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[str] = mapped_column(ForeignKey("requests.request_id"), nullable=False, index=True)
    at: Mapped[str] = mapped_column(String, nullable=False)
    from_status: Mapped[str | None] = mapped_column(String)
    to_status: Mapped[str] = mapped_column(String, nullable=False)
    actor: Mapped[str] = mapped_column(String, nullable=False)
    note: Mapped[str | None] = mapped_column(Text)


class Cancellation(Base):
    __tablename__ = "cancellations"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[str] = mapped_column(ForeignKey("requests.request_id"), nullable=False, index=True)
    shift_id: Mapped[str | None] = mapped_column(ForeignKey("shifts.id"), index=True)
    clerk_username: Mapped[str] = mapped_column(String, nullable=False)
    reason: Mapped[str] = mapped_column(Text, nullable=False)
    refund: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    at: Mapped[str] = mapped_column(String, nullable=False)


class OutboxOp(Base):
    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_state", "state"), Index("ix_outbox_request", "request_id"))
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    op_id: Mapped[str] = mapped_column(String, unique=True, nullable=False)
    kind: Mapped[str] = mapped_column(String, nullable=False)
    request_id: Mapped[str] = mapped_column(String, nullable=False)
    receipt_no: Mapped[str] = mapped_column(String, nullable=False)
    payload: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    payload_sha256: Mapped[str] = mapped_column(String, nullable=False)
    state: Mapped[str] = mapped_column(String, nullable=False)
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    result: Mapped[str | None] = mapped_column(String)
    result_code: Mapped[str | None] = mapped_column(String)
    result_detail: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[str] = mapped_column(String, nullable=False)
    sent_at: Mapped[str | None] = mapped_column(String)
    acked_at: Mapped[str | None] = mapped_column(String)


class SyncState(Base):
    __tablename__ = "sync_state"
    key: Mapped[str] = mapped_column(String, primary_key=True)
    value: Mapped[str | None] = mapped_column(Text)


class PrintJob(Base):
    __tablename__ = "print_jobs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[str | None] = mapped_column(String, index=True)
    kind: Mapped[str] = mapped_column(String, nullable=False)
    target: Mapped[str] = mapped_column(String, nullable=False)
    copy_no: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    state: Mapped[str] = mapped_column(String, nullable=False)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[str] = mapped_column(String, nullable=False)
    finished_at: Mapped[str | None] = mapped_column(String)
    # revision 0003: who printed, in which shift (reprints count in the shift's report)
    clerk_username: Mapped[str | None] = mapped_column(String)
    shift_id: Mapped[str | None] = mapped_column(ForeignKey("shifts.id", name="fk_print_jobs_shift"), index=True)


class AuditEntry(Base):
    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[str] = mapped_column(String, nullable=False)
    actor: Mapped[str] = mapped_column(String, nullable=False)
    action: Mapped[str] = mapped_column(String, nullable=False)
    subject: Mapped[str | None] = mapped_column(String)
    details_json: Mapped[str] = mapped_column(Text, nullable=False, default="{}")
    prev_hash: Mapped[str] = mapped_column(String, nullable=False)
    hash: Mapped[str] = mapped_column(String, nullable=False)


class Blob(Base):
    """One stored page file, `<data folder>/attachments/<sha256[:2]>/<sha256>` (revision 0005)."""

    __tablename__ = "blobs"
    sha256: Mapped[str] = mapped_column(String, primary_key=True)
    bytes: Mapped[int] = mapped_column(Integer, nullable=False)
    content_type: Mapped[str] = mapped_column(String, nullable=False)
    kind: Mapped[str] = mapped_column(String, nullable=False)  # "text" (bi-level) | "photo" (grey JPEG)
    width: Mapped[int] = mapped_column(Integer, nullable=False)
    height: Mapped[int] = mapped_column(Integer, nullable=False)
    created_at: Mapped[str] = mapped_column(String, nullable=False)
    sent_at: Mapped[str | None] = mapped_column(String)  # the server first confirmed it holds the bytes
    upload_url: Mapped[str | None] = mapped_column(String)  # for the uploader (tus Location)


class Attachment(Base):
    """A page of a request's document (revision 0005): `state` pending -> sent."""

    __tablename__ = "attachments"
    __table_args__ = (
        UniqueConstraint("request_id", "sha256", name="uq_attachments_request_sha256"),
        CheckConstraint("state IN ('pending', 'sent')", name="ck_attachments_state"),
        Index("ix_attachments_request", "request_id"),
        Index("ix_attachments_sha256", "sha256"),
        Index("ix_attachments_state", "state"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    request_id: Mapped[str] = mapped_column(ForeignKey("requests.request_id"), nullable=False)
    sha256: Mapped[str] = mapped_column(ForeignKey("blobs.sha256"), nullable=False)
    bytes: Mapped[int] = mapped_column(Integer, nullable=False)
    content_type: Mapped[str] = mapped_column(String, nullable=False)
    document: Mapped[str | None] = mapped_column(String)
    page_no: Mapped[int] = mapped_column(Integer, nullable=False)
    state: Mapped[str] = mapped_column(String, nullable=False)
    created_at: Mapped[str] = mapped_column(String, nullable=False)
    sent_at: Mapped[str | None] = mapped_column(String)
