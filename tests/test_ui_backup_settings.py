"""The app's daily encrypted backup (after login, on a worker thread) and the manager's settings
fields for the backup passphrase and the server's CA file."""

from __future__ import annotations

import pytest

from desk_app.services import autobackup, backup_crypto
from tests.ui_helpers import confirm_shift_close, filled_home, idle, log_in

pytestmark = pytest.mark.timeout(60)

PASS = "رمز پشتیبان دفتر ۴۵۱۲"


def test_manager_sets_the_passphrase_and_the_daily_backup_follows(launcher, qtbot, home, tmp_path):
    window = log_in(qtbot, launcher(), "manager")
    idle(qtbot, window.ctx.runner)
    assert autobackup.list_backups(home) == []  # no passphrase yet: nothing written, nothing said
    settings = window.settings
    assert not settings.backup_box.isHidden()
    qtbot.waitUntil(lambda: settings.backup_state.text() != "", timeout=10_000)
    before = settings.backup_state.text()

    settings.passphrase.setText("short")
    settings.passphrase_again.setText("short")
    settings.set_passphrase()
    assert settings.backup_form.messages["passphrase"].is_error
    settings.passphrase.setText(PASS)
    settings.passphrase_again.setText(PASS + "x")
    settings.set_passphrase()
    assert settings.backup_form.messages["passphrase_again"].is_error
    assert not autobackup.has_passphrase(home)

    settings.passphrase_again.setText(PASS)
    settings.set_passphrase()
    idle(qtbot, window.ctx.runner)
    assert autobackup.load_passphrase(home) == PASS and settings.passphrase.text() == ""
    assert settings.backup_state.text() not in ("", before)

    window.daily_backup.check()  # what the hourly timer does
    idle(qtbot, window.ctx.runner)
    files = autobackup.list_backups(home)
    assert [b.kind for b in files] == ["daily"]
    assert files[0].path.name in window.status.currentMessage()
    assert not autobackup.daily_backup_due(home)
    out = tmp_path / "plain.sqlite3"
    assert backup_crypto.decrypt_backup(files[0].path, out, PASS, "4512").office == "4512"
    window.daily_backup.check()  # once a day only
    idle(qtbot, window.ctx.runner)
    assert len(autobackup.list_backups(home)) == 1


def test_login_makes_the_days_backup_and_a_failure_is_shown_not_raised(launcher, qtbot, home):
    filled_home(home)
    autobackup.set_passphrase(home, PASS)
    window = log_in(qtbot, launcher(prepare=False), "clerk")
    qtbot.waitUntil(lambda: len(autobackup.list_backups(home)) == 1, timeout=10_000)
    assert window.settings.backup_box.isHidden()  # clerks never see the passphrase field

    for f in autobackup.list_backups(home):
        f.path.unlink()
    (home / "backups").rmdir()
    (home / "backups").write_text("a file where the folder should be")
    window.daily_backup.check()
    qtbot.waitUntil(lambda: window.alert.isVisibleTo(window), timeout=10_000)
    assert "پشتیبان" in window.alert.text() or "backup" in window.alert.text().lower()
    assert not window.daily_backup.running  # the next check may try again


def test_ca_file_setting(launcher, qtbot, tmp_path):
    window = log_in(qtbot, launcher(), "manager")
    settings = window.settings
    bad = tmp_path / "notes.txt"
    bad.write_text("not a certificate")
    settings.ca_file.setText(str(bad))
    settings.save()
    assert settings.server_form.messages["ca_file"].is_error
    assert window.ctx.desk.settings.get("ca_file") is None

    pem = tmp_path / "office-ca.pem"
    pem.write_text("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n")
    settings.ca_file.setText(str(pem))
    settings.save()
    qtbot.waitUntil(lambda: window.ctx.prefs.ca_file == str(pem), timeout=10_000)
    assert window.ctx.desk.settings.get("ca_file") == str(pem)
    settings.ca_file.clear()
    settings.save()
    qtbot.waitUntil(lambda: not window.ctx.prefs.ca_file, timeout=10_000)


def test_closing_a_shift_in_the_window_writes_the_shift_backup(launcher, qtbot, home, tmp_path):
    filled_home(home)
    autobackup.set_passphrase(home, PASS)
    window = log_in(qtbot, launcher(prepare=False), "clerk")
    qtbot.waitUntil(lambda: len(autobackup.list_backups(home)) == 1, timeout=10_000)  # the day's one
    shift = window.shift
    shift.refresh()
    idle(qtbot, window.ctx.runner)
    if shift.shift is None:  # open one as a clerk would, then close it with the counted cash
        shift.opening_cash.setText("0")
        shift.open_shift()
        qtbot.waitUntil(lambda: shift.shift is not None, timeout=10_000)
    shift.counted["cash"].setText("0")
    shift.counted["card"].setText("0")
    confirm_shift_close(qtbot, shift)
    qtbot.waitUntil(lambda: [b.kind for b in autobackup.list_backups(home)].count("shift") == 1, timeout=10_000)
    kinds = sorted(b.kind for b in autobackup.list_backups(home))
    assert kinds == ["daily", "shift"]
    shift_file = next(b.path for b in autobackup.list_backups(home) if b.kind == "shift")
    qtbot.waitUntil(lambda: shift_file.name in window.status.currentMessage(), timeout=5_000)
    out = tmp_path / "shift.sqlite3"
    assert backup_crypto.decrypt_backup(shift_file, out, PASS, "4512").office == "4512"
