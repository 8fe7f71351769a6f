"""The SMS outbox end to end: the real `provincial-server serve --sms-gateway URL`, a desk's upload,
the operator's `request set-status`, the SMS at a real HTTP sink, `sms list` for the operator; and
the server killed while the gateway is down, then both back: the message goes out once."""

from __future__ import annotations

import json
import time

import pytest

from tests.helpers.server import ServerProcess, make_request_op
from tests.helpers.smssink import SmsSink
from tests.helpers.syncdata import national_code

pytestmark = pytest.mark.timeout(180)
FAST = {
    "PROVINCIAL_SMS_POLL_S": "0.1",
    "PROVINCIAL_SMS_RETRY_BASE_S": "0.1",
    "PROVINCIAL_SMS_RETRY_CAP_S": "0.3",
    "PROVINCIAL_SMS_LEASE_S": "3",
}


@pytest.fixture
def sink():
    s = SmsSink().start()
    yield s
    s.stop()


def start_server(db_url, tmp_path, gateway_url) -> ServerProcess:
    srv = ServerProcess(db_url, cwd=tmp_path, serve_args=("--sms-gateway", gateway_url), env=FAST)
    srv.token = srv.quick_setup({"4512": (2,)})[("4512", 2)]
    return srv.start()


def upload(srv, **overrides) -> dict:
    op = make_request_op("4512", 2, **overrides)
    with srv.client(srv.token) as c:
        r = c.post("/api/v1/offices/4512/requests/batch", json={"items": [op]})
    assert r.status_code == 200 and r.json()["results"][0]["result"] == "created"
    return {"receipt_no": op["receipt_no"], "server_ref": r.json()["results"][0]["server_ref"]}


def sms_list(srv, *args) -> list[dict]:
    return json.loads(srv.admin("sms", "list", "--json", *args).stdout)


def wait_for(cond, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return
        time.sleep(0.1)
    raise AssertionError("timed out")


def test_set_status_sends_the_citizen_one_sms_and_sms_list_shows_it(server_db_url, tmp_path, sink):
    srv = start_server(server_db_url, tmp_path, sink.url)
    try:
        done = upload(srv)
        citizen = {"national_code": national_code(5), "first_name": "زهرا", "last_name": "کریمی", "mobile": None}
        lone = upload(srv, citizen=citizen)
        srv.admin("request", "set-status", done["receipt_no"], "completed")
        srv.admin("request", "set-status", lone["receipt_no"], "rejected", "--note", "مدرک ناقص")
        wait_for(lambda: len(sink.delivered) == 1)
        (got,) = sink.delivered.values()
        assert got["to"] == "09121234567"
        assert done["server_ref"] in got["text"] and "انجام شد" in got["text"]
        wait_for(lambda: [r["state"] for r in sms_list(srv, "--state", "sent")] == ["sent"])
        res = srv.admin("sms", "list")
        assert "sent 1" in res.stderr and "skipped 1" in res.stderr
        skipped = sms_list(srv, "--state", "skipped")
        assert [(r["server_ref"], r["to"]) for r in skipped] == [(lone["server_ref"], None)]
        sent = sms_list(srv, "--state", "sent")[0]
        assert sent["to"] == "0912***4567" and "09121234567" not in res.stdout  # masked for the operator
        time.sleep(0.5)
        assert len(sink.posts) == 1  # and nothing more
    finally:
        srv.stop()


def test_server_killed_while_the_gateway_is_down_sends_once_when_both_return(server_db_url, tmp_path, sink):
    port = sink.port
    sink.stop()
    srv = start_server(server_db_url, tmp_path, f"http://127.0.0.1:{port}/send")
    try:
        reqs = [upload(srv) for _ in range(3)]
        for r in reqs:
            srv.admin("request", "set-status", r["receipt_no"], "completed")
        wait_for(lambda: any(r["state"] == "failed-retrying" for r in sms_list(srv)))
        srv.kill()  # a power cut with the messages still waiting
        rows = sms_list(srv)
        assert len(rows) == 3 and {r["state"] for r in rows} <= {"queued", "sending", "failed-retrying"}
        sink.start(port)
        srv.start()
        wait_for(lambda: {r["state"] for r in sms_list(srv)} == {"sent"}, timeout=120)
        assert sorted(sink.deliveries) == sorted(r["idempotency_key"] for r in rows)
        assert set(sink.deliveries.values()) == {1}
    finally:
        srv.stop()
