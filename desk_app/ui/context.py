"""What every page needs: the open data folder, the job runner, the logged-in user, preferences.

Passed explicitly to each page (no global locator). Preferences are the typed settings of
`desk_app.services.settings`, read on the database thread and cached here as a `Values`
snapshot (`ctx.prefs.display_unit`, `ctx.prefs.printer_target`, ...): the window declares no
setting and no default of its own. Pages read the cache and ask the runner to write changes.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Signal

from desk_app.services.settings import Values
from desk_app.ui.jobs import JobRunner

Prefs = Values  # the window's cache of every setting (defaults from OPTIONS only)

PRINTER_PREFIXES = ("escpos-net", "escpos-usb", "escpos-serial", "escpos-file", "printer", "pdf-dir", "pdf", "png")


def split_target(target: str | None) -> tuple[str, str]:
    """`escpos-net:10.0.0.5:9100` -> ("escpos-net", "10.0.0.5:9100"); None -> ("", "")."""
    if not target:
        return "", ""
    kind, _, address = target.partition(":")
    return (kind, address) if kind in PRINTER_PREFIXES else ("", target)


def join_target(kind: str, address: str) -> str | None:
    address = (address or "").strip()
    if not kind or not address:
        return None
    if kind == "escpos-net" and ":" not in address:
        address += ":9100"
    return f"{kind}:{address}"


def load_prefs(desk) -> Prefs:
    """Read every setting (database thread)."""
    return desk.settings.all()


def save_prefs(desk, changes: dict[str, Any], actor: str | None = None) -> Prefs:
    """Write setting changes (database thread; `actor` is checked for the settings role and
    audited); give the new prefs. An unknown key is a bug (KeyError), not dropped."""
    desk.settings.set_many(changes, actor=actor)
    return load_prefs(desk)


class UiContext(QObject):
    """Shared state of one logged-in window; `changed` after prefs or data change."""

    prefs_changed = Signal()
    requests_changed = Signal()  # an intake, cancel or sync changed requests

    def __init__(self, desk, runner: JobRunner, user=None, prefs: Prefs | None = None, parent: QObject | None = None):
        super().__init__(parent)
        self.desk = desk
        self.runner = runner
        self.user = user
        self.prefs = prefs if prefs is not None else Prefs()
        self.managers: tuple[str, ...] = ()  # managers' full names: who a clerk is told to ask

    @property
    def username(self) -> str:
        return getattr(self.user, "username", "") or ""

    @property
    def is_manager(self) -> bool:
        return str(getattr(self.user, "role", "")) == "manager"

    def set_prefs(self, prefs: Prefs) -> None:
        self.prefs = prefs
        self.prefs_changed.emit()
