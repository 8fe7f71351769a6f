"""Background jobs with callbacks on the main thread (CONVENTIONS.md 2, after Anki's taskman).

Database work runs on ONE worker thread: the single writer of the local store. Slow work that
is not database work (sync, printing, reports, PDF/CSV export) runs on a separate small pool.
A job is a plain callable; it never touches a widget. Its result or exception comes back
through a queued Qt signal and the `success` / `failure` callback runs on the main thread.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from PySide6.QtCore import QObject, Signal

from desk_app.ui.errors import describe_error

log = logging.getLogger("desk_app.ui")

Callback = Callable[[Any], None]


class JobRunner(QObject):
    """`db(fn)` for store work (one thread), `background(fn)` for the rest (a pool)."""

    # callback, errback, result, exception -- emitted from a worker, delivered on the main thread
    _finished = Signal(object, object, object, object)
    busy_changed = Signal(int)
    # a job failed and had no failure callback: Persian message for the window to show
    unhandled_error = Signal(str)

    def __init__(self, parent: QObject | None = None, background_workers: int = 2):
        super().__init__(parent)
        self._db = ThreadPoolExecutor(max_workers=1, thread_name_prefix="desk-db")
        self._pool = ThreadPoolExecutor(max_workers=background_workers, thread_name_prefix="desk-bg")
        self._pending = 0
        self._closed = False
        self._finished.connect(self._deliver)

    @property
    def pending(self) -> int:
        """Jobs submitted whose callbacks have not run yet."""
        return self._pending

    def db(
        self, fn: Callable[[], Any], success: Callback | None = None, failure: Callback | None = None
    ) -> Future | None:
        """Run `fn()` on the single database thread."""
        return self._submit(self._db, fn, success, failure)

    def background(
        self, fn: Callable[[], Any], success: Callback | None = None, failure: Callback | None = None
    ) -> Future | None:
        """Run `fn()` on the background pool (sync, printing, reports)."""
        return self._submit(self._pool, fn, success, failure)

    def _submit(self, executor: ThreadPoolExecutor, fn, success, failure) -> Future | None:
        if self._closed:
            log.warning("job refused: runner is shut down")
            return None
        self._pending += 1
        self.busy_changed.emit(self._pending)

        def run() -> None:
            try:
                result = fn()
            except BaseException as exc:  # delivered to the main thread, never swallowed
                if not _is_known(exc):
                    log.error("job failed:\n%s", "".join(traceback.format_exception(exc)))
                self._finished.emit(success, failure, None, exc)
            else:
                self._finished.emit(success, failure, result, None)

        return executor.submit(run)

    def _deliver(self, success, failure, result, exc) -> None:
        self._pending -= 1
        try:
            if exc is None:
                if success is not None:
                    success(result)
            elif failure is not None:
                failure(exc)
            else:
                self.unhandled_error.emit(describe_error(exc))
        finally:
            self.busy_changed.emit(self._pending)

    def shutdown(self, wait: bool = True) -> None:
        """Stop taking jobs; with `wait`, let running ones finish (the store stays consistent)."""
        self._closed = True
        self._db.shutdown(wait=wait, cancel_futures=not wait)
        self._pool.shutdown(wait=wait, cancel_futures=not wait)


def _is_known(exc: BaseException) -> bool:
    from desk_app.ui.errors import is_known_error

    return is_known_error(exc)
