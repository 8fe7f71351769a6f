"""Hypothesis strategies that fuzz the *fields* of batch items (not only the envelope that the
OpenAPI document describes), and the checks every answer must pass. Used by
tests/test_server_fuzz.py (short) and bench/server_fuzz.py (long).

A case is a batch: fuzzed `request` items (a few payload or envelope fields replaced by edge
values, random JSON or near-valid mutations, the hash usually recomputed so the item reaches the
deep checks), sometimes a fuzzed `cancel` (by the registering device or another), and always one
good request. The server must answer 200 with one result per item; the good item is created; an
`invalid` result names a field and says why in Persian; everything `created` is really stored.
"""

from __future__ import annotations

import json
import math
import re
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone

from hypothesis import strategies as st

from desk_app.domain.canonical import payload_sha256
from desk_app.sync import protocol
from tests.helpers.server import make_cancel_op, make_request_op

B = protocol.API_PREFIX
DROP = "<drop>"  # a sentinel value: remove the field
RESULT_CODE = re.compile(r"[a-z0-9_.:-]{1,64}", re.ASCII)  # what the desk's engine stores (else "unknown")

EDGE_STRINGS = [
    "",
    " ",
    "\n",
    "\x00",
    "a\x00b",
    "\ud800",
    "x\udfff",
    "\u202e",
    "\u2066x\u2069",
    "\u200f\u061c",
    "\ufeff",
    "\u0640",
    "۱۲۳۴",
    "٤٥٦٧",
    "ي ك",
    "ﻙﯽ",
    "🙂",
    "x" * 5000,
    "9" * 4400,  # int() of it refuses (more than 4300 digits)
    "NaN",
    "Infinity",
    "null",
    "true",
    "-1",
    "1e309",
    "0x10",
    "'; DROP TABLE requests; --",
    "%s%n",
    "{}",
    "../../etc/passwd",
    "9999-12-31T23:59:59+00:00",
    "0001-01-01T00:00:00+14:00",
    "2026-11-29T10:00:00",
    "2026-02-30T00:00:00Z",
    "00000000-0000-4000-8000-000000000000",
]
EDGE_NUMBERS = [
    0,
    -1,
    1,
    2**31 - 1,
    2**31,
    2**63 - 1,
    2**63,
    -(2**63) - 1,
    10**13,
    10**13 + 1,
    10**30,
    1.5,
    -0.0,
    1e308,
    5e-324,
    math.nan,
    math.inf,
    -math.inf,
    True,
    False,
]
EDGES = st.sampled_from([*EDGE_STRINGS, *EDGE_NUMBERS, None, [], {}, [None], {"a": None}, DROP])

_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=40),
)
JSON = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)

_TZ = st.sampled_from(
    [UTC, None, timezone(timedelta(hours=14)), timezone(timedelta(hours=-12)), timezone(timedelta(hours=3, minutes=30))]
)
INSTANTS = st.builds(
    lambda dt, sep, z: dt.isoformat(sep=sep).replace("+00:00", "Z") if z else dt.isoformat(sep=sep),
    st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31, 23, 59, 59), timezones=_TZ),
    st.sampled_from(["T", " "]),
    st.booleans(),
)


def _near(value):
    """Values one step from a valid one: the kind of mistake a buggy client makes."""
    if isinstance(value, bool):
        return st.sampled_from([not value, int(value), str(value).lower()])
    if isinstance(value, int):
        return st.sampled_from([value + 1, value - 1, -value, str(value), float(value), value * 10**6, [value]])
    if isinstance(value, str):
        persian = value.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
        return st.sampled_from(
            [
                value + "\n",
                " " + value,
                value.upper(),
                persian,
                value[:-1],
                value + "0",
                "\u202e" + value,
                value[:1] + "\u2066" + value[1:],
                value * 3,
            ]
        )
    return st.just(value)


REQUEST_FIELDS = [  # the first ones are drawn a little more often
    "created_at",
    "clock_skew_s",
    "request_id",
    "receipt_no",
    "office",
    "device",
    "clock_skew_s",
    "clerk",
    "clerk.username",
    "clerk.full_name",
    "shift_id",
    "citizen",
    "citizen.national_code",
    "citizen.first_name",
    "citizen.last_name",
    "citizen.mobile",
    "service_code",
    "catalog_version",
    "fees",
    "fees.0",
    "fees.0.kind",
    "fees.0.amount",
    "fees.1.amount",
    "total",
    "payment",
    "payment.method",
    "payment.ref",
    "server_ref",
    "extra_field",
]
CANCEL_FIELDS = ["at", "refund", "reason", "request_id", "clerk", "clerk.username", "extra_field"]
ENVELOPE_FIELDS = ["op_id", "kind", "request_id", "receipt_no", "payload_sha256", "payload"]


def _get(obj, path: str):
    for key in path.split("."):
        if isinstance(obj, list) and key.isdigit():
            obj = obj[int(key)] if int(key) < len(obj) else None
        elif isinstance(obj, dict):
            obj = obj.get(key)
        else:
            return None
    return obj


def _set(obj, path: str, value) -> None:
    *parents, last = path.split(".")
    for key in parents:
        if isinstance(obj, list) and key.isdigit():
            nxt = obj[int(key)] if int(key) < len(obj) else None
        elif isinstance(obj, dict):
            nxt = obj.get(key)
        else:
            return
        if not isinstance(nxt, dict | list):
            return  # an ancestor was replaced by a scalar: nothing left to set
        obj = nxt
    if isinstance(obj, list):
        if last.isdigit() and int(last) < len(obj):
            obj[int(last)] = None if value is DROP else value
    elif isinstance(obj, dict):
        if value is DROP:
            obj.pop(last, None)
        else:
            obj[last] = value


# Edge values by the kind of field: the boundaries of its type and range, where code breaks.
_AMOUNT_EDGES = [-1, 0, 10**13, 10**13 + 1, 10**30, 1.5, 12000000.0, True, "850000", math.nan, None]
_INSTANT_EDGES = [
    "9999-12-31T23:59:59+00:00",
    "9999-12-31T23:59:59.999999Z",
    "0001-01-01T00:00:00+00:00",
    "0001-01-01T00:00:00+14:00",
    "9999-12-31T23:00:00-12:00",
    "2026-11-29T10:00:00+14:00",
    "2026-11-29T10:00:00-23:59",
    "2026-11-29T10:00:00",
    "2026-11-29",
    "1999-12-31T23:59:59Z",
    "2100-01-01T00:00:00Z",
    "2026-11-29T10:00:00Z\n",
    "",
    1764410000,
]
_ID_EDGES = ["", "\n", "x" * 37, "\u202e", "0" * 36, "00000000-0000-4000-8000-00000000000" + "\u0660"]
FIELD_EDGES = {
    "created_at": _INSTANT_EDGES,
    "at": _INSTANT_EDGES,
    "clock_skew_s": [math.nan, math.inf, -math.inf, 1e308, -1e308, 10**30, "5", True, None, 3.2e9],
    "device": [0, -1, 1000, 10**20, True, "2", 2.0, None],
    "office": ["", "123", "1234567", "4512\n", "۴۵۱۲", 4512],
    "amount": _AMOUNT_EDGES,
    "total": _AMOUNT_EDGES,
    "refund": _AMOUNT_EDGES,
    "receipt_no": ["", "4512-2-050908-0000", "4512-02-050908-0001", "4512-2-059999-0001", "4512-2-050908-" + "9" * 40],
    "request_id": _ID_EDGES,
    "op_id": _ID_EDGES,
    "shift_id": _ID_EDGES + [5],
    "server_ref": ["", "0000000000", "123456789", "12345678901", "1234567890\n", 1234567890],
    "national_code": ["", "0000000000", "1111111111", "۰۰۸۴۵۷۵۹۴۸", "008457594", "0084575948\n", 84575948],
    "mobile": ["", "0912", "+989121234567", "۰۹۱۲۱۲۳۴۵۶۷", 9121234567],
    "first_name": ["", "\u202e\u2069", "\u200c", "ع" * 101, "ﷺ" * 100, 5],
    "last_name": ["", "\u202e\u2069", "ع" * 101, None],
    "reason": ["", "\u202e\u2069", "ر" * 501, 5, None],
    "username": ["", "a" * 65, "sa\u202era", "ALI", "علی", None],
    "service_code": ["", "x" * 17, "21 01", "2101\n", 2101],
    "catalog_version": ["", "v" * 65, " 1405-09-01", "1405\u202e-09-01", None],
    "kind": ["tip", "", None, "GOVERNMENT"],
    "method": ["bitcoin", "", None, "CASH"],
    "ref": ["r" * 65, "12\u202e34", "", "a b"],
    "payload_sha256": ["", "F" * 64, "0" * 63, "0" * 65],
}


def value_for(path: str, current):
    leaf = path.split(".")[-1]
    # Hypothesis leans to the first branch and the first element of each: the field's own edges
    # come first, then near-valid values, then anything at all.
    options = [st.sampled_from(FIELD_EDGES[leaf])] if leaf in FIELD_EDGES else []
    if leaf in ("created_at", "at"):
        options.append(INSTANTS)
    options += [_near(current) if current is not None else EDGES, EDGES, JSON]
    return st.one_of(*options)


@st.composite
def fuzzed_payload(draw, base: dict, fields: list[str], min_fields: int = 1) -> dict:
    payload = json.loads(json.dumps(base))
    # mostly one field: an item with several bad fields stops at the first check it fails
    count = draw(st.sampled_from([min_fields, 1, 1, 1, 2, 3]))
    for path in draw(st.lists(st.sampled_from(fields), min_size=count, max_size=count, unique=True)):
        _set(payload, path, draw(value_for(path, _get(payload, path))))
    return payload


def _hash(payload) -> str:
    try:
        return payload_sha256(payload)
    except (UnicodeEncodeError, ValueError, TypeError):  # a lone surrogate has no UTF-8 bytes
        return "0" * 64


@st.composite
def fuzzed_item(draw, base_op: dict, fields: list[str], min_fields: int = 1) -> dict:
    payload = draw(fuzzed_payload(base_op["payload"], fields, min_fields))
    op = dict(base_op, payload=payload)
    if isinstance(payload.get("request_id"), str) and draw(st.sampled_from([True, False])):
        op["request_id"] = payload["request_id"]  # so it gets past `request_id_mismatch`
    if payload != base_op["payload"]:  # the hash is redone, but now and then left stale
        op["payload_sha256"] = _hash(payload) if draw(st.sampled_from([True] * 9 + [False])) else "f" * 64
    if draw(st.sampled_from([False] * 5 + [True])):  # now and then the envelope too
        path = draw(st.sampled_from(ENVELOPE_FIELDS))
        _set(op, path, draw(value_for(path, op.get(path))))
    return op


@dataclass
class FuzzTarget:
    """A live server's office with two devices: 2 sends, 3 registered `theirs` (foreign cancels)."""

    clients: dict  # device -> httpx.Client
    office: str
    mine: list[str]  # request ids device 2 registered (cancel targets)
    theirs: list[str]  # request ids device 3 registered


@dataclass
class FuzzStats:
    batches: int = 0
    items: int = 0
    results: Counter = field(default_factory=Counter)
    codes: Counter = field(default_factory=Counter)
    created_ids: list = field(default_factory=list)
    server_errors: int = 0

    def line(self) -> str:
        top = ", ".join(f"{c} {n}" for c, n in self.codes.most_common(8))
        return (
            f"{self.batches} batches, {self.items} items, {self.server_errors} answers 5xx; "
            f"results {dict(self.results)}; commonest invalid codes: {top}"
        )


def batch_case(target: FuzzTarget):
    """The strategy of one case: (items, index of the good item)."""

    @st.composite
    def case(draw):
        o = target.office
        items = [
            draw(fuzzed_item(make_request_op(o, 2, n=draw(st.integers(1, 10**6))), REQUEST_FIELDS))
            for _ in range(draw(st.integers(1, 3)))
        ]
        if draw(st.booleans()) and target.mine:
            rid = draw(st.sampled_from(target.mine) | st.sampled_from(target.theirs))
            cancel = make_cancel_op(rid, refund=draw(st.sampled_from([0, 850000])))
            sound = draw(st.integers(0, 2)) == 0  # a third go as they are: cancelled, too late, or foreign
            items.append(cancel if sound else draw(fuzzed_item(cancel, CANCEL_FIELDS)))
        good = make_request_op(o, 2, n=draw(st.integers(1, 10**6)))
        at = draw(st.integers(0, len(items)))
        items.insert(at, good)
        return items, at

    return case()


def encode(items) -> bytes:
    return json.dumps({"items": items}, ensure_ascii=True, allow_nan=True).encode("ascii")


def check_batch(target: FuzzTarget, items: list, good_at: int, stats: FuzzStats) -> None:
    """Post the batch and assert what every answer must be."""
    c = target.clients[2]
    r = c.post(
        f"{B}/offices/{target.office}/requests/batch",
        content=encode(items),
        headers={"Content-Type": "application/json"},
    )
    stats.batches += 1
    stats.items += len(items)
    if r.status_code >= 500:
        stats.server_errors += 1
    assert r.status_code == 200, (r.status_code, r.text[:500], encode(items)[:3000])
    results = r.json()["results"]
    assert len(results) == len(items)
    for item, res in zip(items, results, strict=True):
        kind = protocol.ResultKind(res["result"])
        stats.results[kind.value] += 1
        op_id = item.get("op_id") if isinstance(item, dict) else None
        if isinstance(op_id, str) and protocol.UUID_RE.match(op_id):
            assert res["op_id"] == op_id.lower()
        else:
            assert res["op_id"] is None
        if kind is protocol.ResultKind.INVALID:
            stats.codes[res["code"]] += 1
            assert res["detail"] and any("\u0600" <= ch <= "\u06ff" for ch in res["detail"]), res
            assert RESULT_CODE.fullmatch(res["code"]), res  # a code the desk keeps as it is
        if kind is protocol.ResultKind.CREATED:
            stats.created_ids.append(res["request_id"])
    assert results[good_at]["result"] == "created", results[good_at]


def check_stored(target: FuzzTarget, stats: FuzzStats) -> None:
    """Everything answered `created` is held by the server."""
    c = target.clients[2]
    ids = list(dict.fromkeys(stats.created_ids))
    for i in range(0, len(ids), protocol.MAX_LOOKUP_IDS):
        chunk = ids[i : i + protocol.MAX_LOOKUP_IDS]
        r = c.post(f"{B}/offices/{target.office}/requests/lookup", json={"request_ids": chunk})
        assert r.status_code == 200, r.text
        assert {k["request_id"] for k in r.json()["known"]} == set(chunk)


def prepare(srv, office: str, tokens: dict) -> FuzzTarget:
    """Clients for devices 2 and 3 and a few requests of each to aim cancels at."""
    clients = {d: srv.client(tokens[d]) for d in (2, 3)}
    target = FuzzTarget(clients, office, [], [])
    for device, bucket in ((2, target.mine), (3, target.theirs)):
        ops = [make_request_op(office, device) for _ in range(20)]
        r = clients[device].post(f"{B}/offices/{office}/requests/batch", json={"items": ops})
        assert r.status_code == 200 and {x["result"] for x in r.json()["results"]} == {"created"}
        bucket.extend(op["request_id"] for op in ops)
    return target


# ---------------------------------------------------------------- the other calls

_printable = st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=60)
_no_surrogates = st.text(st.characters(blacklist_categories=("Cs",)), max_size=80)


def query_case(epoch: str):
    """(method, path suffix, params, headers, body bytes) for /changes, /reports/daily, /lookup."""
    cursor = st.one_of(
        _no_surrogates,
        st.sampled_from(EDGE_STRINGS[:4] + [f"{epoch}:0", f"{epoch}:-1", f"{epoch}:{'9' * 5000}", f"{epoch}:1\n"]),
        st.builds(lambda n: f"{epoch}:{n}", st.integers(0, 10**40)),
        st.builds(lambda e, n: f"{e}:{n}", st.text("0123456789abcdef", min_size=31, max_size=33), st.integers(0, 99)),
    )
    limit = st.one_of(st.integers(-(10**20), 10**20).map(str), _no_surrogates, st.sampled_from(["1e3", "NaN", ""]))
    day = st.one_of(
        _no_surrogates,
        st.dates().map(lambda d: d.isoformat()),
        st.sampled_from(["0000-01-01", "9999-12-31", "2026-02-30", "2026-11-29\n", "1405-09-08", "2026-1-1"]),
    )
    lookup_body = st.one_of(
        JSON.map(lambda v: json.dumps(v, allow_nan=True).encode()),
        st.lists(st.one_of(st.sampled_from(EDGE_STRINGS[:12]), st.uuids().map(str), JSON), max_size=30).map(
            lambda ids: json.dumps({"request_ids": ids}, ensure_ascii=True, allow_nan=True).encode()
        ),
        st.binary(max_size=200),
    )
    headers = st.just({}) | st.fixed_dictionaries(
        {},
        optional={
            "X-Desk-Protocol": st.one_of(
                _printable.map(str.strip), st.sampled_from(["0", "2", "01", "9" * 5000, "-1"])
            ),
            "Content-Encoding": st.sampled_from(["gzip", "deflate", "br", "identity", "GZIP", "x"]),
            "Content-Type": st.sampled_from(["application/json", "text/plain", "multipart/form-data; boundary=x"]),
        },
    )
    return st.one_of(
        st.tuples(
            st.just("GET"),
            st.just("changes"),
            st.fixed_dictionaries({}, optional={"cursor": cursor, "limit": limit}),
            headers,
            st.just(b""),
        ),
        st.tuples(
            st.just("GET"), st.just("reports/daily"), st.fixed_dictionaries({"date": day}), headers, st.just(b"")
        ),
        st.tuples(st.just("POST"), st.just("requests/lookup"), st.just({}), headers, lookup_body),
        st.tuples(
            st.just("POST"),
            st.just("requests/batch"),
            st.just({}),
            headers,
            st.one_of(st.binary(max_size=200), JSON.map(lambda v: json.dumps({"items": v}, allow_nan=True).encode())),
        ),
    )


def new_uuid() -> str:
    return str(uuid.uuid4())
