"""Operations commands: `demo` (a whole office on this PC) and `backups` (the encrypted backups
in `<data folder>/backups/`: passphrase, list, make one now, restore one)."""

from __future__ import annotations

import argparse
import getpass
import sys

from desk_app.cli import EXIT_ENV, CommandError, add_json_flag, home_of, open_desk


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "demo",
        help="local demo: embedded provincial server, demo office, catalog and users",
        description="Sets up (once) a demo office in its own data folder (<default home>/demo or "
        "--home), starts the real provincial server and opens the app.",
    )
    p.add_argument(
        "--no-gui",
        action="store_true",
        help="set up, print the details and keep the server running until Ctrl+C/SIGTERM",
    )
    p.add_argument("--exit", action="store_true", help="with --no-gui: set up and exit at once")
    p.add_argument("--port", type=int, default=0, help="server port (default: a free one)")
    p.add_argument("--reset-passwords", action="store_true", help="give the demo users new passwords (printed once)")
    add_json_flag(p)
    p.set_defaults(handler=_demo)

    bk = subparsers.add_parser("backups", help="encrypted automatic backups").add_subparsers(
        dest="backups_command", metavar="ACTION"
    )
    p = bk.add_parser("passphrase", help="set the backup passphrase (read from standard input)")
    p.set_defaults(handler=_passphrase)
    p = bk.add_parser("list", help="the backups in the data folder, newest first")
    add_json_flag(p)
    p.set_defaults(handler=_list)
    p = bk.add_parser("run", help="make an encrypted backup now")
    p.add_argument("--daily", action="store_true", help="only if today's daily backup is missing")
    add_json_flag(p)
    p.set_defaults(handler=_run)
    p = bk.add_parser("restore", help="restore an encrypted backup FILE (passphrase from standard input)")
    p.add_argument("file")
    p.add_argument(
        "--any-office",
        action="store_true",
        help="accept a backup of another office (moving an office's data to a new code)",
    )
    add_replace_device_flag(p)
    add_json_flag(p)
    p.set_defaults(handler=cmd_restore)


def _demo(args: argparse.Namespace, out) -> int:
    from desk_app import demo

    if args.exit and not args.no_gui:
        raise CommandError("گزینهٔ --exit فقط همراه --no-gui معنا دارد.", 2)
    home = demo.demo_home(args.home)

    def ready(info) -> None:
        out.result(info, info.text())

    try:
        return demo.main_demo(
            home,
            gui=not args.no_gui,
            exit_after_setup=args.exit,
            port=args.port,
            reset_passwords=args.reset_passwords,
            on_ready=ready,
        )
    except demo.DemoError as exc:
        raise CommandError(exc.message, EXIT_ENV) from exc


def _read_secret(prompt: str, confirm: bool) -> str:
    """From the terminal without echo, else the first line of standard input (scripts, tests)."""
    if sys.stdin is not None and sys.stdin.isatty():
        first = getpass.getpass(prompt)
        if confirm and getpass.getpass("تکرار: ") != first:
            raise CommandError("دو رمز یکسان نیستند.")
        return first
    line = sys.stdin.readline() if sys.stdin is not None else ""
    return line.rstrip("\r\n")


def _passphrase(args: argparse.Namespace, out) -> int:
    from desk_app.services import autobackup

    where = autobackup.set_passphrase(home_of(args), _read_secret("رمز پشتیبان: ", confirm=True))
    out.info(
        "رمز پشتیبان ذخیره شد ("
        + ("در انبار رمز سیستم" if where == "keyring" else "در پرونده‌ای که فقط همین کاربر می‌خواند")
        + "). "
        "این رمز را جای امنی بیرون از این رایانه هم نگه دارید: بی آن، پشتیبان‌ها باز نمی‌شوند."
    )
    return 0


def _list(args: argparse.Namespace, out) -> int:
    from desk_app.services import autobackup

    backups = autobackup.list_backups(home_of(args))
    out.result(
        [b.to_json() for b in backups],
        "\n".join(f"{b.modified:%Y-%m-%d %H:%M}Z\t{b.kind}\t{b.path}" for b in backups)
        or "پشتیبانی در پوشهٔ داده نیست.",
    )
    return 0


def _run(args: argparse.Namespace, out) -> int:
    from desk_app.services import autobackup

    with open_desk(args) as desk:
        if args.daily:
            outcome = autobackup.run_daily_backup(desk)
        else:
            outcome = autobackup.backup_now(desk)
    if outcome.skipped == "no_passphrase":
        raise CommandError(outcome.message or autobackup.NO_PASSPHRASE_FA)
    text = f"پشتیبان رمزنگاری‌شده نوشته شد: {outcome.path}" if outcome.path else "پشتیبان امروز از پیش گرفته شده است."
    out.result(
        {
            "file": str(outcome.path) if outcome.path else None,
            "skipped": outcome.skipped,
            "pruned": [str(p) for p in outcome.pruned],
        },
        text,
    )
    return 0


def read_backup_passphrase(confirm: bool) -> str:
    """The backup passphrase of `backup`/`restore`: terminal or first line of standard input;
    an empty or short one is refused in Persian (exit 1) before any file is touched."""
    from desk_app.services import backup_crypto

    passphrase = _read_secret("رمز پشتیبان: ", confirm=confirm)
    if not passphrase.strip():
        raise CommandError("رمز پشتیبان داده نشد؛ آن را در نخستین سطر ورودی استاندارد بدهید.")
    backup_crypto.check_passphrase(passphrase)
    return passphrase


def cmd_backup(args: argparse.Namespace, out) -> int:
    """`desk-app backup FILE`: an encrypted backup (passphrase from standard input) at FILE."""
    from desk_app.services import autobackup

    passphrase = read_backup_passphrase(confirm=True)
    with open_desk(args, initialised=False) as desk:
        path = autobackup.encrypt_snapshot(desk, args.file, passphrase=passphrase)
    out.result(
        {"file": str(path), "size": path.stat().st_size, "encrypted": True},
        f"پشتیبان رمزنگاری‌شده در «{path}» نوشته شد.",
    )
    return 0


def add_replace_device_flag(p) -> None:
    p.add_argument(
        "--replace-device",
        action="store_true",
        help="accept a backup of another device of the office: the manager confirms the PC it came from "
        "is retired (this PC becomes that device; enrol it anew before it numbers receipts)",
    )


def cmd_restore(args: argparse.Namespace, out) -> int:
    """`desk-app restore FILE` and `desk-app backups restore FILE`: one path (autobackup)."""
    from desk_app.services import autobackup

    passphrase = read_backup_passphrase(confirm=False)
    outcome = autobackup.restore_encrypted(
        home_of(args),
        args.file,
        passphrase,
        any_office=getattr(args, "any_office", False),
        replace_device=getattr(args, "replace_device", False),
    )
    r = outcome.result
    text = f"بازیابی انجام شد: {r.requests} درخواست (دفتر {r.office_code}، دستگاه {r.device_no})."
    if r.replaced:
        text += f" این رایانه پیش از این دستگاه {r.replaced[1]} دفتر {r.replaced[0]} بود."
    out.result(outcome.to_json(), text)
    if outcome.note:
        out.info(outcome.note)
    elif outcome.confirmed:
        out.info(
            "شمارهٔ رسیدها پس از آخرین شماره‌ای که سرور استان می‌شناسد ادامه می‌یابد"
            + (f" ({outcome.server_last_receipt_no})." if outcome.server_last_receipt_no else ".")
        )
    if outcome.next_steps:
        out.info(
            f"تا این کارها انجام نشود، این رایانه شمارهٔ رسید نمی‌دهد (دستگاه {r.device_no} دفتر {r.office_code}):\n"
            + "\n".join(
                f"{i}. {step.where} ({step.why}):\n     {step.command}" for i, step in enumerate(outcome.next_steps, 1)
            )
        )
    return 0
