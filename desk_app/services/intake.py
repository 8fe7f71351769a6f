"""Intake: register a citizen's request offline, durably, with its outbox operation.

Everything a receipt depends on is written in ONE BEGIN IMMEDIATE transaction: the citizen, the
request, its first history row, the frozen outbox payload and the audit line; only after the
commit may anything be printed. The receipt number's daily sequence is taken inside that
transaction, so two windows (or two processes) on one data folder never hand out the same one.
"""
from __future__ import annotations

import itertools
import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Iterable, Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session

from desk_app.domain.canonical import canonical_json, payload_sha256
from desk_app.domain.errors import InvalidInput
from desk_app.domain.identifiers import validate_mobile, validate_national_code
from desk_app.domain.jalali import format_utc, tehran_day, utc_now
from desk_app.domain.receipt import format_receipt_no, next_seq
from desk_app.domain.status import OutboxState, Status
from desk_app.domain.text import clean_code, has_bidi_controls, normalize_text, search_key, to_persian_digits
from desk_app.services import audit
from desk_app.services.catalog import service_row
from desk_app.services.requests import RequestView, view
from desk_app.services.shifts import PAYMENT_METHODS, discard_draft, ensure_shift
from desk_app.services.users import acting_user
from desk_app.store.models import Citizen, OutboxOp, Request, RequestHistory, SyncState

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


def _upsert_citizen(s: Session, code: str, first: str, last: str, mobile: str | None, now: str) -> Citizen:
    c = s.scalar(select(Citizen).where(Citizen.national_code == code))
    if c is None:
        c = Citizen(national_code=code, first_name=first, last_name=last, mobile=mobile,
                    first_key=search_key(first), last_key=search_key(last), updated_at=now)
        s.add(c)
        s.flush()
        return c
    c.first_name, c.last_name = first, last
    c.first_key, c.last_key = search_key(first), search_key(last)
    if mobile:
        c.mobile = mobile
    c.updated_at = now
    return c


def _sync_value(s: Session, key: str) -> str | None:
    row = s.get(SyncState, key)
    return row.value if row else None


def _receipt_no(s: Session, office: str, device: int, day) -> str:
    """The next receipt number of `day`: after the last local one and after the server's."""
    last_local = s.scalar(select(Request.receipt_no).where(Request.tehran_day == day.isoformat())
                          .order_by(Request.seq.desc()).limit(1))
    seq = max(next_seq(last_local, office, device, day),
              next_seq(_sync_value(s, "server_last_receipt_no"), office, device, day))
    while True:  # belt and braces: never reuse a number, whatever the history of the clock
        receipt = format_receipt_no(office, device, day, seq)
        if s.scalar(select(Request.seq).where(Request.receipt_no == receipt)) is None:
            return receipt
        seq += 1


def _clock_skew(s: Session) -> int:
    try:
        return int(round(float(_sync_value(s, "server_time_offset_s") or 0)))
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


def register_request(desk, *, clerk: str, national_code: str, first_name: str, last_name: str,
                     mobile: str | None = None, service_code: str, payment_method: str = "cash",
                     payment_ref: str | None = None, draft_id: int | None = None,
                     now: datetime | None = None) -> RequestView:
    """Validate, then write request + history + outbox + audit in one transaction."""
    form = _clean(national_code, first_name, last_name, mobile, service_code, payment_method, payment_ref)
    with desk.db.write() as s:
        user = acting_user(s, clerk, "register")
        row = _write(desk, s, user, form, now or utc_now())
        if draft_id is not None:
            discard_draft(desk, draft_id, s)
        return view(row)


def register_many(desk, clerk: str, forms: Iterable[dict], *, batch: int = 100
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
                        results.append((index, view(_write(desk, s, user, form, utc_now()))))
                except InvalidInput as exc:
                    results.append((index, exc))
        yield from results


def _write(desk, s: Session, user, form: _Clean, created: datetime) -> Request:
    """Citizen, request, history, frozen outbox payload and audit line, in the caller's transaction."""
    code, first, last, mob = form.national_code, form.first_name, form.last_name, form.mobile
    method, ref = form.payment_method, form.payment_ref
    created_at = format_utc(created)
    day = tehran_day(created)
    office = desk.settings.get("office_code", s)
    device = desk.settings.get("device_no", s)
    if not office or device is None:
        raise InvalidInput("این دستگاه هنوز راه‌اندازی نشده است (کد دفتر و شماره دستگاه).", "office")
    svc = service_row(s, form.service_code)
    if not svc.active:
        raise InvalidInput(f"خدمت «{svc.code}» فعال نیست.", "service")
    fees = json.loads(svc.fees_json)
    total = sum(f["amount"] for f in fees)
    citizen = _upsert_citizen(s, code, first, last, mob, created_at)
    shift = ensure_shift(s, user)
    receipt = _receipt_no(s, office, device, day)
    request_id = str(uuid.uuid4())
    payload = {
        "request_id": request_id, "receipt_no": receipt, "office": office, "device": device,
        "created_at": created_at, "clock_skew_s": _clock_skew(s),
        "clerk": {"username": user.username, "full_name": user.full_name},
        "shift_id": shift.id,
        "citizen": {"national_code": code, "first_name": first, "last_name": last, "mobile": mob},
        "service_code": svc.code, "catalog_version": svc.catalog_version, "fees": fees,
        "total": total, "payment": {"method": method, "ref": ref},
    }
    frozen = canonical_json(payload)
    row = Request(
        request_id=request_id, receipt_no=receipt, office=office, device=str(device),
        created_at=created_at, tehran_day=day.isoformat(), citizen_id=citizen.id, national_code=code,
        first_name=first, last_name=last, first_key=search_key(first), last_key=search_key(last),
        mobile=mob, service_code=svc.code, service_title=svc.title, catalog_version=svc.catalog_version,
        fees_json=json.dumps(fees, ensure_ascii=False), total=total, payment_method=method,
        payment_ref=ref, clerk_username=user.username, shift_id=shift.id, status=Status.REGISTERED.value,
        clock_skew_s=payload["clock_skew_s"], reprint_count=0, updated_at=created_at)
    s.add(row)
    s.flush()
    s.add(RequestHistory(request_id=request_id, at=created_at, from_status=None,
                         to_status=Status.REGISTERED.value, actor=user.username, note=None))
    s.add(OutboxOp(op_id=str(uuid.uuid4()), kind="request", request_id=request_id, receipt_no=receipt,
                   payload=frozen, payload_sha256=payload_sha256(frozen), state=OutboxState.PENDING.value,
                   attempts=0, created_at=created_at))
    audit.record(s, user.username, "request.register", receipt,
                 {"service": svc.code, "total": total, "payment": method, "shift": shift.id})
    s.flush()
    return row
