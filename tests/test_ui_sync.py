"""The app against the real provincial server on loopback: intake -> sync -> agency decides ->
the row and the status bar follow; then the server goes away and the app says offline."""

from __future__ import annotations

import pytest

from tests.helpers.democatalog import demo_catalog_without_forms
from tests.helpers.server import ServerProcess
from tests.ui_helpers import NATIONAL_CODES, fill_intake, idle, log_in

pytestmark = pytest.mark.timeout(90)


@pytest.fixture
def provincial(tmp_path):
    srv = ServerProcess(f"sqlite:///{tmp_path / 'provincial.db'}", cwd=tmp_path)
    srv.add_office("4512")
    srv.load_catalog(demo_catalog_without_forms())
    srv.token = srv.enrol("4512", 2)
    srv.start()
    yield srv
    srv.stop()


def test_offline_intake_enrol_sync_then_agency_completes(launcher, provincial, qtbot):
    window = log_in(qtbot, launcher(), "manager")  # set up to "work offline for now"
    page, bar = window.intake, window.status
    fill_intake(page, NATIONAL_CODES[1])
    with qtbot.waitSignal(page.registered, timeout=10_000) as saved:
        page.save()
    receipt = saved.args[0].receipt_no
    window.sync.sync_now()
    qtbot.waitUntil(lambda: not window.sync.running, timeout=10_000)
    idle(qtbot, window.ctx.runner)
    assert "ثبت نشده" in bar.error_label.text()  # not enrolled: said, and the request waits
    assert "۱" in bar.pending_label.text()

    settings = window.settings  # enrol later, from the settings page
    settings.server_url.setText(provincial.url)
    settings.token.setText(provincial.token)
    with qtbot.waitSignal(window.sync.synced, timeout=20_000) as synced:
        settings.enrol()
    assert synced.args[0].online and synced.args[0].acked == 1
    idle(qtbot, window.ctx.runner)
    assert "برخط" in bar.online_label.text()
    assert "۰" in bar.pending_label.text()
    assert "هرگز" not in bar.last_sync_label.text()
    model = window.requests.model
    qtbot.waitUntil(lambda: model.count == 1 and bool(model.row_at(0).server_ref), timeout=10_000)
    row = model.row_at(0)
    assert row.receipt_no == receipt and row.status == "submitted"
    assert model.sync_state(row) == "acked"

    provincial.admin("request", "set-status", receipt, "completed", "--note", "تحویل شد")
    with qtbot.waitSignal(window.sync.synced, timeout=20_000) as synced:
        bar.sync_button.click()
    assert synced.args[0].pulled >= 1
    qtbot.waitUntil(lambda: model.row_at(0) is not None and model.row_at(0).status == "completed", timeout=10_000)
    window.requests.select_row(0)
    assert window.requests.detail_labels["status"].text() == "انجام‌شده"

    provincial.stop()  # the server goes down: the next intake waits in the queue
    fill_intake(page, NATIONAL_CODES[2])
    with qtbot.waitSignal(window.sync.synced, timeout=30_000) as synced:
        with qtbot.waitSignal(page.registered, timeout=10_000):
            page.save()
    assert not synced.args[0].online
    idle(qtbot, window.ctx.runner)
    assert "برون‌خط" in bar.online_label.text()
    assert "۱" in bar.pending_label.text()
    assert bar.error_label.text()  # a Persian reason
    qtbot.waitUntil(lambda: model.count == 2, timeout=10_000)


def test_a_token_of_another_device_is_refused_on_the_settings_page(launcher, provincial, qtbot):
    """Enrolling from the window says hello first, off the database thread: a token the server
    knows for another device is refused next to the field and nothing is kept."""
    window = log_in(qtbot, launcher(), "manager")
    settings = window.settings
    settings.server_url.setText(provincial.url)
    settings.token.setText(provincial.enrol("4512", 3))  # device 3's token on device 2's PC
    settings.enrol()
    message = settings.server_form.messages["token"]
    qtbot.waitUntil(lambda: bool(message.text()), timeout=15_000)
    assert "دستگاه 3" in message.text() and "دستگاه 2" in message.text()
    idle(qtbot, window.ctx.runner)
    assert not window.ctx.prefs.server_url and not window.sync.status.enrolled
    settings.token.setText(provincial.token)  # the right one goes through
    with qtbot.waitSignal(window.sync.synced, timeout=20_000) as synced:
        settings.enrol()
    assert synced.args[0].online and window.ctx.prefs.server_url == provincial.url


def test_refused_request_needs_attention_and_can_be_sent_again(launcher, tmp_path, qtbot):
    from tests.helpers.server import CATALOG

    srv = ServerProcess(f"sqlite:///{tmp_path / 'small.db'}", cwd=tmp_path)
    srv.add_office("4512")
    srv.load_catalog(CATALOG)  # the province does not offer service 1101 (yet)
    token = srv.enrol("4512", 2)
    srv.start()
    try:
        window = log_in(qtbot, launcher(server_url=srv.url, token=token), "clerk")
        fill_intake(window.intake, NATIONAL_CODES[0], "1101")
        with qtbot.waitSignal(window.sync.synced, timeout=20_000) as synced:
            with qtbot.waitSignal(window.intake.registered, timeout=10_000):
                window.intake.save()
        assert synced.args[0].invalid + synced.args[0].conflict == 1
        idle(qtbot, window.ctx.runner)
        assert "۱" in window.status.pending_label.text().split("—")[-1]  # needs attention: 1
        page, model = window.requests, window.requests.model
        qtbot.waitUntil(
            lambda: model.rowCount() == 1 and model.sync_state(model.row_at(0)) == "attention", timeout=10_000
        )
        page.select_row(0)
        assert page.retry_button.isEnabled()
        qtbot.waitUntil(lambda: bool(page.detail_labels["note"].text()), timeout=10_000)  # the server's reason

        from desk_app.ui.attention_dialog import AttentionDialog

        dialog = AttentionDialog(window.ctx, window)
        dialog.refresh()
        idle(qtbot, window.ctx.runner)
        qtmodel = dialog.model
        assert qtmodel.rowCount() == 1 and qtmodel.items[0].receipt_no == model.row_at(0).receipt_no
        from PySide6.QtCore import QItemSelectionModel

        dialog.table.selectionModel().select(
            qtmodel.index(0, 0),
            QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
        )
        assert dialog.table.selectionModel().selectedRows()
        dialog.retry_selected()
        qtbot.waitUntil(lambda: dialog.message.text() != "", timeout=10_000)
        assert not dialog.message.is_error, dialog.message.text()
        qtbot.waitUntil(lambda: qtmodel.rowCount() == 0, timeout=10_000)  # back in the queue
        qtbot.waitUntil(lambda: model.sync_state(model.row_at(0)) == "pending", timeout=10_000)
        with qtbot.waitSignal(window.sync.synced, timeout=20_000) as synced:
            window.status.sync_button.click()
        assert synced.args[0].invalid + synced.args[0].conflict == 1  # the province still says no
        dialog.deleteLater()
    finally:
        srv.stop()
