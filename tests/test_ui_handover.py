"""Handing the counter over, as people do it: log out (back to the login window, the app goes
on), the lock after idle time (password to unlock, or another user logs in), the manager's view
of every open shift and the close of a clerk's shift, and the demo: closing its window asks
before the provincial server stops, and a server that died is said, not left as a zombie."""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from desk_app.domain.money import format_amount
from tests.ui_helpers import NATIONAL_CODES, PASSWORD, close_launchers, fill_intake, filled_home, idle, log_in

pytestmark = pytest.mark.timeout(90)


def test_log_out_goes_back_to_the_login_and_keeps_the_half_typed_form(launcher, qtbot):
    made = launcher()
    window = log_in(qtbot, made, "clerk")
    window.intake.national_code.setText(NATIONAL_CODES[0])
    window.intake.first_name.setText("نرگس")
    finished = []
    made.finished.connect(finished.append)
    with qtbot.waitSignal(made.logged_out, timeout=10_000):
        window.status.logout_button.click()
    assert made.window is None and not window.isVisible()
    assert made.login_dialog.isVisible() and finished == []  # the app goes on
    idle(qtbot, made.runner)

    manager = log_in(qtbot, made, "manager")  # the next person at the counter
    assert manager.ctx.username == "manager" and manager.reports is not None
    qtbot.keyClick(manager, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: made.window is None, timeout=10_000)
    again = log_in(qtbot, made, "clerk")  # the clerk comes back: the form is there again
    qtbot.waitUntil(lambda: again.intake.first_name.text() == "نرگس", timeout=10_000)
    assert again.intake.national_code.text() == NATIONAL_CODES[0]


def test_the_window_locks_when_idle_and_opens_only_with_the_password(launcher, qtbot, home):
    filled_home(home)
    from desk_app.services.context import Desk

    with Desk.open(home) as desk:
        desk.settings.set("lock_after_idle_s", 1)
    made = launcher(prepare=False)
    window = log_in(qtbot, made, "clerk")
    fill_intake(window.intake, NATIONAL_CODES[1])
    with qtbot.waitSignal(made.locked, timeout=10_000) as locked:
        pass  # nobody touches anything for a second
    dialog = locked.args[0]
    assert dialog.isVisible() and window.centralWidget().isHidden()  # no citizen's data on screen
    assert "زهرا احمدی" in dialog.head.text()
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert dialog.isVisible()  # Escape does not unlock

    dialog.password.setText("wrong-password")
    qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: bool(dialog.form.error_text("password")), timeout=10_000)
    assert dialog.isVisible() and window.centralWidget().isHidden()
    dialog.password.setText(PASSWORD)
    with qtbot.waitSignal(dialog.unlocked, timeout=10_000):
        qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    assert not dialog.isVisible() and window.centralWidget().isVisible()
    assert window.intake.first_name.text() == "مریم"  # the form is as it was

    with qtbot.waitSignal(made.locked, timeout=10_000) as locked:  # Ctrl+Shift+L locks at once
        qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    locked.args[0].switch_button.click()  # another user takes the counter
    qtbot.waitUntil(lambda: made.window is None and made.login_dialog.isVisible(), timeout=10_000)
    manager = log_in(qtbot, made, "manager")
    assert manager.ctx.username == "manager"


def _register_as(home: Path, clerk: str, *codes: str) -> int:
    """Requests by `clerk` through the services; their cash total."""
    from desk_app.services import intake
    from desk_app.services.context import Desk

    with Desk.open(home) as desk:
        return sum(
            intake.register_request(
                desk, clerk=clerk, national_code=code, first_name="مریم", last_name="کریمی", service_code="2101"
            ).total
            for code in codes
        )


def test_the_manager_sees_open_shifts_and_closes_a_clerks_counted_by_the_manager(launcher, qtbot, home, tmp_path):
    filled_home(home)
    cash = _register_as(home, "clerk", NATIONAL_CODES[0], NATIONAL_CODES[1])  # the clerk went home, shift open
    window = log_in(qtbot, launcher(prepare=False), "manager")

    reports = window.reports
    reports.load()
    qtbot.waitUntil(lambda: reports.report is not None, timeout=10_000)
    assert not reports.open_shifts_label.isHidden() and "زهرا احمدی" in reports.open_shifts_label.text()

    page = window.shift
    window.tabs.setCurrentWidget(page)
    page.refresh()
    idle(qtbot, window.ctx.runner)
    model = page.open_shifts
    assert model.rowCount() == 1
    cells = [model.index(0, c).data() for c in range(model.columnCount())]
    assert cells[0] == "زهرا احمدی" and cells[2] == "۲" and cells[3] == format_amount(cash)
    assert page.count_button.isEnabled()  # the clerk's shift is chosen already
    page.open_shifts_table.setFocus()
    qtbot.keyClick(page.open_shifts_table, Qt.Key.Key_Return)  # Enter on the row counts it
    assert "زهرا احمدی" in page.close_box.title() and page.counted["cash"].hasFocus()

    qtbot.keyClicks(page.counted["cash"], str(cash))
    qtbot.keyClick(page.counted["cash"], Qt.Key.Key_Return)
    qtbot.keyClick(page.counted["card"], Qt.Key.Key_Return)
    assert page.close_button.hasFocus()
    qtbot.keyClick(page.close_button, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.confirm_dialog is not None, timeout=10_000)
    dialog = page.confirm_dialog
    assert "زهرا احمدی" in dialog.head.text() and "مدیر دفتر" in dialog.head.text()
    qtbot.keyClick(dialog.confirm_button, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.last_close is not None, timeout=10_000)
    assert page.last_close.closed_by == "manager"
    idle(qtbot, window.ctx.runner)
    assert model.rowCount() == 0 and "زهرا احمدی" in page.message.text()

    reports.load()
    qtbot.waitUntil(reports.open_shifts_label.isHidden, timeout=10_000)
    assert "مدیر دفتر" in reports.summary.text() and "زهرا احمدی" in reports.summary.text()
    pdf = tmp_path / "daily.pdf"
    reports.export(reports.report.day, pdf=str(pdf))
    qtbot.waitUntil(
        lambda: pdf.exists() and pdf.stat().st_size > 0 and not reports.message.text().endswith("…"), timeout=20_000
    )
    from tests.helpers.pdf_read import no_zwnj, pdf_lines

    text = " ".join(no_zwnj(x) for page_ in pdf_lines(pdf) for x in page_)
    assert "(بستهٔ" in text and "مدیر دفتر)" in text


@pytest.fixture
def demo_server(tmp_path):
    """The demo's real provincial server process (desk_app.demo.ServerProcess) on a loopback port."""
    from desk_app.demo import ServerProcess

    server = ServerProcess(f"sqlite:///{tmp_path / 'server.db'}", tmp_path / "logs" / "server.log", advance_after_s=0)
    server.start()
    yield server
    server.stop()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc to tell a zombie")
def test_closing_the_demo_asks_and_a_dead_demo_server_is_said_and_reaped(app, qtbot, home, demo_server):
    from desk_app.services.context import Desk
    from desk_app.ui.app import Launcher

    filled_home(home)
    made = Launcher(Desk.open(home), sync_start_delay_s=3600, demo_server=demo_server)
    try:
        made.launch()
        window = log_in(qtbot, made, "clerk")
        window.close()  # Alt+F4
        qtbot.waitUntil(lambda: made.quit_box is not None and made.quit_box.isVisible(), timeout=5_000)
        assert "سرور" in made.quit_box.text()
        made.quit_box.findChild(type(made.quit_box.buttons()[0]), "quit_cancel").click()
        qtbot.waitUntil(lambda: made.quit_box is None, timeout=5_000)
        assert window.isVisible() and demo_server.alive()

        window.close()
        qtbot.waitUntil(lambda: made.quit_box is not None, timeout=5_000)
        made.quit_box.findChild(type(made.quit_box.buttons()[0]), "quit_logout").click()
        qtbot.waitUntil(lambda: made.window is None and made.login_dialog.isVisible(), timeout=10_000)
        assert demo_server.alive()  # logging out keeps the server

        window = log_in(qtbot, made, "clerk")
        pid = demo_server.proc.pid
        os.kill(pid, signal.SIGKILL)  # the server dies by itself
        qtbot.waitUntil(lambda: window.alert.isVisible(), timeout=10_000)
        assert "سرور استانی نسخهٔ نمایشی متوقف شده" in window.alert.text()
        assert window.status.notice_label.isVisible()
        deadline = time.monotonic() + 5
        while Path(f"/proc/{pid}").exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not Path(f"/proc/{pid}").exists(), "the dead server was left as a zombie"

        window.close()  # nothing to stop any more: no question
        qtbot.waitUntil(lambda: not window.isVisible(), timeout=5_000)
        assert made.quit_box is None
    finally:
        close_launchers([made])
    assert QApplication.instance() is not None
