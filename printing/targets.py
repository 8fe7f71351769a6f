"""Output targets of DESIGN.md section 8 (`png:FILE`, `pdf:FILE`, `escpos-file:FILE`,
`escpos-net:HOST:PORT`, `escpos-usb:VID:PID`, `escpos-serial:DEV`, `printer:NAME`) and the one
call that prints a receipt to any of them."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from desk_app.domain.errors import InvalidInput
from printing import backends
from printing.data import ReceiptData
from printing.errors import PrinterError
from printing.receipt import build_receipt

log = logging.getLogger("printing")

KINDS = ("png", "pdf", "escpos-file", "escpos-net", "escpos-usb", "escpos-serial", "printer")
TARGET_HELP = "pdf:FILE | png:FILE | escpos-file:FILE | escpos-net:HOST:PORT | escpos-usb:VID:PID | escpos-serial:DEV | printer:NAME"  # noqa: E501


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
) -> Target:
    """Render a roll document (receipt, ticket, test page) for `target` and deliver it.
    Raises PrinterError (environment) or InvalidInput (a malformed target)."""
    t = target if isinstance(target, Target) else parse_target(target)
    if t.kind == "pdf":
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
    """The receipt of `data` to any target (the A5 PDF for `pdf:`, the thermal image otherwise)."""
    return print_document_to(target, build_receipt(data), paper, dots, drawer=drawer, status=status, timeouts=timeouts)


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
