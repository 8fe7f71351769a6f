"""Text the server stores or sends goes through the normaliser (DESIGN.md section 2).

What a desk sends is kept twice: the frozen payload exactly as it came (`requests.payload_json`,
whose SHA-256 is the request's identity: hashing and the duplicate check never see a normalised
byte), and normalised copies of its free text in `request_texts` (names, the clerk's full name,
with folded search keys) for everything that displays, searches or sends them. Notes (agency
decisions, cancel reasons) and office names are normalised before they are stored, and once more
on the way out, so rows written before this rule existed leave clean too. Identifiers are not
normalised here: `provincial_server.checks` refuses any that are not already canonical.
"""

from __future__ import annotations

import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from desk_app.domain.text import normalize_text, search_key
from provincial_server.db import Meta, RequestText, ServerRequest

BACKFILL_FLAG = "request_texts_backfilled"


def clean(text: str | None) -> str | None:
    """A note or a name as it may be stored and sent; None for nothing left."""
    if text is None:
        return None
    return normalize_text(text) or None


def text_row(office: str, payload: dict) -> dict:
    """The `request_texts` row of a request payload that `checks.check_request` accepted."""
    citizen = payload.get("citizen") or {}
    clerk = payload.get("clerk") or {}
    first = normalize_text(str(citizen.get("first_name") or ""))
    last = normalize_text(str(citizen.get("last_name") or ""))
    full = clerk.get("full_name")
    return {
        "office": office,
        "request_id": str(payload["request_id"]).lower(),
        "first_name": first,
        "last_name": last,
        "first_key": search_key(first),
        "last_key": search_key(last),
        "clerk_full_name": clean(full) if isinstance(full, str) else None,
    }


def add_for(s: Session, office: str, payload: dict) -> None:
    s.add(RequestText(**text_row(office, payload)))


def backfill(s: Session) -> int:
    """Text rows for requests that have none (stored before the table existed, or restored from
    an older backup); returns how many were made."""
    missing = s.execute(
        select(ServerRequest.office, ServerRequest.payload_json)
        .outerjoin(
            RequestText,
            (RequestText.office == ServerRequest.office) & (RequestText.request_id == ServerRequest.request_id),
        )
        .where(RequestText.request_id.is_(None))
    ).all()
    for office, payload_json in missing:
        add_for(s, office, json.loads(payload_json))
    s.flush()
    return len(missing)


def backfill_once(s: Session) -> None:
    """`backfill` the first time a database is opened by a server that has the table."""
    if s.get(Meta, BACKFILL_FLAG) is None:
        backfill(s)
        s.add(Meta(key=BACKFILL_FLAG, value="1"))
