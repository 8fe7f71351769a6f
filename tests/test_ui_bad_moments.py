"""Bad moments at the counter: a locked database, closing with work running, report exports."""

from __future__ import annotations

import sqlite3

import pytest

from desk_app.domain.jalali import today_tehran
from tests.ui_helpers import NATIONAL_CODES, fill_intake, idle, log_in

pytestmark = pytest.mark.timeout(60)


def test_locked_database_keeps_the_form_and_says_so(launcher, qtbot, home, monkeypatch):
    monkeypatch.setenv("DESK_APP_BUSY_TIMEOUT_MS", "300")
    window = log_in(qtbot, launcher(), "clerk")
    page = window.intake
    fill_intake(page, NATIONAL_CODES[2])
    other = sqlite3.connect(home / "desk.sqlite3", isolation_level=None)  # another program holds the lock
    other.execute("BEGIN IMMEDIATE")
    try:
        page.save()
        qtbot.waitUntil(lambda: page.banner.is_error, timeout=10_000)
        assert "قفل" in page.banner.text()
        assert page.national_code.text() == NATIONAL_CODES[2]  # nothing typed is lost
        assert page.save_button.isEnabled()
    finally:
        other.execute("ROLLBACK")
        other.close()
    with qtbot.waitSignal(page.registered, timeout=10_000):
        page.save()  # the lock is gone: the same form saves
    qtbot.waitUntil(lambda: window.requests.model.count == 1, timeout=10_000)


def test_daily_report_exports_pdf_and_csv(launcher, qtbot, tmp_path):
    window = log_in(qtbot, launcher(), "manager")
    fill_intake(window.intake, NATIONAL_CODES[0])
    with qtbot.waitSignal(window.intake.registered, timeout=10_000):
        window.intake.save()
    reports = window.reports
    pdf, csv = tmp_path / "daily.pdf", tmp_path / "daily.csv"
    reports.export(today_tehran(), pdf=str(pdf), csv=str(csv))
    qtbot.waitUntil(lambda: reports.message.text().startswith("انجام شد"), timeout=30_000)
    assert pdf.read_bytes().startswith(b"%PDF")
    text = csv.read_text(encoding="utf-8-sig")
    assert "2101" in text or "گذرنامه" in text

    reports.day.setText("1405/13/40")  # no such day: said next to the field, nothing runs
    reports.load()
    assert reports.day_message.is_error


def test_closing_waits_for_running_work(launcher, qtbot):
    launcher = launcher()
    window = log_in(qtbot, launcher, "clerk")
    fill_intake(window.intake, NATIONAL_CODES[3])
    window.intake.save()
    window._force_close = True  # no question dialog in a test; the close must still not lose the save
    window.close()
    launcher.shutdown()  # waits for the database thread
    from desk_app.services import requests
    from desk_app.services.context import Desk

    with Desk.open(launcher.desk.home) as desk:
        assert requests.count_requests(desk) == 1
    launcher.runner = type(launcher.runner)()  # the fixture shuts down again
    launcher.desk = Desk.open(launcher.desk.home)


def test_half_typed_form_survives_closing(launcher, qtbot, home):
    first = launcher()
    window = log_in(qtbot, first, "clerk")
    page = window.intake
    fill_intake(page, NATIONAL_CODES[0], "2102")
    window._force_close = True
    window.close()  # the clerk closes the app mid-intake
    first.shutdown()

    from desk_app.services.context import Desk
    from desk_app.ui.app import Launcher

    second = Launcher(Desk.open(home), sync_start_delay_s=3600)
    second.launch()
    try:
        window = log_in(qtbot, second, "clerk")
        page = window.intake
        qtbot.waitUntil(lambda: page.service is not None, timeout=10_000)
        assert page.national_code.text() == NATIONAL_CODES[0] and page.service.code == "2102"
        assert page.draft_id is not None
        with qtbot.waitSignal(page.registered, timeout=10_000):
            page.save()
        idle(qtbot, window.ctx.runner)
        from desk_app.services import shifts

        assert shifts.list_drafts(window.ctx.desk, "clerk") == []  # the save used the draft up
    finally:
        window._force_close = True
        window.close()
        second.shutdown()
    first.runner = type(first.runner)()
    first.desk = Desk.open(home)
