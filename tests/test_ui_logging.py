"""The real desktop program (`desk-app gui`, a subprocess, offscreen) writes its log file and has
the crash hook in place: an unexpected error in a worker thread lands in the log as CRITICAL."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.ui_helpers import filled_home

pytestmark = pytest.mark.timeout(60)
ROOT = Path(__file__).resolve().parent.parent

SCRIPT = """
import sys, threading
from PySide6.QtCore import QTimer
from desk_app.ui import app as ui_app

real_setup = ui_app.setup_application

def setup(*a, **k):
    qapp = real_setup(*a, **k)
    # after start-up: a bug in a worker thread, then leave
    QTimer.singleShot(300, lambda: threading.Thread(target=lambda: 1 / 0).start())
    QTimer.singleShot(900, qapp.quit)
    return qapp

ui_app.setup_application = setup
sys.exit(ui_app.run_gui(sys.argv[1]))
"""


def test_gui_logs_to_the_data_folder_and_the_crash_hook_catches_a_worker_bug(home):
    filled_home(home)
    env = dict(os.environ, PYTHONPATH=str(ROOT), QT_QPA_PLATFORM="offscreen", PYTHONIOENCODING="utf-8")
    proc = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(home)],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=45,
    )
    text = (home / "logs" / "desk-app.log").read_text(encoding="utf-8")
    assert "desk app starting" in text, proc.stderr
    assert "CRITICAL desk_app.crash" in text and "ZeroDivisionError" in text
