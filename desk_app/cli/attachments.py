"""Scanned documents at the command line (DESIGN.md section 11): `attach`, `scan`, `scanner list`
and `attachment list|preview|export|remove|pending|purge|check`."""

from __future__ import annotations

import argparse
from pathlib import Path

from desk_app.cli import EXIT_ENV, EXIT_INPUT, CommandError, add_json_flag, open_desk

KIND_CHOICES = ("auto", "text", "photo")
KIND_FA = {"text": "متن دوسطحی", "photo": "عکس خاکستری"}


def register(subparsers) -> None:
    p = subparsers.add_parser("attach", help="add image or PDF files as pages of a request's documents")
    p.add_argument("receipt_no")
    p.add_argument("files", nargs="+", metavar="FILE")
    _capture_options(p)
    p.set_defaults(handler=cmd_attach)

    p = subparsers.add_parser("scan", help="scan pages into a request (SANE on Linux, WIA on Windows)")
    p.add_argument("receipt_no")
    p.add_argument("--device", help="scanner device (see `desk-app scanner list`)")
    p.add_argument("--feeder", action="store_true", help="scan every sheet of the document feeder")
    _capture_options(p)
    p.set_defaults(handler=cmd_scan)

    sc = subparsers.add_parser("scanner", help="scanners").add_subparsers(dest="scanner_command", metavar="ACTION")
    p = sc.add_parser("list", help="the scanners this PC sees")
    add_json_flag(p)
    p.set_defaults(handler=cmd_scanner_list)

    at = subparsers.add_parser("attachment", help="scanned pages kept with requests").add_subparsers(
        dest="attachment_command", metavar="ACTION"
    )
    p = at.add_parser("list", help="the pages of a request")
    p.add_argument("receipt_no")
    add_json_flag(p)
    p.set_defaults(handler=cmd_list)
    p = at.add_parser("preview", help="write a small PNG of a page")
    p.add_argument("receipt_no")
    p.add_argument("sha256", help="the page's SHA-256 (or its first 8+ characters)")
    p.add_argument("file", type=Path)
    p.add_argument("--size", type=int, default=256, help="long side in pixels")
    p.set_defaults(handler=cmd_preview)
    p = at.add_parser("export", help="copy a page's stored file (TIFF, PNG or JPEG)")
    p.add_argument("receipt_no")
    p.add_argument("sha256")
    p.add_argument("file", type=Path)
    p.set_defaults(handler=cmd_export)
    p = at.add_parser("remove", help="take an unsent page off a request")
    p.add_argument("receipt_no")
    p.add_argument("sha256")
    p.add_argument("--clerk")
    p.set_defaults(handler=cmd_remove)
    p = at.add_parser("pending", help="pages waiting to be sent, oldest request first")
    p.add_argument("--limit", type=int)
    add_json_flag(p)
    p.set_defaults(handler=cmd_pending)
    p = at.add_parser("purge", help="manager: delete pages of cancelled requests (and old sent ones)")
    p.add_argument("--manager", required=True)
    p.add_argument("--sent-days", type=int, help="also delete files of pages sent more than N days ago")
    add_json_flag(p)
    p.set_defaults(handler=cmd_purge)
    p = at.add_parser("check", help="verify every unsent page file; remove leftovers of interrupted writes")
    add_json_flag(p)
    p.set_defaults(handler=cmd_check)


def _capture_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--document", help="the required document these pages prove (e.g. «کارت ملی»)")
    p.add_argument("--kind", choices=KIND_CHOICES, default="auto", help="force bi-level text or grey photo")
    p.add_argument("--clerk", help="the clerk doing it (checked when given)")
    add_json_flag(p)


def _kind(args) -> str | None:
    return None if args.kind == "auto" else args.kind


def _fa(n) -> str:
    from desk_app.domain.text import to_persian_digits

    return to_persian_digits(str(n)).replace(".", "٫")


def _page_line(v) -> str:
    doc = f"«{v.document}»" if v.document else "بی‌نام"
    state = {"pending": "در صف ارسال", "sent": "فرستاده‌شده"}.get(v.state, v.state)
    again = "" if v.new else " (پیش‌تر افزوده شده بود)"
    return (
        f"{doc} صفحهٔ {_fa(v.page_no)}: {KIND_FA.get(v.kind, v.kind)}، {_fa(v.kb)} کیلوبایت، {state}"
        f"\t{v.sha256[:12]}{again}"
    )


def _report(result, out) -> int:
    lines = [_page_line(v) for v in result.pages]
    lines.append(f"حجم در صف ارسال این درخواست: {_fa(round(result.bytes_pending / 1024, 1))} کیلوبایت")
    out.result(result.to_json(), "\n".join(lines))
    if result.error:
        out.error(result.error)
        return EXIT_INPUT if result.error_kind == "limit" else EXIT_ENV
    return 0


def cmd_attach(args, out) -> int:
    from desk_app.services import attachments

    with open_desk(args) as desk:
        result = attachments.attach_files(
            desk, args.receipt_no, args.files, document=args.document, kind=_kind(args), clerk=args.clerk
        )
    return _report(result, out)


def cmd_scan(args, out) -> int:
    from desk_app.services import attachments
    from desk_app.services.scanner import ScannerError

    with open_desk(args) as desk:
        try:
            result = attachments.scan(
                desk,
                args.receipt_no,
                device=args.device,
                document=args.document,
                kind=_kind(args),
                feeder=args.feeder,
                clerk=args.clerk,
                on_page=lambda v, _page: out.info(_page_line(v)),
            )
        except ScannerError as exc:
            raise CommandError(exc.message + " هیچ صفحه‌ای ذخیره نشد.", EXIT_ENV) from exc
    return _report(result, out)


def cmd_scanner_list(args, out) -> int:
    from desk_app.services.scanner import ScannerError, default_scanner

    try:
        found = default_scanner().devices()
    except ScannerError as exc:
        raise CommandError(exc.message, EXIT_ENV) from exc
    out.result(
        [d.to_json() for d in found],
        "\n".join(f"{d.name}\t{d.vendor} {d.model}".rstrip() for d in found) or "اسکنری پیدا نشد.",
    )
    return 0


def cmd_list(args, out) -> int:
    from desk_app.services import attachments

    with open_desk(args) as desk:
        pages = attachments.list_pages(desk, args.receipt_no)
    out.result([p.to_json() for p in pages], "\n".join(_page_line(p) for p in pages) or "این درخواست صفحه‌ای ندارد.")
    return 0


def _sha(desk, receipt_no: str, given: str) -> str:
    """A full SHA-256, or a prefix of 8+ characters that names one page of the request."""
    from desk_app.services import attachments

    text = (given or "").strip().lower()
    if len(text) == 64:
        return text
    if len(text) < 8:
        raise CommandError("دست‌کم ۸ نویسهٔ اول شناسهٔ صفحه (SHA-256) را بدهید.")
    matches = [p.sha256 for p in attachments.list_pages(desk, receipt_no) if p.sha256.startswith(text)]
    if len(matches) != 1:
        raise CommandError("این شناسه به یک صفحهٔ این درخواست نمی‌خورد.")
    return matches[0]


def _write(path: Path, data: bytes) -> None:
    if path.is_dir():
        raise CommandError(f"«{path.name}» پوشه است؛ نام یک فایل را بدهید.")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def cmd_preview(args, out) -> int:
    from desk_app.services import attachments

    if not 16 <= args.size <= 2048:
        raise CommandError("--size باید میان ۱۶ و ۲۰۴۸ نقطه باشد.")
    with open_desk(args) as desk:
        sha = _sha(desk, args.receipt_no, args.sha256)
        attachments.get_page(desk, args.receipt_no, sha)
        _write(args.file, attachments.preview(desk, sha, args.size))
    out.info(f"پیش‌نمایش در «{args.file}» نوشته شد.")
    return 0


def cmd_export(args, out) -> int:
    from desk_app.services import attachments

    with open_desk(args) as desk:
        sha = _sha(desk, args.receipt_no, args.sha256)
        attachments.get_page(desk, args.receipt_no, sha)
        _write(args.file, attachments.read_page(desk, sha))
    out.info(f"صفحه در «{args.file}» نوشته شد.")
    return 0


def cmd_remove(args, out) -> int:
    from desk_app.services import attachments

    with open_desk(args) as desk:
        sha = _sha(desk, args.receipt_no, args.sha256)
        attachments.remove_page(desk, args.receipt_no, sha, actor=args.clerk)
    out.info("صفحه از درخواست برداشته شد.")
    return 0


def cmd_pending(args, out) -> int:
    from desk_app.services import attachments

    with open_desk(args) as desk:
        totals = attachments.pending_totals(desk)
        queue = attachments.pending_uploads(desk, args.limit)
    out.result(
        totals.to_json() | {"queue": [q.to_json() for q in queue]},
        f"{_fa(totals.pages)} صفحه از {_fa(totals.requests)} درخواست در صف ارسال؛ "
        f"{_fa(round(totals.bytes / 1024, 1))} کیلوبایت برای فرستادن.",
    )
    return 0


def cmd_purge(args, out) -> int:
    from desk_app.services import attachments

    with open_desk(args) as desk:
        result = attachments.purge(desk, actor=args.manager, sent_days=args.sent_days)
    out.result(
        result.to_json(),
        f"{_fa(result.files)} فایل صفحه ({_fa(round(result.bytes / 1024))} کیلوبایت) پاک شد؛ "
        f"{_fa(result.links)} صفحهٔ درخواست‌های لغوشده برداشته شد.",
    )
    return 0


def cmd_check(args, out) -> int:
    from desk_app.services import attachments

    with open_desk(args) as desk:
        bad = attachments.verify(desk)
        swept = attachments.sweep(desk)
    out.result(
        {"damaged": bad, "swept": swept},
        "همهٔ صفحه‌های در صف ارسال سالم‌اند." if not bad else f"{_fa(len(bad))} صفحه آسیب دیده یا گم شده است.",
    )
    if bad:
        out.error("این صفحه‌ها را دوباره اسکن کنید: " + "، ".join(b[:12] for b in bad))
        return EXIT_ENV
    return 0
