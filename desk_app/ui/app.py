"""Start-up of the desktop app: one function sets up Qt, then set-up wizard -> login -> window.

`setup_application()` is the only place that decides locale, direction, font and translation
(CONVENTIONS.md 7). `Launcher` walks the start-up steps without nested event loops, so tests can
drive each dialog; `run_gui(home)` is what `desk-app gui` and `desk-app demo` call.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QApplication, QMessageBox

from desk_app.ui.i18n import apply_language

if TYPE_CHECKING:
    from desk_app.services.context import Desk
    from desk_app.ui.login_dialog import LoginDialog
    from desk_app.ui.main_window import MainWindow
    from desk_app.ui.setup_dialog import SetupDialog

log = logging.getLogger("desk_app.ui")

GIL_SWITCH_INTERVAL_S = 0.001


def setup_application(argv: list[str] | None = None, language: str | None = None) -> QApplication:
    """The QApplication with Persian (or English) locale, direction, Vazirmatn and translations."""
    existing = QApplication.instance()
    app = existing if existing is not None else QApplication(argv if argv is not None else [sys.argv[0]])
    assert isinstance(app, QApplication), (
        "the widgets need a QApplication: nothing may start a bare QGuiApplication first"
    )
    # the window thread waits at most this long for the GIL while a worker runs Python code
    # (sync, reports, printing); the default 5 ms let a busy worker add tens of ms per frame under load
    sys.setswitchinterval(GIL_SWITCH_INTERVAL_S)
    app.setApplicationName("PishkhanDesk")
    app.setOrganizationName("Pishkhan")
    apply_language(app, language or os.environ.get("DESK_APP_LANG"))  # neither: the setting's default
    return app


class Launcher(QObject):
    """First run (set-up) -> login -> main window, each step opened when the previous one ends."""

    finished = Signal(int)  # the app should exit with this code (dialog cancelled)
    window_shown = Signal(object)

    def __init__(self, desk, runner=None, sync_start_delay_s: float | None = None, parent: QObject | None = None):
        super().__init__(parent)
        from desk_app.ui.jobs import JobRunner

        self.desk = desk
        self.runner = runner or JobRunner()
        self.sync_start_delay_s = sync_start_delay_s
        self.setup_dialog: SetupDialog | None = None
        self.login_dialog: LoginDialog | None = None
        self.window: MainWindow | None = None
        self.restore_box: QMessageBox | None = None

    def launch(self) -> None:
        if self.desk.is_initialised:
            self.show_login()
        else:
            self.show_setup()

    def launch_opening(self, home: Path, peek: Mapping[str, Any] | None) -> None:
        """Start-up without waiting on the database: the login window is shown at once (office
        title from `peek_settings`) while the database is opened, migrated and SQLAlchemy and the
        services are imported on the database thread; the login job, queued behind the open on
        that same thread, sees the open `Desk`. A first run (no office yet) waits for the open."""
        opening = OpeningDesk(home)
        self.desk = opening

        def opened(desk) -> None:
            self.desk = desk
            if self.login_dialog is None:
                self.launch()
            else:
                self.login_dialog.desk = desk

        def failed(exc: BaseException) -> None:
            from desk_app.ui.errors import describe_error

            self.desk = None
            QMessageBox.critical(None, "Pishkhan Desk", describe_error(exc))
            self.finished.emit(3)

        self.runner.db(opening.open, success=opened, failure=failed)
        if peek and peek.get("office_code") and peek.get("device_no"):
            self.show_login(peek)

    def show_setup(self) -> None:
        from desk_app.ui.setup_dialog import SetupDialog

        self.setup_dialog = dialog = SetupDialog(self.desk, self.runner)
        dialog.accepted.connect(self.show_login)
        dialog.rejected.connect(lambda: self.finished.emit(0))
        dialog.show()

    def show_login(self, prefs: Mapping[str, Any] | None = None) -> None:
        from desk_app.ui.login_dialog import LoginDialog

        prefs = prefs if prefs is not None else self.desk.settings.all()
        title = f"{prefs['office_name']} ({prefs['office_code'] or ''})"
        self.login_dialog = dialog = LoginDialog(self.desk, self.runner, office_title=title)
        dialog.accepted.connect(lambda: self.show_window(dialog.user))
        dialog.rejected.connect(lambda: self.finished.emit(0))
        dialog.show()

    def show_window(self, user) -> None:
        from desk_app.ui.context import UiContext, load_prefs
        from desk_app.ui.main_window import MainWindow

        ctx = UiContext(self.desk, self.runner, user, load_prefs(self.desk), parent=self)
        self.window = window = MainWindow(ctx, sync_start_delay_s=self.sync_start_delay_s)
        window.restored.connect(self.after_restore)
        window.show()
        window.start()
        settle_garbage_collector()
        self.window_shown.emit(window)

    def after_restore(self, _outcome, summary: str) -> None:
        """A backup replaced the database under the window: its pages, its user and its device may
        all be other now. Close the window and log in again on the restored database."""
        window, self.window = self.window, None
        self.show_login()
        if window is not None:
            window._force_close = True
            window.close()
            window.deleteLater()
        self.restore_box = QMessageBox(QMessageBox.Icon.Information, "Pishkhan Desk", summary, parent=self.login_dialog)
        self.restore_box.setObjectName("restore_done_box")
        self.restore_box.setTextFormat(Qt.TextFormat.RichText)
        self.restore_box.open()

    def shutdown(self) -> None:
        """Let running jobs finish (nothing half-written), then close the database."""
        if self.window is not None:
            self.window.sync.stop()
        self.runner.shutdown(wait=True)
        if self.desk is not None:
            self.desk.close()


class OpeningDesk:
    """Stands for the `Desk` that `open()` makes on the database thread.

    Jobs on that thread run in order, so any job queued after the open sees the real `Desk`
    through this object; touching it before the open is a bug and says so."""

    def __init__(self, home: Path):
        self.home = Path(home)
        self._desk: Desk | None = None

    def open(self):
        from desk_app.services.context import Desk

        self._desk = Desk.open(self.home)
        return self._desk

    def __getattr__(self, name: str):
        desk = self.__dict__.get("_desk")
        if desk is None:
            raise RuntimeError(f"the database of {self.home} is not open yet ({name})")
        return getattr(desk, name)

    def close(self) -> None:
        if self._desk is not None:
            self._desk.close()


def peek_settings(home: Path):
    """The settings the first window needs (office title, language) before the database layer is
    loaded: `desk_app.services.settings.peek` (read-only, standard library sqlite3, a short busy
    wait; SQLAlchemy and the migrations take most of a second, so they come later, on the
    database thread). None when there is no database yet or it cannot be read now."""
    from desk_app.services.settings import peek

    return peek(home)


def settle_garbage_collector() -> None:
    """Move everything alive after start-up out of the collector's sight (`gc.freeze`).

    A full collection walks every tracked object while holding the GIL; with Qt, SQLAlchemy and
    the catalog loaded that walk stalled the window for over 200 ms during a long sync (bench/ui.py).
    Frozen objects are never walked again; the cycles made later are still collected."""
    import gc

    gc.collect()
    gc.freeze()


def run_gui(home: Path | str | None = None) -> int:
    """The desktop app on data folder `home` (default: DESK_APP_HOME or the platform folder)."""
    from desk_app.crash import install_excepthook
    from desk_app.logs import setup_logging
    from desk_app.paths import default_home

    home = Path(home) if home else default_home()
    setup_logging(home)  # <home>/logs/desk-app.log, secrets masked
    install_excepthook()  # an unexpected error: traceback in the log, a Persian message on screen
    log.info("desk app starting")
    peek = peek_settings(home)
    app = setup_application(language=peek.language if peek is not None else None)
    launcher = Launcher(None)
    code: dict[str, int | None] = {"value": None}

    def finish(value: int) -> None:
        code["value"] = value
        app.quit()

    launcher.finished.connect(finish)
    # between the set-up and login dialogs no window is visible: quit only once the main
    # window exists and is closed
    app.setQuitOnLastWindowClosed(False)
    launcher.window_shown.connect(lambda _w: app.setQuitOnLastWindowClosed(True))
    launcher.launch_opening(home, peek)
    result = app.exec()
    launcher.shutdown()
    return code["value"] if code["value"] is not None else result
