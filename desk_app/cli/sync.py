"""`desk-app sync [--once] [--json]` and `desk-app enrol --server URL --token-file F`.

`sync --once` runs one sync at once (no start delay, no waiting on an earlier backoff) and exits
3 when the server could not be reached or refused us. `sync` without `--once` keeps running:
a random 0-60 s start delay (so 08:00 does not stampede the province), then the timer, with
full-jitter backoff after failures. Only one sync runs per data folder (`sync.lock`).
"""

from __future__ import annotations

import argparse
import random
import time
from pathlib import Path

from desk_app.cli import EXIT_ENV, EXIT_INPUT, EXIT_OK, CommandError, add_json_flag, open_desk

MSG_NOT_ENROLLED = (
    "این دستگاه هنوز در سرور استان ثبت نشده است؛ ابتدا «desk-app enrol --server URL --token-file F» را اجرا کنید."
)
START_DELAY_MAX_S = 60.0


def register(sub) -> None:
    p = sub.add_parser("sync", help="push the outbox, pull changes, refresh the catalog")
    p.add_argument("--once", action="store_true", help="one run now, then exit")
    add_json_flag(p)
    p.set_defaults(handler=_sync)

    e = sub.add_parser("enrol", help="connect this device to the provincial server")
    e.add_argument("--server", required=True, help="server URL, e.g. https://pishkhan.example:8443")
    e.add_argument("--token-file", required=True, type=Path, help="file holding the device token")
    add_json_flag(e)
    e.set_defaults(handler=_enrol)


def _human(report) -> str:
    lines = [
        f"ارسال: {report.sent}  تأیید: {report.acked}  تکراری: {report.duplicate}  "
        f"نامعتبر: {report.invalid}  تعارض: {report.conflict}  دریافت: {report.pulled}",
        f"در صف: {report.pending}  قدیمی‌ترین در صف: {report.oldest_pending_s} ثانیه  نیازمند بررسی: {report.attention}",
        "وضعیت: " + ("برخط" if report.online else "برون‌خط"),
    ]
    return "\n".join(lines)


def _build(desk):
    """(engine, transport) for the open data folder; refuses a device that was never enrolled."""
    from desk_app.sync.credentials import load_token
    from desk_app.sync.engine import SyncEngine
    from desk_app.sync.transport import HttpTransport

    server = desk.settings.get("server_url")
    token = load_token(desk.home)
    if not server or not token:
        raise CommandError(MSG_NOT_ENROLLED, EXIT_INPUT)
    transport = HttpTransport(server, token, ca_file=desk.settings.get("ca_file"))
    engine = SyncEngine(
        desk.db, transport, office=desk.settings.get("office_code"), device=desk.settings.get("device_no")
    )
    return engine, transport


def _report(out, report) -> None:
    out.result(report.to_json(), _human(report))
    for msg in (report.warning, report.stopped_reason or (None if report.online else report.error)):
        if msg:
            out.info(msg)


def _sync(args: argparse.Namespace, out) -> int:
    from desk_app.sync.lock import sync_lock

    with open_desk(args) as desk, sync_lock(desk.home):
        engine, transport = _build(desk)
        with transport:
            if args.once:
                report = engine.run_once()
                _report(out, report)
                return EXIT_OK if report.online and not report.stopped_reason else EXIT_ENV
            return _loop(engine, out, desk)


def _loop(engine, out, desk) -> int:
    """Run until interrupted; the first run waits the random start delay or an earlier backoff."""
    from desk_app.domain.jalali import parse_utc, utc_now

    delay = random.uniform(0, START_DELAY_MAX_S)
    pending_retry = engine._state().get("next_attempt_at")
    if pending_retry:
        try:
            delay = max(delay, (parse_utc(pending_retry) - utc_now()).total_seconds())
        except ValueError:
            pass
    while True:
        if delay > 0:
            time.sleep(delay)
        report = engine.run_once()
        _report(out, report)
        delay = engine.next_delay()
        if report.online and not report.stopped_reason:
            delay = float(desk.settings.get("sync_interval_s") or delay)


def _enrol(args: argparse.Namespace, out) -> int:
    from desk_app.services.setup import clean_server_url, save_token
    from desk_app.store.models import SyncState

    try:
        token = args.token_file.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise CommandError(f"فایل توکن خوانده نشد: {args.token_file}", EXIT_INPUT) from exc
    with open_desk(args) as desk:
        url = clean_server_url(args.server)
        mismatch, note = _probe(desk, url, token)
        if mismatch:
            raise CommandError(mismatch, EXIT_INPUT)
        save_token(desk.home, token)
        with desk.db.write() as s:
            desk.settings.set("server_url", url, s)
            row = s.get(SyncState, "stopped_reason")  # a new token lifts an earlier 401 stop
            if row is not None:
                row.value = None
    out.result(
        {"server": url, "enrolled": True, "reachable": note is None},
        "دستگاه به سرور استان متصل شد." if note is None else "توکن ذخیره شد.",
    )
    if note:
        out.info(note)
    return EXIT_OK


def _probe(desk, url: str, token: str) -> tuple[str | None, str | None]:
    """Say hello with the new token: (mismatch message, note). A server that does not answer is
    only a note (an office may enrol while the link is down); a token of another office/device
    or one the server refuses is a mismatch, and nothing is saved."""
    from desk_app.sync.errors import AuthError, SyncError
    from desk_app.sync.transport import HttpTransport

    with HttpTransport(url, token, ca_file=desk.settings.get("ca_file"), timeout=(5.0, 10.0)) as t:
        try:
            hello = t.hello()
        except AuthError as exc:
            return exc.message, None
        except SyncError as exc:
            return None, f"سرور استان اکنون پاسخ نداد ({exc.message})؛ همگام‌سازی بعداً انجام می‌شود."
    office, device = desk.settings.get("office_code"), desk.settings.get("device_no")
    if office and (str(hello.get("office")) != str(office) or int(hello.get("device", -1)) != int(device)):
        return (
            f"سرور استان این توکن را برای دفتر {hello.get('office')} / دستگاه {hello.get('device')} "
            f"می‌شناسد، نه دفتر {office} / دستگاه {device}؛ توکن ذخیره نشد."
        ), None
    return None, None
