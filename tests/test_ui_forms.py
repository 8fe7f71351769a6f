"""The service's own form on the intake page (issue 10, item 2): a passport request by keyboard
alone, conditions that show and hide fields, errors next to their fields, a draft that keeps the
answers, a returning citizen's earlier answers; the requests page shows a request's fields.

Real parts: a data folder filled through the services, the sample forms of
resources/catalog/forms-sample.json put into the demo catalog and imported as a catalog version,
the real window and its database thread, the A4 form printed to a PDF and read back.
"""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QComboBox, QLineEdit, QPlainTextEdit

from desk_app.paths import resources_dir
from tests.helpers.pdf_read import pdf_lines
from tests.ui_helpers import NATIONAL_CODES, filled_home, idle, log_in, type_text

FORMS_VERSION = "1405-09-12"
# The choice's filter list is a popup; the headless platform cannot grab the keyboard for it
# (tests/test_ui_xvfb.py runs on a real X server, where it can). The same text only.
pytestmark = pytest.mark.qt_log_ignore("^This plugin does not support grabbing the keyboard$", extend=True)


def forms_catalog() -> dict:
    """The demo catalog with the sample forms of its services (a new catalog version)."""
    catalog = json.loads((resources_dir() / "catalog" / "demo-catalog.json").read_text(encoding="utf-8"))
    samples = json.loads((resources_dir() / "catalog" / "forms-sample.json").read_text(encoding="utf-8"))
    forms = {s["code"]: s["form"] for s in samples["services"]}
    for service in catalog["services"]:
        if service["code"] in forms:
            service["form"] = forms[service["code"]]
    catalog["version"] = FORMS_VERSION
    return catalog


@pytest.fixture
def forms_window(launcher, home, qtbot):
    """The clerk's window over a data folder whose catalog has the sample forms."""
    from desk_app.services import catalog
    from desk_app.services.context import Desk

    filled_home(home)
    with Desk.open(home) as desk:
        catalog.import_catalog(desk, forms_catalog())
    return log_in(qtbot, launcher(prepare=False), "clerk")


def focus():
    return QApplication.focusWidget()


def pick_service(qtbot, page, query: str) -> None:
    page.picker.search.setFocus()
    type_text(page.picker.search, query)
    qtbot.keyClick(page.picker.search, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.form_panel.view is not None, timeout=10_000)


def citizen(qtbot, page, code: str = NATIONAL_CODES[0]) -> None:
    page.national_code.setFocus()
    qtbot.keyClicks(page.national_code, code)
    page.first_name.setText("مریم")
    page.last_name.setText("کریمی")


def editor(page, name: str):
    return page.form_panel.view.rows[name].editor


class Keys:
    """Key presses sent to whatever has the focus, counted (the bench's keystroke figure)."""

    def __init__(self, qtbot):
        self.qtbot = qtbot
        self.count = 0

    def type(self, text: str) -> None:
        widget = focus()
        if text.isascii():
            self.qtbot.keyClicks(widget, text)
        else:
            type_text(widget, text)
        self.count += len(text)

    def press(self, key, modifier=Qt.KeyboardModifier.NoModifier) -> None:
        self.qtbot.keyClick(focus(), key, modifier)
        self.count += 1


def test_passport_request_by_keyboard_alone_then_its_form_printed(forms_window, qtbot, tmp_path):
    window = forms_window
    page = window.intake
    page.national_code.setFocus()
    keys = Keys(qtbot)
    keys.type(NATIONAL_CODES[0])
    keys.press(Qt.Key.Key_Tab)
    keys.type("علی")
    keys.press(Qt.Key.Key_Tab)
    keys.type("رضایی")
    keys.press(Qt.Key.Key_Tab)
    keys.press(Qt.Key.Key_Tab)  # no mobile
    assert focus() is page.picker.search
    keys.type("گذرنامه")
    assert page.picker.visible_codes()[0] == "2101"
    keys.press(Qt.Key.Key_Return)
    # the passport's form comes below the citizen, and its first field takes the focus
    qtbot.waitUntil(lambda: page.form_panel.view is not None and focus() is editor(page, "father_name").widget)
    view = page.form_panel.view
    assert page.form_panel.isVisible()
    assert [g.title() for g in view.groups if g.isVisible()] == ["مشخصات متقاضی", "گذرنامه و نشانی"]
    keys.type("حسین")
    keys.press(Qt.Key.Key_Tab)
    assert focus() is editor(page, "birth_date").widget
    keys.type("13700505")  # the slashes come by themselves, in Persian digits
    assert editor(page, "birth_date").widget.text() == "۱۳۷۰/۰۵/۰۵"
    assert editor(page, "birth_date").widget.layoutDirection() == Qt.LayoutDirection.LeftToRight
    keys.press(Qt.Key.Key_Tab)
    keys.type("تبریز")
    keys.press(Qt.Key.Key_Tab)
    assert focus() is editor(page, "marital_status").widget
    keys.type("مجر")  # type-to-filter: one label has it
    keys.press(Qt.Key.Key_Tab)
    assert editor(page, "marital_status").value() == "single"
    assert not view.is_shown("spouse_consent") and not view.is_shown("guardian_name")  # adult, single
    assert focus() is editor(page, "passport_kind").widget  # hidden fields are skipped
    keys.type("فو")
    keys.press(Qt.Key.Key_Tab)
    assert editor(page, "passport_kind").value() == "urgent"
    keys.type("5166615731")
    keys.press(Qt.Key.Key_Tab)
    assert isinstance(focus(), QPlainTextEdit)
    keys.type("تبریز، خیابان امام")
    keys.press(Qt.Key.Key_Tab)  # Tab leaves the multi-line address
    keys.type("09141234567")
    keys.press(Qt.Key.Key_Tab)
    assert focus() is page.payment_method  # the form's last field, then the payment
    assert all(not view.error_text(n) for n in view.rows)
    with qtbot.waitSignal(page.registered, timeout=10_000) as saved:
        keys.press(Qt.Key.Key_Return)
    request = saved.args[0]
    idle(qtbot, window.ctx.runner)
    qtbot.waitUntil(lambda: page.receipts.dialog is not None and page.receipts.dialog.isVisible(), timeout=10_000)
    keys.press(Qt.Key.Key_Escape)
    assert keys.count < 120, keys.count
    print(f"keystrokes for a passport request: {keys.count}")
    assert page.form_panel.view is None and not page.form_panel.isVisible()  # the next citizen

    from desk_app.services import forms

    shown = {d.name: d.value for d in forms.request_fields(window.ctx.desk, request.request_id)}
    assert shown == {
        "father_name": "حسین",
        "birth_date": "۱۳۷۰/۰۵/۰۵",
        "birth_place": "تبریز",
        "marital_status": "مجرد",
        "passport_kind": "فوری",
        "postal_code": "5166615731",
        "address": "تبریز، خیابان امام",
        "emergency_mobile": "09141234567",
    }
    pdf = tmp_path / "form.pdf"
    window.requests.print_form_to(request.receipt_no, f"pdf:{pdf}")
    qtbot.waitUntil(pdf.exists, timeout=20_000)
    idle(qtbot, window.ctx.runner)
    text = "\n".join(pdf_lines(pdf)[0])
    assert request.receipt_no in text
    assert "علی رضایی" in text or ("علی" in text and "رضایی" in text)


def test_conditions_show_and_hide_fields(forms_window, qtbot):
    page = forms_window.intake
    citizen(qtbot, page)
    pick_service(qtbot, page, "2101")
    view = page.form_panel.view
    assert not view.is_shown("guardian_national_code")
    assert not view.rows["guardian_name"].group.isVisible()  # a section with nothing shown is hidden
    editor(page, "birth_date").widget.setFocus()
    qtbot.keyClicks(editor(page, "birth_date").widget, "13950101")  # under 18: a guardian is needed
    assert view.is_shown("guardian_national_code") and view.is_shown("guardian_name")
    assert view.rows["guardian_name"].group.isVisible()
    assert view.rows["guardian_name"].box.isVisible()
    editor(page, "guardian_name").set_value("رضا کریمی")
    married = editor(page, "marital_status")
    married.set_value("married")
    assert view.is_shown("spouse_consent")
    married.set_value("single")
    assert not view.is_shown("spouse_consent")
    # a hidden field is not kept: the adult's request carries no guardian
    editor(page, "birth_date").widget.clear()
    qtbot.keyClicks(editor(page, "birth_date").widget, "13700505")
    assert not view.is_shown("guardian_name")
    assert "guardian_name" not in view.answers()
    assert editor(page, "guardian_name").value() == "رضا کریمی"  # still typed, if the date comes back
    # and hidden is not required: the save is not blocked by it
    assert "guardian_national_code" not in {n for n in view.rows if view.error_text(n)}


def test_errors_next_to_fields_on_leaving_and_all_at_once_on_save(forms_window, qtbot):
    page = forms_window.intake
    citizen(qtbot, page)
    pick_service(qtbot, page, "2101")
    view = page.form_panel.view
    postal = editor(page, "postal_code").widget
    postal.setFocus()
    qtbot.keyClicks(postal, "123")
    assert view.error_text("postal_code") == ""  # not while typing
    qtbot.keyClick(postal, Qt.Key.Key_Tab)  # leaving it
    message = view.rows["postal_code"].message
    assert "کد پستی" in view.error_text("postal_code") and message.isVisible()
    assert message.parentWidget() is view.rows["postal_code"].box  # right under its field
    assert view.error_text("address") == ""  # an untouched empty field is not nagged about
    postal.setFocus()
    qtbot.keyClicks(postal, "4567890")  # 1234567890: right now
    assert view.error_text("postal_code") == "" and not message.isVisible()  # gone as it is fixed
    date = editor(page, "birth_date").widget
    date.setFocus()
    qtbot.keyClicks(date, "14041230")  # 1404 is not a leap year
    qtbot.keyClick(date, Qt.Key.Key_Tab)
    assert view.error_text("birth_date")
    # Enter saves: nothing is written, every missing answer is said next to its field at once
    page.save()
    idle(qtbot, forms_window.ctx.runner)
    bad = {n for n in view.rows if view.error_text(n)}
    assert bad == {"father_name", "birth_date", "birth_place", "passport_kind", "address"}
    assert "«نام پدر» وارد نشده است." == view.error_text("father_name")
    assert focus() is editor(page, "father_name").widget  # the first wrong field
    assert page.last_request is None


def test_draft_keeps_the_answers(forms_window, qtbot):
    window = forms_window
    page = window.intake
    citizen(qtbot, page)
    pick_service(qtbot, page, "2101")
    editor(page, "father_name").set_value("حسین")
    editor(page, "birth_date").set_value("۱۳۹۵/۰۱/۰۱")
    editor(page, "guardian_name").set_value("رضا کریمی")
    editor(page, "passport_kind").set_value("urgent")
    page.save_draft_now()
    idle(qtbot, window.ctx.runner)
    assert page.draft_id is not None
    # the form is emptied (as after closing the app) and the draft brought back
    draft_id = page.draft_id
    page.clear_form()
    page.draft_id = None
    assert page.form_panel.view is None
    page.restore_draft()
    qtbot.waitUntil(lambda: page.form_panel.view is not None, timeout=10_000)
    assert page.draft_id == draft_id
    assert editor(page, "father_name").value() == "حسین"
    assert editor(page, "birth_date").widget.text() == "۱۳۹۵/۰۱/۰۱"
    assert editor(page, "guardian_name").value() == "رضا کریمی"
    assert page.form_panel.view.is_shown("guardian_name")
    assert editor(page, "passport_kind").widget.currentText() == "فوری"


def test_earlier_answers_of_a_returning_citizen_are_offered(forms_window, qtbot):
    window = forms_window
    page = window.intake
    from desk_app.services import intake

    intake.register_request(
        window.ctx.desk,
        clerk="clerk",
        national_code=NATIONAL_CODES[1],
        first_name="مریم",
        last_name="کریمی",
        service_code="2101",
        fields={
            "father_name": "حسین",
            "birth_date": "1370/05/05",
            "birth_place": "ارومیه",
            "passport_kind": "normal",
            "postal_code": "5166615731",
            "address": "ارومیه، خیابان امام",
        },
    )
    citizen(qtbot, page, NATIONAL_CODES[1])
    pick_service(qtbot, page, "1101")  # another service with some of the same field names
    qtbot.waitUntil(lambda: editor(page, "father_name").value() == "حسین", timeout=10_000)
    assert editor(page, "birth_date").widget.text() == "۱۳۷۰/۰۵/۰۵"
    assert editor(page, "postal_code").value() == "5166615731"
    assert editor(page, "address").value() == "ارومیه، خیابان امام"
    hint = page.form_panel.view.rows["father_name"].message
    assert hint.isVisible() and not hint.is_error  # said where it came from
    # a new citizen: nothing is offered
    page.clear_form()
    citizen(qtbot, page, NATIONAL_CODES[3])
    pick_service(qtbot, page, "1101")
    idle(qtbot, window.ctx.runner)
    assert editor(page, "father_name").value() is None


def test_requests_page_shows_a_requests_fields(forms_window, qtbot):
    window = forms_window
    from desk_app.services import intake

    intake.register_request(
        window.ctx.desk,
        clerk="clerk",
        national_code=NATIONAL_CODES[2],
        first_name="مریم",
        last_name="کریمی",
        service_code="2101",
        fields={
            "father_name": "حسین",
            "birth_date": "1370/05/05",
            "birth_place": "ارومیه",
            "passport_kind": "urgent",
            "postal_code": "5166615731",
            "address": "ارومیه، خیابان امام",
        },
    )
    page = window.requests
    window.ctx.requests_changed.emit()
    qtbot.waitUntil(lambda: page.model.count == 1, timeout=10_000)
    page.select_row(0)
    label = page.detail_labels["fields"]
    qtbot.waitUntil(lambda: "نام پدر" in label.text(), timeout=10_000)
    text = label.text()
    assert "نوع گذرنامه: فوری" in text
    assert "۱۳۷۰/۰۵/۰۵" in text and "5166615731" in text


def test_the_choice_filters_as_typed(forms_window, qtbot):
    page = forms_window.intake
    citizen(qtbot, page)
    pick_service(qtbot, page, "2101")
    combo = editor(page, "passport_kind").widget
    assert isinstance(combo, QComboBox) and combo.isEditable()
    combo.setFocus()
    type_text(combo, "ور")  # inside «فوری»
    completer = combo.completer()
    assert completer.completionCount() == 1 and completer.currentCompletion() == "فوری"
    line = combo.lineEdit()
    assert isinstance(line, QLineEdit)
