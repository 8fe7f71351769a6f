"""Intake: register a citizen's request offline, durably, with its outbox operation.

Everything a receipt depends on is written in ONE BEGIN IMMEDIATE transaction: the citizen, the
request, its first history row, the frozen outbox payload and the audit line; only after the
commit may anything be printed. The receipt number's daily sequence is taken inside that
transaction, so two windows (or two processes) on one data folder never hand out the same one.
"""

from __future__ import annotations

import itertools
import json
import sqlite3
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from types import SimpleNamespace
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from desk_app.domain.canonical import canonical_json, payload_sha256
from desk_app.domain.errors import InvalidInput
from desk_app.domain.identifiers import validate_mobile, validate_national_code
from desk_app.domain.jalali import format_utc, tehran_day, utc_now
from desk_app.domain.receipt import format_receipt_no, next_seq
from desk_app.domain.roles import can
from desk_app.domain.status import OutboxState, Status
from desk_app.domain.text import clean_code, has_bidi_controls, normalize_text, search_key, to_persian_digits
from desk_app.services import audit, numbering
from desk_app.services.catalog import service_row
from desk_app.services.requests import RequestView, view
from desk_app.services.shifts import PAYMENT_METHODS, discard_draft, ensure_shift
from desk_app.services.users import acting_user
from desk_app.store.engine import cursor
from desk_app.store.models import Citizen, User

MAX_NAME = 100
MAX_REF = 64


@dataclass(frozen=True)
class CitizenView:
    national_code: str
    first_name: str
    last_name: str
    mobile: str | None

    def to_json(self) -> dict:
        return dict(self.__dict__)


def clean_name(value, field: str) -> str:
    label = "نام" if field == "first_name" else "نام خانوادگی"
    name = normalize_text(value if isinstance(value, str) else "")
    if not name:
        raise InvalidInput(f"{label} را وارد کنید.", field)
    if len(name) > MAX_NAME:
        raise InvalidInput(f"{label} بیش از {to_persian_digits(str(MAX_NAME))} نویسه است.", field)
    if any(ch in name for ch in "\x00\r\n\t") or not any(ch.isalpha() for ch in name):
        raise InvalidInput(f"{label} باید حروف داشته باشد.", field)
    return name


def clean_payment(method, ref) -> tuple[str, str | None]:
    m = normalize_text(str(method or "cash")).lower()
    if m not in PAYMENT_METHODS:
        raise InvalidInput("روش پرداخت باید cash (نقدی) یا card (کارت) باشد.", "payment")
    if ref is None or not str(ref).strip():
        return m, None
    if has_bidi_controls(str(ref)):
        raise InvalidInput("نویسه‌های کنترل جهت متن در شمارهٔ پیگیری پرداخت مجاز نیست.", "payment_ref")
    r = clean_code(normalize_text(str(ref)), "payment_ref")
    if len(r) > MAX_REF or not r.isascii() or not r.isalnum():
        raise InvalidInput("شمارهٔ پیگیری پرداخت باید حداکثر ۶۴ رقم یا حرف لاتین باشد.", "payment_ref")
    return m, r


def find_citizen(desk, national_code: str) -> CitizenView | None:
    code = validate_national_code(national_code)
    with desk.db.read() as s:
        c = s.scalar(select(Citizen).where(Citizen.national_code == code))
        return CitizenView(c.national_code, c.first_name, c.last_name, c.mobile) if c else None


# Intake is the hot path of the counter (one transaction per citizen, synchronous=FULL): its
# statements are plain SQL on the DBAPI cursor of the session's connection (inside its BEGIN
# IMMEDIATE transaction), about ten per request, instead of ORM unit-of-work flushes. The ORM
# models remain the schema; these column lists must follow them.
_CLERK_SQL = "SELECT id, username, full_name, role, active FROM users WHERE username = ?"
_SERVICE_SQL = "SELECT code, title, active, fees_json, catalog_version FROM services WHERE code = ?"
_SETTINGS_SQL = "SELECT key, value FROM settings WHERE key IN ('office_code', 'device_no')"
_SYNC_SQL = "SELECT key, value FROM sync_state WHERE key IN ('server_last_receipt_no', 'server_time_offset_s')"
_OPEN_SHIFT_SQL = (
    "SELECT id FROM shifts WHERE user_id = ? AND closed_at IS NULL"
    " ORDER BY opened_at DESC LIMIT 1"
)  # shifts.open_shift_row, as SQL
_UPSERT_CITIZEN_SQL = (
    "INSERT INTO citizens (national_code, first_name, last_name, mobile, first_key, last_key, updated_at)"
    " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (national_code) DO UPDATE SET"
    " first_name = excluded.first_name, last_name = excluded.last_name, first_key = excluded.first_key,"
    " last_key = excluded.last_key, mobile = coalesce(excluded.mobile, citizens.mobile),"
    " updated_at = excluded.updated_at RETURNING id"
)
_LAST_RECEIPT_SQL = "SELECT receipt_no FROM requests WHERE tehran_day = ? ORDER BY seq DESC LIMIT 1"
_RECEIPT_TAKEN_SQL = "SELECT 1 FROM requests WHERE receipt_no = ?"
_REQUEST_COLUMNS = (
    "request_id",
    "receipt_no",
    "office",
    "device",
    "created_at",
    "tehran_day",
    "citizen_id",
    "national_code",
    "first_name",
    "last_name",
    "first_key",
    "last_key",
    "mobile",
    "service_code",
    "service_title",
    "catalog_version",
    "fees_json",
    "total",
    "payment_method",
    "payment_ref",
    "clerk_username",
    "shift_id",
    "status",
    "clock_skew_s",
    "reprint_count",
    "updated_at",
)
_INSERT_REQUEST_SQL = (
    f"INSERT INTO requests ({', '.join(_REQUEST_COLUMNS)})"
    f" VALUES ({', '.join('?' * len(_REQUEST_COLUMNS))}) RETURNING seq"
)
_INSERT_HISTORY_SQL = (
    "INSERT INTO request_history (request_id, at, from_status, to_status, actor, note) VALUES (?, ?, NULL, ?, ?, NULL)"
)
_INSERT_OUTBOX_SQL = (
    "INSERT INTO outbox (op_id, kind, request_id, receipt_no, payload, payload_sha256, state,"
    " attempts, created_at) VALUES (?, 'request', ?, ?, ?, ?, ?, 0, ?)"
)


def _one(cur: sqlite3.Cursor):
    """The first column of the first row, or None."""
    row = cur.fetchone()
    return row[0] if row else None


class _Clerk(NamedTuple):
    id: int
    username: str
    full_name: str | None
    role: str
    active: int


class _Service(NamedTuple):
    code: str
    title: str
    active: int
    fees_json: str
    catalog_version: str


def _clerk(s: Session, clerk: str):
    """The clerk registering, as `users.acting_user` checks them; that function gives the refusals."""
    row = cursor(s).execute(_CLERK_SQL, (normalize_text(str(clerk or "")).lower(),)).fetchone()
    user = _Clerk(*row) if row else None
    if user is None or not user.active or not can(user.role, "register"):
        return acting_user(s, clerk, "register")  # raises the Persian message
    return user


def _service(s: Session, cur: sqlite3.Cursor, code: str):
    """The catalog row; an unknown code gets `catalog.service_row`'s refusal."""
    row = cur.execute(_SERVICE_SQL, (normalize_text(str(code or "")),)).fetchone()
    return _Service(*row) if row else service_row(s, code)


def _office_device(cur: sqlite3.Cursor) -> tuple[str | None, int | None]:
    """office_code and device_no in one read (typed as `desk_app.services.settings` declares them)."""
    values = dict(cur.execute(_SETTINGS_SQL).fetchall())
    device = values.get("device_no")
    return values.get("office_code"), int(device) if device is not None else None


def _receipt_no(cur: sqlite3.Cursor, office: str, device: int, day, server_last: str | None) -> str:
    """The next receipt number of `day`: after the last local one and after the server's."""
    last_local = _one(cur.execute(_LAST_RECEIPT_SQL, (day.isoformat(),)))
    seq = max(next_seq(last_local, office, device, day), next_seq(server_last, office, device, day))
    while True:  # belt and braces: never reuse a number, whatever the history of the clock
        receipt = format_receipt_no(office, device, day, seq)
        if _one(cur.execute(_RECEIPT_TAKEN_SQL, (receipt,))) is None:
            return receipt
        seq += 1


def _clock_skew(raw: str | None) -> int:
    try:
        return int(round(float(raw or 0)))
    except ValueError:
        return 0


@dataclass(frozen=True)
class _Clean:
    """An intake form after validation and normalisation (no database needed for that)."""

    national_code: str
    first_name: str
    last_name: str
    mobile: str | None
    service_code: str
    payment_method: str
    payment_ref: str | None


def _clean(national_code, first_name, last_name, mobile, service_code, payment_method, payment_ref) -> _Clean:
    code = validate_national_code(national_code)
    first = clean_name(first_name, "first_name")
    last = clean_name(last_name, "last_name")
    mob = validate_mobile(mobile) if mobile and str(mobile).strip() else None
    method, ref = clean_payment(payment_method, payment_ref)
    return _Clean(code, first, last, mob, service_code, method, ref)


def register_request(
    desk,
    *,
    clerk: str,
    national_code: str,
    first_name: str,
    last_name: str,
    mobile: str | None = None,
    service_code: str,
    payment_method: str = "cash",
    payment_ref: str | None = None,
    draft_id: int | None = None,
    now: datetime | None = None,
) -> RequestView:
    """Validate, then write request + history + outbox + audit in one transaction."""
    form = _clean(national_code, first_name, last_name, mobile, service_code, payment_method, payment_ref)
    with desk.db.write() as s:
        user = _clerk(s, clerk)
        result = _write(desk, s, user, form, now or utc_now())
        if draft_id is not None:
            discard_draft(desk, draft_id, s)
        return result


def register_many(
    desk, clerk: str, forms: Iterable[dict], *, batch: int = 100
) -> Iterator[tuple[int, RequestView | InvalidInput]]:
    """Register many forms (a CSV import): `(index, RequestView)` or `(index, InvalidInput)` for each.

    Up to `batch` requests share one transaction (one disk sync instead of one per row); each row
    has its own SAVEPOINT, so a bad row is undone alone. Results of a batch are given only after
    its commit: whatever was reported is on disk."""
    items = iter(enumerate(forms))
    while True:
        chunk = list(itertools.islice(items, batch))
        if not chunk:
            return
        results: list[tuple[int, RequestView | InvalidInput]] = []
        with desk.db.write() as s:
            user = acting_user(s, clerk, "register")
            for index, fields in chunk:
                try:
                    form = _clean(**fields)
                    with s.begin_nested():
                        results.append((index, _write(desk, s, user, form, utc_now())))
                except InvalidInput as exc:
                    results.append((index, exc))
        yield from results


def _write(desk, s: Session, user, form: _Clean, created: datetime) -> RequestView:
    """Citizen, request, history, frozen outbox payload and audit line, in the caller's transaction."""
    code, first, last, mob = form.national_code, form.first_name, form.last_name, form.mobile
    method, ref = form.payment_method, form.payment_ref
    first_key, last_key = search_key(first), search_key(last)
    created_at = format_utc(created)
    day = tehran_day(created)
    numbering.require_confirmed_device(s)  # after a restore: not before hello confirmed this device
    cur = cursor(s)
    office, device = _office_device(cur)
    if not office or device is None:
        raise InvalidInput("این دستگاه هنوز راه‌اندازی نشده است (کد دفتر و شماره دستگاه).", "office")
    svc = _service(s, cur, form.service_code)
    if not svc.active:
        raise InvalidInput(f"خدمت «{svc.code}» فعال نیست.", "service")
    fees = json.loads(svc.fees_json)
    total = sum(f["amount"] for f in fees)
    citizen_id = _one(cur.execute(_UPSERT_CITIZEN_SQL, (code, first, last, mob, first_key, last_key, created_at)))
    shift_id = _one(cur.execute(_OPEN_SHIFT_SQL, (user.id,))) or ensure_shift(s, s.get(User, user.id)).id
    sync = dict(cur.execute(_SYNC_SQL).fetchall())
    receipt = _receipt_no(cur, office, device, day, sync.get("server_last_receipt_no"))
    request_id = str(uuid.uuid4())
    skew = _clock_skew(sync.get("server_time_offset_s"))
    payload = {
        "request_id": request_id,
        "receipt_no": receipt,
        "office": office,
        "device": device,
        "created_at": created_at,
        "clock_skew_s": skew,
        "clerk": {"username": user.username, "full_name": user.full_name},
        "shift_id": shift_id,
        "citizen": {"national_code": code, "first_name": first, "last_name": last, "mobile": mob},
        "service_code": svc.code,
        "catalog_version": svc.catalog_version,
        "fees": fees,
        "total": total,
        "payment": {"method": method, "ref": ref},
    }
    frozen = canonical_json(payload)
    row = dict(
        zip(
            _REQUEST_COLUMNS,
            (
                request_id,
                receipt,
                office,
                str(device),
                created_at,
                day.isoformat(),
                citizen_id,
                code,
                first,
                last,
                first_key,
                last_key,
                mob,
                svc.code,
                svc.title,
                svc.catalog_version,
                json.dumps(fees, ensure_ascii=False),
                total,
                method,
                ref,
                user.username,
                shift_id,
                Status.REGISTERED.value,
                skew,
                0,
                created_at,
            ),
        )
    )
    seq = _one(cur.execute(_INSERT_REQUEST_SQL, tuple(row.values())))
    cur.execute(_INSERT_HISTORY_SQL, (request_id, created_at, Status.REGISTERED.value, user.username))
    cur.execute(
        _INSERT_OUTBOX_SQL,
        (str(uuid.uuid4()), request_id, receipt, frozen, payload_sha256(frozen), OutboxState.PENDING.value, created_at),
    )
    audit.record(
        s,
        user.username,
        "request.register",
        receipt,
        {"service": svc.code, "total": total, "payment": method, "shift": shift_id},
    )
    return view(SimpleNamespace(seq=seq, status_note=None, server_ref=None, **row))
