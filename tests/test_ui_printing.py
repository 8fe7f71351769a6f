"""Receipts out of the intake page: to a file, to a real TCP printer, and a printer that is off
(the request stays saved, the error is said, "print again" works once the printer is back)."""

from __future__ import annotations

import socket
import threading

import pytest

from tests.helpers.escpos_decode import decode
from tests.ui_helpers import NATIONAL_CODES, fill_intake, idle, log_in

pytestmark = pytest.mark.timeout(60)


class FakePrinter:
    """A network ESC/POS printer on loopback: answers every status query "ready", keeps the bytes."""

    def __init__(self, port: int = 0):
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", port))
        self.sock.listen(4)
        self.port = self.sock.getsockname()[1]
        self.jobs: list[bytes] = []
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            data = bytearray()
            with conn:
                conn.settimeout(5)
                while True:
                    try:
                        chunk = conn.recv(65536)
                    except OSError:
                        break
                    if not chunk:
                        break
                    data += chunk
                    try:  # raster bytes may hold 10 04 too: a reply the client never reads may meet a reset
                        for _ in range(chunk.count(b"\x10\x04")):
                            conn.sendall(b"\x12")
                    except OSError:
                        break
                    if data.endswith(b"\x10\x04\x01") and len(data) > 100:
                        break  # the after-job status query: the job is complete
            self.jobs.append(bytes(data))

    def close(self) -> None:
        self.sock.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_receipt_prints_to_a_file_after_intake(launcher, qtbot, tmp_path):
    out = tmp_path / "receipt.bin"
    window = log_in(qtbot, launcher(printer_target=f"escpos-file:{out}"), "clerk")
    page = window.intake
    fill_intake(page, NATIONAL_CODES[0])
    with qtbot.waitSignal(page.printed, timeout=20_000) as printed:
        page.save()
    assert printed.args[0].copy_no == 0
    job = decode(out.read_bytes())
    assert job.width == 576 and job.height > 400  # an 80 mm raster receipt
    assert "cut" in job.commands

    requests = window.requests  # the A4 application form of the same request
    form = tmp_path / "form.pdf"
    requests.print_form_to(page.last_request.receipt_no, f"pdf:{form}")
    qtbot.waitUntil(lambda: requests.message.text() == "فرم آماده است.", timeout=20_000)
    assert form.read_bytes().startswith(b"%PDF")


def test_settings_test_page_on_58mm(launcher, qtbot, tmp_path):
    window = log_in(qtbot, launcher(), "manager")
    settings = window.settings
    out = tmp_path / "test-page.bin"
    settings.printer_type.setCurrentIndex(settings.printer_type.findData("escpos-file"))
    settings.printer_address.setText(str(out))
    settings.paper.setCurrentIndex(settings.paper.findData(58))
    settings.test_print()
    qtbot.waitUntil(lambda: settings.message.text() == "صفحهٔ آزمایشی فرستاده شد.", timeout=20_000)
    assert decode(out.read_bytes()).width == 384  # 58 mm paper


def test_printer_off_then_back(launcher, qtbot):
    port = free_port()  # nothing listens: the printer is off
    window = log_in(qtbot, launcher(printer_target=f"escpos-net:127.0.0.1:{port}"), "clerk")
    page = window.intake
    fill_intake(page, NATIONAL_CODES[1])
    with qtbot.waitSignal(page.print_failed, timeout=20_000) as failed:
        with qtbot.waitSignal(page.registered, timeout=10_000) as saved:
            page.save()
    receipt = saved.args[0].receipt_no
    assert "ثبت شد" in failed.args[0] and "چاپ نشد" in failed.args[0]
    status = page.receipts.status  # the receipt's own line under the save banner
    assert "چاپگر" in status.text() and status.is_error
    assert page.reprint_button.isVisible()
    qtbot.waitUntil(lambda: page.receipts.dialog is not None and page.receipts.dialog.isVisible(), timeout=10_000)
    assert "چاپ نشد" in page.receipts.dialog.headline.text()  # the preview to print from
    page.receipts.dialog.close()
    model = window.requests.model
    qtbot.waitUntil(lambda: model.count == 1, timeout=10_000)
    assert model.row_at(0).receipt_no == receipt  # nothing lost

    printer = FakePrinter(port)  # the printer is switched on
    try:
        with qtbot.waitSignal(page.printed, timeout=20_000) as printed:
            page.reprint_button.click()
        assert printed.args[0].copy_no == 0  # the original: none came out before
        qtbot.waitUntil(lambda: len(printer.jobs) == 1, timeout=10_000)
        assert decode(printer.jobs[0]).width == 576

        requests = window.requests
        requests.select_row(0)
        requests.reprint()
        qtbot.waitUntil(lambda: len(printer.jobs) == 2, timeout=10_000)
        qtbot.waitUntil(lambda: "رونوشت" in requests.message.text(), timeout=10_000)
        idle(qtbot, window.ctx.runner)
        qtbot.waitUntil(lambda: model.row_at(0).reprint_count == 1, timeout=10_000)
    finally:
        printer.close()
