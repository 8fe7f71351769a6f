"""The crash hook: the traceback goes to the log; with a GUI up, a Persian message box appears."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from desk_app import crash, logs

ROOT = Path(__file__).resolve().parent.parent


def test_unhandled_exception_in_a_program_is_logged(home):
    code = (
        "import sys\n"
        "from desk_app.logs import setup_logging\n"
        "from desk_app.crash import install_excepthook\n"
        "setup_logging(sys.argv[1])\n"
        "install_excepthook()\n"
        "def intake():\n"
        "    raise RuntimeError('disk vanished while saving 0012345679')\n"
        "intake()\n"
    )
    proc = subprocess.run([sys.executable, "-c", code, str(home)], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1
    text = (home / "logs" / "desk-app.log").read_text(encoding="utf-8")
    assert "CRITICAL desk_app.crash" in text
    assert "Traceback (most recent call last)" in text
    assert "in intake" in text and "RuntimeError: disk vanished while saving" in text
    assert "0012345679" not in text
    assert "PySide6" not in proc.stderr  # no Qt was needed for a program without a window


def test_crash_module_imports_no_qt():
    code = "import sys, desk_app.crash; print(any(m.startswith('PySide6') for m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True, timeout=60)
    assert out.stdout.strip() == "False"


@pytest.mark.expect_error_log
def test_thread_exception_is_logged(home):
    import threading

    path = logs.setup_logging(home)
    crash.install_excepthook()
    try:
        t = threading.Thread(target=lambda: 1 / 0, name="print-worker")
        t.start()
        t.join()
    finally:
        crash.uninstall_excepthook()
        logs.shutdown_logging()
    text = path.read_text(encoding="utf-8")
    assert "unhandled exception in thread print-worker: ZeroDivisionError" in text
    assert "ZeroDivisionError: division by zero" in text


@pytest.mark.expect_error_log
def test_message_box_in_the_gui(home, qapp):
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox

    path = logs.setup_logging(home)
    seen = {}

    def close_box():
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox):
            seen["title"], seen["text"] = box.windowTitle(), box.text()
            # the same error again while the box is up (a failing paint event): no second box
            try:
                raise KeyError("again")
            except KeyError:
                crash.handle_exception(*sys.exc_info())
            seen["still_first"] = QApplication.activeModalWidget() is box
            box.done(0)
        else:
            QTimer.singleShot(20, close_box)

    QTimer.singleShot(20, close_box)
    try:
        try:
            raise KeyError("widget state")
        except KeyError:
            crash.handle_exception(*sys.exc_info())
    finally:
        logs.shutdown_logging()
    assert seen["title"] == crash.TITLE_FA
    assert "خطای پیش‌بینی‌نشده" in seen["text"] and str(home / "logs") in seen["text"]
    assert seen["still_first"]
    text = path.read_text(encoding="utf-8")
    assert "KeyError: 'widget state'" in text and "KeyError: 'again'" in text
