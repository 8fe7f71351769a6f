"""The fault proxy does what each mode says, over real loopback sockets."""

from __future__ import annotations

import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from tests.helpers.faultproxy import FaultProxy

BODY = json.dumps({"ok": True, "pad": "x" * 4000}).encode()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):  # noqa: N802 - http.server API
        n = int(self.headers.get("Content-Length", 0))
        self.server.received.append(self.rfile.read(n))
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(BODY)))
        self.end_headers()
        self.wfile.write(BODY)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def upstream():
    srv = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    srv.received = []
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    yield srv
    srv.shutdown()
    srv.server_close()


@pytest.fixture
def proxy(upstream):
    upstream.received.clear()
    p = FaultProxy(f"http://127.0.0.1:{upstream.server_address[1]}", keep_bytes=100).start()
    yield p
    p.stop()


def post(proxy, timeout=5.0, body=b'{"n": 1}'):
    with httpx.Client(base_url=proxy.url, timeout=timeout) as c:
        return c.post("/x", content=body)


def test_pass_forwards_both_ways(proxy, upstream):
    r = post(proxy)
    assert r.status_code == 200 and r.json()["ok"] is True
    assert upstream.received == [b'{"n": 1}']


def test_drop_response_server_got_it_client_did_not(proxy, upstream):
    proxy.set_mode("drop_response")
    with pytest.raises(httpx.TransportError):
        post(proxy)
    assert upstream.received == [b'{"n": 1}']


def raw_exchange(proxy) -> tuple[bytes, Exception | None]:
    """Send one request on a raw socket; return what came back and how it ended."""
    got = b""
    with socket.create_connection(("127.0.0.1", proxy.port), timeout=5) as s:
        s.sendall(b'POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 8\r\n\r\n{"n": 1}')
        try:
            while chunk := s.recv(65536):
                got += chunk
        except OSError as exc:
            return got, exc
    return got, None


def test_drop_response_closes_with_no_byte_of_the_answer(proxy, upstream):
    proxy.set_mode("drop_response")
    got, err = raw_exchange(proxy)
    assert got == b"" and err is None  # a clean close, nothing else
    assert upstream.received == [b'{"n": 1}']


def test_truncate_cuts_the_answer_after_keep_bytes(proxy, upstream):
    proxy.set_mode("truncate", keep_bytes=100)
    got, err = raw_exchange(proxy)
    assert len(got) == 100 and got.startswith(b"HTTP/1.1 200") and err is None
    with pytest.raises(httpx.TransportError):  # body shorter than Content-Length
        post(proxy)
    assert len(upstream.received) == 2


def test_reset_mid_body(proxy):
    proxy.set_mode("reset", keep_bytes=300)  # headers through, body cut by RST
    got, err = raw_exchange(proxy)
    assert len(got) <= 300 and got.startswith(b"HTTP/1.1 200")
    assert isinstance(err, ConnectionResetError)
    with pytest.raises(httpx.TransportError):
        post(proxy)


def test_garble_keeps_status_and_length_but_body_is_not_json(proxy):
    proxy.set_mode("garble")
    r = post(proxy)
    assert r.status_code == 200
    assert len(r.content) == len(BODY) and r.content != BODY
    with pytest.raises(ValueError):
        json.loads(r.content)


def test_blackhole_times_out_and_server_never_sees_it(proxy, upstream):
    proxy.set_mode("blackhole")
    t0 = time.monotonic()
    with pytest.raises(httpx.ReadTimeout):
        post(proxy, timeout=0.5)
    assert time.monotonic() - t0 >= 0.45
    assert upstream.received == []


def test_delay_adds_latency(proxy):
    proxy.set_mode("delay", delay_s=0.4)
    t0 = time.monotonic()
    assert post(proxy).status_code == 200
    assert time.monotonic() - t0 >= 0.4


def test_throttle_limits_bandwidth(proxy):
    proxy.set_mode("throttle", rate_bps=20000, latency_s=0.0)
    t0 = time.monotonic()
    r = post(proxy, body=b"y" * 4000)
    elapsed = time.monotonic() - t0
    assert r.status_code == 200 and r.content == BODY
    # ~4 KB up + ~4.1 KB down at 20 KB/s: at least 0.35 s
    assert elapsed >= 0.35


def test_queued_modes_apply_per_connection_then_default(proxy, upstream):
    proxy.queue_modes("drop_response", "garble")
    with pytest.raises(httpx.TransportError):
        post(proxy)
    assert post(proxy).content != BODY
    assert post(proxy).content == BODY
    assert proxy.modes_used == ["drop_response", "garble", "pass"]


def test_random_modes_are_reproducible_with_a_seed(upstream):
    url = f"http://127.0.0.1:{upstream.server_address[1]}"
    seen = []
    for _ in range(2):
        with FaultProxy(url) as p:
            p.set_random({"pass": 1, "drop_response": 1}, seed=42)
            outcomes = []
            for _ in range(12):
                try:
                    outcomes.append(post(p).status_code)
                except httpx.TransportError:
                    outcomes.append("dropped")
            seen.append((p.modes_used, outcomes))
    assert seen[0] == seen[1]
    assert {"pass", "drop_response"} == set(seen[0][0])
    assert seen[0][1].count("dropped") == seen[0][0].count("drop_response")
