"""Shared set-up for the UI tests: a data folder filled through the real services."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from tests.helpers.democatalog import demo_catalog_without_forms

NATIONAL_CODES = ("0013542419", "0084575948", "1234567891", "0499370899")
PASSWORD = "secret-123"


_TEMPLATE: list[Path] = []


def _template() -> Path:
    """Built once per test process through the services (password hashing is slow on purpose)."""
    if not _TEMPLATE:
        from desk_app.services import catalog, setup, users
        from desk_app.services.context import Desk
        from tests.helpers.scratch import scratch_dir

        base = scratch_dir("desk-ui-template") / "home"
        with Desk.open(base) as desk:
            setup.init_office(desk, "4512", "دفتر پیشخوان ۴۵۱۲ ارومیه", 2)
            users.add_user(desk, "manager", "manager", PASSWORD, full_name="مدیر دفتر")
            users.add_user(desk, "clerk", "clerk", PASSWORD, full_name="زهرا احمدی")
            catalog.import_catalog(desk, demo_catalog_without_forms())  # the intake page fills no form yet
        _TEMPLATE.append(base)
    return _TEMPLATE[0]


def filled_home(
    home: Path, *, server_url: str | None = None, token: str | None = None, printer_target: str | None = None
) -> Path:
    """Office 4512 device 2, a manager and a clerk, the demo catalog (a copy of one template)."""
    from desk_app.services import setup
    from desk_app.services.context import Desk

    home.mkdir(parents=True, exist_ok=True)
    for name in ("desk.sqlite3", "desk.sqlite3-wal"):
        if (_template() / name).exists():
            shutil.copy2(_template() / name, home / name)
    with Desk.open(home) as desk:
        if server_url:
            setup.init_office(desk, "4512", "دفتر پیشخوان ۴۵۱۲ ارومیه", 2, server_url=server_url, token=token)
        if printer_target:
            desk.settings.set_many({"printer_target": printer_target, "auto_print": True})
    return home


def type_text(widget, text: str) -> None:
    """Type any Unicode text as key events (QTest.keyClicks only knows Latin-1 keys)."""
    from PySide6.QtCore import QEvent, Qt
    from PySide6.QtGui import QKeyEvent
    from PySide6.QtWidgets import QApplication

    for ch in text:
        key = ord(ch.upper()) if ch.isascii() and ch.isalnum() else Qt.Key.Key_unknown
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(widget, QKeyEvent(kind, key, Qt.KeyboardModifier.NoModifier, ch))


@pytest.fixture
def app(qapp):
    from desk_app.ui.app import setup_application

    return setup_application()


def close_launchers(made) -> None:
    """Close every window the test's launchers opened (no 'keep the draft?' question) and stop them."""
    for launcher in made:
        if launcher.window is not None:
            launcher.window._force_close = True
            launcher.window.close()
        launcher.shutdown()


@pytest.fixture
def launcher(app, home, qtbot):
    from desk_app.services.context import Desk
    from desk_app.ui.app import Launcher

    made = []

    def make(prepare=True, **kwargs):
        if prepare:
            filled_home(home, **kwargs)
        launcher = Launcher(Desk.open(home), sync_start_delay_s=3600)
        made.append(launcher)
        launcher.launch()
        return launcher

    yield make
    close_launchers(made)


def idle(qtbot, runner, timeout=10_000):
    qtbot.waitUntil(lambda: runner.pending == 0, timeout=timeout)


def log_in(qtbot, launcher, username="clerk", password=PASSWORD):
    dialog = launcher.login_dialog
    qtbot.waitUntil(dialog.isVisible)
    dialog.username.setText(username)
    dialog.password.setText(password)
    qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: launcher.window is not None, timeout=10_000)
    idle(qtbot, launcher.runner)
    return launcher.window


def fill_intake(page, code: str, service: str = "2101") -> None:
    page.national_code.setText(code)
    page.first_name.setText("مریم")
    page.last_name.setText("کریمی")
    page.picker.search.setText(service)
    page.picker._query(service)
    page.picker._pick_index(page.picker.list.currentIndex())


def confirm_shift_close(qtbot, shift_page, *, timeout=10_000):
    """`close_shift()` asks first: wait for the confirmation, press Enter on it (its default
    button closes the shift), wait until the shift is closed; give the confirmation's figures."""
    shift_page.close_shift()
    qtbot.waitUntil(
        lambda: shift_page.confirm_dialog is not None and shift_page.confirm_dialog.isVisible(), timeout=timeout
    )
    dialog = shift_page.confirm_dialog
    texts = dialog.texts()
    before = shift_page.last_close
    qtbot.keyClick(dialog.confirm_button, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: shift_page.last_close is not before and shift_page.last_close is not None, timeout=timeout)
    return texts
