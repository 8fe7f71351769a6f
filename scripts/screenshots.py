"""Offscreen screenshots of every page with realistic Persian data: `make screenshots`.

    .venv/bin/python scripts/screenshots.py docs/screenshots

A temporary data folder is filled through the real services (office, users, demo catalog,
requests, a cancellation); the app is driven to each page and grabbed to PNG.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CITIZENS = [
    ("0013542419", "علی", "رضایی", "09141234567", "2101"),
    ("0084575948", "فاطمه", "محمدی", "09143334455", "1101"),
    ("1234567891", "حسین", "کریم‌زاده", None, "1104"),
    ("0499370899", "زهرا", "اصغری", "09120001122", "2102"),
]


FIRST = ["محمد", "مریم", "رضا", "سارا", "امیر", "نرگس", "مهدی", "لیلا", "جواد", "آیدا"]
LAST = ["حسینی", "قاسمی", "نوروزی", "جعفری", "صادقی", "رحیمی", "باقری", "موسوی", "کاظمی", "عباسی"]


def fill(home: Path) -> None:
    from desk_app.paths import resources_dir
    from desk_app.services import cancel, catalog, intake, setup, users
    from desk_app.services.context import Desk
    from tests.helpers.syncdata import national_code

    with Desk.open(home) as desk:
        setup.init_office(desk, "4512", "دفتر پیشخوان ۴۵۱۲ ارومیه", 2)
        users.add_user(desk, "manager", "manager", "secret-123", full_name="مدیر دفتر")
        users.add_user(desk, "zahra", "clerk", "secret-123", full_name="زهرا احمدی")
        catalog.import_catalog(desk, resources_dir() / "catalog" / "demo-catalog.json")
        codes = [s.code for s in catalog.list_services(desk, active_only=True)]
        made = []
        for i in range(40):
            nc, first, last, mobile, service = CITIZENS[i % len(CITIZENS)]
            if i >= len(CITIZENS):
                nc = national_code(123457 * (i + 3))
                first, last = FIRST[i % 10], LAST[(i * 3) % 10]
                service = codes[(i * 7) % len(codes)]
            made.append(
                intake.register_request(
                    desk,
                    clerk="zahra" if i % 3 else "manager",
                    national_code=nc,
                    first_name=first,
                    last_name=last,
                    mobile=mobile,
                    service_code=service,
                    payment_method="card" if i % 4 == 0 else "cash",
                    payment_ref="482913" if i % 4 == 0 else None,
                )
            )
        cancel.cancel_request(desk, made[5].receipt_no, reason="انصراف متقاضی", clerk="manager", refund=made[5].total)


def daily_report_page_png(desk, pdf: Path, png: Path) -> None:
    """The A4 daily report's page with the per-service chart, as an image (poppler's pdftoppm)."""
    import shutil
    import subprocess

    from desk_app.services import printjobs
    from tests.helpers.pdf_read import no_zwnj, pdf_lines

    printjobs.print_daily_report(desk, target=f"pdf:{pdf}")
    title = no_zwnj("تعداد درخواست‌ها به تفکیک خدمت")
    pages = pdf_lines(pdf)
    number = next((i + 1 for i, lines in enumerate(pages) if any(title in no_zwnj(x) for x in lines)), len(pages))
    tool = shutil.which("pdftoppm")
    if tool is None:
        print("pdftoppm (poppler-utils) is missing: no PNG of the daily report", file=sys.stderr)
        return
    stem = png.with_suffix("")
    for page, name in ((1, stem.with_name(stem.name + "-summary")), (number, stem)):
        subprocess.run(
            [tool, "-png", "-r", "80", "-f", str(page), "-l", str(page), "-singlefile", str(pdf), str(name)], check=True
        )


def main(outdir: str) -> int:
    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    from PySide6.QtCore import QCoreApplication, QEventLoop, QTimer

    from desk_app.services import users
    from desk_app.services.context import Desk
    from desk_app.ui.app import Launcher, setup_application

    setup_application()

    def settle(ms: int = 300) -> None:
        deadline = QTimer()
        deadline.setSingleShot(True)
        loop = QEventLoop()
        deadline.timeout.connect(loop.quit)
        deadline.start(ms)
        loop.exec()

    def wait_idle(runner) -> None:
        for _ in range(200):
            QCoreApplication.processEvents()
            if runner.pending == 0:
                break
            settle(20)
        settle(150)

    def grab_with(window, dialog, name: str) -> None:
        """The window with a dialog over it, as the screen shows them (offscreen: composed here)."""
        from PySide6.QtCore import QPoint
        from PySide6.QtGui import QPainter

        dialog.move(window.mapToGlobal(QPoint(0, 0)) + window.rect().center() - dialog.rect().center())
        settle()
        picture = window.grab()
        painter = QPainter(picture)
        try:
            painter.drawPixmap(dialog.mapToGlobal(QPoint(0, 0)) - window.mapToGlobal(QPoint(0, 0)), dialog.grab())
        finally:
            painter.end()
        picture.save(str(out / name))

    shots = []
    with tempfile.TemporaryDirectory(prefix="desk-shots-") as tmp:
        empty = Path(tmp) / "empty"
        first_run = Launcher(Desk.open(empty), sync_start_delay_s=3600)
        first_run.launch()
        first_run.setup_dialog.office_code.setText("4512")
        first_run.setup_dialog.office_name.setText("دفتر پیشخوان ۴۵۱۲ ارومیه")
        first_run.setup_dialog.device_no.setText("2")
        settle()
        shots.append(("01-setup", first_run.setup_dialog))
        first_run.setup_dialog.grab().save(str(out / "01-setup.png"))
        first_run.setup_dialog.close()
        first_run.shutdown()

        home = Path(tmp) / "office"
        fill(home)
        launcher = Launcher(Desk.open(home), sync_start_delay_s=3600)
        launcher.launch()
        login = launcher.login_dialog
        login.username.setText("manager")
        login.password.setText("wrong")
        login.submit()
        wait_idle(launcher.runner)
        login.grab().save(str(out / "02-login-wrong-password.png"))
        with Desk.open(home) as desk:
            user = users.login(desk, "manager", "secret-123")
        login.close()
        launcher.show_window(user)
        window = launcher.window
        window.resize(1366, 768)
        wait_idle(launcher.runner)

        page = window.intake
        page.national_code.setText("0013542419")
        wait_idle(launcher.runner)
        page.picker.search.setText("گذر نامه")
        page.picker._query("گذر نامه")
        page.picker._pick_index(page.picker.list.currentIndex())
        page.payment_method.setCurrentIndex(1)
        settle()
        window.grab().save(str(out / "03-intake.png"))

        page.clear_form()
        page.national_code.setText("0013542418")
        page.national_code.editingFinished.emit()
        page.save()
        settle()
        window.grab().save(str(out / "04-intake-errors.png"))
        page.clear_form()

        # a save with no receipt printer set up: said at once, the receipt shown to print from
        page.national_code.setText("0499370899")
        wait_idle(launcher.runner)
        page.picker.search.setText("2102")
        page.picker._query("2102")
        page.picker._pick_index(page.picker.list.currentIndex())
        page.save()
        wait_idle(launcher.runner)
        wait_idle(launcher.runner)
        preview = page.receipts.dialog
        preview.resize(700, 700)
        grab_with(window, preview, "11-intake-receipt-preview.png")
        preview.reject()

        window.tabs.setCurrentWidget(window.requests)
        window.requests.apply_filters()
        wait_idle(launcher.runner)
        window.requests.select_row(1)
        wait_idle(launcher.runner)
        window.grab().save(str(out / "05-requests.png"))

        window.tabs.setCurrentWidget(window.shift)
        window.shift.refresh()
        wait_idle(launcher.runner)
        window.grab().save(str(out / "12-open-shifts.png"))  # the manager's view of every open shift
        window.shift.count_selected()  # the clerk's shift, counted and closed by the manager
        window.shift.counted["cash"].setText("55000000")
        window.shift.counted["card"].setText("9000000")
        window.shift.close_shift()
        wait_idle(launcher.runner)
        grab_with(window, window.shift.confirm_dialog, "13-shift-close-confirm.png")
        window.shift.confirm_dialog.accept()
        wait_idle(launcher.runner)
        window.grab().save(str(out / "06-shift-closed.png"))

        window.tabs.setCurrentWidget(window.reports)
        window.reports.load()
        wait_idle(launcher.runner)
        window.grab().save(str(out / "07-daily-report.png"))
        daily_report_page_png(launcher.desk, Path(tmp) / "daily.pdf", out / "14-daily-report-chart.png")

        window.tabs.setCurrentWidget(window.users)
        window.users.refresh()
        wait_idle(launcher.runner)
        window.grab().save(str(out / "08-users.png"))

        window.tabs.setCurrentWidget(window.catalog)
        wait_idle(launcher.runner)
        window.grab().save(str(out / "09-services.png"))

        window.tabs.setCurrentIndex(window.tabs.count() - 1)  # the settings page sits in a scroll area
        settle()
        window.grab().save(str(out / "10-settings.png"))
        window._force_close = True
        window.close()
        launcher.shutdown()
    for path in sorted(out.glob("*.png")):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots"))
