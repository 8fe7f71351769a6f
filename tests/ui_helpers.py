"""Shared set-up for the UI tests: a data folder filled through the real services."""
from __future__ import annotations

from pathlib import Path

from desk_app.paths import resources_dir

NATIONAL_CODES = ("0013542419", "0084575948", "1234567891", "0499370899")
PASSWORD = "secret-123"


def filled_home(home: Path, *, server_url: str | None = None, token: str | None = None,
                printer_target: str | None = None) -> Path:
    """Office 4512 device 2, a manager and a clerk, the demo catalog."""
    from desk_app.services import catalog, setup, users
    from desk_app.services.context import Desk

    with Desk.open(home) as desk:
        setup.init_office(desk, "4512", "دفتر پیشخوان ۴۵۱۲ ارومیه", 2, server_url=server_url, token=token)
        users.add_user(desk, "manager", "manager", PASSWORD, full_name="مدیر دفتر")
        users.add_user(desk, "clerk", "clerk", PASSWORD, full_name="زهرا احمدی")
        catalog.import_catalog(desk, resources_dir() / "catalog" / "demo-catalog.json")
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
