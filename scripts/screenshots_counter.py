"""Screenshots of the counter at 1366x768 (issue 13): docs/screenshots/counter-*.png.

    .venv/bin/python scripts/screenshots_counter.py docs/screenshots          # offscreen ones
    .venv/bin/python scripts/screenshots_counter.py docs/screenshots --xvfb   # and one real X window

Offscreen: intake after a save with the receipt preview, the requests page with its columns, a
keyboard walk (the Tab counts from tests/test_ui_keyboard.py's walk, measured again here) and a
Persian file dialog. With --xvfb the same window runs on a 1366x768 Xvfb, xdotool walks it in the
Persian keyboard layout and ImageMagick's `import` grabs the screen.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))
SIZE = (1366, 768 - 40)  # the screen less a title bar


def settle(ms: int = 250) -> None:
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def wait_idle(runner) -> None:
    for _ in range(300):
        settle(20)
        if runner.pending == 0:
            break
    settle(150)


def compose(window, dialog, path: Path, caption: str | None = None, right: bool = False) -> None:
    """The window with a dialog over its middle (offscreen has no screen to grab), and a caption."""
    from PySide6.QtCore import QPoint, QRect, Qt
    from PySide6.QtGui import QColor, QPainter, QPixmap

    picture = window.grab()
    if caption:
        extended = QPixmap(picture.width(), picture.height() + 44)
        extended.fill(QColor("#fffbe6"))
        painter = QPainter(extended)
        painter.drawPixmap(0, 0, picture)
        font = painter.font()
        font.setPointSize(11)
        painter.setFont(font)
        painter.drawText(
            QRect(10, picture.height(), picture.width() - 20, 44),
            int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight),
            caption,
        )
        painter.end()
        picture = extended
    if dialog is not None:
        painter = QPainter(picture)
        shot = dialog.grab()
        corner = window.rect().center() - shot.rect().center()
        if right:  # over the (empty) citizen's fields, so the banner beside stays in sight
            corner.setX(window.width() - shot.width() - 12)
        painter.drawPixmap(QPoint(corner.x(), max(10, corner.y())), shot)
        painter.end()
    picture.save(str(path))


def walk(window, start, target, limit: int = 100) -> int:
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    start.setFocus(Qt.FocusReason.TabFocusReason)
    settle(30)
    for count in range(1, limit + 1):
        QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        if QApplication.focusWidget() is target:
            return count
    return -1


def offscreen(out: Path, home: Path) -> None:
    from desk_app.services import users
    from desk_app.services.context import Desk
    from desk_app.ui.app import Launcher, setup_application

    setup_application()
    launcher = Launcher(Desk.open(home), sync_start_delay_s=3600)
    launcher.launch()
    with Desk.open(home) as desk:
        user = users.login(desk, "manager", "secret-123")
    launcher.login_dialog.close()
    launcher.show_window(user)
    window = launcher.window
    window.resize(*SIZE)
    window.activateWindow()
    wait_idle(launcher.runner)

    page = window.intake
    page.national_code.setText("0084575948")
    wait_idle(launcher.runner)
    page.picker.search.setText("گذرنامه")
    page.picker._query("گذرنامه")
    page.picker._pick_index(page.picker.list.currentIndex())
    page.save()
    wait_idle(launcher.runner)
    wait_idle(launcher.runner)
    preview = page.receipts.dialog
    preview.resize(min(preview.width(), 640), min(preview.height(), 660))
    settle()
    compose(window, preview, out / "counter-intake-saved.png", right=True)
    preview.reject()
    settle()

    requests = window.requests
    window.tabs.setCurrentWidget(requests)
    requests.apply_filters()
    wait_idle(launcher.runner)
    requests.select_row(2)
    wait_idle(launcher.runner)
    window.grab().save(str(out / "counter-requests.png"))

    counts = {
        "جدول": walk(window, requests.search, requests.table),
        "چاپ دوبارهٔ رسید": walk(window, requests.search, requests.reprint_button),
        "ابطال": walk(window, requests.search, requests.cancel_button),
    }
    requests.table.setFocus()
    requests.select_row(2)
    settle()
    menu = requests.row_keys.show_menu()
    settle()
    from desk_app.domain.text import to_persian_digits

    caption = "پیمایش با صفحه‌کلید از جعبهٔ جست‌وجو (تعداد Tab): " + "، ".join(
        f"{name} {to_persian_digits(str(n))}" for name, n in counts.items()
    )
    caption += " — کلید منو روی ردیف: کارهای همان ردیف"
    picture_menu = menu
    compose(window, picture_menu, out / "counter-keyboard-walk.png", caption)
    menu.close()

    from desk_app.ui.files import documents_folder, jalali_file_name, make_file_dialog

    folder = documents_folder()
    for old in ("1405-09-10_4512-2-050910-0003.pdf", "1405-09-11_4512-2-050911-0001.pdf"):
        (folder / old).write_bytes(b"%PDF-1.4\n")
    dialog = make_file_dialog(
        window, "ذخیرهٔ رسید به صورت PDF", jalali_file_name("4512-2-050912-0004", "pdf"), "PDF (*.pdf)"
    )
    dialog.resize(820, 500)
    dialog.show()
    settle(600)
    compose(window, dialog, out / "counter-file-dialog.png")
    dialog.reject()
    window._force_close = True
    window.close()
    launcher.shutdown()
    print("walk:", counts, flush=True)


CHILD = r"""
import sys
from desk_app.services import users
from desk_app.services.context import Desk
from desk_app.ui.app import setup_application
from desk_app.ui.context import UiContext, load_prefs
from desk_app.ui.jobs import JobRunner
from desk_app.ui.main_window import MainWindow
app = setup_application()
desk = Desk.open(sys.argv[1])
runner = JobRunner()
window = MainWindow(UiContext(desk, runner, users.login(desk, "manager", "secret-123"), load_prefs(desk)),
                    sync_start_delay_s=3600)
window.show()
window.start()
print("shown", flush=True)
app.exec()
runner.shutdown()
"""


def xvfb(out: Path, home: Path, tmp: Path) -> None:
    read_fd, write_fd = os.pipe()
    server = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write_fd), "-screen", "0", "1366x768x24", "-nolisten", "tcp", "-noreset"],
        pass_fds=(write_fd,),
        stderr=subprocess.DEVNULL,
    )
    os.close(write_fd)
    with os.fdopen(read_fd) as pipe:
        display = ":" + pipe.readline().strip()
    env = {**os.environ, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb", "PYTHONPATH": str(ROOT), "TMPDIR": str(tmp)}
    env.pop("WAYLAND_DISPLAY", None)
    child = None
    try:
        subprocess.run(["setxkbmap", "-display", display, "-layout", "ir"], check=True, env=env)
        child = subprocess.Popen([sys.executable, "-c", CHILD, str(home)], env=env, stdout=subprocess.PIPE, text=True)
        assert child.stdout.readline().strip() == "shown"
        time.sleep(2)

        def xdo(*args: str) -> None:
            subprocess.run(["xdotool", *args], check=True, env=env, timeout=20)

        xdo("search", "--sync", "--onlyvisible", "--name", "مدیر دفتر", "windowfocus", "--sync")
        xdo("key", "--delay", "80", "ctrl+Farsi_2")  # the requests page, in the Persian layout
        time.sleep(1)
        xdo("key", "--delay", "120", *(["Tab"] * 7))  # from the search box to the table
        xdo("key", "--delay", "120", "Down", "Down", "Menu")  # a row, then its actions
        time.sleep(1.5)
        subprocess.run(["import", "-window", "root", str(out / "counter-keyboard-xvfb.png")], check=True, env=env)
    finally:
        if child is not None:
            child.terminate()
            child.wait(10)
        server.terminate()
        server.wait(10)


def main() -> int:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots").resolve()
    out.mkdir(parents=True, exist_ok=True)
    from screenshots import fill

    with tempfile.TemporaryDirectory(prefix="desk-counter-") as tmp:
        tmp_path = Path(tmp)
        os.environ["HOME"] = str(tmp_path / "user")  # the file dialog's Documents folder
        (tmp_path / "user").mkdir()
        home = tmp_path / "office"
        fill(home)
        offscreen(out, home)
        if "--xvfb" in sys.argv:
            xvfb(out, home, tmp_path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
