"""What every page needs: the open data folder, the job runner, the logged-in user, preferences.

Passed explicitly to each page (no global locator). Preferences are read from the typed
settings of `desk_app.services.settings` on the database thread and cached here; pages read
the cache and ask the runner to write changes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QObject, Signal

from desk_app.ui.jobs import JobRunner


@dataclass
class Prefs:
    """The settings the pages use, read once on the database thread and cached here."""

    office_code: str = ""
    office_name: str = ""
    device_no: int | None = None
    server_url: str | None = None
    unit: str = "rial"
    language: str = "fa"
    auto_print: bool = True
    printer_target: str | None = None
    paper: int = 80
    dots: int | None = None
    cash_drawer: bool = False
    sync_interval_s: int = 60
    values: dict[str, Any] = field(default_factory=dict)


# settings key (desk_app.services.settings.OPTIONS) -> Prefs attribute
PREF_KEYS = {
    "office_code": "office_code",
    "office_name": "office_name",
    "device_no": "device_no",
    "server_url": "server_url",
    "display_unit": "unit",
    "language": "language",
    "auto_print": "auto_print",
    "printer_target": "printer_target",
    "printer_paper": "paper",
    "printer_dots": "dots",
    "cash_drawer": "cash_drawer",
    "sync_interval_s": "sync_interval_s",
}
PRINTER_PREFIXES = ("escpos-net", "escpos-usb", "escpos-serial", "escpos-file", "printer", "pdf", "png")


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
    """Read preferences (database thread). Keys the settings module lacks keep their defaults."""
    values = desk.settings.all()
    prefs = Prefs(values=dict(values))
    for key, attr in PREF_KEYS.items():
        if key in values and values[key] is not None:
            setattr(prefs, attr, values[key])
    return prefs


def save_prefs(desk, changes: dict[str, Any]) -> Prefs:
    """Write preference changes (database thread; keys of PREF_KEYS); give the new prefs."""
    from desk_app.services.settings import OPTIONS

    known = {k: v for k, v in changes.items() if k in OPTIONS}
    if known:
        desk.settings.set_many(known)
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
        self.prefs = prefs or Prefs()

    @property
    def username(self) -> str:
        return getattr(self.user, "username", "") or ""

    @property
    def is_manager(self) -> bool:
        return str(getattr(self.user, "role", "")) == "manager"

    def set_prefs(self, prefs: Prefs) -> None:
        self.prefs = prefs
        self.prefs_changed.emit()
