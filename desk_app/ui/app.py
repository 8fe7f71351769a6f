"""Start-up of the desktop app: one function sets up Qt, then set-up wizard -> login -> window.

`setup_application()` is the only place that decides locale, direction, font and translation
(CONVENTIONS.md 7). `Launcher` walks the start-up steps without nested event loops, so tests can
drive each dialog; `run_gui(home)` is what `desk-app gui` and `desk-app demo` call.

The Launcher also hands the counter over: log out (back to the login window; the app, its
jobs and the demo server go on), lock after idle time (`lock_after_idle_s`), and, in the demo,
a question before closing the window ends the demo's provincial server, and a notice when that
server died by itself.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from desk_app.ui.i18n import apply_language

if TYPE_CHECKING:
    from desk_app.services.context import Desk
    from desk_app.ui.lock import IdleWatch, LockDialog
    from desk_app.ui.login_dialog import LoginDialog
    from desk_app.ui.main_window import MainWindow
    from desk_app.ui.setup_dialog import SetupDialog

log = logging.getLogger("desk_app.ui")

GIL_SWITCH_INTERVAL_S = 0.001
# set on the QApplication by whoever ends the app on purpose (the demo's SIGTERM): the windows
# close the normal way, without asking whether to
QUITTING_PROPERTY = "desk_quitting"


def quitting() -> bool:
    app = QApplication.instance()
    return bool(app is not None and app.property(QUITTING_PROPERTY))


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

    logged_out = Signal()
    locked = Signal(object)  # the LockDialog shown

    DEMO_CHECK_MS = 2_000  # how soon a dead demo server is noticed

    def __init__(
        self,
        desk,
        runner=None,
        sync_start_delay_s: float | None = None,
        parent: QObject | None = None,
        demo_server=None,
    ):
        super().__init__(parent)
        from desk_app.ui.jobs import JobRunner

        self.desk = desk
        self.runner = runner or JobRunner()
        self.sync_start_delay_s = sync_start_delay_s
        self.setup_dialog: SetupDialog | None = None
        self.login_dialog: LoginDialog | None = None
        self.window: MainWindow | None = None
        self.restore_box: QMessageBox | None = None
        # the demo's provincial server (desk_app.demo.ServerProcess: alive(), exit_code, url) or None
        self.demo_server = demo_server
        self.demo_down_said = False
        self.quit_box: QMessageBox | None = None
        self.lock_dialog: LockDialog | None = None
        self.idle: IdleWatch | None = None
        self._retired: list[QWidget] = []  # windows logged out of, deleted once their jobs are done
        self.runner.busy_changed.connect(self._drop_retired)
        self.demo_timer = QTimer(self)
        self.demo_timer.setInterval(self.DEMO_CHECK_MS)
        self.demo_timer.timeout.connect(self.check_demo_server)
        if demo_server is not None:
            self.demo_timer.start()

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
        self.login_dialog = LoginDialog(self.desk, self.runner, office_title=title)
        self.login_dialog.accepted.connect(lambda: self.show_window(self.login_dialog.user))
        self.login_dialog.rejected.connect(self._login_exit)
        self.login_dialog.show()

    def show_window(self, user) -> None:
        from desk_app.ui.context import UiContext, load_prefs
        from desk_app.ui.main_window import MainWindow

        ctx = UiContext(self.desk, self.runner, user, load_prefs(self.desk), parent=self)
        self.window = MainWindow(ctx, sync_start_delay_s=self.sync_start_delay_s)
        self.window.restored.connect(self.after_restore)
        self._hand_over(self.window)
        self.window.show()
        self.window.start()
        settle_garbage_collector()
        self.window_shown.emit(self.window)
        self.check_demo_server()

    # -- handing the counter over: log out, lock, close -----------------------------------------

    def _hand_over(self, window: MainWindow) -> None:
        """Log out and lock from the status bar, the idle lock, the close question, the notices."""
        from desk_app.ui.lock import IdleWatch

        ctx = window.ctx
        window.status.logout_requested.connect(self.logout)
        window.status.lock_requested.connect(self.lock)
        window.installEventFilter(self)  # Close: the demo asks before its server is stopped
        if self.idle is not None:
            self.idle.stop()
        self.idle = IdleWatch(int(ctx.prefs.lock_after_idle_s or 0), self)
        self.idle.idle.connect(self.lock)

        def lock_time_changed() -> None:
            if self.window is window and self.idle is not None:
                self.idle.set_timeout(int(ctx.prefs.lock_after_idle_s or 0))

        ctx.prefs_changed.connect(lock_time_changed)
        desk = self.desk

        def managers():
            from desk_app.services import users

            return tuple(users.manager_names(desk))

        def got_managers(names) -> None:
            ctx.managers = names
            if self.window is window:
                window.settings.show_readonly_note()

        self.runner.db(managers, success=got_managers, failure=lambda _exc: None)
        if ctx.is_manager:
            self._watch_backups(window)

    def _watch_backups(self, window: MainWindow) -> None:
        """The manager is told, in the window, when automatic backups are not made."""
        home = self.desk.home

        def job() -> bool:
            from desk_app.services import autobackup

            return autobackup.has_passphrase(home)

        def said(has_passphrase: bool) -> None:
            if self.window is window:
                window.status.show_notice(None if has_passphrase else self.no_backup_text())

        window.settings.backup_state_changed.connect(said)
        window.daily_backup.written.connect(lambda _o: window.status.show_notice(None))
        window.daily_backup.failed.connect(window.status.show_notice)
        self.runner.background(job, success=said, failure=lambda _exc: None)

    def no_backup_text(self) -> str:
        return self.tr("No automatic backup: no backup passphrase is set (Settings → Backups).")

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.Close and obj is self.window and self.window is not None:
            window = self.window
            if getattr(window, "_force_close", False) or getattr(window, "_quit_confirmed", False) or quitting():
                return False
            if self.demo_server is not None and self.demo_server.alive():
                event.ignore()
                if self.quit_box is None:  # a second Alt+F4 while it asks: the same question
                    self.ask_quit(window)
                return True
        return False

    def ask_quit(self, window: MainWindow) -> None:
        """Closing the demo's window ends its provincial server too: say so, offer to log out."""
        box = QMessageBox(
            QMessageBox.Icon.Question,
            self.tr("Close Pishkhan Desk"),
            self.tr(
                "Closing the window ends the demo: its provincial server stops too, and nothing is "
                "synced until the demo starts again. To hand the counter to someone else, log out instead."
            ),
            parent=window,
        )
        box.setObjectName("quit_box")
        quit_button = box.addButton(self.tr("Close and stop the server"), QMessageBox.ButtonRole.DestructiveRole)
        logout_button = box.addButton(self.tr("Log out instead"), QMessageBox.ButtonRole.AcceptRole)
        cancel = box.addButton(self.tr("Cancel"), QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(cancel)
        box.setEscapeButton(cancel)
        quit_button.setObjectName("quit_close")
        logout_button.setObjectName("quit_logout")
        cancel.setObjectName("quit_cancel")

        def answered(_result: int) -> None:
            self.quit_box = None
            clicked = box.clickedButton()
            if clicked is quit_button and self.window is window:
                window._quit_confirmed = True
                window.close()
            elif clicked is logout_button:
                self.logout()

        box.finished.connect(answered)
        self.quit_box = box
        box.open()

    def _login_exit(self) -> None:
        """ "Exit" on the login window ends the app (and the demo's server: asked first)."""
        if self.demo_server is None or not self.demo_server.alive() or quitting():
            self.finished.emit(0)
            return
        answer = QMessageBox.question(
            None,
            self.tr("Close Pishkhan Desk"),
            self.tr("Exit the demo? Its provincial server stops too."),
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.finished.emit(0)
        elif self.login_dialog is not None:
            self.login_dialog.show()

    def logout(self) -> None:
        """Back to the login window; the app, its jobs, sync of the next user and the demo server
        go on. The user's unfinished intake form is kept as a draft of their shift."""
        window, self.window = self.window, None
        if window is None:
            return
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.setQuitOnLastWindowClosed(False)  # between this window and the next login
        if self.idle is not None:
            self.idle.stop()
            self.idle = None
        if self.lock_dialog is not None:
            self.lock_dialog.hide()
            self.lock_dialog = None
        log.info("log out of %s", window.ctx.username)
        self.show_login()
        window._force_close = True  # no "work in progress" question: jobs finish on their own
        window.close()  # its closeEvent stops sync and saves the draft
        self._retired.append(window)
        self.logged_out.emit()

    def _drop_retired(self, pending: int) -> None:
        if pending == 0 and self._retired:
            for window in self._retired:
                window.deleteLater()
            self._retired = []

    def lock(self) -> None:
        """Hide the window's content until the user's password (or another user's login)."""
        from desk_app.ui.lock import LockDialog

        window = self.window
        if window is None or self.lock_dialog is not None:
            return
        if self.idle is not None:
            self.idle.pause(True)
        dialog = LockDialog(window, self.desk, self.runner, window.ctx.user)

        def unlocked() -> None:
            self.lock_dialog = None
            if self.idle is not None:
                self.idle.pause(False)

        def switch() -> None:
            self.lock_dialog = None
            self.logout()

        dialog.unlocked.connect(unlocked)
        dialog.switch_user.connect(switch)
        self.lock_dialog = dialog
        log.info("window locked")
        dialog.lock()
        self.locked.emit(dialog)

    def check_demo_server(self) -> None:
        """The demo's server died by itself: say so once, in the window (the app goes on offline)."""
        server = self.demo_server
        if server is None or self.demo_down_said or server.alive():
            return
        self.demo_down_said = True
        code = getattr(server, "exit_code", None)
        text = self.tr(
            "The demo's provincial server has stopped (exit code %1). The app goes on offline: requests "
            "wait in the queue. Start the demo again to sync them."
        ).replace("%1", str(code if code is not None else "?"))
        log.warning("the demo provincial server exited by itself (code %s)", code)
        if self.window is not None:
            self.window.show_alert(text)
            self.window.status.show_notice(self.tr("Demo server stopped"))
        elif self.login_dialog is not None:
            box = QMessageBox(QMessageBox.Icon.Warning, self.tr("Pishkhan Desk"), text, parent=self.login_dialog)
            box.setObjectName("demo_down_box")
            box.open()  # not a nested event loop inside a timer's slot

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
        self.demo_timer.stop()
        if self.idle is not None:
            self.idle.stop()
            self.idle = None
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


def run_gui(home: Path | str | None = None, demo_server=None) -> int:
    """The desktop app on data folder `home` (default: DESK_APP_HOME or the platform folder).
    `demo_server`: the demo's provincial server process (`alive()`, `exit_code`), watched."""
    from desk_app.crash import install_excepthook
    from desk_app.logs import setup_logging
    from desk_app.paths import default_home

    home = Path(home) if home else default_home()
    setup_logging(home)  # <home>/logs/desk-app.log, secrets masked
    install_excepthook()  # an unexpected error: traceback in the log, a Persian message on screen
    log.info("desk app starting")
    peek = peek_settings(home)
    app = setup_application(language=peek.language if peek is not None else None)
    launcher = Launcher(None, demo_server=demo_server)
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
