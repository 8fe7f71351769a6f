"""Restore from the window (Settings → Backups) goes the CLI's way (issue 9, fault 1): another
device's backup needs the manager's word that its PC is retired, the window then logs in again on
the restored database, and intake gives no receipt number before the server confirms the device."""

from __future__ import annotations

import os

import pytest

from tests.helpers.democatalog import demo_catalog_without_forms
from tests.helpers.server import ServerProcess
from tests.ui_helpers import NATIONAL_CODES, fill_intake, filled_home, idle, log_in

pytestmark = pytest.mark.timeout(120)

PASS = "گذرواژهٔ پشتیبان ۱۲۳"
OFFICE_NAME = "دفتر پیشخوان ۴۵۱۲ ارومیه"


def _shot(widget, name: str) -> None:
    """Save what the manager sees (SCREENSHOTS_DIR set: kept for a human to look at)."""
    folder = os.environ.get("SCREENSHOTS_DIR")
    if folder:
        widget.grab().save(os.path.join(folder, name))


@pytest.fixture
def province(tmp_path):

    srv = ServerProcess(f"sqlite:///{tmp_path / 'provincial.db'}", cwd=tmp_path)
    catalog = demo_catalog_without_forms()
    srv.tokens = srv.quick_setup({"4512": (1, 2)}, catalog=catalog)
    srv.start()
    yield srv
    srv.stop()


def test_restoring_device_1s_backup_in_the_window_of_device_2(launcher, home, tmp_path, qtbot, province):
    from desk_app.services import autobackup, intake, setup
    from desk_app.services.context import Desk

    pc1 = filled_home(tmp_path / "pc1")  # device 2 in the template: make it device 1
    with Desk.open(pc1) as desk:
        setup.init_office(desk, "4512", OFFICE_NAME, 1, server_url=province.url, token=province.tokens[("4512", 1)])
        first = intake.register_request(
            desk,
            clerk="clerk",
            national_code=NATIONAL_CODES[0],
            first_name="رضا",
            last_name="کریمی",
            service_code="2101",
        )
        backup = autobackup.encrypt_snapshot(desk, tmp_path / "usb" / "device-1.pdbak", passphrase=PASS)

    filled_home(home, server_url=province.url, token=province.tokens[("4512", 2)])
    app_launcher = launcher(prepare=False)
    window = log_in(qtbot, app_launcher, "manager")
    page = window.settings
    assert page.restore_button.isVisibleTo(page)  # Settings → Backups, managers only

    page.restore_file(str(backup), PASS)
    qtbot.waitUntil(lambda: page.replace_box is not None and page.replace_box.isVisible(), timeout=10_000)
    box = page.replace_box
    assert "دستگاه ۱" in box.text() and "دستگاه ۲" in box.text() and "کنار گذاشته" in box.text()
    _shot(box, "restore-replace-device.png")
    _buttons(box)[0].click()
    qtbot.waitUntil(lambda: page.replace_box is None, timeout=5_000)
    assert "بازیابی نشد" in page.message.text()
    with Desk.open(home) as desk:
        assert desk.device_no == 2  # nothing replaced

    page.restore_file(str(backup), PASS)
    qtbot.waitUntil(lambda: page.replace_box is not None and page.replace_box.isVisible(), timeout=10_000)
    _buttons(page.replace_box)[1].click()
    qtbot.waitUntil(lambda: app_launcher.restore_box is not None, timeout=20_000)
    done = app_launcher.restore_box
    assert "provincial-server device enrol --office 4512 --device 1" in done.text()
    assert "provincial-server device revoke --office 4512 --device 2" in done.text()
    _shot(done, "restore-done.png")
    assert app_launcher.window is None and app_launcher.login_dialog.isVisible()
    done.accept()

    window = log_in(qtbot, app_launcher, "manager")  # the restored database's users
    assert window.ctx.prefs.device_no == 1
    fill_intake(window.intake, NATIONAL_CODES[1])
    window.intake.save()
    qtbot.waitUntil(lambda: window.intake.banner.is_error, timeout=10_000)
    assert "سرور استان" in window.intake.banner.text()
    _shot(window, "restore-intake-refused.png")
    idle(qtbot, window.ctx.runner)
    with Desk.open(home) as desk:
        from desk_app.services import requests

        assert [r.receipt_no for r in requests.iter_requests(desk)] == [first.receipt_no]


def _buttons(box):
    """(do not restore, replace) buttons of the question."""
    from PySide6.QtWidgets import QMessageBox

    by_role = {box.buttonRole(b): b for b in box.buttons()}
    return by_role[QMessageBox.ButtonRole.RejectRole], by_role[QMessageBox.ButtonRole.AcceptRole]
