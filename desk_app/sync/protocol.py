"""Sync protocol v1: the JSON shapes both the desk and the provincial server speak.

DESIGN.md section 4 is the contract; field names here are exactly its names. The
models are plain pydantic v2 (no Qt, no SQLAlchemy) so the server can validate with
them and the client can build and parse with them.

Payloads travel as frozen canonical JSON: a validated `RequestPayload` is a *check*
of the dict the client sent, never a re-serialisation of it (the hash is over the
bytes the client froze at intake).
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt, field_validator, model_validator

from desk_app.domain import catalog as _catalog
from desk_app.domain import fees as _fees

PROTOCOL_VERSION = 1
PROTOCOL_MIN = 1
API_PREFIX = "/api/v1"

HEADER_AUTH = "Authorization"
HEADER_PROTOCOL = "X-Desk-Protocol"
HEADER_ETAG = "ETag"
HEADER_IF_NONE_MATCH = "If-None-Match"
HEADER_RETRY_AFTER = "Retry-After"

DEFAULT_MAX_BATCH_ITEMS = 200
DEFAULT_MAX_BATCH_BYTES = 256 * 1024  # before compression
MAX_LOOKUP_IDS = 1000
MAX_CHANGES_LIMIT = 1000

# Error codes carried in `ErrorBody.error` of non-200 answers.
ERR_RESYNC_REQUIRED = "resync_required"  # 409 on /changes
ERR_PROTOCOL = "protocol_unsupported"  # 426
ERR_UNAUTHORIZED = "unauthorized"  # 401
ERR_FORBIDDEN = "forbidden"  # 403
ERR_RATE_LIMITED = "rate_limited"  # 429
ERR_TOO_LARGE = "too_large"  # 413
ERR_BAD_REQUEST = "bad_request"  # 400
ERR_NOT_FOUND = "not_found"  # 404

# `\Z`, not `$`: `$` also matches before a final newline, and "<uuid>\n" is not a key.
UUID_RE = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\Z")
SHA256_RE = re.compile(r"^[0-9a-f]{64}\Z")
OFFICE_RE = re.compile(r"^[0-9]{4,6}\Z")
SERVER_REF_RE = re.compile(r"^[0-9]{10}\Z")
CURSOR_RE = re.compile(r"^([0-9a-f]{32}):([0-9]+)\Z")


class ResultKind(StrEnum):
    CREATED = "created"
    DUPLICATE = "duplicate"
    CANCELLED = "cancelled"
    ALREADY_FINAL = "already_final"
    CONFLICT = "conflict"
    INVALID = "invalid"


# Outbox: these results ack the operation; the others put it in "needs attention".
ACK_RESULTS = frozenset({ResultKind.CREATED, ResultKind.DUPLICATE, ResultKind.CANCELLED, ResultKind.ALREADY_FINAL})
ATTENTION_RESULTS = frozenset({ResultKind.CONFLICT, ResultKind.INVALID})


def format_cursor(epoch: str, seq: int) -> str:
    return f"{epoch}:{seq}"


def parse_cursor(cursor: str) -> tuple[str, int]:
    """`"E:N"` -> (epoch, seq); ValueError when malformed."""
    m = CURSOR_RE.match(cursor or "")
    if not m:
        raise ValueError(f"bad cursor: {cursor!r}")
    return m.group(1), int(m.group(2))


def _domain_error(exc: Exception) -> ValueError:
    # pydantic turns ValueError into a validation error; keep the Persian message.
    return ValueError(str(exc))


class _Model(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)


# ---------------------------------------------------------------- payload parts


class Clerk(_Model):
    username: str = Field(min_length=1, max_length=64)
    full_name: str | None = Field(default=None, max_length=200)


class Citizen(_Model):
    national_code: str
    first_name: str = Field(min_length=1, max_length=100)
    last_name: str = Field(min_length=1, max_length=100)
    mobile: str | None = None

    @field_validator("national_code")
    @classmethod
    def _national_code(cls, v: str) -> str:
        from desk_app.domain.identifiers import validate_national_code

        try:
            canonical = validate_national_code(v)
        except ValueError as exc:
            raise _domain_error(exc) from None
        if canonical != v:
            raise ValueError("کد ملی باید ده رقم لاتین باشد")
        return v

    @field_validator("mobile")
    @classmethod
    def _mobile(cls, v: str | None) -> str | None:
        if v in (None, ""):
            return v
        from desk_app.domain.identifiers import validate_mobile

        try:
            canonical = validate_mobile(v)
        except ValueError as exc:
            raise _domain_error(exc) from None
        if canonical != v:
            raise ValueError("شماره همراه باید به شکل 09xxxxxxxxx باشد")
        return v


class FeeLine(_Model):
    kind: Literal["government", "office", "postage"]
    amount: StrictInt = Field(ge=0, le=10**13)


class Payment(_Model):
    method: Literal["cash", "card"]
    ref: str | None = Field(default=None, max_length=64)


def _check_uuid(v: str) -> str:
    if not isinstance(v, str) or not UUID_RE.match(v):
        raise ValueError("شناسه باید UUID باشد")
    return v.lower()


def _check_receipt_no(v: str) -> str:
    from desk_app.domain.receipt import RECEIPT_NO_RE

    if not isinstance(v, str) or len(v) > 40 or not re.match(RECEIPT_NO_RE, v):
        raise ValueError("شماره رسید نادرست است")
    return v


def _check_utc(v: str) -> str:
    from desk_app.domain.jalali import parse_utc

    try:
        dt = parse_utc(v)
    except (ValueError, TypeError):
        raise ValueError("زمان باید به وقت جهانی و با قالب ISO 8601 باشد") from None
    if dt.utcoffset() is None:
        raise ValueError("زمان باید منطقه زمانی داشته باشد")
    return v


class RequestPayload(_Model):
    """The frozen body of a `request` operation."""

    request_id: str
    receipt_no: str
    office: str
    device: StrictInt = Field(ge=1, le=999)
    created_at: str
    clock_skew_s: float = Field(default=0, allow_inf_nan=False)
    clerk: Clerk
    shift_id: str | None = None
    citizen: Citizen
    service_code: str = Field(min_length=1, max_length=16)
    catalog_version: str = Field(min_length=1, max_length=64)
    fees: list[FeeLine] = Field(min_length=1, max_length=20)
    total: StrictInt = Field(ge=0, le=10**13)
    payment: Payment
    server_ref: str | None = None
    # DESIGN.md section 10: the service form's answers (canonical values, frozen at intake) and the
    # catalog version whose form they obey; the server checks them by that version with the
    # domain's own rules (desk_app.domain.forms). Absent in payloads of desks that predate forms.
    fields: dict[str, Any] | None = Field(default=None, max_length=200)
    form_version: str | None = Field(default=None, min_length=1, max_length=64)

    @field_validator("request_id")
    @classmethod
    def _request_id(cls, v: str) -> str:
        return _check_uuid(v)

    @field_validator("receipt_no")
    @classmethod
    def _receipt_no(cls, v: str) -> str:
        return _check_receipt_no(v)

    @field_validator("created_at")
    @classmethod
    def _created_at(cls, v: str) -> str:
        return _check_utc(v)

    @field_validator("office")
    @classmethod
    def _office(cls, v: str) -> str:
        if not OFFICE_RE.match(v):
            raise ValueError("کد دفتر باید ۴ تا ۶ رقم باشد")
        return v

    @field_validator("server_ref")
    @classmethod
    def _server_ref(cls, v: str | None) -> str | None:
        if v is not None and not SERVER_REF_RE.match(v):
            raise ValueError("کد رهگیری نادرست است")
        return v

    @model_validator(mode="after")
    def _consistent(self) -> RequestPayload:
        from desk_app.domain.receipt import parse_receipt_no

        parts = parse_receipt_no(self.receipt_no)
        if str(parts.office) != self.office or int(parts.device) != self.device:
            raise ValueError("شماره رسید با کد دفتر یا شماره دستگاه نمی‌خواند")
        if sum(f.amount for f in self.fees) != self.total:
            raise ValueError("جمع مبلغ با ردیف‌های هزینه برابر نیست")
        return self


class CancelPayload(_Model):
    """The frozen body of a `cancel` operation."""

    request_id: str
    reason: str = Field(min_length=1, max_length=500)
    clerk: Clerk
    refund: StrictInt = Field(default=0, ge=0, le=10**13)
    at: str

    @field_validator("request_id")
    @classmethod
    def _request_id(cls, v: str) -> str:
        return _check_uuid(v)

    @field_validator("at")
    @classmethod
    def _at(cls, v: str) -> str:
        return _check_utc(v)


# ---------------------------------------------------------------- batch


class Operation(_Model):
    """One outbox entry; `op_id` is the idempotency key."""

    op_id: str
    kind: Literal["request", "cancel"]
    request_id: str
    receipt_no: str | None = None
    payload_sha256: str
    payload: dict[str, Any]

    @field_validator("op_id", "request_id")
    @classmethod
    def _ids(cls, v: str) -> str:
        return _check_uuid(v)

    @field_validator("payload_sha256")
    @classmethod
    def _sha(cls, v: str) -> str:
        if not SHA256_RE.match(v):
            raise ValueError("payload_sha256 باید ۶۴ رقم هگزادسیمال کوچک باشد")
        return v


class BatchRequest(_Model):
    items: list[Operation] = Field(max_length=DEFAULT_MAX_BATCH_ITEMS * 10)


class OpResult(_Model):
    op_id: str | None
    request_id: str | None
    result: ResultKind
    server_ref: str | None = None
    seq: int | None = None  # feed seq of the change this operation made, when it made one
    code: str | None = None
    detail: str | None = None  # Persian, for the clerk


class BatchResponse(_Model):
    results: list[OpResult]


# ---------------------------------------------------------------- other calls


class ProtocolRange(_Model):
    min: int
    latest: int


class Hello(_Model):
    server_time: str
    protocol: ProtocolRange
    office: str
    office_name: str | None = None
    device: int
    last_receipt_no: str | None
    catalog_etag: str | None
    catalog_version: str | None = None
    feed_epoch: str
    max_batch_items: int
    max_batch_bytes: int


class Change(_Model):
    seq: int
    request_id: str
    receipt_no: str
    status: str
    server_ref: str | None = None
    note: str | None = None
    at: str


class ChangesPage(_Model):
    changes: list[Change]
    cursor: str
    more: bool


class LookupRequest(_Model):
    request_ids: list[str] = Field(max_length=MAX_LOOKUP_IDS)

    @field_validator("request_ids")
    @classmethod
    def _ids(cls, v: list[str]) -> list[str]:
        return [_check_uuid(x) for x in v]


class KnownRequest(_Model):
    request_id: str
    payload_sha256: str
    server_ref: str | None
    status: str
    receipt_no: str | None = None


class LookupResponse(_Model):
    known: list[KnownRequest]


class GroupTotal(_Model):
    key: str  # service code, device number or status
    count: int
    total: int


class DailyTotals(_Model):
    """Office-wide totals of one Tehran civil day (ISO Gregorian `date`)."""

    office: str
    date: str
    requests: int  # every request of the day, cancelled ones included
    gross: int  # sum of their totals
    cancelled: int
    refunds: int
    net: int  # gross - refunds
    by_service: list[GroupTotal]
    by_device: list[GroupTotal]
    by_status: dict[str, int]


class ErrorBody(_Model):
    error: str
    detail: str


# ---------------------------------------------------------------- catalog (GET /api/v1/catalog)
# Declared once, in desk_app.domain.catalog (the domain and the server's tariff check need the same
# types and the domain may not import sync); these are the protocol's names for that declaration.
CatalogFile = _catalog.Catalog
CatalogService = _catalog.Service
CatalogFeeLine = _catalog.FeeLine
CatalogError = _fees.CatalogError
parse_catalog = _catalog.parse_catalog
catalog_sha256 = _catalog.catalog_sha256
