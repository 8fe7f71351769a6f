"""Cancel, shift close, daily report preview, users, catalog and settings pages; every model
checked with qtmodeltester."""

from __future__ import annotations

import pytest

from desk_app.domain.money import format_amount
from tests.ui_helpers import NATIONAL_CODES, confirm_shift_close, fill_intake, idle, log_in

pytestmark = pytest.mark.timeout(60)


def register(qtbot, window, code, service="2101"):
    page = window.intake
    fill_intake(page, code, service)
    with qtbot.waitSignal(page.registered, timeout=10_000) as saved:
        page.save()
    idle(qtbot, window.ctx.runner)
    return saved.args[0]


def test_cancel_shift_close_and_daily_report(launcher, qtbot, qtmodeltester, tmp_path):
    window = log_in(qtbot, launcher(), "manager")
    first = register(qtbot, window, NATIONAL_CODES[0], "2101")
    second = register(qtbot, window, NATIONAL_CODES[1], "2102")
    model = window.requests.model
    qtbot.waitUntil(lambda: model.count == 2, timeout=10_000)
    qtmodeltester.check(model)
    assert model.row_at(0).receipt_no == second.receipt_no  # newest first

    page = window.requests
    from desk_app.domain.jalali import format_jalali_date, today_tehran

    page.date_from.setText(format_jalali_date(today_tehran()))  # Persian digits, as shown
    page.apply_filters()
    idle(qtbot, window.ctx.runner)
    assert model.count == 2
    page.date_from.setText("1404/01/01")
    page.date_to.setText("1404/12/29")  # a range that ends before today
    page.apply_filters()
    idle(qtbot, window.ctx.runner)
    assert model.count == 0
    page.date_to.clear()
    page.date_from.setText("1404/13/01")
    page.apply_filters()
    assert page.filter_message.is_error  # said under the filters; the list stays as it was
    page.date_from.clear()
    page.search.setText(first.receipt_no)
    page.apply_filters()
    idle(qtbot, window.ctx.runner)
    assert model.count == 1 and model.row_at(0).receipt_no == first.receipt_no
    page.search.clear()
    page.apply_filters()
    idle(qtbot, window.ctx.runner)
    page.cancel(first.receipt_no, reason="انصراف متقاضی", refund=first.total)
    qtbot.waitUntil(lambda: "ابطال" in page.message.text(), timeout=10_000)
    idle(qtbot, window.ctx.runner)
    qtbot.waitUntil(lambda: model.rowCount() == 2 and model.row_at(1).status == "cancelled", timeout=10_000)
    assert model.sync_state(model.row_at(1)) == "withdrawn"  # never sent: cancelled locally

    shift = window.shift
    shift.refresh()
    idle(qtbot, window.ctx.runner)
    assert shift.shift is not None and shift.close_button.isEnabled()
    shift.counted["cash"].setText(str(second.total - 1000))
    shift.counted["card"].setText("0")
    confirm_shift_close(qtbot, shift)
    close = shift.last_close
    assert close.expected["cash"] == second.total  # the refund of the cancelled one is paid back
    assert close.difference["cash"] == -1000
    grid_texts = [shift.result_grid.itemAt(i).widget().text() for i in range(shift.result_grid.count())]
    assert any(t == "کسری " + format_amount(1000) for t in grid_texts)
    shift.save_report(f"pdf:{tmp_path / 'shift.pdf'}")
    qtbot.waitUntil(lambda: shift.message.text() == "گزارش شیفت آماده است.", timeout=20_000)
    assert (tmp_path / "shift.pdf").read_bytes().startswith(b"%PDF")

    reports = window.reports
    reports.load()
    qtbot.waitUntil(lambda: reports.report is not None, timeout=10_000)
    assert reports.report.requests_count == 2
    services = reports.models["per_service"]
    qtmodeltester.check(services)
    assert services.rowCount() == 2
    assert "۲" in reports.summary.text()


def test_users_catalog_settings_pages(launcher, qtbot, qtmodeltester):
    window = log_in(qtbot, launcher(), "manager")
    users = window.users
    users.refresh()
    idle(qtbot, window.ctx.runner)
    qtmodeltester.check(users.model)
    users.add_user("clerk2", "another-pass", full_name="رضا محمدی")
    qtbot.waitUntil(lambda: any(u.username == "clerk2" for u in users.model.users), timeout=10_000)
    users.set_active("clerk2", False)
    qtbot.waitUntil(lambda: any(u.username == "clerk2" and not u.active for u in users.model.users), timeout=10_000)

    catalog = window.catalog
    idle(qtbot, window.ctx.runner)
    qtmodeltester.check(catalog.model)
    # the version keeps its written order in the Persian sentence: ASCII digits in an LTR isolate
    assert "\u20661405-09-01\u2069" in catalog.version_label.text()
    catalog.search.setText("گذر نامه")
    catalog.refresh()
    idle(qtbot, window.ctx.runner)
    assert catalog.model.rowCount() >= 1
    assert all("گذرنامه" in s.title for s in catalog.model.services)

    qtmodeltester.check(window.intake.fees)
    qtmodeltester.check(window.intake.picker.source)

    settings = window.settings
    settings.unit.setCurrentIndex(settings.unit.findData("toman"))
    settings.printer_type.setCurrentIndex(settings.printer_type.findData("escpos-net"))
    settings.printer_address.setText("127.0.0.1")
    settings.save()
    qtbot.waitUntil(lambda: window.ctx.prefs.display_unit == "toman", timeout=10_000)
    assert window.ctx.prefs.printer_target == "escpos-net:127.0.0.1:9100"
    assert window.ctx.desk.settings.get("display_unit") == "toman"


def test_clerk_sees_no_manager_pages(launcher, qtbot):
    window = log_in(qtbot, launcher(), "clerk")
    assert window.reports is None and window.users is None
    assert not window.settings.save_button.isEnabled()
