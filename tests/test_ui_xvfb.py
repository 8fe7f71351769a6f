"""The real `desk-app gui` in a real X server (Xvfb), driven only by the keyboard through xdotool.

A clerk logs in (username, Tab, password, Enter), types a national code, Persian names and a
service code, picks it with Enter and saves with Ctrl+S; the request must then be in the
database as `desk-app request list --json` shows it, and a screenshot of the screen is taken.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.helpers.democatalog import write_demo_catalog_without_forms
from tests.helpers.tools import require_tool

pytestmark = pytest.mark.timeout(60)

_SCRIPT = Path(sys.executable).parent / "desk-app"  # the installed command, as a clerk starts it
DESK_APP = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-m", "desk_app"]
PASSWORD = "secret-123"


def _cli(home: Path, *args: str, stdin: str | None = None) -> str:
    done = subprocess.run(
        [*DESK_APP, "--home", str(home), *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=30,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def _wait(what: str, check, timeout: float, proc: subprocess.Popen | None = None, interval: float = 0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        if proc is not None and proc.poll() is not None:
            pytest.fail(
                f"desk-app gui exited ({proc.returncode}) while waiting for {what}:\n"
                + proc.stderr.read().decode(errors="replace")
            )
        time.sleep(interval)
    detail = proc and proc.poll() is None and "(still running)"
    pytest.fail(f"timed out waiting for {what} {detail or ''}")


@pytest.fixture
def xserver(tmp_path):
    """A fresh Xvfb on a display number it picks itself (`-displayfd`), so parallel runs never clash."""
    xvfb = require_tool("Xvfb", "Xvfb runs the real window (Debian: xvfb)")
    read_fd, write_fd = os.pipe()
    with open(tmp_path / "xvfb.log", "wb") as log:  # Xvfb has its own copy of the descriptor
        proc = subprocess.Popen(
            [xvfb, "-displayfd", str(write_fd), "-screen", "0", "1280x800x24", "-nolisten", "tcp", "-noreset"],
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
        # Persian letters as a second layout group: xdotool then presses real keys for them
        # instead of remapping a spare keycode for each letter, which races with Qt's keymap reads
        setxkbmap = require_tool("setxkbmap", "setxkbmap adds the Persian layout (Debian: x11-xkb-utils)")
        subprocess.run([setxkbmap, "-display", display, "-layout", "us,ir"], check=True, timeout=20)
        yield display
    finally:
        proc.terminate()
        proc.wait(10)


def _xdo(display: str, *args: str) -> str:
    done = subprocess.run(
        ["xdotool", *args], capture_output=True, text=True, timeout=20, env={**os.environ, "DISPLAY": display}
    )
    return done.stdout.strip() if done.returncode == 0 else ""


def _window(display: str, name: str) -> str:
    found = _xdo(display, "search", "--onlyvisible", "--name", name).split()
    return found[0] if found else ""


def _requests(home: Path) -> list[dict]:
    return json.loads(_cli(home, "request", "list", "--json"))


def test_a_clerk_registers_a_request_with_the_keyboard_only(xserver, tmp_path):
    require_tool("xdotool", "xdotool types into the real window (Debian: xdotool)")
    require_tool("import", "ImageMagick's `import` grabs the screen (Debian: imagemagick)")
    home = tmp_path / "home"
    _cli(home, "init", "--office", "4512", "--office-name", "دفتر پیشخوان ۴۵۱۲ ارومیه", "--device", "2")
    _cli(
        home,
        "user",
        "add",
        "--username",
        "clerk",
        "--role",
        "clerk",
        "--full-name",
        "زهرا احمدی",
        stdin=PASSWORD + "\n",
    )
    _cli(home, "catalog", "import", str(write_demo_catalog_without_forms(home.parent / "demo-catalog.json")))

    env = {k: v for k, v in os.environ.items() if k != "WAYLAND_DISPLAY"}
    env.update(QT_QPA_PLATFORM="xcb", DISPLAY=xserver, DESK_APP_HOME=str(home))
    gui = subprocess.Popen(
        [*DESK_APP, "--home", str(home), "gui"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        login = _wait("the login window", lambda: _window(xserver, "ورود"), 20, gui)
        _xdo(xserver, "windowfocus", "--sync", login)
        _xdo(xserver, "type", "--delay", "10", "clerk")
        _xdo(xserver, "key", "Tab")
        _xdo(xserver, "type", "--delay", "10", PASSWORD)
        _xdo(xserver, "key", "Return")

        main = _wait("the main window", lambda: _window(xserver, "زهرا احمدی"), 20, gui)
        _xdo(xserver, "windowfocus", "--sync", main)
        # intake opens on the national code field; Tab walks name, surname, mobile, service
        _xdo(xserver, "type", "--delay", "10", "0013542419")
        _xdo(xserver, "key", "Tab")
        _xdo(xserver, "type", "--delay", "20", "مریم")
        _xdo(xserver, "key", "Tab")
        _xdo(xserver, "type", "--delay", "20", "کریمی")
        _xdo(xserver, "key", "Tab", "Tab")
        _xdo(xserver, "type", "--delay", "10", "2101")
        _xdo(xserver, "key", "Return")  # picks the service; focus moves on to the payment
        _xdo(xserver, "key", "ctrl+s")

        rows = _wait("the request in the database", lambda: _requests(home), 15, gui, interval=0.3)
        assert len(rows) == 1
        row = rows[0]
        assert (row["national_code"], row["first_name"], row["last_name"], row["service"]) == (
            "0013542419",
            "مریم",
            "کریمی",
            "2101",
        )
        assert row["status"] == "registered" and row["receipt_no"].startswith("4512-2-")

        shot = tmp_path / "screen.png"
        subprocess.run(["import", "-display", xserver, "-window", "root", str(shot)], check=True, timeout=20)
        from PIL import Image

        with Image.open(shot) as image:
            gray = image.convert("L")
            colours = gray.getcolors(maxcolors=256) or []
            low, high = gray.getextrema()
        assert high - low > 100 and len(colours) > 20, "the screenshot is blank"
        assert gui.poll() is None, "the app must still be running"
    finally:
        gui.terminate()
        try:
            gui.wait(10)
        except subprocess.TimeoutExpired:
            gui.kill()
            gui.wait(10)
        if gui.stderr:
            gui.stderr.close()
