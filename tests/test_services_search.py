"""Search that finds people (issue 13, item 4): full names in any order, words inside names, short
prefixes, receipt-number and tracking-code suffixes, national codes, with the list filters and the
keyset windows, on requests registered through intake and kept current by the index triggers."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from desk_app.domain.text import search_key
from desk_app.services import cancel, requests
from desk_app.store.models import Request
from tests.helpers.deskdata import make_desk, national_code, register

DAY1 = datetime(2026, 12, 2, 6, 0, tzinfo=UTC)  # 1405/09/11 in Tehran: receipts 4512-2-050911-NNNN
DAY2 = datetime(2026, 12, 3, 6, 0, tzinfo=UTC)  # 1405/09/12
# (first, last) as typed at the counter: Arabic ي/ك, a ZWNJ, a space inside a surname
PEOPLE = [
    ("زهرا", "محمدي"),  # 0001
    ("محمدرضا", "کریمی"),  # 0002
    ("جمشید", "رضایی"),  # 0003
    ("علي", "كاظمي"),  # 0004
    ("مریم", "ارومیه‌ای"),  # 0005
    ("فاطمه", "محمدی‌زاده"),  # 0006
    ("سارا", "جم"),  # 0007
    ("نجمه", "صادقی"),  # 0008
    ("رضا", "احمدی"),  # 0009
    ("امیر", "حسین زاده"),  # 0010
]
REFS = {2: "7340012345", 5: "1100000003"}  # index in PEOPLE -> tracking code from the province


@pytest.fixture(scope="module")
def desk(tmp_path_factory):
    d = make_desk(tmp_path_factory.mktemp("search") / "home")
    for day, base in ((DAY1, 0), (DAY2, 100)):
        for i, (first, last) in enumerate(PEOPLE):
            clerk = "sara" if i % 3 == 2 else "ali"
            service = "1101" if i % 2 else "2101"
            register(
                d,
                base + i,
                first_name=first,
                last_name=last,
                clerk=clerk,
                service_code=service,
                now=day + timedelta(minutes=i),
            )
    with d.db.write() as s:  # what the sync engine does when the province answers
        for i, ref in REFS.items():
            row = s.get(Request, i + 1)
            row.server_ref, row.status = ref, "submitted"
    cancel.cancel_request(d, "4512-2-050912-0001", reason="انصراف", clerk="ali")
    yield d
    d.close()


def receipts(desk, **kw) -> list[str]:
    return [r.receipt_no for r in requests.iter_requests(desk, page=3, **kw)]


def names(desk, query, day="2026-12-02") -> set[str]:
    """Full names found on day 1 (each person is there once)."""
    rows = requests.list_requests(desk, query=query, day=day, limit=100)
    assert requests.count_requests(desk, query=query, day=day) == len(rows)
    return {f"{r.first_name} {r.last_name}" for r in rows}


@pytest.mark.parametrize(
    "query", ["زهرا محمدی", "محمدی زهرا", "زهرا محمدي", "  زهرا   محمدی ", "زهرا، محمدی", "محمّدی زَهرا"]
)
def test_full_name_in_any_order(desk, query):
    assert names(desk, query) == {"زهرا محمدی"}


def test_each_word_alone_still_finds_her(desk):
    assert "زهرا محمدی" in names(desk, "زهرا")
    assert names(desk, "محمدی") == {"زهرا محمدی", "فاطمه محمدی\u200cزاده"}


def test_a_word_inside_a_name(desk):
    assert names(desk, "رضا") == {"محمدرضا کریمی", "جمشید رضایی", "رضا احمدی"}
    assert names(desk, "مدی") == {"زهرا محمدی", "فاطمه محمدی\u200cزاده", "رضا احمدی"}
    assert names(desk, "زاده") == {"فاطمه محمدی\u200cزاده", "امیر حسین زاده"}
    assert names(desk, "رضا کریمی") == {"محمدرضا کریمی"}


def test_short_words_are_the_start_of_a_name(desk):
    assert names(desk, "جم") == {"جمشید رضایی", "سارا جم"}  # not «نجمه»: «جم» is inside it, not at its start
    assert names(desk, "نجم") == {"نجمه صادقی"}
    assert names(desk, "ع") == {"علی کاظمی"}
    assert names(desk, "ك") == {"محمدرضا کریمی", "علی کاظمی"}  # Arabic kaf typed, Persian stored
    assert names(desk, "س ج") == {"سارا جم"}
    assert names(desk, "جم ر") == {"جمشید رضایی"}


@pytest.mark.parametrize(
    "query, expected",
    [
        ("علی کاظمی", {"علی کاظمی"}),  # typed with Arabic ي and ك at intake
        ("عَلی", {"علی کاظمی"}),  # a diacritic
        ("ارومیه‌ای", {"مریم ارومیه\u200cای"}),
        ("ارومیهای", {"مریم ارومیه\u200cای"}),  # ZWNJ left out
        ("ارومیه ای", {"مریم ارومیه\u200cای"}),  # a space for the ZWNJ
        ("حسین‌زاده", {"امیر حسین زاده"}),  # stored with a space, typed with a ZWNJ
        ("حسینزاده", {"امیر حسین زاده"}),
        ("امير حسين زاده", {"امیر حسین زاده"}),
        ("محمدی‌زاده فاطمه", {"فاطمه محمدی\u200cزاده"}),
    ],
)
def test_the_query_is_folded_as_intake_folds_names(desk, query, expected):
    assert names(desk, query) == expected


@pytest.mark.parametrize(
    "query",
    [
        "050911-0003",
        "۰۵۰۹۱۱-۰۰۰۳",
        "٠٥٠٩١١-٠٠٠٣",  # Arabic-Indic digits
        "0509110003",
        "050911 0003",
        "050911–0003",  # an en dash from a word processor
        "2-050911-0003",
        "911-0003",
        "4512-2-050911-0003",
    ],
)
def test_receipt_number_suffix(desk, query):
    assert receipts(desk, query=query) == ["4512-2-050911-0003"]


def test_receipt_daily_sequence_finds_it_on_every_day(desk):
    assert receipts(desk, query="0003", service="1101") == ["4512-2-050911-0006"]  # by its tracking code
    assert receipts(desk, query="0003", day="2026-12-03") == ["4512-2-050912-0003"]
    assert receipts(desk, query="۰۳", day="2026-12-03") == ["4512-2-050912-0003"]
    assert receipts(desk, query="4512-2-050911") == []  # the start of a number is not its end


def test_tracking_code_whole_or_its_end(desk):
    assert receipts(desk, query="7340012345") == ["4512-2-050911-0003"]
    assert receipts(desk, query="۷۳۴۰۰۱۲۳۴۵") == ["4512-2-050911-0003"]
    assert receipts(desk, query="012345") == ["4512-2-050911-0003"]
    # «0003» is the end of a receipt number on each day and of the tracking code 1100000003
    assert receipts(desk, query="0003") == ["4512-2-050912-0003", "4512-2-050911-0006", "4512-2-050911-0003"]
    assert receipts(desk, query="00003") == ["4512-2-050911-0006"]  # receipt digits end in «10003»


def test_national_code_whole_with_dashes_or_without_leading_zeros(desk):
    code = national_code(3)
    assert receipts(desk, query=code) == ["4512-2-050911-0004"]
    assert receipts(desk, query=f"{code[:3]}-{code[3:9]}-{code[9]}") == ["4512-2-050911-0004"]
    assert code.startswith("00") and receipts(desk, query=code[2:]) == ["4512-2-050911-0004"]
    assert receipts(desk, query=f"علی {code}") == ["4512-2-050911-0004"]
    assert receipts(desk, query=f"زهرا {code}") == []


def test_names_and_numbers_together(desk):
    assert receipts(desk, query="جمشید 0003") == ["4512-2-050912-0003", "4512-2-050911-0003"]
    assert receipts(desk, query="0003 رضایی", day="2026-12-02") == ["4512-2-050911-0003"]
    assert receipts(desk, query="زهرا 0003") == []


@pytest.mark.parametrize("query", ["3", "۷", "زهرا 1"])
def test_a_one_digit_number_finds_nothing(desk, query):
    assert requests.count_requests(desk, query=query) == 0 and requests.list_requests(desk, query=query) == []


@pytest.mark.parametrize(
    "query", ['"', '"رضا', "رضا OR علی", "NEAR(رضا)", "name : رضا", "رضا*", "-", "^جم", "()", "'; DROP TABLE x;--"]
)
def test_search_box_text_is_never_fts_syntax(desk, query):
    """Quotes, operators and column filters of FTS5 are plain characters: no error, the same rule."""
    everyone = list(requests.iter_requests(desk))
    assert receipts(desk, query=query) == [r.receipt_no for r in everyone if rule(query)(r)]


def test_punctuation_around_a_word_is_left_out(desk):
    assert names(desk, '"رضا') == names(desk, "رضا*") == names(desk, "رضا") != set()
    assert names(desk, "رضا OR علی") == set()  # three words; no name holds «or»


def test_search_with_every_filter(desk):
    assert receipts(desk, query="محمدی", status="cancelled") == ["4512-2-050912-0001"]
    assert receipts(desk, query="محمدی", day="2026-12-03") == ["4512-2-050912-0006", "4512-2-050912-0001"]
    assert receipts(desk, query="رضا", day_from="2026-12-03") == [
        "4512-2-050912-0009",
        "4512-2-050912-0003",
        "4512-2-050912-0002",
    ]
    assert receipts(desk, query="رضا", clerk="sara") == [
        "4512-2-050912-0009",
        "4512-2-050912-0003",
        "4512-2-050911-0009",
        "4512-2-050911-0003",
    ]
    assert receipts(desk, query="رضا", service="1101", day_to="2026-12-02") == ["4512-2-050911-0002"]
    assert receipts(desk, query="0003", status="submitted") == ["4512-2-050911-0006", "4512-2-050911-0003"]


# --- the rule, written once more in Python, against which every plan is checked -------------


def rule(query: str):
    from desk_app.domain.search import parse_query

    q = parse_query(query)

    def word(r, w):
        keys = (search_key(r.first_name), search_key(r.last_name))
        return any(w in k if len(w) >= 3 else k.startswith(w) for k in keys)

    def number(r, n, nc):
        ends = r.receipt_no.replace("-", "").endswith(n) or (r.server_ref or "").endswith(n)
        return len(n) >= 2 and ends or nc is not None and r.national_code == nc

    def ok(r) -> bool:
        if q.receipt_no:
            return r.receipt_no == q.receipt_no
        joined = "".join(q.words)
        words = all(word(r, w) for w in q.words) or (
            len(q.words) > 1 and not q.numbers and all(len(w) >= 2 for w in q.words) and word(r, joined)
        )
        if any(len(n) < 2 for n in q.numbers):
            return False
        return words and all(number(r, n, nc) for n, nc in zip(q.numbers, q.national_codes, strict=True))

    return ok


QUERIES = [
    "رضا",
    "محمدی",
    "زهرا محمدی",
    "جم",
    "م",
    "ع ک",
    "0003",
    "03",
    "2345",
    "رضا 0003",
    "ارومیه ای",
    "زاده",
    national_code(3),
]
FILTERS = [
    {},
    {"day": "2026-12-02"},
    {"status": "submitted"},
    {"clerk": "ali", "day_from": "2026-12-03"},
    {"service": "2101", "day_to": "2026-12-02"},
    {"day_from": "2027-01-01"},  # days without a request
]


@pytest.mark.parametrize(
    "cap, kinds", [(1, {"index", "columns", "keys"}), (4, {"index", "columns", "keys"}), (10**9, {"index", "keys"})]
)
def test_every_plan_gives_the_rule_in_keyset_windows(desk, monkeypatch, cap, kinds):
    """With the threshold between common and rare moved, each query is read through the index walk,
    the filters' index with the terms on the columns, or the key indexes; pages of 2 must give
    exactly the rule's rows, newest first, and the count their number."""
    from desk_app.services import search

    plans = []
    original = search.plan
    monkeypatch.setattr(requests, "COMMON_NAME_ROWS", cap)
    monkeypatch.setattr(search, "plan", lambda *a, **kw: plans.append(original(*a, **kw)) or plans[-1])
    for filters in FILTERS:
        rows = list(requests.iter_requests(desk, **filters))
        for query in QUERIES:
            expected = [r.receipt_no for r in rows if rule(query)(r)]
            got, after = [], None
            while True:
                page = requests.ids_window(desk, query=query, after_seq=after, limit=2, **filters)
                got += [r.receipt_no for r in requests.get_requests(desk, page)]
                if len(page) < 2:
                    break
                after = page[-1]
            assert got == expected, (query, filters)
            assert requests.count_requests(desk, query=query, **filters) == len(expected), (query, filters)
    assert kinds | {"codes", "filters"} <= {p.kind for p in plans}  # each plan was taken


def test_a_page_of_a_name_reads_the_index_not_the_table(desk):
    with desk.db.read() as s:
        stmt = requests._plan(s, "زهرا محمدی", {}).seqs(None, 100)
        sql = str(stmt.compile(s.get_bind(), compile_kwargs={"literal_binds": True}))
        plan = " ".join(str(r[-1]) for r in s.connection().exec_driver_sql("EXPLAIN QUERY PLAN " + sql))
    # the index walks its hits newest first; each hit reads one row by its key; no scan, no sort
    assert "requests_search VIRTUAL TABLE" in plan and "SEARCH requests USING INTEGER PRIMARY KEY" in plan, plan
    assert not re.search(r"SCAN requests(?!_search)|TEMP B-TREE", plan), plan


# --- the index follows every write --------------------------------------------------------------


def test_index_follows_name_corrections_tracking_codes_and_deletes(tmp_path):
    d = make_desk(tmp_path / "home")
    try:
        first = register(d, 1, first_name="حسن", last_name="نوروزی", now=DAY1)
        second = register(d, 2, first_name="حسین", last_name="نوروزی", now=DAY1 + timedelta(minutes=1))
        assert requests.count_requests(d, query="حسن نوروزی") == 1
        with d.db.write() as s:  # a corrected surname: the name and its key, as intake stores them
            row = s.get(Request, first.seq)
            row.last_name, row.last_key = "نوروزیان", search_key("نوروزیان")
        assert requests.count_requests(d, query="نوروزیان") == 1
        assert requests.count_requests(d, query="حسن نوروزی") == 1  # «نوروزی» is inside «نوروزیان»
        with d.db.write() as s:
            row = s.get(Request, first.seq)
            row.first_name, row.first_key = "محسن", search_key("محسن")
        assert requests.count_requests(d, query="حسن") == 1  # «محسن» holds «حسن»
        assert requests.count_requests(d, query="حس") == 1  # but only «حسین» starts with it
        assert requests.count_requests(d, query="4455667788") == 0
        with d.db.write() as s:  # the tracking code arrives through sync
            s.get(Request, first.seq).server_ref = "4455667788"
        assert [r.seq for r in requests.list_requests(d, query="4455667788")] == [first.seq]
        with d.db.write() as s:  # a row removed (with what refers to it)
            for table in ("outbox", "request_history", "print_jobs"):
                s.execute(text(f"DELETE FROM {table} WHERE request_id = :r"), {"r": first.request_id})
            s.execute(text("DELETE FROM requests WHERE seq = :q"), {"q": first.seq})
        assert requests.count_requests(d, query="4455667788") == 0
        assert requests.count_requests(d, query="نوروزی") == 1
        with d.db.read() as s:
            hits = s.execute(text("SELECT rowid FROM requests_search WHERE requests_search MATCH 'نوروزی'")).all()
            assert hits == [(second.seq,)]
            s.execute(text("INSERT INTO requests_search (requests_search, rank) VALUES ('integrity-check', 1)"))
    finally:
        d.close()


def test_updates_that_touch_no_searched_column_leave_the_index_alone(tmp_path):
    d = make_desk(tmp_path / "home")
    try:
        r = register(d, 1, first_name="زهرا", last_name="محمدی", now=DAY1)
        with d.db.read() as s:
            before = s.execute(text("SELECT count(*) FROM requests_search_data")).scalar()
        with d.db.write() as s:
            s.execute(text("UPDATE requests SET status = 'submitted', reprint_count = 2 WHERE seq = :q"), {"q": r.seq})
            s.execute(text("UPDATE requests SET first_key = first_key WHERE seq = :q"), {"q": r.seq})
        with d.db.read() as s:
            assert s.execute(text("SELECT count(*) FROM requests_search_data")).scalar() == before
        assert requests.count_requests(d, query="زهرا محمدی") == 1
    finally:
        d.close()


def _index_matches_rows(desk) -> bool:
    """FTS5's own check of the index against its text (the view over requests)."""
    from desk_app.store.errors import StoreError

    try:
        with desk.db.read() as s:
            s.execute(text("INSERT INTO requests_search (requests_search, rank) VALUES ('integrity-check', 1)"))
    except StoreError as exc:  # SQLITE_CORRUPT_VTAB: the index and the rows disagree
        assert exc.kind == "corrupt"
        return False
    return True


def test_index_agrees_with_every_row_after_intake_sync_updates_and_cancels(desk):
    assert _index_matches_rows(desk)


def test_the_agreement_check_sees_a_write_the_index_missed(tmp_path):
    d = make_desk(tmp_path / "home")
    try:
        r = register(d, 1, first_name="زهرا", last_name="محمدی", now=DAY1)
        assert _index_matches_rows(d)
        with d.db.write() as s:  # a write behind the trigger's back
            s.execute(text("DROP TRIGGER requests_search_update"))
            s.execute(text("UPDATE requests SET last_key = 'رضایی' WHERE seq = :q"), {"q": r.seq})
        assert not _index_matches_rows(d)
        with d.db.write() as s:
            s.execute(text("INSERT INTO requests_search (requests_search) VALUES ('rebuild')"))
        assert _index_matches_rows(d) and requests.count_requests(d, query="زهرا رضایی") == 1
    finally:
        d.close()
