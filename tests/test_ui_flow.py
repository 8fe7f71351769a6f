"""The desktop app driven as a clerk would: first run, login, keyboard-only intake, the list."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from tests.ui_helpers import NATIONAL_CODES, PASSWORD, fill_intake, idle, log_in, type_text

pytestmark = pytest.mark.timeout(60)


def test_first_run_set_up_then_login(launcher, qtbot, home):
    launcher = launcher(prepare=False)
    dialog = launcher.setup_dialog
    assert dialog is not None and dialog.isVisible()
    assert QApplication.layoutDirection() == Qt.LayoutDirection.RightToLeft
    assert dialog.office_code.layoutDirection() == Qt.LayoutDirection.LeftToRight
    dialog.office_code.setText("۴۵۱۲")  # Persian digits are fine
    dialog.office_name.setText("دفتر پیشخوان ۴۵۱۲")
    dialog.device_no.setText("3")
    dialog.username.setText("manager")
    dialog.password.setText(PASSWORD)
    dialog.password2.setText("different")
    dialog.submit()
    assert dialog.form.error_text("password2")  # said next to the field, nothing saved
    dialog.password2.setText(PASSWORD)
    dialog.submit()
    qtbot.waitUntil(lambda: launcher.login_dialog is not None, timeout=10_000)
    assert launcher.desk.is_initialised
    assert launcher.desk.settings.get("office_code") == "4512"
    window = log_in(qtbot, launcher, "manager")
    assert window.isVisible()
    assert window.reports is not None  # manager pages present


def test_wrong_password_is_said_next_to_the_field(launcher, qtbot):
    launcher = launcher()
    dialog = launcher.login_dialog
    dialog.username.setText("clerk")
    dialog.password.setText("wrong-password")
    qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: bool(dialog.form.error_text("password")), timeout=10_000)
    assert "نادرست" in dialog.form.error_text("password")
    assert launcher.window is None and dialog.isVisible()


def test_invalid_national_code_is_said_next_to_the_field(launcher, qtbot):
    window = log_in(qtbot, launcher(), "clerk")
    page = window.intake
    qtbot.keyClicks(page.national_code, "0013542418")  # wrong check digit
    message = page.form.messages["national_code"]
    assert message.is_error and "کد ملی" in message.text()
    page.national_code.clear()
    type_text(page.national_code, "۰۰۱۳۵۴۲۴۱۹")  # the same code, right, in Persian digits
    assert not message.is_error and message.isVisible()


def test_keyboard_only_intake_then_list(launcher, qtbot):
    window = log_in(qtbot, launcher(), "clerk")
    page = window.intake
    assert page.national_code.hasFocus() or QApplication.focusWidget() in (None, page.national_code)
    page.national_code.setFocus()
    qtbot.keyClicks(page.national_code, NATIONAL_CODES[0])
    qtbot.keyClick(page.national_code, Qt.Key.Key_Tab)
    type_text(QApplication.focusWidget(), "علی")
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    type_text(QApplication.focusWidget(), "رضایی")
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    qtbot.keyClicks(QApplication.focusWidget(), "09121234567")
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is page.picker.search
    type_text(page.picker.search, "گذر نامه")
    assert page.picker.visible_codes()[0] == "2101"
    qtbot.keyClick(page.picker.search, Qt.Key.Key_Return)
    assert page.service is not None and page.service.code == "2101"
    from desk_app.domain.money import format_amount

    assert format_amount(sum(f["amount"] for f in page.service.fees)) in page.total_label.text()
    assert page.fees.rowCount() == len(page.service.fees)
    assert len(page.doc_checks) == len(page.service.documents)
    with qtbot.waitSignal(page.registered, timeout=10_000) as saved:
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)  # a double Enter saves once
    request = saved.args[0]
    idle(qtbot, window.ctx.runner)
    assert request.receipt_no.startswith("4512-2-")
    assert request.receipt_no in page.banner.text()
    # no printer here: the receipt preview comes up at once (Ctrl+P prints); Escape goes back to work
    qtbot.waitUntil(lambda: page.receipts.dialog is not None and page.receipts.dialog.isVisible(), timeout=10_000)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Escape)
    assert not page.receipts.dialog.isVisible()
    qtbot.waitUntil(page.national_code.hasFocus, timeout=5_000)
    assert page.national_code.text() == ""
    model = window.requests.model
    qtbot.waitUntil(lambda: model.count == 1, timeout=10_000)
    assert model.row_at(0).receipt_no == request.receipt_no
    assert model.row_at(0).status == "registered"


def test_known_citizen_fills_in_and_ctrl_s_saves(launcher, qtbot):
    window = log_in(qtbot, launcher(), "clerk")
    page = window.intake
    fill_intake(page, NATIONAL_CODES[2])
    with qtbot.waitSignal(page.registered, timeout=10_000):
        page.save()
    idle(qtbot, window.ctx.runner)
    page.receipts.dialog.reject()  # no printer: the preview came up; closed, the next citizen
    type_text(page.national_code, "۱۲۳۴۵۶۷۸۹۱")  # the same citizen, typed in Persian digits
    qtbot.waitUntil(lambda: page.first_name.text() == "مریم", timeout=10_000)
    assert page.last_name.text() == "کریمی"
    page.picker.search.setFocus()
    type_text(page.picker.search, "2102")
    qtbot.keyClick(page.picker.search, Qt.Key.Key_Return)
    with qtbot.waitSignal(page.registered, timeout=10_000) as saved:
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert saved.args[0].national_code == NATIONAL_CODES[2] and saved.args[0].service == "2102"
