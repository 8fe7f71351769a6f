"""Lock after idle time, and the lock screen.

`IdleWatch` notes the time of the last keyboard, mouse or touch input anywhere in the
application (one event filter on the QApplication) and emits `idle` once nothing came for
`lock_after_idle_s` seconds (the setting, read from the window's preferences; 0 = never).

`LockDialog` covers the window: the page is hidden (no citizen's data on an unattended screen),
open dialogs are hidden with it, input to the window is blocked, and only the user's password
(checked by `users.login` on the database thread) or "log in as another user" ends it. Escape
and the close button do nothing. Sync, printing and saving go on underneath.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QApplication, QDialog, QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from desk_app.ui.errors import describe_error
from desk_app.ui.widgets import FieldForm, LtrLineEdit

INPUT_EVENTS = frozenset(
    int(t.value)
    for t in (
        QEvent.Type.KeyPress,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseMove,
        QEvent.Type.Wheel,
        QEvent.Type.TouchBegin,
        QEvent.Type.TabletPress,
    )
)
CHECK_EVERY_MS = 5_000  # how often the idle time is looked at (at most this late)


class IdleWatch(QObject):
    """Emits `idle` after `timeout_s` seconds without input; `timeout_s <= 0` never."""

    idle = Signal()

    def __init__(self, timeout_s: int, parent: QObject | None = None, clock=time.monotonic):
        super().__init__(parent)
        self.clock = clock
        self.timeout_s = 0
        self.last_input = clock()
        self.paused = False
        self.timer = QTimer(self)
        self.timer.timeout.connect(self._check)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)
        self.set_timeout(timeout_s)

    def set_timeout(self, timeout_s: int) -> None:
        self.timeout_s = max(0, int(timeout_s or 0))
        self.last_input = self.clock()
        if self.timeout_s:
            self.timer.start(min(CHECK_EVERY_MS, self.timeout_s * 1000 // 2 or 100))
        else:
            self.timer.stop()

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if int(event.type().value) in INPUT_EVENTS:
            self.last_input = self.clock()
        return False

    def pause(self, on: bool) -> None:
        """While locked (or logged out) there is nothing to watch; input restarts the count."""
        self.paused = on
        self.last_input = self.clock()

    def _check(self) -> None:
        if self.paused or not self.timeout_s:
            return
        if self.clock() - self.last_input >= self.timeout_s:
            self.paused = True
            self.idle.emit()

    def stop(self) -> None:
        self.timer.stop()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)


class LockDialog(QDialog):
    """ "Locked: enter your password"; `unlocked` after the right password, `switch_user` for
    another user's login (the Launcher logs this user out: their form is kept as a draft)."""

    unlocked = Signal()
    switch_user = Signal()

    def __init__(self, window: QWidget, desk, runner, user, parent: QWidget | None = None):
        super().__init__(parent if parent is not None else window)
        self.window_ = window
        self.desk = desk
        self.runner = runner
        self.user = user
        self.hidden: list[QWidget] = []
        self.setObjectName("lock_dialog")
        self.setWindowTitle(self.tr("Pishkhan Desk is locked"))
        self.setWindowModality(Qt.WindowModality.ApplicationModal)
        self.setWindowFlag(Qt.WindowType.WindowCloseButtonHint, False)
        self.setMinimumWidth(420)
        layout = QVBoxLayout(self)
        name = getattr(user, "full_name", "") or getattr(user, "username", "")
        self.head = QLabel(self.tr("The window is locked. %1, enter your password to go on.").replace("%1", name), self)
        self.head.setObjectName("lock_head")
        self.head.setWordWrap(True)
        layout.addWidget(self.head)
        self.form = FieldForm(self)
        self.password = LtrLineEdit(self)
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.form.add_field("password", self.tr("Password"), self.password)
        layout.addWidget(self.form)
        buttons = QHBoxLayout()
        self.unlock_button = QPushButton(self.tr("Unlock"), self)
        self.unlock_button.setObjectName("unlock_button")
        self.unlock_button.setDefault(True)
        self.switch_button = QPushButton(self.tr("Log in as another user"), self)
        self.switch_button.setObjectName("switch_user_button")
        buttons.addWidget(self.unlock_button)
        buttons.addStretch(1)
        buttons.addWidget(self.switch_button)
        layout.addLayout(buttons)
        self.unlock_button.clicked.connect(self.try_unlock)
        self.password.returnPressed.connect(self.try_unlock)
        self.switch_button.clicked.connect(self._switch)

    def lock(self) -> None:
        """Hide the page and the window's open dialogs, then ask for the password."""
        central = self.window_.centralWidget() if hasattr(self.window_, "centralWidget") else None
        others = [
            w
            for w in self.window_.findChildren(QDialog)
            if w is not self and w.isVisible() and w.windowModality() == Qt.WindowModality.NonModal
        ]
        for widget in ([central] if central is not None else []) + others:
            if widget.isVisible():
                widget.hide()
                self.hidden.append(widget)
        self.password.clear()
        self.form.clear_errors()
        self.show()
        self.raise_()
        self.activateWindow()
        self.password.setFocus()

    def try_unlock(self) -> None:
        self.form.clear_errors()
        password = self.password.text()
        if not password:
            self.form.set_error("password", self.tr("Enter your password."))
            return
        desk, username = self.desk, getattr(self.user, "username", "")
        self.unlock_button.setEnabled(False)

        def job():
            from desk_app.services import users

            return users.login(desk, username, password)

        def failed(exc: BaseException) -> None:
            self.unlock_button.setEnabled(True)
            self.password.selectAll()
            self.form.set_error("password", describe_error(exc))

        self.runner.db(job, success=lambda _user: self._unlocked(), failure=failed)

    def _unlocked(self) -> None:
        self.unlock_button.setEnabled(True)
        self._restore()
        self.accept()
        self.unlocked.emit()

    def _restore(self) -> None:
        for widget in self.hidden:
            widget.show()
        self.hidden = []

    def _switch(self) -> None:
        self.hide()
        self.switch_user.emit()

    # a locked window stays locked: Escape and the title bar's close do nothing
    def reject(self) -> None:
        pass

    def closeEvent(self, event) -> None:  # noqa: N802
        event.ignore()  # unlocking hides it (accept); closing it would leave the window open
