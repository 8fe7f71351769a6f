"""Validation in one round and a window that fits 1366x768 (issue 13, items 8 and 9)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from tests.ui_helpers import NATIONAL_CODES, fill_intake, idle, log_in, type_text

pytestmark = pytest.mark.timeout(90)


def test_a_save_reports_every_bad_field_at_once_and_errors_go_when_fixed(launcher, qtbot):
    window = log_in(qtbot, launcher(), "clerk")
    page = window.intake
    page.mobile.setText("0912")
    page.save()
    bad = {name for name in page.form.messages if page.form.error_text(name)}
    assert {"national_code", "first_name", "last_name", "mobile", "service"} <= bad  # one round, all of them
    assert "۵" in page.banner.text()  # «۵ فیلد را اصلاح کنید.»
    assert page.national_code.hasFocus()  # the first wrong field
    type_text(page.first_name, "مریم")
    assert not page.form.error_text("first_name")  # fixed: its error is gone at once
    assert page.form.error_text("last_name")  # the others stay until fixed
    page.mobile.clear()
    qtbot.keyClicks(page.mobile, "09121234567")
    assert not page.form.error_text("mobile")
    page.picker.search.setText("2101")
    page.picker._query("2101")
    page.picker._pick_index(page.picker.list.currentIndex())
    assert not page.form.error_text("service")


def test_fields_cap_their_length_and_say_what_is_wrong(launcher, qtbot):
    window = log_in(qtbot, launcher(), "clerk")
    page = window.intake
    type_text(page.first_name, "م" * 150)
    assert len(page.first_name.text()) == 100  # the service's limit, as you type
    qtbot.keyClicks(page.national_code, "00135a")
    message = page.form.messages["national_code"]
    assert message.is_error and "حروف" in message.text() and "رقم وارد شده" not in message.text()
    page.national_code.clear()
    assert not message.is_error
    # a Latin surname: a warning, not a refusal
    page.last_name.clear()
    type_text(page.last_name, "Karimi")
    warning = page.form.messages["last_name"]
    assert warning.isVisible() and not warning.is_error and "لاتین" in warning.text()
    # the service's error stands beside its field: right under the service search line
    page.save()
    service_msg = page.form.messages["service"]
    assert service_msg.is_error
    search, listing = page.picker.search, page.picker.list
    assert search.geometry().bottom() <= service_msg.geometry().top() <= listing.geometry().top()


def test_latin_surname_still_saves(launcher, qtbot):
    window = log_in(qtbot, launcher(), "clerk")
    page = window.intake
    fill_intake(page, NATIONAL_CODES[0])
    page.last_name.setText("Karimi")
    with qtbot.waitSignal(page.registered, timeout=10_000):
        page.save()
    idle(qtbot, window.ctx.runner)


def test_the_window_fits_1366x768_and_grows(launcher, qtbot):
    window = log_in(qtbot, launcher(), "manager")
    from desk_app.ui.main_window import MINIMUM_SIZE

    assert window.minimumWidth() <= 1366 - 16 and window.minimumHeight() <= 768 - 40 - 32  # title bar, panel
    assert window.maximumWidth() > 1366 and window.maximumHeight() > 768  # not fixed: it grows
    for index in range(window.tabs.count()):
        window.tabs.setCurrentIndex(index)
        hint = window.minimumSizeHint()
        assert hint.width() <= 1366 - 16 and hint.height() <= 768 - 40 - 32, (window.tabs.tabText(index), hint)
    window.resize(1366 - 16, 768 - 40 - 32)
    window.show()
    qtbot.waitExposed(window)
    assert window.height() <= 768 - 72 and window.width() >= MINIMUM_SIZE[0]
    assert window.statusBar().geometry().bottom() <= window.height()


def test_requests_columns_fit_their_contents(launcher, qtbot):
    window = log_in(qtbot, launcher(), "clerk")
    page = window.intake
    for code in NATIONAL_CODES[:3]:
        fill_intake(page, code)
        page.first_name.setText("محمدرضا")
        page.last_name.setText("عبدالحسین‌زاده قاضی‌جهانی")
        with qtbot.waitSignal(page.registered, timeout=10_000):
            page.save()
        idle(qtbot, window.ctx.runner)
        page.receipts.dialog.reject()
    window.resize(1366 - 16, 768 - 72)
    window.show()
    window.tabs.setCurrentWidget(window.requests)
    requests = window.requests
    qtbot.waitUntil(lambda: requests.model.count == 3, timeout=10_000)
    qtbot.waitUntil(lambda: requests._widths_fitted, timeout=5_000)
    table = requests.table
    header = table.horizontalHeader()
    from desk_app.ui.requests_model import COLUMNS

    names = [c[0] for c in COLUMNS]
    for name in ("citizen", "national_code", "receipt_no"):
        column = names.index(name)
        assert header.sectionSize(column) >= table.sizeHintForColumn(column), name  # never cut
    tracking = header.sectionSize(names.index("server_ref"))
    assert tracking < 0.25 * table.viewport().width()


def test_cancel_dialog_has_room_and_wraps_its_errors(launcher, qtbot):
    window = log_in(qtbot, launcher(), "clerk")
    page = window.intake
    fill_intake(page, NATIONAL_CODES[1])
    with qtbot.waitSignal(page.registered, timeout=10_000) as saved:
        page.save()
    idle(qtbot, window.ctx.runner)
    page.receipts.dialog.reject()
    from desk_app.ui.requests_page import CancelDialog

    dialog = CancelDialog(saved.args[0], "rial", window)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    line = dialog.reason.fontMetrics().lineSpacing()
    assert dialog.reason.height() >= 3 * line and dialog.reason.width() >= 300  # room for a sentence
    dialog.refund.setText("12a")
    dialog.reason.setText("درخواست تکراری")
    qtbot.keyClick(dialog.refund, Qt.Key.Key_Return)
    message = dialog.form.messages["refund"]
    assert message.is_error and message.wordWrap()
    qtbot.waitUntil(lambda: message.height() >= message.heightForWidth(message.width()) - 1, timeout=3_000)
    dialog.reject()
