"""`province.parse_desk_status` on anything a desk (or anyone with a token) can put in the header:
it never raises, keeps only values of the declared types and ranges, and keeps a valid field
whatever its neighbours hold."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from desk_app.sync import protocol
from provincial_server import province

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=50),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=20,
)
reports = st.dictionaries(st.sampled_from(protocol.DESK_STATUS_FIELDS) | st.text(max_size=12), json_values, max_size=8)


def check(out):
    assert out is None or isinstance(out, dict)
    for key, value in (out or {}).items():
        assert key in protocol.DESK_STATUS_FIELDS
        if key in ("pending", "oldest_pending_s", "attachment_bytes_pending"):
            assert type(value) is int and value >= 0
        else:
            assert isinstance(value, str) and 0 < len(value) <= max(protocol.MAX_DESK_ERROR, 32)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.text(max_size=300))
def test_any_header_text(raw):
    check(province.parse_desk_status(raw))


@settings(max_examples=300, deadline=None, derandomize=True)
@given(reports, st.integers(min_value=0, max_value=10**6))
def test_a_good_field_survives_bad_neighbours(report, pending):
    report = {**report, "pending": pending}
    out = province.parse_desk_status(json.dumps(report))
    check(out)
    if len(json.dumps(report)) <= protocol.MAX_DESK_STATUS_BYTES:
        assert out is not None and out["pending"] == pending
