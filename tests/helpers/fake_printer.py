"""A real TCP socket playing a network receipt printer (port 9100 style) for tests and bench."""

from __future__ import annotations

import socket
import struct
import threading

OK = {1: 0x12, 2: 0x12, 4: 0x12}


def _command_size(buf: bytes) -> int | None:
    """Length of the complete command at the start of `buf`, None while it is incomplete."""
    if buf.startswith(b"\x1d\x76\x30"):
        if len(buf) < 8:
            return None
        size = 8 + (buf[4] + 256 * buf[5]) * (buf[6] + 256 * buf[7])
    elif buf[:2] in (b"\x10\x04", b"\x1bd", b"\x1dV"):
        size = 3 if buf[:2] != b"\x1dV" or len(buf) < 3 or buf[2] not in (65, 66) else 4
    elif buf[:2] == b"\x1bp":
        size = 5
    elif buf[:2] == b"\x1b@":
        size = 2
    elif buf:
        size = 1
    else:
        return None
    return size if len(buf) >= size else None


class FakePrinter:
    """Accepts one connection, collects every byte, answers DLE EOT n with `status[n]`.

    mode "ok": answers; "silent": never answers; "hangup": answers status, then closes after
    `hangup_after` job bytes (with a reset)."""

    def __init__(self, status=None, mode="ok", hangup_after=4096):
        self.status = dict(OK if status is None else status)
        self.mode = mode
        self.hangup_after = hangup_after
        self.received = bytearray()
        self.stop = threading.Event()
        self.queries: list[int] = []
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    @property
    def target(self) -> str:
        return f"escpos-net:127.0.0.1:{self.port}"

    def _serve(self) -> None:
        self.sock.settimeout(10)
        try:
            conn, _ = self.sock.accept()
        except OSError:
            return
        with conn:
            conn.settimeout(10)
            buf = b""
            job_bytes = 0
            while True:
                try:
                    chunk = conn.recv(65536)
                except OSError:
                    return
                if not chunk:
                    return
                self.received += chunk
                buf += chunk
                while True:  # walk whole commands, so bytes inside image data are not queries
                    size = _command_size(buf)
                    if size is None:
                        break
                    if buf.startswith(b"\x10\x04"):
                        self.queries.append(buf[2])
                        if self.mode != "silent":
                            conn.sendall(bytes([self.status.get(buf[2], 0x12)]))
                    else:
                        job_bytes += size
                    buf = buf[size:]
                if self.mode == "stall" and len(self.queries) >= 3:
                    self.stop.wait(10)  # took the status queries, now reads nothing more
                    return
                if self.mode == "hangup" and job_bytes + len(buf) >= self.hangup_after:
                    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # reset
                    return

    def close(self) -> None:
        self.stop.set()
        self.sock.close()
        self.thread.join(timeout=5)
