"""Connections that never finish a request are closed: a guard around uvicorn's HTTP protocol.

uvicorn closes an idle keep-alive connection (`timeout_keep_alive`), but it has no timeout for
a request's headers: a connection that sends nothing, or half a request line, or one header byte
every few seconds (slowloris), stays open forever and holds a socket and a file descriptor.
`GuardedProtocol` adds two deadlines to whichever protocol uvicorn would pick (httptools when
installed, else h11):
- **headers**: from the connection's start, or from the first byte of the next request on a
  keep-alive connection, the request line and headers must be complete within `header_timeout`
  seconds (trickling bytes does not extend it);
- **body**: while a request's body is still coming, at most `body_timeout` seconds may pass
  without a byte (time while uvicorn itself paused reading does not count).
A connection that misses a deadline is closed (an app still waiting for the body sees a
disconnect). The values come from the environment (`serve` sets them for every worker, like its
other options): `PROVINCIAL_HEADER_TIMEOUT`, `PROVINCIAL_BODY_TIMEOUT`, seconds, 0 = off.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time

from uvicorn.protocols.http.auto import AutoHTTPProtocol

log = logging.getLogger("provincial_server")

DEFAULT_HEADER_TIMEOUT = 10.0
DEFAULT_BODY_TIMEOUT = 60.0
DEFAULT_KEEP_ALIVE_TIMEOUT = 20


def _env_seconds(name: str, default: float) -> float:
    try:
        value = float(os.environ.get(name, default))
    except ValueError:
        return default
    return value if value > 0 else 0.0


_closed: dict[str, int] = {}
_last_note = [0.0]
NOTE_EVERY_S = 60.0


def _note_closed(why: str, after_s: float) -> None:
    """Count closed connections; log a summary at most once a minute (a flood of half-open
    connections must not become a flood of log lines)."""
    _closed[why] = _closed.get(why, 0) + 1
    now = time.monotonic()
    if now - _last_note[0] >= NOTE_EVERY_S:
        _last_note[0] = now
        summary = ", ".join(f"{n} x {w}" for w, n in sorted(_closed.items()))
        _closed.clear()
        log.info("closed connections that missed a deadline (%.0f s): %s", after_s, summary)


class GuardedProtocol(AutoHTTPProtocol):  # type: ignore[misc, valid-type]
    """uvicorn's HTTP protocol with a header deadline and a body idle deadline (see module doc)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._header_timeout = _env_seconds("PROVINCIAL_HEADER_TIMEOUT", DEFAULT_HEADER_TIMEOUT)
        self._body_timeout = _env_seconds("PROVINCIAL_BODY_TIMEOUT", DEFAULT_BODY_TIMEOUT)
        self._header_timer: asyncio.TimerHandle | None = None
        self._body_timer: asyncio.TimerHandle | None = None

    # ---------------------------------------------------------------- asyncio.Protocol

    def connection_made(self, transport) -> None:
        super().connection_made(transport)
        self._arm_header_timer()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        self._after_progress()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel(header=True, body=True)
        super().connection_lost(exc)

    # ---------------------------------------------------------------- deadlines

    def _waiting_for_headers(self) -> bool:
        cycle = self.cycle
        return cycle is None or cycle.response_complete

    def _receiving_body(self) -> bool:
        cycle = self.cycle
        return cycle is not None and not cycle.response_complete and cycle.more_body

    def _after_progress(self) -> None:
        if self.transport is None or self.transport.is_closing():
            return
        if self._waiting_for_headers():
            # Bytes of a request whose headers are not complete yet: the deadline runs from the
            # first of them and is never pushed back by later ones.
            self._cancel(body=True)
            self._arm_header_timer()
            return
        self._cancel(header=True)
        if self._receiving_body() and self._body_timeout:
            self._cancel(body=True)
            self._body_timer = self.loop.call_later(self._body_timeout, self._body_expired)
        else:
            self._cancel(body=True)

    def _arm_header_timer(self) -> None:
        if self._header_timeout and self._header_timer is None:
            self._header_timer = self.loop.call_later(self._header_timeout, self._header_expired)

    def _cancel(self, *, header: bool = False, body: bool = False) -> None:
        if header and self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None
        if body and self._body_timer is not None:
            self._body_timer.cancel()
            self._body_timer = None

    def _header_expired(self) -> None:
        self._header_timer = None
        if self.transport.is_closing() or not self._waiting_for_headers():
            return
        if getattr(self, "timeout_keep_alive_task", None) is not None:
            return  # idle between requests: uvicorn's keep-alive timeout is in charge
        _note_closed("request headers not complete", self._header_timeout)
        self.transport.close()

    def _body_expired(self) -> None:
        self._body_timer = None
        if self.transport.is_closing() or not self._receiving_body():
            return
        if self.flow is not None and self.flow.read_paused:  # our own back-pressure, not the client
            self._body_timer = self.loop.call_later(self._body_timeout, self._body_expired)
            return
        _note_closed("request body stalled", self._body_timeout)
        self.transport.close()
