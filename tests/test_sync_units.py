"""Narrow unit tests of the sync building blocks: backoff, lock, token storage, transport errors.

The transport is exercised against real loopback sockets that answer with canned bytes (a
truncated body, garbage, a reset, silence), so the classification is tested on real TCP.
"""

from __future__ import annotations

import gzip
import json
import random
import socket
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from desk_app.sync import backoff, credentials
from desk_app.sync.errors import (
    AuthError,
    ProtocolError,
    ResyncRequired,
    RetryableError,
    SyncBusy,
    TooLarge,
    TooOld,
    Unreachable,
)
from desk_app.sync.lock import sync_lock
from desk_app.sync.transport import HttpTransport, parse_retry_after
from tests.helpers.chaos import content_length

ROOT = Path(__file__).resolve().parent.parent


# -- backoff ---------------------------------------------------------------------------------
def test_backoff_ceiling_doubles_from_2s_and_caps_at_15_min():
    assert backoff.backoff_ceiling(0) == 0
    assert [backoff.backoff_ceiling(n) for n in range(1, 6)] == [2, 4, 8, 16, 32]
    assert backoff.backoff_ceiling(10) == 900
    assert backoff.backoff_ceiling(10_000) == 900


def test_full_jitter_spreads_over_whole_range_and_respects_retry_after():
    rng = random.Random(7)
    draws = [backoff.full_jitter(6, rng=rng) for _ in range(2000)]  # ceiling 64 s
    assert 0 <= min(draws) < 5 and 59 < max(draws) <= 64
    assert 25 < sum(draws) / len(draws) < 39  # uniform: mean about 32
    assert all(backoff.full_jitter(1, retry_after=120, rng=rng) == 120 for _ in range(50))
    b = backoff.Backoff(rng=random.Random(1))
    for _ in range(40):
        assert b.failure() <= 900
    b.success()
    assert b.failures == 0 and b.failure() <= 2


# -- lock -------------------------------------------------------------------------------------
def test_second_lock_on_same_folder_is_busy_and_released_after(home):
    with sync_lock(home):
        with pytest.raises(SyncBusy) as exc:
            with sync_lock(home):
                pass
        assert "همگام" in str(exc.value)
    with sync_lock(home):  # free again
        pass


def test_lock_held_by_killed_process_is_released(home):
    code = (
        "import sys, time\n"
        "from desk_app.sync.lock import sync_lock\n"
        "with sync_lock(sys.argv[1]):\n"
        "    print('locked', flush=True)\n"
        "    time.sleep(60)\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", code, str(home)], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "locked"
        with pytest.raises(SyncBusy):
            with sync_lock(home):
                pass
        proc.kill()
        proc.wait(10)
        with sync_lock(home):  # the kernel dropped the dead process's lock
            pass
    finally:
        proc.kill()
        proc.wait()
        proc.stdout.close()


# -- credentials ------------------------------------------------------------------------------
def test_token_file_is_private_and_round_trips(home, monkeypatch):
    monkeypatch.setenv("DESK_APP_NO_KEYRING", "1")
    assert credentials.load_token(home) is None
    assert credentials.save_token(home, "  secret-token-1\n") == "file"
    path = home / "device.token"
    if sys.platform != "win32":
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert credentials.load_token(home) == "secret-token-1"
    credentials.save_token(home, "secret-token-2")  # re-enrolment replaces it
    assert credentials.load_token(home) == "secret-token-2"
    credentials.delete_token(home)
    assert credentials.load_token(home) is None


# -- transport over real sockets -----------------------------------------------------------------
class CannedServer:
    """A loopback TCP server that reads one HTTP request per connection and runs `behaviour`."""

    def __init__(self, behaviour, tls_context=None):
        self.behaviour = behaviour
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        if tls_context is not None:
            self.sock = tls_context.wrap_socket(self.sock, server_side=True)
        self.port = self.sock.getsockname()[1]
        self.requests: list[tuple[bytes, bytes]] = []
        self._stop = False
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def _read_request(self, conn):
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = conn.recv(65536)
            if not chunk:
                return None
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        length = content_length(head)
        while len(body) < length:
            body += conn.recv(65536)
        return head, body

    def _serve(self):
        while not self._stop:
            try:
                conn, _ = self.sock.accept()
            except ConnectionError:
                continue  # a TLS client that refused our certificate
            except OSError:
                if self._stop:
                    return
                continue
            with conn:
                req = self._read_request(conn)
                if req is None:
                    continue
                self.requests.append(req)
                try:
                    self.behaviour(conn, req)
                except OSError:
                    pass

    def close(self):
        self._stop = True
        self.sock.close()


def respond(status, body: bytes, headers=()):
    def behaviour(conn, req):
        lines = [
            f"HTTP/1.1 {status} X",
            f"Content-Length: {len(body)}",
            "Content-Type: application/json",
            "Connection: close",
            *headers,
        ]
        conn.sendall(("\r\n".join(lines) + "\r\n\r\n").encode() + body)

    return behaviour


@pytest.fixture
def canned():
    servers = []

    def make(behaviour, tls_context=None):
        s = CannedServer(behaviour, tls_context)
        servers.append(s)
        return s

    yield make
    for s in servers:
        s.close()


def test_headers_gzip_and_parsed_results(canned):
    srv = canned(respond(200, b'{"results": []}'))
    t = HttpTransport(srv.url, "tok-abc")
    big = json.dumps({"items": [{"x": "ی" * 2000}]}).encode()
    assert t.post_batch("4512", big) == {"results": []}
    head, body = srv.requests[0]
    assert b"Authorization: Bearer tok-abc" in head
    assert b"X-Desk-Protocol: 1" in head
    assert b"Content-Encoding: gzip" in head
    assert gzip.decompress(body) == big and len(body) < len(big)
    small = b'{"items":[]}'
    t.post_batch("4512", small)
    head, body = srv.requests[1]
    assert b"Content-Encoding" not in head and body == small
    t.close()


@pytest.mark.parametrize(
    "status,error,header",
    [
        (401, AuthError, None),
        (403, AuthError, None),
        (413, TooLarge, None),
        (426, TooOld, None),
        (500, RetryableError, None),
        (502, RetryableError, None),
        (400, ProtocolError, None),
        (429, RetryableError, "Retry-After: 17"),
        (503, RetryableError, "Retry-After: 30"),
    ],
)
def test_status_codes_are_classified(canned, status, error, header):
    srv = canned(respond(status, b'{"detail": "x"}', [header] if header else []))
    t = HttpTransport(srv.url, "t")
    with pytest.raises(error) as exc:
        t.hello()
    assert type(exc.value) is error
    if header:
        assert exc.value.retry_after == float(header.split()[-1])
    t.close()


def test_409_resync_required(canned):
    srv = canned(respond(409, b'{"detail": {"code": "resync_required"}}'))
    with pytest.raises(ResyncRequired):
        HttpTransport(srv.url, "t").changes("4512", "E:5", 100)


def test_truncated_body_is_retryable(canned):
    def behaviour(conn, req):
        conn.sendall(b'HTTP/1.1 200 OK\r\nContent-Length: 500\r\nConnection: close\r\n\r\n{"results": [')
        conn.shutdown(socket.SHUT_WR)

    srv = canned(behaviour)
    with pytest.raises(RetryableError) as exc:
        HttpTransport(srv.url, "t").post_batch("1", b"{}")
    assert exc.value.retryable


def test_garbled_and_wrong_shape_bodies_are_retryable(canned):
    srv = canned(respond(200, b"\xff\xfe<html>oops"))
    with pytest.raises(RetryableError):
        HttpTransport(srv.url, "t").post_batch("1", b"{}")
    srv2 = canned(respond(200, b'{"result": 1}'))
    with pytest.raises(RetryableError):
        HttpTransport(srv2.url, "t").post_batch("1", b"{}")


def test_reset_refused_and_silence_are_unreachable(canned):
    def reset(conn, req):
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")

    srv = canned(reset)
    with pytest.raises(Unreachable):
        HttpTransport(srv.url, "t").hello()

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nobody listens there now
    with pytest.raises(Unreachable):
        HttpTransport(f"http://127.0.0.1:{port}", "t").hello()

    srv3 = canned(lambda conn, req: time.sleep(2))
    t = HttpTransport(srv3.url, "t", timeout=(1.0, 0.5))
    started = time.monotonic()
    with pytest.raises(Unreachable) as exc:
        t.hello()
    assert exc.value.timeout and time.monotonic() - started < 1.8


def test_catalog_304_and_etag(canned):
    srv = canned(respond(200, b'{"version": "v1", "services": []}', ['ETag: "abc"']))
    ans = HttpTransport(srv.url, "t").catalog()
    assert ans.etag == '"abc"' and ans.data["version"] == "v1"
    srv2 = canned(respond(304, b"", ['ETag: "abc"']))
    ans = HttpTransport(srv2.url, "t").catalog('"abc"')
    assert ans.data is None and ans.etag == '"abc"'
    assert b'If-None-Match: "abc"' in srv2.requests[0][0]


def test_retry_after_forms():
    assert parse_retry_after("120") == 120
    assert parse_retry_after(None) is None and parse_retry_after("soon") is None
    when = "Wed, 21 Oct 2015 07:28:00 GMT"
    assert parse_retry_after(when, now=1445412480 - 60) == pytest.approx(60)


def _self_signed(tmp_path):
    """A CA-less self-signed certificate for 127.0.0.1 (cert file, key file)."""
    import datetime
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "pishkhan-test")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=2))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = tmp_path / "server.pem", tmp_path / "server.key"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_file, key_file


def test_tls_verifies_the_server_certificate_and_accepts_a_configured_ca(tmp_path, canned):
    import ssl

    cert_file, key_file = _self_signed(tmp_path)
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(cert_file, key_file)
    srv = canned(respond(200, b'{"ok": true}'), tls_context=ctx)
    url = f"https://127.0.0.1:{srv.port}"
    with pytest.raises(Unreachable) as exc:
        HttpTransport(url, "t", timeout=(2.0, 2.0)).hello()  # unknown issuer: refused
    assert "گواهی" in str(exc.value)
    assert HttpTransport(url, "t", ca_file=str(cert_file), timeout=(2.0, 2.0)).hello() == {"ok": True}


def test_token_goes_to_a_usable_keyring_and_never_to_a_file(home, monkeypatch):
    import types

    store = {}
    fail_mod = types.ModuleType("keyring.backends.fail")

    class FailKeyring:  # the "no backend" class keyring falls back to
        priority = 0

    fail_mod.Keyring = FailKeyring

    class Backend:
        priority = 5

    kr = types.ModuleType("keyring")
    kr.get_keyring = lambda: Backend()
    kr.set_password = lambda svc, acct, pw: store.__setitem__((svc, acct), pw)
    kr.get_password = lambda svc, acct: store.get((svc, acct))
    kr.delete_password = lambda svc, acct: store.pop((svc, acct))
    backends = types.ModuleType("keyring.backends")
    backends.fail = fail_mod
    monkeypatch.setitem(sys.modules, "keyring", kr)
    monkeypatch.setitem(sys.modules, "keyring.backends", backends)
    monkeypatch.setitem(sys.modules, "keyring.backends.fail", fail_mod)
    monkeypatch.delenv("DESK_APP_NO_KEYRING", raising=False)
    assert credentials.save_token(home, "tok-in-keyring") == "keyring"
    assert not (home / "device.token").exists() and list(store.values()) == ["tok-in-keyring"]
    assert credentials.load_token(home) == "tok-in-keyring"
    kr.get_keyring = lambda: FailKeyring()  # no real backend: the private file instead
    assert credentials.save_token(home, "tok-in-file") == "file"
    assert credentials.load_token(home) == "tok-in-file"
