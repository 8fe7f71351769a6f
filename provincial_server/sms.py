"""The citizen's SMS (DESIGN.md section 12): an outbox written with the status change, a sender.

`queue_for_change` runs inside `provincial_server.feed.record_status`, in the change's transaction: a
change to `completed` or `rejected` and its message commit together or not at all, so every way of
deciding (`request set-status`, the console, the demo) queues it and no change is told twice. The
message is keyed by the change (office, seq); a request without a mobile gets a `skipped` row, so
the province can count who was not told.

`SmsSender` runs in the server process when `serve --sms-gateway URL` is given (one per uvicorn
worker). It claims due rows in a short write transaction (`FOR UPDATE SKIP LOCKED` on PostgreSQL;
SQLite has one writer), marks them `sending` with a lease, POSTs `{to, text, idempotency_key}`
outside any transaction, and records the outcome only if its claim still holds. A send that times
out after the gateway accepted it is sent again with the same `idempotency_key`; a gateway that
honours the key (docs/OPERATIONS.md) keeps one. Retries back off exponentially with jitter and never
give up on a gateway that is down or failing: the messages wait in the outbox, a day if need be.

States: queued -> sending -> sent (delivered when the gateway says so); sending -> failed-retrying
-> sending ...; skipped (no mobile); failed (the gateway refused the message itself: 400/413/422).
"""

from __future__ import annotations

import json
import logging
import os
import random
import re
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import requests
from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session

from desk_app.domain.errors import InvalidInput
from desk_app.domain.identifiers import validate_mobile
from desk_app.domain.status import Status
from provincial_server import catalogs, texts
from provincial_server.db import ServerDB, ServerRequest, SmsMessage, feed_epoch, utcnow

log = logging.getLogger("provincial_server.sms")

QUEUED, SENDING, SENT, RETRYING = "queued", "sending", "sent", "failed-retrying"
SKIPPED, DELIVERED, FAILED = "skipped", "delivered", "failed"
STATES = (QUEUED, SENDING, SENT, RETRYING, SKIPPED, DELIVERED, FAILED)
DUE_STATES = (QUEUED, RETRYING)
NOTIFY = frozenset({Status.COMPLETED.value, Status.REJECTED.value})

# Persian goes as UCS-2: one part holds 70 characters, a long message 67 a part. Two parts.
MAX_TEXT = 134
MAX_TITLE = 28
MIN_REASON = 24  # fewer characters than this for the reason: leave the service's title out
PREFIX = "پیشخوان دولت: "

DEFAULT_TIMEOUT_S = 10.0
DEFAULT_POLL_S = 2.0
DEFAULT_RETRY_BASE_S = 5.0
DEFAULT_RETRY_CAP_S = 600.0
DEFAULT_BATCH = 10
PERMANENT = frozenset({400, 413, 422})  # the gateway refuses the message itself: sending again cannot help


# ---------------------------------------------------------------- composing and queueing


def shorten(text: str, limit: int) -> str:
    """`text` in at most `limit` characters, cut at a word boundary with an ellipsis."""
    text = re.sub(r"\s+", " ", text).strip()
    if len(text) <= limit:
        return text
    if limit <= 1:
        return "…"[:limit]
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space >= limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ،,.؛;:-") + "…"


def compose(status: str, server_ref: str | None, reason: str | None = None, title: str | None = None) -> str:
    """The Persian text: the tracking code (server_ref), the outcome, and a rejection's reason."""
    ref = server_ref or "-"
    reason = texts.clean(reason)
    title = shorten(texts.clean(title) or "", MAX_TITLE) if title else None

    def build(with_title: bool) -> tuple[str, int]:
        what = f"درخواست «{title}» شما" if with_title and title else "درخواست شما"
        head = f"{PREFIX}{what} با کد رهگیری {ref}"
        if status == Status.COMPLETED.value:
            return f"{head} انجام شد.", 0
        if not reason:
            return f"{head} رد شد؛ علت را از دفتر پیشخوان بپرسید.", 0
        head = f"{head} رد شد. علت: "
        return head, MAX_TEXT - len(head)

    text, room = build(True)
    if room and room < MIN_REASON and title:
        text, room = build(False)
    if room:
        text += shorten(reason or "", room)
    return text


def _mobile_of(req: ServerRequest) -> str | None:
    try:
        citizen = json.loads(req.payload_json).get("citizen") or {}
        mobile = citizen.get("mobile")
        return validate_mobile(mobile) if isinstance(mobile, str) and mobile.strip() else None
    except (ValueError, AttributeError, InvalidInput):
        return None


def _title_of(s: Session, req: ServerRequest) -> str | None:
    catalog = catalogs.get_version(s, req.catalog_version)
    service = catalog.get(req.service_code) if catalog else None
    return service.title if service else None


def idempotency_key(office: str, seq: int, epoch: str) -> str:
    """One key a change: the office and the change's seq, and the feed epoch (a restore hands
    out seqs again under a new epoch; those are other changes)."""
    return f"{office}-{seq}-{epoch}"


def queue_for_change(
    s: Session, req: ServerRequest, seq: int, new_status: str, note: str | None, *, old_status: str | None
) -> SmsMessage | None:
    """Queue the SMS of change `seq` (the caller's transaction); None when it tells nobody."""
    if new_status not in NOTIFY or old_status == new_status:
        return None  # not an outcome, or the same outcome applied again (no news for the citizen)
    mobile = _mobile_of(req)
    now = utcnow()
    msg = SmsMessage(
        office=req.office,
        seq=seq,
        idempotency_key=idempotency_key(req.office, seq, feed_epoch(s)),
        request_id=req.request_id,
        server_ref=req.server_ref,
        status=new_status,
        to_number=mobile,
        text=compose(new_status, req.server_ref, note, _title_of(s, req)),
        state=QUEUED if mobile else SKIPPED,
        attempts=0,
        next_attempt_at=now if mobile else None,
        created_at=now,
    )
    s.add(msg)
    return msg


# ---------------------------------------------------------------- the operator's view


def mask_mobile(mobile: str | None) -> str | None:
    """`09121234567` -> `0912***4567`."""
    if not mobile:
        return None
    return mobile[:4] + "*" * max(0, len(mobile) - 8) + mobile[-4:]


def view(m: SmsMessage) -> dict:
    from desk_app.domain.jalali import format_utc

    def ts(v: datetime | None) -> str | None:
        return format_utc(v) if v else None

    return {
        "office": m.office,
        "seq": m.seq,
        "idempotency_key": m.idempotency_key,
        "request_id": m.request_id,
        "server_ref": m.server_ref,
        "status": m.status,
        "to": mask_mobile(m.to_number),
        "text": m.text,
        "state": m.state,
        "attempts": m.attempts,
        "next_attempt_at": ts(m.next_attempt_at) if m.state in DUE_STATES else None,
        "last_error": m.last_error,
        "created_at": ts(m.created_at),
        "sent_at": ts(m.sent_at),
        "delivered_at": ts(m.delivered_at),
    }


def list_messages(db: ServerDB, state: str | None = None, limit: int | None = None) -> list[dict]:
    with db.read() as s:
        q = select(SmsMessage).order_by(SmsMessage.created_at, SmsMessage.office, SmsMessage.seq)
        if state:
            q = q.where(SmsMessage.state == state)
        if limit:
            q = q.limit(limit)
        return [view(m) for m in s.scalars(q)]


def for_request(s: Session, office: str, request_id: str) -> list[dict]:
    """The messages of one request, oldest first (a request page's history shows them)."""
    q = select(SmsMessage).where(SmsMessage.office == office, SmsMessage.request_id == request_id)
    return [view(m) for m in s.scalars(q.order_by(SmsMessage.seq))]


def counts(db: ServerDB) -> dict[str, int]:
    """Messages per state (every state named, zeros included)."""
    with db.read() as s:
        got = dict(s.execute(select(SmsMessage.state, func.count()).group_by(SmsMessage.state)).all())
    return {st: int(got.get(st, 0)) for st in STATES}


# ---------------------------------------------------------------- sending


@dataclass(frozen=True)
class Outcome:
    state: str  # SENT, DELIVERED, RETRYING or FAILED
    error: str | None = None
    retry_after: float | None = None
    gateway_id: str | None = None
    reachable: bool = True  # False: no answer at all (connection refused, timeout)


class Gateway:
    """POST `{to, text, idempotency_key}` as JSON; the answer classified into an `Outcome`."""

    def __init__(self, url: str, *, timeout_s: float = DEFAULT_TIMEOUT_S, token: str | None = None):
        self.url = url
        self.timeout = (min(5.0, timeout_s), timeout_s)
        self.session = requests.Session()
        self.session.trust_env = False
        self.session.headers["Content-Type"] = "application/json"
        if token:
            self.session.headers["Authorization"] = f"Bearer {token}"

    def close(self) -> None:
        self.session.close()

    def send(self, to: str, text: str, key: str) -> Outcome:
        body = json.dumps({"to": to, "text": text, "idempotency_key": key}, ensure_ascii=False).encode("utf-8")
        try:
            resp = self.session.post(self.url, data=body, headers={"Idempotency-Key": key}, timeout=self.timeout)
            content = resp.content
        except requests.exceptions.Timeout:
            return Outcome(RETRYING, "درگاه پیامک در مهلت پاسخ نداد.", reachable=False)
        except requests.exceptions.RequestException:
            return Outcome(RETRYING, "درگاه پیامک در دسترس نیست.", reachable=False)
        code = resp.status_code
        if 200 <= code < 300 or code == 409:  # 409: the gateway already holds this key
            answer = _json_or_none(content)
            gid = answer.get("id") if isinstance(answer, dict) else None
            status = answer.get("status") if isinstance(answer, dict) else None
            state = DELIVERED if status == DELIVERED else SENT
            return Outcome(state, gateway_id=str(gid)[:100] if gid is not None else None)
        if code in PERMANENT:
            return Outcome(FAILED, f"درگاه پیامک پیام را نپذیرفت (کد {code}).")
        retry_after = _retry_after(resp.headers.get("Retry-After"))
        return Outcome(RETRYING, f"درگاه پیامک خطا داد (کد {code}).", retry_after=retry_after)


def _json_or_none(content: bytes):
    try:
        return json.loads(content.decode("utf-8")) if content else None
    except (UnicodeDecodeError, ValueError):
        return None


def _retry_after(value: str | None) -> float | None:
    try:
        return max(0.0, min(86400.0, float(value))) if value else None
    except ValueError:
        return None


@dataclass
class _Claim:
    office: str
    seq: int
    key: str
    to: str
    text: str
    attempts: int
    prev_state: str
    token: str


class SmsSender:
    """The outbox's sender loop; `step()` is one round (claim, send, record), the thread repeats it."""

    def __init__(
        self,
        db: ServerDB,
        gateway: Gateway | str,
        *,
        poll_s: float = DEFAULT_POLL_S,
        retry_base_s: float = DEFAULT_RETRY_BASE_S,
        retry_cap_s: float = DEFAULT_RETRY_CAP_S,
        batch: int = DEFAULT_BATCH,
        lease_s: float | None = None,
        clock: Callable[[], datetime] = utcnow,
        rng: random.Random | None = None,
        worker: str | None = None,
    ):
        self.db = db
        self.gateway = Gateway(gateway) if isinstance(gateway, str) else gateway
        self.poll_s, self.retry_base_s, self.retry_cap_s = poll_s, retry_base_s, retry_cap_s
        self.batch = batch
        # a claim outlives every send of its batch; after that, a crashed worker's rows are due again
        self.lease_s = lease_s or batch * (self.gateway.timeout[1] + 5) + 60
        self.clock = clock
        self.rng = rng or random.Random()
        self.worker = worker or f"{os.getpid()}-{secrets.token_hex(4)}"
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

    @classmethod
    def from_env(cls, db: ServerDB, url: str) -> SmsSender:
        """`serve --sms-gateway URL`; tuning and the gateway's token through the environment."""
        env = os.environ

        def num(name: str, default: float) -> float:
            try:
                return float(env.get(name) or default)
            except ValueError:
                return default

        gateway = Gateway(
            url,
            timeout_s=num("PROVINCIAL_SMS_TIMEOUT_S", DEFAULT_TIMEOUT_S),
            token=env.get("PROVINCIAL_SMS_GATEWAY_TOKEN") or None,
        )
        return cls(
            db,
            gateway,
            poll_s=num("PROVINCIAL_SMS_POLL_S", DEFAULT_POLL_S),
            retry_base_s=num("PROVINCIAL_SMS_RETRY_BASE_S", DEFAULT_RETRY_BASE_S),
            retry_cap_s=num("PROVINCIAL_SMS_RETRY_CAP_S", DEFAULT_RETRY_CAP_S),
            lease_s=num("PROVINCIAL_SMS_LEASE_S", 0) or None,
        )

    # -- one round -------------------------------------------------------------------------
    def backoff(self, attempts: int) -> float:
        """Seconds before attempt `attempts + 1`: exponential, capped, with jitter (half to full)."""
        ceiling = min(self.retry_cap_s, self.retry_base_s * 2 ** max(0, attempts - 1))
        return self.rng.uniform(ceiling / 2, ceiling)

    def claim(self) -> list[_Claim]:
        now = self.clock()
        M = SmsMessage
        due = or_(
            and_(M.state.in_(DUE_STATES), or_(M.next_attempt_at.is_(None), M.next_attempt_at <= now)),
            and_(M.state == SENDING, M.claimed_until < now),  # a worker died mid-send
        )
        claims = []
        with self.db.write() as s:
            rows = s.scalars(
                select(M)
                .where(due)
                .order_by(M.next_attempt_at, M.office, M.seq)
                .limit(self.batch)
                # SKIP LOCKED: two workers each take other rows (SQLite has one writer and ignores it)
                .with_for_update(skip_locked=True)
            ).all()
            for m in rows:
                token = f"{self.worker}-{secrets.token_hex(4)}"
                prev = m.state if m.state in DUE_STATES else RETRYING
                m.state, m.claimed_by, m.claimed_until = SENDING, token, now + timedelta(seconds=self.lease_s)
                claims.append(
                    _Claim(m.office, m.seq, m.idempotency_key, m.to_number or "", m.text, m.attempts, prev, token)
                )
        return claims

    def _record(self, c: _Claim, values: dict) -> bool:
        """Write the outcome only while our claim holds (a lease taken over by another worker wins)."""
        M = SmsMessage
        with self.db.write() as s:
            n = s.scalar(
                update(M)
                .where(M.office == c.office, M.seq == c.seq, M.claimed_by == c.token, M.state == SENDING)
                .values(claimed_by=None, claimed_until=None, **values)
                .returning(M.seq)
            )
        if n is None:
            log.info("sms %s: claim lost before the outcome was written", c.key)
        return n is not None

    def record(self, c: _Claim, out: Outcome) -> bool:
        now = self.clock()
        attempts = c.attempts + 1
        if out.state in (SENT, DELIVERED):
            values = {"state": out.state, "attempts": attempts, "sent_at": now, "last_error": None}
            if out.state == DELIVERED:
                values["delivered_at"] = now
            if out.gateway_id:
                values["gateway_id"] = out.gateway_id
        elif out.state == FAILED:
            values = {"state": FAILED, "attempts": attempts, "last_error": out.error, "next_attempt_at": None}
        else:
            delay = max(self.backoff(attempts), out.retry_after or 0.0)
            values = {
                "state": RETRYING,
                "attempts": attempts,
                "last_error": out.error,
                "next_attempt_at": now + timedelta(seconds=delay),
            }
        return self._record(c, values)

    def release(self, claims: list[_Claim], until: datetime) -> None:
        """Give back claims not tried this round (the gateway did not answer): due at `until`."""
        for c in claims:
            self._record(c, {"state": c.prev_state, "next_attempt_at": until})

    def step(self) -> int:
        """Claim due messages and send them; returns how many were tried. The first one that gets
        no answer at all ends the round: the rest wait as long as it does, so a gateway that is
        down is asked once a backoff, not once a message."""
        claims = self.claim()
        for i, c in enumerate(claims):
            if self._stop.is_set():
                self.release(claims[i:], self.clock())
                return i
            out = self.gateway.send(c.to, c.text, c.key)
            self.record(c, out)
            log.info("sms %s attempt %d: %s", c.key, c.attempts + 1, out.state)
            if not out.reachable:
                self.release(claims[i + 1 :], self.clock() + timedelta(seconds=self.backoff(c.attempts + 1)))
                return i + 1
        return len(claims)

    # -- the thread ------------------------------------------------------------------------
    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="sms-sender", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=self.gateway.timeout[1] + 5)
        self.gateway.close()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                busy = self.step() >= self.batch
            except Exception:  # a database that went away for a moment: try again next round
                log.exception("sms sender round failed")
                busy = False
            if not busy:
                self._wake.wait(self.poll_s)
                self._wake.clear()
