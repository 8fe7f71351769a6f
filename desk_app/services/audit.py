"""Append-only audit log with a hash chain: hash = sha256(prev_hash + canonical entry).

An edited row no longer matches its hash; a deleted or inserted row breaks the next row's
`prev_hash` link. Entries are written inside the caller's transaction, so an action and its
audit line commit (or vanish) together. Details never hold a national code or a password.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import Table, insert, select
from sqlalchemy.orm import Session

from desk_app.domain.canonical import canonical_json
from desk_app.domain.jalali import format_utc, utc_now
from desk_app.store.models import AuditEntry

if TYPE_CHECKING:
    from desk_app.services.context import Desk

GENESIS = "0" * 64
_VERIFY_WINDOW = 2000


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    first_bad_id: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {"ok": self.ok, "checked": self.checked, "first_bad_id": self.first_bad_id}


def entry_hash(
    prev_hash: str, entry_id: int, at: str, actor: str, action: str, subject: str | None, details_json: str
) -> str:
    body = canonical_json(
        {
            "id": entry_id,
            "at": at,
            "actor": actor,
            "action": action,
            "subject": subject,
            "details": json.loads(details_json),
        }
    )
    return hashlib.sha256(prev_hash.encode("ascii") + body).hexdigest()


_AUDIT = cast(Table, AuditEntry.__table__)
_LAST = select(_AUDIT.c.id, _AUDIT.c.hash).order_by(_AUDIT.c.id.desc()).limit(1)
_INSERT = insert(_AUDIT)


def record(
    session: Session, actor: str | None, action: str, subject: str | None = None, details: dict[str, Any] | None = None
) -> AuditEntry:
    """Append one entry inside the caller's (BEGIN IMMEDIATE) transaction.

    Two Core statements on the session's connection (every intake writes one entry: no ORM unit
    of work for it); the caller's pending ORM changes are flushed first, so the entry follows
    them. Returns the entry (not attached to the session)."""
    session.flush()
    conn = session.connection()
    last = conn.execute(_LAST).first()
    prev_hash = last.hash if last else GENESIS
    entry_id = (last.id + 1) if last else 1
    at = format_utc(utc_now())
    actor = actor or "system"
    details_json = canonical_json(details or {}).decode("utf-8")
    digest = entry_hash(prev_hash, entry_id, at, actor, action, subject, details_json)
    values: dict[str, Any] = {
        "id": entry_id,
        "at": at,
        "actor": actor,
        "action": action,
        "subject": subject,
        "details_json": details_json,
        "prev_hash": prev_hash,
        "hash": digest,
    }
    conn.execute(_INSERT, values)
    return AuditEntry(**values)


def verify(desk: Desk) -> VerifyResult:
    """Walk the chain in id order, a window at a time; report the first row that does not fit."""
    prev_hash, expected_id, checked, after = GENESIS, 1, 0, 0
    with desk.db.read() as s:
        while True:
            rows = s.scalars(
                select(AuditEntry).where(AuditEntry.id > after).order_by(AuditEntry.id).limit(_VERIFY_WINDOW)
            ).all()
            if not rows:
                return VerifyResult(True, checked)
            for row in rows:
                if not _fits(row, expected_id, prev_hash):
                    return VerifyResult(False, checked, row.id)
                checked += 1
                prev_hash, expected_id, after = row.hash, row.id + 1, row.id


def _fits(row: AuditEntry, expected_id: int, prev_hash: str) -> bool:
    if row.id != expected_id or row.prev_hash != prev_hash:
        return False
    try:
        digest = entry_hash(prev_hash, row.id, row.at, row.actor, row.action, row.subject, row.details_json)
    except (ValueError, TypeError):  # details no longer JSON: edited by hand
        return False
    return row.hash == digest
