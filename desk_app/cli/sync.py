"""`desk-app sync [--once] [--json]` and `desk-app enrol --server URL --token-file F`.

`sync --once` runs one sync at once (no start delay, no waiting on an earlier backoff) and exits
3 when the server could not be reached or refused us. `sync` without `--once` keeps running:
a random 0-60 s start delay (so 08:00 does not stampede the province), then the timer, with
full-jitter backoff after failures. Only one sync runs per data folder (`sync.lock`).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from desk_app.cli import EXIT_ENV, EXIT_INPUT, EXIT_OK, CommandError, add_json_flag, open_desk

MSG_NOT_ENROLLED = (
    "این دستگاه هنوز در سرور استان ثبت نشده است؛ ابتدا «desk-app enrol --server URL --token-file F» را اجرا کنید."
)


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


def _report(out, report) -> None:
    out.result(report.to_json(), _human(report))
    for msg in (report.warning, report.stopped_reason or (None if report.online else report.error)):
        if msg:
            out.info(msg)


def _sync(args: argparse.Namespace, out) -> int:
    """One run (`--once`), or the loop until interrupted: a random 0-60 s start delay or an earlier
    backoff, then `sync_interval_s` after a success, the backoff after a failure (services.sync)."""
    from desk_app.services import sync

    with open_desk(args) as desk:
        try:
            with sync.SyncSession(desk) as session:
                if not args.once:
                    session.run_forever(lambda report: _report(out, report), sleep=time.sleep)
                report = session.run_once()
        except sync.NotEnrolled:
            raise CommandError(MSG_NOT_ENROLLED, EXIT_INPUT) from None
    _report(out, report)
    return EXIT_OK if report.online and not report.stopped_reason else EXIT_ENV


def _enrol(args: argparse.Namespace, out) -> int:
    from desk_app.services import sync

    try:
        token = args.token_file.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise CommandError(f"فایل توکن خوانده نشد: {args.token_file}", EXIT_INPUT) from exc
    with open_desk(args) as desk:
        enrolment = sync.enrol(desk, args.server, token)
    out.result(
        {"server": enrolment.server, "enrolled": True, "reachable": enrolment.reachable},
        "دستگاه به سرور استان متصل شد." if enrolment.reachable else "توکن ذخیره شد.",
    )
    if enrolment.note:
        out.info(enrolment.note)
    return EXIT_OK
