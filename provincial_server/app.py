"""The provincial server's HTTP API (sync protocol v1, DESIGN.md section 4).

Stateless between calls: everything a second worker needs (tokens, rate buckets, feed
counters, epoch) is in the database.
"""

from __future__ import annotations

import json
import logging
import os
import re
import zlib
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import date

from fastapi import FastAPI, Request
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse, Response
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect

from desk_app.domain.jalali import format_utc
from desk_app.sync import protocol
from provincial_server import catalogs, console, province, sms, texts, uploads
from provincial_server.auth import ApiError, RateLimit, authenticate
from provincial_server.db import Device, Office, ServerDB, ServerRequest, feed_epoch, utcnow
from provincial_server.demo import DemoAdvancer
from provincial_server.feed import ResyncRequired, changes_page
from provincial_server.ingest import Caller, apply_batch

log = logging.getLogger("provincial_server")
P = protocol.API_PREFIX


@dataclass
class ServerConfig:
    db_url: str
    max_batch_items: int = protocol.DEFAULT_MAX_BATCH_ITEMS
    max_batch_bytes: int = protocol.DEFAULT_MAX_BATCH_BYTES
    max_body_bytes: int = 0  # on the wire; 0 -> 2 x max_batch_bytes
    max_decompressed_bytes: int = 0  # after gunzip; 0 -> 4 x max_batch_bytes
    rate_limit: RateLimit = field(default_factory=lambda: RateLimit(20, 60))
    demo_advance_s: float | None = None
    init_db: bool = True
    sms_gateway: str | None = None  # `serve --sms-gateway URL`: the citizen SMS sender runs in this process
    uploads: uploads.UploadConfig | None = None  # attachments (section 11); None: beside the database

    def __post_init__(self):
        self.max_body_bytes = self.max_body_bytes or 2 * self.max_batch_bytes
        self.max_decompressed_bytes = self.max_decompressed_bytes or 4 * self.max_batch_bytes
        if self.uploads is None:
            self.uploads = uploads.UploadConfig.from_env(self.db_url)

    @classmethod
    def from_env(cls) -> ServerConfig:
        """For uvicorn workers: `serve` passes its options through the environment."""
        env = os.environ
        demo = env.get("PROVINCIAL_DEMO_ADVANCE")
        return cls(
            db_url=env.get("PROVINCIAL_DB", "sqlite:///provincial.db"),
            max_batch_items=int(env.get("PROVINCIAL_MAX_BATCH_ITEMS", protocol.DEFAULT_MAX_BATCH_ITEMS)),
            max_batch_bytes=int(env.get("PROVINCIAL_MAX_BATCH_BYTES", protocol.DEFAULT_MAX_BATCH_BYTES)),
            max_body_bytes=int(env.get("PROVINCIAL_MAX_BODY_BYTES", 0)),
            max_decompressed_bytes=int(env.get("PROVINCIAL_MAX_DECOMPRESSED_BYTES", 0)),
            rate_limit=RateLimit.parse(env.get("PROVINCIAL_RATE_LIMIT", "20,60")),
            demo_advance_s=float(demo) if demo else None,
            init_db=env.get("PROVINCIAL_INIT_DB", "1") == "1",
            sms_gateway=env.get("PROVINCIAL_SMS_GATEWAY") or None,
        )


def app_from_env() -> FastAPI:
    return create_app(config=ServerConfig.from_env())


def create_app(db_url: str | None = None, *, config: ServerConfig | None = None) -> FastAPI:
    cfg = config or ServerConfig(db_url=db_url or "sqlite:///provincial.db")
    db = ServerDB(cfg.db_url)
    if cfg.init_db:
        db.init()

    @asynccontextmanager
    async def lifespan(_app):
        advancer = DemoAdvancer(db, cfg.demo_advance_s) if cfg.demo_advance_s else None
        if advancer:
            advancer.start()
        sender = sms.SmsSender.from_env(db, cfg.sms_gateway) if cfg.sms_gateway else None
        if sender:
            sender.start()
        try:
            yield
        finally:
            if sender:
                sender.stop()
            if advancer:
                advancer.stop()
            db.dispose()

    app = FastAPI(title="Pishkhan provincial server", version=str(protocol.PROTOCOL_VERSION), lifespan=lifespan)
    app.state.db = db
    app.state.config = cfg
    # Batch results, feed pages and the catalog go back gzip-compressed to clients that accept it
    # (the desk's transport does): most of the bytes on a 2G link are answers, not uploads.
    app.add_middleware(GZipMiddleware, minimum_size=512, compresslevel=6)

    @app.exception_handler(ApiError)
    async def _api_error(_request, exc: ApiError):
        return JSONResponse(
            protocol.ErrorBody(error=exc.error, detail=exc.detail).model_dump(),
            status_code=exc.status,
            headers=exc.headers,
        )

    async def caller_of(request: Request) -> Caller:
        return await run_in_threadpool(
            authenticate,
            db,
            cfg.rate_limit,
            authorization=request.headers.get("authorization"),
            proto=request.headers.get(protocol.HEADER_PROTOCOL),
            path_office=request.path_params.get("office"),
        )

    errors = {
        400: {"model": protocol.ErrorBody},
        401: {"model": protocol.ErrorBody},
        403: {"model": protocol.ErrorBody},
        426: {"model": protocol.ErrorBody},
        429: {"model": protocol.ErrorBody},
    }

    desk_status_doc = {
        "parameters": [
            {
                "name": protocol.HEADER_DESK_STATUS,
                "in": "header",
                "required": False,
                "description": "The desk's report of itself (DESIGN.md section 12): compact ASCII JSON with the "
                f"fields {', '.join(protocol.DESK_STATUS_FIELDS)}; a bad field is ignored, never an error.",
                "schema": {"type": "string", "maxLength": protocol.MAX_DESK_STATUS_BYTES},
            }
        ]
    }

    @app.get(f"{P}/hello", response_model=protocol.Hello, responses=errors, openapi_extra=desk_status_doc)
    async def hello(request: Request):
        caller = await caller_of(request)

        def work():
            with db.read() as s:
                dev = s.get(Device, (caller.office, caller.device))
                office = s.get(Office, caller.office)
                cat = catalogs.current(s)
                return protocol.Hello(
                    server_time=format_utc(utcnow()),
                    protocol=protocol.ProtocolRange(min=protocol.PROTOCOL_MIN, latest=protocol.PROTOCOL_VERSION),
                    office=caller.office,
                    office_name=texts.clean(office.name) if office else None,
                    device=caller.device,
                    last_receipt_no=dev.last_receipt_no if dev else None,
                    catalog_etag=catalogs.etag_of(cat),
                    catalog_version=cat.version if cat else None,
                    feed_epoch=feed_epoch(s),
                    max_batch_items=cfg.max_batch_items,
                    max_batch_bytes=cfg.max_batch_bytes,
                )

        answer = await run_in_threadpool(work)
        report = province.parse_desk_status(request.headers.get(protocol.HEADER_DESK_STATUS))
        if report is not None:
            await run_in_threadpool(_record_heartbeat, db, caller, report)
        return JSONResponse(answer.model_dump(mode="json"))

    @app.get(
        f"{P}/catalog", responses={**errors, 304: {"description": "not modified"}, 404: {"model": protocol.ErrorBody}}
    )
    async def catalog(request: Request):
        await caller_of(request)

        def work():
            with db.read() as s:
                row = catalogs.current(s)
                return None if row is None else (catalogs.etag_of(row), row.content_json)

        got = await run_in_threadpool(work)
        if got is None:
            raise ApiError(404, protocol.ERR_NOT_FOUND, "هنوز فهرست خدماتی در استان بارگذاری نشده است.")
        etag, body = got
        headers = {protocol.HEADER_ETAG: etag, "Cache-Control": "no-cache"}
        if _etag_matches(request.headers.get(protocol.HEADER_IF_NONE_MATCH), etag):
            return Response(status_code=304, headers=headers)
        return Response(body.encode("utf-8"), media_type="application/json", headers=headers)

    @app.post(
        f"{P}/offices/{{office}}/requests/batch",
        response_model=protocol.BatchResponse,
        responses={**errors, 413: {"model": protocol.ErrorBody}},
        openapi_extra=_body_doc("BatchRequest"),
    )
    async def batch(office: str, request: Request):
        caller = await caller_of(request)
        data = await _read_json(request, cfg)
        items = data.get("items") if isinstance(data, dict) else None
        if not isinstance(items, list):
            raise ApiError(400, protocol.ERR_BAD_REQUEST, 'بدنه باید {"items": [...]} باشد.')
        if len(items) > cfg.max_batch_items:
            raise ApiError(
                413, protocol.ERR_TOO_LARGE, f"هر بسته حداکثر {cfg.max_batch_items} عملیات می‌تواند داشته باشد."
            )

        def work():
            with db.write() as s:
                return apply_batch(s, caller, items)

        results = await run_in_threadpool(work)
        counts = {}
        for r in results:
            counts[r.result.value] = counts.get(r.result.value, 0) + 1
        log.info("batch office=%s device=%s items=%d %s", caller.office, caller.device, len(items), counts)
        return JSONResponse(protocol.BatchResponse(results=results).model_dump(mode="json"))

    @app.get(
        f"{P}/offices/{{office}}/changes",
        response_model=protocol.ChangesPage,
        responses={**errors, 409: {"model": protocol.ErrorBody}},
    )
    async def changes(office: str, request: Request, cursor: str | None = None, limit: int = 200):
        caller = await caller_of(request)
        if not 1 <= limit <= protocol.MAX_CHANGES_LIMIT:
            raise ApiError(400, protocol.ERR_BAD_REQUEST, f"limit باید بین ۱ و {protocol.MAX_CHANGES_LIMIT} باشد.")
        if cursor and not protocol.CURSOR_RE.match(cursor):
            raise ApiError(400, protocol.ERR_BAD_REQUEST, "نشانگر (cursor) باید به شکل E:N باشد.")

        def work():
            with db.read() as s:
                return changes_page(s, caller.office, caller.device, feed_epoch(s), cursor, limit)

        try:
            page = await run_in_threadpool(work)
        except ResyncRequired:
            raise ApiError(
                409,
                protocol.ERR_RESYNC_REQUIRED,
                "سرور استان بازیابی یا دوره آن عوض شده است؛ همگام‌سازی از نو انجام می‌شود.",
            ) from None
        return JSONResponse(page.model_dump(mode="json"))

    @app.post(
        f"{P}/offices/{{office}}/requests/lookup",
        response_model=protocol.LookupResponse,
        responses={**errors, 413: {"model": protocol.ErrorBody}},
        openapi_extra=_body_doc("LookupRequest"),
    )
    async def lookup(office: str, request: Request):
        caller = await caller_of(request)
        data = await _read_json(request, cfg)
        try:
            body = protocol.LookupRequest.model_validate(data)
        except ValueError:
            raise ApiError(
                400,
                protocol.ERR_BAD_REQUEST,
                f'بدنه باید {{"request_ids": [...]}} با حداکثر {protocol.MAX_LOOKUP_IDS} شناسه باشد.',
            ) from None

        def work():
            with db.read() as s:
                rows = (
                    s.scalars(
                        select(ServerRequest).where(
                            ServerRequest.office == caller.office, ServerRequest.request_id.in_(body.request_ids)
                        )
                    ).all()
                    if body.request_ids
                    else []
                )
                return [
                    protocol.KnownRequest(
                        request_id=r.request_id,
                        payload_sha256=r.payload_sha256,
                        server_ref=r.server_ref,
                        status=r.status,
                        receipt_no=r.receipt_no,
                    )
                    for r in rows
                ]

        known = await run_in_threadpool(work)
        return JSONResponse(protocol.LookupResponse(known=known).model_dump(mode="json"))

    @app.get(f"{P}/offices/{{office}}/reports/daily", response_model=protocol.DailyTotals, responses=errors)
    async def daily(office: str, request: Request, date: str):  # noqa: A002 - protocol name
        caller = await caller_of(request)
        day = _parse_day(date)
        totals = await run_in_threadpool(_daily_totals, db, caller.office, day)
        return JSONResponse(totals.model_dump(mode="json"))

    uploads.register(app, db, cfg.uploads, caller_of)

    def openapi():
        if app.openapi_schema is None:
            doc = get_openapi(title=app.title, version=app.version, routes=app.routes)
            comps = doc.setdefault("components", {}).setdefault("schemas", {})
            for model in (protocol.BatchRequest, protocol.LookupRequest):
                schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
                comps.update(schema.pop("$defs", {}))
                comps[model.__name__] = schema
            app.openapi_schema = doc
        return app.openapi_schema

    app.openapi = openapi
    console.register(app, db, cfg.db_url)  # the staff's web pages under /console/ (DESIGN.md section 12)
    return app


def _record_heartbeat(db: ServerDB, caller: Caller, report: dict) -> None:
    """The desk's report of itself; its hello is answered whatever becomes of this."""
    try:
        with db.write() as s:
            province.record_heartbeat(s, caller.office, caller.device, report)
    except SQLAlchemyError as exc:
        log.warning("heartbeat of office=%s device=%s not stored: %s", caller.office, caller.device, type(exc).__name__)


def _body_doc(model_name: str) -> dict:
    return {
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{model_name}"}}},
        }
    }


def _etag_matches(header: str | None, etag: str) -> bool:
    if not header:
        return False
    if header.strip() == "*":
        return True
    return etag in [t.strip() for t in header.split(",")]


_DAY_RE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")


def _parse_day(text: str) -> date:
    try:
        if not _DAY_RE.match(text):
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        raise ApiError(400, protocol.ERR_BAD_REQUEST, "تاریخ باید به شکل YYYY-MM-DD (میلادی) باشد.") from None


async def _read_json(request: Request, cfg: ServerConfig):
    """The body, bounded on the wire and after gunzip, parsed as JSON (400 when it is not)."""
    too_big = ApiError(413, protocol.ERR_TOO_LARGE, "حجم بسته بیش از حد مجاز است؛ بسته را کوچک‌تر کنید.")
    length = request.headers.get("content-length")
    if length and length.isdigit() and int(length) > cfg.max_body_bytes:
        raise too_big
    buf = bytearray()
    try:
        async for chunk in request.stream():
            buf += chunk
            if len(buf) > cfg.max_body_bytes:
                raise too_big
    except ClientDisconnect:  # gone mid-body (or closed by the body timeout): nobody reads the answer
        raise ApiError(400, protocol.ERR_BAD_REQUEST, "اتصال پیش از رسیدن کامل بدنه بسته شد.") from None
    encoding = (request.headers.get("content-encoding") or "identity").strip().lower()
    if encoding == "gzip":
        raw = _gunzip(bytes(buf), cfg.max_decompressed_bytes, too_big)
    elif encoding == "identity":
        raw = bytes(buf)
        if len(raw) > cfg.max_decompressed_bytes:
            raise too_big
    else:
        raise ApiError(415, protocol.ERR_BAD_REQUEST, "فقط بدنه‌ی gzip یا بدون فشرده‌سازی پذیرفته است.")
    try:
        return json.loads(raw)
    except (ValueError, RecursionError):
        raise ApiError(400, protocol.ERR_BAD_REQUEST, "بدنه JSON معتبر (UTF-8) نیست.") from None


def _gunzip(data: bytes, limit: int, too_big: ApiError) -> bytes:
    """Never inflates more than `limit` + 1 bytes, however small the compressed bomb."""
    d = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        out = d.decompress(data, limit + 1)
        if len(out) > limit or d.unconsumed_tail:
            raise too_big
        out += d.flush()
    except zlib.error:
        raise ApiError(400, protocol.ERR_BAD_REQUEST, "بدنه gzip خراب است.") from None
    if len(out) > limit:
        raise too_big
    if not d.eof:
        raise ApiError(400, protocol.ERR_BAD_REQUEST, "بدنه gzip ناقص است.")
    return out


def _daily_totals(db: ServerDB, office: str, day: date) -> protocol.DailyTotals:
    iso = day.isoformat()
    R = ServerRequest
    where = (R.office == office, R.tehran_day == iso)
    with db.read() as s:
        n, gross, refunds = s.execute(
            select(func.count(), func.coalesce(func.sum(R.total), 0), func.coalesce(func.sum(R.refund), 0)).where(
                *where
            )
        ).one()
        by_status = dict(s.execute(select(R.status, func.count()).where(*where).group_by(R.status)).all())

        def grouped(col):
            rows = s.execute(
                select(col, func.count(), func.coalesce(func.sum(R.total), 0)).where(*where).group_by(col).order_by(col)
            ).all()
            return [protocol.GroupTotal(key=str(k), count=c, total=int(t)) for k, c, t in rows]

        return protocol.DailyTotals(
            office=office,
            date=iso,
            requests=n,
            gross=int(gross),
            cancelled=by_status.get("cancelled", 0),
            refunds=int(refunds),
            net=int(gross) - int(refunds),
            by_service=grouped(R.service_code),
            by_device=grouped(R.device),
            by_status=by_status,
        )
