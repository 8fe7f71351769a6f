"""A FaultProxy that also aims faults at single HTTP requests by path, and counts bytes.

`FaultProxy` picks one mode per TCP connection; a sync run keeps one keep-alive connection for
hello, batches and changes, so "the answer to a batch is lost after the server committed" needs
a fault aimed at the batch call itself. This subclass watches the request lines going up and
applies, per request:
- `drop`: the server answers (so it committed); the client's connection is closed unanswered;
- `reset`: the first `keep_bytes` of the answer, then RST;
- `hang`: the server answers (committed); the proxy keeps the answer, the client waits;
- `status:NNN[:retry_after]`: the request never reaches the server; the proxy answers NNN.
In `throttle` mode, `one_way_s` delays each request and each answer once (half the RTT), and
`rate_bps` limits the bytes per second each way (FaultProxy's own per-chunk latency is 0 here).
`on_request(path)`, if set, is called as each request line goes up (to kill a server mid-batch).
Faults come from `aim()` (the next matching requests, in order) or from `drop_rate` (a share of
matching requests, reproducible with `seed`). `bytes_up`/`bytes_down` count every byte each way.
"""

from __future__ import annotations

import random
import re
import socket
import struct
import threading
from collections import Counter

from tests.helpers.faultproxy import FaultProxy

_REQUEST_LINE = re.compile(rb"(GET|POST|PUT|PATCH|HEAD|OPTIONS|DELETE) (\S+) HTTP/1\.[01]\r\n")


def content_length(head: bytes) -> int:
    """Content-Length of an HTTP head (request line + headers), 0 when absent."""
    for line in head.split(b"\r\n")[1:]:
        k, _, v = line.partition(b":")
        if k.strip().lower() == b"content-length":
            return int(v)
    return 0


class AimedProxy(FaultProxy):
    def __init__(self, upstream, *, drop_rate: float = 0.0, drop_path: str = "/requests/batch", seed: int = 0, **kw):
        super().__init__(upstream, **kw)
        self.drop_rate = drop_rate
        self.drop_path = drop_path
        self._aimed: list[tuple[str, str]] = []
        self._aim_rng = random.Random(seed)
        self._conn: dict[int, list[str | None]] = {}  # client fd -> faults of requests awaiting answers
        self._count_lock = threading.Lock()
        self.bytes_up = 0
        self.bytes_down = 0
        self.requests = 0
        self.faults = Counter()
        self.calls = Counter()  # request path (without query) -> requests seen
        self.methods = Counter()  # (method, path without query) -> requests seen
        self.on_request = None
        self.one_way_s = 0.0  # throttle mode: delay once per request and once per answer

    def aim(self, path_fragment: str, *faults: str) -> None:
        with self._lock:
            self._aimed.extend((path_fragment, f) for f in faults)

    def set_drop(self, rate: float, seed: int | None = None) -> None:
        """Drop `rate` of the answers to `drop_path` requests after the server committed."""
        with self._lock:
            self.drop_rate = rate
            if seed is not None:
                self._aim_rng = random.Random(seed)

    def reset_counts(self) -> None:
        with self._count_lock:
            self.bytes_up = self.bytes_down = self.requests = 0

    def set_upstream(self, url_or_addr) -> None:
        """After the server restarted on another port."""
        if isinstance(url_or_addr, str):
            host, port = url_or_addr.split("//", 1)[1].rsplit(":", 1)
            url_or_addr = (host, int(port))
        self.upstream = url_or_addr

    def _fault_for(self, path: str) -> str | None:
        with self._lock:
            for i, (frag, fault) in enumerate(self._aimed):
                if frag in path:
                    del self._aimed[i]
                    return fault
            if self.drop_rate and self.drop_path in path and self._aim_rng.random() < self.drop_rate:
                return "drop"
        return None

    # client -> server
    def _pump(self, src: socket.socket, dst: socket.socket, throttle: bool) -> None:
        key = src.fileno()
        faults = self._conn.setdefault(key, [])
        swallow = 0  # body bytes of a request answered by the proxy itself
        try:
            while True:
                data = src.recv(65536 if not throttle else 1024)
                if not data:
                    dst.shutdown(socket.SHUT_WR)
                    return
                with self._count_lock:
                    self.bytes_up += len(data)
                if swallow:
                    n = min(swallow, len(data))
                    swallow -= n
                    data = data[n:]
                    if not data:
                        continue
                m = _REQUEST_LINE.match(data)
                if m:
                    with self._count_lock:
                        self.requests += 1
                    path = m.group(2).decode("latin-1")
                    self.calls[path.split("?")[0]] += 1
                    self.methods[(m.group(1).decode(), path.split("?")[0])] += 1
                    if self.on_request is not None:
                        self.on_request(path)
                    fault = self._fault_for(path)
                    if fault and fault.startswith("status:"):
                        self.faults[fault] += 1
                        swallow = self._canned(src, data, fault)
                        continue
                    if fault:
                        self.faults[fault] += 1
                    faults.append(fault)
                    if throttle and self.one_way_s:
                        self._stop.wait(self.one_way_s)
                if throttle:
                    self._pace(len(data))
                dst.sendall(data)
        except OSError:
            return

    def _canned(self, client: socket.socket, data: bytes, fault: str) -> int:
        """Answer `status:NNN[:retry]` ourselves; returns body bytes still to swallow."""
        head, _, body = data.partition(b"\r\n\r\n")
        length = content_length(head)
        parts = fault.split(":")
        status = int(parts[1])
        extra = f"Retry-After: {parts[2]}\r\n" if len(parts) > 2 else ""
        payload = b'{"error":"injected","detail":"fault proxy"}'
        client.sendall(
            (
                f"HTTP/1.1 {status} Injected\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(payload)}\r\n{extra}\r\n"
            ).encode()
            + payload
        )
        with self._count_lock:
            self.bytes_down += len(payload)
        return max(0, length - len(body))

    # server -> client
    def _answer(self, upstream: socket.socket, client: socket.socket, mode: str) -> None:
        if mode not in ("pass", "throttle"):
            return super()._answer(upstream, client, mode)
        faults = self._conn.setdefault(client.fileno(), [])
        current: str | None = None
        sent = 0
        try:
            while True:
                data = upstream.recv(65536 if mode != "throttle" else 1024)
                if not data:
                    client.shutdown(socket.SHUT_WR)
                    return
                if faults:  # first bytes of the answer to the oldest unanswered request
                    current = faults.pop(0)
                    sent = 0
                    if mode == "throttle" and self.one_way_s:
                        self._stop.wait(self.one_way_s)
                if current == "drop":
                    return
                if current == "hang":
                    continue
                if current == "reset":
                    room = self.keep_bytes - sent
                    client.sendall(data[:room])
                    sent += min(room, len(data))
                    if sent >= self.keep_bytes:
                        client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                        return
                    continue
                if mode == "throttle":
                    self._pace(len(data))
                with self._count_lock:
                    self.bytes_down += len(data)
                client.sendall(data)
        finally:
            self._conn.pop(client.fileno(), None)
