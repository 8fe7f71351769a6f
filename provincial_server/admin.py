"""What the province's operator does: offices, devices, catalogs, agency decisions, backups."""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path

from sqlalchemy import DateTime, delete, insert, select

from desk_app.domain.errors import InvalidInput
from desk_app.domain.jalali import as_utc, format_utc
from desk_app.domain.receipt import normalize_receipt_no
from desk_app.domain.status import Status
from desk_app.sync import protocol
from provincial_server import backupfile, catalogs, texts
from provincial_server.auth import new_token, token_sha256
from provincial_server.db import (
    TABLES,
    Device,
    FeedCounter,
    Meta,
    Office,
    RateBucket,
    ServerDB,
    ServerRequest,
    new_epoch,
    utcnow,
)
from provincial_server.feed import transition

BACKUP_FORMAT = "pishkhan-provincial-backup"


class AdminError(Exception):
    """A mistake of the operator; the message is Persian."""


def add_office(db: ServerDB, code: str, name: str) -> None:
    if not protocol.OFFICE_RE.match(code):
        raise AdminError("کد دفتر باید ۴ تا ۶ رقم لاتین باشد.")
    name = texts.clean(name) or ""
    if not name or len(name) > 200:
        raise AdminError("نام دفتر را (حداکثر ۲۰۰ نویسه) بدهید.")
    with db.write() as s:
        if s.get(Office, code) is not None:
            raise AdminError(f"دفتر {code} پیش‌تر افزوده شده است.")
        s.add(Office(code=code, name=name))
        s.flush()
        s.add(FeedCounter(office=code, last_seq=0))


def enrol_device(db: ServerDB, office: str, device: int) -> str:
    """A new token for the device; any earlier token of it stops working. Returns the token."""
    if not 1 <= device <= 999:
        raise AdminError("شماره دستگاه باید بین ۱ و ۹۹۹ باشد.")
    token = new_token()
    with db.write() as s:
        if s.get(Office, office) is None:
            raise AdminError(f"دفتر {office} وجود ندارد.")
        dev = s.get(Device, (office, device))
        if dev is None:
            dev = Device(office=office, device=device)
            s.add(dev)
        dev.token_sha256 = token_sha256(token)
        dev.enrolled_at = utcnow()
        dev.revoked_at = None
        rb = s.get(RateBucket, (office, device))
        if rb is not None:
            s.delete(rb)
    return token


def revoke_device(db: ServerDB, office: str, device: int) -> None:
    with db.write() as s:
        dev = s.get(Device, (office, device))
        if dev is None or dev.token_sha256 is None:
            raise AdminError(f"دستگاه {device} دفتر {office} ثبت نشده یا پیش‌تر باطل شده است.")
        dev.token_sha256 = None
        dev.revoked_at = utcnow()


def load_catalog_file(db: ServerDB, path: str | Path) -> tuple[str, bool]:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8-sig"))
    except (OSError, ValueError) as exc:
        raise AdminError(f"پرونده فهرست خدمات خوانده نشد: {exc}") from None
    if not isinstance(data, dict):
        raise AdminError("پرونده فهرست خدمات باید یک شیء JSON باشد.")
    with db.write() as s:
        return catalogs.load_catalog(s, data)


def set_status(db: ServerDB, receipt_no: str, status: str, note: str | None = None) -> dict:
    try:
        new = Status(status)
    except ValueError:
        raise AdminError(f"وضعیت «{status}» شناخته نیست؛ یکی از: {', '.join(x.value for x in Status)}") from None
    try:
        receipt_no = normalize_receipt_no(receipt_no)  # typed by the operator: Persian digits are fine
    except InvalidInput:
        raise AdminError(f"«{texts.clean(receipt_no)}» شماره رسید نیست (مثلاً 4512-2-050908-0042).") from None
    with db.write() as s:
        rows = s.scalars(select(ServerRequest).where(ServerRequest.receipt_no == receipt_no)).all()
        if not rows:
            raise AdminError(f"درخواستی با شماره رسید {receipt_no} در استان نیست.")
        if len(rows) > 1:
            raise AdminError(f"شماره رسید {receipt_no} در چند دفتر هست.")
        req = rows[0]
        seq = transition(s, req, new.value, actor="admin", note=note)  # InvalidTransition -> caller
        return {**_request_view(req), "seq": seq}


def list_requests(db: ServerDB, office: str | None = None) -> list[dict]:
    with db.read() as s:
        q = select(ServerRequest).order_by(ServerRequest.office, ServerRequest.received_at, ServerRequest.receipt_no)
        if office:
            q = q.where(ServerRequest.office == office)
        return [_request_view(r) for r in s.scalars(q)]


def _request_view(r: ServerRequest) -> dict:
    payload = json.loads(r.payload_json)  # the form's answers live in the payload the desk froze
    return {
        "request_id": r.request_id,
        "receipt_no": r.receipt_no,
        "office": r.office,
        "device": r.device,
        "status": r.status,
        "server_ref": r.server_ref,
        "service_code": r.service_code,
        "total": r.total,
        "refund": r.refund,
        "created_at": format_utc(r.created_at),
        "tehran_day": r.tehran_day,
        "note": r.status_note,
        "fields": payload.get("fields") or {},
        "form_version": payload.get("form_version", r.catalog_version),
    }


def rotate_epoch(db: ServerDB) -> str:
    epoch = new_epoch()
    with db.write() as s:
        row = s.get(Meta, "feed_epoch")
        if row is None:
            s.add(Meta(key="feed_epoch", value=epoch))
        else:
            row.value = epoch
    return epoch


# ---------------------------------------------------------------- backup / restore


def backup(db: ServerDB, path: str | Path, passphrase: str | None = None) -> dict[str, int]:
    """A JSON dump of every table, taken in one read transaction (same format on both engines),
    written 0600 and, with a passphrase, encrypted (`provincial_server.backupfile`)."""
    if passphrase is not None:
        _file_errors(backupfile.check_passphrase, passphrase)
    tables: dict[str, list[dict]] = {}
    with db.read(snapshot=True) as s:
        for model in TABLES:
            t = model.__table__
            rows = s.execute(select(t)).mappings().all()
            tables[t.name] = [{k: _dump_value(v) for k, v in r.items()} for r in rows]
    doc = {"format": BACKUP_FORMAT, "version": 1, "taken_at": format_utc(utcnow()), "tables": tables}
    data = json.dumps(doc, ensure_ascii=False).encode("utf-8")
    if passphrase is not None:
        data = backupfile.encrypt(data, passphrase)
    try:
        backupfile.write_private(path, data)
    except OSError as exc:
        raise AdminError(f"پرونده پشتیبان نوشته نشد: {exc.strerror or exc}") from None
    return {name: len(rows) for name, rows in tables.items()}


def restore(db: ServerDB, path: str | Path, passphrase: str | None = None) -> str:
    """Replace every row with the backup's, then make a new feed epoch (clients resync). An
    encrypted backup needs its passphrase; a plain one is read as it is."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise AdminError(f"پرونده پشتیبان خوانده نشد: {exc.strerror or exc}") from None
    if backupfile.is_encrypted(data):
        data = _file_errors(backupfile.decrypt, data, passphrase)
    try:
        doc = json.loads(data.decode("utf-8"))
    except ValueError as exc:
        raise AdminError(f"پرونده پشتیبان خوانده نشد: {exc}") from None
    if not isinstance(doc, dict) or doc.get("format") != BACKUP_FORMAT:
        raise AdminError("این پرونده پشتیبان سرور استان نیست.")
    tables = doc.get("tables", {})
    epoch = new_epoch()
    with db.write() as s:
        for model in reversed(TABLES):
            s.execute(delete(model.__table__))
        for model in TABLES:
            t = model.__table__
            rows = [{k: _load_value(t.c[k], v) for k, v in r.items() if k in t.c} for r in tables.get(t.name, [])]
            if rows:
                s.execute(insert(t), rows)
        s.execute(delete(Meta.__table__).where(Meta.key == "feed_epoch"))
        s.add(Meta(key="feed_epoch", value=epoch))
        texts.backfill_once(s)  # a backup from before `request_texts` existed
    return epoch


def _file_errors(fn, *args):
    try:
        return fn(*args)
    except backupfile.BackupFileError as exc:
        raise AdminError(str(exc)) from None


def _dump_value(v):
    if isinstance(v, datetime):
        return format_utc(v)
    return v


_ISO_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T")


def _load_value(col, v):
    if v is not None and isinstance(col.type, DateTime) and isinstance(v, str) and _ISO_RE.match(v):
        return as_utc(datetime.fromisoformat(v))
    return v
