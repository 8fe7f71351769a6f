"""`desk-app print receipt|form` and `desk-app report daily` (DESIGN.md section 8).

Printer and file failures are PrinterError -> exit 3 with a Persian message (the CLI's error
boundary); the print job stays recorded as failed and the same command prints again.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from desk_app.cli import EXIT_OK, add_json_flag, open_desk

TARGET_HELP = (
    "pdf:FILE | png:FILE | escpos-file:FILE | escpos-net:HOST:PORT | escpos-usb:VID:PID | "
    "escpos-serial:DEV | printer:NAME"
)


def register(sub) -> None:
    pr = sub.add_parser("print", help="print a receipt or a form").add_subparsers(dest="print_command", metavar="WHAT")
    p = pr.add_parser("receipt", help="print (or reprint) the receipt of a request")
    p.add_argument("receipt_no")
    p.add_argument("--to", required=True, metavar="TARGET", help=TARGET_HELP)
    p.add_argument("--paper", type=int, choices=[80, 58], default=None, help="80 mm (576 dots) or 58 mm (384)")
    p.add_argument("--dots", type=int, default=None, help="dot width override, e.g. 512")
    p.add_argument(
        "--clerk",
        metavar="U",
        default=None,
        help="the user printing it: a reprint is counted in that user's open shift",
    )
    add_json_flag(p)
    p.set_defaults(handler=cmd_print_receipt)

    p = pr.add_parser("form", help="the A4 application form of a request")
    p.add_argument("receipt_no")
    p.add_argument("--to", required=True, metavar="TARGET", help="pdf:FILE | printer:NAME")
    add_json_flag(p)
    p.set_defaults(handler=cmd_print_form)

    rep = sub.add_parser("report", help="reports").add_subparsers(dest="report_command", metavar="WHICH")
    p = rep.add_parser("daily", help="the daily report (A4 PDF, printer, CSV)")
    p.add_argument("--date", help="Jalali date, e.g. 1405/09/08 (default: today in Tehran)")
    p.add_argument("--office-wide", action="store_true", help="every counter PC, from the provincial server")
    p.add_argument("--to", metavar="TARGET", help="pdf:FILE | printer:NAME")
    p.add_argument("--csv", type=Path, metavar="FILE", help="also write the rows as CSV (UTF-8 with BOM)")
    add_json_flag(p)
    p.set_defaults(handler=cmd_report_daily)


def _said(out, result, text: str) -> int:
    for note in result.notes:
        out.info(note)
    out.result(result.to_json(), text)
    return EXIT_OK


def cmd_print_receipt(args: argparse.Namespace, out) -> int:
    from desk_app.services import printjobs

    with open_desk(args) as desk:
        result = printjobs.print_receipt(
            desk, args.receipt_no, args.to, paper=args.paper, dots=args.dots, actor=args.clerk
        )
    what = "رسید" if result.copy_no == 0 else f"رونوشت {result.copy_no} رسید"
    return _said(out, result, f"{what} چاپ شد: {result.target}")


def cmd_print_form(args: argparse.Namespace, out) -> int:
    from desk_app.services import printjobs

    with open_desk(args) as desk:
        result = printjobs.print_form(desk, args.receipt_no, args.to)
    return _said(out, result, f"فرم درخواست آماده شد: {result.target}")


def cmd_report_daily(args: argparse.Namespace, out) -> int:
    from desk_app.domain.jalali import parse_jalali_date
    from desk_app.services import printjobs

    day = parse_jalali_date(args.date) if args.date else None
    if not args.to and not args.csv:
        from desk_app.cli import EXIT_USAGE, CommandError

        raise CommandError("مقصد گزارش را با --to (pdf:FILE یا printer:NAME) یا --csv بدهید.", EXIT_USAGE)
    with open_desk(args) as desk:
        result = printjobs.print_daily_report(desk, day, args.to, office_wide=args.office_wide, csv_path=args.csv)
    return _said(out, result, f"گزارش روزانه آماده شد: {result.target}")
