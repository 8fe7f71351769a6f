"""The one services-level entry for sync: what the window, the `desk-app` command, print jobs and
backups call instead of building sync engines, transports and locks themselves.

- `server_transport(desk)`: the transport to this office's provincial server, built in one place
  (URL and CA file from the settings, the device token from the credential store);
- `SyncSession(desk)`: the data folder's lock, that transport and a `SyncEngine` with the settings'
  timings (`sync_interval_s`, `clock_skew_warn_s`), for one run or the `sync` loop;
  `sync_once(desk)` is one run of it with the status bar's view of the result;
- `local_status(desk)`: the status bar's counts and last times from the local store, no network;
- `enrol(desk, url, token)`: say hello with a new token, refuse one the server names for another
  office or device, then keep the token and the server's address; `check_hello(desk)` is that
  hello with the stored token.

No Qt here (DESIGN.md section 1); the engine, transport and lock are imported only when used, so
importing this module costs neither SQLAlchemy nor `requests`.
"""

from __future__ import annotations

import contextlib
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from desk_app.domain.errors import InvalidInput
from desk_app.domain.jalali import parse_utc, utc_now

if TYPE_CHECKING:
    from desk_app.services.context import Desk
    from desk_app.sync.engine import SyncEngine, SyncReport
    from desk_app.sync.protocol import Hello
    from desk_app.sync.transport import HttpTransport

log = logging.getLogger("desk_app.services")

START_DELAY_MAX_S = 60.0  # a loop's first run waits a random 0-60 s: 08:00 must not stampede the province
NOT_ENROLLED_RETRY_S = 300.0  # the window looks again this often while the device is not enrolled
HELLO_TIMEOUT = (5.0, 10.0)  # (connect, read) of a single hello: enrolment, after a restore

MSG_NOT_ENROLLED = "این دستگاه هنوز در سرور استان ثبت نشده است."
MSG_ENROL_MISMATCH = (
    "سرور استان این توکن را برای دفتر {s_office} / دستگاه {s_device} "
    "می‌شناسد، نه دفتر {office} / دستگاه {device}؛ توکن ذخیره نشد."
)
MSG_ENROL_UNREACHABLE = "سرور استان اکنون پاسخ نداد ({reason})؛ همگام‌سازی بعداً انجام می‌شود."
MSG_BAD_HELLO = "پاسخ سلام سرور استان نامعتبر بود."


class NotEnrolled(InvalidInput):
    """The device has no server address or no token yet: it works offline until it is enrolled."""

    def __init__(self, message: str = MSG_NOT_ENROLLED):
        super().__init__(message, "server_url")


@dataclass
class SyncStatus:
    """What the status bar shows."""

    online: bool | None = None  # None: not tried yet in this session
    enrolled: bool = False
    pending: int = 0
    attention: int = 0
    oldest_pending_s: int = 0
    last_success_at: str | None = None  # UTC ISO
    last_error: str | None = None
    stopped_reason: str | None = None
    warning: str | None = None  # e.g. this PC's clock is far from the server's
    running: bool = False


@dataclass
class SyncOutcome:
    """One finished run: the engine's report, the status bar's view after it, the wait till the next."""

    report: SyncReport
    status: SyncStatus
    next_delay: float


@dataclass
class Enrolment:
    server: str
    reachable: bool  # False: the token is kept, the server did not answer (sync later)
    note: str | None = None  # Persian, when the server did not answer


# --- the transport: built here and nowhere else ------------------------------------------------


def has_token(home: Path | str) -> bool:
    """Whether this data folder holds a device token (keyring or private file)."""
    from desk_app.sync.credentials import load_token

    return bool(load_token(home))


def is_enrolled(desk: Desk) -> bool:
    """A server address and a device token: the device can sync."""
    return bool(desk.settings.get("server_url")) and has_token(desk.home)


def _http(url: str, token: str, ca_file: str | None, timeout: Any | None) -> HttpTransport:
    from desk_app.sync.transport import HttpTransport

    if timeout is None:
        return HttpTransport(url, token, ca_file=ca_file)
    return HttpTransport(url, token, ca_file=ca_file, timeout=timeout)


def server_transport(desk: Desk, *, timeout: tuple[float, float] | float | None = None) -> HttpTransport | None:
    """The transport to this office's provincial server (TLS verified, against the settings' CA
    file when one is set); None when the device is not enrolled. The caller closes it (`with`)."""
    from desk_app.sync.credentials import load_token

    server, token = desk.settings.get("server_url"), load_token(desk.home)
    if not server or not token:
        return None
    return _http(server, token, desk.settings.get("ca_file"), timeout)


# --- runs ----------------------------------------------------------------------------------------


def desk_report(desk: Desk) -> dict[str, Any]:
    """What the desk tells the province with hello besides its outbox (DESIGN.md section 12):
    the receipt printer's state and the page bytes waiting to go up."""
    from desk_app.services.attachments import pending_totals
    from desk_app.services.printjobs import printer_state

    return {"printer_state": printer_state(desk), "attachment_bytes_pending": pending_totals(desk).bytes}


def _engine(desk: Desk, transport: Any) -> SyncEngine:
    from desk_app.sync.engine import SyncEngine

    values = desk.settings.all()
    return SyncEngine(
        desk.db,
        transport,
        office=values["office_code"] or "",
        device=values["device_no"] or 0,
        period_s=values["sync_interval_s"],
        skew_warn_s=values["clock_skew_warn_s"],
        local_report=lambda: desk_report(desk),
    )


class SyncSession:
    """One data folder's sync for one run or a loop: the folder's OS lock (one sync per folder,
    `SyncBusy` otherwise), the transport to the office's server and the engine.

    `transport` is for tests and benchmarks (a fake or a proxied one); by default the office's."""

    def __init__(self, desk: Desk, *, transport: Any = None) -> None:
        self.desk = desk
        self._given = transport
        self._stack: contextlib.ExitStack | None = None
        self.engine: SyncEngine | None = None

    def __enter__(self) -> SyncSession:
        from desk_app.sync.lock import sync_lock

        if self._given is None and not is_enrolled(self.desk):
            raise NotEnrolled()
        stack = contextlib.ExitStack()
        try:
            stack.enter_context(sync_lock(self.desk.home))
            transport = self._given
            if transport is None:
                transport = server_transport(self.desk)
                if transport is None:  # the token went away between the two looks
                    raise NotEnrolled()
                stack.enter_context(transport)
            self.engine = _engine(self.desk, transport)
        except BaseException:
            stack.close()
            raise
        self._stack = stack
        return self

    def __exit__(self, *exc: object) -> None:
        if self._stack is not None:
            self._stack.close()
            self._stack = None

    def _require(self) -> SyncEngine:
        if self.engine is None:
            raise RuntimeError("SyncSession used outside `with`")  # a bug
        return self.engine

    def run_once(self) -> SyncReport:
        """One full sync (hello, push, pull, catalog); network trouble is in the report, not raised."""
        return self._require().run_once()

    def next_delay(self) -> float:
        """Seconds until the next run: `sync_interval_s` after a success, the backoff after a failure."""
        return self._require().next_delay()

    def first_delay(self, rng: random.Random | None = None) -> float:
        """A loop's first wait: a random 0-60 s, or longer when an earlier run's backoff asks for it."""
        delay = (rng or random).uniform(0, START_DELAY_MAX_S)
        pending_retry = self._require().state().get("next_attempt_at")
        if pending_retry:
            with contextlib.suppress(ValueError):
                delay = max(delay, (parse_utc(pending_retry) - utc_now()).total_seconds())
        return delay

    def run_forever(
        self,
        on_report: Callable[[SyncReport], None],
        *,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
    ) -> NoReturn:
        """`desk-app sync`: run until interrupted (KeyboardInterrupt), `on_report` after each run."""
        delay = self.first_delay(rng)
        while True:
            if delay > 0:
                sleep(delay)
            on_report(self.run_once())
            delay = self.next_delay()


def sync_once(desk: Desk, *, transport: Any = None) -> SyncOutcome:
    """One sync now under the folder's lock ("sync now", the window's timer, `sync --once`).
    Raises `NotEnrolled` (work offline) or `SyncBusy` (another sync of this folder is running)."""
    with SyncSession(desk, transport=transport) as session:
        report = session.run_once()
        delay = session.next_delay()
    return SyncOutcome(report, status_after(desk, report), delay)


def local_status(desk: Desk) -> SyncStatus:
    """Counts and last times from the local store; no network, no lock."""
    engine = _engine(desk, transport=None)
    report = engine.queue_report()
    state = engine.state()
    return SyncStatus(
        online=None,
        enrolled=is_enrolled(desk),
        pending=report.pending,
        attention=report.attention,
        oldest_pending_s=report.oldest_pending_s,
        last_success_at=state.get("last_success_at"),
        last_error=state.get("last_error"),
        stopped_reason=state.get("stopped_reason"),
    )


def status_after(desk: Desk, report: SyncReport) -> SyncStatus:
    """The status bar's view right after a run: the store's counts with the run's own verdict."""
    status = local_status(desk)
    status.online = report.online
    status.last_error = None if report.online else (report.error or status.last_error)
    status.stopped_reason = report.stopped_reason
    status.warning = report.warning
    return status


# --- hello and enrolment -------------------------------------------------------------------------


def _hello(transport: Any) -> Hello:
    from desk_app.sync import protocol as P
    from desk_app.sync.errors import RetryableError

    try:
        return P.Hello.model_validate(transport.hello())
    except ValueError as exc:
        raise RetryableError(MSG_BAD_HELLO) from exc


def identity_mismatch(desk: Desk, hello: Hello) -> str | None:
    """A Persian refusal when the server names another office/device than this PC is; else None."""
    office, device = desk.settings.get("office_code"), desk.settings.get("device_no")
    if not office or device is None:
        return None  # not set up yet: nothing to compare with
    if str(hello.office) == str(office) and int(hello.device) == int(device):
        return None
    return MSG_ENROL_MISMATCH.format(s_office=hello.office, s_device=hello.device, office=office, device=device)


def check_hello(desk: Desk, *, timeout: tuple[float, float] | float = HELLO_TIMEOUT) -> Hello:
    """One hello with the stored token (who the server says this device is, its last receipt
    number, the server's time). Raises `NotEnrolled`, or a `SyncError` when there is no answer."""
    transport = server_transport(desk, timeout=timeout)
    if transport is None:
        raise NotEnrolled()
    with transport:
        return _hello(transport)


def enrol(desk: Desk, server_url: str, token: str, *, actor: str | None = None) -> Enrolment:
    """Connect this device to the provincial server (`desk-app enrol`, the settings page).

    The new token says hello first: a token the server refuses, or one it knows for another
    office/device, is an `InvalidInput` and nothing is saved; a server that does not answer is
    only a note (an office may enrol while the link is down). Then the token goes to the
    credential store, the address to the settings, and an earlier stop (401, mismatch) is lifted.
    `actor` (the window's manager) is checked for the `settings` role."""
    from desk_app.services.setup import clean_server_url, save_token
    from desk_app.services.users import acting_user
    from desk_app.store.models import SyncState
    from desk_app.sync.errors import AuthError, SyncError

    url = clean_server_url(server_url)
    token = (token or "").strip()
    if not token:
        raise InvalidInput("توکن دستگاه را وارد کنید.", "token")
    if actor is not None:
        with desk.db.read() as s:
            acting_user(s, actor, "settings")
    note = None
    try:
        with _http(url, token, desk.settings.get("ca_file"), HELLO_TIMEOUT) as transport:
            hello = _hello(transport)
    except AuthError as exc:
        raise InvalidInput(exc.message, "token") from None
    except SyncError as exc:
        note = MSG_ENROL_UNREACHABLE.format(reason=exc.message)
    else:
        mismatch = identity_mismatch(desk, hello)
        if mismatch:
            raise InvalidInput(mismatch, "token")
    save_token(desk.home, token)
    with desk.db.write() as s:
        desk.settings.set("server_url", url, s)
        row = s.get(SyncState, "stopped_reason")  # a new token lifts an earlier 401 / mismatch stop
        if row is not None:
            row.value = None
    log.info("device enrolled (server reachable: %s)", note is None)
    return Enrolment(server=url, reachable=note is None, note=note)
