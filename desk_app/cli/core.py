"""The Foundation commands: init, user, catalog, request, shift, audit, backup, restore."""

from __future__ import annotations

import getpass
import sys
from pathlib import Path

from desk_app.cli import EXIT_ENV, EXIT_INPUT, EXIT_TAMPER, CommandError, Output, add_json_flag, home_of, open_desk
from desk_app.domain.errors import InvalidInput
from desk_app.domain.jalali import format_jalali_datetime, parse_jalali_date, parse_utc
from desk_app.domain.money import format_amount
from desk_app.domain.status import STATUS_LABELS_FA, Status


def register(sub) -> None:
    p = sub.add_parser("init", help="office code, office name and device number of this PC")
    p.add_argument("--office", required=True)
    p.add_argument("--office-name", required=True)
    p.add_argument("--device", required=True)
    p.add_argument("--server")
    p.add_argument("--token-file", type=Path)
    add_json_flag(p)
    p.set_defaults(handler=cmd_init)

    user = sub.add_parser("user", help="users of this PC").add_subparsers(dest="user_command", metavar="ACTION")
    p = user.add_parser("add", help="add a user (password from standard input)")
    p.add_argument("--username", required=True)
    p.add_argument("--role", required=True, choices=["clerk", "manager"])
    p.add_argument("--full-name")
    add_json_flag(p)
    p.set_defaults(handler=cmd_user_add)
    p = user.add_parser("list", help="list users")
    add_json_flag(p)
    p.set_defaults(handler=cmd_user_list)

    cat = sub.add_parser("catalog", help="service catalog").add_subparsers(dest="catalog_command", metavar="ACTION")
    p = cat.add_parser("import", help="import a catalog JSON file")
    p.add_argument("file", type=Path)
    add_json_flag(p)
    p.set_defaults(handler=cmd_catalog_import)
    p = cat.add_parser("list", help="list services")
    p.add_argument("--query")
    p.add_argument("--active", action="store_true", help="only active services")
    add_json_flag(p)
    p.set_defaults(handler=cmd_catalog_list)

    req = sub.add_parser("request", help="service requests").add_subparsers(dest="request_command", metavar="ACTION")
    p = req.add_parser("add", help="register one request")
    p.add_argument("--national-code", required=True)
    p.add_argument("--first-name", required=True)
    p.add_argument("--last-name", required=True)
    p.add_argument("--mobile")
    p.add_argument("--service", required=True)
    p.add_argument("--clerk", required=True)
    p.add_argument("--payment", default="cash", choices=["cash", "card"])
    p.add_argument("--payment-ref")
    p.add_argument(
        "--field",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="an answer to the service's form (repeatable; yes/no as true/false or بله/خیر)",
    )
    add_json_flag(p)
    p.set_defaults(handler=cmd_request_add)
    p = req.add_parser("import", help="register the rows of a CSV file")
    p.add_argument("file", type=Path)
    p.add_argument("--clerk", required=True)
    add_json_flag(p)
    p.set_defaults(handler=cmd_request_import)
    p = req.add_parser("list", help="list requests, newest first")
    p.add_argument("--status")
    p.add_argument("--date", help="Jalali date, e.g. 1405/09/08")
    p.add_argument("--query", help="receipt no, national code or the start of a name")
    p.add_argument("--limit", type=int, help="at most this many")
    add_json_flag(p)
    p.set_defaults(handler=cmd_request_list)
    p = req.add_parser("show", help="one request with its history")
    p.add_argument("receipt_no")
    add_json_flag(p)
    p.set_defaults(handler=cmd_request_show)
    p = req.add_parser("cancel", help="cancel a request")
    p.add_argument("receipt_no")
    p.add_argument("--reason", required=True)
    p.add_argument("--clerk", required=True)
    p.add_argument("--refund")
    add_json_flag(p)
    p.set_defaults(handler=cmd_request_cancel)

    sh = sub.add_parser("shift", help="open or close a shift").add_subparsers(dest="shift_command", metavar="ACTION")
    p = sh.add_parser("open", help="open a shift with the opening cash")
    p.add_argument("--clerk", required=True)
    p.add_argument("--cash", default="0")
    add_json_flag(p)
    p.set_defaults(handler=cmd_shift_open)
    p = sh.add_parser("close", help="close a shift with the counted cash per method")
    p.add_argument("--clerk", required=True)
    p.add_argument("--counted", required=True, help="cash=N,card=N")
    add_json_flag(p)
    p.set_defaults(handler=cmd_shift_close)

    au = sub.add_parser("audit", help="audit log").add_subparsers(dest="audit_command", metavar="ACTION")
    p = au.add_parser("verify", help="check the audit log's hash chain")
    add_json_flag(p)
    p.set_defaults(handler=cmd_audit_verify)

    from desk_app.cli.ops import add_replace_device_flag, cmd_backup, cmd_restore  # one path with `backups`

    p = sub.add_parser("backup", help="encrypted copy of the database to FILE (passphrase from standard input)")
    p.add_argument("file", type=Path)
    add_json_flag(p)
    p.set_defaults(handler=cmd_backup)
    p = sub.add_parser(
        "restore", help="replace the database by an encrypted backup FILE (passphrase from standard input)"
    )
    p.add_argument("file", type=Path)
    p.add_argument(
        "--any-office",
        action="store_true",
        help="accept a backup of another office (moving an office's data to a new code)",
    )
    add_replace_device_flag(p)
    add_json_flag(p)
    p.set_defaults(handler=cmd_restore)


# ---------------------------------------------------------------- helpers


def _amount(desk, rials: int) -> str:
    return format_amount(rials, unit=desk.settings.get("display_unit"))


def _when(iso: str) -> str:
    return format_jalali_datetime(parse_utc(iso))


def _request_line(desk, r) -> str:
    status = STATUS_LABELS_FA.get(Status(r.status), r.status)
    return "\t".join(
        [
            r.receipt_no,
            _when(r.created_at),
            status,
            f"{r.first_name} {r.last_name}",
            r.service_title,
            _amount(desk, r.total),
        ]
    )


def _read_text_file(path: Path, what: str, limit: int) -> str:
    try:
        if path.stat().st_size > limit:
            raise InvalidInput(f"فایل {what} بیش از اندازه بزرگ است.", "file")
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InvalidInput(f"فایل «{path.name}» پیدا نشد.", "file") from None
    except IsADirectoryError:
        raise InvalidInput(f"«{path.name}» پوشه است، نه فایل.", "file") from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput(f"فایل {what} باید با کدگذاری UTF-8 باشد.", "file") from None


# ---------------------------------------------------------------- commands


def cmd_init(args, out: Output):
    from desk_app.services import setup
    from desk_app.services.context import Desk

    if args.token_file and not args.server:
        raise CommandError("--token-file بدون --server معنا ندارد.", EXIT_INPUT)
    token = _read_text_file(args.token_file, "توکن", 64 * 1024).strip() if args.token_file else None
    with Desk.open(home_of(args)) as desk:
        setup.init_office(desk, args.office, args.office_name, args.device, server_url=args.server, token=token)
        values = desk.settings.all()
    out.result(
        {
            "office": values["office_code"],
            "office_name": values["office_name"],
            "device": values["device_no"],
            "server": values["server_url"],
            "enrolled": token is not None,
        },
        f"دستگاه {values['device_no']} دفتر {values['office_code']} ({values['office_name']}) راه‌اندازی شد.",
    )


def _read_password() -> str:
    if sys.stdin is not None and sys.stdin.isatty():
        first = getpass.getpass("گذرواژه: ")
        if getpass.getpass("تکرار گذرواژه: ") != first:
            raise CommandError("دو گذرواژه یکسان نیستند.")
        return first
    line = sys.stdin.readline() if sys.stdin is not None else ""
    return line.rstrip("\r\n")


def cmd_user_add(args, out: Output):
    from desk_app.services import users

    password = _read_password()
    with open_desk(args, initialised=False) as desk:
        u = users.add_user(desk, args.username, args.role, password, full_name=args.full_name)
    out.result(u.to_json(), f"کاربر «{u.username}» ({u.role}) افزوده شد.")


def cmd_user_list(args, out: Output):
    from desk_app.services import users

    with open_desk(args, initialised=False) as desk:
        items = users.list_users(desk)
    out.result(
        [u.to_json() for u in items],
        "\n".join(f"{u.username}\t{u.role}\t{u.full_name}\t{'فعال' if u.active else 'غیرفعال'}" for u in items)
        or "کاربری نیست.",
    )


def cmd_catalog_import(args, out: Output):
    from desk_app.services import catalog

    with open_desk(args, initialised=False) as desk:
        r = catalog.import_catalog(desk, args.file)
    text = (
        f"فهرست خدمات نسخهٔ {r.version} از پیش وارد شده بود؛ تغییری نکرد."
        if r.unchanged
        else f"فهرست خدمات نسخهٔ {r.version} وارد شد: {r.services} خدمت ({r.added} تازه، {r.updated} به‌روز، "
        f"{r.deactivated} غیرفعال‌شده)."
    )
    out.result(r.to_json(), text)


def cmd_catalog_list(args, out: Output):
    from desk_app.services import catalog

    with open_desk(args, initialised=False) as desk:
        items = catalog.list_services(desk, query=args.query, active_only=args.active)
        lines = [
            "\t".join([s.code, s.title, s.agency, _amount(desk, s.total)] + ([] if s.active else ["(غیرفعال)"]))
            for s in items
        ]
    out.result([s.to_json() for s in items], "\n".join(lines) or "فهرست خدمات خالی است.")


def parse_field_options(items: list[str]) -> dict[str, str]:
    """`--field NAME=VALUE` options as answers (values as typed: the service's form normalises them)."""
    fields: dict[str, str] = {}
    for item in items:
        name, sep, value = item.partition("=")
        name = name.strip()
        if not sep or not name:
            raise CommandError(f"--field باید به شکل NAME=VALUE باشد (نه «{item[:40]}»).")
        if name in fields:
            raise CommandError(f"فیلد {name} دو بار با --field آمده است.")
        fields[name] = value
    return fields


def cmd_request_add(args, out: Output):
    from desk_app.domain.forms import AnswersError
    from desk_app.services import intake

    fields = parse_field_options(args.field)
    with open_desk(args) as desk:
        try:
            r = intake.register_request(
                desk,
                clerk=args.clerk,
                national_code=args.national_code,
                first_name=args.first_name,
                last_name=args.last_name,
                mobile=args.mobile,
                service_code=args.service,
                payment_method=args.payment,
                payment_ref=args.payment_ref,
                fields=fields,
            )
        except AnswersError as exc:  # every bad field, each by its name and its Persian title
            out.error("درخواست ثبت نشد؛ پاسخ این فیلدهای فرم خدمت درست نیست:")
            for e in exc.errors:
                out.error(f"  فیلد {e.field}: {e.message}")
            return EXIT_INPUT
        out.result(r.to_json(), f"درخواست ثبت شد؛ شمارهٔ رسید: {r.receipt_no}  مبلغ: {_amount(desk, r.total)}")


def cmd_request_import(args, out: Output):
    """Exit 0 all rows saved (now or by an earlier run of the same file), 1 some rows bad, 3 the
    store failed half-way (what was saved is in the output), 130 interrupted."""
    from desk_app.services import imports

    with open_desk(args) as desk:
        report = imports.import_csv(desk, args.file, args.clerk)
    for e in sorted(report.errors, key=lambda e: e.line):
        out.error(f"سطر {e.line}: {e.message}")
    lines = [f"{r.receipt_no}\tسطر {line}" for line, r in report.created]
    lines += [f"{r.receipt_no}\tسطر {line}\t(پیش‌تر ثبت شده بود)" for line, r in report.already_imported]
    out.result(report.to_json(), "\n".join(lines) if lines else None)
    out.info(report.summary_fa())
    if report.stopped is not None:
        return 130 if report.stopped.reason == "interrupted" else EXIT_ENV
    return EXIT_INPUT if report.errors else 0


def cmd_request_list(args, out: Output):
    from desk_app.services import requests

    filters = {"status": args.status, "query": args.query, "day": parse_jalali_date(args.date) if args.date else None}
    if args.limit is not None and args.limit < 1:
        raise CommandError("--limit باید عددی مثبت باشد.")
    with open_desk(args) as desk:
        items = requests.iter_requests(desk, **filters)
        if args.limit:
            items = (r for i, r in zip(range(args.limit), items))
        if out.json_mode:
            out.json_stream(r.to_json() for r in items)
        else:
            n = 0
            for r in items:
                out.stdout.write(_request_line(desk, r) + "\n")
                n += 1
            out.info(f"{n} درخواست.")


def cmd_request_show(args, out: Output):
    from desk_app.services import requests

    with open_desk(args) as desk:
        r = requests.get_request(desk, args.receipt_no)
        hist = requests.history(desk, r.receipt_no)
        data = r.to_json() | {
            "history": [h.to_json() for h in hist],
            "outbox_state": requests.outbox_state(desk, r.request_id),
        }
        lines = [_request_line(desk, r)] + [
            f"  {_when(h.at)}\t{h.from_status or '-'} → {h.to_status}\t{h.actor}\t{h.note or ''}" for h in hist
        ]
        out.result(data, "\n".join(lines))


def cmd_request_cancel(args, out: Output):
    from desk_app.services import cancel

    with open_desk(args) as desk:
        r = cancel.cancel_request(desk, args.receipt_no, reason=args.reason, clerk=args.clerk, refund=args.refund)
    text = (
        f"درخواست {r.receipt_no} لغو شد."
        if r.status == Status.CANCELLED
        else f"درخواست لغو {r.receipt_no} ثبت شد و پس از ارسال به استان نتیجه‌اش معلوم می‌شود."
    )
    out.result(r.to_json(), text)


def cmd_shift_open(args, out: Output):
    from desk_app.services import shifts

    with open_desk(args) as desk:
        v = shifts.open_shift(desk, args.clerk, args.cash)
        out.result(v.to_json(), f"شیفت «{v.clerk}» با موجودی اول {_amount(desk, v.opening_cash)} باز شد.")


def cmd_shift_close(args, out: Output):
    from desk_app.services import shifts

    with open_desk(args) as desk:
        v = shifts.close_shift(desk, args.clerk, args.counted)
        lines = [f"شیفت «{v.clerk}» بسته شد."]
        for m in shifts.PAYMENT_METHODS:
            lines.append(
                f"{shifts.PAYMENT_LABELS_FA[m]}: مورد انتظار {_amount(desk, v.expected[m])}، "
                f"شمارش‌شده {_amount(desk, v.counted[m])}، اختلاف {_signed(desk, v.difference[m])}"
            )
        out.result(v.to_json(), "\n".join(lines))
        _backup_after_close(desk, out)


def _backup_after_close(desk, out: Output) -> None:
    """The shift is closed (committed); an encrypted backup follows when a passphrase is set.
    A failed backup is said, but it does not undo or fail the close."""
    from desk_app.services import autobackup
    from desk_app.services.errors import StoreError

    if not autobackup.has_passphrase(desk.home):
        return
    try:
        outcome = autobackup.backup_at_shift_close(desk)
    except (OSError, StoreError, InvalidInput) as exc:
        out.info(f"هشدار: پشتیبان پایان شیفت ساخته نشد: {getattr(exc, 'message', None) or exc}")
        return
    if outcome.path is not None:
        out.info(f"پشتیبان رمزنگاری‌شدهٔ پایان شیفت: {outcome.path.name}")


def _signed(desk, rials: int) -> str:
    return ("-" if rials < 0 else "") + _amount(desk, abs(rials))


def cmd_audit_verify(args, out: Output):
    from desk_app.services import audit

    with open_desk(args, initialised=False) as desk:
        v = audit.verify(desk)
    if v.ok:
        out.result(v.to_json(), f"دفتر رویدادها سالم است ({v.checked} رویداد بررسی شد).")
        return 0
    out.result(v.to_json(), None)
    out.error(
        f"دفتر رویدادها دست‌کاری شده است: نخستین ردیف ناسازگار شمارهٔ {v.first_bad_id} (پس از {v.checked} ردیف سالم)."
    )
    return EXIT_TAMPER
