"""Request lists: count + keyset pages, filters and searches on the folded keys."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from desk_app.domain.errors import InvalidInput
from desk_app.services import cancel, requests
from tests.helpers.deskdata import make_desk, national_code, register

NAMES = [("أحمد", "کریمی"), ("احمدرضا", "رضایی"), ("زهرا", "احمدی"), ("مریم", "کاظمی"), ("علی", "محمدی")]
DAY1 = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
DAY2 = datetime(2026, 11, 29, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def desk(tmp_path_factory):
    d = make_desk(tmp_path_factory.mktemp("req") / "home")
    for n in range(40):
        first, last = NAMES[n % len(NAMES)]
        register(d, n, first_name=first, last_name=last, now=(DAY1 if n < 15 else DAY2) + timedelta(seconds=n))
    cancel.cancel_request(d, "4512-2-050908-0001", reason="x", clerk="ali")
    yield d
    d.close()


def test_keyset_pages_cover_everything_once_newest_first(desk):
    assert requests.count_requests(desk) == 40
    seen, after = [], None
    while True:
        page = requests.list_requests(desk, after_seq=after, limit=7)
        seen += [r.seq for r in page]
        if len(page) < 7:
            break
        after = page[-1].seq
    assert seen == sorted(seen, reverse=True) and len(seen) == len(set(seen)) == 40
    assert requests.ids_window(desk, limit=7, after_seq=seen[6]) == seen[7:14]
    rows = requests.get_requests(desk, seen[7:10])
    assert [r.seq for r in rows] == seen[7:10]
    assert [r.seq for r in requests.iter_requests(desk, page=6)] == seen


def test_filters(desk):
    assert requests.count_requests(desk, day=date(2026, 11, 28)) == 15
    assert requests.count_requests(desk, day="2026-11-29") == 25
    assert requests.count_requests(desk, status="cancelled") == 1
    assert requests.count_requests(desk, status="registered", day=date(2026, 11, 29)) == 24
    assert requests.count_requests(desk, service="2101", clerk="ALI") == 40
    with pytest.raises(InvalidInput):
        requests.count_requests(desk, status="lost")


@pytest.mark.parametrize(
    "query, expected",
    [
        ("احمد", 24),  # first names أحمد/احمدرضا (folded) and last name احمدی: 3 of 5 names
        ("اَحمد", 24),  # a diacritic typed by the clerk is folded away too
        ("کری", 8),
        ("مریم کاظمی", 8),  # a full name: each word in the first or the last name
        ("کاظمی مریم", 8),  # in any order
        ("4512-2-050908-0003", 1),
        ("۴۵۱۲-۲-۰۵۰۹۰۸-۰۰۰۳", 1),
    ],
)
def test_search(desk, query, expected):
    assert requests.count_requests(desk, query=query) == expected


def test_search_by_national_code_and_get(desk):
    code = national_code(17)
    hits = requests.list_requests(desk, query=code)
    assert len(hits) == 1 and hits[0].national_code == code
    r = requests.get_request(desk, hits[0].request_id)
    assert r.receipt_no == hits[0].receipt_no
    with pytest.raises(InvalidInput):
        requests.get_request(desk, "4512-2-050909-9999")
    with pytest.raises(InvalidInput):
        requests.get_request(desk, "'; DROP TABLE requests; --")


@pytest.mark.parametrize(
    "filters", [{"query": "احمد"}, {"query": "کری", "day": "2026-11-29"}, {"query": "م", "status": "registered"}]
)
def test_common_name_walk_gives_the_same_pages_as_the_index(desk, monkeypatch, filters):
    """Both plans of a name page (index + sort, or a walk down seq) return the same rows."""

    def pages():
        out, after = [], None
        while True:
            page = requests.list_requests(desk, after_seq=after, limit=4, **filters)
            out += [r.receipt_no for r in page]
            if len(page) < 4:
                return out
            after = page[-1].seq

    monkeypatch.setattr(requests, "COMMON_NAME_ROWS", 10**9)
    by_index = pages()
    monkeypatch.setattr(requests, "COMMON_NAME_ROWS", 1)
    by_walk = pages()
    assert by_index == by_walk and len(by_index) >= 5
    assert by_index == [r.receipt_no for r in requests.iter_requests(desk, **filters)]
