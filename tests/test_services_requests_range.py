"""Request lists over a range of Tehran civil days: inclusive ends, keyset pages, the old `day=`."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from desk_app.domain.errors import InvalidInput
from desk_app.services import requests
from tests.helpers.deskdata import make_desk, register

# Tehran is UTC+03:30: 20:29 UTC on Nov 27 is still Nov 27 there, 20:31 UTC is already Nov 28.
TIMES = (
    [datetime(2026, 11, 26, 9, 0, tzinfo=UTC)] * 3
    + [datetime(2026, 11, 27, 20, 29, tzinfo=UTC)] * 4
    + [datetime(2026, 11, 27, 20, 31, tzinfo=UTC)] * 5
    + [datetime(2026, 11, 29, 8, 0, tzinfo=UTC)] * 6
)


@pytest.fixture(scope="module")
def desk(tmp_path_factory):
    d = make_desk(tmp_path_factory.mktemp("range") / "home")
    for n, when in enumerate(TIMES):
        register(d, n, now=when + timedelta(seconds=n))
    yield d
    d.close()


@pytest.mark.parametrize(
    "day_from, day_to, expected",
    [
        (date(2026, 11, 26), date(2026, 11, 29), 18),
        (date(2026, 11, 27), date(2026, 11, 28), 9),  # both ends inclusive, across Tehran midnight
        (date(2026, 11, 28), date(2026, 11, 28), 5),  # a range of one day
        (date(2026, 11, 28), None, 11),  # open end
        (None, date(2026, 11, 27), 7),  # open start
        ("2026-11-27", "2026-11-27", 4),  # ISO strings work like dates
        (date(2026, 11, 30), date(2026, 12, 20), 0),
    ],
)
def test_count_and_pages_of_a_range(desk, day_from, day_to, expected):
    filters = {k: v for k, v in (("day_from", day_from), ("day_to", day_to)) if v}
    assert requests.count_requests(desk, **filters) == expected
    seen, after = [], None
    while True:
        window = requests.ids_window(desk, after_seq=after, limit=2, **filters)
        seen += window
        if len(window) < 2:
            break
        after = window[-1]
    assert len(seen) == len(set(seen)) == expected and seen == sorted(seen, reverse=True)
    rows = list(requests.iter_requests(desk, page=3, **filters))
    assert [r.seq for r in rows] == seen
    low = str(day_from or "0000-00-00")
    high = str(day_to or "9999-99-99")
    assert all(low <= r.tehran_day <= high for r in rows)


def test_one_day_still_works_and_agrees_with_a_one_day_range(desk):
    one = requests.list_requests(desk, day=date(2026, 11, 28), limit=100)
    ranged = requests.list_requests(desk, day_from=date(2026, 11, 28), day_to=date(2026, 11, 28), limit=100)
    assert [r.receipt_no for r in one] == [r.receipt_no for r in ranged] and len(one) == 5
    # a receipt's date is the Tehran day: 20:31 UTC on Nov 27 is 1405/09/07 (Nov 28)
    assert {r.receipt_no.split("-")[2] for r in one} == {"050907"}


def test_a_backwards_range_or_a_bad_date_is_the_users_mistake(desk):
    with pytest.raises(InvalidInput) as err:
        requests.count_requests(desk, day_from=date(2026, 11, 29), day_to=date(2026, 11, 26))
    assert err.value.field == "day_to"
    with pytest.raises(InvalidInput):
        requests.ids_window(desk, day_from="1405/09/08")


@pytest.mark.parametrize(
    "bounds", [("2026-11-27", "2026-11-28"), ("2026-11-28", None), (None, "2026-11-27"), ("2026-11-26", "2026-11-29")]
)
def test_a_long_range_walks_seq_and_gives_the_same_pages(desk, monkeypatch, bounds):
    """Both plans of a range page (day index + sort, or a walk down seq from the range's newest
    row) return the same rows."""
    filters = {k: v for k, v in zip(("day_from", "day_to"), bounds) if v}

    def pages():
        out, after = [], None
        while True:
            window = requests.ids_window(desk, after_seq=after, limit=2, **filters)
            out += window
            if len(window) < 2:
                return out
            after = window[-1]

    monkeypatch.setattr(requests, "COMMON_NAME_ROWS", 10**9)
    by_index = pages()
    monkeypatch.setattr(requests, "COMMON_NAME_ROWS", 1)
    by_walk = pages()
    assert by_index == by_walk and by_index
    assert requests.count_requests(desk, **filters) == len(by_index)


@pytest.mark.parametrize("common, expected", [(10**9, "ix_requests_tehran_day"), (1, "SCAN requests")])
def test_query_plans_of_a_range(desk, monkeypatch, common, expected):
    """A short range is read through the day index even with one open end; a long one walks seq."""
    monkeypatch.setattr(requests, "COMMON_NAME_ROWS", common)
    filters = {"day_to": "2026-11-28"}
    with desk.db.read() as s:
        top = requests._long_range_top(s, filters)
        stmt = requests._plan(s, None, filters, long_range=top is not None).seqs(None, 100)
        sql = str(stmt.compile(s.get_bind(), compile_kwargs={"literal_binds": True}))
        plan = " ".join(str(r[-1]) for r in s.connection().exec_driver_sql("EXPLAIN QUERY PLAN " + sql))
    assert expected in plan, plan
