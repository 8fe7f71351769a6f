"""Search that finds people: an FTS5 trigram index over the folded name keys, the receipt number
and the tracking code of every request, kept current by triggers (intake, sync and any later
correction write plain rows; the index follows by itself).

`requests_search` keeps only the index (rowid = `requests.seq`); its text is the view
`requests_search_text` (an FTS5 external content table), so reading it (a dump), checking it
(`integrity-check`) and rebuilding it (`rebuild`) work. Each row indexes two texts, built in SQL
from columns intake already stores:
- name:  MARK first_key ' ' MARK last_key   (MARK before a key: a 2-letter word becomes a 3-gram
  prefix search, `MARK || 'جم'`; keys have no spaces and never a MARK: normalize_text drops ZWJ)
- codes: receipt digits MARK [' ' server_ref MARK]   (MARK after a code: `'0003' || MARK` matches
  only at its end, so a receipt or tracking-code suffix is a trigram phrase too)
The trigram tokenizer is case sensitive: keys are lower-cased by `search_key` already, so a phrase
means exactly `instr()` on the keys (desk_app/services/search.py relies on that).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03
"""

from __future__ import annotations

import logging
import time

import sqlalchemy as sa
from alembic import op

from desk_app.store.errors import StoreError

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

log = logging.getLogger("desk_app.store")

MARK = "char(8205)"  # U+200D ZWJ, see desk_app.store.search_index.MARK


def _name(row: str) -> str:
    return f"{MARK} || {row}.first_key || ' ' || {MARK} || {row}.last_key"


def _codes(row: str) -> str:
    return f"replace({row}.receipt_no, '-', '') || {MARK} || coalesce(' ' || {row}.server_ref || {MARK}, '')"


VIEW = (
    f"CREATE VIEW requests_search_text AS SELECT seq, {_name('requests')} AS name, {_codes('requests')} AS codes"
    " FROM requests"
)


def _add(row: str) -> str:
    return f"INSERT INTO requests_search (rowid, name, codes) VALUES ({row}.seq, {_name(row)}, {_codes(row)});"


def _remove(row: str) -> str:
    # an external content FTS5 table forgets a row through its 'delete' command, given the indexed texts
    return (
        "INSERT INTO requests_search (requests_search, rowid, name, codes)"
        f" VALUES ('delete', {row}.seq, {_name(row)}, {_codes(row)});"
    )


_WATCHED = ("seq", "first_key", "last_key", "receipt_no", "server_ref")

TRIGGERS = {
    "requests_search_insert": f"AFTER INSERT ON requests BEGIN {_add('new')} END",
    "requests_search_delete": f"AFTER DELETE ON requests BEGIN {_remove('old')} END",
    "requests_search_update": (
        f"AFTER UPDATE OF {', '.join(_WATCHED)} ON requests"
        f" WHEN {' OR '.join(f'old.{c} IS NOT new.{c}' for c in _WATCHED)}"
        f" BEGIN {_remove('old')} {_add('new')} END"
    ),
}


NO_TRIGRAM = (
    "کتابخانهٔ SQLite این سامانه جست‌وجوی متن (FTS5 با trigram، نسخهٔ ۳٫۳۴ به بعد) ندارد و پایگاه داده"
    " به‌روز نشد؛ برنامه را با نسخهٔ تازه‌تری از Python یا SQLite نصب کنید."
)


def upgrade() -> None:
    started = time.perf_counter()
    op.execute(VIEW)
    try:
        op.execute(
            "CREATE VIRTUAL TABLE requests_search USING fts5(name, codes, content='requests_search_text',"
            " content_rowid='seq', columnsize=0, tokenize='trigram case_sensitive 1')"
        )
    except sa.exc.OperationalError as exc:  # no FTS5 module, or no trigram tokenizer (SQLite < 3.34)
        raise StoreError(NO_TRIGRAM, "version") from exc
    op.execute("INSERT INTO requests_search (requests_search) VALUES ('rebuild')")  # every row, from the view
    op.execute("INSERT INTO requests_search (requests_search) VALUES ('optimize')")  # one segment per term
    for name, body in TRIGGERS.items():
        op.execute(f"CREATE TRIGGER {name} {body}")
    log.info("request search index built in %.1f s", time.perf_counter() - started)


def downgrade() -> None:
    for name in TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.execute("DROP TABLE IF EXISTS requests_search")
    op.execute("DROP VIEW IF EXISTS requests_search_text")
