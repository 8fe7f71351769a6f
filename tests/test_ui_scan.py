"""The scan dialog as a clerk uses it: the SANE `test` backend as the scanner, files through
Qt's file dialog, each page shown with its size in KB and kind, stored and linked to the
request and document; a non-image file, a scanner lost mid-scan and a full disk answered in
Persian with every earlier page kept; the status bar's queued bytes and time at the measured
rate."""

from __future__ import annotations

import os
import signal
import subprocess
from types import SimpleNamespace

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog, QLabel, QLineEdit

from desk_app.services import attachments as A
from desk_app.services import imaging
from desk_app.store.models import SyncState
from tests.helpers.deskdata import make_desk, register
from tests.ui_helpers import NATIONAL_CODES, fill_intake, idle, log_in

CARD = "کارت ملی"


@pytest.fixture
def make_ctx(app, qtbot):
    """A UiContext over a real desk (clerk `ali` of tests.helpers.deskdata) and a real job runner."""
    from desk_app.ui.context import UiContext, load_prefs
    from desk_app.ui.jobs import JobRunner

    made = []

    def make(desk):
        runner = JobRunner()
        ctx = UiContext(desk, runner, user=SimpleNamespace(username="ali", role="clerk"), prefs=load_prefs(desk))
        made.append(ctx)
        return ctx

    yield make
    for ctx in made:
        ctx.runner.shutdown(wait=True)


def open_dialog(qtbot, ctx, receipt, document=None, scanner=None):
    from desk_app.ui.scan_dialog import ScanDialog

    dialog = ScanDialog(ctx, receipt, document, scanner=scanner)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.activateWindow()
    # the documents loaded and the scanners listed (the button comes back when the list is in)
    qtbot.waitUntil(lambda: dialog.document.count() > 0 and dialog.refresh_button.isEnabled(), timeout=30_000)
    idle(qtbot, ctx.runner)
    return dialog


def wait_done(qtbot, dialog, timeout=60_000):
    qtbot.waitUntil(lambda: not dialog.busy, timeout=timeout)
    idle(qtbot, dialog.ctx.runner, timeout=timeout)


def item_texts(dialog) -> list[str]:
    return [dialog.pages.item(i).text() for i in range(dialog.pages.count())]


def kb(size: int) -> str:
    from desk_app.ui.scan_dialog import size_text

    return size_text(size)


def test_scan_by_keyboard_shows_the_size_and_stores_the_page_for_the_document(
    sane_test, make_ctx, desk, request_no, qtbot
):
    sane_test(test_picture="Grid")
    ctx = make_ctx(desk)
    dialog = open_dialog(qtbot, ctx, request_no, CARD)
    qtbot.waitUntil(lambda: dialog.device.currentData() == "test:0", timeout=20_000)
    assert dialog.document.currentText() == CARD  # the key pressed on intake chose the document
    assert dialog.scan_button.isEnabled() and dialog.scan_button.isDefault()
    qtbot.keyClick(dialog, Qt.Key.Key_F5)  # scan
    assert dialog.busy and dialog.stop_button.isEnabled() and not dialog.done_button.isEnabled()
    wait_done(qtbot, dialog)
    (view,) = A.list_pages(desk, request_no)
    assert (view.document, view.state, view.kind) == (CARD, "pending", imaging.TEXT)
    assert view.bytes == len(A.read_page(desk, view.sha256))
    (text,) = item_texts(dialog)
    assert CARD in text and kb(view.bytes) in text and "کیلوبایت" in text and "سیاه" in text
    assert "۱ صفحه" in dialog.message.text() and not dialog.message.is_error
    qtbot.waitUntil(lambda: dialog.preview.pixmap() is not None and not dialog.preview.pixmap().isNull())
    assert kb(view.bytes) in dialog.page_info.text() and "در صف ارسال" in dialog.page_info.text()
    assert kb(view.bytes) in dialog.totals.text()
    with qtbot.waitSignal(dialog.finished):
        qtbot.keyClick(dialog, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)  # done
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert [p.sha256 for p in A.list_pages(desk, request_no)] == [view.sha256]  # kept after closing


def test_files_through_the_persian_file_dialog_and_a_page_deleted(samples, make_ctx, desk, request_no, qtbot):
    ctx = make_ctx(desk)
    dialog = open_dialog(qtbot, ctx, request_no, "شناسنامه", scanner=SimpleNamespace(devices=lambda: []))
    assert "اسکنری پیدا نشد" in dialog.message.text() and dialog.file_button.isDefault()
    qtbot.keyClick(dialog, Qt.Key.Key_O, Qt.KeyboardModifier.ControlModifier)  # from file…
    qtbot.waitUntil(lambda: dialog.file_dialog is not None and dialog.file_dialog.isVisible())
    files = dialog.file_dialog
    name = files.findChild(QLineEdit, "fileNameEdit")
    assert files.windowTitle() == "انتخاب فایل‌های تصویر یا PDF"
    labels = [w.text() for w in files.findChildren(QLabel)]
    assert any("نام پرونده" in t for t in labels)  # Qt's own words from qtbase_fa.qm
    name.setText(str(samples["pdf"]))  # the A4 text page and the ID-card photo, one PDF
    qtbot.keyClick(name, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.pages.count() == 2, timeout=60_000)
    wait_done(qtbot, dialog)
    views = A.list_pages(desk, request_no)
    assert [(v.document, v.page_no, v.kind) for v in views] == [
        ("شناسنامه", 1, imaging.TEXT),
        ("شناسنامه", 2, imaging.PHOTO),
    ]
    texts = item_texts(dialog)
    assert kb(views[0].bytes) in texts[0] and "متن" in texts[0]
    assert kb(views[1].bytes) in texts[1] and "عکس" in texts[1]
    assert all(not dialog.pages.item(i).icon().isNull() for i in range(2))  # a preview of each page

    dialog.pages.setCurrentRow(1)
    dialog.pages.setFocus()
    qtbot.keyClick(dialog.pages, Qt.Key.Key_Delete)  # the photo was the wrong paper
    qtbot.waitUntil(lambda: dialog.pages.count() == 1)
    assert [v.sha256 for v in A.list_pages(desk, request_no)] == [views[0].sha256]
    assert not A.blob_path(desk.home, views[1].sha256).exists()
    assert "برداشته شد" in dialog.message.text()


def test_a_file_that_is_not_an_image_is_refused_in_persian(tmp_path, samples, make_ctx, desk, request_no, qtbot):
    ctx = make_ctx(desk)
    dialog = open_dialog(qtbot, ctx, request_no, scanner=SimpleNamespace(devices=lambda: []))
    text = tmp_path / "scan.jpg"
    text.write_text("این یک تصویر نیست\n")  # named .jpg, holds text
    dialog.import_files([samples["card_jpg"], text])
    wait_done(qtbot, dialog)
    assert dialog.message.is_error and "scan.jpg" in dialog.message.text()
    assert any("\u0600" <= ch <= "\u06ff" for ch in dialog.message.text())
    assert dialog.pages.count() == 0 and A.list_pages(desk, request_no) == []  # the whole command refused


def test_a_scanner_lost_mid_scan_keeps_the_pages_before_it(sane_test, make_ctx, desk, request_no, qtbot):
    from desk_app.services.scanner import SaneScanner

    sane_test(test_picture="Grid", read_delay=True, read_delay_duration=40000)  # ~3 s a sheet
    scanner = SaneScanner()
    ctx = make_ctx(desk)
    dialog = open_dialog(qtbot, ctx, request_no, CARD, scanner=scanner)
    qtbot.waitUntil(lambda: dialog.device.currentData() == "test:0", timeout=20_000)
    dialog.feeder.setChecked(True)
    killed = []

    def pull_the_cable(_view, _png):
        if not killed and scanner.process is not None:
            killed.append(scanner.process.pid)
            os.kill(scanner.process.pid, signal.SIGKILL)

    dialog.bridge.page.connect(pull_the_cable)
    dialog.scan()
    wait_done(qtbot, dialog)
    assert killed
    message = dialog.message.text()
    assert dialog.message.is_error and "از دست رفت" in message and "ذخیره شده است" in message
    stored = A.list_pages(desk, request_no)
    assert 1 <= len(stored) == dialog.pages.count() and A.verify(desk) == []
    assert not dialog.busy and dialog.done_button.isEnabled()


def test_a_slow_scanner_list_never_holds_the_window(make_ctx, desk, request_no, qtbot):
    """A network scanner may take many seconds to answer `scanimage -L`: the dialog opens at once,
    says it is looking, and files can be read meanwhile."""
    import threading
    import time

    from desk_app.services.scanner import ScanDevice
    from desk_app.ui.scan_dialog import ScanDialog

    answer = threading.Event()

    def devices():
        answer.wait(20)
        return [ScanDevice("net:10.0.0.9:hp", "HP", "ScanJet", "flatbed scanner")]

    ctx = make_ctx(desk)
    started = time.monotonic()
    dialog = ScanDialog(ctx, request_no, scanner=SimpleNamespace(devices=devices))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.document.count() > 0)
    assert time.monotonic() - started < 2
    assert dialog.device.currentText() == "در جست‌وجوی اسکنر…" and not dialog.scan_button.isEnabled()
    assert dialog.file_button.isEnabled()
    answer.set()
    qtbot.waitUntil(lambda: dialog.device.currentData() == "net:10.0.0.9:hp", timeout=5_000)
    assert "HP ScanJet" in dialog.device.currentText() and dialog.scan_button.isEnabled()
    idle(qtbot, ctx.runner)


def test_esc_stops_a_running_scan_and_keeps_its_pages(sane_test, make_ctx, desk, request_no, qtbot):
    sane_test(test_picture="Grid", read_delay=True, read_delay_duration=40000)  # ~3 s a sheet
    ctx = make_ctx(desk)
    dialog = open_dialog(qtbot, ctx, request_no, CARD)
    qtbot.waitUntil(lambda: dialog.device.currentData() == "test:0", timeout=20_000)
    dialog.feeder.setChecked(True)  # ten sheets in the test backend's feeder
    dialog.scan()
    qtbot.waitUntil(lambda: dialog.pages.count() >= 1, timeout=30_000)
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)  # stop, not close
    assert dialog.isVisible() and "متوقف" in dialog.message.text()
    wait_done(qtbot, dialog)
    assert dialog.isVisible() and "لغو" in dialog.message.text() and "ذخیره شده است" in dialog.message.text()
    assert [p.sha256 for p in A.list_pages(desk, request_no)] == [v.sha256 for v in dialog.page_views()]
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)  # now it closes
    assert not dialog.isVisible()


@pytest.fixture
def small_disk(tmp_path):
    """A 4 MB tmpfs (root only; CI runs as root), as tests/test_attachments_disk.py mounts it."""
    if os.name != "posix" or os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root (CI runs as root)")
    mount = tmp_path / "small"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m,mode=0700", "tmpfs", str(mount)], capture_output=True)
    if done.returncode != 0:
        from tests.helpers.tools import missing

        missing(f"mount -t tmpfs as root: {done.stderr.decode(errors='replace').strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_a_full_disk_says_so_and_keeps_the_earlier_pages(small_disk, samples, make_ctx, qtbot):
    from tests.test_attachments_disk import fill

    desk = make_desk(small_disk / "home")
    try:
        desk.settings.set("attachment_reserve_mb", 0)
        receipt = register(desk, 1).receipt_no
        ctx = make_ctx(desk)
        dialog = open_dialog(qtbot, ctx, receipt, CARD, scanner=SimpleNamespace(devices=lambda: []))
        dialog.import_files([samples["card_jpg"]])
        wait_done(qtbot, dialog)
        (first,) = A.list_pages(desk, receipt)
        ballast = fill(small_disk, leave=8 * 1024)  # less than the text page needs
        dialog.document.setCurrentIndex(dialog.document.findData("شناسنامه"))
        dialog.import_files([samples["text_png"]])
        wait_done(qtbot, dialog)
        message = dialog.message.text()
        assert dialog.message.is_error and "فضای خالی دیسک" in message and "سالم مانده‌اند" in message
        assert [p.sha256 for p in A.list_pages(desk, receipt)] == [first.sha256]
        assert A.verify(desk) == [] and A.read_page(desk, first.sha256)
        assert item_texts(dialog) == [item_texts(dialog)[0]] and CARD in item_texts(dialog)[0]
        ballast.unlink()
        dialog.import_files([samples["text_png"]])  # space freed: the same action goes through
        wait_done(qtbot, dialog)
        assert dialog.pages.count() == 2 and not dialog.message.is_error
        dialog.close()
        ctx.runner.shutdown(wait=True)
    finally:
        desk.close()


# --- the pages around it: intake keys, the requests page, the status bar -----------------------


def _close_receipt_preview(qtbot, page):
    qtbot.waitUntil(lambda: page.receipts.dialog is not None and page.receipts.dialog.isVisible(), timeout=15_000)
    page.receipts.dialog.reject()  # no printer in this data folder: the preview came up


def test_intake_offers_a_key_per_required_document_after_the_save(sane_test, launcher, samples, qtbot):
    sane_test()
    window = log_in(qtbot, launcher(), "clerk")
    page = window.intake
    assert not page.document_keys.isVisible()
    fill_intake(page, NATIONAL_CODES[0])  # 2101: national card, birth certificate, photo, service card
    with qtbot.waitSignal(page.registered, timeout=10_000) as saved:
        page.save()
    request = saved.args[0]
    _close_receipt_preview(qtbot, page)
    keys = page.document_keys
    qtbot.waitUntil(lambda: keys.isVisible() and len(keys.buttons) == 5, timeout=10_000)
    assert request.receipt_no in keys.title()
    assert [b.text().split("  ")[0] for b in keys.buttons] == ["Alt+1", "Alt+2", "Alt+3", "Alt+4", "Alt+0"]
    assert keys.buttons[1].text().endswith("شناسنامه")
    window.activateWindow()  # the receipt preview had the keyboard
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    page.national_code.setFocus()
    qtbot.keyClick(page.national_code, Qt.Key.Key_2, Qt.KeyboardModifier.AltModifier)  # the birth certificate
    qtbot.waitUntil(lambda: keys.dialog is not None and keys.dialog.isVisible(), timeout=5_000)
    dialog = keys.dialog
    assert dialog.receipt_no == request.receipt_no
    qtbot.waitUntil(lambda: dialog.document.currentText() == "شناسنامه", timeout=10_000)
    dialog.import_files([samples["text_png"]])
    wait_done(qtbot, dialog)
    (view,) = A.list_pages(window.ctx.desk, request.receipt_no)
    assert view.document == "شناسنامه"
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)  # closes: the page is already kept
    qtbot.waitUntil(lambda: "(۱ صفحه)" in keys.buttons[1].text(), timeout=10_000)


def test_requests_page_lists_pages_and_attaches_to_an_earlier_request(launcher, samples, qtbot):
    made = launcher()
    from desk_app.services.context import Desk

    with Desk.open(made.desk.home) as desk:
        earlier = register(desk, 7, clerk="clerk").receipt_no
        A.attach_files(desk, earlier, [samples["card_jpg"]], document=CARD)
        sent = A.list_pages(desk, earlier)[0]
        A.mark_sent(desk, sent.sha256, sent.request_id)
    window = log_in(qtbot, made, "clerk")
    qtbot.keyClick(window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)  # the requests page
    page = window.requests
    qtbot.waitUntil(lambda: page.model.rowCount() >= 1, timeout=10_000)
    page.select_row(0)
    panel = page.pages_panel
    qtbot.waitUntil(lambda: panel.list.count() == 1, timeout=10_000)
    assert CARD in panel.list.item(0).text() and "فرستاده شد" in panel.list.item(0).text()
    assert kb(sent.bytes) in panel.list.item(0).text() and "همه فرستاده شد" in panel.summary.text()
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: panel.dialog is not None and panel.dialog.isVisible(), timeout=5_000)
    dialog = panel.dialog
    assert dialog.receipt_no == earlier
    qtbot.waitUntil(lambda: dialog.pages.count() == 1, timeout=10_000)  # the page it already has
    dialog.import_files([samples["text_png"]])
    wait_done(qtbot, dialog)
    dialog.accept()
    qtbot.waitUntil(lambda: panel.list.count() == 2, timeout=10_000)
    assert "در صف ارسال" in panel.list.item(1).text()
    assert "۲ صفحه" in panel.summary.text() and "۱ صفحه در صف ارسال" in panel.summary.text()


def test_status_bar_shows_bytes_queued_and_the_time_once_a_rate_is_measured(launcher, samples, qtbot):
    window = log_in(qtbot, launcher(), "clerk")
    desk, ctx = window.ctx.desk, window.ctx
    label = window.status.attachments_label
    assert not label.isVisible()
    receipt = register(desk, 3, clerk="clerk").receipt_no
    A.attach_files(desk, receipt, [samples["pdf"]], document=CARD)
    ctx.requests_changed.emit()  # what the dialog emits after each page
    qtbot.waitUntil(lambda: label.isVisible() and "صفحه" in label.text(), timeout=10_000)
    summary = A.queued_summary(desk)
    assert (summary.pages, summary.rate_bps) == (2, None)
    assert label.text() == f"۲ صفحه، {kb(summary.bytes)} در صف"  # no rate yet: bytes only
    with desk.db.write() as s:  # what the uploader records after a sending
        s.merge(SyncState(key=A.UPLOAD_RATE_KEY, value=str(max(1, summary.bytes // 90))))  # ~90 s for all
    ctx.requests_changed.emit()
    qtbot.waitUntil(lambda: "حدود" in label.text(), timeout=10_000)
    assert label.text() == f"۲ صفحه، {kb(summary.bytes)} در صف — حدود ۲ دقیقه"
    idle(qtbot, ctx.runner)


def test_eta_words():
    from desk_app.ui.status_bar import DeskStatusBar

    bar = SimpleNamespace(tr=lambda t: t)
    ascii_digits = str.maketrans("۰۱۲۳۴۵۶۷۸۹", "0123456789")
    words = [DeskStatusBar.eta_text(bar, s).translate(ascii_digits) for s in (5, 60, 61, 3600, 5400, 3600 * 12 + 1900)]
    assert words == ["under a minute", "about 1 min", "about 2 min", "about 1 h", "about 1 h 30 min", "about 13 h"]
    assert A.QueuedSummary(2, 1000, 300).eta_s == 4 and A.QueuedSummary(2, 1000, None).eta_s is None


def test_queued_summary_ignores_a_rate_that_is_not_a_number(desk, request_no, samples):
    A.attach_files(desk, request_no, [samples["card_jpg"]])
    with desk.db.write() as s:
        s.merge(SyncState(key=A.UPLOAD_RATE_KEY, value="fast"))
    pages, size, rate = A.queued_summary(desk)
    assert pages == 1 and size == A.list_pages(desk, request_no)[0].bytes and rate is None
