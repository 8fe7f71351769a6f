"""The search box of the requests list as SQL: which rows match, and which index finds them fast.

What matches (DESIGN 3; docs/INTERFACES.md, `requests.list_requests`):
- a word of 3+ letters: inside the first or the last name («رضا» finds «محمدرضا»); a word of 1-2
  letters: the start of the first or the last name («جم» finds «جمشید»); every word must match, in
  any order («محمدی زهرا» finds «زهرا محمدی»); two or more words run together may also be one name
  typed with spaces for its ZWNJ («ارومیه ای» finds «ارومیه‌ای»);
- a number of 2+ digits: the end of the receipt number («050911-0003», «0509110003», «۰۰۰۳») or of
  the tracking code (server_ref); 8-10 digits that make a valid national code: that code too; a
  1-digit number finds nothing;
- a whole receipt number or a request id: that request.
Every term is written twice: as an FTS5 phrase for `requests_search` (desk_app.store.search_index)
and as the same condition on the row's own columns (`instr`, `substr`). The phrase is exact, so the
index alone can drive a page; the column form serves plans driven by another index (one day, a rare
status). tests/test_services_search.py checks every plan against one rule written in Python.

Plans, newest first, pages cut by `seq`:
- a national code, receipt number or request id: their B-tree indexes (few rows);
- phrases matching few rows (< `cap`), or many while the other filters match many too: walk the
  index by rowid downwards, joining each hit to its row (FTS5 gives rowids in order, so a page of a
  common name stops after `limit` hits);
- phrases matching many rows while the filters match few (one day, a rare status): the filters'
  index, the phrases as column conditions;
- only 1-letter words: the key indexes as before (rare), or a walk down seq (common).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import SQLCoreOperations

from desk_app.domain.search import SearchQuery, parse_query
from desk_app.store import search_index as index
from desk_app.store.models import Request

_KEY_END = chr(0x10FFFF)
MIN_NUMBER = 2  # digits; with MARK after them that is one trigram


def prefix_range(column: SQLCoreOperations[str], prefix: str) -> ColumnElement[bool]:
    return (column >= prefix) & (column < prefix + _KEY_END)


def _keys(hide: bool) -> tuple[SQLCoreOperations[str], SQLCoreOperations[str]]:
    """The key columns; `key || ''` hides their indexes, so the planner walks another index."""
    if hide:
        return Request.first_key.concat(""), Request.last_key.concat("")
    return Request.first_key, Request.last_key


def word_condition(word: str, hide: bool = True) -> ColumnElement[bool]:
    """The word on the row's columns: inside a key (3+ letters) or at its start (1-2)."""
    first, last = _keys(hide)
    if len(word) >= index.MIN_PHRASE:
        return or_(func.instr(first, word) > 0, func.instr(last, word) > 0)
    return or_(prefix_range(first, word), prefix_range(last, word))


def word_phrase(word: str) -> str | None:
    if len(word) >= index.MIN_PHRASE:
        return index.phrase("name", word)
    if len(word) + 1 >= index.MIN_PHRASE:
        return index.phrase("name", index.MARK + word)
    return None


def number_condition(digits: str) -> ColumnElement[bool]:
    """The number on the row's columns: the end of the receipt number (dashes aside) or of the
    tracking code."""
    n = len(digits)
    return or_(
        func.substr(func.replace(Request.receipt_no, "-", ""), -n) == digits,
        func.substr(Request.server_ref, -n) == digits,
    )


def number_phrase(digits: str) -> str:
    return index.phrase("codes", digits + index.MARK)


def _name_terms(
    words: tuple[str, ...], joined: bool
) -> tuple[list[str], list[ColumnElement[bool]], list[ColumnElement[bool]]]:
    """(phrases, column conditions of the words no phrase covers, column conditions of all words).

    Two or more words may also be one name typed with spaces where it has a ZWNJ («ارومیه ای» for
    «ارومیه‌ای», whose key is «ارومیهای»): with `joined`, the words run together are an alternative."""
    phrases = [word_phrase(w) for w in words]
    present = [p for p in phrases if p]
    every = [word_condition(w) for w in words]
    if joined and len(words) > 1 and all(phrases):
        whole = "".join(words)
        alternative = f"(({' AND '.join(present)}) OR {word_phrase(whole)})"
        return [alternative], [], [or_(and_(*every), word_condition(whole))]
    short = [c for c, phrase in zip(every, phrases, strict=True) if phrase is None]
    return present, short, every


def _in_index(expression: str) -> ColumnElement[bool]:
    return Request.seq.in_(select(index.ROWID).where(index.match(expression)))


@dataclass
class Plan:
    """How to read one filtered list: `where` on requests; with `match`, the FTS index drives.
    `kind` names the plan (for tests and logs): filters, exact, codes, keys, index, columns, empty."""

    kind: str
    where: list[ColumnElement[bool]] = field(default_factory=list)
    match: str | None = None
    count_where: list[ColumnElement[bool]] | None = None  # when counting wants other indexes than the page walk
    low_seq: int | None = None  # bounds of the walk down the index (a day range's seqs)
    high_seq: int | None = None

    @property
    def empty(self) -> bool:
        return self.kind == "empty"

    def _bounds(self) -> list[ColumnElement[bool]]:
        bounds: list[ColumnElement[bool]] = []
        if self.low_seq is not None:
            bounds.append(index.ROWID >= self.low_seq)
        if self.high_seq is not None:
            bounds.append(index.ROWID <= self.high_seq)
        return bounds

    def _fts(self, stmt: Select[int], match: str) -> Select[int]:
        return stmt.where(index.match(match), *self.where, *self._bounds())

    def seqs(self, after_seq: int | None, limit: int) -> Select[int] | None:
        """A page of seqs, newest first, below `after_seq`; None when nothing can match."""
        if self.empty:
            return None
        if self.match is None:
            stmt = select(Request.seq).where(*self.where)
            if after_seq is not None:
                stmt = stmt.where(Request.seq < after_seq)
            return stmt.order_by(Request.seq.desc()).limit(limit)
        joined = index.TABLE.join(Request.__table__, Request.seq == index.ROWID)
        stmt = self._fts(select(Request.seq).select_from(joined), self.match)
        if after_seq is not None:
            stmt = stmt.where(index.ROWID < after_seq)
        return stmt.order_by(index.ROWID.desc()).limit(limit)

    def count(self) -> Select[int] | None:
        if self.empty:
            return None
        if self.match is None:
            where = self.where if self.count_where is None else self.count_where
            return select(func.count()).select_from(Request).where(*where)
        if not self.where:  # the index alone is exact: no row is read
            return self._fts(select(func.count()).select_from(index.TABLE), self.match)
        # the hits as a list, probed in the filters' covering index: cheaper than reading each row
        hits = select(index.ROWID).where(index.match(self.match), *self._bounds())
        return select(func.count()).select_from(Request).where(Request.seq.in_(hits), *self.where)


def _capped_count(session: Session, stmt: Select[int], cap: int) -> int:
    capped = stmt.limit(cap).subquery()
    return session.connection().execute(select(func.count()).select_from(capped)).scalar_one()


def plan(
    session: Session,
    query: str | SearchQuery | None,
    filters: list[ColumnElement[bool]],
    *,
    cap: int,
    narrow: Callable[[], bool] | None = None,
    seq_bounds: Callable[[], tuple[int | None, int | None]] | None = None,
) -> Plan:
    """The plan for `query` under the list `filters` (conditions on requests). `narrow()` says
    whether the filters alone match fewer than `cap` rows; `seq_bounds()` gives the lowest and
    highest seq they allow (a day range), for a walk down the index. Both are asked only when
    needed."""
    q = query if isinstance(query, SearchQuery) else parse_query(query)
    filters = list(filters)
    if q.request_id:
        return Plan("exact", filters + [Request.request_id == q.request_id])
    if q.receipt_no:
        return Plan("exact", filters + [Request.receipt_no == q.receipt_no])
    if q.empty:
        return Plan("filters", filters)
    if any(len(n) < MIN_NUMBER for n in q.numbers):
        return Plan("empty")
    anchors = [  # a number that may be a national code: the code's index, or a few index hits
        or_(Request.national_code == nc, _in_index(number_phrase(n)))
        for n, nc in zip(q.numbers, q.national_codes, strict=True)
        if nc
    ]
    numbers = [n for n, nc in zip(q.numbers, q.national_codes, strict=True) if not nc]
    phrases, short, every = _name_terms(q.words, joined=not q.numbers)
    phrases += [number_phrase(n) for n in numbers]
    every += [number_condition(n) for n in numbers]
    if anchors:
        return Plan("codes", filters + anchors + every)
    if not phrases:  # 1-letter words only: the key indexes, unless the first letter is common
        first = q.words[0]
        common = _capped_count(session, select(Request.seq).where(word_condition(first, hide=False)), cap) >= cap
        counted = filters + [word_condition(first, hide=False)] + short[1:]  # a count reads the key indexes
        return Plan("keys", filters + [word_condition(first, hide=common)] + short[1:], count_where=counted)
    expression = " AND ".join(phrases)
    if not filters:  # nothing else to choose: the index walk, whatever the number of hits
        return Plan("index", short, match=expression)
    common = _capped_count(session, select(index.ROWID).where(index.match(expression)), cap) >= cap
    if common and narrow is not None and narrow():
        return Plan("columns", filters + every)
    low, high = seq_bounds() if seq_bounds else (None, None)
    if seq_bounds and low is None:  # the days hold no request
        return Plan("empty")
    return Plan("index", filters + short, match=expression, low_seq=low, high_seq=high)
