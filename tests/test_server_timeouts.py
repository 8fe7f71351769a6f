"""Half-open connections against the real `provincial-server serve`, with real sockets: a
connection that never finishes its request headers, trickles them (slowloris), stalls in its
body or idles after a response is closed within its timeout, while a normal client is served."""

from __future__ import annotations

import selectors
import socket
import threading
import time
from urllib.parse import urlsplit

import pytest

from tests.helpers.server import ServerProcess

pytestmark = pytest.mark.timeout(120)

TIMEOUT = 2.0  # --header-timeout, --body-timeout and --keep-alive-timeout of the server under test
SLACK = 4.0  # a loaded machine (2 cores, other test runs) may be late by this much


def _read_response(sock: socket.socket) -> bytes:
    """One HTTP response with a Content-Length body, read off a raw socket."""
    buf = b""
    while b"\r\n\r\n" not in buf:
        chunk = sock.recv(65536)
        assert chunk, "server closed before answering"
        buf += chunk
    head, _, body = buf.partition(b"\r\n\r\n")
    length = next(
        int(line.split(b":")[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length")
    )
    while len(body) < length:
        body += sock.recv(65536)
    return head


def _watch_until_closed(socks: dict[socket.socket, tuple[str, float]], limit: float) -> dict[str, list[float]]:
    """For each socket, the seconds from its opening until it saw EOF or a reset, by kind; sockets
    still open after `limit` seconds of watching are missing."""
    closed: dict[str, list[float]] = {}
    sel = selectors.DefaultSelector()
    for s, (kind, opened) in socks.items():
        sel.register(s, selectors.EVENT_READ, (kind, opened))
    started = time.monotonic()
    while sel.get_map() and time.monotonic() - started < limit:
        for key, _ in sel.select(timeout=0.2):
            s = key.fileobj
            try:
                data = s.recv(4096)
            except (ConnectionResetError, BrokenPipeError):
                data = b""
            if not data:
                kind, opened = key.data
                closed.setdefault(kind, []).append(time.monotonic() - opened)
                sel.unregister(s)
    sel.close()
    return closed


def test_half_open_connections_are_closed_while_a_client_is_served(tmp_path):
    srv = ServerProcess(
        f"sqlite:///{tmp_path / 'p.db'}",
        serve_args=(
            "--rate-limit",
            "0",
            "--header-timeout",
            str(TIMEOUT),
            "--body-timeout",
            str(TIMEOUT),
            "--keep-alive-timeout",
            str(TIMEOUT),
        ),
        cwd=tmp_path,
    )
    token = srv.quick_setup({"4512": (2,)})[("4512", 2)]
    srv.start()
    addr = (urlsplit(srv.url).hostname, urlsplit(srv.url).port)
    socks: dict[socket.socket, tuple[str, float]] = {}
    stop = threading.Event()
    try:
        started = time.monotonic()
        partial = [b"", b"GET /api/v1/hel", b"GET /api/v1/hello HTTP/1.1\r\nHost: x\r\nX-Desk-Protocol: 1\r\n"]
        for i in range(300):  # nothing at all, half a request line, headers without their end
            s = socket.create_connection(addr, timeout=10)
            if partial[i % 3]:
                s.sendall(partial[i % 3])
            socks[s] = ("partial", time.monotonic())
        # a body that stops after 10 of its 1000 bytes (the body deadline runs from those bytes)
        s = socket.create_connection(addr, timeout=10)
        opened = time.monotonic()
        s.sendall(
            b"POST /api/v1/offices/4512/requests/lookup HTTP/1.1\r\nHost: x\r\nX-Desk-Protocol: 1\r\n"
            b"Authorization: Bearer " + token.encode() + b"\r\nContent-Type: application/json\r\n"
            b"Content-Length: 1000\r\n\r\n" + b'{"request_'
        )
        socks[s] = ("stalled body", opened)
        # a keep-alive connection left idle after its answer
        s = socket.create_connection(addr, timeout=10)
        s.sendall(b"GET /api/v1/hello HTTP/1.1\r\nHost: x\r\nX-Desk-Protocol: 1\r\n\r\n")
        assert b" 401 " in _read_response(s).split(b"\r\n")[0]
        socks[s] = ("idle keep-alive", time.monotonic())  # idle from its answer on
        # slowloris: one header byte every 0.3 s, for longer than the header timeout
        slow = socket.create_connection(addr, timeout=10)
        socks[slow] = ("slowloris", time.monotonic())

        def trickle():
            for b in b"GET /api/v1/hello HTTP/1.1\r\nHost: x\r\nX-Desk-Protocol: 1\r\nX-Pad: " + b"a" * 200:
                if stop.wait(0.3):
                    return
                try:
                    slow.send(bytes([b]))
                except OSError:
                    return

        threading.Thread(target=trickle, daemon=True).start()
        closed: dict[str, list[float]] = {}
        watcher = threading.Thread(
            target=lambda: closed.update(_watch_until_closed(socks, TIMEOUT + SLACK + 2)), daemon=True
        )
        watcher.start()

        # meanwhile a normal client is answered, again and again, on new and reused connections
        served = 0
        with srv.client(token, timeout=5) as c:
            while time.monotonic() - started < TIMEOUT + 1:
                assert c.get("/api/v1/hello").status_code == 200
                served += 1
        assert served >= 3

        watcher.join()
        stop.set()
        still_open = len(socks) - sum(len(v) for v in closed.values())
        latest = max(t for times in closed.values() for t in times)
        earliest = min(closed["partial"])
        print(
            f"\nhalf-open: {len(socks)} connections opened ({len(closed.get('partial', []))}/300 partial-header "
            f"closed), {still_open} still open; each closed {earliest:.1f}-{latest:.1f} s after it opened "
            f"(timeout {TIMEOUT:g} s); {served} normal calls answered meanwhile; by kind: "
            + ", ".join(f"{k} {len(v)} by {max(v):.1f} s" for k, v in sorted(closed.items()))
        )
        assert still_open == 0, {k: len(v) for k, v in closed.items()}
        assert latest <= TIMEOUT + SLACK, closed
        assert earliest >= TIMEOUT - 0.5  # not before the timeout
        # and the server still answers after the flood
        with srv.client(token, timeout=5) as c:
            assert c.get("/api/v1/hello").status_code == 200
    finally:
        stop.set()
        for s in socks:
            s.close()
        srv.stop()
    log = srv.log_text()
    assert "Traceback" not in log, log[-3000:]
    # said in the log, but as a summary, not one line per connection
    assert 1 <= log.count("missed a deadline") <= 2, log[-3000:]


def test_serve_refuses_a_timeout_that_is_not_seconds(tmp_path):
    srv = ServerProcess(f"sqlite:///{tmp_path / 'p.db'}", cwd=tmp_path)
    res = srv.admin("serve", "--header-timeout", "soon", check=False)
    assert res.returncode == 2 and "ثانیه" in res.stderr
