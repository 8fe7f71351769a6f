"""The app against the real provincial server on loopback: intake -> sync -> agency decides ->
the row and the status bar follow; then the server goes away and the app says offline."""
from __future__ import annotations

import json

import pytest

from desk_app.paths import resources_dir
from tests.helpers.server import ServerProcess
from tests.ui_helpers import NATIONAL_CODES, app, fill_intake, idle, launcher, log_in  # noqa: F401 - fixtures

pytestmark = pytest.mark.timeout(90)


@pytest.fixture
def provincial(tmp_path):
    srv = ServerProcess(f"sqlite:///{tmp_path / 'provincial.db'}", cwd=tmp_path)
    srv.add_office("4512")
    srv.load_catalog(json.loads((resources_dir() / "catalog" / "demo-catalog.json").read_text(encoding="utf-8")))
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
