"""Intake: register a citizen's request offline, durably, with its outbox operation.

Everything a receipt depends on is written in ONE BEGIN IMMEDIATE transaction: the citizen, the
request, its first history row, the frozen outbox payload and the audit line (and, for a CSV
import, the row's import key); only after the commit may anything be printed. The receipt
number's daily sequence is taken inside that transaction, so two windows (or two processes) on
one data folder never hand out the same one.

The lookups are the services' own (`users.acting_user`, `catalog.service_row`, the typed
settings, `shifts.ensure_shift`); the writes are SQLAlchemy Core statements on the mapped tables
(`insert(...).returning(...)`, SQLite's `ON CONFLICT DO UPDATE` for the citizen), built once and
run on the session's connection: no ORM unit of work on the counter's hot path, and no second
copy of the schema.
"""

from __future__ import annotations

import itertools
import json
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import Table, bindparam, func, insert, select
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session
from sqlalchemy.sql.dml import ReturningInsert

from desk_app.domain.canonical import canonical_json, payload_sha256
from desk_app.domain.errors import InvalidInput
from desk_app.domain.fees import fees_total
from desk_app.domain.forms import AnswersError, FieldError, Form, freeze_answers
from desk_app.domain.identifiers import validate_mobile, validate_national_code
from desk_app.domain.jalali import format_utc, tehran_day, utc_now
from desk_app.domain.receipt import format_receipt_no, next_seq
from desk_app.domain.status import OutboxState, Status
from desk_app.domain.text import clean_code, has_bidi_controls, normalize_text, search_key, to_persian_digits
from desk_app.services import audit, numbering
from desk_app.services.catalog import form_of_row, service_row
from desk_app.services.requests import RequestView, view
from desk_app.services.shifts import PAYMENT_METHODS, discard_draft, ensure_shift
from desk_app.services.users import acting_user
from desk_app.store.models import Citizen, ImportedRow, OutboxOp, Request, RequestHistory, ServiceRow, SyncState, User

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


# ---------------------------------------------------------------- statements (built once)

if TYPE_CHECKING:
    from desk_app.services.context import Desk

_REQUESTS = cast(Table, Request.__table__)
_CITIZENS = cast(Table, Citizen.__table__)
_IMPORTS = cast(Table, ImportedRow.__table__)
_SYNC_STATE = cast(Table, SyncState.__table__)


def _upsert_citizen_statement() -> ReturningInsert[tuple[int]]:
    """The citizen by national code: new names and keys win, a mobile is kept when none is given."""
    ins = sqlite_insert(_CITIZENS)
    return ins.on_conflict_do_update(
        index_elements=[_CITIZENS.c.national_code],
        set_={
            "first_name": ins.excluded.first_name,
            "last_name": ins.excluded.last_name,
            "first_key": ins.excluded.first_key,
            "last_key": ins.excluded.last_key,
            "mobile": func.coalesce(ins.excluded.mobile, _CITIZENS.c.mobile),
            "updated_at": ins.excluded.updated_at,
        },
    ).returning(_CITIZENS.c.id)


_UPSERT_CITIZEN = _upsert_citizen_statement()
_INSERT_REQUEST = insert(_REQUESTS).returning(_REQUESTS.c.seq)
_INSERT_HISTORY = insert(cast(Table, RequestHistory.__table__))
_INSERT_OUTBOX = insert(cast(Table, OutboxOp.__table__))
_INSERT_IMPORTED = insert(_IMPORTS)
_SYNC_KEYS = ("server_last_receipt_no", "server_time_offset_s")
_SYNC_VALUES = select(_SYNC_STATE.c.key, _SYNC_STATE.c.value).where(_SYNC_STATE.c.key.in_(_SYNC_KEYS))
_LAST_RECEIPT = (
    select(_REQUESTS.c.receipt_no)
    .where(_REQUESTS.c.tehran_day == bindparam("day"))
    .order_by(_REQUESTS.c.seq.desc())
    .limit(1)
)
_RECEIPT_TAKEN = select(_REQUESTS.c.seq).where(_REQUESTS.c.receipt_no == bindparam("receipt_no"))
_IMPORTED = (
    select(_REQUESTS)
    .join(_IMPORTS, _IMPORTS.c.request_id == _REQUESTS.c.request_id)
    .where(
        _IMPORTS.c.file_sha256 == bindparam("file_sha256"),
        _IMPORTS.c.line == bindparam("line"),
        _IMPORTS.c.row_sha256 == bindparam("row_sha256"),
    )
)


# ---------------------------------------------------------------- import keys


@dataclass(frozen=True)
class ImportKey:
    """Where an imported form came from: the file by the SHA-256 of its bytes, the row by its line
    number and the SHA-256 of its cells (`import_rows`)."""

    file_sha256: str
    line: int
    row_sha256: str

    def params(self) -> dict[str, Any]:
        return {"file_sha256": self.file_sha256, "line": self.line, "row_sha256": self.row_sha256}


@dataclass(frozen=True)
class AlreadyImported:
    """A row registered by an earlier run of the same file: its request, as it is now."""

    request: RequestView


def _already_imported(conn: Connection, key: ImportKey) -> AlreadyImported | None:
    row = conn.execute(_IMPORTED, key.params()).first()
    return AlreadyImported(view(row)) if row is not None else None


def imported(desk: Desk, keys: Iterable[ImportKey]) -> dict[ImportKey, RequestView]:
    """Those of `keys` that a committed request was made from, with that request (one read transaction)."""
    found: dict[ImportKey, RequestView] = {}
    with desk.db.read() as s:
        conn = s.connection()
        for key in keys:
            done = _already_imported(conn, key)
            if done is not None:
                found[key] = done.request
    return found


# ---------------------------------------------------------------- lookups


def _device(desk: Desk, s: Session) -> tuple[str, int]:
    """The office and device this PC numbers receipts as, from the typed settings.

    Every receipt number is made after this call and inside the same transaction, so this is where
    numbering is refused after a restore until `hello` has confirmed which device this PC is."""
    numbering.require_confirmed_device(s)
    office = desk.settings.get("office_code", s)
    device = desk.settings.get("device_no", s)
    if not office or device is None:
        raise InvalidInput("این دستگاه هنوز راه‌اندازی نشده است (کد دفتر و شماره دستگاه).", "office")
    return office, device


def _active_service(s: Session, code: str) -> ServiceRow:
    svc = service_row(s, code)  # an unknown code gets the catalog's refusal
    if not svc.active:
        raise InvalidInput(f"خدمت «{svc.code}» فعال نیست.", "service")
    return svc


def _receipt_no(conn: Connection, office: str, device: int, day: date, server_last: str | None) -> str:
    """The next receipt number of `day`: after the last local one and after the server's."""
    last_local = conn.execute(_LAST_RECEIPT, {"day": day.isoformat()}).scalar()
    seq = max(next_seq(last_local, office, device, day), next_seq(server_last, office, device, day))
    while True:  # belt and braces: never reuse a number, whatever the history of the clock
        receipt = format_receipt_no(office, device, day, seq)
        if conn.execute(_RECEIPT_TAKEN, {"receipt_no": receipt}).first() is None:
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
    fields: Mapping[str, Any]  # as typed: frozen by the service's form in `_write`


def _clean(
    national_code: str,
    first_name: str,
    last_name: str,
    mobile: str | None,
    service_code: str,
    payment_method: str = "cash",
    payment_ref: str | None = None,
    fields: Mapping[str, Any] | None = None,
) -> _Clean:
    code = validate_national_code(national_code)
    first = clean_name(first_name, "first_name")
    last = clean_name(last_name, "last_name")
    mob = validate_mobile(mobile) if mobile and str(mobile).strip() else None
    method, ref = clean_payment(payment_method, payment_ref)
    if fields is not None and not isinstance(fields, Mapping):
        raise InvalidInput("پاسخ‌های فرم باید مجموعه‌ای از نام فیلد و مقدار باشد.", "fields")
    return _Clean(code, first, last, mob, service_code, method, ref, dict(fields or {}))


def freeze_fields(form: Form | None, raw: Mapping[str, Any], day: date) -> dict[str, Any]:
    """The answers to freeze in the payload: normalised, hidden ones dropped, checked by the
    service's form on the request's Tehran day (`AnswersError` names every bad field at once). A
    service without a form takes no answer: each one given is refused by name."""
    if form is not None:
        return freeze_answers(form, raw, on=day)
    given = [str(k) for k, v in raw.items() if v is not None and (not isinstance(v, str) or normalize_text(v))]
    if given:
        raise AnswersError(
            [
                FieldError(n, f"فیلد «{normalize_text(n)[:64]}» در فرم این خدمت نیست (این خدمت فرمی ندارد).")
                for n in given
            ]
        )
    return {}


def register_request(
    desk: Desk,
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
    fields: Mapping[str, Any] | None = None,
) -> RequestView:
    """Validate, then write request + history + outbox + audit in one transaction.

    `fields` are the answers to the service's form (DESIGN.md section 10), as typed: they are
    normalised and frozen by the form of the service's current catalog version on the request's
    Tehran day; an invalid answer is an `AnswersError` (an InvalidInput) naming every bad field."""
    form = _clean(national_code, first_name, last_name, mobile, service_code, payment_method, payment_ref, fields)
    with desk.db.write() as s:
        user = acting_user(s, clerk, "register")
        result = _write(desk, s, user, form, now or utc_now())
        if draft_id is not None:
            discard_draft(desk, draft_id, s)
        return result


def register_many(
    desk: Desk,
    clerk: str,
    forms: Iterable[dict[str, Any]],
    *,
    batch: int = 100,
    keys: Sequence[ImportKey] | None = None,
) -> Iterator[tuple[int, RequestView | AlreadyImported | InvalidInput]]:
    """Register many forms (a CSV import): `(index, RequestView | AlreadyImported | InvalidInput)` each.

    A form is the keyword arguments of `register_request` but the clerk (a `fields` key holds the
    service form's answers); a bad answer is the row's `AnswersError`, naming its fields.

    Up to `batch` requests share one transaction (one disk sync instead of one per row); each row
    has its own SAVEPOINT, so a bad row is undone alone. Results of a batch are given only after
    its commit: whatever was reported is on disk. With `keys` (one `ImportKey` per form), a form
    whose key an earlier run registered gives `(index, AlreadyImported)` and is not registered
    again; a new one's key is written in its request's savepoint (`import_rows`)."""
    pairs = zip(forms, keys, strict=True) if keys is not None else ((f, None) for f in forms)
    items = iter(enumerate(pairs))
    while True:
        chunk = list(itertools.islice(items, batch))
        if not chunk:
            return
        results: list[tuple[int, RequestView | AlreadyImported | InvalidInput]] = []
        with desk.db.write() as s:
            user = acting_user(s, clerk, "register")
            for index, (given, key) in chunk:
                try:
                    done = _already_imported(s.connection(), key) if key is not None else None
                    if done is not None:
                        results.append((index, done))
                        continue
                    form = _clean(**given)
                    with s.begin_nested():
                        results.append((index, _write(desk, s, user, form, utc_now(), key)))
                except InvalidInput as exc:
                    results.append((index, exc))
        yield from results


def _payload(
    request_id: str,
    receipt: str,
    office: str,
    device: int,
    created_at: str,
    skew: int,
    user: User,
    shift_id: str,
    form: _Clean,
    svc: ServiceRow,
    fees: list[dict[str, Any]],
    total: int,
    fields: dict[str, Any],
) -> dict[str, Any]:
    """The frozen body of the `request` operation (DESIGN.md section 4)."""
    return {
        "request_id": request_id,
        "receipt_no": receipt,
        "office": office,
        "device": device,
        "created_at": created_at,
        "clock_skew_s": skew,
        "clerk": {"username": user.username, "full_name": user.full_name},
        "shift_id": shift_id,
        "citizen": {
            "national_code": form.national_code,
            "first_name": form.first_name,
            "last_name": form.last_name,
            "mobile": form.mobile,
        },
        "service_code": svc.code,
        "catalog_version": svc.catalog_version,
        "fees": fees,
        "total": total,
        "payment": {"method": form.payment_method, "ref": form.payment_ref},
        "fields": fields,
        "form_version": svc.catalog_version,
    }


def _write(
    desk: Desk, s: Session, user: User, form: _Clean, created: datetime, key: ImportKey | None = None
) -> RequestView:
    """Citizen, request, history, frozen outbox payload, audit line (and the import key), in the
    caller's transaction."""
    created_at = format_utc(created)
    day = tehran_day(created)
    office, device = _device(desk, s)
    svc = _active_service(s, form.service_code)
    fields = freeze_fields(form_of_row(svc), form.fields, day)  # before any write: a bad answer writes nothing
    fees = json.loads(svc.fees_json)
    total = fees_total(fees)
    first_key, last_key = search_key(form.first_name), search_key(form.last_name)
    shift_id = ensure_shift(s, user).id
    conn = s.connection()
    citizen_id = conn.execute(
        _UPSERT_CITIZEN,
        {
            "national_code": form.national_code,
            "first_name": form.first_name,
            "last_name": form.last_name,
            "mobile": form.mobile,
            "first_key": first_key,
            "last_key": last_key,
            "updated_at": created_at,
        },
    ).scalar_one()
    sync = {key: value for key, value in conn.execute(_SYNC_VALUES)}
    receipt = _receipt_no(conn, office, device, day, sync.get("server_last_receipt_no"))
    request_id = str(uuid.uuid4())
    skew = _clock_skew(sync.get("server_time_offset_s"))
    frozen = canonical_json(
        _payload(request_id, receipt, office, device, created_at, skew, user, shift_id, form, svc, fees, total, fields)
    )
    row = {
        "request_id": request_id,
        "receipt_no": receipt,
        "office": office,
        "device": str(device),
        "created_at": created_at,
        "tehran_day": day.isoformat(),
        "citizen_id": citizen_id,
        "national_code": form.national_code,
        "first_name": form.first_name,
        "last_name": form.last_name,
        "first_key": first_key,
        "last_key": last_key,
        "mobile": form.mobile,
        "service_code": svc.code,
        "service_title": svc.title,
        "catalog_version": svc.catalog_version,
        "fees_json": json.dumps(fees, ensure_ascii=False),
        "total": total,
        "payment_method": form.payment_method,
        "payment_ref": form.payment_ref,
        "clerk_username": user.username,
        "shift_id": shift_id,
        "status": Status.REGISTERED.value,
        "clock_skew_s": skew,
        "reprint_count": 0,
        "updated_at": created_at,
        "fields_json": canonical_json(fields).decode("utf-8") if fields else None,
        "form_version": svc.catalog_version,
    }
    seq = conn.execute(_INSERT_REQUEST, row).scalar_one()
    conn.execute(
        _INSERT_HISTORY,
        {
            "request_id": request_id,
            "at": created_at,
            "from_status": None,
            "to_status": Status.REGISTERED.value,
            "actor": user.username,
            "note": None,
        },
    )
    conn.execute(
        _INSERT_OUTBOX,
        {
            "op_id": str(uuid.uuid4()),
            "kind": "request",
            "request_id": request_id,
            "receipt_no": receipt,
            "payload": frozen,
            "payload_sha256": payload_sha256(frozen),
            "state": OutboxState.PENDING.value,
            "attempts": 0,
            "created_at": created_at,
        },
    )
    if key is not None:
        conn.execute(_INSERT_IMPORTED, {**key.params(), "request_id": request_id, "imported_at": created_at})
    audit.record(
        s,
        user.username,
        "request.register",
        receipt,
        {"service": svc.code, "total": total, "payment": form.payment_method, "shift": shift_id},
    )
    return view(SimpleNamespace(seq=seq, status_note=None, server_ref=None, **row))
