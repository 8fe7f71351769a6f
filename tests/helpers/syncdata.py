"""Queued requests for sync tests, written the way intake writes them: the request row and its
outbox operation in one transaction, the payload frozen as canonical bytes.

The sync tests use this when they need thousands of requests fast or a precise payload (a clock
days off, a bad item); intake itself is tested by its own suite.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta

from sqlalchemy import func, select

from desk_app.domain.canonical import canonical_json, payload_sha256
from desk_app.domain.jalali import format_utc, jalali_yymmdd, tehran_day, utc_now
from desk_app.domain.text import search_key
from desk_app.store.models import OutboxOp, Request, Setting

CATALOG = {
    "version": "1405-09-01",
    "services": [
        {
            "code": "2101",
            "title": "صدور گذرنامه",
            "agency": "پلیس گذرنامه",
            "fees": [{"kind": "government", "amount": 12000000}, {"kind": "office", "amount": 850000}],
            "documents": ["کارت ملی"],
            "active": True,
        },
        {
            "code": "3001",
            "title": "گواهی عدم سوء پیشینه",
            "agency": "قوه قضاییه",
            "fees": [{"kind": "government", "amount": 1000000}, {"kind": "office", "amount": 300000}],
            "documents": [],
            "active": True,
        },
    ],
}


def national_code(n: int) -> str:
    """A valid national code derived from `n` (check digit per DESIGN.md section 2)."""
    body = f"{(n * 7919 + 1234567) % 10**9:09d}"
    if len(set(body)) == 1 or body[3:9] == "000000":
        body = "12" + body[2:8] + "9"
    s = sum(int(body[i]) * (10 - i) for i in range(9)) % 11
    check = s if s < 2 else 11 - s
    return body + str(check)


def set_office(db, office: str, device: int, server_url: str | None = None) -> None:
    with db.write() as s:
        for key, value in (
            ("office_code", office),
            ("device_no", str(device)),
            ("office_name", "دفتر آزمایشی"),
            ("server_url", server_url),
        ):
            row = s.get(Setting, key)
            if row is None:
                s.add(Setting(key=key, value=value))
            else:
                row.value = value


def _rows(
    office: str,
    device: int,
    receipt_no: str,
    n: int,
    service: dict,
    catalog_version: str,
    created: datetime,
    skew_s: int = 0,
    tamper_total: bool = False,
) -> tuple[Request, OutboxOp, dict]:
    """The request row, its pending `request` op and the payload, as intake makes them."""
    rid = str(uuid.uuid4())
    fees = [dict(f) for f in service["fees"]]
    total = sum(f["amount"] for f in fees) + (1 if tamper_total else 0)
    citizen = {
        "national_code": national_code(n),
        "first_name": "علی",
        "last_name": f"رضایی{n}",
        "mobile": "09121234567",
    }
    payload = {
        "request_id": rid,
        "receipt_no": receipt_no,
        "office": office,
        "device": device,
        "created_at": format_utc(created),
        "clock_skew_s": skew_s,
        "clerk": {"username": "sara", "full_name": "سارا کریمی"},
        "shift_id": None,
        "citizen": citizen,
        "service_code": service["code"],
        "catalog_version": catalog_version,
        "fees": fees,
        "total": total,
        "payment": {"method": "cash", "ref": None},
    }
    data = canonical_json(payload)
    now = format_utc(created)
    row = Request(
        request_id=rid,
        receipt_no=receipt_no,
        office=office,
        device=str(device),
        created_at=now,
        tehran_day=tehran_day(created).isoformat(),
        national_code=citizen["national_code"],
        first_name=citizen["first_name"],
        last_name=citizen["last_name"],
        first_key=search_key(citizen["first_name"]),
        last_key=search_key(citizen["last_name"]),
        mobile=citizen["mobile"],
        service_code=service["code"],
        service_title=service["title"],
        catalog_version=catalog_version,
        fees_json=json.dumps(fees),
        total=total,
        payment_method="cash",
        clerk_username="sara",
        status="registered",
        clock_skew_s=skew_s,
        updated_at=now,
    )
    op = OutboxOp(
        op_id=str(uuid.uuid4()),
        kind="request",
        request_id=rid,
        receipt_no=receipt_no,
        payload=data,
        payload_sha256=payload_sha256(data),
        state="pending",
        attempts=0,
        created_at=now,
    )
    return row, op, payload


def _last_seq(s, prefix: str) -> int:
    last = s.scalar(select(func.max(Request.receipt_no)).where(Request.receipt_no.like(prefix + "%")))
    return int(last.rsplit("-", 1)[1]) if last else 0


def queue_request(
    db,
    office: str,
    device: int,
    *,
    n: int | None = None,
    service: dict | None = None,
    catalog_version: str = CATALOG["version"],
    created_at: datetime | None = None,
    skew_s: int = 0,
    tamper_total: bool = False,
) -> dict:
    """Register one request with its `request` op (state pending); returns the payload."""
    created = created_at or utc_now()
    prefix = f"{office}-{device}-{jalali_yymmdd(tehran_day(created))}-"
    with db.write() as s:
        seq = _last_seq(s, prefix) + 1
        row, op, payload = _rows(
            office,
            device,
            f"{prefix}{seq:04d}",
            seq if n is None else n,
            service or CATALOG["services"][0],
            catalog_version,
            created,
            skew_s,
            tamper_total,
        )
        s.add(row)
        s.flush()
        s.add(op)
    return payload


def queue_cancel(db, request_id: str, *, reason: str = "انصراف متقاضی", refund: int = 0) -> dict:
    """A cancel op for a request that was (maybe) sent, as the cancel service queues it."""
    at = format_utc(utc_now())
    payload = {
        "request_id": request_id,
        "reason": reason,
        "clerk": {"username": "sara", "full_name": "سارا کریمی"},
        "refund": refund,
        "at": at,
    }
    data = canonical_json(payload)
    with db.write() as s:
        req = s.scalar(select(Request).where(Request.request_id == request_id))
        s.add(
            OutboxOp(
                op_id=str(uuid.uuid4()),
                kind="cancel",
                request_id=request_id,
                receipt_no=req.receipt_no,
                payload=data,
                payload_sha256=payload_sha256(data),
                state="pending",
                attempts=0,
                created_at=at,
            )
        )
    return payload


def outbox_states(db) -> dict[str, int]:
    with db.read() as s:
        return dict(s.execute(select(OutboxOp.state, func.count()).group_by(OutboxOp.state)).all())


def statuses(db) -> dict[str, str]:
    with db.read() as s:
        return dict(s.execute(select(Request.request_id, Request.status)).all())


def server_refs(db) -> dict[str, str | None]:
    with db.read() as s:
        return dict(s.execute(select(Request.request_id, Request.server_ref)).all())


def days_ago(days: float) -> datetime:
    return utc_now() - timedelta(days=days)


def queue_many(db, office: str, device: int, count: int, *, start_n: int = 1) -> list[str]:
    """`count` queued requests in one transaction (benchmarks); same rows as `queue_request`."""
    created = utc_now()
    prefix = f"{office}-{device}-{jalali_yymmdd(tehran_day(created))}-"
    ids = []
    with db.write() as s:
        seq0 = _last_seq(s, prefix)
        for i in range(count):
            row, op, _ = _rows(
                office,
                device,
                f"{prefix}{seq0 + i + 1:04d}",
                start_n + i,
                CATALOG["services"][0],
                CATALOG["version"],
                created,
            )
            s.add(row)
            s.add(op)
            ids.append(row.request_id)
    return ids
