"""Has the provincial server confirmed which device this PC is? Not after a restore, until `hello`.

A restored database may be another PC's (a replacement PC), or an older copy of this one's: the
receipt numbers it would give next may already be printed on another PC's receipts. So a restore
marks the database *unconfirmed* (`sync_state.device_unconfirmed`), intake refuses to number
(`desk_app.services.numbering`), and the first `hello` that names this office and device, with the
device's last receipt number, clears the mark in the same transaction that stores that number.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from desk_app.store.models import SyncState

KEY = "device_unconfirmed"
AFTER_RESTORE = "restore"  # a backup of this device was restored
REPLACED = "replaced"  # this PC now stands in for another device: enrol it before anything else
REASONS = (AFTER_RESTORE, REPLACED)


def mark_unconfirmed(session: Session, reason: str) -> None:
    """Inside the caller's write transaction: no receipt number until a matching hello."""
    if reason not in REASONS:
        raise ValueError(f"unknown reason {reason!r}")
    row = session.get(SyncState, KEY)
    if row is None:
        session.add(SyncState(key=KEY, value=reason))
    else:
        row.value = reason


def unconfirmed_reason(session: Session) -> str | None:
    """`AFTER_RESTORE`, `REPLACED`, or None when this PC may number receipts."""
    row = session.get(SyncState, KEY)
    return row.value if row is not None and row.value else None
