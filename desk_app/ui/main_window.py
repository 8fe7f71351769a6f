"""The main window: pages in tabs (Ctrl+1…), the sync status bar, clean shutdown."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication, QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QLabel,
    QMainWindow,
    QMessageBox,
    QScrollArea,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desk_app.ui.catalog_page import CatalogPage
from desk_app.ui.context import UiContext
from desk_app.ui.intake_page import IntakePage
from desk_app.ui.reports_page import ReportsPage
from desk_app.ui.requests_page import RequestsPage
from desk_app.ui.settings_page import SettingsPage
from desk_app.ui.shift_page import ShiftPage
from desk_app.ui.status_bar import DeskStatusBar
from desk_app.ui.sync_controller import SyncController
from desk_app.ui.users_page import UsersPage
from desk_app.ui.widgets import digit_row_number, ltr, shortcut_text

# what the window asks for: a 1366x768 laptop less a title bar and a panel still shows it whole
PREFERRED_SIZE = (1280, 680)
MINIMUM_SIZE = (900, 560)


def fit_to_screen(window: QWidget) -> None:
    """A size that fits the screen's free area with its frame (title bar) and grows with it:
    never a fixed 1100x760, which put the status bar off a 1366x768 screen."""
    window.setMinimumSize(*MINIMUM_SIZE)
    screen = window.screen() or QGuiApplication.primaryScreen()
    width, height = PREFERRED_SIZE
    if screen is not None:
        free = screen.availableGeometry()
        frame_w, frame_h = 16, 40  # a title bar and borders before the window has a frame
        width = min(max(width, int(free.width() * 0.9)), free.width() - frame_w)
        height = min(max(height, int(free.height() * 0.9)), free.height() - frame_h)
    window.resize(max(MINIMUM_SIZE[0], width), max(MINIMUM_SIZE[1], height))


class PageKeys(QObject):
    """Ctrl+1..9 open the pages in any keyboard layout (application event filter of one window)."""

    def __init__(self, window: MainWindow):
        super().__init__(window)
        self.window_ = window

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() not in (QEvent.Type.KeyPress, QEvent.Type.ShortcutOverride) or not isinstance(event, QKeyEvent):
            return False
        mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        if mods != Qt.KeyboardModifier.ControlModifier or Qt.Key.Key_1 <= event.key() <= Qt.Key.Key_9:
            return False  # plain Ctrl+1 is the QShortcut's
        if not isinstance(obj, QWidget) or obj.window() is not self.window_:
            return False
        number = digit_row_number(event)
        if number is None:
            return False
        if event.type() == QEvent.Type.ShortcutOverride:
            event.accept()  # the key press comes to us, not as text into a field
            return True
        self.window_.show_page(number)
        return True


class DailyBackup(QObject):
    """Today's encrypted backup, made after login and re-checked every hour, on a worker thread.

    Nothing happens until the manager has set a backup passphrase; a failure is reported through
    `failed` (a Persian message for the window), never raised at the clerk."""

    CHECK_INTERVAL_MS = 60 * 60 * 1000
    written = Signal(object)  # autobackup.BackupOutcome with a path
    failed = Signal(str)

    def __init__(self, ctx: UiContext, parent: QObject | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.running = False
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.check)

    def start(self) -> None:
        self.check()
        self.timer.start(self.CHECK_INTERVAL_MS)

    def stop(self) -> None:
        self.timer.stop()

    def check(self) -> None:
        if self.running:
            return
        desk = self.ctx.desk

        def job():
            from desk_app.services import autobackup

            if not autobackup.daily_backup_due(desk.home) or not autobackup.has_passphrase(desk.home):
                return None
            return autobackup.run_daily_backup(desk)

        def done(outcome) -> None:
            self.running = False
            if outcome is not None and outcome.path is not None:
                self.written.emit(outcome)

        def failed(exc: BaseException) -> None:
            from desk_app.ui.errors import describe_error

            self.running = False
            self.failed.emit(self.tr("The daily backup failed: %1").replace("%1", describe_error(exc)))

        self.running = True
        self.ctx.runner.background(job, success=done, failure=failed)


class MainWindow(QMainWindow):
    restored = Signal(object, str)  # a backup replaced the database: log in again (see Launcher)

    def __init__(self, ctx: UiContext, sync_start_delay_s: float | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        prefs = ctx.prefs
        office = f"{prefs.office_name} ({prefs.office_code})" if prefs.office_code else ""
        user = getattr(ctx.user, "full_name", "") or ctx.username
        self.setWindowTitle(self.tr("Pishkhan Desk") + (f" — {office}" if office else "") + f" — {user}")
        fit_to_screen(self)
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("pages")
        self.intake = IntakePage(ctx, self)
        self.requests = RequestsPage(ctx, self)
        self.shift = ShiftPage(ctx, self)
        self.catalog = CatalogPage(ctx, self)
        self.tabs.addTab(self.intake, self.tr("Intake"))
        self.tabs.addTab(self.requests, self.tr("Requests"))
        self.tabs.addTab(self.shift, self.tr("Shift"))
        self._force_close = False  # set by the launcher after a restore: close without waiting
        self._quit_confirmed = False  # the demo's "close and stop the server" was answered
        self.reports = self.users = None
        if ctx.is_manager:
            self.reports = ReportsPage(ctx, self)
            self.users = UsersPage(ctx, self)
            self.tabs.addTab(self.reports, self.tr("Reports"))
            self.tabs.addTab(self.users, self.tr("Users"))
        self.tabs.addTab(self.catalog, self.tr("Services"))
        self.settings = SettingsPage(ctx, self)
        settings_scroll = QScrollArea(self)  # the page is taller than a 768-pixel laptop screen
        settings_scroll.setWidgetResizable(True)
        settings_scroll.setFrameShape(QFrame.Shape.NoFrame)
        settings_scroll.setWidget(self.settings)
        self.tabs.addTab(settings_scroll, self.tr("Settings"))
        central = QWidget(self)
        layout = QVBoxLayout(central)
        layout.setContentsMargins(6, 6, 6, 0)
        self.alert = QLabel(self)
        self.alert.setObjectName("window_alert")
        self.alert.setStyleSheet("color: #b00020;")
        self.alert.setWordWrap(True)
        self.alert.hide()
        layout.addWidget(self.alert)
        layout.addWidget(self.tabs)
        self.setCentralWidget(central)

        # the period between runs is the setting `sync_interval_s`, applied by desk_app.services.sync
        self.sync = SyncController(ctx, self, start_delay_s=sync_start_delay_s)
        self.status = DeskStatusBar(self.sync, self)
        self.setStatusBar(self.status)
        self.intake.registered.connect(self.sync.after_intake)
        self.settings.enrolled.connect(self.sync.sync_now)
        self.settings.restored.connect(self.restored)
        self.daily_backup = DailyBackup(ctx, self)
        self.daily_backup.written.connect(
            lambda outcome: self.status.showMessage(
                self.tr("Today's backup was written: %1").replace("%1", ltr(outcome.path.name)), 10_000
            )
        )
        self.daily_backup.failed.connect(self.show_alert)
        self.shift.backup_written.connect(
            lambda outcome: self.status.showMessage(
                self.tr("Shift-close backup written: %1").replace("%1", ltr(outcome.path.name)), 10_000
            )
        )
        ctx.runner.unhandled_error.connect(self.show_alert)
        ctx.runner.busy_changed.connect(self.status.show_busy)
        for number in range(1, self.tabs.count() + 1):
            shortcut = QShortcut(QKeySequence(f"Ctrl+{number}"), self)
            shortcut.activated.connect(lambda n=number: self.show_page(n))
            self.tabs.setTabToolTip(number - 1, shortcut_text(f"Ctrl+{number}"))
        # Ctrl+1..7 in the Persian layout arrive as Ctrl+«۱»: matched by the key, not its text
        self.page_keys = PageKeys(self)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self.page_keys)
        self.tabs.currentChanged.connect(self._page_shown)

    def start(self) -> None:
        """Load data for the pages and start the sync timer (after the window is shown)."""
        self.intake.load_catalog()
        self.requests.apply_filters()
        self.shift.refresh()
        self.catalog.refresh()
        self.sync.start()
        self.daily_backup.start()
        self.intake.national_code.setFocus()

    def show_page(self, number: int) -> None:
        if 1 <= number <= self.tabs.count():
            self.tabs.setCurrentIndex(number - 1)

    def _page_shown(self, index: int) -> None:
        page = self.tabs.widget(index)
        if page is self.intake:
            self.intake.national_code.setFocus()
        elif page is self.requests:
            self.requests.search.setFocus()
        elif self.users is not None and page is self.users:
            self.users.refresh()

    def show_alert(self, text: str) -> None:
        self.alert.setText(text)
        self.alert.setVisible(bool(text))

    def closeEvent(self, event) -> None:  # noqa: N802
        if self.ctx.runner.pending and not self._force_close:
            answer = QMessageBox.question(
                self,
                self.tr("Work in progress"),
                self.tr("Some work is still running (saving, printing or sync). Close when it is done?"),
            )
            if answer != QMessageBox.StandardButton.Yes:
                event.ignore()
                return
        self.sync.stop()
        self.daily_backup.stop()
        self.intake.save_draft_now()  # queued before shutdown; the database thread finishes it
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self.page_keys)
        event.accept()
