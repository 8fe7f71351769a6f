"""Nothing out of the keyboard's reach (issue 13, item 3): tables take one Tab stop, Enter opens a
row, the Menu key gives its actions, every action has a shortcut it shows, Escape clears, and
Ctrl+1..7 work in the Persian keyboard layout. A keyboard-only walk counts the Tab presses from
the search box to each action."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QPushButton

from desk_app.ui.widgets import SHORTCUT_PROPERTY, shortcut_text
from tests.ui_helpers import NATIONAL_CODES, fill_intake, idle, log_in

pytestmark = pytest.mark.timeout(90)

TAB_STOPS: dict[str, int] = {}  # walk counts, printed at the end of the walk tests (pytest -s)


def save_request(qtbot, window, code: str, service: str = "2101"):
    page = window.intake
    fill_intake(page, code, service)
    with qtbot.waitSignal(page.registered, timeout=10_000) as saved:
        page.save()
    idle(qtbot, window.ctx.runner)
    qtbot.waitUntil(lambda: page.receipts.dialog is not None, timeout=10_000)
    page.receipts.dialog.reject()  # no printer here: the preview came up; closed
    return saved.args[0]


def press(qtbot, key, modifiers=Qt.KeyboardModifier.NoModifier):
    widget = QApplication.focusWidget()
    assert widget is not None, "nothing has the keyboard focus"
    qtbot.keyClick(widget, key, modifiers)
    return QApplication.focusWidget()


def focus(qtbot, widget) -> None:
    widget.window().activateWindow()
    widget.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(widget.hasFocus, timeout=3_000)


def tabs_to(qtbot, start, target, limit: int = 200) -> int:
    """Tab presses from `start` until `target` has the focus (forward only); fails after `limit`."""
    focus(qtbot, start)
    for count in range(1, limit + 1):
        if press(qtbot, Qt.Key.Key_Tab) is target:
            return count
    pytest.fail(f"{target.objectName() or target.text()} not reached by Tab in {limit} presses")


def persian_ctrl_digit(digit: int, *, with_key: bool = True) -> QKeyEvent:
    """Ctrl+digit as the Persian (ir) layout delivers it on X11: the text «۳», the key code of «۳»,
    the keysym Farsi_3 as native virtual key and the digit row's key code as scan code."""
    persian = chr(0x06F0 + digit)
    return QKeyEvent(
        QEvent.Type.KeyPress,
        0x06F0 + digit if with_key else 0,
        Qt.KeyboardModifier.ControlModifier,
        9 + digit,  # X11 key code of the digit row: 1 is 10
        0x01000000 + 0x06F0 + digit if with_key else 0,
        0x4,  # ControlMask
        persian,
    )


@pytest.fixture
def manager_window(launcher, qtbot):
    window = log_in(qtbot, launcher(), "manager")
    window.show()
    window.activateWindow()
    qtbot.waitExposed(window)
    return window


def test_tables_take_one_tab_stop_200_presses_never_trap(manager_window, qtbot):
    window = manager_window
    for code in NATIONAL_CODES[:3]:
        save_request(qtbot, window, code)
    window.tabs.setCurrentWidget(window.requests)
    table = window.requests.table
    qtbot.waitUntil(lambda: window.requests.model.count == 3, timeout=10_000)
    focus(qtbot, table)
    inside, longest, left = 0, 0, 0
    for _ in range(200):
        now = press(qtbot, Qt.Key.Key_Tab)
        if now is table:
            inside += 1
            longest = max(longest, inside)
        else:
            inside = 0
            left += 1
    assert longest <= 1, "Tab moved cell by cell inside the requests table"
    assert left > 150
    # the users table, the same
    window.tabs.setCurrentWidget(window.users)
    idle(qtbot, window.ctx.runner)
    users = window.users.table
    qtbot.waitUntil(lambda: window.users.model.rowCount() >= 2, timeout=10_000)
    focus(qtbot, users)
    stays = 0
    for _ in range(200):
        if press(qtbot, Qt.Key.Key_Tab) is users:
            stays += 1
    assert stays <= 200 // 3, "Tab stays in the users table"
    assert press(qtbot, Qt.Key.Key_Tab) is not users or press(qtbot, Qt.Key.Key_Tab) is not users


@pytest.mark.qt_log_ignore("^This plugin does not support grabbing the keyboard$", extend=True)  # a menu, offscreen
def test_enter_opens_the_row_and_the_menu_key_gives_its_actions(manager_window, qtbot):
    window = manager_window
    request = save_request(qtbot, window, NATIONAL_CODES[0])
    window.tabs.setCurrentWidget(window.requests)
    page = window.requests
    qtbot.waitUntil(lambda: page.model.count == 1, timeout=10_000)
    focus(qtbot, page.table)  # a row is chosen when the table gets the focus
    qtbot.waitUntil(lambda: page.selected() is not None, timeout=5_000)
    assert request.receipt_no in page.detail_labels["receipt_no"].text()
    assert press(qtbot, Qt.Key.Key_Return) is page.reprint_button  # Enter: into the row's actions
    for key, mods in (
        (Qt.Key.Key_Menu, Qt.KeyboardModifier.NoModifier),
        (Qt.Key.Key_F10, Qt.KeyboardModifier.ShiftModifier),
    ):
        page.table.setFocus()
        qtbot.keyClick(page.table, key, mods)
        menu = page.row_keys.menu
        assert menu is not None and menu.isVisible()
        texts = [a.text() for a in menu.actions()]
        assert any("چاپ دوبارهٔ رسید" in t or "رسید" in t for t in texts), texts
        assert any("ابطال" in t for t in texts), texts
        assert all(a.isEnabled() for a in menu.actions() if "ابطال" in a.text())
        menu.close()
    # the cancel entry of the menu opens the cancel dialog for this row
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_Menu)
    cancel = next(a for a in page.row_keys.menu.actions() if "ابطال" in a.text())
    from PySide6.QtCore import QTimer

    seen = []

    def answer():
        dialog = QApplication.activeModalWidget()
        seen.append(dialog)
        if dialog is not None:
            dialog.reject()

    QTimer.singleShot(200, answer)
    cancel.trigger()
    assert (
        seen
        and seen[0] is not None
        and request.receipt_no in "".join(w.text() for w in seen[0].findChildren(type(page.count_label)))
    )
    # the users table: Enter opens the user (a new password), the Menu key its actions
    window.tabs.setCurrentWidget(window.users)
    qtbot.waitUntil(lambda: window.users.model.rowCount() >= 2, timeout=10_000)
    window.users.table.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.keyClick(window.users.table, Qt.Key.Key_Menu)
    assert window.users.row_keys.menu is not None
    assert [a.text().split("\t")[0] for a in window.users.row_keys.menu.actions()] == [
        window.users.reset_button.text(),
        window.users.active_button.text(),
    ]
    assert window.users.row_keys.menu.actions()[0].text().endswith(shortcut_text("Ctrl+E"))  # shown as on keys
    window.users.row_keys.menu.close()


def test_every_action_shows_its_shortcut_and_the_shortcuts_work(manager_window, qtbot):
    window = manager_window
    pages = [window.intake, window.requests, window.users]
    actions = {
        window.intake: [window.intake.save_button, window.intake.clear_button, window.intake.reprint_button],
        window.requests: [
            window.requests.reprint_button,
            window.requests.form_button,
            window.requests.cancel_button,
            window.requests.retry_button,
            window.requests.attention_button,
            window.requests.apply_button,
        ],
        window.users: [window.users.add_button, window.users.reset_button, window.users.active_button],
    }
    for page in pages:
        for button in actions[page]:
            assert button.property(SHORTCUT_PROPERTY), button.text()
            shown = shortcut_text(button.property(SHORTCUT_PROPERTY))
            assert shown in button.toolTip() and "میان‌بر" in button.toolTip(), (button.text(), button.toolTip())
        buttons = [b for b in page.findChildren(QPushButton) if b.parent() is not None and b.isVisibleTo(page)]
        for button in buttons:
            if button in actions[page] or button.window() is not window:
                continue
            assert "میان‌بر" in button.toolTip() or not button.isEnabled(), button.text()
    # and on the other pages (the reports page excepted: not part of this work)
    for index in range(window.tabs.count()):
        page = window.tabs.widget(index)
        if page is window.reports:
            continue
        for button in page.findChildren(QPushButton):
            if button.isVisibleTo(page) and button.window() is window:
                assert button.property(SHORTCUT_PROPERTY), (window.tabs.tabText(index), button.text())
    for page in pages:  # one binding per key: a button's own shortcut too would make Qt call it ambiguous
        assert not [b.text() for b in page.findChildren(QPushButton) if not b.shortcut().isEmpty()]
    # Ctrl+N on intake is «مراجعهٔ جدید»: the form is cleared
    page = window.intake
    page.national_code.setText(NATIONAL_CODES[1])
    focus(qtbot, page.first_name)
    qtbot.keyClick(page.first_name, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert page.national_code.text() == ""


def test_ctrl_digits_open_pages_in_the_persian_layout(manager_window, qtbot):
    window = manager_window
    window.intake.national_code.setFocus()
    qtbot.waitUntil(window.intake.national_code.hasFocus, timeout=3_000)
    for digit in range(window.tabs.count(), 0, -1):
        QApplication.sendEvent(QApplication.focusWidget(), persian_ctrl_digit(digit))
        assert window.tabs.currentIndex() == digit - 1, f"Ctrl+{digit} in the Persian layout"
    window.tabs.setCurrentIndex(0)
    window.intake.national_code.setFocus()
    # only the scan code (a layout whose digit keys give no known key code)
    QApplication.sendEvent(QApplication.focusWidget(), persian_ctrl_digit(2, with_key=False))
    assert window.tabs.currentIndex() == 1
    # the Latin layout still works through the ordinary shortcut
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    assert window.tabs.currentIndex() == 2
    # a Persian digit without Ctrl is text, not a page
    window.tabs.setCurrentIndex(0)
    window.intake.national_code.setFocus()
    plain = QKeyEvent(QEvent.Type.KeyPress, 0x06F2, Qt.KeyboardModifier.NoModifier, 11, 0x10006F2, 0, "۲")
    QApplication.sendEvent(window.intake.national_code, plain)
    assert window.tabs.currentIndex() == 0 and window.intake.national_code.text() == "۲"


def test_escape_clears_sensibly(manager_window, qtbot):
    window = manager_window
    page = window.intake
    page.national_code.setFocus()
    qtbot.keyClicks(page.national_code, "0013")
    press(qtbot, Qt.Key.Key_Escape)
    assert page.national_code.text() != "" and "Esc" in page.banner.text()  # one stray key loses nothing
    press(qtbot, Qt.Key.Key_Escape)
    assert page.national_code.text() == "" and page.national_code.hasFocus()
    # in the service search, Esc clears the search first
    page.picker.search.setFocus()
    qtbot.keyClicks(page.picker.search, "21")
    press(qtbot, Qt.Key.Key_Escape)
    assert page.picker.search.text() == ""
    # requests: Esc clears the search and the list shows everything again
    window.tabs.setCurrentWidget(window.requests)
    requests = window.requests
    requests.search.setFocus()
    qtbot.keyClicks(requests.search, "nobody")
    requests.apply_filters()
    idle(qtbot, window.ctx.runner)
    press(qtbot, Qt.Key.Key_Escape)
    assert requests.search.text() == "" and requests.search.hasFocus()


def test_keyboard_walk_counts_from_the_search_box_to_each_action(manager_window, qtbot, request):
    window = manager_window
    first = save_request(qtbot, window, NATIONAL_CODES[0])
    assert first is not None
    # intake: «مراجعهٔ جدید», reprint and the document checkboxes, forwards
    page = window.intake
    fill_intake(page, NATIONAL_CODES[1])  # a service with documents: their checkboxes exist
    assert page.doc_checks, "the demo service 2101 lists documents"
    start = page.national_code
    TAB_STOPS["intake: first document checkbox"] = tabs_to(qtbot, start, page.doc_checks[0])
    TAB_STOPS["intake: save"] = tabs_to(qtbot, start, page.save_button)
    TAB_STOPS["intake: new citizen"] = tabs_to(qtbot, start, page.clear_button)
    TAB_STOPS["intake: reprint"] = tabs_to(qtbot, start, page.reprint_button)
    page.doc_checks[0].setFocus()
    press(qtbot, Qt.Key.Key_Space)
    assert page.doc_checks[0].isChecked()
    # requests: from the search box to the table, reprint and cancel
    window.tabs.setCurrentWidget(window.requests)
    requests = window.requests
    qtbot.waitUntil(lambda: requests.model.count == 1, timeout=10_000)
    TAB_STOPS["requests: table"] = tabs_to(qtbot, requests.search, requests.table)
    qtbot.waitUntil(lambda: requests.selected() is not None, timeout=3_000)
    TAB_STOPS["requests: reprint"] = tabs_to(qtbot, requests.search, requests.reprint_button)
    TAB_STOPS["requests: cancel"] = tabs_to(qtbot, requests.search, requests.cancel_button)
    TAB_STOPS["requests: needs attention"] = tabs_to(qtbot, requests.search, requests.attention_button)
    # users: from the table to «کاربر جدید»
    window.tabs.setCurrentWidget(window.users)
    qtbot.waitUntil(lambda: window.users.model.rowCount() >= 2, timeout=10_000)
    TAB_STOPS["users: add user"] = tabs_to(qtbot, window.users.table, window.users.add_button)
    TAB_STOPS["users: reset password"] = tabs_to(qtbot, window.users.table, window.users.reset_button)
    for name, count in TAB_STOPS.items():
        print(f"TAB {name}: {count}")
    assert TAB_STOPS["requests: reprint"] <= 15 and TAB_STOPS["requests: cancel"] <= 17
    assert TAB_STOPS["users: add user"] <= 3
    assert TAB_STOPS["intake: new citizen"] <= 15
