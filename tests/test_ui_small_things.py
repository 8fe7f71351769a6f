"""Small things a new clerk and manager tripped on: a printer address example that could pass for a
real address, saving settings without a word, an empty "needs attention" list whose button still
pressed, and yesterday's sync error on the screen of a fresh start."""

from __future__ import annotations

import re
import socket

import pytest

from tests.ui_helpers import filled_home, idle, log_in

pytestmark = pytest.mark.timeout(60)
IP = re.compile(r"\b\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}\b")


def test_the_printer_address_shows_a_plain_example_and_goes_for_a_pdf_folder(launcher, qtbot):
    window = log_in(qtbot, launcher(), "manager")
    settings = window.settings
    address = settings.printer_address
    choose = settings.printer_type
    choose.setCurrentIndex(choose.findData("escpos-net"))
    assert address.placeholderText() == "HOST:9100" and not IP.search(address.placeholderText())
    assert "HOST:9100" in settings.address_message.text()  # the hint under the field says the form
    for kind in ("escpos-usb", "escpos-serial", "escpos-file", "printer"):
        choose.setCurrentIndex(choose.findData(kind))
        assert address.placeholderText() and not IP.search(address.placeholderText()), kind
    choose.setCurrentIndex(choose.findData("pdf-dir"))
    assert address.placeholderText() == ""  # no printer address for a folder of PDFs
    assert settings.address_caption.text() == "پوشه" and not settings.folder_browse.isHidden()
    assert not settings.paper.isEnabled()  # a PDF receipt is an A5 page whatever the roll
    choose.setCurrentIndex(choose.findData(""))
    assert address.parentWidget().isHidden() and settings.address_caption.isHidden()


def test_saving_the_settings_is_confirmed_where_it_is_seen(launcher, qtbot, tmp_path):
    window = log_in(qtbot, launcher(), "manager")
    settings = window.settings
    window.tabs.setCurrentIndex(window.tabs.count() - 1)  # the settings page
    settings.printer_type.setCurrentIndex(settings.printer_type.findData("pdf-dir"))
    settings.save()
    assert settings.printer_form.messages["printer_address"].is_error  # a folder is needed
    settings.printer_address.setText(str(tmp_path / "receipts"))
    settings.unit.setCurrentIndex(settings.unit.findData("toman"))
    settings.save()
    qtbot.waitUntil(lambda: settings.message.text() == "تنظیمات ذخیره شد.", timeout=10_000)
    assert not settings.message.is_error and not settings.message.isHidden()
    # beside the save button (not under the fold of a long page), and in the status bar
    assert settings.message.parentWidget() is settings.save_button.parentWidget()
    qtbot.waitUntil(
        lambda: (
            abs(settings.message.geometry().center().y() - settings.save_button.geometry().center().y())
            < settings.save_button.height()
        ),
        timeout=5_000,
    )
    assert window.status.currentMessage() == "تنظیمات ذخیره شد."
    assert window.ctx.prefs.printer_target == f"pdf-dir:{tmp_path / 'receipts'}"
    settings.save()
    qtbot.waitUntil(lambda: "تغییر نکرده" in settings.message.text(), timeout=10_000)


def test_an_empty_needs_attention_list_says_so_and_has_nothing_to_send(launcher, qtbot):
    window = log_in(qtbot, launcher(), "clerk")
    from desk_app.ui.attention_dialog import AttentionDialog

    dialog = AttentionDialog(window.ctx, window)
    dialog.refresh()
    idle(qtbot, window.ctx.runner)
    assert dialog.model.rowCount() == 0
    assert not dialog.retry_button.isEnabled()
    assert not dialog.empty_label.isHidden() and "چیزی نیازمند بررسی نیست" in dialog.empty_label.text()
    dialog.deleteLater()


def _dead_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_yesterdays_sync_error_is_not_shown_before_todays_first_try(launcher, qtbot, home):
    url = f"http://127.0.0.1:{_dead_port()}"
    filled_home(home, server_url=url, token="t" * 43)
    from desk_app.services.context import Desk
    from desk_app.store.models import SyncState

    with Desk.open(home) as desk, desk.db.write() as s:  # what yesterday's session left behind
        s.merge(SyncState(key="last_error", value="اتصال به سرور استان برقرار نشد."))
    window = log_in(qtbot, launcher(prepare=False), "clerk")
    idle(qtbot, window.ctx.runner)
    status = window.status
    assert status.online_label.text() == "هنوز همگام‌سازی نشده"
    assert status.error_label.text() == ""  # nothing has failed in this session yet
    with qtbot.waitSignal(window.sync.status_changed, timeout=20_000, check_params_cb=lambda st: not st.running):
        window.sync.sync_now()  # today's first try fails too: now it is said
    qtbot.waitUntil(lambda: "برقرار نشد" in status.error_label.text(), timeout=20_000)
