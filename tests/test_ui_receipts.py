"""A receipt every time, as the clerk meets it: the demo's PDF printer (a new file per receipt,
the receipt shown beside the form), no printer (said at the save, the preview to print from, the
manager named), a printer that fails (the preview, and Print once it is back), and the clerk's
read-only settings page that says why and who to ask."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication

from desk_app.domain.jalali import to_jalali
from tests.helpers.escpos_decode import decode
from tests.helpers.pdf_read import pdf_lines
from tests.test_ui_printing import FakePrinter, free_port
from tests.ui_helpers import NATIONAL_CODES, fill_intake, filled_home, idle, log_in

pytestmark = pytest.mark.timeout(60)


def save(qtbot, page, code):
    fill_intake(page, code)
    with qtbot.waitSignal(page.registered, timeout=10_000) as saved:
        page.save()
    return saved.args[0]


def preview_of(qtbot, page):
    qtbot.waitUntil(lambda: page.receipts.dialog is not None and page.receipts.dialog.isVisible(), timeout=15_000)
    return page.receipts.dialog


def shown_image(dialog) -> QImage:
    return dialog.image.pixmap().toImage().convertToFormat(QImage.Format.Format_Grayscale8)


def test_the_demo_printer_makes_a_pdf_per_receipt_and_shows_it(launcher, qtbot, home, tmp_path):
    folder = tmp_path / "receipts"
    filled_home(home, printer_target=f"pdf-dir:{folder}")
    from desk_app.services.context import Desk

    with Desk.open(home) as desk:
        desk.settings.set("show_receipt_preview", True)  # what `desk-app demo` sets
    window = log_in(qtbot, launcher(prepare=False), "clerk")
    page = window.intake
    with qtbot.waitSignal(page.printed, timeout=20_000) as printed:
        first = save(qtbot, page, NATIONAL_CODES[0])
    dialog = preview_of(qtbot, page)
    assert first.receipt_no in dialog.windowTitle()
    assert "PDF" in dialog.headline.text() and not dialog.headline.is_error
    assert "اصل" in dialog.caption.text()  # the original was printed: the preview shows that one
    qtbot.waitUntil(lambda: not dialog.isActiveWindow(), timeout=5_000)  # the keys stay with the form
    assert window.isActiveWindow()
    assert "PDF" in page.receipts.status.text() and first.receipt_no in page.receipts.status.text()
    with qtbot.waitSignal(page.printed, timeout=20_000):
        second = save(qtbot, page, NATIONAL_CODES[1])
    idle(qtbot, window.ctx.runner)
    j = to_jalali(first.created_at if not isinstance(first.created_at, str) else _utc(first.created_at))
    day = f"{j.year:04d}-{j.month:02d}-{j.day:02d}"
    names = sorted(p.name for p in folder.iterdir())
    assert names == sorted(f"{day}_{r.receipt_no}.pdf" for r in (first, second))
    assert printed.args[0].path == str(folder / f"{day}_{first.receipt_no}.pdf")
    lines = pdf_lines(folder / f"{day}_{second.receipt_no}.pdf")[0]
    assert any(second.receipt_no in line for line in lines)  # the file holds that receipt

    page.reprint_last()  # "print again": a copy, in a file of its own
    qtbot.waitUntil(lambda: len(list(folder.iterdir())) == 3, timeout=20_000)
    assert (folder / f"{day}_{second.receipt_no}_copy-1.pdf").exists()
    assert (folder / f"{day}_{second.receipt_no}.pdf").read_bytes().startswith(b"%PDF")  # the original kept


def test_no_printer_is_said_at_the_save_with_the_preview_to_print_from(launcher, qtbot, tmp_path):
    window = log_in(qtbot, launcher(), "clerk")  # nothing set up: no printer
    page = window.intake
    request = save(qtbot, page, NATIONAL_CODES[0])
    status = page.receipts.status
    qtbot.waitUntil(status.isVisible, timeout=5_000)
    assert status.is_error and "چاپگر رسید تنظیم نشده" in status.text()
    dialog = preview_of(qtbot, page)
    qtbot.waitUntil(lambda: "مدیر دفتر" in status.text(), timeout=5_000)  # who to ask, by name
    assert dialog.headline.is_error and "پیش‌نمایش" in dialog.headline.text()
    assert not dialog.print_button.isVisible() and dialog.other_button.isVisible()

    # exactly what a thermal printer would get: the same dots as the ESC/POS job of that receipt
    from desk_app.services import printjobs
    from printing.targets import receipt_bytes

    job = decode(receipt_bytes(printjobs.receipt_data(window.ctx.desk, request.receipt_no, 0)))
    image = shown_image(dialog)
    assert (image.width(), image.height()) == (job.width, job.height) == (576, job.height)
    printed = job.image()
    shown = bytes(image.constBits())[: image.width() * image.height()]
    assert shown == printed.tobytes(), "the preview is not the printer's image"

    pdf = tmp_path / "given-to-the-citizen.pdf"
    with qtbot.waitSignal(dialog.printed, timeout=20_000) as saved:
        dialog.save_pdf_to(str(pdf))
    assert saved.args[0].copy_no == 0  # the original, since no receipt came out before
    assert any(request.receipt_no in line for line in pdf_lines(pdf)[0])
    assert "PDF" in dialog.message.text() and "رونوشت" in dialog.message.text()  # the next one is a copy
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible()


def test_a_failing_printer_opens_the_preview_and_print_works_once_it_is_back(launcher, qtbot):
    port = free_port()  # the printer is off
    window = log_in(qtbot, launcher(printer_target=f"escpos-net:127.0.0.1:{port}"), "clerk")
    page = window.intake
    with qtbot.waitSignal(page.print_failed, timeout=20_000):
        save(qtbot, page, NATIONAL_CODES[2])
    dialog = preview_of(qtbot, page)
    assert dialog.isActiveWindow() or QApplication.activeWindow() in (dialog, None)  # the clerk acts here
    assert "چاپ نشد" in dialog.headline.text() and dialog.print_button.isVisible()
    printer = FakePrinter(port)  # switched on
    try:
        with qtbot.waitSignal(dialog.printed, timeout=20_000) as printed:
            qtbot.keyClick(dialog, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)  # Ctrl+P prints
        assert printed.args[0].copy_no == 0
        qtbot.waitUntil(lambda: len(printer.jobs) == 1, timeout=10_000)
        assert decode(printer.jobs[0]).width == 576
        assert not page.receipts.status.is_error  # the line under the form now says it printed
    finally:
        printer.close()


def test_a_clerks_settings_page_says_why_it_is_read_only_and_who_to_ask(launcher, qtbot):
    window = log_in(qtbot, launcher(), "clerk")
    settings = window.settings
    note = settings.readonly_note
    qtbot.waitUntil(lambda: "مدیر دفتر" in note.text(), timeout=10_000)  # the manager's full name
    assert not note.isHidden() and "فقط مدیر" in note.text() and "چاپگر رسید" in note.text()
    assert not settings.printer_type.isEnabled() and not settings.save_button.isEnabled()
    assert settings.test_button.isEnabled()  # a clerk may still check the printer

    window.tabs.setCurrentIndex(0)
    page = window.intake
    save(qtbot, page, NATIONAL_CODES[3])
    preview_of(qtbot, page).reject()
    window.requests.apply_filters()
    idle(qtbot, window.ctx.runner)
    window.requests.select_row(0)
    window.requests.reprint()  # reprint without a printer: said with who to ask, and the preview
    qtbot.waitUntil(lambda: "مدیر دفتر" in window.requests.message.text(), timeout=10_000)
    assert window.requests.message.is_error
    qtbot.waitUntil(lambda: window.requests.receipts.dialog is not None, timeout=10_000)
    assert window.requests.receipts.dialog.isVisible()


def _utc(text):
    from desk_app.domain.jalali import parse_utc

    return parse_utc(text)
