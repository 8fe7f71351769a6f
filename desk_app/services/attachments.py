"""Scanned documents kept with their request (DESIGN.md section 11): the services API of the scan
dialog, the requests page, `desk-app attach/scan/attachment` and the uploader.

A page is stored once, named by the SHA-256 of its compressed bytes, at
`<data folder>/attachments/<sha256[:2]>/<sha256>` (folders 0700, files 0600): written to a
temporary file beside it, fsynced, renamed, and only then named by a database row. A crash
leaves at worst a file no row names (`sweep` removes those after an hour), never a row without
its file. `blobs` has a row per file; `attachments` links a blob to a request and the required
document it proves, with its page number and state `pending` -> `sent`.

Keeping rules: an unsent page of a live request is never deleted (only the clerk's explicit
`remove_page` takes an unsent page off, and only while it is unsent). A cancelled request's
pages are not offered for upload and stay on disk until the manager purges them
(`purge(cancelled=True)`); a sent page's file may be purged by the manager after a number of
days, its row stays (the request still lists it as sent). A page attached twice to the same
request is one row; a page attached to two requests is two rows and one file.

Capture rules: `attach_files` checks every file and compresses every page in memory before it
stores the first one, so a bad file (empty, too large, not an image, truncated, encrypted PDF,
too many pages) refuses the whole command and stores nothing. `scan` stores each page as the
scanner delivers it. Once storing has begun, a failure (scanner lost mid-scan, disk full) stops
the capture but keeps what was stored: the result says so in `error`. Before each page the free
disk is checked against `attachment_reserve_mb`, so scans never take the space a registration
needs.
"""

from __future__ import annotations

import errno
import hashlib
import json
import logging
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from desk_app.domain.errors import InvalidInput
from desk_app.domain.jalali import format_utc, utc_now
from desk_app.domain.status import OutboxState, Status
from desk_app.domain.text import normalize_text, search_key
from desk_app.paths import make_private_dir
from desk_app.services import audit, capture, imaging
from desk_app.services.capture import fa_number
from desk_app.services.requests import find_row
from desk_app.services.users import acting_user
from desk_app.store.errors import StoreError
from desk_app.store.models import Attachment, Blob, OutboxOp, Request, ServiceRow, SyncState
from desk_app.sync import uploads

log = logging.getLogger("desk_app.services")

FOLDER = "attachments"
TMP = "tmp"
PENDING, SENT = "pending", "sent"
MAX_DOCUMENT = 100
ORPHAN_AGE_S = 3600
RAW_PAGE_BYTES = 8 * 2**20  # room a scanner's raw page needs while it is compressed (A4, 300 dpi grey)

MSG_DISK_FULL = "فضای دیسک پر است و صفحه ذخیره نشد؛ صفحه‌های پیشین سالم مانده‌اند. فضا آزاد کنید و دوباره تلاش کنید."
MSG_LOW_SPACE = (
    "فضای خالی دیسک ({free} مگابایت) کمتر از {reserve} مگابایتی است که برای ثبت درخواست‌ها کنار گذاشته "
    "می‌شود؛ صفحه ذخیره نشد و صفحه‌های پیشین سالم مانده‌اند. فضا آزاد کنید."
)


# --- views -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AttachmentView:
    """One page of a request as the UI and `--json` see it."""

    id: int
    request_id: str
    receipt_no: str
    sha256: str
    bytes: int
    content_type: str
    kind: str
    width: int
    height: int
    document: str | None
    page_no: int
    state: str
    created_at: str
    sent_at: str | None
    new: bool = True  # False when this call found the page already attached to the request

    @property
    def kb(self) -> float:
        return round(self.bytes / 1024, 1)

    def to_json(self) -> dict:
        return {
            "sha256": self.sha256,
            "bytes": self.bytes,
            "kb": self.kb,
            "document": self.document,
            "page_no": self.page_no,
            "state": self.state,
            "content_type": self.content_type,
            "kind": self.kind,
            "width": self.width,
            "height": self.height,
            "created_at": self.created_at,
            "sent_at": self.sent_at,
            "new": self.new,
        }


@dataclass
class CaptureResult:
    """What one `attach_files`/`scan` call stored. `error` (Persian) is set when the capture
    stopped part-way; every page in `pages` is stored whatever `error` says."""

    receipt_no: str
    request_id: str
    pages: list[AttachmentView] = field(default_factory=list)
    error: str | None = None
    error_kind: str | None = None  # "scanner" | "full" | "limit" | "cancelled"
    bytes_pending: int = 0  # the request's unsent bytes after this call

    @property
    def complete(self) -> bool:
        return self.error is None

    @property
    def stored(self) -> int:
        return sum(1 for p in self.pages if p.new)

    def to_json(self) -> dict:
        return {
            "receipt_no": self.receipt_no,
            "request_id": self.request_id,
            "pages": [p.to_json() for p in self.pages],
            "stored": self.stored,
            "complete": self.complete,
            "error": self.error,
            "bytes_pending": self.bytes_pending,
        }


@dataclass(frozen=True)
class PendingUpload:
    """A page the uploader has to deliver: bytes (unless the server already holds them,
    `needs_bytes` False) and then the link to its request."""

    request_id: str
    receipt_no: str
    sha256: str
    bytes: int
    content_type: str
    document: str | None
    page_no: int
    path: Path
    needs_bytes: bool
    request_on_server: bool  # the request's own operation is acked: the link may be made
    upload_url: str | None

    def to_json(self) -> dict:
        return {k: (str(v) if isinstance(v, Path) else v) for k, v in self.__dict__.items()}


@dataclass(frozen=True)
class PendingTotals:
    pages: int  # unsent links of live requests
    bytes: int  # bytes still to upload (each SHA-256 once; blobs the server holds not counted)
    requests: int

    def to_json(self) -> dict:
        return {"attachments_pending": self.pages, "attachment_bytes_pending": self.bytes, "requests": self.requests}


# --- files -------------------------------------------------------------------------------------


def attachments_dir(home: Path | str) -> Path:
    return Path(home) / FOLDER


def blob_path(home: Path | str, sha256: str) -> Path:
    sha = _check_sha(sha256)
    return attachments_dir(home) / sha[:2] / sha


def _check_sha(sha256: str) -> str:
    sha = str(sha256 or "").strip().lower()
    if len(sha) != 64 or any(c not in "0123456789abcdef" for c in sha):
        raise InvalidInput("شناسهٔ صفحه (SHA-256) درست نیست.", "sha256")
    return sha


def _fsync_dir(path: Path) -> None:
    if os.name != "posix":
        return  # Windows has no directory fsync; NTFS journals the rename
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


def _disk_error(exc: OSError) -> Exception:
    if exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        log.warning("attachment not stored: disk full")
        return StoreError(MSG_DISK_FULL, "full")
    return exc


def write_blob(home: Path | str, sha256: str, data: bytes) -> bool:
    """Store `data` under its SHA-256, atomically (temp file + fsync + rename + directory fsync);
    True when written now, False when an intact copy was already there."""
    final = blob_path(home, sha256)
    if hashlib.sha256(data).hexdigest() != final.name:
        raise ValueError("data does not match its sha256")  # a bug in the caller
    try:
        if final.is_file() and final.stat().st_size == len(data) and file_sha256(final) == final.name:
            return False
        root = make_private_dir(attachments_dir(home))
        make_private_dir(final.parent)
        tmp_dir = make_private_dir(root / TMP)
        fd, tmp_name = tempfile.mkstemp(dir=tmp_dir, prefix="page-", suffix=".part")  # 0600
        tmp = Path(tmp_name)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, final)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        _fsync_dir(final.parent)
        return True
    except OSError as exc:
        raise _disk_error(exc) from exc


def check_free_space(desk, needed: int) -> None:
    """Refuse (StoreError "full") when storing `needed` bytes would leave less free disk than the
    `attachment_reserve_mb` setting keeps for the database."""
    reserve = int(desk.settings.get("attachment_reserve_mb")) * 2**20
    try:
        free = shutil.disk_usage(make_private_dir(attachments_dir(desk.home))).free
    except OSError as exc:
        raise _disk_error(exc) from exc
    if free - needed < reserve:
        log.warning("attachment refused: %d bytes free, %d reserved", free, reserve)
        raise StoreError(
            MSG_LOW_SPACE.format(free=fa_number(free // 2**20), reserve=fa_number(reserve // 2**20)), "full"
        )


# --- capture -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Limits:
    file_bytes: int
    page_bytes: int
    request_bytes: int
    pages: int

    @classmethod
    def of(cls, desk) -> _Limits:
        values = desk.settings.all()
        return cls(
            int(values["attachment_max_file_mb"]) * 2**20,
            int(values["attachment_max_page_kb"]) * 1024,
            int(values["attachment_max_request_mb"]) * 2**20,
            int(values["attachment_max_pages"]),
        )


def _live_request(session: Session, receipt_no: str) -> Request:
    row = find_row(session, receipt_no)
    if row.status == Status.CANCELLED:
        raise InvalidInput(f"درخواست {row.receipt_no} لغو شده است؛ مدرکی به آن افزوده نمی‌شود.", "receipt_no")
    return row


def clean_document(session: Session, request: Request, document: str | None) -> str | None:
    """The document a page proves: the catalog's spelling when it names one of the service's
    required documents (compared folded), else the free text normalised; None when not given."""
    text = normalize_text(document or "")
    if not text:
        return None
    if len(text) > MAX_DOCUMENT:
        raise InvalidInput(f"نام مدرک بیش از {fa_number(MAX_DOCUMENT)} نویسه است.", "document")
    raw = session.scalar(select(ServiceRow.documents_json).where(ServiceRow.code == request.service_code))
    key = search_key(text)
    for name in json.loads(raw or "[]"):
        if search_key(name) == key:
            return normalize_text(name)
    return text


def required_documents(desk, receipt_no: str) -> list[str]:
    """The documents the request's service asks for (catalog spelling), for the scan dialog's keys."""
    with desk.db.read() as s:
        row = find_row(s, receipt_no)
        raw = s.scalar(select(ServiceRow.documents_json).where(ServiceRow.code == row.service_code))
    return [normalize_text(n) for n in json.loads(raw or "[]")]


def _usage(session: Session, request_id: str) -> tuple[int, int]:
    pages, size = session.execute(
        select(func.count(Attachment.id), func.coalesce(func.sum(Attachment.bytes), 0)).where(
            Attachment.request_id == request_id
        )
    ).one()
    return int(pages), int(size)


def _limit_pages(receipt_no: str, have: int, adding: int, limits: _Limits) -> InvalidInput:
    return InvalidInput(
        f"هر درخواست حداکثر {fa_number(limits.pages)} صفحه می‌پذیرد؛ درخواست {receipt_no} "
        f"{fa_number(have)} صفحه دارد و {fa_number(adding)} صفحهٔ دیگر افزوده نمی‌شود.",
        "file",
    )


def _check_page(page: imaging.Page, origin: str, limits: _Limits) -> None:
    if page.size > limits.page_bytes:
        raise InvalidInput(
            f"صفحهٔ «{origin}» پس از فشرده‌سازی {fa_number(round(page.kb))} کیلوبایت است؛ بیشینهٔ هر صفحه "
            f"{fa_number(limits.page_bytes // 1024)} کیلوبایت است.",
            "file",
        )


def _check_caps(session: Session, row: Request, page: imaging.Page, limits: _Limits) -> None:
    pages, size = _usage(session, row.request_id)
    if pages + 1 > limits.pages:
        raise _limit_pages(row.receipt_no, pages, 1, limits)
    if size + page.size > limits.request_bytes:
        raise InvalidInput(
            f"حجم صفحه‌های درخواست {row.receipt_no} از {fa_number(limits.request_bytes // 2**20)} مگابایت "
            "بیشتر می‌شود؛ صفحه افزوده نشد.",
            "file",
        )


def store_page(
    desk, receipt_no: str, page: imaging.Page, *, document: str | None = None, limits: _Limits | None = None
) -> AttachmentView:
    """Keep one compressed page with the request: the file first, then its rows (one transaction,
    caps checked inside it). The same page already attached to this request is returned with
    `new=False` and nothing is written twice."""
    limits = limits or _Limits.of(desk)
    with desk.db.read() as s:  # refuse before writing the file (no orphan in the common case)
        row = _live_request(s, receipt_no)
        existing = _view_of(s, row.request_id, page.sha256)
        if existing is None:
            _check_caps(s, row, page, limits)
            clean_document(s, row, document)
    if existing is not None:
        return _replace_new(existing, False)
    check_free_space(desk, page.size)
    write_blob(desk.home, page.sha256, page.data)
    now = format_utc(utc_now())
    with desk.db.write() as s:  # again inside the write lock: another counter may have added pages
        row = _live_request(s, receipt_no)
        existing = _view_of(s, row.request_id, page.sha256)
        if existing is not None:
            return _replace_new(existing, False)
        _check_caps(s, row, page, limits)
        doc = clean_document(s, row, document)
        if s.get(Blob, page.sha256) is None:
            s.add(
                Blob(
                    sha256=page.sha256,
                    bytes=page.size,
                    content_type=page.content_type,
                    kind=page.kind,
                    width=page.width,
                    height=page.height,
                    created_at=now,
                )
            )
        last = s.scalar(
            select(func.max(Attachment.page_no)).where(
                Attachment.request_id == row.request_id,
                Attachment.document.is_(None) if doc is None else Attachment.document == doc,
            )
        )
        s.add(
            Attachment(
                request_id=row.request_id,
                sha256=page.sha256,
                bytes=page.size,
                content_type=page.content_type,
                document=doc,
                page_no=(last or 0) + 1,
                state=PENDING,
                created_at=now,
            )
        )
        s.flush()
        view = _view_of(s, row.request_id, page.sha256)
    log.info("page stored for a request: %s, %d bytes, %s", page.kind, page.size, page.sha256[:12])
    assert view is not None
    return view


def _replace_new(view: AttachmentView, new: bool) -> AttachmentView:
    from dataclasses import replace

    return replace(view, new=new)


def _finish(desk, result: CaptureResult) -> CaptureResult:
    result.bytes_pending = request_bytes_pending(desk, result.request_id)
    return result


def _stopped(result: CaptureResult, exc: Exception, kind: str) -> CaptureResult:
    stored = result.stored
    kept = (
        f" {fa_number(stored)} صفحه‌ای که پیش از آن گرفته شد ذخیره شده است."
        if stored
        else " هیچ صفحه‌ای از این بار ذخیره نشد."
    )
    result.error = (getattr(exc, "message", None) or str(exc)) + kept
    result.error_kind = kind
    return result


def attach_files(
    desk,
    receipt_no: str,
    files: Iterable[Path | str],
    *,
    document: str | None = None,
    kind: str | None = None,
    clerk: str | None = None,
    on_page: Callable[[AttachmentView], None] | None = None,
) -> CaptureResult:
    """Import image/PDF files as pages of the request (one page per image frame or PDF page).

    Bad input raises `InvalidInput` and stores nothing; a full disk part-way is `result.error`."""
    limits = _Limits.of(desk)
    paths = [Path(p) for p in files]
    if not paths:
        raise InvalidInput("فایلی برای افزودن داده نشد.", "file")
    with desk.db.read() as s:
        if clerk is not None:
            acting_user(s, clerk, "register")
        row = _live_request(s, receipt_no)
        have, _ = _usage(s, row.request_id)
        clean_document(s, row, document)  # refuse a bad name before any work
        result = CaptureResult(row.receipt_no, row.request_id)
    infos = [capture.check_file(p, max_bytes=limits.file_bytes) for p in paths]
    adding = sum(i.pages for i in infos)
    if have + adding > limits.pages:
        raise _limit_pages(result.receipt_no, have, adding, limits)
    pages: list[imaging.Page] = []
    for info in infos:
        for source in capture.iter_pages(info):
            page = source.compress(kind)
            _check_page(page, source.origin, limits)
            pages.append(page)
    for page in pages:
        try:
            view = store_page(desk, result.receipt_no, page, document=document, limits=limits)
        except StoreError as exc:
            return _finish(desk, _stopped(result, exc, exc.kind))
        except InvalidInput as exc:  # another counter filled the request or cancelled it meanwhile
            if not result.pages:
                raise
            return _finish(desk, _stopped(result, exc, "limit"))
        result.pages.append(view)
        if on_page is not None:
            on_page(view)
    return _finish(desk, result)


def scan(
    desk,
    receipt_no: str,
    *,
    scanner=None,
    device: str | None = None,
    document: str | None = None,
    kind: str | None = None,
    feeder: bool = False,
    clerk: str | None = None,
    cancel: threading.Event | None = None,
    on_page: Callable[[AttachmentView, imaging.Page], None] | None = None,
) -> CaptureResult:
    """Scan pages into the request, storing each as the scanner delivers it.

    Refusals before the scanner starts raise (`InvalidInput`, `StoreError`, `ScannerError`) and
    store nothing; a scanner lost mid-scan, a full disk or the page cap stop it with
    `result.error` and keep the pages stored. `on_page(view, page)` gets each stored page (the
    page's `preview_png()` for the dialog). `cancel` set from another thread stops the scan."""
    from desk_app.services import scanner as scanners

    limits = _Limits.of(desk)
    with desk.db.read() as s:
        if clerk is not None:
            acting_user(s, clerk, "register")
        row = _live_request(s, receipt_no)
        have, _ = _usage(s, row.request_id)
        clean_document(s, row, document)
        result = CaptureResult(row.receipt_no, row.request_id)
    if have >= limits.pages:
        raise _limit_pages(result.receipt_no, have, 1, limits)
    scanner = scanner or scanners.default_scanner()
    device = device or desk.settings.get("scanner_device")
    check_free_space(desk, RAW_PAGE_BYTES)
    work = Path(tempfile.mkdtemp(prefix="scan-", dir=make_private_dir(attachments_dir(desk.home) / TMP)))
    pages = scanner.scan(device, feeder=feeder, cancel=cancel, work_dir=work)
    try:
        for source in pages:
            if have + result.stored >= limits.pages:  # the feeder has a sheet more than the cap takes
                exc = _limit_pages(result.receipt_no, have + result.stored, 1, limits)
                return _finish(desk, _stopped(result, exc, "limit"))
            page = source.compress(kind)
            try:
                _check_page(page, source.origin, limits)
                view = store_page(desk, result.receipt_no, page, document=document, limits=limits)
            except InvalidInput as exc:
                return _finish(desk, _stopped(result, exc, "limit"))
            except StoreError as exc:
                return _finish(desk, _stopped(result, exc, exc.kind))
            result.pages.append(view)
            if on_page is not None:
                on_page(view, page)
    except scanners.ScannerError as exc:
        if not result.pages and exc.kind != "cancelled":
            raise
        return _finish(desk, _stopped(result, exc, "cancelled" if exc.kind == "cancelled" else "scanner"))
    finally:
        pages.close()  # stops the scanner if it is still feeding
        shutil.rmtree(work, ignore_errors=True)
    return _finish(desk, result)


# --- reading -----------------------------------------------------------------------------------


_VIEW_COLUMNS = (
    Attachment.id,
    Attachment.request_id,
    Request.receipt_no,
    Attachment.sha256,
    Attachment.bytes,
    Attachment.content_type,
    Blob.kind,
    Blob.width,
    Blob.height,
    Attachment.document,
    Attachment.page_no,
    Attachment.state,
    Attachment.created_at,
    Attachment.sent_at,
)


def _views(session: Session, *where) -> list[AttachmentView]:
    stmt = (
        select(*_VIEW_COLUMNS)
        .join(Request, Request.request_id == Attachment.request_id)
        .join(Blob, Blob.sha256 == Attachment.sha256)
        .where(*where)
        .order_by(Attachment.id)
    )
    return [AttachmentView(*r) for r in session.execute(stmt)]


def _view_of(session: Session, request_id: str, sha256: str) -> AttachmentView | None:
    found = _views(session, Attachment.request_id == request_id, Attachment.sha256 == sha256)
    return found[0] if found else None


def list_pages(desk, receipt_no: str) -> list[AttachmentView]:
    """The request's pages in the order they were added (each document's pages by `page_no`)."""
    with desk.db.read() as s:
        row = find_row(s, receipt_no)
        return _views(s, Attachment.request_id == row.request_id)


def get_page(desk, receipt_no: str, sha256: str) -> AttachmentView:
    sha = _check_sha(sha256)
    with desk.db.read() as s:
        row = find_row(s, receipt_no)
        view = _view_of(s, row.request_id, sha)
    if view is None:
        raise InvalidInput(f"این صفحه در درخواست {row.receipt_no} نیست.", "sha256")
    return view


def read_page(desk, sha256: str) -> bytes:
    """The stored bytes of a page (checked against their name)."""
    path = blob_path(desk.home, sha256)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InvalidInput("فایل این صفحه در پوشهٔ داده نیست (پاک‌سازی شده است).", "sha256") from None
    if hashlib.sha256(data).hexdigest() != path.name:
        raise StoreError("فایل این صفحه در پوشهٔ داده آسیب دیده است؛ صفحه را دوباره اسکن کنید.", "corrupt")
    return data


def preview(desk, sha256: str, max_px: int = imaging.PREVIEW_PX) -> bytes:
    """A small PNG of a stored page (the dialog's and the requests page's thumbnail)."""
    return imaging.preview_png(read_page(desk, sha256), max_px)


def request_bytes_pending(desk, receipt_no_or_id: str) -> int:
    """Bytes the request's unsent pages still have to send (a page the server already holds for
    another request costs nothing)."""
    with desk.db.read() as s:
        row = find_row(s, receipt_no_or_id)
        return int(
            s.scalar(
                select(func.coalesce(func.sum(Attachment.bytes), 0))
                .join(Blob, Blob.sha256 == Attachment.sha256)
                .where(Attachment.request_id == row.request_id, Attachment.state == PENDING, Blob.sent_at.is_(None))
            )
        )


def _live_pending(*extra):
    return (
        select(*extra)
        .select_from(Attachment)
        .join(Request, Request.request_id == Attachment.request_id)
        .join(Blob, Blob.sha256 == Attachment.sha256)
        .where(Attachment.state == PENDING, Request.status != Status.CANCELLED.value)
    )


def pending_totals(desk) -> PendingTotals:
    """Unsent pages of live requests, and the bytes still to upload (each SHA-256 once, blobs the
    server already holds not counted): the status bar and `sync --json` count them the same way,
    by the uploader's own `pending_totals`."""
    with desk.db.read() as s:
        pages, size = uploads.pending_totals(s)
        requests_ = s.scalar(_live_pending(func.count(func.distinct(Attachment.request_id))))
    return PendingTotals(pages, size, int(requests_ or 0))


UPLOAD_RATE_KEY = uploads.RATE_KEY  # sync_state: the uploader's measured link rate, bytes per second


class QueuedSummary(NamedTuple):
    """What the status bar says about pages waiting to go: `pages` unsent links of live requests,
    `bytes` still to upload (each SHA-256 once), `rate_bps` the link rate the uploader last
    measured (None before its first measurement)."""

    pages: int
    bytes: int
    rate_bps: int | None

    @property
    def eta_s(self) -> int | None:
        """Seconds the queued bytes take at the measured rate (None without a rate or bytes)."""
        if not self.rate_bps or not self.bytes:
            return None
        return -(-self.bytes // self.rate_bps)


def upload_rate(desk) -> int | None:
    """The uploader's measured link rate (bytes/s) from the sync state, None when not measured
    yet or not a positive integer."""
    with desk.db.read() as s:
        row = s.get(SyncState, UPLOAD_RATE_KEY)
        raw = row.value if row is not None else None
    try:
        rate = int(float(str(raw).strip())) if raw not in (None, "") else 0
    except ValueError:
        return None
    return rate if rate > 0 else None


def queued_summary(desk) -> QueuedSummary:
    """Pages and bytes waiting to be sent, and the measured rate for the time they will take
    (computed from the local tables only: no network)."""
    totals = pending_totals(desk)
    return QueuedSummary(totals.pages, totals.bytes, upload_rate(desk))


def pending_uploads(desk, limit: int | None = None, *, ready_only: bool = False) -> list[PendingUpload]:
    """Unsent pages of live requests in send order: the oldest request first, then the order the
    pages were added. `ready_only` keeps those whose request the server already holds (its
    `request` operation acked): the request goes first, its pages after."""
    acked = (
        select(OutboxOp.id)
        .where(
            OutboxOp.request_id == Attachment.request_id,
            OutboxOp.kind == "request",
            OutboxOp.state == OutboxState.ACKED.value,
        )
        .exists()
    )
    stmt = _live_pending(
        Attachment.request_id,
        Request.receipt_no,
        Attachment.sha256,
        Attachment.bytes,
        Attachment.content_type,
        Attachment.document,
        Attachment.page_no,
        Blob.sent_at,
        Blob.upload_url,
        acked.label("on_server"),
    ).order_by(Request.seq, Attachment.id)
    if ready_only:
        stmt = stmt.where(acked)
    if limit is not None:
        stmt = stmt.limit(int(limit))
    with desk.db.read() as s:
        rows = s.execute(stmt).all()
    return [
        PendingUpload(
            r.request_id,
            r.receipt_no,
            r.sha256,
            r.bytes,
            r.content_type,
            r.document,
            r.page_no,
            blob_path(desk.home, r.sha256),
            r.sent_at is None,
            bool(r.on_server),
            r.upload_url,
        )
        for r in rows
    ]


# --- the uploader's writes ---------------------------------------------------------------------


def mark_sent(desk, sha256: str, request_id: str) -> bool:
    """The server linked the page to the request: the link is `sent`, and the blob is known to be
    on the server (a later link of the same SHA-256 sends no bytes). False when there was no
    such unsent page (already sent, or unknown): safe to call again after a crash."""
    sha = _check_sha(sha256)
    now = format_utc(utc_now())
    with desk.db.write() as s:
        changed = s.execute(
            update(Attachment)
            .where(Attachment.sha256 == sha, Attachment.request_id == request_id, Attachment.state == PENDING)
            .values(state=SENT, sent_at=now)
        ).rowcount
        s.execute(update(Blob).where(Blob.sha256 == sha, Blob.sent_at.is_(None)).values(sent_at=now))
    return bool(changed)


def mark_blob_on_server(desk, sha256: str) -> None:
    """The server holds these bytes (upload finished, or it answered that it has them)."""
    sha = _check_sha(sha256)
    with desk.db.write() as s:
        s.execute(update(Blob).where(Blob.sha256 == sha, Blob.sent_at.is_(None)).values(sent_at=format_utc(utc_now())))


def set_upload_url(desk, sha256: str, url: str | None) -> None:
    """Remember (or forget, None) the server's upload address of a blob, to resume after a crash."""
    sha = _check_sha(sha256)
    with desk.db.write() as s:
        s.execute(update(Blob).where(Blob.sha256 == sha).values(upload_url=url))


# --- removing ------------------------------------------------------------------------------------


def _drop_unreferenced(session: Session, shas: Iterable[str]) -> list[str]:
    """Delete the blob rows no attachment names any more; returns their SHA-256s (files to delete
    after the commit)."""
    gone = []
    for sha in set(shas):
        if session.scalar(select(func.count(Attachment.id)).where(Attachment.sha256 == sha)) == 0:
            blob = session.get(Blob, sha)
            if blob is not None:
                session.delete(blob)
            gone.append(sha)
    return gone


def _unlink_blobs(home: Path, shas: Iterable[str]) -> None:
    for sha in shas:
        try:
            blob_path(home, sha).unlink(missing_ok=True)
        except OSError as exc:  # a file left behind is an orphan for `sweep`, never a lost page
            log.warning("could not delete a page file: %s", type(exc).__name__)


def remove_page(desk, receipt_no: str, sha256: str, *, actor: str | None = None) -> None:
    """Take an unsent page off the request (the clerk scanned the wrong paper). A sent page is
    refused: the province has it."""
    sha = _check_sha(sha256)
    with desk.db.write() as s:
        if actor is not None:
            acting_user(s, actor, "register")
        row = find_row(s, receipt_no)
        att = s.scalar(select(Attachment).where(Attachment.request_id == row.request_id, Attachment.sha256 == sha))
        if att is None:
            raise InvalidInput(f"این صفحه در درخواست {row.receipt_no} نیست.", "sha256")
        if att.state != PENDING:
            raise InvalidInput("این صفحه به استان فرستاده شده است و برداشته نمی‌شود.", "sha256")
        s.delete(att)
        s.flush()
        gone = _drop_unreferenced(s, [sha])
        audit.record(s, actor, "attachment.remove", row.receipt_no, {"sha256": sha, "document": att.document})
    _unlink_blobs(desk.home, gone)


@dataclass(frozen=True)
class PurgeResult:
    links: int  # attachment rows removed (pages of cancelled requests)
    files: int  # page files deleted
    bytes: int

    def to_json(self) -> dict:
        return dict(self.__dict__)


def purge(desk, *, actor: str | None, cancelled: bool = True, sent_days: int | None = None) -> PurgeResult:
    """The manager's clean-up: pages of cancelled requests (their rows and files), and with
    `sent_days` the files of pages sent more than that many days ago (their rows stay, as sent).
    An unsent page of a live request is never touched. Audited."""
    from datetime import timedelta

    now = utc_now()
    with desk.db.write() as s:
        if actor is not None:
            acting_user(s, actor, "purge_attachments")
        touched: list[str] = []
        links = 0
        if cancelled:
            rows = s.execute(
                select(Attachment.id, Attachment.sha256)
                .join(Request, Request.request_id == Attachment.request_id)
                .where(Request.status == Status.CANCELLED.value)
            ).all()
            for att_id, sha in rows:
                s.delete(s.get(Attachment, att_id))
                touched.append(sha)
            links = len(rows)
            s.flush()
        gone = _drop_unreferenced(s, touched)
        sent_files: list[str] = []
        if sent_days is not None:
            if sent_days < 0:
                raise InvalidInput("شمار روزها باید مثبت باشد.", "days")
            limit = format_utc(now - timedelta(days=sent_days))
            candidates = s.scalars(
                select(Blob.sha256).where(Blob.sent_at.is_not(None), Blob.sent_at < limit).order_by(Blob.sha256)
            ).all()
            for sha in candidates:
                unsent = s.scalar(
                    select(func.count(Attachment.id))
                    .join(Request, Request.request_id == Attachment.request_id)
                    .where(
                        Attachment.sha256 == sha,
                        Attachment.state == PENDING,
                        Request.status != Status.CANCELLED.value,
                    )
                )
                if not unsent:
                    sent_files.append(sha)
        sizes = {sha: _size(desk.home, sha) for sha in [*gone, *sent_files]}
        audit.record(
            s,
            actor,
            "attachment.purge",
            None,
            {"links": links, "files": len([x for x in sizes.values() if x]), "sent_days": sent_days},
        )
    _unlink_blobs(desk.home, [*gone, *sent_files])
    present = [n for n in sizes.values() if n]
    log.info("purged %d links and %d page files", links, len(present))
    return PurgeResult(links, len(present), sum(present))


def _size(home: Path, sha: str) -> int:
    try:
        return blob_path(home, sha).stat().st_size
    except OSError:
        return 0


def sweep(desk, *, older_than_s: float = ORPHAN_AGE_S) -> int:
    """Delete leftovers of interrupted writes: temporary files, and page files no row names, once
    they are `older_than_s` old (a file younger than that may be a page whose row is being
    written right now). Returns how many files went."""
    root = attachments_dir(desk.home)
    if not root.is_dir():
        return 0
    cutoff = time.time() - older_than_s
    with desk.db.read() as s:
        known = set(s.scalars(select(Blob.sha256)))
    removed = 0
    for path in _files(root):
        try:
            if path.stat().st_mtime > cutoff:
                continue
            if path.parent.name == TMP or path.parent.parent.name == TMP or path.name not in known:
                path.unlink()
                removed += 1
        except OSError:
            continue
    return removed


def _files(root: Path) -> Iterator[Path]:
    for sub in root.iterdir():
        if sub.is_dir():
            for path in sub.rglob("*"):
                if path.is_file():
                    yield path


def verify(desk) -> list[str]:
    """SHA-256s of pages that a live row needs and whose file is missing or damaged."""
    bad = []
    with desk.db.read() as s:
        needed = s.scalars(select(Attachment.sha256).where(Attachment.state == PENDING).distinct()).all()
    for sha in needed:
        path = blob_path(desk.home, sha)
        try:
            if file_sha256(path) != sha:
                bad.append(sha)
        except OSError:
            bad.append(sha)
    return bad
