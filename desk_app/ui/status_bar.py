"""The status bar: online/offline, pending count, last sync (Jalali, Tehran), oldest pending, errors;
a notice the manager must see (no automatic backup, the demo server stopped); lock and log out;
scanned pages waiting to be sent, their bytes and the time they take at the link rate the
uploader measured («۲ صفحه، ۴۸ کیلوبایت در صف — حدود ۱ دقیقه»), read on the database thread
whenever the sync status changes (after each intake, scan, sync and every 30 s).

A sync error is shown once this window has tried and failed: the error a previous session left
in the store is not news at a fresh start (the first attempt says whether it still holds).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QFrame, QLabel, QProgressBar, QPushButton, QSizePolicy, QStatusBar, QWidget

from desk_app.domain.jalali import format_jalali_datetime, parse_utc
from desk_app.ui.i18n import local_digits
from desk_app.ui.sync_controller import SyncController, SyncStatus


class ElidedLabel(QLabel):
    """A one-line label that gives way to the window's width: the end of a long sentence becomes
    «…» (the whole sentence is its tooltip), never widening the window past the screen."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.full_text = ""
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setMinimumWidth(40)

    def setText(self, text: str) -> None:  # noqa: N802 - Qt's name
        self.full_text = text or ""
        self.setToolTip(self.full_text)
        self._elide()

    def text(self) -> str:
        return self.full_text

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        shown = self.fontMetrics().elidedText(self.full_text, Qt.TextElideMode.ElideRight, max(0, self.width() - 4))
        super().setText(shown)


class DeskStatusBar(QStatusBar):
    lock_requested = Signal()
    logout_requested = Signal()

    def __init__(self, controller: SyncController, parent: QWidget | None = None):
        super().__init__(parent)
        self.controller = controller
        self.notice_label = ElidedLabel(self)
        self.notice_label.setObjectName("notice_label")
        self.notice_label.setStyleSheet("color: #b00020; font-weight: bold;")
        self.notice_label.setWordWrap(False)
        self.notice_label.hide()
        self.online_label = QLabel(self)
        self.online_label.setObjectName("online_label")
        self.pending_label = QLabel(self)
        self.pending_label.setObjectName("pending_label")
        self.last_sync_label = QLabel(self)
        self.last_sync_label.setObjectName("last_sync_label")
        self.oldest_label = QLabel(self)
        self.oldest_label.setObjectName("oldest_label")
        self.error_label = ElidedLabel(self)
        self.error_label.setObjectName("error_label")
        self.error_label.setStyleSheet("color: #b00020;")
        self.sync_button = QPushButton(self.tr("Sync now"), self)
        self.sync_button.setObjectName("sync_button")
        self.sync_button.clicked.connect(controller.sync_now)
        self.attachments_label = QLabel(self)
        self.attachments_label.setObjectName("attachments_label")
        self.attachments_label.hide()
        self._reading_attachments = False
        self._attachments_again = False
        for widget in (self.online_label, self.pending_label, self.last_sync_label, self.oldest_label):
            widget.setContentsMargins(6, 0, 6, 0)
            self.addWidget(widget)
            if widget is not self.oldest_label:
                line = QFrame(self)
                line.setFrameShape(QFrame.Shape.VLine)
                line.setFrameShadow(QFrame.Shadow.Sunken)
                self.addWidget(line)
        self.attachments_label.setContentsMargins(6, 0, 6, 0)
        self.addWidget(self.attachments_label)
        # long sentences never widen the window past the screen: they give way (full text as a tooltip)
        self.addWidget(self.error_label, 1)
        self.addWidget(self.notice_label, 1)
        self.busy = QProgressBar(self)
        self.busy.setObjectName("busy")
        self.busy.setRange(0, 0)  # "working", no percentage: jobs do not report one
        self.busy.setMaximumWidth(90)
        self.busy.setMaximumHeight(14)
        self.busy.hide()
        self.addPermanentWidget(self.busy)
        self.addPermanentWidget(self.sync_button)
        self.lock_button = QPushButton(self.tr("Lock"), self)
        self.lock_button.setObjectName("lock_button")
        self.lock_button.setToolTip(self.tr("Lock the window until your password (Ctrl+Shift+L)"))
        self.logout_button = QPushButton(self.tr("Log out"), self)
        self.logout_button.setObjectName("logout_button")
        self.logout_button.setToolTip(self.tr("Back to the login window; the app keeps running (Ctrl+Shift+Q)"))
        for button in (self.lock_button, self.logout_button):
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            self.addPermanentWidget(button)
        self.lock_button.clicked.connect(self.lock_requested)
        self.logout_button.clicked.connect(self.logout_requested)
        if parent is not None:  # window-wide keys (QKeySequence: also under the Persian layout)
            self.lock_key = QShortcut(QKeySequence("Ctrl+Shift+L"), parent)
            self.lock_key.activated.connect(self.lock_requested)
            self.logout_key = QShortcut(QKeySequence("Ctrl+Shift+Q"), parent)
            self.logout_key.activated.connect(self.logout_requested)
        controller.status_changed.connect(self.show_status)
        controller.status_changed.connect(self.refresh_attachments)
        self.show_status(controller.status)

    def show_busy(self, pending: int) -> None:
        """Some saving, printing, report or sync work is running in the background."""
        self.busy.setVisible(pending > 0)

    def show_status(self, status: SyncStatus) -> None:
        if status.running:
            online = self.tr("Syncing…")
        elif status.online is None:
            online = self.tr("Not synced yet")
        elif status.online:
            online = "● " + self.tr("Online")
        else:
            online = "○ " + self.tr("Offline")
        self.online_label.setText(online)
        self.online_label.setStyleSheet("color: #1b5e20;" if status.online else "color: #8a6d00;")
        pending = self.tr("Waiting to send: %1").replace("%1", local_digits(str(status.pending)))
        if status.attention:
            pending += " — " + self.tr("needs attention: %1").replace("%1", local_digits(str(status.attention)))
        self.pending_label.setText(pending)
        if status.last_success_at:
            when = format_jalali_datetime(parse_utc(status.last_success_at), persian=True)
            self.last_sync_label.setText(self.tr("Last sync: %1").replace("%1", when))
        else:
            self.last_sync_label.setText(self.tr("Last sync: never"))
        if status.pending:
            self.oldest_label.setText(
                self.tr("Oldest waiting: %1").replace("%1", self.age_text(status.oldest_pending_s))
            )
            self.oldest_label.show()
        else:
            self.oldest_label.hide()
        # status.online is None until this window's first attempt: an error stored by an earlier
        # session is not shown before that attempt failed too (a stopped sync still is: it needs action)
        last_error = status.last_error if status.online is not None else None
        error = status.stopped_reason or last_error or status.warning or ""
        self.error_label.setText(error)
        self.sync_button.setEnabled(not status.running)

    def show_notice(self, text: str | None) -> None:
        """A lasting notice (not a 10-second message): no automatic backup, the demo server stopped."""
        self.notice_label.setText(text or "")
        self.notice_label.setVisible(bool(text))

    def age_text(self, seconds: int) -> str:
        if seconds < 60:
            return self.tr("less than a minute")
        minutes = seconds // 60
        if minutes < 60:
            return self.tr("%1 min").replace("%1", local_digits(str(minutes)))
        hours = minutes // 60
        if hours < 48:
            return self.tr("%1 h").replace("%1", local_digits(str(hours)))
        return self.tr("%1 days").replace("%1", local_digits(str(hours // 24)))

    # -- scanned pages waiting to go ---------------------------------------------------------------

    def refresh_attachments(self, _status=None) -> None:
        """Read the queued pages, bytes and measured rate on the database thread (one read at a
        time; a change meanwhile asks for one more read)."""
        ctx = getattr(self.controller, "ctx", None)
        if ctx is None:
            return
        if self._reading_attachments:
            self._attachments_again = True
            return
        self._reading_attachments = True
        desk = ctx.desk

        def job():
            from desk_app.services import attachments

            return attachments.queued_summary(desk)

        def done(summary) -> None:
            self._reading_attachments = False
            self.show_attachments(summary)
            if self._attachments_again:
                self._attachments_again = False
                self.refresh_attachments()

        def failed(_exc) -> None:
            self._reading_attachments = False

        ctx.runner.db(job, success=done, failure=failed)

    def show_attachments(self, summary) -> None:
        """`summary`: (pages, bytes, rate_bps | None) as `attachments.queued_summary` gives it."""
        pages, size, rate = summary[0], summary[1], summary[2]
        if not pages:
            self.attachments_label.clear()
            self.attachments_label.hide()
            return
        from desk_app.ui.scan_dialog import size_text

        text = self.tr("%1 page(s), %2 queued").replace("%1", local_digits(str(pages))).replace("%2", size_text(size))
        if rate and size:
            text += " — " + self.eta_text(-(-size // rate))
        self.attachments_label.setText(text)
        self.attachments_label.setToolTip(
            self.tr("Scanned pages waiting to be sent to the province; the time is at the link rate last measured.")
            if rate
            else self.tr("Scanned pages waiting to be sent; the time is shown once a sending has measured the link.")
        )
        self.attachments_label.show()

    def eta_text(self, seconds: int) -> str:
        if seconds < 60:
            return self.tr("under a minute")
        minutes = -(-seconds // 60)
        if minutes < 60:
            return self.tr("about %1 min").replace("%1", local_digits(str(minutes)))
        hours, rest = divmod(minutes, 60)
        if hours >= 10:
            return self.tr("about %1 h").replace("%1", local_digits(str(hours + (rest >= 30))))
        if rest == 0:
            return self.tr("about %1 h").replace("%1", local_digits(str(hours)))
        text = self.tr("about %1 h %2 min")
        return text.replace("%1", local_digits(str(hours))).replace("%2", local_digits(str(rest)))
