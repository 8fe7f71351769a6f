"""The provincial server's protocol, against the real server subprocess on loopback,
on SQLite and on PostgreSQL (one live server per backend; each test its own office)."""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime

import httpx
import pytest

from desk_app.domain.canonical import payload_sha256
from desk_app.sync import protocol
from tests.helpers.faultproxy import FaultProxy
from tests.helpers.server import CATALOG, make_cancel_op, make_request_op, wrap_op

B = protocol.API_PREFIX


@pytest.fixture
def office(live_server):
    """(server, office code, device 2's client) for one test."""
    code, tokens = live_server.new_office()
    with live_server.client(tokens[2]) as c:
        yield live_server, code, c


def send(c, code, *items, expect=200):
    r = c.post(f"{B}/offices/{code}/requests/batch", json={"items": list(items)})
    assert r.status_code == expect, r.text
    return r.json()["results"] if expect == 200 else r.json()


def test_hello_names_office_device_epoch_and_limits(office):
    srv, code, c = office
    h = protocol.Hello.model_validate(c.get(f"{B}/hello").json())
    assert (h.office, h.device, h.last_receipt_no) == (code, 2, None)
    assert h.protocol.latest == protocol.PROTOCOL_VERSION and len(h.feed_epoch) == 32
    assert h.catalog_version == CATALOG["version"] and h.catalog_etag.startswith('"')
    assert (h.max_batch_items, h.max_batch_bytes) == (200, 256 * 1024)
    server_time = datetime.fromisoformat(h.server_time)
    assert abs((server_time - datetime.now(UTC)).total_seconds()) < 60


def test_catalog_strong_etag_and_304(office):
    _, _, c = office
    r = c.get(f"{B}/catalog")
    assert r.status_code == 200 and r.json()["version"] == CATALOG["version"]
    etag = r.headers["ETag"]
    assert etag.startswith('"') and not etag.startswith("W/")
    assert etag == c.get(f"{B}/hello").json()["catalog_etag"]
    r2 = c.get(f"{B}/catalog", headers={"If-None-Match": etag})
    assert r2.status_code == 304 and r2.content == b"" and r2.headers["ETag"] == etag
    assert c.get(f"{B}/catalog", headers={"If-None-Match": '"other"'}).status_code == 200


def test_batch_created_then_whole_batch_delivered_again_is_duplicate(office):
    srv, code, c = office
    ops = [make_request_op(code, 2, n=i) for i in range(5)]
    first = send(c, code, *ops)
    assert [r["result"] for r in first] == ["created"] * 5
    refs = [r["server_ref"] for r in first]
    assert len(set(refs)) == 5 and all(len(x) == 10 and x.isdigit() for x in refs)
    assert [r["op_id"] for r in first] == [o["op_id"] for o in ops]
    again = send(c, code, *ops)
    assert [r["result"] for r in again] == ["duplicate"] * 5
    assert [r["server_ref"] for r in again] == refs
    assert [r["seq"] for r in again] == [r["seq"] for r in first]
    known = c.post(f"{B}/offices/{code}/requests/lookup", json={"request_ids": [o["request_id"] for o in ops]}).json()
    assert len(known["known"]) == 5
    assert [r["server_ref"] for r in srv.list_requests(code)] == refs  # nothing stored twice
    hello = c.get(f"{B}/hello").json()
    assert hello["last_receipt_no"] == max((o["receipt_no"] for o in ops), key=lambda x: int(x.rsplit("-", 1)[1]))


def test_new_op_id_for_a_held_request_with_same_hash_is_duplicate(office):
    _, code, c = office
    op = make_request_op(code, 2)
    ref = send(c, code, op)[0]["server_ref"]
    retry = wrap_op("request", op["payload"])  # a new op_id, same payload
    res = send(c, code, retry)[0]
    assert res["result"] == "duplicate" and res["server_ref"] == ref


def test_conflicts_overwrite_nothing(office):
    _, code, c = office
    op = make_request_op(code, 2)
    ref = send(c, code, op)[0]["server_ref"]
    # same op_id, other payload
    other = make_request_op(code, 2)
    reuse = dict(other, op_id=op["op_id"])
    # same request_id, other content, new op_id
    changed = dict(op["payload"], citizen=dict(op["payload"]["citizen"], first_name="رضا"))
    # same receipt_no, another request
    clash = make_request_op(code, 2, receipt_no=op["payload"]["receipt_no"])
    res = send(c, code, reuse, wrap_op("request", changed), clash)
    assert [r["result"] for r in res] == ["conflict"] * 3
    assert [r["code"] for r in res] == ["op_id_reused", "request_id_conflict", "receipt_no_conflict"]
    assert all(r["detail"] and any("\u0600" <= ch <= "\u06ff" for ch in r["detail"]) for r in res)
    known = c.post(
        f"{B}/offices/{code}/requests/lookup",
        json={"request_ids": [op["request_id"], other["request_id"], clash["request_id"]]},
    ).json()["known"]
    assert [(k["request_id"], k["payload_sha256"], k["server_ref"]) for k in known] == [
        (op["request_id"], op["payload_sha256"], ref)
    ]


def test_one_invalid_item_among_valid_ones(office):
    _, code, c = office
    good1, good2 = make_request_op(code, 2), make_request_op(code, 2)
    bad_nc = make_request_op(code, 2)
    bad_nc["payload"]["citizen"]["national_code"] = "1234567890"
    bad_nc["payload_sha256"] = payload_sha256(bad_nc["payload"])
    bad_hash = make_request_op(code, 2)
    bad_hash["payload_sha256"] = "0" * 64
    float_fee = make_request_op(code, 2)
    float_fee["payload"]["fees"][0]["amount"] = 12000000.0
    float_fee["payload_sha256"] = payload_sha256(float_fee["payload"])
    wrong_fee = make_request_op(
        code, 2, fees=[{"kind": "government", "amount": 1}, {"kind": "office", "amount": 1}], total=2
    )
    old_catalog = make_request_op(code, 2, catalog_version="1399-01-01")
    inactive = make_request_op(code, 2, service=CATALOG["services"][2])
    other_device = make_request_op(code, 3)
    res = send(
        c, code, good1, bad_nc, bad_hash, float_fee, wrong_fee, old_catalog, inactive, other_device, good2, "junk"
    )
    kinds = [(r["result"], r["code"]) for r in res]
    assert kinds == [
        ("created", None),
        ("invalid", "citizen.national_code"),
        ("invalid", "hash_mismatch"),
        ("invalid", "fees.0.amount"),
        ("invalid", "fees_mismatch"),
        ("invalid", "unknown_catalog_version"),
        ("invalid", "service_inactive"),
        ("invalid", "device_mismatch"),
        ("created", None),
        ("invalid", "malformed"),
    ]
    known = c.post(
        f"{B}/offices/{code}/requests/lookup",
        json={"request_ids": [o["request_id"] for o in (good1, bad_nc, wrong_fee, good2)]},
    ).json()["known"]
    assert {k["request_id"] for k in known} == {good1["request_id"], good2["request_id"]}


def test_receipt_date_must_be_the_tehran_day_of_created_at(office):
    _, code, c = office
    # 21:00 UTC on 2026-11-28 is 00:30 on 2026-11-29 in Tehran (Jalali 1405/09/08)
    late = datetime(2026, 11, 28, 21, 0, tzinfo=UTC)
    ok = make_request_op(code, 2, created_at=late)
    assert ok["payload"]["receipt_no"].split("-")[2] == "050908"
    wrong = make_request_op(code, 2, created_at=late)
    p = dict(wrong["payload"], receipt_no=wrong["payload"]["receipt_no"].replace("-050908-", "-050907-"))
    res = send(c, code, ok, wrap_op("request", p))
    assert [r["result"] for r in res] == ["created", "invalid"] and res[1]["code"] == "receipt_date_mismatch"
    day = c.get(f"{B}/offices/{code}/reports/daily", params={"date": "2026-11-29"}).json()
    assert day["requests"] == 1
    assert c.get(f"{B}/offices/{code}/reports/daily", params={"date": "2026-11-28"}).json()["requests"] == 0


def test_cancel_results(office):
    srv, code, c = office
    a, b = make_request_op(code, 2), make_request_op(code, 2)
    send(c, code, a, b)
    cancel_a = make_cancel_op(a["request_id"], refund=850000)
    res = send(
        c,
        code,
        cancel_a,
        make_cancel_op(a["request_id"]),
        make_cancel_op("00000000-0000-4000-8000-000000000000"),
        make_cancel_op(b["request_id"], refund=10**12),
    )
    assert [r["result"] for r in res] == ["cancelled", "already_final", "invalid", "invalid"]
    assert res[0]["seq"] and res[1]["code"] == "cancelled" and "لغو" in res[1]["detail"]
    assert [res[2]["code"], res[3]["code"]] == ["unknown_request", "refund_too_large"]
    assert send(c, code, cancel_a)[0]["result"] == "duplicate"
    srv.admin("request", "set-status", b["payload"]["receipt_no"], "completed", "--note", "تحویل شد")
    late = send(c, code, make_cancel_op(b["request_id"]))[0]
    assert late["result"] == "already_final" and late["code"] == "completed"
    day = c.get(f"{B}/offices/{code}/reports/daily", params={"date": _today(a)}).json()
    assert (day["requests"], day["cancelled"], day["refunds"]) == (2, 1, 850000)
    assert day["net"] == day["gross"] - 850000 and day["by_status"] == {"cancelled": 1, "completed": 1}


def _today(op) -> str:
    from desk_app.domain.jalali import parse_utc, tehran_day

    return tehran_day(parse_utc(op["payload"]["created_at"])).isoformat()


def test_changes_feed_pages_and_cursor(office):
    srv, code, c = office
    ops = [make_request_op(code, 2) for _ in range(5)]
    send(c, code, *ops)
    epoch = c.get(f"{B}/hello").json()["feed_epoch"]
    page = c.get(f"{B}/offices/{code}/changes", params={"cursor": f"{epoch}:0", "limit": 3}).json()
    assert page["more"] is True and [ch["seq"] for ch in page["changes"]] == [1, 2, 3]
    assert page["cursor"] == f"{epoch}:3"
    page2 = c.get(f"{B}/offices/{code}/changes", params={"cursor": page["cursor"], "limit": 3}).json()
    assert page2["more"] is False and [ch["request_id"] for ch in page2["changes"]] == [
        o["request_id"] for o in ops[3:]
    ]
    assert all(ch["status"] == "submitted" and ch["server_ref"] for ch in page2["changes"])
    srv.admin("request", "set-status", ops[0]["payload"]["receipt_no"], "rejected", "--note", "مدارک ناقص")
    page3 = c.get(f"{B}/offices/{code}/changes", params={"cursor": page2["cursor"]}).json()
    assert [(ch["request_id"], ch["status"], ch["note"]) for ch in page3["changes"]] == [
        (ops[0]["request_id"], "rejected", "مدارک ناقص")
    ]
    assert c.get(f"{B}/offices/{code}/changes", params={"cursor": page3["cursor"]}).json()["changes"] == []
    # a seq beyond the counter, or another epoch: resync
    for bad in (f"{epoch}:999", f"{'0' * 32}:1"):
        r = c.get(f"{B}/offices/{code}/changes", params={"cursor": bad})
        assert r.status_code == 409 and r.json()["error"] == "resync_required"
    assert c.get(f"{B}/offices/{code}/changes", params={"cursor": "nonsense"}).status_code == 400


def test_feed_shows_only_this_devices_requests(live_server):
    code, tokens = live_server.new_office(devices=(2, 3))
    with live_server.client(tokens[2]) as c2, live_server.client(tokens[3]) as c3:
        send(c2, code, make_request_op(code, 2))
        send(c3, code, make_request_op(code, 3))
        send(c2, code, make_request_op(code, 2))
        p2 = c2.get(f"{B}/offices/{code}/changes").json()
        p3 = c3.get(f"{B}/offices/{code}/changes").json()
        assert [ch["seq"] for ch in p2["changes"]] == [1, 3] and [ch["seq"] for ch in p3["changes"]] == [2]
        assert p3["cursor"].endswith(":3")  # skipped past the others' changes
        report = c3.get(f"{B}/offices/{code}/reports/daily", params={"date": _today(make_request_op(code, 2))}).json()
        assert report["requests"] == 3 and {g["key"]: g["count"] for g in report["by_device"]} == {"2": 2, "3": 1}


def test_office_isolation(live_server):
    a, ta = live_server.new_office()
    b, tb = live_server.new_office()
    with live_server.client(ta[2]) as ca, live_server.client(tb[2]) as cb:
        b_op = make_request_op(b, 2)
        send(cb, b, b_op)
        # A's device on B's paths: 403 everywhere, nothing written
        assert ca.post(f"{B}/offices/{b}/requests/batch", json={"items": [make_request_op(b, 2)]}).status_code == 403
        assert ca.get(f"{B}/offices/{b}/changes").status_code == 403
        assert (
            ca.post(f"{B}/offices/{b}/requests/lookup", json={"request_ids": [b_op["request_id"]]}).status_code == 403
        )
        assert ca.get(f"{B}/offices/{b}/reports/daily", params={"date": "2026-11-29"}).status_code == 403
        # on its own paths, A cannot see or touch B's request
        assert ca.post(f"{B}/offices/{a}/requests/lookup", json={"request_ids": [b_op["request_id"]]}).json() == {
            "known": []
        }
        assert send(ca, a, make_cancel_op(b_op["request_id"]))[0]["code"] == "unknown_request"
        assert send(ca, a, b_op)[0]["code"] == "office_mismatch"
        assert ca.get(f"{B}/offices/{a}/changes").json()["changes"] == []
        assert len(cb.get(f"{B}/offices/{b}/changes").json()["changes"]) == 1


def test_auth_401_426_and_reenrol_revokes(live_server):
    code, tokens = live_server.new_office()
    with live_server.client(None) as anon:
        r = anon.get(f"{B}/hello")
        assert r.status_code == 401 and r.json()["error"] == "unauthorized"
    with live_server.client("not-a-token") as bad:
        assert bad.get(f"{B}/hello").status_code == 401
    for proto in (None, "2", "0", "x"):
        with live_server.client(tokens[2], protocol=proto) as c:
            r = c.get(f"{B}/hello")
            assert r.status_code == 426 and r.json()["error"] == "protocol_unsupported"
    new = live_server.enrol(code, 2)  # the real admin command
    assert new != tokens[2]
    with live_server.client(tokens[2]) as old, live_server.client(new) as fresh:
        assert old.get(f"{B}/hello").status_code == 401
        assert fresh.get(f"{B}/hello").status_code == 200
    live_server.admin("device", "revoke", "--office", code, "--device", "2")
    with live_server.client(new) as revoked:
        r = revoked.post(f"{B}/offices/{code}/requests/batch", json={"items": []})
        assert r.status_code == 401


def test_gzip_body_accepted(office):
    _, code, c = office
    ops = [make_request_op(code, 2) for _ in range(20)]
    body = gzip.compress(json.dumps({"items": ops}).encode())
    r = c.post(
        f"{B}/offices/{code}/requests/batch",
        content=body,
        headers={"Content-Encoding": "gzip", "Content-Type": "application/json"},
    )
    assert r.status_code == 200 and [x["result"] for x in r.json()["results"]] == ["created"] * 20


def test_413_for_oversize_body_too_many_items_and_gzip_bomb(office):
    srv, code, c = office
    big = make_request_op(code, 2)
    big["payload"]["pad"] = "x" * (600 * 1024)  # over the 512 KiB wire limit
    r = c.post(f"{B}/offices/{code}/requests/batch", json={"items": [big]})
    assert r.status_code == 413 and r.json()["error"] == "too_large"
    r = c.post(f"{B}/offices/{code}/requests/batch", json={"items": [make_request_op(code, 2)] * 201})
    assert r.status_code == 413
    # 64 MiB of zeros inside a JSON string compresses to ~64 KiB
    bomb = gzip.compress(b'{"items": ["' + b"0" * (64 * 1024 * 1024) + b'"]}', compresslevel=9)
    assert len(bomb) < 200 * 1024
    r = c.post(
        f"{B}/offices/{code}/requests/batch",
        content=bomb,
        headers={"Content-Encoding": "gzip", "Content-Type": "application/json"},
    )
    assert r.status_code == 413
    assert c.get(f"{B}/hello").status_code == 200  # still serving
    assert c.post(f"{B}/offices/{code}/requests/batch", content=b"{not json").status_code == 400
    r = c.post(f"{B}/offices/{code}/requests/batch", content=b"\x1f\x8b garbage", headers={"Content-Encoding": "gzip"})
    assert r.status_code == 400


def test_report_bad_date_is_400(office):
    _, code, c = office
    assert c.get(f"{B}/offices/{code}/reports/daily", params={"date": "1405/09/08"}).status_code == 400
    assert c.get(f"{B}/offices/{code}/reports/daily", params={"date": "2026-02-30"}).status_code == 400


def test_answer_lost_after_commit_then_retry_is_duplicate(office):
    """At-least-once delivery: the server commits, the answer is lost on the way back (fault
    proxy), the desk sends the same operations again and gets the original server_refs."""
    srv, code, c = office
    ops = [make_request_op(code, 2) for _ in range(3)]
    with FaultProxy(srv.url, mode="drop_response") as proxy:
        with httpx.Client(base_url=proxy.url, headers=dict(c.headers), timeout=10) as lossy:
            with pytest.raises(httpx.TransportError):
                lossy.post(f"{B}/offices/{code}/requests/batch", json={"items": ops})
    known = {
        k["request_id"]: k["server_ref"]
        for k in c.post(
            f"{B}/offices/{code}/requests/lookup", json={"request_ids": [o["request_id"] for o in ops]}
        ).json()["known"]
    }
    assert len(known) == 3  # committed although nobody heard the answer
    again = send(c, code, *ops)
    assert [r["result"] for r in again] == ["duplicate"] * 3
    assert [r["server_ref"] for r in again] == [known[o["request_id"]] for o in ops]
