"""The client sync engine: hello -> push the outbox -> pull the change feed -> catalog.

DESIGN.md section 4 is the contract. What makes it safe:
- an operation is marked `sending` in its own committed transaction *before* the call, and is
  sent again after any failure or crash (the server's op_id key makes a repeat harmless);
- the batch body is spliced from the frozen payload bytes of the outbox, never re-serialised;
- the results of a batch are applied in one transaction; the feed cursor is stored in the
  transaction that applies its page, so a crash anywhere only repeats work;
- `invalid`/`conflict` answers park the operation in `attention`; the queue goes on;
- a 409 resync (or an epoch change seen in hello) looks up what the server still holds,
  re-uploads what it lost with the `server_ref` already printed, and replays the feed from 0;
- every text the server sends is normalised (`normalize_text`: bidi controls and other invisible
  characters out) and every code is validated before it is stored: a note with U+202E must not
  reach the requests page as sent, a `server_ref` that is not ten digits is not printed.
The engine takes its transport as an argument (a fake in unit tests, HTTP in real use) and never
logs a token or a national code: only counts and ids of operations.
"""

from __future__ import annotations

import json
import logging
import random
import re
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from desk_app import __version__
from desk_app.domain.canonical import canonical_json, payload_sha256
from desk_app.domain.errors import InvalidInput
from desk_app.domain.jalali import format_utc, parse_utc, utc_now
from desk_app.domain.receipt import normalize_receipt_no
from desk_app.domain.status import FINAL_STATUSES, OutboxState, Status, can_transition
from desk_app.domain.text import clean_code, normalize_text
from desk_app.store.engine import Database
from desk_app.store.models import OutboxOp, Request, RequestHistory, SyncState
from desk_app.sync import protocol as P
from desk_app.sync import uploads
from desk_app.sync.backoff import CAP_S, PERIOD_S, SKEW_WARN_S, Backoff
from desk_app.sync.catalog import store_catalog
from desk_app.sync.errors import AuthError, ProtocolError, ResyncRequired, RetryableError, SyncError, TooLarge, TooOld
from desk_app.sync.identity import KEY as DEVICE_UNCONFIRMED
from desk_app.sync.transport import Transport

log = logging.getLogger("desk_app.sync")

ACTOR = "sync"
STOPPED_PERIOD_S = CAP_S  # after 401/403/426/mismatch: try again rarely
CHANGES_LIMIT = 500
UNSENT = (OutboxState.PENDING.value, OutboxState.SENDING.value)

MSG_MISMATCH = (
    "سرور استان این دستگاه را «دفتر {s_office} / دستگاه {s_device}» می‌شناسد، اما این "
    "رایانه برای «دفتر {office} / دستگاه {device}» تنظیم شده است؛ همگام‌سازی متوقف شد. "
    "تنظیمات یا توکن دستگاه را بررسی کنید."
)
MSG_TOO_OLD = "نسخهٔ این برنامه برای سرور استان قدیمی است؛ درخواست‌ها محلی نگه داشته می‌شوند تا برنامه به‌روز شود."
MSG_SKEW = "ساعت این رایانه {minutes} دقیقه با ساعت سرور استان اختلاف دارد؛ ساعت را تنظیم کنید."
MSG_CANCEL_TOO_LATE = "درخواست لغو دیر به استان رسید؛ درخواست پیش‌تر نهایی شده بود."
MSG_BAD_ITEM = "سرور استان این مورد را نتوانست بخواند؛ نیازمند بررسی است."
MSG_TOO_LARGE_ITEM = "این مورد به‌تنهایی از سقف اندازهٔ ارسال سرور استان بزرگ‌تر است."


@dataclass
class SyncReport:
    """What `desk-app sync --json` prints; the first ten fields are DESIGN.md section 8's."""

    sent: int = 0
    acked: int = 0
    duplicate: int = 0
    invalid: int = 0
    conflict: int = 0
    pulled: int = 0
    pending: int = 0
    oldest_pending_s: int = 0
    cursor: str | None = None
    online: bool = False
    attention: int = 0
    error: str | None = None
    stopped_reason: str | None = None
    clock_skew_s: float | None = None
    warning: str | None = None
    resynced: bool = False
    reuploaded: int = 0
    catalog_version: str | None = None
    attachments_pending: int = 0  # section 11: pages of live requests not yet linked on the server
    attachment_bytes_pending: int = 0  # their bytes still to upload (each SHA-256 once)
    attachments_sent: int = 0

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def build_item(op: OutboxOp | Any, payload: bytes | None = None) -> bytes:
    """One operation as JSON bytes: the envelope fields, then the frozen payload spliced in."""
    head = json.dumps(
        {
            "op_id": op.op_id,
            "kind": op.kind,
            "request_id": op.request_id,
            "receipt_no": op.receipt_no,
            "payload_sha256": op.payload_sha256,
        },
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode("utf-8")
    body = bytes(op.payload if payload is None else payload)
    return head[:-1] + b',"payload":' + body + b"}"


def build_batch(items: Iterable[bytes]) -> bytes:
    return b'{"items":[' + b",".join(items) + b"]}"


@dataclass
class _Claimed:
    id: int
    op_id: str
    kind: str
    request_id: str
    receipt_no: str
    payload_sha256: str
    item: bytes


class SyncEngine:
    """One data folder's sync. Not thread-safe: one engine per sync run or sync thread."""

    def __init__(
        self,
        db: Database,
        transport: Transport,
        *,
        office: str,
        device: int | str,
        clock: Callable[[], datetime] = utc_now,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
        changes_limit: int = CHANGES_LIMIT,
        lookup_chunk: int = P.MAX_LOOKUP_IDS,
        period_s: float = PERIOD_S,
        skew_warn_s: float = SKEW_WARN_S,
        local_report: Callable[[], Mapping[str, Any]] | None = None,
    ) -> None:
        self.db = db
        self.transport = transport
        self.office = str(office)
        self.device = int(device)
        self.clock = clock
        self.sleep = sleep
        self.rng = rng or random.Random()
        self.changes_limit = changes_limit
        self.lookup_chunk = lookup_chunk
        self.period_s = float(period_s)  # settings `sync_interval_s` (desk_app.services.sync)
        self.skew_warn_s = float(skew_warn_s)  # settings `clock_skew_warn_s`
        # what only the services know for the report in hello: printer_state, attachment_bytes_pending
        self.local_report = local_report
        self.backoff = Backoff(rng=self.rng)
        self.last_report: SyncReport | None = None
        self._retry_after: float | None = None
        self._next_delay = 0.0

    # ------------------------------------------------------------------ read-only views
    def state(self) -> dict[str, str | None]:
        """The `sync_state` table (last success, last error, stopped reason, next attempt, ...)."""
        return self._state()

    def queue_report(self) -> SyncReport:
        """The local queue's counts (pending, attention, oldest waiting, cursor, stopped reason)
        as a report of no run: what a status bar shows between runs, with no network."""
        report = SyncReport()
        self._finish(report)
        return report

    # ------------------------------------------------------------------ sync_state helpers
    def _state(self) -> dict[str, str | None]:
        with self.db.read() as s:
            return {row.key: row.value for row in s.scalars(select(SyncState))}

    @staticmethod
    def _put(session: Session, **values: Any) -> None:
        for key, value in values.items():
            row = session.get(SyncState, key)
            text = None if value is None else str(value)
            if row is None:
                session.add(SyncState(key=key, value=text))
            else:
                row.value = text

    def _set_state(self, **values: Any) -> None:
        with self.db.write() as s:
            self._put(s, **values)

    def _now(self) -> str:
        return format_utc(self.clock())

    # ------------------------------------------------------------------ the run
    def run_once(self) -> SyncReport:
        """One full sync; never raises for network/server trouble (the report says it)."""
        report = SyncReport()
        state = self._state()
        self.backoff.failures = int(state.get("consecutive_failures") or 0)
        self._retry_after = None
        self._set_state(last_attempt_at=self._now())
        try:
            hello = self._hello(report, state)
            if report.stopped_reason is None:
                cursor = state.get("cursor")
                if cursor and self._epoch_of(cursor) != hello.feed_epoch:
                    self._resync(report, hello)
                limit = self._push(report, hello, int(state.get("batch_limit") or 0))
                self._pull(report, hello, limit)
                self._catalog(report, hello, state.get("catalog_etag"))
                self._attachments(report, hello, limit)
                report.online = True
                self.backoff.success()
                self._set_state(
                    last_success_at=self._now(),
                    last_error=None,
                    stopped_reason=None,
                    next_attempt_at=None,
                    consecutive_failures=0,
                )
        except (AuthError, TooOld) as exc:
            report.online = False
            report.error = exc.message
            report.stopped_reason = MSG_TOO_OLD if isinstance(exc, TooOld) else exc.message
            self._set_state(
                stopped_reason=report.stopped_reason,
                last_error=exc.message,
                next_attempt_at=None,
                consecutive_failures=0,
            )
            log.warning("sync stopped: %s", type(exc).__name__)
        except SyncError as exc:
            # Retryable (network, timeout, 5xx, 429, garbled) and unexpected 4xx alike: the
            # outbox stays as it is and the next attempt waits a full-jitter backoff.
            report.online = False
            report.error = exc.message
            self._retry_after = getattr(exc, "retry_after", None)
            delay = self.backoff.failure(self._retry_after)
            self._set_state(
                last_error=exc.message,
                consecutive_failures=self.backoff.failures,
                next_attempt_at=format_utc(self.clock() + timedelta(seconds=delay)),
            )
            log.info("sync failed (%s, status %s); next try in %.0f s", type(exc).__name__, exc.status, delay)
            self._next_delay = delay
        self._finish(report)
        self.last_report = report
        return report

    def next_delay(self) -> float:
        """Seconds the loop should wait before the next run, after the last `run_once`."""
        report = self.last_report
        if report is None:
            return 0.0
        if report.stopped_reason:
            return STOPPED_PERIOD_S
        if not report.online:
            return self._next_delay
        return self.period_s

    def _finish(self, report: SyncReport) -> None:
        now = self.clock()
        with self.db.read() as s:
            report.pending, oldest = s.execute(
                select(func.count(), func.min(OutboxOp.created_at)).where(OutboxOp.state.in_(UNSENT))
            ).one()
            report.attention = (
                s.scalar(
                    select(func.count()).select_from(OutboxOp).where(OutboxOp.state == OutboxState.ATTENTION.value)
                )
                or 0
            )
            row = s.get(SyncState, "cursor")
            report.cursor = row.value if row else None
            report.attachments_pending, report.attachment_bytes_pending = uploads.pending_totals(s)
            if report.stopped_reason is None:
                row = s.get(SyncState, "stopped_reason")
                report.stopped_reason = row.value if row and not report.online else None
        if oldest:
            try:
                report.oldest_pending_s = max(0, int((now - parse_utc(oldest)).total_seconds()))
            except ValueError:
                report.oldest_pending_s = 0

    # ------------------------------------------------------------------ hello
    def desk_status(self, state: dict[str, str | None]) -> dict[str, Any]:
        """What this desk reports of itself with hello (DESIGN.md section 12,
        `P.DESK_STATUS_FIELDS`): a figure it cannot read is left out, never a reason not to sync."""
        status: dict[str, Any] = {"app_version": __version__}
        try:
            with self.db.read() as s:
                pending, oldest = s.execute(
                    select(func.count(), func.min(OutboxOp.created_at)).where(OutboxOp.state.in_(UNSENT))
                ).one()
            status["pending"] = int(pending)
            status["oldest_pending_s"] = (
                max(0, int((self.clock() - parse_utc(oldest)).total_seconds())) if oldest else 0
            )
            if self.local_report is not None:
                status.update({k: v for k, v in self.local_report().items() if k in P.DESK_STATUS_FIELDS})
        except (SQLAlchemyError, ValueError) as exc:
            log.warning("desk status not read: %s", type(exc).__name__)
        error = state.get("last_error")
        status["last_error"] = error[: P.MAX_DESK_ERROR] if error else None
        return status

    def _hello(self, report: SyncReport, state: dict[str, str | None]) -> P.Hello:
        raw = self.transport.hello(self.desk_status(state))
        try:
            hello = P.Hello.model_validate(raw)
        except ValueError as exc:
            raise RetryableError("پاسخ سلام سرور استان نامعتبر بود.") from exc
        _clean_hello(hello)
        if _too_old(hello):
            raise TooOld(MSG_TOO_OLD, status=426)
        if hello.office != self.office or int(hello.device) != self.device:
            msg = MSG_MISMATCH.format(
                s_office=hello.office, s_device=hello.device, office=self.office, device=self.device
            )
            report.stopped_reason = msg
            report.error = msg
            report.online = True  # the server answered; we refuse to go on
            self._set_state(stopped_reason=msg, last_error=msg)
            log.warning("sync stopped: enrolment does not match the local office/device")
            return hello
        now = self.clock()
        try:
            offset = (parse_utc(hello.server_time) - now).total_seconds()
        except ValueError:
            offset = 0.0
        values: dict[str, Any] = {"server_time_offset_s": round(offset, 3)}
        if abs(offset) > self.skew_warn_s:
            report.clock_skew_s = round(offset, 1)
            report.warning = MSG_SKEW.format(minutes=int(abs(offset) // 60))
            log.warning("client clock is %.0f s away from the server's", offset)
        if hello.last_receipt_no:
            values["server_last_receipt_no"] = hello.last_receipt_no
        values["feed_epoch_seen"] = hello.feed_epoch
        # the server named this office and device and gave its last number: intake may number
        # again after a restore (in the transaction that stores that number)
        values[DEVICE_UNCONFIRMED] = None
        self._set_state(**values)
        return hello

    # ------------------------------------------------------------------ push
    def _claim(self, limit: int, max_bytes: int) -> list[_Claimed]:
        """Mark the next ops `sending` and commit, before anything goes on the wire."""
        now = self._now()
        claimed: list[_Claimed] = []
        with self.db.write() as s:
            ops = s.scalars(select(OutboxOp).where(OutboxOp.state.in_(UNSENT)).order_by(OutboxOp.id).limit(limit)).all()
            size = 0
            for op in ops:
                item = build_item(op)
                if claimed and size + len(item) > max_bytes:
                    break
                size += len(item)
                op.state = OutboxState.SENDING.value
                op.attempts = (op.attempts or 0) + 1
                op.sent_at = now
                claimed.append(
                    _Claimed(op.id, op.op_id, op.kind, op.request_id, op.receipt_no, op.payload_sha256, item)
                )
        return claimed

    def _push(self, report: SyncReport, hello: P.Hello, saved_limit: int) -> int:
        max_items = max(1, hello.max_batch_items)
        max_bytes = max(1024, hello.max_batch_bytes)
        limit = min(max_items, saved_limit) if saved_limit > 0 else max_items
        ceiling = max_items
        while True:
            batch = self._claim(limit, max_bytes)
            if not batch:
                break
            body = build_batch(c.item for c in batch)
            try:
                answer = self.transport.post_batch(self.office, body)
            except TooLarge:
                if len(batch) > 1:
                    # Never offer a batch this large again in this run: halve the count and
                    # cap the bytes below what was refused.
                    limit = max(1, len(batch) // 2)
                    ceiling = min(ceiling, len(batch) - 1)
                    max_bytes = min(max_bytes, sum(len(c.item) for c in batch) - 1)
                    log.info("413 on a batch of %d: halving to %d", len(batch), limit)
                    continue
                self._park(batch[0], P.ERR_TOO_LARGE, MSG_TOO_LARGE_ITEM)
                report.sent += 1
                continue
            except ProtocolError as exc:
                # A batch the server cannot even read (400/422): isolate the culprit by halving,
                # park it alone, so one broken op never blocks the queue.
                if exc.status not in (400, 422):
                    raise
                if len(batch) > 1:
                    limit = max(1, len(batch) // 2)
                    ceiling = min(ceiling, len(batch) - 1)
                    continue
                self._park(batch[0], P.ERR_BAD_REQUEST, MSG_BAD_ITEM)
                report.sent += 1
                report.invalid += 1
                continue
            except RetryableError as exc:
                if exc.timeout:
                    limit = max(1, len(batch) // 2)
                    self._set_state(batch_limit=limit)
                raise
            report.sent += len(batch)
            self._apply_results(batch, answer, report)
            if limit < ceiling:  # a batch went through: grow back towards the server's bound
                limit = min(ceiling, limit * 2)
                self._set_state(batch_limit=limit if limit < max_items else None)
        return limit

    def _park(self, c: _Claimed, code: str, detail: str) -> None:
        """One operation the server refuses whatever the batch: `attention`, never resent."""
        with self.db.write() as s:
            op = s.get_one(OutboxOp, c.id)
            op.state = OutboxState.ATTENTION.value
            op.result = P.ResultKind.INVALID.value
            op.result_code = code
            op.result_detail = detail
        log.warning("operation %s refused on its own (%s): needs attention", c.op_id, code)

    def _apply_results(self, batch: list[_Claimed], answer: dict[str, Any], report: SyncReport) -> None:
        try:
            results = [_clean_result(r) for r in P.BatchResponse.model_validate(answer).results]
        except ValueError as exc:
            raise RetryableError("پاسخ سرور استان به بستهٔ ارسالی نامعتبر بود.") from exc
        if len(results) != len(batch) or any(
            r.op_id is not None and r.op_id.lower() != c.op_id.lower() for r, c in zip(results, batch)
        ):
            raise RetryableError("پاسخ سرور استان با بستهٔ ارسالی نمی‌خواند.")
        now = self._now()
        with self.db.write() as s, s.no_autoflush:
            # Two queries for the whole batch, one flush at commit: a query per op would flush
            # per op and cost seconds per thousand.
            ops = {o.id: o for o in s.scalars(select(OutboxOp).where(OutboxOp.id.in_([c.id for c in batch])))}
            rids = list({c.request_id for c in batch})
            reqs = {q.request_id: q for q in s.scalars(select(Request).where(Request.request_id.in_(rids)))}
            for c, r in zip(batch, results):
                op = ops[c.id]
                op.result = r.result.value
                op.result_code = r.code
                op.result_detail = r.detail
                if r.result in P.ACK_RESULTS:
                    op.state = OutboxState.ACKED.value
                    op.acked_at = now
                    op.last_error = None
                    report.acked += 1
                    if r.result is P.ResultKind.DUPLICATE:
                        report.duplicate += 1
                    self._apply_ack(s, reqs.get(c.request_id), c, r, now)
                else:
                    op.state = OutboxState.ATTENTION.value
                    if r.result is P.ResultKind.INVALID:
                        report.invalid += 1
                    else:
                        report.conflict += 1
                    log.warning("operation %s: %s (%s)", c.op_id, r.result.value, r.code)

    def _apply_ack(self, s: Session, req: Request | None, c: _Claimed, r: P.OpResult, now: str) -> None:
        if req is None:
            return
        if r.server_ref and not req.server_ref:
            req.server_ref = r.server_ref
            req.updated_at = now
        result = r.result
        if result is P.ResultKind.DUPLICATE and c.kind == "cancel":
            # a repeated cancel carries its first result in `code`
            try:
                result = P.ResultKind(r.code or "")
            except ValueError:
                return
        if c.kind == "request":
            if result in (P.ResultKind.CREATED, P.ResultKind.DUPLICATE):
                self._set_status(s, req, Status.SUBMITTED, now, None, forward_only=True)
        elif result is P.ResultKind.CANCELLED:
            self._set_status(s, req, Status.CANCELLED, now, _cancel_reason(c.item), forward_only=False)
        elif result is P.ResultKind.ALREADY_FINAL:
            # The cancel came too late: the server's final status wins over a local cancel.
            status = _status_or_none(r.detail)
            if status is not None:
                self._set_status(s, req, status, now, MSG_CANCEL_TOO_LATE, forward_only=False)
                req.status_note = MSG_CANCEL_TOO_LATE

    def _set_status(
        self,
        s: Session,
        req: Request,
        new: Status,
        now: str,
        note: str | None,
        *,
        forward_only: bool,
        actor: str = ACTOR,
    ) -> bool:
        old = req.status
        if old == new.value:
            if note and note != req.status_note:
                req.status_note = note
            return False
        if forward_only and not can_transition(old, new):
            return False
        req.status = new.value
        if note is not None:
            req.status_note = note
        req.updated_at = now
        s.add(
            RequestHistory(
                request_id=req.request_id, at=now, from_status=old, to_status=new.value, actor=actor, note=note
            )
        )
        return True

    # ------------------------------------------------------------------ pull
    @staticmethod
    def _epoch_of(cursor: str) -> str | None:
        try:
            return P.parse_cursor(cursor)[0]
        except ValueError:
            return None

    def _pull(self, report: SyncReport, hello: P.Hello, limit: int) -> None:
        with self.db.read() as s:
            row = s.get(SyncState, "cursor")
            cursor = row.value if row else None
        if not cursor or self._epoch_of(cursor) != hello.feed_epoch:
            cursor = P.format_cursor(hello.feed_epoch, 0)
        resynced = False
        while True:
            try:
                raw = self.transport.changes(self.office, cursor, self.changes_limit)
            except ResyncRequired:
                if resynced:
                    raise RetryableError("سرور استان همگام‌سازی دوباره را رد کرد.") from None
                resynced = True
                self._resync(report, hello)
                self._push(report, hello, limit)
                cursor = P.format_cursor(hello.feed_epoch, 0)
                continue
            try:
                page = P.ChangesPage.model_validate(raw)
                P.parse_cursor(page.cursor)
                page.changes = [_clean_change(ch) for ch in page.changes]
            except ValueError as exc:
                raise RetryableError("فهرست تغییرات سرور استان نامعتبر بود.") from exc
            self._apply_page(page)
            report.pulled += len(page.changes)
            cursor = page.cursor
            if not page.more or not page.changes:
                break

    def _apply_page(self, page: P.ChangesPage) -> None:
        now = self._now()
        with self.db.write() as s, s.no_autoflush:
            ids = list({c.request_id for c in page.changes})
            reqs = (
                {r.request_id: r for r in s.scalars(select(Request).where(Request.request_id.in_(ids)))} if ids else {}
            )
            unsent_cancel = (
                set(
                    s.scalars(
                        select(OutboxOp.request_id).where(
                            OutboxOp.request_id.in_(ids), OutboxOp.kind == "cancel", OutboxOp.state.in_(UNSENT)
                        )
                    )
                )
                if ids
                else set()
            )
            for ch in page.changes:
                req = reqs.get(ch.request_id)
                if req is None:
                    continue  # a request of this device this PC does not hold (e.g. restored PC)
                if ch.server_ref and not req.server_ref:
                    req.server_ref = ch.server_ref
                    req.updated_at = now
                status = _status_or_none(ch.status)
                if status is None:
                    continue
                if req.request_id in unsent_cancel and status not in FINAL_STATUSES:
                    continue  # our cancel is on its way; its answer decides
                self._set_status(s, req, status, now, ch.note, forward_only=True, actor="server")
            self._put(s, cursor=page.cursor)

    # ------------------------------------------------------------------ resync
    def _resync(self, report: SyncReport, hello: P.Hello) -> None:
        """The server lost or never had part of what we sent (restored from a backup, new
        database): look up every request we had acked, re-upload those it lacks with the
        server_ref already printed, re-send cancellations it lost, then replay the feed from 0."""
        report.resynced = True
        log.warning("resync: server feed epoch changed or cursor refused; reconciling")
        last_id = 0
        while True:
            with self.db.read() as s:
                rows = s.execute(
                    select(OutboxOp.id, OutboxOp.request_id)
                    .where(OutboxOp.kind == "request", OutboxOp.state == OutboxState.ACKED.value, OutboxOp.id > last_id)
                    .order_by(OutboxOp.id)
                    .limit(self.lookup_chunk)
                ).all()
            if not rows:
                break
            last_id = rows[-1].id
            ids = list(dict.fromkeys(r.request_id for r in rows))
            answer = self.transport.lookup(self.office, ids)
            try:
                known = {k.request_id.lower(): k.status for k in P.LookupResponse.model_validate(answer).known}
            except ValueError as exc:
                raise RetryableError("پاسخ جست‌وجوی سرور استان نامعتبر بود.") from exc
            missing = [rid for rid in ids if rid.lower() not in known]
            not_cancelled = [rid for rid in ids if known.get(rid.lower()) not in (None, "cancelled")]
            report.reuploaded += self._requeue(missing, not_cancelled)
        with self.db.write() as s:
            self._put(s, cursor=P.format_cursor(hello.feed_epoch, 0))

    def _requeue(self, missing: list[str], not_cancelled: list[str]) -> int:
        """New `pending` ops, in the original order: for a request the server lacks, the request
        (with the server_ref we printed) and its applied cancel; for one it holds but not as
        cancelled, a cancel it had applied and lost. Idempotent across crashes: anything that
        already has an unsent op of its kind is skipped. Returns the number of requests touched."""
        now = self._now()
        count = 0
        with self.db.write() as s:
            for rid in list(missing) + list(not_cancelled):
                ops = s.scalars(select(OutboxOp).where(OutboxOp.request_id == rid).order_by(OutboxOp.id)).all()
                acked_requests = [o for o in ops if o.kind == "request" and o.state == OutboxState.ACKED.value]
                applied_cancel = [
                    o
                    for o in ops
                    if o.kind == "cancel"
                    and o.state == OutboxState.ACKED.value
                    and P.ResultKind.CANCELLED.value in (o.result, o.result_code)
                ]
                unsent = {o.kind for o in ops if o.state in UNSENT}
                added = False
                if rid in missing and "request" not in unsent and acked_requests:
                    latest = acked_requests[-1]
                    req = s.scalar(select(Request).where(Request.request_id == rid))
                    data = bytes(latest.payload)
                    payload = json.loads(data.decode("utf-8"))
                    if req is not None and req.server_ref and payload.get("server_ref") != req.server_ref:
                        payload["server_ref"] = req.server_ref
                        data = canonical_json(payload)
                    s.add(
                        OutboxOp(
                            op_id=str(uuid.uuid4()),
                            kind="request",
                            request_id=rid,
                            receipt_no=latest.receipt_no,
                            payload=data,
                            payload_sha256=payload_sha256(data),
                            state=OutboxState.PENDING.value,
                            attempts=0,
                            created_at=now,
                        )
                    )
                    s.flush()  # keeps the request op before its cancel in send order
                    added = True
                if applied_cancel and "cancel" not in unsent and (added or rid not in missing):
                    o = applied_cancel[-1]
                    s.add(
                        OutboxOp(
                            op_id=str(uuid.uuid4()),
                            kind="cancel",
                            request_id=rid,
                            receipt_no=o.receipt_no,
                            payload=bytes(o.payload),
                            payload_sha256=o.payload_sha256,
                            state=OutboxState.PENDING.value,
                            attempts=0,
                            created_at=now,
                        )
                    )
                    s.flush()
                    added = True
                count += added
        if count:
            log.warning("resync: %d request(s) re-queued for upload", count)
        return count

    # ------------------------------------------------------------------ attachments
    def _attachments(self, report: SyncReport, hello: P.Hello, limit: int) -> None:
        """Scanned pages after the request operations (desk_app.sync.uploads); any registration
        that arrives meanwhile is pushed before the next page."""
        tus = uploads.tus_for(self.transport)
        if tus is not None:
            done = uploads.Uploader(
                self.db, tus, office=self.office, push_first=lambda: self._push(report, hello, limit)
            )
            report.attachments_sent += done.run().linked

    # ------------------------------------------------------------------ catalog
    def _catalog(self, report: SyncReport, hello: P.Hello, etag: str | None) -> None:
        if not hello.catalog_etag or hello.catalog_etag == etag:
            return
        answer = self.transport.catalog(etag)
        if answer.data is None:
            self._set_state(catalog_etag=answer.etag or hello.catalog_etag)
            return
        raw = json.dumps(answer.data, ensure_ascii=False).encode("utf-8")
        try:
            with self.db.write() as s:
                version = store_catalog(s, answer.data, self._now())
                self._put(s, catalog_etag=answer.etag or hello.catalog_etag)
        except ValueError as exc:  # CatalogError is an InvalidInput (ValueError)
            log.warning("catalog from the server refused (%d bytes): %s", len(raw), type(exc).__name__)
            self._set_state(last_error="فهرست خدمات دریافتی از سرور استان نامعتبر بود.")
            return
        report.catalog_version = version


# ---------------------------------------------------------------------- what the server sends

MAX_NOTE = 2000
_RESULT_CODE_RE = re.compile(r"[a-z0-9_.:-]{1,64}", re.ASCII)


def clean_server_text(value: Any, limit: int = MAX_NOTE) -> str | None:
    """A note or detail from the server as the desk stores it: normalised, bounded, None if empty."""
    if value is None:
        return None
    text = normalize_text(str(value))[:limit].strip()
    return text or None


def clean_server_ref(value: Any) -> str | None:
    """The server's tracking code (کد رهگیری) if it is one (ten digits, no hidden characters), else None."""
    if value is None or value == "":
        return None
    try:
        ref = clean_code(str(value)[:40], "server_ref")
    except InvalidInput:
        ref = ""
    if P.SERVER_REF_RE.fullmatch(ref):
        return ref
    log.warning("a server_ref from the server is not a tracking code; not stored")
    return None


def _clean_code(value: Any) -> str | None:
    if value is None:
        return None
    code = normalize_text(str(value)).lower()
    return code if _RESULT_CODE_RE.fullmatch(code) else "unknown"


def _clean_receipt(value: Any) -> str | None:
    if not value:
        return None
    try:
        return normalize_receipt_no(str(value))
    except InvalidInput:
        log.warning("a receipt number from the server is not one; ignored")
        return None


def _clean_hello(hello: P.Hello) -> None:
    hello.office_name = clean_server_text(hello.office_name, 200)
    hello.last_receipt_no = _clean_receipt(hello.last_receipt_no)


def _clean_result(r: P.OpResult) -> P.OpResult:
    r.server_ref = clean_server_ref(r.server_ref)
    r.code = _clean_code(r.code)
    r.detail = clean_server_text(r.detail)
    return r


def _clean_change(ch: P.Change) -> P.Change:
    ch.server_ref = clean_server_ref(ch.server_ref)
    ch.note = clean_server_text(ch.note)
    ch.status = normalize_text(ch.status)
    return ch


def _too_old(hello: P.Hello) -> bool:
    return hello.protocol.min > P.PROTOCOL_VERSION


def _cancel_reason(item: bytes) -> str | None:
    try:
        reason = json.loads(item)["payload"].get("reason")
    except (ValueError, KeyError, AttributeError):
        return None
    return reason if isinstance(reason, str) else None


def _status_or_none(value: str | None) -> Status | None:
    try:
        return Status(str(value).strip().lower()) if value else None
    except ValueError:
        return None
