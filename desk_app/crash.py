"""The last line of defence: an unhandled exception is logged with its traceback and, in the GUI,
shown to the clerk as a Persian message instead of a silently vanishing window.

No Qt at import time: the message box is looked up only when a QApplication already exists.
"""

from __future__ import annotations

import logging
import sys
import threading
from pathlib import Path
from types import TracebackType

log = logging.getLogger("desk_app.crash")

TITLE_FA = "خطای پیش‌بینی‌نشده"
MESSAGE_FA = (
    "خطای پیش‌بینی‌نشده‌ای در برنامه رخ داد و جزئیات آن در پرونده‌ی گزارش ثبت شد.\n"
    "درخواست‌های ثبت‌شده از دست نرفته‌اند. اگر تکرار شد، پوشه‌ی گزارش‌ها را برای پشتیبانی بفرستید."
)

_previous: dict[str, object] = {}
_showing = threading.Event()  # one box at a time: an error inside a paint event repeats at once


def _log_dir_hint() -> str | None:
    """Where the log file is, for the message box (None when logging to a file is not set up)."""
    for name in ("desk_app",):
        for handler in logging.getLogger(name).handlers:
            filename = getattr(handler, "baseFilename", None)
            if filename:
                return str(Path(filename).parent)
    return None


def handle_exception(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
    """Log the exception with its traceback; tell the user when a GUI is up (main thread only)."""
    if issubclass(exc_type, KeyboardInterrupt):
        sys.__excepthook__(exc_type, exc, tb)
        return
    log.critical("unhandled exception: %s", exc_type.__name__, exc_info=(exc_type, exc, tb))
    if threading.current_thread() is threading.main_thread():
        show_message_box()


def _thread_hook(args: threading.ExceptHookArgs) -> None:
    if args.exc_type is SystemExit:
        return
    log.critical(
        "unhandled exception in thread %s: %s",
        getattr(args.thread, "name", "?"),
        args.exc_type.__name__,
        exc_info=args.exc_value,  # its traceback is the thread's
    )


def show_message_box() -> bool:
    """Show the Persian crash message if a QApplication exists; returns whether one was shown."""
    widgets = sys.modules.get("PySide6.QtWidgets")
    if widgets is None:  # Qt widgets never loaded: there is no window to speak through
        return False
    if _showing.is_set():  # already telling the user; the traceback is in the log all the same
        return False
    _showing.set()
    try:
        app = widgets.QApplication.instance()
        if not isinstance(app, widgets.QApplication):
            return False
        text = MESSAGE_FA
        where = _log_dir_hint()
        if where:
            text += f"\n\nپوشه‌ی گزارش‌ها:\n{where}"
        box = widgets.QMessageBox(widgets.QMessageBox.Icon.Critical, TITLE_FA, text)
        box.setObjectName("crashMessageBox")
        box.setLayoutDirection(app.layoutDirection())
        box.exec()
        return True
    except Exception:  # noqa: BLE001 - the hook itself must never raise
        log.exception("could not show the crash message box")
        return False
    finally:
        _showing.clear()


def install_excepthook() -> None:
    """Route unhandled exceptions (main thread and worker threads) through `handle_exception`.

    Call it once from the application's set-up, after `desk_app.logs.setup_logging(home)`.
    """
    _previous.setdefault("sys", sys.excepthook)
    _previous.setdefault("threading", threading.excepthook)
    sys.excepthook = handle_exception
    threading.excepthook = _thread_hook


def uninstall_excepthook() -> None:
    """Put back the hooks that were there before `install_excepthook` (tests)."""
    if "sys" in _previous:
        sys.excepthook = _previous.pop("sys")  # type: ignore[assignment]
    if "threading" in _previous:
        threading.excepthook = _previous.pop("threading")  # type: ignore[assignment]
