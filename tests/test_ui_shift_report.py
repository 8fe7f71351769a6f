"""The shift and the report as the clerk and the manager meet them: closing asks first with
expected, counted and difference per method (Persian digits, ٬ separators), reached with Enter
alone; the report says its received total includes cancelled and refunded requests and shows
the net; a skipped automatic backup is said in the window."""

from __future__ import annotations

import re

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from desk_app.domain.money import format_amount
from desk_app.services import autobackup
from tests.ui_helpers import NATIONAL_CODES, fill_intake, filled_home, idle, log_in

pytestmark = pytest.mark.timeout(60)


def register(qtbot, window, code, service="2101"):
    page = window.intake
    fill_intake(page, code, service)
    with qtbot.waitSignal(page.registered, timeout=10_000) as saved:
        page.save()
    idle(qtbot, window.ctx.runner)
    if page.receipts.dialog is not None:  # no printer here: the preview came up
        page.receipts.dialog.reject()
    return saved.args[0]


def test_closing_a_shift_shows_the_figures_first_and_needs_only_enter(launcher, qtbot):
    window = log_in(qtbot, launcher(), "clerk")
    first = register(qtbot, window, NATIONAL_CODES[0])
    second = register(qtbot, window, NATIONAL_CODES[1])
    cash = first.total + second.total
    page = window.shift
    window.tabs.setCurrentWidget(page)
    page.refresh()
    idle(qtbot, window.ctx.runner)

    page.counted["cash"].setFocus()
    qtbot.keyClicks(page.counted["cash"], str(cash - 1000))
    qtbot.keyClick(page.counted["cash"], Qt.Key.Key_Return)
    assert page.counted["card"].hasFocus()  # Enter moves on to the card total
    qtbot.keyClicks(page.counted["card"], "0")
    qtbot.keyClick(page.counted["card"], Qt.Key.Key_Return)
    assert page.close_button.hasFocus()  # then to the close button
    qtbot.keyClick(page.close_button, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.confirm_dialog is not None and page.confirm_dialog.isVisible(), timeout=10_000)
    dialog = page.confirm_dialog
    texts = dialog.texts()
    assert format_amount(cash) in texts  # expected cash
    assert format_amount(cash - 1000) in texts  # counted
    assert "کسری " + format_amount(1000) in texts  # the difference in words, not a moving minus sign
    assert "بدون اختلاف" in texts  # card: nothing expected, nothing counted
    assert all(not re.search("[0-9]", t) for t in texts), texts  # Persian digits everywhere
    assert "٬" in format_amount(cash) and dialog.findChild(type(dialog.head), "confirm_difference_warning")
    assert QApplication.focusWidget() is dialog.confirm_button

    qtbot.keyClick(dialog, Qt.Key.Key_Escape)  # back: nothing closed
    qtbot.waitUntil(lambda: page.confirm_dialog is None, timeout=5_000)
    idle(qtbot, window.ctx.runner)
    assert page.shift is not None and page.last_close is None
    qtbot.waitUntil(page.counted["cash"].hasFocus, timeout=5_000)  # back at the count

    page.counted["cash"].setText(str(cash))
    qtbot.keyClick(page.counted["cash"], Qt.Key.Key_Return)
    qtbot.keyClick(page.counted["card"], Qt.Key.Key_Return)
    qtbot.keyClick(page.close_button, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.confirm_dialog is not None, timeout=10_000)
    qtbot.keyClick(page.confirm_dialog.confirm_button, Qt.Key.Key_Return)  # Enter confirms
    qtbot.waitUntil(lambda: page.last_close is not None, timeout=10_000)
    assert page.last_close.difference == {"cash": 0, "card": 0}
    assert page.message.text() == "شیفت بسته شد."


def test_the_report_says_what_its_received_total_includes_and_shows_the_net(launcher, qtbot):
    window = log_in(qtbot, launcher(), "manager")
    kept = register(qtbot, window, NATIONAL_CODES[0])
    refunded = register(qtbot, window, NATIONAL_CODES[1], "2102")
    requests = window.requests
    requests.cancel(refunded.receipt_no, reason="انصراف متقاضی", refund=refunded.total)
    qtbot.waitUntil(lambda: "ابطال" in requests.message.text(), timeout=10_000)
    reports = window.reports
    reports.load()
    qtbot.waitUntil(lambda: reports.report is not None, timeout=10_000)
    text = reports.summary.text()
    gross = format_amount(kept.total + refunded.total)
    assert f"جمع دریافتی {gross} (با درخواست‌های لغو و استردادشده)" in text, text
    assert f"خالص دریافتی (پس از کسر استرداد): {format_amount(kept.total)}" in text, text
    assert "هنوز باز" in text and not reports.open_shifts_label.isHidden()  # the manager's own shift


def test_a_skipped_automatic_backup_is_said_to_the_manager(launcher, qtbot, home):
    filled_home(home)
    window = log_in(qtbot, launcher(prepare=False), "manager")
    notice = window.status.notice_label
    qtbot.waitUntil(lambda: not notice.isHidden(), timeout=10_000)
    assert "پشتیبان خودکار گرفته نمی‌شود" in notice.text() and "رمز پشتیبان" in notice.text()

    shift = window.shift
    register(qtbot, window, NATIONAL_CODES[2])
    shift.refresh()
    idle(qtbot, window.ctx.runner)
    from tests.ui_helpers import confirm_shift_close

    shift.counted["cash"].setText("0")
    confirm_shift_close(qtbot, shift)
    qtbot.waitUntil(lambda: not shift.backup_note.isHidden(), timeout=10_000)
    assert shift.backup_note.is_error and "پشتیبانی گرفته نشد" in shift.backup_note.text()

    settings = window.settings
    settings.passphrase.setText("رمز پشتیبان دفتر ۴۵۱۲")
    settings.passphrase_again.setText("رمز پشتیبان دفتر ۴۵۱۲")
    settings.set_passphrase()
    qtbot.waitUntil(notice.isHidden, timeout=10_000)  # said no more once backups are made

    backups = home / autobackup.BACKUP_DIR
    for old in backups.glob("*") if backups.is_dir() else []:
        old.unlink()
    if backups.is_dir():
        backups.rmdir()
    backups.write_text("a file where the backups folder should be")
    window.daily_backup.check()  # the daily backup fails (the disk refuses): said, not only logged
    qtbot.waitUntil(lambda: not notice.isHidden(), timeout=10_000)
    assert "پشتیبان" in notice.text()
