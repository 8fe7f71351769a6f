"""`provincial-server`: run the reference provincial server and administer it."""

from __future__ import annotations

import argparse
import json
import logging
import os
import socket
import sys

from sqlalchemy.exc import OperationalError

from desk_app.domain.errors import InvalidInput
from provincial_server import admin
from provincial_server.catalogs import CatalogRefused
from provincial_server.console.staff import StaffError, add_staff
from provincial_server.db import DEFAULT_DB_URL, ServerDB
from provincial_server.timeouts import DEFAULT_BODY_TIMEOUT, DEFAULT_HEADER_TIMEOUT, DEFAULT_KEEP_ALIVE_TIMEOUT

log = logging.getLogger("provincial_server")


def _seconds(text) -> float:
    try:
        value = float(text)
    except (TypeError, ValueError):
        raise argparse.ArgumentTypeError(f"«{text}» ثانیه نیست.") from None
    if not 0 <= value <= 86400:
        raise argparse.ArgumentTypeError("مهلت باید بین ۰ و ۸۶۴۰۰ ثانیه باشد.")
    return value


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="provincial-server", description="سرور مرجع استان برای میز پیشخوان")
    p.add_argument(
        "--db",
        default=os.environ.get("PROVINCIAL_DB", DEFAULT_DB_URL),
        help="SQLAlchemy URL (default: env PROVINCIAL_DB or sqlite:///provincial.db)",
    )
    sub = p.add_subparsers(dest="cmd", required=True)

    sv = sub.add_parser("serve", help="run the HTTP server")
    sv.add_argument("--host", default="127.0.0.1")
    sv.add_argument("--port", type=int, default=8080, help="0 picks a free port")
    sv.add_argument("--workers", type=int, default=1)
    demo_env = os.environ.get("PROVINCIAL_DEMO_ADVANCE")
    sv.add_argument(
        "--demo-advance",
        type=float,
        nargs="?",
        const=5.0,
        default=float(demo_env) if demo_env else None,
        metavar="SECONDS",
        help="move submitted requests to in_progress, then completed, after SECONDS "
        "(default 5; env PROVINCIAL_DEMO_ADVANCE)",
    )
    sv.add_argument(
        "--rate-limit",
        default=os.environ.get("PROVINCIAL_RATE_LIMIT", "20,60"),
        help="per-device calls per second and burst, e.g. 20,60; 0 disables",
    )
    sv.add_argument("--max-batch-items", type=int, default=None)
    sv.add_argument("--max-batch-bytes", type=int, default=None)
    sv.add_argument("--max-body-bytes", type=int, default=None)
    sv.add_argument("--max-decompressed-bytes", type=int, default=None)
    sv.add_argument("--access-log", action="store_true")
    sv.add_argument(
        "--sms-gateway",
        default=os.environ.get("PROVINCIAL_SMS_GATEWAY") or None,
        metavar="URL",
        help="send the citizens' SMS through this gateway (POST JSON {to, text, idempotency_key}; "
        "env PROVINCIAL_SMS_GATEWAY; without it messages wait in the outbox)",
    )
    sv.add_argument(
        "--files",
        default=os.environ.get("PROVINCIAL_FILES"),
        metavar="DIR",
        help="folder of attachment files (default: beside a SQLite database, e.g. provincial-files/)",
    )
    sv.add_argument(
        "--header-timeout",
        type=_seconds,
        default=_seconds(os.environ.get("PROVINCIAL_HEADER_TIMEOUT", DEFAULT_HEADER_TIMEOUT)),
        metavar="SECONDS",
        help=f"close a connection whose request line and headers are not complete in SECONDS "
        f"(default {DEFAULT_HEADER_TIMEOUT:g}; 0 off)",
    )
    sv.add_argument(
        "--body-timeout",
        type=_seconds,
        default=_seconds(os.environ.get("PROVINCIAL_BODY_TIMEOUT", DEFAULT_BODY_TIMEOUT)),
        metavar="SECONDS",
        help=f"close a connection whose request body stops for SECONDS (default {DEFAULT_BODY_TIMEOUT:g}; 0 off)",
    )
    sv.add_argument(
        "--keep-alive-timeout",
        type=_seconds,
        default=_seconds(os.environ.get("PROVINCIAL_KEEP_ALIVE_TIMEOUT", DEFAULT_KEEP_ALIVE_TIMEOUT)),
        metavar="SECONDS",
        help=f"close an idle keep-alive connection after SECONDS (default {DEFAULT_KEEP_ALIVE_TIMEOUT}; 0 off)",
    )

    of = sub.add_parser("office").add_subparsers(dest="action", required=True)
    oa = of.add_parser("add")
    oa.add_argument("--code", required=True)
    oa.add_argument("--name", required=True)

    dv = sub.add_parser("device").add_subparsers(dest="action", required=True)
    for name in ("enrol", "revoke"):
        d = dv.add_parser(name)
        d.add_argument("--office", required=True)
        d.add_argument("--device", type=int, required=True)

    ct = sub.add_parser("catalog").add_subparsers(dest="action", required=True)
    ct.add_parser("load").add_argument("file")

    rq = sub.add_parser("request").add_subparsers(dest="action", required=True)
    ss = rq.add_parser("set-status")
    ss.add_argument("receipt_no")
    ss.add_argument("status")
    ss.add_argument("--note")
    rl = rq.add_parser("list")
    rl.add_argument("--office")
    rl.add_argument("--json", action="store_true")

    sm = sub.add_parser("sms").add_subparsers(dest="action", required=True)
    sl = sm.add_parser("list", help="the citizen SMS outbox (mobiles masked)")
    sl.add_argument("--state", choices=sms_states())
    sl.add_argument("--limit", type=int, default=None)
    sl.add_argument("--json", action="store_true")

    for name in ("backup", "restore"):
        b = sub.add_parser(name)
        b.add_argument("file")
        b.add_argument(
            "--passphrase-stdin",
            action="store_true",
            help="read the backup passphrase from the first line of standard input "
            "(else env PROVINCIAL_BACKUP_PASSPHRASE; without either, backup writes plain JSON, mode 0600)",
        )
    sub.add_parser("epoch").add_subparsers(dest="action", required=True).add_parser("rotate")
    al = sub.add_parser("attachment").add_subparsers(dest="action", required=True).add_parser("list")
    al.add_argument("--receipt", required=True, metavar="RECEIPT_NO")
    al.add_argument("--json", action="store_true")

    st = sub.add_parser("staff", help="web console staff (DESIGN.md section 12)").add_subparsers(
        dest="action", required=True
    )
    sa = st.add_parser("add", help="add a console user; the password is the first line of standard input")
    sa.add_argument("--username", required=True)
    sa.add_argument("--role", required=True, choices=["agency", "province"])
    sa.add_argument("--agency", help="the agency (دستگاه) of the catalog's services; required for --role agency")
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.cmd == "serve":
            return serve(args)
        db = ServerDB(args.db)
        try:
            db.init()
            return _admin(db, args)
        finally:
            db.dispose()
    except (admin.AdminError, CatalogRefused, InvalidInput, StaffError) as exc:
        problems = getattr(exc, "problems", None)
        print(str(exc), file=sys.stderr)
        for line in problems or []:
            print("  - " + line, file=sys.stderr)
        return 1
    except OperationalError as exc:
        print(f"پایگاه داده در دسترس نیست: {exc.orig}", file=sys.stderr)
        return 3


def _admin(db: ServerDB, args) -> int:
    if args.cmd == "office":
        admin.add_office(db, args.code, args.name)
        print(f"دفتر {args.code} افزوده شد.", file=sys.stderr)
    elif args.cmd == "device" and args.action == "enrol":
        print(admin.enrol_device(db, args.office, args.device), flush=True)
    elif args.cmd == "device":
        admin.revoke_device(db, args.office, args.device)
        print(f"توکن دستگاه {args.device} دفتر {args.office} باطل شد.", file=sys.stderr)
    elif args.cmd == "catalog":
        version, is_new = admin.load_catalog_file(db, args.file)
        print(f"نسخه {version} فهرست خدمات {'بارگذاری شد' if is_new else 'پیش‌تر با همین محتوا بود'}.", file=sys.stderr)
    elif args.cmd == "request" and args.action == "set-status":
        view = admin.set_status(db, args.receipt_no, args.status, args.note)
        print(f"{view['receipt_no']}: {view['status']} (seq {view['seq']})", file=sys.stderr)
    elif args.cmd == "request":
        rows = admin.list_requests(db, args.office)
        if args.json:
            json.dump(rows, sys.stdout, ensure_ascii=False, indent=1)
            print()
        else:
            for r in rows:
                print(f"{r['receipt_no']}\t{r['status']}\t{r['server_ref']}\t{r['service_code']}\t{r['total']}")
    elif args.cmd == "sms":
        _sms_list(db, args)
    elif args.cmd == "backup":
        passphrase = _passphrase(args)
        counts = admin.backup(db, args.file, passphrase)
        print(f"پشتیبان نوشته شد: {sum(counts.values())} ردیف.", file=sys.stderr)
        if passphrase is None:
            print(
                "هشدار: پشتیبان رمزگذاری نشده است (فقط مالک پرونده آن را می‌خواند)؛ "
                "برای رمزگذاری --passphrase-stdin را بدهید.",
                file=sys.stderr,
            )
    elif args.cmd == "restore":
        admin.restore(db, args.file, _passphrase(args))
        print("بازیابی انجام شد؛ دوره‌ی تازه‌ای برای فید ساخته شد.", file=sys.stderr)
    elif args.cmd == "attachment":
        from provincial_server.uploads import list_attachments

        pages = list_attachments(db, args.receipt)
        if args.json:
            json.dump(pages, sys.stdout, ensure_ascii=False, indent=1)
            print()
        else:
            for a in pages:
                print(f"{a['sha256']}\t{a['bytes']}\t{a['content_type']}\t{a['document'] or ''}")
    elif args.cmd == "epoch":
        admin.rotate_epoch(db)
        print("دوره‌ی فید عوض شد.", file=sys.stderr)
    elif args.cmd == "staff":
        password = sys.stdin.readline().rstrip("\r\n")  # never an argument: it would show in the process list
        row = add_staff(db, args.username, args.role, args.agency, password)
        print(f"کاربر {row.username} ({row.role}) افزوده شد.", file=sys.stderr)
    return 0


def sms_states() -> tuple[str, ...]:
    from provincial_server.sms import STATES

    return STATES


def _sms_list(db: ServerDB, args) -> None:
    from provincial_server import sms

    rows = sms.list_messages(db, args.state, args.limit)
    if args.json:
        json.dump(rows, sys.stdout, ensure_ascii=False, indent=1)
        print()
    else:
        for r in rows:
            print(
                f"{r['office']}\t{r['seq']}\t{r['server_ref'] or '-'}\t{r['status']}\t{r['state']}\t"
                f"{r['attempts']}\t{r['to'] or '-'}\t{r['last_error'] or ''}"
            )
    summary = "، ".join(f"{state} {n}" for state, n in sms.counts(db).items() if n)
    print(f"پیامک‌ها: {summary or 'هیچ'}", file=sys.stderr)


def _passphrase(args) -> str | None:
    """The backup passphrase: the first line of standard input with --passphrase-stdin, else the
    environment, else none. Never an argument (it would show in the process list)."""
    if args.passphrase_stdin:
        line = sys.stdin.readline().rstrip("\r\n")
        if not line:
            raise admin.AdminError("رمز پشتیبان در ورودی استاندارد نیامد.")
        return line
    return os.environ.get("PROVINCIAL_BACKUP_PASSPHRASE") or None


def serve(args) -> int:
    import uvicorn
    from uvicorn.supervisors import Multiprocess

    # Only the server process logs (admin commands may run inside another program, e.g. the demo).
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")

    # Create the tables once, here, before any worker races to do it.
    db = ServerDB(args.db)
    db.init()
    db.dispose()
    env = {
        "PROVINCIAL_DB": args.db,
        "PROVINCIAL_RATE_LIMIT": args.rate_limit,
        "PROVINCIAL_INIT_DB": "0",
        "PROVINCIAL_DEMO_ADVANCE": "" if args.demo_advance is None else str(args.demo_advance),
        "PROVINCIAL_HEADER_TIMEOUT": str(args.header_timeout),
        "PROVINCIAL_BODY_TIMEOUT": str(args.body_timeout),
        "PROVINCIAL_SMS_GATEWAY": args.sms_gateway or "",
    }
    if args.files:
        env["PROVINCIAL_FILES"] = os.path.abspath(args.files)
    for opt in ("max_batch_items", "max_batch_bytes", "max_body_bytes", "max_decompressed_bytes"):
        if getattr(args, opt) is not None:
            env["PROVINCIAL_" + opt.upper()] = str(getattr(args, opt))
    os.environ.update(env)

    sock = socket.socket(socket.AF_INET6 if ":" in args.host else socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((args.host, args.port))
    sock.listen(2048)
    sock.set_inheritable(True)
    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    print(f"listening http://{shown}:{port}", flush=True)

    config = uvicorn.Config(
        "provincial_server.app:app_from_env",
        factory=True,
        workers=args.workers,
        access_log=args.access_log,
        log_level="info" if args.access_log else "warning",
        timeout_keep_alive=args.keep_alive_timeout or 86400,
        # uvicorn has no deadline for a request's headers; this protocol adds it (and one for a
        # stalled body) to the one uvicorn would pick, so half-open connections do not pile up.
        http="provincial_server.timeouts:GuardedProtocol",
    )
    try:
        if args.workers > 1:
            Multiprocess(config, sockets=[sock]).run()
        else:
            uvicorn.Server(config).run(sockets=[sock])
    except KeyboardInterrupt:  # uvicorn re-raises the signal it handled; the shutdown was clean
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
