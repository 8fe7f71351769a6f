"""The requests page's search box finds people: a full name typed in either order, a partial
receipt number, a tracking code, as a clerk types them (key events, the box's own debounce)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtCore import Qt

from tests.ui_helpers import NATIONAL_CODES, filled_home, idle, log_in, type_text

pytestmark = pytest.mark.timeout(60)

DAY = datetime(2026, 12, 2, 6, 0, tzinfo=UTC)  # 1405/09/11 in Tehran: receipts 4512-2-050911-NNNN
PEOPLE = [("زهرا", "احمدی"), ("علی", "محمدی"), ("زهرا", "محمدي"), ("محمدرضا", "کریمی")]  # 3rd: Arabic ي


def _prepare(home):
    from desk_app.services import intake
    from desk_app.services.context import Desk
    from desk_app.store.models import Request

    filled_home(home)
    with Desk.open(home) as desk:
        for n, (first, last) in enumerate(PEOPLE):
            intake.register_request(
                desk,
                clerk="clerk",
                national_code=NATIONAL_CODES[n],
                first_name=first,
                last_name=last,
                service_code="2101",
                now=DAY + timedelta(minutes=n),
            )
        with desk.db.write() as s:  # the province's tracking code, as sync stores it
            s.get(Request, 4).server_ref = "7340012345"


def _search(qtbot, window, page, text: str) -> None:
    page.search.selectAll()
    qtbot.keyClick(page.search, Qt.Key.Key_Backspace)
    type_text(page.search, text)  # textEdited starts the box's 250 ms timer, as when a clerk types
    qtbot.waitUntil(lambda: not page.search_timer.isActive(), timeout=5_000)
    idle(qtbot, window.ctx.runner)


def _shown(page) -> list[tuple[str, str]]:
    model = page.model
    return [(model.row_at(i).receipt_no, model.index(i, 2).data()) for i in range(model.rowCount())]


def test_typing_a_full_name_or_a_partial_receipt_number_finds_the_row(launcher, home, qtbot):
    _prepare(home)
    window = log_in(qtbot, launcher(prepare=False), "clerk")
    page = window.requests
    qtbot.waitUntil(lambda: page.model.count == 4, timeout=10_000)

    _search(qtbot, window, page, "زهرا محمدی")
    assert _shown(page) == [("4512-2-050911-0003", "زهرا محمدی")] and page.model.count == 1
    assert "۱" in page.count_label.text()
    _search(qtbot, window, page, "محمدی زهرا")
    assert _shown(page) == [("4512-2-050911-0003", "زهرا محمدی")]

    _search(qtbot, window, page, "050911-0003")
    assert _shown(page) == [("4512-2-050911-0003", "زهرا محمدی")]
    _search(qtbot, window, page, "۰۵۰۹۱۱-۰۰۰۲")  # Persian digits, as the Persian keyboard types them
    assert _shown(page) == [("4512-2-050911-0002", "علی محمدی")]

    _search(qtbot, window, page, "رضا")
    assert _shown(page) == [("4512-2-050911-0004", "محمدرضا کریمی")]
    _search(qtbot, window, page, "7340012345")
    assert _shown(page) == [("4512-2-050911-0004", "محمدرضا کریمی")]

    _search(qtbot, window, page, "")
    assert page.model.count == 4
