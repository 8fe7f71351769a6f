"""Applying a batch of outbox operations: exactly-once effect over at-least-once delivery.

The batch runs in one transaction with a SAVEPOINT per item: one bad item rolls back only
itself, and each operation row is written in the same transaction as its effect. A unique
violation (another worker applied the same key a moment ago) rolls back the item, which is
then looked at again and comes out `duplicate` or `conflict`.
"""

from __future__ import annotations

import json
import logging
import secrets
from collections import Counter
from dataclasses import dataclass

from pydantic import ValidationError
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from desk_app.domain.canonical import payload_sha256
from desk_app.domain.errors import InvalidInput
from desk_app.domain.forms import AnswersError, FieldError, FormError, as_form, freeze_answers
from desk_app.domain.jalali import jalali_yymmdd, tehran_day
from desk_app.domain.receipt import parse_receipt_no
from desk_app.domain.status import FINAL_STATUSES, STATUS_LABELS_FA, Status
from desk_app.sync import protocol
from desk_app.sync.protocol import OpResult, ResultKind
from provincial_server import catalogs, checks, texts
from provincial_server.db import Change, Device, Operation, RequestText, ServerRequest, StatusHistory, utcnow
from provincial_server.feed import next_seqs, record_status, transition

log = logging.getLogger("provincial_server")


@dataclass(frozen=True)
class Caller:
    office: str
    device: int


class _Reject(Exception):
    def __init__(self, kind: ResultKind, code: str, detail: str):
        super().__init__(code)
        self.kind, self.code, self.detail = kind, code, detail


def _invalid(code: str, detail: str) -> _Reject:
    return _Reject(ResultKind.INVALID, code, detail)


def _conflict(code: str, detail: str) -> _Reject:
    return _Reject(ResultKind.CONFLICT, code, detail)


def apply_batch(s: Session, caller: Caller, items: list) -> list[OpResult]:
    fast = _fast_batch(s, caller, items)
    if fast is not None:
        results, receipts = fast
    else:
        results, receipts = [], []
        for raw in items:
            res, receipt_no = _apply_one(s, caller, raw)
            results.append(res)
            if receipt_no:
                receipts.append(receipt_no)
    last_receipt = max(receipts, key=_receipt_key, default=None)
    if last_receipt:
        dev = s.get(Device, (caller.office, caller.device))
        if dev is not None and (
            dev.last_receipt_no is None or _receipt_key(last_receipt) > _receipt_key(dev.last_receipt_no)
        ):
            dev.last_receipt_no = last_receipt
    return results


def _fast_batch(s: Session, caller: Caller, items: list) -> tuple[list[OpResult], list[str]] | None:
    """The common case in a few statements: every valid item is a new request whose keys the
    server has never seen. Anything else (a retry, a cancel, a clash, a race with another
    worker) returns None and the batch goes item by item, which gives the same answers."""
    results: list[OpResult | None] = []
    invalid_op_ids: set[str] = set()
    new: list[tuple[int, protocol.Operation, protocol.RequestPayload, object, object]] = []
    for raw in items:
        try:
            op = _parse_op(raw)
            if op.kind != "request":
                return None
            _check_payload(op, raw)
            p, created, day = _check_request(caller, op)
        except _Reject as rej:
            op_id, rid = _echo_ids(raw)
            if op_id is not None:
                invalid_op_ids.add(op_id)  # a known op_id would make it a duplicate or a conflict
            results.append(OpResult(op_id=op_id, request_id=rid, result=rej.kind, code=rej.code, detail=rej.detail))
            continue
        results.append(None)
        new.append((len(results) - 1, op, p, created, day))
    if not new:
        return None
    op_ids = {op.op_id for _, op, *_ in new}
    rids = {p.request_id for _, _, p, *_ in new}
    receipts = {p.receipt_no for _, _, p, *_ in new}
    if (
        len(op_ids) != len(new)
        or len(rids) != len(new)
        or len(receipts) != len(new)
        or any(p.server_ref for _, _, p, *_ in new)
    ):
        return None
    o = caller.office
    if len(op_ids | invalid_op_ids) != len(op_ids) + len(invalid_op_ids):
        return None
    if s.scalar(
        select(Operation.op_id).where(Operation.office == o, Operation.op_id.in_(op_ids | invalid_op_ids)).limit(1)
    ) or s.scalar(
        select(ServerRequest.request_id)
        .where(ServerRequest.office == o, (ServerRequest.request_id.in_(rids) | ServerRequest.receipt_no.in_(receipts)))
        .limit(1)
    ):
        return None
    versions: dict[str, object] = {}
    accepted = []
    for idx, op, p, created, day in new:
        try:
            _check_fees(s, p, versions)
            _check_fields(s, p, day, versions)
        except _Reject as rej:
            results[idx] = OpResult(
                op_id=op.op_id, request_id=op.request_id, result=rej.kind, code=rej.code, detail=rej.detail
            )
            continue
        accepted.append((idx, op, p, created, day))
    if not accepted:
        return [r for r in results], []
    try:
        with s.begin_nested():
            last = next_seqs(s, o, len(accepted))
            now = utcnow()
            req_rows, text_rows, hist_rows, change_rows, op_rows = [], [], [], [], []
            for k, (idx, op, p, created, day) in enumerate(accepted):
                seq = last - len(accepted) + 1 + k
                ref = str(10**9 + secrets.randbelow(9 * 10**9))
                req_rows.append(
                    dict(
                        office=o,
                        request_id=p.request_id,
                        receipt_no=p.receipt_no,
                        device=p.device,
                        server_ref=ref,
                        payload_json=json.dumps(op.payload, ensure_ascii=False, sort_keys=True),
                        payload_sha256=op.payload_sha256,
                        core_sha256=_core_sha(op.payload),
                        status=Status.SUBMITTED.value,
                        status_note=None,
                        service_code=p.service_code,
                        catalog_version=p.catalog_version,
                        total=p.total,
                        refund=0,
                        created_at=created,
                        clock_skew_s=p.clock_skew_s,
                        tehran_day=day.isoformat(),
                        received_at=now,
                        updated_at=now,
                    )
                )
                text_rows.append(texts.text_row(o, op.payload))
                hist_rows.append(
                    dict(
                        id=secrets.token_hex(16),
                        office=o,
                        request_id=p.request_id,
                        at=now,
                        from_status=None,
                        to_status=Status.SUBMITTED.value,
                        actor=p.clerk.username,
                        note=None,
                    )
                )
                change_rows.append(
                    dict(
                        office=o,
                        seq=seq,
                        device=p.device,
                        request_id=p.request_id,
                        receipt_no=p.receipt_no,
                        status=Status.SUBMITTED.value,
                        server_ref=ref,
                        note=None,
                        at=now,
                    )
                )
                op_rows.append(
                    dict(
                        office=o,
                        op_id=op.op_id,
                        kind=op.kind,
                        request_id=op.request_id,
                        device=caller.device,
                        payload_sha256=op.payload_sha256,
                        result=ResultKind.CREATED.value,
                        server_ref=ref,
                        seq=seq,
                        detail=None,
                        received_at=now,
                    )
                )
                results[idx] = OpResult(
                    op_id=op.op_id, request_id=p.request_id, result=ResultKind.CREATED, server_ref=ref, seq=seq
                )
            for table, rows in (
                (ServerRequest, req_rows),
                (RequestText, text_rows),
                (StatusHistory, hist_rows),
                (Change, change_rows),
                (Operation, op_rows),
            ):
                s.execute(insert(table.__table__), rows)
    except IntegrityError:
        return None  # a race or a server_ref clash: item by item
    return [r for r in results], [p.receipt_no for _, _, p, *_ in accepted]


def _receipt_key(receipt_no: str) -> tuple[str, int]:
    p = parse_receipt_no(receipt_no)
    return (p.yymmdd, int(p.seq))


def _echo_ids(raw) -> tuple[str | None, str | None]:
    """op_id and request_id to echo in an `invalid` result: only when they are UUIDs (anything
    else cannot be the client's, and may not even be encodable)."""
    if not isinstance(raw, dict):
        return None, None
    ids = [raw.get("op_id"), raw.get("request_id")]
    return tuple(v.lower() if isinstance(v, str) and protocol.UUID_RE.match(v) else None for v in ids)


def _apply_one(s: Session, caller: Caller, raw) -> tuple[OpResult, str | None]:
    op_id, request_id = _echo_ids(raw)
    for attempt in range(3):
        try:
            with s.begin_nested():
                return _apply_checked(s, caller, raw)
        except _Reject as rej:
            return OpResult(op_id=op_id, request_id=request_id, result=rej.kind, code=rej.code, detail=rej.detail), None
        except IntegrityError:
            # Another worker took the same key (or a server_ref clashed): look again.
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def _parse_op(raw) -> protocol.Operation:
    """Shape of the operation (no database); raises _Reject(invalid)."""
    if not isinstance(raw, dict):
        raise _invalid("malformed", "قالب عملیات نادرست است.")
    try:
        checks.check_tree(raw)
    except checks.FieldError as exc:
        raise _invalid(exc.code, exc.detail) from None
    try:
        return protocol.Operation.model_validate(raw)
    except ValidationError as exc:
        raise _invalid("malformed", "عملیات ناقص یا نادرست است: " + _fields(exc)) from None


def _check_payload(op: protocol.Operation, raw: dict) -> None:
    if payload_sha256(op.payload) != op.payload_sha256:
        raise _invalid("hash_mismatch", "چکیده محتوا با خود محتوا نمی‌خواند.")
    if op.payload.get("request_id") != raw.get("request_id"):
        raise _invalid("request_id_mismatch", "شناسه درخواست عملیات با محتوای آن یکی نیست.")


def _apply_checked(s: Session, caller: Caller, raw) -> tuple[OpResult, str | None]:
    op = _parse_op(raw)
    seen = s.get(Operation, (caller.office, op.op_id))
    if seen is not None:
        if seen.payload_sha256 != op.payload_sha256 or seen.kind != op.kind:
            raise _conflict("op_id_reused", "این شناسه عملیات پیش‌تر با محتوای دیگری رسیده است؛ چیزی بازنویسی نشد.")
        return OpResult(
            op_id=op.op_id,
            request_id=seen.request_id,
            result=ResultKind.DUPLICATE,
            server_ref=seen.server_ref,
            seq=seen.seq,
            code=seen.result,
            detail=seen.detail,
        ), None

    _check_payload(op, raw)
    if op.kind == "request":
        return _create(s, caller, op)
    return _cancel(s, caller, op), None


def _record_op(
    s: Session,
    caller: Caller,
    op: protocol.Operation,
    result: ResultKind,
    *,
    server_ref: str | None,
    seq: int | None,
    detail: str | None,
) -> None:
    s.add(
        Operation(
            office=caller.office,
            op_id=op.op_id,
            kind=op.kind,
            request_id=op.request_id,
            device=caller.device,
            payload_sha256=op.payload_sha256,
            result=result.value,
            server_ref=server_ref,
            seq=seq,
            detail=detail,
        )
    )
    s.flush()


def _check_request(caller: Caller, op: protocol.Operation):
    """The request payload's own rules (no database): (payload, created_at, Tehran day)."""
    try:
        p = checks.check_request(op.payload)
    except checks.FieldError as exc:
        raise _invalid(exc.code, exc.detail) from None
    if op.receipt_no is not None and op.receipt_no != p.receipt_no:
        raise _invalid("receipt_no_mismatch", "شماره رسید عملیات با محتوای آن یکی نیست.")
    if p.office != caller.office:
        raise _invalid("office_mismatch", "کد دفتر درخواست با دفتر این دستگاه یکی نیست.")
    if p.device != caller.device:
        raise _invalid("device_mismatch", "شماره دستگاه درخواست با دستگاه ثبت‌شده یکی نیست.")
    created = checks.parse_instant(p.created_at)
    day = tehran_day(created)
    if jalali_yymmdd(day) != parse_receipt_no(p.receipt_no).yymmdd:
        raise _invalid("receipt_date_mismatch", "تاریخ شماره رسید با روز ثبت درخواست (به وقت تهران) نمی‌خواند.")
    return p, created, day


def _create(s: Session, caller: Caller, op: protocol.Operation) -> tuple[OpResult, str | None]:
    p, created, day = _check_request(caller, op)
    core = _core_sha(op.payload)
    held = s.get(ServerRequest, (caller.office, p.request_id))
    if held is not None:
        same = held.core_sha256 == core and (p.server_ref is None or p.server_ref == held.server_ref)
        if not same:
            raise _conflict("request_id_conflict", "این درخواست پیش‌تر با محتوای دیگری ثبت شده است؛ چیزی بازنویسی نشد.")
        detail = "این درخواست پیش‌تر ثبت شده بود."
        _record_op(s, caller, op, ResultKind.DUPLICATE, server_ref=held.server_ref, seq=None, detail=detail)
        return OpResult(
            op_id=op.op_id,
            request_id=p.request_id,
            result=ResultKind.DUPLICATE,
            server_ref=held.server_ref,
            code=ResultKind.CREATED.value,
            detail=detail,
        ), p.receipt_no
    clash = s.scalar(
        select(ServerRequest.request_id).where(
            ServerRequest.office == caller.office, ServerRequest.receipt_no == p.receipt_no
        )
    )
    if clash is not None:
        raise _conflict("receipt_no_conflict", "این شماره رسید پیش‌تر برای درخواست دیگری ثبت شده است.")

    _check_fees(s, p)
    _check_fields(s, p, day)

    if p.server_ref is not None:
        owner = s.scalar(select(ServerRequest.request_id).where(ServerRequest.server_ref == p.server_ref))
        if owner is not None:
            raise _conflict("server_ref_taken", "این کد رهگیری از آنِ درخواست دیگری است.")
        server_ref = p.server_ref
    else:
        server_ref = _new_server_ref(s)

    req = ServerRequest(
        office=caller.office,
        request_id=p.request_id,
        receipt_no=p.receipt_no,
        device=p.device,
        server_ref=server_ref,
        payload_json=json.dumps(op.payload, ensure_ascii=False, sort_keys=True),
        payload_sha256=op.payload_sha256,
        core_sha256=core,
        status=Status.SUBMITTED.value,
        service_code=p.service_code,
        catalog_version=p.catalog_version,
        total=p.total,
        refund=0,
        created_at=created,
        clock_skew_s=p.clock_skew_s,
        tehran_day=day.isoformat(),
    )
    s.add(req)
    s.flush()
    texts.add_for(s, caller.office, op.payload)
    seq = record_status(s, req, Status.SUBMITTED.value, actor=p.clerk.username, from_status=None)
    _record_op(s, caller, op, ResultKind.CREATED, server_ref=server_ref, seq=seq, detail=None)
    return OpResult(
        op_id=op.op_id, request_id=p.request_id, result=ResultKind.CREATED, server_ref=server_ref, seq=seq
    ), p.receipt_no


def _check_fees(s: Session, p: protocol.RequestPayload, versions: dict | None = None) -> None:
    """The catalog version the request names decides; versions never change, so the answer is stable."""
    if versions is not None and p.catalog_version in versions:
        catalog = versions[p.catalog_version]
    else:
        catalog = catalogs.get_version(s, p.catalog_version)
        if versions is not None:
            versions[p.catalog_version] = catalog
    if catalog is None:
        raise _invalid("unknown_catalog_version", f"نسخه {p.catalog_version} فهرست خدمات در استان شناخته نیست.")
    service = next((x for x in catalog.services if x.code == p.service_code), None)
    if service is None:
        raise _invalid("unknown_service", f"خدمت {p.service_code} در نسخه {p.catalog_version} فهرست خدمات نیست.")
    if not service.active:
        raise _invalid("service_inactive", f"خدمت {p.service_code} در نسخه {p.catalog_version} غیرفعال است.")
    quoted = Counter((f.kind, f.amount) for f in p.fees)
    tariff = Counter((f.kind, f.amount) for f in service.fees)
    if quoted != tariff:
        raise _invalid(
            "fees_mismatch", f"هزینه‌های درخواست با تعرفه خدمت {p.service_code} در نسخه {p.catalog_version} نمی‌خواند."
        )


def _catalog(s: Session, version: str, versions: dict | None):
    if versions is not None and version in versions:
        return versions[version]
    catalog = catalogs.get_version(s, version)
    if versions is not None:
        versions[version] = catalog
    return catalog


def _check_fields(s: Session, p: protocol.RequestPayload, day, versions: dict | None = None) -> None:
    """The form's answers, checked by the form of the version the request names (`form_version`,
    else `catalog_version`) with the domain's own rules, on the request's Tehran day: what the desk
    froze must be exactly what the form freezes (canonical values, hidden fields left out). Versions
    never change, so the answer is stable on retry and no later catalog changes it. A payload without
    `fields` comes from a desk that predates forms and is not checked against one."""
    if "fields" not in p.model_fields_set:
        return
    answers = p.fields or {}
    version = p.form_version or p.catalog_version
    catalog = _catalog(s, version, versions)
    if catalog is None:
        raise _invalid("unknown_form_version", f"نسخه {version} فهرست خدمات (نسخهٔ فرم) در استان شناخته نیست.")
    service = catalog.get(p.service_code)
    if service is None:
        raise _invalid("unknown_service", f"خدمت {p.service_code} در نسخه {version} فهرست خدمات نیست.")
    if service.form is None:
        if answers:
            name = next(iter(answers))
            raise _invalid(
                f"fields.{name}"[:64],
                f"فیلد «{name}» در فرم خدمت {p.service_code} نیست (این خدمت در نسخه {version} فرمی ندارد).",
            )
        return
    try:
        form = as_form(service.form)
        frozen = freeze_answers(form, answers, on=day)
    except AnswersError as exc:
        raise _invalid(f"fields.{exc.errors[0].field}"[:64], _fields_detail(exc.errors)) from None
    except FormError:  # the catalog was checked when loaded: a form that no longer parses is a bug
        log.exception("form of service %s in catalog %s does not parse", p.service_code, version)
        raise _invalid("form_broken", f"فرم خدمت {p.service_code} در نسخه {version} خراب است.") from None
    if frozen != answers:
        bad = [n for n in sorted(set(frozen) | set(answers)) if frozen.get(n, _MISSING) != answers.get(n, _MISSING)]
        errors = [FieldError(n, f"«{_title(form, n)}» به شکل ذخیره‌شدهٔ فرم (مقدار یکسان‌سازی‌شده) نیست.") for n in bad]
        raise _invalid(f"fields.{bad[0]}"[:64], _fields_detail(errors))


_MISSING = object()


def _title(form, name: str) -> str:
    spec = form.fields.get(name)
    return spec.title if spec is not None else name


def _fields_detail(errors: list[FieldError]) -> str:
    shown = "؛ ".join(f"{e.field}: {e.message}" for e in errors[:5])
    more = f" (و {len(errors) - 5} فیلد دیگر)" if len(errors) > 5 else ""
    return f"پاسخ‌های فرم خدمت نادرست است: {shown}{more}"


def _cancel(s: Session, caller: Caller, op: protocol.Operation) -> OpResult:
    try:
        p = checks.check_cancel(op.payload)
    except checks.FieldError as exc:
        raise _invalid(exc.code, exc.detail) from None
    req = s.get(ServerRequest, (caller.office, p.request_id))
    if req is None:
        raise _invalid("unknown_request", "درخواستی که باید باطل شود در استان ثبت نشده است.")
    if req.device != caller.device:
        # The registering device's shift took the money and must record the refund; a cancel
        # from another counter would leave that shift's cash wrong.
        raise _invalid(
            "not_request_device",
            f"این درخواست را دستگاه {req.device} ثبت کرده است؛ فقط همان دستگاه می‌تواند آن را باطل کند.",
        )
    if op.receipt_no is not None and op.receipt_no != req.receipt_no:
        raise _invalid("receipt_no_mismatch", "شماره رسید عملیات با شماره رسید درخواست یکی نیست.")
    if p.refund > req.total:
        raise _invalid("refund_too_large", "مبلغ بازپرداخت از مبلغ درخواست بیشتر است.")
    if Status(req.status) in FINAL_STATUSES:
        detail = f"درخواست دیگر باطل‌شدنی نیست؛ وضعیت کنونی: {STATUS_LABELS_FA[Status(req.status)]}"
        _record_op(s, caller, op, ResultKind.ALREADY_FINAL, server_ref=req.server_ref, seq=None, detail=detail)
        return OpResult(
            op_id=op.op_id,
            request_id=req.request_id,
            result=ResultKind.ALREADY_FINAL,
            server_ref=req.server_ref,
            code=req.status,
            detail=detail,
        )
    try:
        seq = transition(s, req, Status.CANCELLED.value, actor=p.clerk.username, note=p.reason)
    except InvalidInput:
        detail = f"درخواست دیگر باطل‌شدنی نیست؛ وضعیت کنونی: {STATUS_LABELS_FA[Status(req.status)]}"
        _record_op(s, caller, op, ResultKind.ALREADY_FINAL, server_ref=req.server_ref, seq=None, detail=detail)
        return OpResult(
            op_id=op.op_id,
            request_id=req.request_id,
            result=ResultKind.ALREADY_FINAL,
            server_ref=req.server_ref,
            code=req.status,
            detail=detail,
        )
    req.refund = p.refund
    _record_op(s, caller, op, ResultKind.CANCELLED, server_ref=req.server_ref, seq=seq, detail=None)
    return OpResult(
        op_id=op.op_id, request_id=req.request_id, result=ResultKind.CANCELLED, server_ref=req.server_ref, seq=seq
    )


def _core_sha(payload: dict) -> str:
    """Hash without `server_ref`: a re-upload that carries the printed ref is the same request."""
    return payload_sha256({k: v for k, v in payload.items() if k != "server_ref"})


def _new_server_ref(s: Session) -> str:
    while True:
        ref = str(10**9 + secrets.randbelow(9 * 10**9))
        if s.scalar(select(ServerRequest.office).where(ServerRequest.server_ref == ref)) is None:
            return ref


_MESSAGES_FA = {
    "missing": "لازم است",
    "string_too_short": "خالی است",
    "string_too_long": "بیش از اندازه بلند است",
    "too_short": "کم است",
    "too_long": "بیش از اندازه است",
    "greater_than_equal": "از کمینه کمتر است",
    "less_than_equal": "از بیشینه بیشتر است",
    "literal_error": "مقدار مجاز نیست",
    "finite_number": "باید عدد متناهی باشد",
}


def _fields(exc: ValidationError) -> str:
    """Persian summary of pydantic errors: the field path, then what is wrong with it."""
    parts = []
    for err in exc.errors()[:5]:
        where = ".".join(str(x) for x in err["loc"]) or "-"
        kind = err.get("type", "")
        if kind == "value_error":
            msg = str(err.get("ctx", {}).get("error", err.get("msg", "")))
        elif kind in _MESSAGES_FA:
            msg = _MESSAGES_FA[kind]
        elif kind.endswith("_type") or kind.endswith("_parsing"):
            msg = "نوع مقدار نادرست است"
        else:
            msg = "نادرست است"
        parts.append(f"{where}: {msg}")
    return "؛ ".join(parts)
