"""Attachment uploads (DESIGN.md section 11): tus 1.0 core + creation (+ creation-with-upload) +
checksum (sha256) + termination under `/api/v1/offices/{office}/uploads`, the lookup of pages the
office already holds, and the link of a held page to a request.

Promises:
- an upload belongs to its office: another office's upload id is a 404 like an unknown one, and
  the store names files by office and SHA-256, so a page is never linked across offices;
- the bytes of a PATCH reach the disk (fsync) before its answer; the upload file's size is the
  offset, so a server SIGKILLed mid-upload resumes at what it had answered for (and keeps what a
  dropped PATCH without a checksum brought);
- a chunk whose `Upload-Checksum` does not match is refused whole (460) and the offset stays;
- only JPEG, PNG, TIFF and PDF, told by their first and last bytes, not by any name; a page ends
  where its format says (a truncated JPEG or PDF is refused);
- the whole upload is hashed when its last byte arrives, and the stored file is hashed again
  before a link: a link whose bytes are not the declared SHA-256 is refused (422 hash_mismatch);
- caps: `Tus-Max-Size` per page, a number of pages and bytes per request.
OPTIONS (discovery) needs no token, like a CORS preflight; every other call is authenticated
like the rest of the API (device token, protocol header, office of the path).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import logging
import os
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect

from desk_app.domain.text import normalize_text
from desk_app.sync import protocol
from provincial_server.auth import ApiError
from provincial_server.db import Attachment, ServerDB, ServerRequest, Upload, utcnow
from provincial_server.ingest import Caller
from provincial_server.storage import FileStore, FolderStore

log = logging.getLogger("provincial_server")

TUS_VERSION = "1.0.0"
TUS_EXTENSIONS = "creation,creation-with-upload,checksum,termination"
OFFSET_TYPE = "application/offset+octet-stream"
DEFAULT_MAX_PAGE_BYTES = 10 * 2**20
DEFAULT_MAX_CHUNK_BYTES = 4 * 2**20
DEFAULT_MAX_REQUEST_BYTES = 40 * 2**20
DEFAULT_MAX_REQUEST_PAGES = 60
MAX_LOOKUP = 500
MAX_DOCUMENT = 100

ERR_CHECKSUM = "checksum_mismatch"
ERR_HASH = "hash_mismatch"
ERR_NOT_A_PAGE = "not_a_page"
ERR_TRUNCATED = "truncated"
ERR_OFFSET = "offset_mismatch"
ERR_NOT_UPLOADED = "not_uploaded"
ERR_CANCELLED = "request_cancelled"
ERR_LIMIT = "attachment_limit"

_HEX = frozenset("0123456789abcdef")


@dataclass
class UploadConfig:
    files_dir: str
    max_page_bytes: int = DEFAULT_MAX_PAGE_BYTES
    max_chunk_bytes: int = DEFAULT_MAX_CHUNK_BYTES
    max_request_bytes: int = DEFAULT_MAX_REQUEST_BYTES
    max_request_pages: int = DEFAULT_MAX_REQUEST_PAGES

    @classmethod
    def from_env(cls, db_url: str) -> UploadConfig:
        env = os.environ
        return cls(
            files_dir=env.get("PROVINCIAL_FILES") or default_files_dir(db_url),
            max_page_bytes=int(env.get("PROVINCIAL_MAX_PAGE_BYTES", DEFAULT_MAX_PAGE_BYTES)),
            max_chunk_bytes=int(env.get("PROVINCIAL_MAX_CHUNK_BYTES", DEFAULT_MAX_CHUNK_BYTES)),
            max_request_bytes=int(env.get("PROVINCIAL_MAX_REQUEST_BYTES", DEFAULT_MAX_REQUEST_BYTES)),
            max_request_pages=int(env.get("PROVINCIAL_MAX_REQUEST_PAGES", DEFAULT_MAX_REQUEST_PAGES)),
        )


def default_files_dir(db_url: str) -> str:
    """Beside a SQLite database (`provincial.db` -> `provincial-files/`); else `./provincial-files`."""
    try:
        url = make_url(db_url)
    except Exception:  # noqa: BLE001 - any unparsable URL: the current folder
        return "provincial-files"
    database = url.database if url.drivername.startswith("sqlite") else None
    if database and database != ":memory:" and not database.startswith("file:"):
        p = Path(database)
        return str(p.with_name(p.stem + "-files"))
    return "provincial-files"


# ---------------------------------------------------------------------------------- content


def sniff(head: bytes) -> str | None:
    """The page's content type by its first bytes (JPEG, PNG, TIFF, PDF), None for anything else."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith((b"II*\x00", b"MM\x00*")):
        return "image/tiff"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    return None


def complete_page(content_type: str, head: bytes, tail: bytes, size: int) -> bool:
    """Does the page end where its format says? (a cut-off upload or file is refused)"""
    if content_type == "image/jpeg":
        return tail.rstrip(b"\x00\r\n").endswith(b"\xff\xd9")
    if content_type == "image/png":
        return tail.endswith(b"IEND\xaeB`\x82")
    if content_type == "application/pdf":
        return b"%%EOF" in tail[-1024:]
    if content_type == "image/tiff":
        if len(head) < 8:
            return False
        ifd = int.from_bytes(head[4:8], "little") if head.startswith(b"II") else int.from_bytes(head[4:8], "big")
        return 8 <= ifd < size
    return False


def _check_page_file(path: Path, size: int) -> tuple[str | None, str | None]:
    """(content_type, None) for a whole page; (None, error code) otherwise."""
    with path.open("rb") as f:
        head = f.read(16)
        f.seek(max(0, size - 1024))
        tail = f.read()
    kind = sniff(head)
    if kind is None:
        return None, ERR_NOT_A_PAGE
    if not complete_page(kind, head, tail, size):
        return None, ERR_TRUNCATED
    return kind, None


def file_sha256(fileobj) -> str:
    h = hashlib.sha256()
    for block in iter(lambda: fileobj.read(1 << 20), b""):
        h.update(block)
    return h.hexdigest()


def is_sha256(value: Any) -> bool:
    return isinstance(value, str) and len(value) == 64 and set(value) <= _HEX


def parse_metadata(header: str | None) -> dict[str, str]:
    """`Upload-Metadata`: comma-separated `key base64value` pairs (value may be absent)."""
    out: dict[str, str] = {}
    if not header:
        return out
    for part in header.split(","):
        part = part.strip()
        if not part:
            continue
        key, _, value = part.partition(" ")
        try:
            out[key] = base64.b64decode(value.strip(), validate=True).decode("utf-8") if value.strip() else ""
        except (binascii.Error, UnicodeDecodeError):
            raise ApiError(400, protocol.ERR_BAD_REQUEST, "سرآیند Upload-Metadata خوانا نیست.") from None
    return out


_CHECKSUMS = {"sha256": (hashlib.sha256, 32), "sha1": (hashlib.sha1, 20)}  # tus: sha1 is a MUST


def parse_checksum(header: str | None) -> tuple[str, bytes] | None:
    """`Upload-Checksum: ALGO BASE64` -> (algo, digest); sha256 (ours) or sha1 (every tus client's)."""
    if header is None:
        return None
    algo, _, value = header.strip().partition(" ")
    algo = algo.lower()
    if algo not in _CHECKSUMS:
        raise ApiError(400, protocol.ERR_BAD_REQUEST, "فقط چکیده‌ی sha256 یا sha1 پذیرفته است.", _tus())
    try:
        digest = base64.b64decode(value.strip(), validate=True)
    except binascii.Error:
        raise ApiError(400, protocol.ERR_BAD_REQUEST, "سرآیند Upload-Checksum خوانا نیست.", _tus()) from None
    if len(digest) != _CHECKSUMS[algo][1]:
        raise ApiError(400, protocol.ERR_BAD_REQUEST, "سرآیند Upload-Checksum خوانا نیست.", _tus())
    return algo, digest


def checksum_matches(check: tuple[str, bytes], data: bytes) -> bool:
    return _CHECKSUMS[check[0]][0](data).digest() == check[1]


def _tus(**extra: str) -> dict[str, str]:
    return {"Tus-Resumable": TUS_VERSION, **extra}


def _int_header(request: Request, name: str) -> int:
    value = request.headers.get(name)
    if value is None or not value.strip().isdigit() or len(value.strip()) > 18:
        raise ApiError(400, protocol.ERR_BAD_REQUEST, f"سرآیند {name} باید عددی نامنفی باشد.", _tus())
    return int(value)


# ---------------------------------------------------------------------------------- the work


class Uploads:
    """The upload and link logic, apart from HTTP (the routes below and the admin command)."""

    def __init__(self, db: ServerDB, cfg: UploadConfig, store: FileStore | None = None):
        self.db = db
        self.cfg = cfg
        self.store: FileStore = store or FolderStore(cfg.files_dir)

    def _row(self, s, office: str, upload_id: str) -> Upload:
        if not (upload_id.isascii() and upload_id.isalnum() and len(upload_id) <= 32):
            raise _not_found()
        row = s.get(Upload, (office, upload_id))
        if row is None:
            raise _not_found()
        return row

    def offset_of(self, row: Upload) -> int:
        if row.state == "complete":
            return row.length
        try:
            return min(row.length, self.store.partial_path(row.office, row.upload_id).stat().st_size)
        except FileNotFoundError:
            return 0

    def create(self, caller: Caller, length: int, metadata_header: str | None) -> tuple[Upload, int]:
        if length <= 0:
            raise ApiError(400, ERR_NOT_A_PAGE, "پرونده‌ی خالی صفحه‌ی سند نیست.", _tus())
        if length > self.cfg.max_page_bytes:
            raise ApiError(
                413,
                protocol.ERR_TOO_LARGE,
                f"هر صفحه حداکثر {self.cfg.max_page_bytes // 1024} کیلوبایت می‌تواند باشد.",
                _tus(**{"Tus-Max-Size": str(self.cfg.max_page_bytes)}),
            )
        meta = parse_metadata(metadata_header)
        sha = (meta.get("sha256") or "").strip().lower()
        if not is_sha256(sha):
            raise ApiError(
                400, protocol.ERR_BAD_REQUEST, "Upload-Metadata باید sha256 صفحه را (۶۴ رقم هگز) داشته باشد.", _tus()
            )
        held = self.store.exists(caller.office, sha)
        row = Upload(
            office=caller.office,
            upload_id=secrets.token_hex(16),
            device=caller.device,
            sha256=sha,
            length=length,
            metadata_text=(metadata_header or "")[:4000] or None,
            state="complete" if held else "open",
        )
        with self.db.write() as s:
            s.add(row)
        return row, length if held else 0

    def head(self, office: str, upload_id: str) -> tuple[Upload, int]:
        with self.db.read() as s:
            row = self._row(s, office, upload_id)
        if row.state == "refused":
            raise ApiError(410, row.detail or ERR_HASH, "این بارگذاری پذیرفته نشد؛ صفحه را از نو بفرستید.", _tus())
        return row, self.offset_of(row)

    def append(
        self, office: str, upload_id: str, offset: int, data: bytes, checksum: tuple[str, bytes] | None
    ) -> tuple[int, str | None]:
        """Append a chunk at `offset` (409 when it is not the upload's offset), fsync, and finish the
        upload when its last byte came. Returns the new offset, and what became of the link the
        upload's metadata asked for (`request_id`): `created`, `duplicate`, an error code, or None."""
        with self.db.read() as s:
            row = self._row(s, office, upload_id)
        if row.state == "refused":
            raise ApiError(410, row.detail or ERR_HASH, "این بارگذاری پذیرفته نشد؛ صفحه را از نو بفرستید.", _tus())
        if row.state == "complete":
            if offset == row.length and not data:
                return row.length, None
            raise _offset_error(row.length)
        if checksum is not None and not checksum_matches(checksum, data):
            raise ApiError(460, ERR_CHECKSUM, "چکیده‌ی این تکه با بایت‌هایش نمی‌خواند؛ تکه را دوباره بفرستید.", _tus())
        if offset + len(data) > row.length:
            raise ApiError(400, protocol.ERR_BAD_REQUEST, "بایت‌ها از اندازه‌ی اعلام‌شده‌ی صفحه بیشترند.", _tus())
        with self.store.locked_partial(office, upload_id) as f:
            f.seek(0, os.SEEK_END)
            size = f.tell()
            if size != offset:
                raise _offset_error(size)
            if offset == 0 and data[:16] and len(data) >= 8 and sniff(data[:16]) is None:
                self._refuse(row, ERR_NOT_A_PAGE)
                raise _not_a_page()
            if data:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            new = offset + len(data)
            linked = self._finish(row, f) if new == row.length else None
        return new, linked

    def _finish(self, row: Upload, f) -> str | None:
        """The last byte came: hash, check the format's end, move the file into the store; then the
        link the metadata asks for (saves the client a round trip per page on a 400 ms link)."""
        f.seek(0)
        actual = file_sha256(f)
        path = self.store.partial_path(row.office, row.upload_id)
        if actual != row.sha256:
            self._refuse(row, ERR_HASH)
            raise ApiError(
                460, ERR_HASH, "بایت‌های رسیده با چکیده‌ی SHA-256 اعلام‌شده نمی‌خوانند؛ صفحه پذیرفته نشد.", _tus()
            )
        kind, error = _check_page_file(path, row.length)
        if error:
            self._refuse(row, error)
            raise _not_a_page() if error == ERR_NOT_A_PAGE else _truncated()
        self.store.put_file(row.office, row.sha256, path)
        with self.db.write() as s:
            r = s.get_one(Upload, (row.office, row.upload_id))
            r.state = "complete"
            r.updated_at = utcnow()
        log.info("upload complete office=%s upload=%s bytes=%d %s", row.office, row.upload_id, row.length, kind)
        meta = parse_metadata(row.metadata_text)
        request_id = meta.get("request_id")
        if not request_id or len(request_id) > 36:
            return None
        try:
            _, created = self.link(
                Caller(row.office, row.device), request_id, row.sha256, clean_document(meta.get("document"))
            )
        except ApiError as exc:
            return exc.error
        return "created" if created else "duplicate"

    def _refuse(self, row: Upload, code: str) -> None:
        self.store.discard_partial(row.office, row.upload_id)
        with self.db.write() as s:
            r = s.get_one(Upload, (row.office, row.upload_id))
            r.state, r.detail, r.updated_at = "refused", code, utcnow()
        log.info("upload refused office=%s upload=%s: %s", row.office, row.upload_id, code)

    def terminate(self, office: str, upload_id: str) -> None:
        with self.db.write() as s:
            row = self._row(s, office, upload_id)
            s.delete(row)
        self.store.discard_partial(office, upload_id)  # a complete page stays: it may be linked

    def lookup(self, office: str, shas: list[str]) -> dict[str, Any]:
        """Which of these pages the office holds, and its open uploads of the others (to resume)."""
        held = [sha for sha in shas if self.store.exists(office, sha)]
        rest = [sha for sha in shas if sha not in set(held)]
        uploads = []
        if rest:
            with self.db.read() as s:
                rows = s.scalars(
                    select(Upload)
                    .where(Upload.office == office, Upload.sha256.in_(rest), Upload.state == "open")
                    .order_by(Upload.created_at)
                ).all()
            best: dict[str, tuple[int, Upload]] = {}
            for r in rows:
                off = self.offset_of(r)
                if r.sha256 not in best or off > best[r.sha256][0]:
                    best[r.sha256] = (off, r)
            uploads = [
                {"sha256": sha, "location": _location(r), "offset": off, "length": r.length}
                for sha, (off, r) in best.items()
            ]
        return {"held": held, "uploads": uploads}

    def link(self, caller: Caller, request_id: str, sha: str, document: str | None) -> tuple[dict, bool]:
        """Link a held page to a request of the office, after hashing the stored bytes again."""
        office = caller.office
        with self.db.read() as s:
            req = s.get(ServerRequest, (office, request_id))
            if req is None:
                raise ApiError(404, protocol.ERR_NOT_FOUND, "این درخواست در سرور استان نیست.")
            existing = s.get(Attachment, (office, request_id, sha))
            if existing is not None:
                return _view(existing), False
            if req.status == "cancelled":
                raise ApiError(409, ERR_CANCELLED, "این درخواست لغو شده است؛ صفحه‌ای به آن پیوست نمی‌شود.")
            refused = s.scalar(
                select(func.count())
                .select_from(Upload)
                .where(Upload.office == office, Upload.sha256 == sha, Upload.detail == ERR_HASH)
            )
            pages, size = s.execute(
                select(func.count(), func.coalesce(func.sum(Attachment.bytes), 0)).where(
                    Attachment.office == office, Attachment.request_id == request_id
                )
            ).one()
        if not self.store.exists(office, sha):
            if refused:
                raise _hash_refused()
            raise ApiError(409, ERR_NOT_UPLOADED, "بایت‌های این صفحه هنوز به سرور استان نرسیده است.")
        with self.store.open_read(office, sha) as f:
            actual = file_sha256(f)
            size_now = f.tell()
            f.seek(0)
            head = f.read(16)
            f.seek(max(0, size_now - 1024))
            tail = f.read()
        if actual != sha:
            log.error("stored page of office %s does not hash to its name; removed", office)
            self.store.remove(office, sha)
            raise _hash_refused()
        if pages + 1 > self.cfg.max_request_pages or int(size) + size_now > self.cfg.max_request_bytes:
            raise ApiError(
                413,
                ERR_LIMIT,
                f"هر درخواست حداکثر {self.cfg.max_request_pages} صفحه و "
                f"{self.cfg.max_request_bytes // 2**20} مگابایت پیوست می‌تواند داشته باشد.",
            )
        kind = sniff(head)
        if kind is None or not complete_page(kind, head, tail, size_now):
            raise _not_a_page()
        row = Attachment(
            office=office,
            request_id=request_id,
            sha256=sha,
            document=document,
            bytes=size_now,
            content_type=kind,
        )
        try:
            with self.db.write() as s:
                s.add(row)
        except IntegrityError:  # a racing retry linked it first
            with self.db.read() as s:
                existing = s.get(Attachment, (office, request_id, sha))
            if existing is None:
                raise
            return _view(existing), False
        log.info("attachment linked office=%s request=%s bytes=%d", office, request_id, size_now)
        return _view(row), True


def clean_document(document: str | None) -> str | None:
    return (normalize_text(document)[:MAX_DOCUMENT] or None) if document else None


def _view(a: Attachment) -> dict:
    return {
        "request_id": a.request_id,
        "sha256": a.sha256,
        "bytes": a.bytes,
        "document": a.document,
        "content_type": a.content_type,
    }


def _location(row: Upload) -> str:
    return f"{protocol.API_PREFIX}/offices/{row.office}/uploads/{row.upload_id}"


def _not_found() -> ApiError:
    return ApiError(404, protocol.ERR_NOT_FOUND, "چنین بارگذاری‌ای نیست.", _tus())


def _offset_error(actual: int) -> ApiError:
    return ApiError(
        409,
        ERR_OFFSET,
        f"جای این تکه درست نیست؛ بارگذاری از بایت {actual} ادامه می‌یابد.",
        _tus(**{"Upload-Offset": str(actual)}),
    )


def _not_a_page() -> ApiError:
    return ApiError(415, ERR_NOT_A_PAGE, "فقط تصویر JPEG، PNG، TIFF یا PDF پذیرفته است.", _tus())


def _truncated() -> ApiError:
    return ApiError(422, ERR_TRUNCATED, "پرونده ناقص است (پایان آن نرسیده یا بریده شده است).", _tus())


def _hash_refused() -> ApiError:
    return ApiError(422, ERR_HASH, "بایت‌های این صفحه با چکیده‌ی SHA-256 اعلام‌شده نمی‌خوانند؛ پیوند انجام نشد.")


def list_attachments(db: ServerDB, receipt_no: str) -> list[dict]:
    """`provincial-server attachment list --receipt R --json`: the pages linked to a request."""
    with db.read() as s:
        req = s.scalars(select(ServerRequest).where(ServerRequest.receipt_no == receipt_no)).first()
        if req is None:
            return []
        rows = s.scalars(
            select(Attachment)
            .where(Attachment.office == req.office, Attachment.request_id == req.request_id)
            .order_by(Attachment.linked_at, Attachment.sha256)
        ).all()
        return [
            {"sha256": a.sha256, "bytes": a.bytes, "document": a.document, "content_type": a.content_type} for a in rows
        ]


# ---------------------------------------------------------------------------------- routes


async def _read_body(request: Request, limit: int, keep_partial: bool) -> tuple[bytes, bool]:
    """The body up to `limit` bytes (413 beyond); (bytes so far, True) when the client went away
    mid-body and `keep_partial`."""
    length = request.headers.get("content-length")
    if length and length.isdigit() and int(length) > limit:
        raise ApiError(413, protocol.ERR_TOO_LARGE, f"هر تکه حداکثر {limit} بایت می‌تواند باشد.", _tus())
    buf = bytearray()
    try:
        async for chunk in request.stream():
            buf += chunk
            if len(buf) > limit:
                raise ApiError(413, protocol.ERR_TOO_LARGE, f"هر تکه حداکثر {limit} بایت می‌تواند باشد.", _tus())
    except ClientDisconnect:
        if keep_partial:
            return bytes(buf), True
        raise ApiError(400, protocol.ERR_BAD_REQUEST, "اتصال پیش از رسیدن کامل تکه بسته شد.", _tus()) from None
    return bytes(buf), False


def _check_tus(request: Request) -> None:
    if request.headers.get("tus-resumable") != TUS_VERSION:
        raise ApiError(
            412, protocol.ERR_BAD_REQUEST, "سرآیند Tus-Resumable: 1.0.0 لازم است.", _tus(**{"Tus-Version": TUS_VERSION})
        )


def register(app: FastAPI, db: ServerDB, cfg: UploadConfig, caller_of: Callable[[Request], Awaitable[Caller]]) -> None:
    """Add the upload, lookup and link routes to the app."""
    up = Uploads(db, cfg)
    app.state.uploads = up
    base = f"{protocol.API_PREFIX}/offices/{{office}}/uploads"

    def options_headers() -> dict[str, str]:
        return _tus(
            **{
                "Tus-Version": TUS_VERSION,
                "Tus-Extension": TUS_EXTENSIONS,
                "Tus-Max-Size": str(cfg.max_page_bytes),
                "Tus-Checksum-Algorithm": "sha256,sha1",
            }
        )

    @app.options(base, include_in_schema=False)
    @app.options(base + "/{upload_id}", include_in_schema=False)
    async def tus_options(office: str, upload_id: str | None = None):
        return Response(status_code=204, headers=options_headers())

    async def _patch_body(
        request: Request, up_offset: int, upload: Upload | None = None
    ) -> tuple[bytes, tuple[str, bytes] | None]:
        checksum = parse_checksum(request.headers.get("upload-checksum"))
        data, cut = await _read_body(request, cfg.max_chunk_bytes, keep_partial=checksum is None)
        if cut:
            log.info("upload chunk cut after %d bytes; kept", len(data))
        return data, checksum

    @app.post(base, status_code=201, responses={413: {"model": protocol.ErrorBody}})
    async def tus_create(office: str, request: Request):
        caller = await caller_of(request)
        _check_tus(request)
        if request.headers.get("upload-defer-length"):
            raise ApiError(400, protocol.ERR_BAD_REQUEST, "طول بارگذاری باید از پیش گفته شود.", _tus())
        length = _int_header(request, "Upload-Length")
        row, offset = await run_in_threadpool(up.create, caller, length, request.headers.get("upload-metadata"))
        headers = _tus(Location=_location(row), **{"Upload-Offset": str(offset)})
        ctype = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
        if ctype == OFFSET_TYPE and offset == 0:
            data, checksum = await _patch_body(request, 0)
            if data:
                try:
                    offset, linked = await run_in_threadpool(up.append, caller.office, row.upload_id, 0, data, checksum)
                    if linked:
                        headers["Upload-Link"] = linked
                except ApiError as exc:
                    if exc.status not in (409, 460):
                        raise
                    offset = 0  # the upload exists; the client resumes from HEAD
                headers["Upload-Offset"] = str(offset)
        return Response(status_code=201, headers=headers)

    @app.head(base + "/{upload_id}")
    async def tus_head(office: str, upload_id: str, request: Request):
        caller = await caller_of(request)
        row, offset = await run_in_threadpool(up.head, caller.office, upload_id)
        return Response(
            status_code=200,
            headers=_tus(
                **{
                    "Upload-Offset": str(offset),
                    "Upload-Length": str(row.length),
                    "Cache-Control": "no-store",
                    **({"Upload-Metadata": row.metadata_text} if row.metadata_text else {}),
                }
            ),
        )

    @app.patch(base + "/{upload_id}", status_code=204)
    async def tus_patch(office: str, upload_id: str, request: Request):
        caller = await caller_of(request)
        _check_tus(request)
        ctype = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
        if ctype != OFFSET_TYPE:
            raise ApiError(415, protocol.ERR_BAD_REQUEST, f"Content-Type باید {OFFSET_TYPE} باشد.", _tus())
        offset = _int_header(request, "Upload-Offset")
        row, current = await run_in_threadpool(up.head, caller.office, upload_id)
        if offset != current:
            raise _offset_error(current)
        data, checksum = await _patch_body(request, offset)
        new, linked = await run_in_threadpool(up.append, caller.office, upload_id, offset, data, checksum)
        headers = _tus(**{"Upload-Offset": str(new)})
        if linked:
            headers["Upload-Link"] = linked
        return Response(status_code=204, headers=headers)

    @app.delete(base + "/{upload_id}", status_code=204)
    async def tus_delete(office: str, upload_id: str, request: Request):
        caller = await caller_of(request)
        _check_tus(request)
        await run_in_threadpool(up.terminate, caller.office, upload_id)
        return Response(status_code=204, headers=_tus())

    @app.post(f"{protocol.API_PREFIX}/offices/{{office}}/attachments/lookup")
    async def attachments_lookup(office: str, request: Request):
        caller = await caller_of(request)
        data = await _small_json(request)
        shas = data.get("sha256") if isinstance(data, dict) else None
        if not isinstance(shas, list) or len(shas) > MAX_LOOKUP or not all(is_sha256(x) for x in shas):
            raise ApiError(
                400, protocol.ERR_BAD_REQUEST, f'بدنه باید {{"sha256": [...]}} با حداکثر {MAX_LOOKUP} چکیده باشد.'
            )
        answer = await run_in_threadpool(up.lookup, caller.office, list(dict.fromkeys(shas)))
        return JSONResponse(answer)

    @app.post(f"{protocol.API_PREFIX}/offices/{{office}}/requests/{{request_id}}/attachments", status_code=201)
    async def attachments_link(office: str, request_id: str, request: Request):
        caller = await caller_of(request)
        data = await _small_json(request)
        sha = data.get("sha256") if isinstance(data, dict) else None
        document = data.get("document") if isinstance(data, dict) else None
        if not is_sha256(sha) or not (document is None or isinstance(document, str)):
            raise ApiError(400, protocol.ERR_BAD_REQUEST, 'بدنه باید {"sha256": ..., "document": ...} باشد.')
        document = clean_document(document)
        if len(request_id) > 36:
            raise ApiError(404, protocol.ERR_NOT_FOUND, "این درخواست در سرور استان نیست.")
        view, created = await run_in_threadpool(up.link, caller, request_id, str(sha), document)
        return JSONResponse(
            {**view, "result": "created" if created else "duplicate"}, status_code=201 if created else 200
        )


async def _small_json(request: Request, limit: int = 64 * 1024) -> Any:
    data, _ = await _read_body(request, limit, keep_partial=False)
    try:
        return json.loads(data)
    except (ValueError, RecursionError):
        raise ApiError(400, protocol.ERR_BAD_REQUEST, "بدنه JSON معتبر (UTF-8) نیست.") from None
