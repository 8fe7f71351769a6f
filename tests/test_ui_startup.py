"""Start-up: the login window is up before the database is open; the open happens behind it."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from tests.ui_helpers import PASSWORD, close_launchers, filled_home, idle

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
def started(app, home, qtbot):
    from desk_app.ui.app import Launcher

    made = []

    def start(peek):
        launcher = Launcher(None, sync_start_delay_s=3600)
        made.append(launcher)
        launcher.launch_opening(home, peek)
        return launcher

    yield start
    close_launchers(made)


def test_login_is_shown_before_the_database_opens_and_logs_in_after(started, home, qtbot):
    from desk_app.ui.app import OpeningDesk, peek_settings

    filled_home(home)
    peek = peek_settings(home)
    assert peek["office_code"] == "4512" and peek["device_no"] == 2  # typed by the settings declaration
    launcher = started(peek)
    dialog = launcher.login_dialog
    # shown inside launch_opening itself: no event was processed, the open job has not been delivered
    assert dialog is not None and dialog.isVisible()
    assert isinstance(launcher.desk, OpeningDesk)
    from PySide6.QtWidgets import QLabel

    assert "4512" in dialog.findChild(QLabel, "office_title").text()  # the title came from the peek
    dialog.username.setText("clerk")
    dialog.password.setText(PASSWORD)
    qtbot.keyClick(dialog.password, Qt.Key.Key_Return)  # may be queued behind the open: still fine
    qtbot.waitUntil(lambda: launcher.window is not None, timeout=15_000)
    idle(qtbot, launcher.runner)
    assert launcher.desk.is_initialised and not isinstance(launcher.desk, OpeningDesk)
    assert launcher.window.ctx.username == "clerk"


def test_a_wrong_password_is_still_said_next_to_the_field(started, home, qtbot):
    from desk_app.ui.app import peek_settings

    filled_home(home)
    launcher = started(peek_settings(home))
    dialog = launcher.login_dialog
    dialog.username.setText("clerk")
    dialog.password.setText("wrong-password")
    dialog.submit()
    qtbot.waitUntil(lambda: bool(dialog.form.messages["password"].text()), timeout=15_000)
    assert launcher.window is None and dialog.buttons.isEnabled()


def test_first_run_waits_for_the_database_then_shows_the_set_up(started, home, qtbot):
    from desk_app.ui.app import peek_settings

    assert peek_settings(home) is None  # no database yet
    launcher = started(None)
    assert launcher.login_dialog is None and launcher.setup_dialog is None
    qtbot.waitUntil(lambda: launcher.setup_dialog is not None and launcher.setup_dialog.isVisible(), timeout=15_000)
    assert launcher.login_dialog is None


def test_a_database_that_cannot_be_opened_is_said_and_the_app_ends_with_3(started, home, qtbot, monkeypatch):
    from desk_app.ui import app as app_module

    (home / "desk.sqlite3").write_bytes(b"this is not a database" * 100)
    said = []
    monkeypatch.setattr(app_module.QMessageBox, "critical", lambda _parent, _title, text: said.append(text))
    assert app_module.peek_settings(home) is None  # unreadable: no login window before the real open
    launcher = started(None)
    with qtbot.waitSignal(launcher.finished, timeout=15_000) as ended:
        pass
    assert ended.args == [3] and launcher.login_dialog is None
    assert said and all("\u0600" <= ch <= "\u06ff" or not ch.isalpha() for ch in said[0])  # a Persian message
