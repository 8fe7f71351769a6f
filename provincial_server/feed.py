"""The per-office change feed and status transitions.

A change's seq comes from the office's counter row, bumped by an UPDATE ... RETURNING in
the change's own transaction: the row lock (PostgreSQL) or the write lock (SQLite) holds
until commit, so commit order equals seq order and a cursor never skips a late commit.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from desk_app.domain.jalali import format_utc
from desk_app.domain.status import Status, check_transition
from desk_app.sync import protocol
from provincial_server import sms, texts
from provincial_server.db import Change, FeedCounter, ServerRequest, StatusHistory, utcnow


class ResyncRequired(Exception):
    pass


def next_seqs(s: Session, office: str, n: int = 1) -> int:
    """Reserve `n` seqs of the office's feed; returns the last one (the first is last - n + 1)."""
    seq = s.scalar(
        update(FeedCounter)
        .where(FeedCounter.office == office)
        .values(last_seq=FeedCounter.last_seq + n)
        .returning(FeedCounter.last_seq)
    )
    if seq is None:  # an office restored from a backup without its counter row
        s.add(FeedCounter(office=office, last_seq=n))
        s.flush()
        seq = n
    return seq


def next_seq(s: Session, office: str) -> int:
    return next_seqs(s, office, 1)


def record_status(
    s: Session,
    req: ServerRequest,
    new_status: str,
    *,
    actor: str,
    note: str | None = None,
    from_status: str | None = None,
    at: datetime | None = None,
) -> int:
    """Write history and a feed change for `req` now having `new_status`; returns the seq.
    The note (an agency's decision, a cancel reason) is stored normalised. A new outcome
    (completed, rejected; not the same one again) queues the citizen's SMS in this transaction."""
    at = at or utcnow()
    note = texts.clean(note)
    s.add(
        StatusHistory(
            office=req.office,
            request_id=req.request_id,
            at=at,
            from_status=from_status,
            to_status=new_status,
            actor=actor,
            note=note,
        )
    )
    seq = next_seq(s, req.office)
    s.add(
        Change(
            office=req.office,
            seq=seq,
            device=req.device,
            request_id=req.request_id,
            receipt_no=req.receipt_no,
            status=new_status,
            server_ref=req.server_ref,
            note=note,
            at=at,
        )
    )
    sms.queue_for_change(s, req, seq, new_status, note, old_status=from_status)
    return seq


def transition(s: Session, req: ServerRequest, new_status: str, *, actor: str, note: str | None = None) -> int:
    """Move `req` to `new_status` (checked by the domain rule); raises InvalidTransition."""
    old = req.status
    check_transition(Status(old), Status(new_status))
    note = texts.clean(note)
    req.status = new_status
    req.status_note = note
    req.updated_at = utcnow()
    return record_status(s, req, new_status, actor=actor, note=note, from_status=old)


def changes_page(
    s: Session, office: str, device: int, epoch: str, cursor: str | None, limit: int
) -> protocol.ChangesPage:
    """Changes of this device's requests after `cursor`; ResyncRequired for a foreign epoch or seq."""
    counter = s.scalar(select(FeedCounter.last_seq).where(FeedCounter.office == office)) or 0
    if cursor:
        try:
            cur_epoch, after = protocol.parse_cursor(cursor)  # the caller answered 400 to a malformed one
        except ValueError:  # a seq of thousands of digits (int() refuses them): beyond any counter
            raise ResyncRequired() from None
        if cur_epoch != epoch or after > counter:
            raise ResyncRequired()
    else:
        after = 0
    rows = s.scalars(
        select(Change)
        .where(Change.office == office, Change.device == device, Change.seq > after, Change.seq <= counter)
        .order_by(Change.seq)
        .limit(limit + 1)
    ).all()
    more = len(rows) > limit
    rows = rows[:limit]
    # A short page has seen everything up to the counter, other devices' changes included.
    last = rows[-1].seq if more else counter
    return protocol.ChangesPage(
        changes=[
            protocol.Change(
                seq=r.seq,
                request_id=r.request_id,
                receipt_no=r.receipt_no,
                status=r.status,
                server_ref=r.server_ref,
                note=texts.clean(r.note),  # stored clean; rows from before that rule leave clean too
                at=format_utc(r.at),
            )
            for r in rows
        ],
        cursor=protocol.format_cursor(epoch, last),
        more=more,
    )
