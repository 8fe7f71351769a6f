"""Narrow checks of the shared protocol models and of two server internals (gunzip bound,
OpenAPI document); everything else is tested against the real server."""

from __future__ import annotations

import gzip
import tracemalloc
import zlib

import pytest
from pydantic import ValidationError

from desk_app.domain.canonical import payload_sha256
from desk_app.sync import protocol
from tests.helpers.server import make_cancel_op, make_request_op


def payload(**kw) -> dict:
    p = make_request_op("4512", 2, seq=42)["payload"]
    p.update(kw)
    return p


def test_a_desk_payload_validates_and_hash_is_of_canonical_bytes():
    op = make_request_op("4512", 2, seq=42)
    parsed = protocol.Operation.model_validate(op)
    assert parsed.payload_sha256 == payload_sha256(op["payload"])
    rp = protocol.RequestPayload.model_validate(op["payload"])
    assert rp.receipt_no.endswith("-0042") and rp.total == 12850000
    protocol.CancelPayload.model_validate(make_cancel_op(rp.request_id, refund=5)["payload"])


@pytest.mark.parametrize(
    "change, field",
    [
        ({"total": 1}, "total"),  # not the sum of the fees
        ({"fees": [{"kind": "government", "amount": True}]}, "fees"),  # a boolean is not an amount
        ({"fees": [{"kind": "government", "amount": 1.0}], "total": 1}, "fees"),  # nor a float
        ({"fees": [{"kind": "tip", "amount": 1}], "total": 1}, "fees"),
        ({"fees": [{"kind": "office", "amount": -1}], "total": -1}, "fees"),
        ({"receipt_no": "4512-3-050908-0042"}, "device"),  # receipt of another device
        ({"receipt_no": "4512-2-050908-42"}, "receipt_no"),
        ({"receipt_no": "\u20664512-2-050908-0042\u2069"}, "receipt_no"),
        ({"request_id": "not-a-uuid"}, "request_id"),
        ({"device": "2"}, "device"),
        ({"office": "45"}, "office"),
        ({"created_at": "yesterday"}, "created_at"),
        ({"clock_skew_s": float("nan")}, "clock_skew_s"),
        ({"server_ref": "12"}, "server_ref"),
    ],
)
def test_payload_rules(change, field):
    with pytest.raises(ValidationError):
        protocol.RequestPayload.model_validate(payload(**change))


@pytest.mark.parametrize("code", ["۰۰۱۲۳۴۵۶۷۹", "001-234-5679", "12345679", "1111111111", "0012345678"])
def test_national_code_must_be_valid_and_canonical(code):
    p = payload()
    p["citizen"] = dict(p["citizen"], national_code=code)
    with pytest.raises(ValidationError) as info:
        protocol.RequestPayload.model_validate(p)
    assert any(e["loc"][:2] == ("citizen", "national_code") for e in info.value.errors())


def test_cursor_round_trip_and_rejects():
    e = "ab" * 16
    assert protocol.parse_cursor(protocol.format_cursor(e, 17)) == (e, 17)
    for bad in ("", "E:1", f"{e}:-1", f"{e}:", f"{e.upper()}:3", f"{e}:1:2"):
        with pytest.raises(ValueError):
            protocol.parse_cursor(bad)


def test_result_kinds_split_into_ack_and_attention():
    assert protocol.ACK_RESULTS | protocol.ATTENTION_RESULTS == set(protocol.ResultKind)
    assert not protocol.ACK_RESULTS & protocol.ATTENTION_RESULTS


def test_gunzip_bomb_is_refused_without_inflating_it():
    from provincial_server.app import _gunzip
    from provincial_server.auth import ApiError

    comp = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    chunk = b"\0" * (1 << 20)
    bomb = b"".join(comp.compress(chunk) for _ in range(256)) + comp.flush()  # 256 MiB inside
    assert len(bomb) < 1 << 20
    tracemalloc.start()
    try:
        with pytest.raises(ApiError) as info:
            _gunzip(bomb, 1 << 20, ApiError(413, "too_large", "x"))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert info.value.status == 413
    assert peak < 8 << 20  # a few MiB, not 256
    assert _gunzip(gzip.compress(b'{"items": []}'), 1 << 20, ApiError(413, "t", "x")) == b'{"items": []}'


def test_openapi_documents_every_protocol_call(tmp_path):
    from provincial_server.app import create_app

    app = create_app(f"sqlite:///{tmp_path / 'p.db'}")
    doc = app.openapi()  # what GET /openapi.json serves (the live server is fuzzed in test_server_fuzz)
    app.state.db.dispose()
    paths = set(doc["paths"])
    assert paths == {
        "/api/v1/hello",
        "/api/v1/catalog",
        "/api/v1/offices/{office}/requests/batch",
        "/api/v1/offices/{office}/changes",
        "/api/v1/offices/{office}/requests/lookup",
        "/api/v1/offices/{office}/reports/daily",
        # section 11: tus uploads, the lookup of held pages, the link
        "/api/v1/offices/{office}/uploads",
        "/api/v1/offices/{office}/uploads/{upload_id}",
        "/api/v1/offices/{office}/attachments/lookup",
        "/api/v1/offices/{office}/requests/{request_id}/attachments",
    }
    body = doc["paths"]["/api/v1/offices/{office}/requests/batch"]["post"]["requestBody"]
    assert body["content"]["application/json"]["schema"]["$ref"].endswith("/BatchRequest")
    op = doc["components"]["schemas"]["Operation"]
    assert set(op["required"]) == {"op_id", "kind", "request_id", "payload_sha256", "payload"}
    result = doc["components"]["schemas"]["OpResult"]["properties"]
    assert {"op_id", "request_id", "result", "server_ref", "seq", "code", "detail"} <= set(result)


@pytest.mark.parametrize(
    "mobile, ok",
    [("09121234567", True), (None, True), ("+989121234567", False), ("۰۹۱۲۱۲۳۴۵۶۷", False), ("0912123456", False)],
)
def test_mobile_is_optional_but_canonical(mobile, ok):
    p = payload()
    p["citizen"] = dict(p["citizen"], mobile=mobile)
    if ok:
        protocol.RequestPayload.model_validate(p)
    else:
        with pytest.raises(ValidationError):
            protocol.RequestPayload.model_validate(p)
