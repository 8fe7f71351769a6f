"""Offscreen screenshots of scanned documents (issue 11): the scan dialog with previews over the
window, the status bar with pages queued and the time at a measured link rate (on the requests
page, beside the request's pages), and the intake page's document keys after a save.

    .venv/bin/python scripts/screenshots_scan.py docs/screenshots

The data folder is filled like scripts/screenshots.py (office 4512, the demo catalog, 40
requests); pages are made as a scanner would give them (tests/helpers/scanned.py: an A4 page of
Persian text, an ID-card photo) and stored through the real services.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

RATE_BPS = 700  # bytes/s: what an EDGE link at the edge of coverage gives, as the uploader measures it


def pages(folder: Path) -> dict[str, Path]:
    from tests.helpers import scanned as S

    out = {"card": folder / "card.jpg", "form": folder / "form.png", "form2": folder / "form-2.png"}
    S.id_card_photo().save(out["card"], quality=92, dpi=(300, 300))
    S.scanned(S.text_page()).save(out["form"], dpi=(300, 300))
    S.scanned(S.text_page(point_size=11.0), seed=11).save(out["form2"], dpi=(300, 300))
    return out


def sane_test_scanner(folder: Path) -> None:
    """SANE's `test` backend as the counter's scanner (when sane-utils is installed), so the
    dialog shows a scanner as it does at an office."""
    import shutil

    if shutil.which("scanimage") is None:
        return
    conf = folder / "sane.d"
    conf.mkdir()
    (conf / "dll.conf").write_text("test\n")
    (conf / "test.conf").write_text("number_of_devices 1\n")
    os.environ["SANE_CONFIG_DIR"] = str(conf)


def main(outdir: str) -> int:
    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    from PySide6.QtCore import QCoreApplication, QEventLoop, QPoint, QTimer
    from PySide6.QtGui import QPainter
    from screenshots import fill

    from desk_app.services import attachments, requests, users
    from desk_app.services.context import Desk
    from desk_app.store.models import SyncState
    from desk_app.ui.app import Launcher, setup_application
    from desk_app.ui.scan_dialog import ScanDialog

    setup_application()

    def settle(ms: int = 300) -> None:
        timer = QTimer()
        timer.setSingleShot(True)
        loop = QEventLoop()
        timer.timeout.connect(loop.quit)
        timer.start(ms)
        loop.exec()

    def wait_idle(runner) -> None:
        for _ in range(400):
            QCoreApplication.processEvents()
            if runner.pending == 0:
                break
            settle(20)
        settle(200)

    with tempfile.TemporaryDirectory(prefix="desk-scan-shots-") as tmp:
        home = Path(tmp) / "office"
        fill(home)
        files = pages(Path(tmp))
        sane_test_scanner(Path(tmp))
        with Desk.open(home) as desk:
            listed = requests.list_requests(desk, limit=3)
            first = requests.list_requests(desk, service="2101", status="registered")[0]
            attachments.attach_files(desk, first.receipt_no, [files["card"]], document="کارت ملی")
            attachments.attach_files(desk, first.receipt_no, [files["form"], files["form2"]], document="شناسنامه")
            other = next(r for r in listed if r.receipt_no != first.receipt_no)
            attachments.attach_files(desk, other.receipt_no, [files["card"]])  # the same photo: one file
            with desk.db.write() as s:
                s.merge(SyncState(key=attachments.UPLOAD_RATE_KEY, value=str(RATE_BPS)))
            user = users.login(desk, "zahra", "secret-123")
            receipt = first.receipt_no
        launcher = Launcher(Desk.open(home), sync_start_delay_s=3600)
        launcher.launch()
        launcher.login_dialog.close()
        launcher.show_window(user)
        window = launcher.window
        window.resize(1366, 768)
        wait_idle(launcher.runner)
        intake = window.intake  # a save: the keys of the receipt's required documents
        intake.national_code.setText("0013542419")
        wait_idle(launcher.runner)
        intake.picker.search.setText("2101")
        intake.picker._query("2101")
        intake.picker._pick_index(intake.picker.list.currentIndex())
        intake.save()
        wait_idle(launcher.runner)
        wait_idle(launcher.runner)
        if intake.receipts.dialog is not None:  # no receipt printer here: its preview came up
            intake.receipts.dialog.reject()
        wait_idle(launcher.runner)
        window.grab().save(str(out / "intake-document-keys.png"))

        window.sync.refresh_status()
        window.tabs.setCurrentWidget(window.requests)  # the request's pages, sent or not, beside it
        window.requests.search.setText(receipt)
        window.requests.apply_filters()
        wait_idle(launcher.runner)
        window.requests.select_row(0)
        wait_idle(launcher.runner)
        window.grab().save(str(out / "status-bar-queued.png"))

        dialog = ScanDialog(window.ctx, receipt, "شناسنامه", window)
        dialog.resize(1040, 660)
        dialog.show()
        wait_idle(launcher.runner)
        for _ in range(100):  # the scanners listed (a worker asks SANE)
            if dialog.refresh_button.isEnabled():
                break
            settle(100)
        dialog.pages.setCurrentRow(1)
        wait_idle(launcher.runner)
        settle(500)
        dialog.move(window.mapToGlobal(QPoint(0, 0)) + window.rect().center() - dialog.rect().center())
        settle()
        picture = window.grab()
        painter = QPainter(picture)
        try:
            painter.drawPixmap(dialog.mapToGlobal(QPoint(0, 0)) - window.mapToGlobal(QPoint(0, 0)), dialog.grab())
        finally:
            painter.end()
        picture.save(str(out / "scan-dialog.png"))
        dialog.close()
        window._force_close = True
        window.close()
        launcher.shutdown()
    print("wrote", *(out / n for n in ("scan-dialog.png", "status-bar-queued.png", "intake-document-keys.png")))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots"))
