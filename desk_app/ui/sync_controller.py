"""The one place where the window meets sync (through `desk_app.services.sync`).

Sync runs on the background pool, never on the database thread and never on the main thread,
guarded by the data folder's OS file lock. It runs shortly after start (a random 0-60 s wait so
that 08:00 does not stampede the province), on a timer, after each intake, and on "sync now".
A request for a sync while one runs is remembered and done right after.
"""

from __future__ import annotations

import logging
import random

from PySide6.QtCore import QObject, QTimer, Signal

from desk_app.services.sync import NOT_ENROLLED_RETRY_S, START_DELAY_MAX_S, SyncStatus
from desk_app.ui.context import UiContext
from desk_app.ui.errors import describe_error

log = logging.getLogger("desk_app.ui")

MSG_NOT_ENROLLED = "این دستگاه هنوز در سرور استان ثبت نشده است؛ از «تنظیمات» ثبت کنید."
RETRY_AFTER_FAILURE_S = 60.0  # a run that raised (e.g. another sync holds the folder's lock)

__all__ = ["SyncController", "SyncStatus", "read_status", "run_sync"]


def read_status(desk) -> SyncStatus:
    """Counts and last times from the local store (database thread); no network."""
    from desk_app.services import sync

    return sync.local_status(desk)


def run_sync(desk):
    """One sync run under the folder's lock (background pool): a `SyncOutcome`, or None with the
    status to show when the device is not enrolled yet."""
    from desk_app.services import sync

    try:
        return sync.sync_once(desk), None
    except sync.NotEnrolled:
        status = sync.local_status(desk)
        status.last_error = MSG_NOT_ENROLLED
        return None, status


class SyncController(QObject):
    status_changed = Signal(object)  # SyncStatus
    synced = Signal(object)  # SyncReport of a finished run

    def __init__(
        self,
        ctx: UiContext,
        parent: QObject | None = None,
        start_delay_s: float | None = None,
        interval_s: float | None = None,
    ):
        super().__init__(parent)
        self.ctx = ctx
        self.status = SyncStatus()
        self.running = False
        self.stopped = False  # after stop() (log out, closing): a run that ends schedules no next one
        self._again = False
        self.start_delay_s = random.uniform(0, START_DELAY_MAX_S) if start_delay_s is None else start_delay_s
        self.interval_s = interval_s
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self.sync_now)
        self.ctx.requests_changed.connect(self.refresh_status)
        # the "oldest waiting" age grows while offline: read the local counts now and then
        self.status_timer = QTimer(self)
        self.status_timer.setInterval(30_000)
        self.status_timer.timeout.connect(self.refresh_status)

    def start(self) -> None:
        """Show the local status now; first sync after the start delay."""
        self.stopped = False
        self.refresh_status()
        self.status_timer.start()
        self._schedule(self.start_delay_s)

    def stop(self) -> None:
        self.stopped = True
        self.timer.stop()
        self.status_timer.stop()

    def _schedule(self, seconds: float) -> None:
        if self.stopped:
            return
        self.timer.start(int(max(0.0, seconds) * 1000))

    def refresh_status(self) -> None:
        if self.running:
            return  # the run's own status comes at its end
        desk = self.ctx.desk

        def done(status: SyncStatus) -> None:
            status.online = self.status.online
            status.running = self.running
            if self.status.online is not None and status.last_error is None:
                status.last_error = self.status.last_error
            status.warning = self.status.warning
            self._publish(status)

        self.ctx.runner.db(lambda: read_status(desk), success=done, failure=lambda exc: None)

    def after_intake(self, _request=None) -> None:
        self.sync_now()

    def sync_now(self) -> None:
        if self.running:
            self._again = True
            return
        self.running = True
        self.timer.stop()
        self.status.running = True
        self.status_changed.emit(self.status)
        desk = self.ctx.desk
        self.ctx.runner.background(lambda: run_sync(desk), success=self._done, failure=self._failed)

    def _done(self, result) -> None:
        outcome, offline = result
        self.running = False
        if outcome is None:  # not enrolled: work offline, look again later
            offline.running = False
            offline.online = False
            self._publish(offline)
            self._next(self.interval_s or NOT_ENROLLED_RETRY_S)
            return
        report, status = outcome.report, outcome.status
        status.running = False
        self._publish(status)
        self.synced.emit(report)
        if report.pulled or report.acked or report.duplicate or report.invalid or report.conflict:
            self.ctx.requests_changed.emit()
        self._next(self.interval_s if (self.interval_s and report.online) else outcome.next_delay)

    def _failed(self, exc: BaseException) -> None:
        self.running = False
        self.status.running = False
        self.status.online = False
        self.status.last_error = describe_error(exc)
        self._publish(self.status)
        self._next(self.interval_s or RETRY_AFTER_FAILURE_S)

    def _next(self, delay: float) -> None:
        if self.stopped:
            return
        if self._again:
            self._again = False
            self.sync_now()
        else:
            self._schedule(delay)

    def _publish(self, status: SyncStatus) -> None:
        self.status = status
        self.status_changed.emit(status)
