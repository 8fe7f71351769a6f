"""Sending scanned pages (DESIGN.md section 11): after the request operations, over tus 1.0.

Order and promises:
- a page goes only once its request's own operation is acked, and before each page the engine
  pushes any request operation that arrived meanwhile: a backlog of scans never holds back a
  registration;
- one question first (`attachments/lookup`) for every SHA-256 still to send: a page the office
  already holds is linked without its bytes, and an upload the server has begun (this PC's,
  killed before it kept the address, or another counter's) is resumed, not begun again;
- the upload address is kept in the blob's row as soon as the server gives it; after a drop, a
  timeout or a SIGKILL of either side the upload resumes from the server's `Upload-Offset`
  (HEAD), never from what this side believes;
- chunks carry `Upload-Checksum: sha256`; their size is bounded (`upload_chunk_bytes` in the sync
  state), halves after a timeout and grows back after successes, as batches do;
- the same SHA-256 is never sent twice: `blobs.sent_at` is set once the server holds the bytes,
  and every later link of that page sends 32 bytes of hash instead;
- a request cancelled while its pages are on their way: its unfinished upload is terminated
  (DELETE) unless a live request needs the same page, and no link is made;
- the link rate is measured on the chunks (bytes / seconds, smoothed) and kept as
  `upload_rate_bps` in the sync state, for the status bar's estimate.
Imports only store, domain and this package (the layer rule).
"""

from __future__ import annotations

import base64
import hashlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import requests
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from desk_app.domain.jalali import format_utc, utc_now
from desk_app.domain.status import OutboxState, Status
from desk_app.store.engine import Database
from desk_app.store.models import Attachment, Blob, OutboxOp, Request, SyncState
from desk_app.sync.errors import ProtocolError, RetryableError, SyncError, Unreachable
from desk_app.sync.transport import HttpTransport

log = logging.getLogger("desk_app.sync")

TUS_VERSION = "1.0.0"
OFFSET_TYPE = "application/offset+octet-stream"
CHUNK_DEFAULT = 64 * 1024
CHUNK_MIN = 4 * 1024
CHUNK_MAX = 1024 * 1024
LOOKUP_CHUNK = 200
MAX_TRIES = 4  # consecutive failures on one page before the run gives up (the next run resumes)
RATE_KEY = "upload_rate_bps"
CHUNK_KEY = "upload_chunk_bytes"
SENT_KEY = "upload_bytes_sent"  # page bytes put on the wire, ever (re-sent ones included)
RATE_MIN_BYTES = 2048  # shorter sends measure the round trip, not the link
RATE_ALPHA = 0.3
PENDING, SENT = "pending", "sent"
FOLDER = "attachments"


class Refused(SyncError):
    """The server will not take this page or link as it is (`code` says why)."""

    def __init__(self, message: str, *, status: int, code: str | None = None) -> None:
        super().__init__(message, status=status)
        self.code = code


class OffsetMismatch(SyncError):
    def __init__(self, offset: int | None) -> None:
        super().__init__("جای تکه با سرور استان نمی‌خواند.", status=409)
        self.offset = offset


class ChecksumMismatch(SyncError):
    def __init__(self) -> None:
        super().__init__("چکیده‌ی تکه در سرور استان نخواند.", status=460)


class Gone(SyncError):
    """The upload is unknown (404) or refused (410): begin a new one."""


class TusApi(Protocol):
    """What the uploader calls: `TusHttp` over the sync transport's connection, or a fake.
    `last_link`: the server's `Upload-Link` answer to the last create/patch (the link the
    metadata's `request_id` asked for, made when the last byte came), None when it made none."""

    last_link: str | None

    def lookup(self, office: str, shas: list[str]) -> dict[str, Any]: ...
    def create(
        self, office: str, length: int, sha256: str, metadata: dict[str, str], first: bytes | None
    ) -> tuple[str, int]: ...
    def head(self, location: str) -> int: ...
    def patch(self, location: str, offset: int, data: bytes) -> int: ...
    def delete(self, location: str) -> None: ...
    def link(self, office: str, request_id: str, sha256: str, document: str | None) -> dict[str, Any]: ...
    def set_read_timeout(self, seconds: float) -> None: ...


def tus_for(transport: Any) -> TusApi | None:
    """The uploads client of a transport: the HTTP one's session, or what a fake offers."""
    if isinstance(transport, HttpTransport):
        return TusHttp(transport)
    api = getattr(transport, "uploads", None)
    return api if api is not None else None


def _checksum(data: bytes) -> str:
    return "sha256 " + base64.b64encode(hashlib.sha256(data).digest()).decode("ascii")


def _metadata(values: dict[str, str]) -> str:
    return ",".join(f"{k} {base64.b64encode(v.encode('utf-8')).decode('ascii')}" for k, v in values.items())


class TusHttp:
    """tus calls on the sync transport's keep-alive session (token and protocol headers set)."""

    def __init__(self, transport: HttpTransport) -> None:
        self.t = transport
        self.last_link: str | None = None

    def set_read_timeout(self, seconds: float) -> None:
        self.t.set_read_timeout(seconds)

    def _call(
        self,
        method: str,
        path: str,
        *,
        data: bytes | None = None,
        headers: dict[str, str] | None = None,
        json_body: Any = None,
        expect: tuple[int, ...] = (200, 201, 204),
    ) -> requests.Response:
        url = path if path.startswith("http") else self.t.base_url + path
        hdrs = {"Tus-Resumable": TUS_VERSION, **(headers or {})}
        try:
            resp = self.t.session.request(
                method, url, data=data, json=json_body, headers=hdrs, timeout=self.t.timeout, allow_redirects=False
            )
            content = resp.content
        except requests.exceptions.Timeout as exc:
            raise Unreachable("پاسخ سرور استان در زمان مقرر نرسید.", timeout=True) from exc
        except (requests.exceptions.ChunkedEncodingError, requests.exceptions.ContentDecodingError) as exc:
            raise RetryableError("پاسخ سرور استان ناقص رسید.") from exc
        except requests.exceptions.RequestException as exc:
            raise Unreachable("اتصال به سرور استان برقرار نشد.") from exc
        self.t.bytes_received += len(content)
        self.t.bytes_sent += len(data or b"")
        if resp.status_code in expect:
            return resp
        code = _error_code(resp)
        if resp.status_code == 409 and code == "offset_mismatch":
            raise OffsetMismatch(_int(resp.headers.get("Upload-Offset")))
        if resp.status_code == 460 and code == "checksum_mismatch":
            raise ChecksumMismatch()
        if resp.status_code in (404, 410) and "/uploads/" in path:
            raise Gone("بارگذاری در سرور استان نیست.", status=resp.status_code)
        if resp.status_code in (409, 415, 422, 460) or (resp.status_code in (400, 404, 413) and code):
            if resp.status_code == 413 and code == "too_large" and method == "PATCH":
                raise Refused("تکه بزرگ است.", status=413, code="chunk_too_large")
            raise Refused(f"سرور استان صفحه را نپذیرفت ({code}).", status=resp.status_code, code=code)
        HttpTransport._classify(resp)
        raise ProtocolError(f"پاسخ غیرمنتظره از سرور استان (کد {resp.status_code}).", status=resp.status_code)

    def lookup(self, office: str, shas: list[str]) -> dict[str, Any]:
        resp = self._call("POST", f"/api/v1/offices/{office}/attachments/lookup", json_body={"sha256": shas})
        data = _json(resp)
        if not isinstance(data.get("held"), list) or not isinstance(data.get("uploads"), list):
            raise RetryableError("پاسخ سرور استان ناقص یا نامعتبر بود.")
        return data

    def create(
        self, office: str, length: int, sha256: str, metadata: dict[str, str], first: bytes | None
    ) -> tuple[str, int]:
        headers = {"Upload-Length": str(length), "Upload-Metadata": _metadata({"sha256": sha256, **metadata})}
        if first:
            headers["Content-Type"] = OFFSET_TYPE
            headers["Upload-Checksum"] = _checksum(first)
        self.last_link = None
        resp = self._call("POST", f"/api/v1/offices/{office}/uploads", data=first or None, headers=headers)
        self.last_link = resp.headers.get("Upload-Link")
        location = resp.headers.get("Location")
        offset = _int(resp.headers.get("Upload-Offset"))
        if not location or offset is None:
            raise RetryableError("پاسخ سرور استان به ساخت بارگذاری ناقص بود.")
        if location.startswith("http"):  # keep the path: the server's address may change
            location = "/" + location.split("//", 1)[1].split("/", 1)[1]
        return location, offset

    def head(self, location: str) -> int:
        resp = self._call("HEAD", location, expect=(200,))
        offset = _int(resp.headers.get("Upload-Offset"))
        if offset is None:
            raise RetryableError("پاسخ سرور استان Upload-Offset نداشت.")
        return offset

    def patch(self, location: str, offset: int, data: bytes) -> int:
        headers = {"Content-Type": OFFSET_TYPE, "Upload-Offset": str(offset), "Upload-Checksum": _checksum(data)}
        self.last_link = None
        resp = self._call("PATCH", location, data=data, headers=headers, expect=(204,))
        self.last_link = resp.headers.get("Upload-Link")
        new = _int(resp.headers.get("Upload-Offset"))
        if new is None:
            raise RetryableError("پاسخ سرور استان Upload-Offset نداشت.")
        return new

    def delete(self, location: str) -> None:
        try:
            self._call("DELETE", location, expect=(204,))
        except Gone:
            pass

    def link(self, office: str, request_id: str, sha256: str, document: str | None) -> dict[str, Any]:
        resp = self._call(
            "POST",
            f"/api/v1/offices/{office}/requests/{request_id}/attachments",
            json_body={"sha256": sha256, "document": document},
            expect=(200, 201),
        )
        return _json(resp)


def _int(value: str | None) -> int | None:
    return int(value) if value is not None and value.strip().isdigit() else None


def _json(resp: requests.Response) -> dict[str, Any]:
    try:
        data = resp.json()
    except ValueError as exc:
        raise RetryableError("پاسخ سرور استان قابل خواندن نبود.") from exc
    if not isinstance(data, dict):
        raise RetryableError("پاسخ سرور استان ناقص یا نامعتبر بود.")
    return data


def _error_code(resp: requests.Response) -> str | None:
    try:
        data = resp.json()
    except ValueError:
        return None
    code = data.get("error") if isinstance(data, dict) else None
    return code if isinstance(code, str) else None


# ---------------------------------------------------------------------------------- local rows


@dataclass(frozen=True)
class Page:
    request_id: str
    sha256: str
    bytes: int
    content_type: str
    document: str | None
    on_server: bool  # the blob's bytes are known to be held by the server
    upload_url: str | None


@dataclass
class UploadReport:
    linked: int = 0
    bytes_sent: int = 0  # page bytes put on the wire (chunks, re-sent ones included)
    bytes_needed: int = 0  # page bytes this run had to deliver (each SHA-256 once)
    held: int = 0  # pages linked without sending their bytes
    terminated: int = 0
    refused: list[str] = field(default_factory=list)


def _no_cancel_waiting() -> Any:
    """The request has no cancellation on its way: a page waits until the province answers it."""
    return ~(
        select(OutboxOp.id)
        .where(
            OutboxOp.request_id == Attachment.request_id,
            OutboxOp.kind == "cancel",
            OutboxOp.state.in_((OutboxState.PENDING.value, OutboxState.SENDING.value)),
        )
        .exists()
    )


def _live_pending() -> Any:
    acked = (
        select(OutboxOp.id)
        .where(
            OutboxOp.request_id == Attachment.request_id,
            OutboxOp.kind == "request",
            OutboxOp.state == OutboxState.ACKED.value,
        )
        .exists()
    )
    return (
        select(
            Attachment.request_id,
            Attachment.sha256,
            Attachment.bytes,
            Attachment.content_type,
            Attachment.document,
            Blob.sent_at,
            Blob.upload_url,
        )
        .join(Request, Request.request_id == Attachment.request_id)
        .join(Blob, Blob.sha256 == Attachment.sha256)
        .where(Attachment.state == PENDING, Request.status != Status.CANCELLED.value, acked, _no_cancel_waiting())
        .order_by(Request.seq, Attachment.id)
    )


def pending_totals(s: Session) -> tuple[int, int]:
    """(pages, bytes) still to send for live requests; each SHA-256 counted once, a page the
    server already holds counts no bytes (what `sync --json` prints)."""
    base = (
        select(Attachment.id, Blob.sha256, Blob.bytes, Blob.sent_at)
        .join(Request, Request.request_id == Attachment.request_id)
        .join(Blob, Blob.sha256 == Attachment.sha256)
        .where(Attachment.state == PENDING, Request.status != Status.CANCELLED.value)
    ).subquery()
    pages = s.scalar(select(func.count()).select_from(base)) or 0
    blobs = select(base.c.sha256, base.c.bytes).where(base.c.sent_at.is_(None)).distinct().subquery()
    size = s.scalar(select(func.coalesce(func.sum(blobs.c.bytes), 0))) or 0
    return int(pages), int(size)


class Uploader:
    """One pass over the pages to send. Not thread-safe; one per sync run."""

    def __init__(
        self,
        db: Database,
        tus: TusApi,
        *,
        office: str,
        home: Path | None = None,
        push_first: Callable[[], object] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.db = db
        self.tus = tus
        self.office = office
        self.home = Path(home) if home is not None else Path(db.path).parent
        self.push_first = push_first or (lambda: None)
        self.clock = clock
        self.report = UploadReport()
        self.chunk = CHUNK_DEFAULT
        self.ceiling = CHUNK_MAX
        self._ok_in_row = 0
        self._auto_linked: str | None = None

    # -- state ------------------------------------------------------------------------------
    def _get(self, key: str) -> str | None:
        with self.db.read() as s:
            row = s.get(SyncState, key)
            return row.value if row else None

    def _put(self, **values: Any) -> None:
        with self.db.write() as s:
            for key, value in values.items():
                row = s.get(SyncState, key)
                text = None if value is None else str(value)
                if row is None:
                    s.add(SyncState(key=key, value=text))
                else:
                    row.value = text

    def _pages(self) -> list[Page]:
        with self.db.read() as s:
            rows = s.execute(_live_pending()).all()
        return [Page(r[0], r[1], int(r[2]), r[3], r[4], r[5] is not None, r[6]) for r in rows]

    def _set_url(self, sha: str, url: str | None) -> None:
        with self.db.write() as s:
            s.execute(update(Blob).where(Blob.sha256 == sha).values(upload_url=url))

    def _on_server(self, sha: str, yes: bool = True) -> None:
        value = format_utc(utc_now()) if yes else None
        with self.db.write() as s:
            stmt = update(Blob).where(Blob.sha256 == sha)
            stmt = stmt.where(Blob.sent_at.is_(None)) if yes else stmt
            s.execute(stmt.values(sent_at=value, upload_url=None) if yes else stmt.values(sent_at=None))

    def _mark_sent(self, request_id: str, sha: str) -> None:
        now = format_utc(utc_now())
        with self.db.write() as s:
            s.execute(
                update(Attachment)
                .where(Attachment.request_id == request_id, Attachment.sha256 == sha, Attachment.state == PENDING)
                .values(state=SENT, sent_at=now)
            )
            s.execute(update(Blob).where(Blob.sha256 == sha, Blob.sent_at.is_(None)).values(sent_at=now))

    def _still_wanted(self, sha: str) -> bool:
        """A live request (not cancelled) still waits for this page."""
        with self.db.read() as s:
            n = s.scalar(
                select(func.count())
                .select_from(Attachment)
                .join(Request, Request.request_id == Attachment.request_id)
                .where(
                    Attachment.sha256 == sha,
                    Attachment.state == PENDING,
                    Request.status != Status.CANCELLED.value,
                    _no_cancel_waiting(),
                )
            )
        return bool(n)

    def _request_live(self, request_id: str) -> bool:
        with self.db.read() as s:
            n = s.scalar(
                select(func.count())
                .select_from(Attachment)
                .join(Request, Request.request_id == Attachment.request_id)
                .where(Attachment.request_id == request_id, Request.status != Status.CANCELLED.value)
                .where(_no_cancel_waiting())
            )
        return bool(n)

    # -- the pass ---------------------------------------------------------------------------
    def run(self) -> UploadReport:
        pages = self._pages()
        if not pages:
            self._abandon_cancelled()
            return self.report
        saved = self._get(CHUNK_KEY)
        if saved and saved.isdigit():
            self.chunk = max(CHUNK_MIN, min(CHUNK_MAX, int(saved)))
        to_send = list(dict.fromkeys(p.sha256 for p in pages if not p.on_server))
        resume: dict[str, str] = {}
        held: set[str] = set()
        for i in range(0, len(to_send), LOOKUP_CHUNK):
            answer = self.tus.lookup(self.office, to_send[i : i + LOOKUP_CHUNK])
            held |= {str(x) for x in answer["held"]}
            for u in answer["uploads"]:
                if isinstance(u, dict) and isinstance(u.get("location"), str):
                    resume[str(u.get("sha256"))] = u["location"]
        for sha in held:
            self._on_server(sha)
        done: set[str] = set(held)
        self.report.bytes_needed = sum({p.sha256: p.bytes for p in pages if p.sha256 in to_send}.values())
        self.report.held = sum(1 for p in pages if p.sha256 in held)
        for page in pages:
            self.push_first()  # registrations that came meanwhile go before the next page
            if not self._request_live(page.request_id):
                continue
            if not page.on_server and page.sha256 not in done:
                self._auto_linked = None
                if not self._send_bytes(page, resume.get(page.sha256)):
                    continue
                done.add(page.sha256)
                if self._auto_linked in ("created", "duplicate"):  # linked with its last byte
                    self._mark_sent(page.request_id, page.sha256)
                    self.report.linked += 1
                    continue
            self._link(page)
        self._abandon_cancelled()
        return self.report

    def _link(self, page: Page) -> None:
        try:
            self.tus.link(self.office, page.request_id, page.sha256, page.document)
        except Refused as exc:
            if exc.code in ("not_uploaded", "hash_mismatch"):
                self._on_server(page.sha256, yes=False)  # send the bytes again next run
            log.warning("link of a page refused: %s (%s)", exc.code, exc.status)
            self.report.refused.append(exc.code or str(exc.status))
            return
        self._mark_sent(page.request_id, page.sha256)
        self.report.linked += 1

    def _read(self, page: Page) -> bytes | None:
        path = self.home / FOLDER / page.sha256[:2] / page.sha256
        try:
            data = path.read_bytes()
        except OSError:
            log.error("page file missing: %s", page.sha256[:12])
            return None
        if hashlib.sha256(data).hexdigest() != page.sha256:
            log.error("page file does not hash to its name; not sent: %s", page.sha256[:12])
            return None
        return data

    def _send_bytes(self, page: Page, server_url: str | None) -> bool:
        """Deliver the page's bytes; True once the server holds them."""
        data = self._read(page)
        if data is None:
            self.report.refused.append("local_file")
            return False
        url = page.upload_url or server_url
        offset: int | None = None
        failures = 0
        lost = False  # a creation whose answer never came: the server may hold an upload we cannot name
        while True:
            if not self._still_wanted(page.sha256):
                self._terminate(page.sha256, url)
                return False
            try:
                if url is not None and offset is None:
                    try:
                        offset = self.tus.head(url)
                    except Gone:
                        url = None
                        self._set_url(page.sha256, None)
                if url is None and lost:
                    # the answer that named the upload was lost: ask the server whether it began one
                    lost = False
                    url = self._find_open(page.sha256)
                    if url == "held":
                        self._on_server(page.sha256)
                        return True
                    offset = None
                    continue
                if url is None:
                    first = data[: self.chunk]
                    meta = {"filetype": page.content_type, "request_id": page.request_id}
                    if page.document:
                        meta["document"] = page.document
                    url, offset = self._timed(
                        len(first), self.tus.create, self.office, len(data), page.sha256, meta, first
                    )
                    self._set_url(page.sha256, url)
                    self._auto_linked = self.tus.last_link
                assert offset is not None
                while offset < len(data):
                    if not self._still_wanted(page.sha256):
                        self._terminate(page.sha256, url)
                        return False
                    piece = data[offset : offset + self.chunk]
                    at = offset
                    offset = self._timed(len(piece), self.tus.patch, url, at, piece)
                    self._auto_linked = self.tus.last_link
                    self._grow()
                    failures = 0
                self._on_server(page.sha256)
                return True
            except OffsetMismatch as exc:
                offset = exc.offset
                failures += 1
            except ChecksumMismatch:
                offset = None
                failures += 1
            except Gone:
                url, offset = None, None
                self._set_url(page.sha256, None)
                failures += 1
            except Refused as exc:
                if exc.code == "chunk_too_large" and self.chunk > CHUNK_MIN:
                    self.ceiling = self.chunk = max(CHUNK_MIN, self.chunk // 2)
                    offset = None
                    continue
                log.warning("page refused by the server: %s", exc.code)
                self.report.refused.append(exc.code or str(exc.status))
                self._set_url(page.sha256, None)
                return False
            except RetryableError as exc:
                failures += 1
                lost = url is None
                offset = None  # ask the server where it stands
                if exc.timeout:
                    self._shrink()
                if failures >= MAX_TRIES:
                    raise
            if failures >= MAX_TRIES:
                raise RetryableError("ارسال صفحه‌ها به سرور استان پیش نرفت؛ بعداً ادامه می‌یابد.")

    def _find_open(self, sha: str) -> str | None:
        answer = self.tus.lookup(self.office, [sha])
        if sha in answer["held"]:
            return "held"
        for u in answer["uploads"]:
            if isinstance(u, dict) and u.get("sha256") == sha and isinstance(u.get("location"), str):
                self._set_url(sha, u["location"])
                return str(u["location"])
        return None

    def _terminate(self, sha: str, url: str | None) -> None:
        """No live request wants this page any more: end its unfinished upload (tus termination).
        While a cancellation is still on its way (it may come back too late) the upload is kept."""
        with self.db.read() as s:
            waiting = s.scalar(
                select(func.count())
                .select_from(Attachment)
                .join(Request, Request.request_id == Attachment.request_id)
                .where(Attachment.sha256 == sha, Attachment.state == PENDING, Request.status != Status.CANCELLED.value)
            )
        if waiting:
            return
        if url:
            try:
                self.tus.delete(url)
            except SyncError:
                return  # next run tries again (the address is still kept)
            self.report.terminated += 1
        self._set_url(sha, None)

    def _abandon_cancelled(self) -> None:
        """Unfinished uploads of pages only cancelled requests wanted: terminate them."""
        with self.db.read() as s:
            shas = list(s.scalars(select(Blob.sha256).where(Blob.upload_url.is_not(None), Blob.sent_at.is_(None))))
        for sha in shas:
            if not self._still_wanted(sha):
                with self.db.read() as s:
                    url = s.scalar(select(Blob.upload_url).where(Blob.sha256 == sha))
                self._terminate(sha, url)

    # -- pacing -----------------------------------------------------------------------------
    def _timed(self, size: int, call: Callable[..., Any], *args: Any) -> Any:
        """Send `size` page bytes by `call`; counted (`upload_bytes_sent`, for the link's figures)
        before they go, so a process killed mid-send still counts them."""
        if size:
            total = self._get(SENT_KEY)
            self._put(**{SENT_KEY: (int(total) if total and total.isdigit() else 0) + size})
        t0 = self.clock()
        self.report.bytes_sent += size
        result = call(*args)
        elapsed = self.clock() - t0
        if size >= RATE_MIN_BYTES and elapsed > 0:
            rate = size / elapsed
            old = self._get(RATE_KEY)
            if old and old.isdigit():
                rate = RATE_ALPHA * rate + (1 - RATE_ALPHA) * int(old)
            self._put(**{RATE_KEY: max(1, int(rate))})
        return result

    def _shrink(self) -> None:
        self.chunk = max(CHUNK_MIN, self.chunk // 2)
        self._ok_in_row = 0
        self._put(**{CHUNK_KEY: self.chunk})
        log.info("upload timeout: chunk now %d bytes", self.chunk)

    def _grow(self) -> None:
        self._ok_in_row += 1
        if self._ok_in_row >= 4 and self.chunk < self.ceiling:
            self.chunk = min(self.ceiling, self.chunk * 2)
            self._ok_in_row = 0
            self._put(**{CHUNK_KEY: self.chunk})
