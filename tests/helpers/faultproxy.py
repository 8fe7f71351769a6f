"""A small fault-injecting TCP proxy on loopback, for sync tests against the real server.

    proxy = FaultProxy(server.url).start()        # http://127.0.0.1:<proxy.port>
    proxy.set_mode("drop_response")                # every new connection from now on
    proxy.queue_modes("reset", "pass")             # the next connections, in order, then the default
    proxy.set_random({"pass": 6, "truncate": 1, "drop_response": 1}, seed=7)   # per connection
    proxy.stop()

Modes (chosen once per TCP connection, when it is accepted):
- `pass`: forward both ways untouched.
- `delay`: wait `delay_s` before connecting upstream, then pass.
- `drop_response`: forward the request; when the server starts answering (it has committed),
  close the client's connection without a byte of the answer.
- `reset`: forward `keep_bytes` of the answer, then reset the connection (RST).
- `truncate`: forward `keep_bytes` of the answer, then close cleanly (FIN).
- `garble`: forward the answer's headers, flip every byte of its body (same length).
- `blackhole`: accept and read, never answer, never close (until the proxy stops).
- `throttle`: bandwidth limit `rate_bps` bytes/s each way, plus `latency_s` per chunk.
Keep-alive connections keep their mode for every request they carry.
"""

from __future__ import annotations

import random
import socket
import struct
import threading
from collections import Counter
from urllib.parse import urlparse

MODES = ("pass", "delay", "drop_response", "reset", "truncate", "garble", "blackhole", "throttle")


class FaultProxy:
    def __init__(
        self,
        upstream: str | tuple[str, int],
        *,
        mode: str = "pass",
        delay_s: float = 1.0,
        keep_bytes: int = 64,
        rate_bps: int = 8000,
        latency_s: float = 0.0,
        seed: int | None = 0,
    ):
        if isinstance(upstream, str):
            u = urlparse(upstream)
            upstream = (u.hostname, u.port)
        self.upstream = upstream
        self.delay_s, self.keep_bytes, self.rate_bps, self.latency_s = delay_s, keep_bytes, rate_bps, latency_s
        self._mode = self._check(mode)
        self._queue: list[str] = []
        self._weights: dict[str, float] | None = None
        self._rng = random.Random(seed)
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._sockets: set[socket.socket] = set()
        self._threads: list[threading.Thread] = []
        self.counts: Counter[str] = Counter()  # connections per mode
        self.modes_used: list[str] = []  # in accept order
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]

    # ------------------------------------------------------------ control

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @staticmethod
    def _check(mode: str) -> str:
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}; one of {MODES}")
        return mode

    def set_mode(self, mode: str, **params) -> None:
        """Mode for every new connection (after queued ones); params: delay_s, keep_bytes, rate_bps, latency_s."""
        with self._lock:
            self._mode = self._check(mode)
            self._weights = None
            for k, v in params.items():
                if not hasattr(self, k):
                    raise TypeError(k)
                setattr(self, k, v)

    def queue_modes(self, *modes: str) -> None:
        with self._lock:
            self._queue.extend(self._check(m) for m in modes)

    def set_random(self, weights: dict[str, float], seed: int | None = None) -> None:
        """Each new connection draws its mode from `weights` (reproducible with `seed`)."""
        with self._lock:
            self._weights = {self._check(k): v for k, v in weights.items()}
            if seed is not None:
                self._rng = random.Random(seed)

    def _next_mode(self) -> str:
        with self._lock:
            if self._queue:
                mode = self._queue.pop(0)
            elif self._weights:
                modes = list(self._weights)
                mode = self._rng.choices(modes, [self._weights[m] for m in modes])[0]
            else:
                mode = self._mode
            self.counts[mode] += 1
            self.modes_used.append(mode)
            return mode

    # ------------------------------------------------------------ life

    def start(self) -> FaultProxy:
        t = threading.Thread(target=self._accept_loop, name="faultproxy-accept", daemon=True)
        t.start()
        self._threads.append(t)
        return self

    def stop(self) -> None:
        self._stop.set()
        try:
            self.listener.close()
        except OSError:
            pass
        with self._lock:
            socks = list(self._sockets)
        for s in socks:
            _shutdown(s)
            _close(s)
        for t in list(self._threads):
            t.join(timeout=5)

    def __enter__(self) -> FaultProxy:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def _track(self, s: socket.socket) -> socket.socket:
        with self._lock:
            self._sockets.add(s)
        return s

    def _accept_loop(self) -> None:
        self.listener.settimeout(0.2)
        while not self._stop.is_set():
            try:
                client, _ = self.listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            mode = self._next_mode()
            t = threading.Thread(
                target=self._handle, args=(self._track(client), mode), daemon=True, name=f"faultproxy-{mode}"
            )
            t.start()
            with self._lock:
                self._threads = [x for x in self._threads if x.is_alive()] + [t]

    # ------------------------------------------------------------ one connection

    def _handle(self, client: socket.socket, mode: str) -> None:
        upstream = None
        up = None
        try:
            if mode == "blackhole":
                client.settimeout(0.2)
                while not self._stop.is_set():
                    try:
                        if not client.recv(65536):
                            return
                    except TimeoutError:
                        continue
                return
            if mode == "delay" and self._stop.wait(self.delay_s):
                return
            upstream = self._track(socket.create_connection(self.upstream, timeout=10))
            upstream.settimeout(None)
            throttle = mode == "throttle"
            up = threading.Thread(target=self._pump, args=(client, upstream, throttle), daemon=True)
            up.start()
            self._answer(upstream, client, mode)
        except OSError:
            pass
        finally:
            # Wake the client->server pump without sending anything, so that the close below is
            # the last reference: FIN, or RST when SO_LINGER 0 was set (mode `reset`).
            try:
                client.shutdown(socket.SHUT_RD)
            except OSError:
                pass
            if upstream is not None:
                _shutdown(upstream)
            if up is not None:
                up.join(timeout=5)
            _close(client)
            if upstream is not None:
                _close(upstream)

    def _pump(self, src: socket.socket, dst: socket.socket, throttle: bool) -> None:
        """Client -> server, untouched (or throttled)."""
        try:
            while True:
                data = src.recv(65536 if not throttle else 1024)
                if not data:
                    dst.shutdown(socket.SHUT_WR)
                    return
                if throttle:
                    self._pace(len(data))
                dst.sendall(data)
        except OSError:
            return

    def _pace(self, n: int) -> None:
        self._stop.wait(self.latency_s + n / max(1, self.rate_bps))

    def _answer(self, upstream: socket.socket, client: socket.socket, mode: str) -> None:
        """Server -> client, with the fault of `mode`."""
        sent = 0
        in_body = False
        head = b""
        while True:
            data = upstream.recv(65536 if mode != "throttle" else 1024)
            if not data:
                client.shutdown(socket.SHUT_WR)
                return
            if mode == "drop_response":
                return  # the server answered, so it committed; the client gets nothing
            if mode in ("truncate", "reset"):
                room = self.keep_bytes - sent
                client.sendall(data[:room])
                sent += min(room, len(data))
                if sent >= self.keep_bytes:
                    if mode == "reset":
                        client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    else:
                        client.shutdown(socket.SHUT_RDWR)
                    return
                continue
            if mode == "garble":
                out = bytearray()
                for b in data:
                    if in_body:
                        out.append(b ^ 0xA5)
                    else:
                        out.append(b)
                        head = (head + bytes([b]))[-4:]
                        in_body = head == b"\r\n\r\n"
                data = bytes(out)
            if mode == "throttle":
                self._pace(len(data))
            client.sendall(data)


def _shutdown(s: socket.socket) -> None:
    """Wakes a thread blocked in recv() on `s` (close() alone does not on Linux)."""
    try:
        s.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass


def _close(s: socket.socket) -> None:
    try:
        s.close()
    except OSError:
        pass
