"""Requests page: a Jalali date range typed in the two LTR fields filters the lazy list."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from PySide6.QtCore import Qt

from tests.ui_helpers import NATIONAL_CODES, filled_home, idle, log_in, type_text

pytestmark = pytest.mark.timeout(60)

# Tehran days (UTC+03:30): 1405/09/05, 1405/09/06 (twice), 1405/09/07 (21:00 UTC on the 27th), 1405/09/08
WHEN = [
    datetime(2026, 11, 26, 8, 0, tzinfo=UTC),
    datetime(2026, 11, 27, 8, 0, tzinfo=UTC),
    datetime(2026, 11, 27, 9, 0, tzinfo=UTC),
    datetime(2026, 11, 27, 21, 0, tzinfo=UTC),
    datetime(2026, 11, 29, 8, 0, tzinfo=UTC),
]


def _prepare(home):
    from desk_app.services import intake
    from desk_app.services.context import Desk

    filled_home(home)
    with Desk.open(home) as desk:
        for n, when in enumerate(WHEN):
            intake.register_request(
                desk,
                clerk="clerk",
                national_code=NATIONAL_CODES[n % 4],
                first_name="مریم",
                last_name="کریمی",
                service_code="2101",
                now=when,
            )


def _search(qtbot, window, page, date_from: str, date_to: str) -> None:
    for edit, text in ((page.date_from, date_from), (page.date_to, date_to)):
        edit.clear()
        type_text(edit, text)
    qtbot.keyClick(page.date_to, Qt.Key.Key_Return)
    idle(qtbot, window.ctx.runner)


def test_a_jalali_range_filters_the_list(launcher, home, qtbot):
    _prepare(home)
    window = log_in(qtbot, launcher(prepare=False), "manager")
    page = window.requests
    model = page.model
    qtbot.waitUntil(lambda: model.count == 5, timeout=10_000)
    assert page.date_from.layoutDirection() == Qt.LayoutDirection.LeftToRight

    _search(qtbot, window, page, "۱۴۰۵/۰۹/۰۶", "۱۴۰۵/۰۹/۰۷")  # Persian digits, both ends inclusive
    assert model.count == 3 and not page.filter_message.is_error
    days = {model.row_at(i).receipt_no.split("-")[2] for i in range(model.rowCount())}
    assert days == {"050906", "050907"}
    assert "۳" in page.count_label.text()

    _search(qtbot, window, page, "1405/09/07", "")  # open end, ASCII digits
    assert model.count == 2
    _search(qtbot, window, page, "", "1405-09-05")  # open start, dashes
    assert model.count == 1
    _search(qtbot, window, page, "1405/09/06", "1405/09/06")
    assert model.count == 2

    _search(qtbot, window, page, "1405/09/08", "1405/09/05")  # backwards: said, the list stays
    assert page.filter_message.is_error and "پایان" in page.filter_message.text()
    assert model.count == 2
    _search(qtbot, window, page, "1405/09/01", "1405/13/01")
    assert page.filter_message.is_error and model.count == 2
    _search(qtbot, window, page, "", "")
    assert model.count == 5 and not page.filter_message.is_error
