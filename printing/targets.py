"""Output targets of DESIGN.md section 8 (`png:FILE`, `pdf:FILE`, `escpos-file:FILE`,
`escpos-net:HOST:PORT`, `escpos-usb:VID:PID`, `escpos-serial:DEV`, `printer:NAME`), plus
`pdf-dir:FOLDER` (a "PDF printer": every document a new PDF file in the folder, never one over
another), and the one call that prints a receipt to any of them."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path

from desk_app.domain.errors import InvalidInput
from desk_app.domain.jalali import TEHRAN, to_jalali, utc_now
from printing import backends
from printing.data import ReceiptData
from printing.errors import PrinterError
from printing.receipt import build_receipt

log = logging.getLogger("printing")

KINDS = ("png", "pdf", "pdf-dir", "escpos-file", "escpos-net", "escpos-usb", "escpos-serial", "printer")
TARGET_HELP = "pdf:FILE | pdf-dir:FOLDER | png:FILE | escpos-file:FILE | escpos-net:HOST:PORT | escpos-usb:VID:PID | escpos-serial:DEV | printer:NAME"  # noqa: E501


@dataclass(frozen=True)
class Target:
    kind: str
    value: str
    host: str | None = None
    port: int | None = None
    vid: int | None = None
    pid: int | None = None

    def __str__(self) -> str:
        return f"{self.kind}:{self.value}"


def _bad(text: str) -> InvalidInput:
    return InvalidInput(f"مقصد چاپ نامعتبر است: «{text}». شکل‌های مجاز: {TARGET_HELP}", "target")


def parse_target(text: str, allowed: tuple[str, ...] = KINDS) -> Target:
    kind, sep, value = (text or "").partition(":")
    kind = kind.strip().lower()
    if not sep or kind not in KINDS or not value:
        raise _bad(text)
    if kind not in allowed:
        raise InvalidInput(f"این مقصد برای این سند پذیرفته نیست: {kind}. مجاز: " + "، ".join(allowed), "target")
    if kind == "escpos-net":
        host, colon, port = value.rpartition(":")
        if not colon:
            host, port = value, "9100"
        host = host.strip("[]")
        if not host or not port.isascii() or not port.isdigit() or not 0 < int(port) < 65536:
            raise _bad(text)
        return Target(kind, value, host=host, port=int(port))
    if kind == "escpos-usb":
        vid, colon, pid = value.partition(":")
        try:
            return Target(kind, value, vid=int(vid, 16), pid=int(pid, 16))
        except ValueError:
            raise _bad(text) from None
    return Target(kind, value)


MAX_SAME_NAME = 1000  # pdf-dir: name-2.pdf ... before giving up (a folder that refuses every name)


def receipt_file_stem(data: ReceiptData) -> str:
    """`1405-09-08_4512-2-050908-0042` (Jalali day of the request, Tehran; its receipt number),
    `..._copy-2` for the second copy: files sort by day and name the receipt they hold."""
    j = to_jalali(data.created_at)  # an instant: its Tehran day
    stem = f"{j.year:04d}-{j.month:02d}-{j.day:02d}_{data.receipt_no}"
    return stem + (f"_copy-{data.copy_no}" if data.copy_no else "")


def document_file_stem(kind: str) -> str:
    """`test_1405-09-08_143005` for a document without a receipt number (a test page)."""
    now = utc_now()
    j, local = to_jalali(now), now.astimezone(TEHRAN)
    return f"{kind}_{j.year:04d}-{j.month:02d}-{j.day:02d}_{local:%H%M%S}"


def new_file_in(folder: str | Path, stem: str, suffix: str = ".pdf") -> Path:
    """A new, empty, private file `stem.pdf` in `folder` (made when missing), `stem-2.pdf` and so
    on when the name is taken: created with O_EXCL, so no earlier receipt is ever written over."""
    from desk_app.paths import make_private_dir

    folder = Path(folder)
    try:
        if not folder.is_dir():  # a folder made here is private; the manager's own is left as it is
            make_private_dir(folder)
        for n in range(1, MAX_SAME_NAME + 1):
            path = folder / f"{stem}{'' if n == 1 else f'-{n}'}{suffix}"
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                continue
            os.close(fd)
            return path
    except OSError as exc:
        raise PrinterError(f"پوشهٔ رسیدهای PDF قابل نوشتن نیست: {folder} ({exc.strerror or exc})") from exc
    raise PrinterError(f"در پوشهٔ رسیدهای PDF نام تازه‌ای برای «{stem}» پیدا نشد: {folder}")


def document_bytes(doc, *, paper: int = 80, dots: int | None = None, drawer: bool = False) -> bytes:
    """The ESC/POS job of a roll document (image + cut [+ drawer kick])."""
    from printing.escpos_out import to_escpos_bytes
    from printing.thermal import paper_dots, render

    return to_escpos_bytes(render(doc, paper_dots(paper, dots)), cut=True, drawer=drawer)


def receipt_bytes(data: ReceiptData, *, paper: int = 80, dots: int | None = None, drawer: bool = False) -> bytes:
    return document_bytes(build_receipt(data), paper=paper, dots=dots, drawer=drawer)


def send_bytes(
    target: Target, data: bytes, *, status: bool = True, timeouts: backends.Timeouts = backends.Timeouts()
) -> None:
    """Deliver one ESC/POS job to a byte-accepting target."""
    if target.kind == "escpos-file":
        backends.write_file(target.value, data)
    elif target.kind == "escpos-net":
        assert target.host is not None and target.port is not None, "parse_target sets them"
        backends.send_network(target.host, target.port, data, status=status, timeouts=timeouts)
    elif target.kind == "escpos-usb":
        assert target.vid is not None and target.pid is not None, "parse_target sets them"
        backends.send_usb(target.vid, target.pid, data, status=status)
    elif target.kind == "escpos-serial":
        backends.send_serial(target.value, data, status=status)
    elif target.kind == "printer":
        backends.send_system(target.value, data)
    else:
        raise PrinterError(f"این مقصد دادهٔ ESC/POS نمی‌پذیرد: {target.kind}")


def print_document_to(
    target: str | Target,
    doc,
    paper: int = 80,
    dots: int | None = None,
    *,
    drawer: bool = False,
    status: bool = True,
    timeouts: backends.Timeouts = backends.Timeouts(),
    stem: str | None = None,
) -> Target:
    """Render a roll document (receipt, ticket, test page) for `target` and deliver it; gives the
    target written (for `pdf-dir:` the `pdf:` file made, named `stem` or after the document).
    Raises PrinterError (environment) or InvalidInput (a malformed target)."""
    t = target if isinstance(target, Target) else parse_target(target)
    if t.kind == "pdf-dir":
        from printing.pdf import render_document_pdf

        path = new_file_in(t.value, stem or document_file_stem(doc.kind))
        try:
            render_document_pdf(doc, path)
        except BaseException:
            path.unlink(missing_ok=True)  # no empty file left for a receipt that was not written
            raise
        t = Target("pdf", str(path))
    elif t.kind == "pdf":
        from printing.pdf import render_document_pdf

        render_document_pdf(doc, Path(t.value))
    elif t.kind == "png":
        from printing.thermal import paper_dots, render

        image = render(doc, paper_dots(paper, dots))
        backends.prepare_private_output(t.value)
        if not image.save(t.value, "PNG"):
            raise PrinterError(f"نوشتن فایل تصویر ممکن نشد: {t.value}")
    else:
        send_bytes(t, document_bytes(doc, paper=paper, dots=dots, drawer=drawer), status=status, timeouts=timeouts)
    log.info("%s printed to %s", doc.kind, t.kind)
    return t


def print_receipt_to(
    target: str | Target,
    data: ReceiptData,
    paper: int = 80,
    dots: int | None = None,
    *,
    drawer: bool = False,
    status: bool = True,
    timeouts: backends.Timeouts = backends.Timeouts(),
) -> Target:
    """The receipt of `data` to any target (the A5 PDF for `pdf:` and `pdf-dir:`, the thermal image
    otherwise); gives the target written (`pdf-dir:` -> the new `pdf:` file)."""
    return print_document_to(
        target,
        build_receipt(data),
        paper,
        dots,
        drawer=drawer,
        status=status,
        timeouts=timeouts,
        stem=receipt_file_stem(data),
    )


def print_pdf_to(target: str | Target, render_to, *, allowed=("pdf", "printer")) -> Target:
    """A PDF document (form, report) to `pdf:FILE` or a system printer; `render_to(path)` draws it."""
    import tempfile

    t = target if isinstance(target, Target) else parse_target(target, allowed)
    if t.kind == "pdf":
        render_to(Path(t.value))
        return t
    with tempfile.TemporaryDirectory(prefix="desk-print-") as tmp:
        path = Path(tmp) / "document.pdf"
        render_to(path)
        backends.send_system(t.value, pdf=path)
    return t
