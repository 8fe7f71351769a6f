"""A real window on a real 1366x768 X server (Xvfb): the main window fits the screen whole, status
bar included, and Ctrl+2 / Ctrl+3 pressed by xdotool in the Persian (ir) keyboard layout open the
pages. On X11, Qt's xcb plugin already matches Ctrl+Farsi_2 to Ctrl+2 by itself (this test passes
without `main_window.PageKeys`); where a platform hands the key over as Ctrl+«۲» only (key 0x6F2),
PageKeys matches it by key code, native virtual key or scan code: tests/test_ui_keyboard.py
sends exactly such events and fails without it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.helpers.tools import require_tool
from tests.ui_helpers import filled_home

pytestmark = pytest.mark.timeout(90)
ROOT = Path(__file__).resolve().parent.parent
SCREEN = (1366, 768)

CHILD = r"""
import json, sys
from desk_app.services import users
from desk_app.services.context import Desk
from desk_app.ui.app import setup_application
from desk_app.ui.context import UiContext, load_prefs
from desk_app.ui.jobs import JobRunner
from desk_app.ui.main_window import MainWindow
from PySide6.QtCore import QTimer

app = setup_application()
desk = Desk.open(sys.argv[1])
runner = JobRunner()
ctx = UiContext(desk, runner, users.login(desk, "clerk", "secret-123"), load_prefs(desk))
window = MainWindow(ctx, sync_start_delay_s=3600)
window.show()
window.start()

def said(**kw):
    print(json.dumps(kw), flush=True)

def shown():
    g, s = window.frameGeometry(), window.screen().availableGeometry()
    bar = window.statusBar()
    bottom = bar.mapToGlobal(bar.rect().bottomLeft()).y()
    said(frame=[g.x(), g.y(), g.width(), g.height()], screen=[s.width(), s.height()], status_bottom=bottom,
         status_visible=bar.isVisible())

window.tabs.currentChanged.connect(lambda i: said(page=i + 1))
QTimer.singleShot(800, shown)
code = app.exec()
runner.shutdown()
desk.close()
sys.exit(code)
"""


@pytest.fixture
def xserver(tmp_path):
    xvfb = require_tool("Xvfb", "Xvfb runs the real window (Debian: xvfb)")
    require_tool("xdotool", "xdotool presses the keys (Debian: xdotool)")
    setxkbmap = require_tool("setxkbmap", "setxkbmap sets the Persian layout (Debian: x11-xkb-utils)")
    read_fd, write_fd = os.pipe()
    screen = f"{SCREEN[0]}x{SCREEN[1]}x24"
    with open(tmp_path / "xvfb.log", "wb") as log:
        proc = subprocess.Popen(
            [xvfb, "-displayfd", str(write_fd), "-screen", "0", screen, "-nolisten", "tcp", "-noreset"],
            pass_fds=(write_fd,),
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
    os.close(write_fd)
    try:
        with os.fdopen(read_fd) as pipe:
            number = pipe.readline().strip()
        assert number.isdigit(), (tmp_path / "xvfb.log").read_text()
        display = f":{number}"
        subprocess.run([setxkbmap, "-display", display, "-layout", "ir"], check=True, timeout=20)
        yield display
    finally:
        proc.terminate()
        proc.wait(10)


def _line(proc: subprocess.Popen, key: str, timeout: float = 20) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            if proc.poll() is not None:
                pytest.fail(f"the window exited ({proc.returncode}): {proc.stderr.read()}")
            continue
        try:
            said = json.loads(line)
        except ValueError:
            continue
        if key in said:
            return said
    pytest.fail(f"no {key} from the window")


def _xdo(display: str, *args: str) -> None:
    subprocess.run(["xdotool", *args], check=True, timeout=20, env={**os.environ, "DISPLAY": display})


def test_a_real_window_fits_1366x768_and_ctrl_digits_work_in_the_persian_layout(xserver, tmp_path):
    home = filled_home(tmp_path / "home")
    env = {k: v for k, v in os.environ.items() if k != "WAYLAND_DISPLAY"}
    env.update(QT_QPA_PLATFORM="xcb", DISPLAY=xserver, PYTHONPATH=str(ROOT), TMPDIR=str(tmp_path))
    proc = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(home)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    try:
        shown = _line(proc, "frame")
        x, y, width, height = shown["frame"]
        assert width <= SCREEN[0] and height <= SCREEN[1] - 40, shown  # room for a title bar / panel
        assert shown["status_visible"] and shown["status_bottom"] < SCREEN[1], shown  # status bar on screen
        assert width >= 900 and height >= 560, shown
        _xdo(xserver, "search", "--sync", "--onlyvisible", "--name", "زهرا احمدی", "windowfocus", "--sync")
        _xdo(xserver, "key", "--delay", "50", "ctrl+Farsi_2")  # the ir layout's «۲» key, with Ctrl
        assert _line(proc, "page")["page"] == 2
        _xdo(xserver, "key", "--delay", "50", "ctrl+Farsi_3")
        assert _line(proc, "page")["page"] == 3
        _xdo(xserver, "key", "--delay", "50", "ctrl+Farsi_1")
        assert _line(proc, "page")["page"] == 1
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)
        proc.stdout.close()
        proc.stderr.close()
