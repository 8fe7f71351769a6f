"""A service's own form on the intake page (DESIGN.md section 10): one editor per field, in the
form's sections and order, below the citizen's fields.

- Editors by kind: text, multi-line text (Tab leaves it), number and amount (left-to-right,
  Persian digits, the amount grouped as it is typed), Jalali date (left-to-right, Persian digits,
  `/` put in as the digits come; never QDateEdit, which reverses its sections right-to-left),
  codes (left-to-right), a plate as its four boxes in the order they are on the plate, choice
  (type to filter; a unique match is taken when the clerk leaves), yes/no.
- Conditions: after every change the shown fields are asked of the form engine
  (`services.forms.shown_fields`); a hidden field is neither required nor kept (its text stays
  in the editor, so it comes back if the condition does).
- Errors: next to the field as the clerk leaves it (a missing answer only once the field was
  touched), every one at once on save; an error goes away as soon as the field is right.
- A returning citizen's earlier answers fill the empty fields, marked as such, with the other
  earlier values in a completer.

`FormPanel` is what the page holds: a scroll area that loads the chosen service's form on the
database thread and builds a `FormView` for it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QCompleter,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from desk_app.services import forms
from desk_app.services.forms import FieldSpec, Form
from desk_app.ui.widgets import LtrLineEdit, MessageLabel

_EN_TO_FA = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
_FA_TO_EN = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "01234567890123456789")
_GROUP = "٬"  # Persian thousands separator (what format_amount writes)
_PLACEHOLDERS = {
    "national-code": "0012345678",
    "legal-id": "10100000000",
    "mobile": "09121234567",
    "postal-code": "1234567890",
    "sheba": "IR000000000000000000000000",
    "card": "6037990000000000",
}


def _digits_left(text: str, pos: int) -> int:
    return sum(1 for ch in text[:pos] if ch.translate(_FA_TO_EN).isdigit())


def _pos_after_digits(text: str, count: int) -> int:
    if count <= 0:
        return 0
    seen = 0
    for i, ch in enumerate(text):
        if ch.translate(_FA_TO_EN).isdigit():
            seen += 1
            if seen == count:
                return i + 1
    return len(text)


def _reformat(edit: QLineEdit, change: Callable[[str], str]) -> None:
    """Rewrite the edit's text with `change`, keeping the cursor after the same digit."""
    text = edit.text()
    new = change(text)
    if new != text:
        digits = _digits_left(text, edit.cursorPosition())
        edit.setText(new)
        edit.setCursorPosition(_pos_after_digits(new, digits))


def group_amount(text: str) -> str:
    """`1200000` or `۱۲۰۰۰۰۰` -> `۱٬۲۰۰٬۰۰۰` as typed (anything but digits and separators is kept)."""
    plain = text.translate(_FA_TO_EN).replace(",", "").replace(_GROUP, "").replace("\u066b", "").strip()
    if not plain.isdigit():
        return text.translate(_EN_TO_FA)
    plain = plain.lstrip("0") or "0"
    return f"{int(plain):,}".replace(",", _GROUP).translate(_EN_TO_FA)


def shape_date(text: str) -> str:
    """Persian digits, and the `/` after the year and the month as the digits come."""
    plain = text.translate(_FA_TO_EN)
    plain = re.sub(r"^(\d{4})(\d)$", r"\1/\2", plain)
    plain = re.sub(r"^(\d{4}/\d{2})(\d)$", r"\1/\2", plain)
    return plain.translate(_EN_TO_FA)


class Editor(QObject):
    """One field's editor: `widget` is what the row shows, `value()` what was typed (None when
    empty; choices and yes/no give their value), `changed` on every edit."""

    changed = Signal()

    def __init__(self, spec: FieldSpec, parent: QWidget):
        super().__init__(parent)
        self.spec = spec
        self.widget = self._make(parent)
        self.widget.setObjectName(f"field_{spec.name}")
        self.widget.setAccessibleName(spec.title)

    def _make(self, parent: QWidget) -> QWidget:
        edit = LtrLineEdit(parent) if self.spec.ltr else QLineEdit(parent)
        edit.textChanged.connect(lambda _t: self.changed.emit())
        return edit

    def focus_widget(self) -> QWidget:
        return self.widget

    def contains(self, widget: QWidget | None) -> bool:
        return widget is not None and (widget is self.widget or self.widget.isAncestorOf(widget))

    def value(self) -> Any:
        assert isinstance(self.widget, QLineEdit)
        return self.widget.text().strip() or None

    def set_value(self, value: Any) -> None:
        assert isinstance(self.widget, QLineEdit)
        self.widget.setText("" if value is None else str(value))

    def left(self) -> None:
        """The clerk left the field: tidy what was typed (a unique choice, a grouped amount)."""

    def offer(self, values: list[Any]) -> None:
        """Earlier answers (display texts) to pick from while typing."""
        if isinstance(self.widget, QLineEdit) and len(values) > 1:
            completer = QCompleter([str(v) for v in values], self.widget)
            completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
            completer.setFilterMode(Qt.MatchFlag.MatchContains)
            self.widget.setCompleter(completer)


class NumberEditor(Editor):
    """Numbers and amounts: left-to-right, Persian digits; amounts grouped while typing."""

    def _make(self, parent: QWidget) -> QWidget:
        edit = LtrLineEdit(parent, "۱۲۰٬۰۰۰٬۰۰۰" if self.spec.kind == forms.KIND_AMOUNT else "")
        shape = group_amount if self.spec.kind == forms.KIND_AMOUNT else (lambda t: t.translate(_EN_TO_FA))
        edit.textEdited.connect(lambda _t: _reformat(edit, shape))
        edit.textChanged.connect(lambda _t: self.changed.emit())
        return edit

    def set_value(self, value: Any) -> None:
        assert isinstance(self.widget, QLineEdit)
        text = "" if value is None else str(value)
        self.widget.setText(group_amount(text) if self.spec.kind == forms.KIND_AMOUNT and text else text)


class DateEditor(Editor):
    def _make(self, parent: QWidget) -> QWidget:
        edit = LtrLineEdit(parent, "۱۴۰۵/۰۹/۰۸")
        edit.setMaxLength(10)
        edit.textEdited.connect(lambda _t: _reformat(edit, shape_date))
        edit.textChanged.connect(lambda _t: self.changed.emit())
        return edit

    def set_value(self, value: Any) -> None:
        assert isinstance(self.widget, QLineEdit)
        self.widget.setText("" if value is None else str(value).translate(_EN_TO_FA))


class CodeEditor(Editor):
    def _make(self, parent: QWidget) -> QWidget:
        edit = LtrLineEdit(parent, _PLACEHOLDERS.get(self.spec.format or "", ""))
        edit.textChanged.connect(lambda _t: self.changed.emit())
        return edit


class MultilineEditor(Editor):
    def _make(self, parent: QWidget) -> QWidget:
        edit = QPlainTextEdit(parent)
        edit.setTabChangesFocus(True)
        edit.setFixedHeight(edit.fontMetrics().lineSpacing() * 3 + 14)
        edit.textChanged.connect(self.changed.emit)
        return edit

    def value(self) -> Any:
        assert isinstance(self.widget, QPlainTextEdit)
        return self.widget.toPlainText().strip() or None

    def set_value(self, value: Any) -> None:
        assert isinstance(self.widget, QPlainTextEdit)
        self.widget.setPlainText("" if value is None else str(value))


class ChoiceEditor(Editor):
    """An editable combo: typing filters the labels (anywhere in them); leaving with text that
    one label alone contains picks that label."""

    def _make(self, parent: QWidget) -> QWidget:
        combo = QComboBox(parent)
        combo.setEditable(True)
        combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        for value, label in self.spec.choices:
            combo.addItem(label, value)
        completer = QCompleter(combo.model(), combo)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        combo.setCompleter(completer)
        combo.setCurrentIndex(-1)
        combo.clearEditText()
        line = combo.lineEdit()
        if line is not None:
            line.setPlaceholderText(self.tr("Type to search"))
        combo.editTextChanged.connect(lambda _t: self.changed.emit())
        combo.currentIndexChanged.connect(lambda _i: self.changed.emit())
        return combo

    def _combo(self) -> QComboBox:
        assert isinstance(self.widget, QComboBox)
        return self.widget

    def value(self) -> Any:
        combo = self._combo()
        text = combo.currentText().strip()
        if not text:
            return None
        index = combo.findText(text, Qt.MatchFlag.MatchFixedString)
        return combo.itemData(index) if index >= 0 else text

    def set_value(self, value: Any) -> None:
        combo = self._combo()
        index = combo.findData(value) if value is not None else -1
        if index < 0 and value is not None:
            index = combo.findText(str(value), Qt.MatchFlag.MatchFixedString)
        if index >= 0:
            combo.setCurrentIndex(index)
            combo.setEditText(combo.itemText(index))
        else:
            combo.setCurrentIndex(-1)
            combo.setEditText("" if value is None else str(value))

    def left(self) -> None:
        combo = self._combo()
        text = combo.currentText().strip()
        if not text or combo.findText(text, Qt.MatchFlag.MatchFixedString) >= 0:
            return
        hits = [i for i in range(combo.count()) if text.casefold() in combo.itemText(i).casefold()]
        if len(hits) == 1:
            combo.setCurrentIndex(hits[0])
            combo.setEditText(combo.itemText(hits[0]))

    def offer(self, values: list[Any]) -> None:
        pass  # the list is the offer


class YesNoEditor(Editor):
    """بله / خیر, nothing chosen at first; the first letter picks by keyboard."""

    def _make(self, parent: QWidget) -> QWidget:
        combo = QComboBox(parent)
        combo.addItem(self.tr("Yes"), True)
        combo.addItem(self.tr("No"), False)
        combo.setPlaceholderText(self.tr("Choose"))
        combo.setCurrentIndex(-1)
        combo.currentIndexChanged.connect(lambda _i: self.changed.emit())
        return combo

    def value(self) -> Any:
        assert isinstance(self.widget, QComboBox)
        index = self.widget.currentIndex()
        return self.widget.itemData(index) if index >= 0 else None

    def set_value(self, value: Any) -> None:
        assert isinstance(self.widget, QComboBox)
        if isinstance(value, str):
            value = {"true": True, "بله": True, "false": False, "خیر": False}.get(value.strip().lower())
        self.widget.setCurrentIndex(self.widget.findData(value) if isinstance(value, bool) else -1)

    def offer(self, values: list[Any]) -> None:
        pass


class PlateEditor(Editor):
    """A vehicle plate in its four boxes, left to right as on the plate: two digits, the series
    letter, three digits, ایران and the province code. Full boxes move on by themselves."""

    def _make(self, parent: QWidget) -> QWidget:
        box = QWidget(parent)
        box.setLayoutDirection(Qt.LayoutDirection.LeftToRight)
        row = QHBoxLayout(box)
        row.setContentsMargins(0, 0, 0, 0)
        self.two = LtrLineEdit(box, "۱۲")
        self.letter = QComboBox(box)
        for letter in forms.PLATE_LETTERS:
            self.letter.addItem(letter)
        self.letter.setPlaceholderText("ب")
        self.letter.setCurrentIndex(-1)
        self.three = LtrLineEdit(box, "۳۴۵")
        self.province = LtrLineEdit(box, "۶۷")
        for edit, size in ((self.two, 2), (self.three, 3), (self.province, 2)):
            edit.setMaxLength(size)
            edit.setFixedWidth(edit.fontMetrics().horizontalAdvance("۸") * (size + 2) + 16)
            edit.textEdited.connect(lambda _t, e=edit: _reformat(e, lambda t: t.translate(_EN_TO_FA)))
            edit.textChanged.connect(lambda _t: self.changed.emit())
        self.two.textEdited.connect(lambda t: self.letter.setFocus() if len(t) == 2 else None)
        self.three.textEdited.connect(lambda t: self.province.setFocus() if len(t) == 3 else None)
        self.letter.currentIndexChanged.connect(lambda _i: self.changed.emit())
        self.letter.activated.connect(lambda _i: self.three.setFocus())
        iran = QLabel("ایران", box)
        for widget in (self.two, self.letter, self.three, iran, self.province):
            row.addWidget(widget)
        row.addStretch(1)
        box.setFocusProxy(self.two)
        return box

    def value(self) -> Any:
        letter = self.letter.currentText() if self.letter.currentIndex() >= 0 else ""
        parts = [self.two.text().strip(), letter, self.three.text().strip(), self.province.text().strip()]
        if not any(parts):
            return None
        return f"{parts[0]}{parts[1]}{parts[2]}-{parts[3]}"

    def set_value(self, value: Any) -> None:
        text = "" if value is None else str(value).translate(_FA_TO_EN)
        m = re.fullmatch(r"\s*(\d*)\s*(\D*?)\s*(\d*)\s*(?:ایران|-)?\s*(\d*)\s*", text)
        two, letter, three, province = m.groups() if m else ("", "", "", "")
        self.two.setText(two.translate(_EN_TO_FA))
        self.letter.setCurrentIndex(self.letter.findText(letter.strip()) if letter.strip() else -1)
        self.three.setText(three.translate(_EN_TO_FA))
        self.province.setText(province.translate(_EN_TO_FA))

    def offer(self, values: list[Any]) -> None:
        pass


def make_editor(spec: FieldSpec, parent: QWidget) -> Editor:
    if spec.kind in (forms.KIND_NUMBER, forms.KIND_AMOUNT):
        return NumberEditor(spec, parent)
    if spec.kind == forms.KIND_DATE:
        return DateEditor(spec, parent)
    if spec.kind == forms.KIND_CODE:
        return PlateEditor(spec, parent) if spec.format == "ir-plate" else CodeEditor(spec, parent)
    if spec.kind == forms.KIND_MULTILINE:
        return MultilineEditor(spec, parent)
    if spec.kind == forms.KIND_CHOICE:
        return ChoiceEditor(spec, parent)
    if spec.kind == forms.KIND_YESNO:
        return YesNoEditor(spec, parent)
    return Editor(spec, parent)


class _Row:
    def __init__(self, editor: Editor, caption: QLabel, box: QWidget, message: MessageLabel, group: QGroupBox):
        self.editor = editor
        self.caption = caption
        self.box = box
        self.message = message
        self.group = group
        self.touched = False
        self.earlier = False  # filled in from an earlier request and not edited since


class FormView(QWidget):
    """The editors of one form; `answers()` gives what the shown fields hold."""

    answers_changed = Signal()

    def __init__(self, form: Form, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("form_view")
        self.form = form
        self.rows: dict[str, _Row] = {}
        self.groups: list[QGroupBox] = []
        self._shown: set[str] = set()
        self._filling = False
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for section in forms.sections(form):
            group = QGroupBox(section.title, self)
            grid = QFormLayout(group)
            grid.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
            for spec in section.fields:
                editor = make_editor(spec, group)
                box = QWidget(group)
                column = QVBoxLayout(box)
                column.setContentsMargins(0, 0, 0, 0)
                column.setSpacing(2)
                column.addWidget(editor.widget)
                message = MessageLabel(box)
                message.setObjectName(f"error_{spec.name}")
                column.addWidget(message)
                caption = QLabel(spec.title + (" *" if spec.required else ""), group)
                caption.setWordWrap(True)
                caption.setBuddy(editor.focus_widget())
                if spec.description:
                    editor.widget.setToolTip(spec.description)
                grid.addRow(caption, box)
                self.rows[spec.name] = _Row(editor, caption, box, message, group)
                editor.changed.connect(lambda name=spec.name: self._edited(name))
            layout.addWidget(group)
            self.groups.append(group)
        app = QApplication.instance()
        assert isinstance(app, QApplication)
        app.focusChanged.connect(self._focus_changed)  # a method of ours: gone with the view
        self._update_visibility()

    # -- values -------------------------------------------------------------------------------

    def typed(self) -> dict[str, Any]:
        """Every editor that holds something, shown or not."""
        out = {}
        for name, row in self.rows.items():
            value = row.editor.value()
            if value is not None:
                out[name] = value
        return out

    def answers(self) -> dict[str, Any]:
        """What the shown fields hold (as typed; the service normalises and freezes it)."""
        return {n: v for n, v in self.typed().items() if n in self._shown}

    def set_values(self, values: Mapping[str, Any]) -> None:
        """Fill editors (a draft's answers, as typed)."""
        self._filling = True
        try:
            for name, value in values.items():
                if name in self.rows:
                    self.rows[name].editor.set_value(value)
                    self.rows[name].touched = True
        finally:
            self._filling = False
        self._update_visibility()

    def offer_earlier(self, earlier: Mapping[str, list[Any]]) -> list[str]:
        """Fill the empty fields with the citizen's latest earlier answers (marked as such) and
        offer the other earlier values; gives the names filled."""
        filled = []
        self._filling = True
        try:
            for name, values in earlier.items():
                row = self.rows.get(name)
                if row is None or not values:
                    continue
                shown = [forms.edit_text(row.editor.spec, v) for v in values]
                row.editor.offer(shown)
                if row.editor.value() is None:
                    row.editor.set_value(shown[0])
                    row.earlier = True
                    row.message.show_hint(self.tr("From this citizen's earlier request: check it."))
                    filled.append(name)
        finally:
            self._filling = False
        self._update_visibility()
        return filled

    # -- conditions ---------------------------------------------------------------------------

    def is_shown(self, name: str) -> bool:
        return name in self._shown

    def _update_visibility(self) -> None:
        shown = set(forms.shown_fields(self.form, self.typed()))
        if shown == self._shown and self._shown:
            return
        self._shown = shown
        for name, row in self.rows.items():
            visible = name in shown
            grid = row.group.layout()
            assert isinstance(grid, QFormLayout)
            grid.setRowVisible(row.box, visible)
            if not visible:
                row.message.clear_message()
        for group in self.groups:
            group.setVisible(any(r.group is group and n in shown for n, r in self.rows.items()))

    def _edited(self, name: str) -> None:
        row = self.rows[name]
        if not self._filling:
            row.touched = True
            if row.earlier:
                row.earlier = False
                row.message.clear_message()
        self._update_visibility()
        if row.message.is_error and not self._filling:
            # an error goes as soon as the field is right; a new one waits for the clerk to leave
            if self.error_for(name) is None:
                row.message.clear_message()
        self.answers_changed.emit()

    # -- errors -------------------------------------------------------------------------------

    def error_for(self, name: str) -> str | None:
        return forms.field_error(self.form, name, self.typed())

    def _focus_changed(self, old: QWidget | None, new: QWidget | None) -> None:
        for name, row in self.rows.items():
            if row.editor.contains(old) and not row.editor.contains(new):
                self._left(name)
            if row.editor.contains(new) and not row.editor.contains(old):
                parent = self.parentWidget()
                while parent is not None and not isinstance(parent, QScrollArea):
                    parent = parent.parentWidget()
                if isinstance(parent, QScrollArea) and new is not None:
                    parent.ensureWidgetVisible(new, 10, 30)

    def _left(self, name: str) -> None:
        row = self.rows[name]
        row.editor.left()
        if name not in self._shown:
            return
        message = self.error_for(name)
        if message and (row.touched or row.editor.value() is not None or row.message.is_error):
            row.message.show_error(message)  # a missing answer only once the field was touched
        elif not message and row.message.is_error:
            row.message.clear_message()

    def check(self, focus: bool = True) -> bool:
        """Show every error at once (focus on the first); True when the answers are good."""
        errors = forms.all_errors(self.form, self.typed())
        self.show_errors(errors, focus=focus)
        return not errors

    def show_errors(self, errors: Mapping[str, str], focus: bool = True) -> bool:
        """Show these messages next to their fields; False when none of them is ours."""
        first = None
        for name, row in self.rows.items():
            text = errors.get(name)
            if text:
                row.message.show_error(text)
                first = first or row
            elif row.message.is_error:
                row.message.clear_message()
        if first is not None and focus:
            first.editor.focus_widget().setFocus()
        return first is not None

    def error_text(self, name: str) -> str:
        row = self.rows[name]
        return row.message.text() if row.message.is_error else ""

    def first_widget(self) -> QWidget | None:
        for name, row in self.rows.items():
            if name in self._shown:
                return row.editor.focus_widget()
        return None

    def focus_chain(self) -> list[QWidget]:
        """The focusable widgets in tab order (shown or not: hidden ones are skipped by Qt)."""
        chain: list[QWidget] = []
        for row in self.rows.values():
            if isinstance(row.editor, PlateEditor):
                chain += [row.editor.two, row.editor.letter, row.editor.three, row.editor.province]
            else:
                chain.append(row.editor.widget)
        return chain


class FormPanel(QScrollArea):
    """The chosen service's form below the citizen's fields: loaded on the database thread when
    the service changes; empty (and hidden) for a service without a form."""

    loaded = Signal(object)  # the FormView, or None

    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("form_panel")
        self.ctx = ctx
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.view: FormView | None = None
        self.service_code: str | None = None
        self.national_code: str | None = None
        self._pending: dict[str, Any] | None = None
        self._generation = 0
        self._take_focus = False
        self._pending_for: str | None = None
        self.before: QWidget | None = None  # the widget the form's fields come after in tab order
        self.after: QWidget | None = None  # and before
        self.hide()

    # -- the page's calls ---------------------------------------------------------------------

    def set_service(
        self, code: str | None, national_code: str | None = None, values: Mapping | None = None, focus: bool = False
    ) -> None:
        """Show the form of service `code` (None: none), with `values` (a draft's) and the
        earlier answers of `national_code`; `focus`: its first field takes the focus when it
        comes (unless the clerk has gone elsewhere meanwhile)."""
        self._generation += 1
        self._take_focus = focus
        generation = self._generation
        self.service_code = code
        self.national_code = national_code
        if values is not None:
            self.keep_values(code, values)
        elif self._pending_for != code:
            self._pending = None
        if code is None:
            self._build(None, {})
            return
        desk = self.ctx.desk

        def job():
            form = forms.service_form(desk, code)
            earlier = forms.earlier_answers(desk, national_code) if form is not None and national_code else {}
            return form, earlier

        def done(result) -> None:
            if generation == self._generation:
                self._build(*result)

        self.ctx.runner.db(job, success=done, failure=lambda exc: self._failed(generation, exc))

    def set_national_code(self, national_code: str | None) -> None:
        """The citizen changed: offer their earlier answers to the form that is shown."""
        if national_code == self.national_code:
            return
        self.national_code = national_code
        if self.view is None or not national_code:
            return
        desk, view = self.ctx.desk, self.view

        def done(earlier) -> None:
            if view is self.view:
                view.offer_earlier(earlier)

        self.ctx.runner.db(lambda: forms.earlier_answers(desk, national_code), success=done, failure=lambda e: None)

    def keep_values(self, code: str | None, values: Mapping[str, Any]) -> None:
        """Answers (a draft's) for the form of service `code` when it is shown next."""
        self._pending_for = code
        self._pending = dict(values) if values else None

    def answers(self) -> dict[str, Any]:
        return self.view.answers() if self.view is not None else {}

    def draft_values(self) -> dict[str, Any]:
        if self.view is None:
            return dict(self._pending or {})
        return self.view.answers()

    def check(self, focus: bool = True) -> bool:
        return self.view.check(focus) if self.view is not None else True

    def show_exception(self, exc: BaseException) -> bool:
        """A refusal from the save (`AnswersError`) shown next to its fields; False if not ours."""
        errors = getattr(exc, "errors", None)
        if self.view is None or not isinstance(errors, list):
            return False
        found = {e.field: e.message for e in errors if isinstance(e, forms.FieldError)}
        return self.view.show_errors(found)

    def clear(self) -> None:
        self._pending = None
        self.set_service(None)

    def focus_first(self) -> bool:
        widget = self.view.first_widget() if self.view is not None else None
        if widget is None:
            return False
        widget.setFocus()
        return True

    # -- building -----------------------------------------------------------------------------

    def _failed(self, generation: int, exc: BaseException) -> None:
        if generation == self._generation:
            self._build(None, {})

    def _build(self, form: Form | None, earlier: Mapping[str, list[Any]]) -> None:
        old = self.takeWidget()
        if old is not None:
            old.deleteLater()
        self.view = None
        if form is None or not forms.field_specs(form):
            self.hide()
            self.loaded.emit(None)
            return
        view = FormView(form, self)
        if self._pending:
            view.set_values(self._pending)
        self._pending = None
        if earlier:
            view.offer_earlier(earlier)
        self.setWidget(view)
        self.view = view
        chain = [w for w in (self.before, *view.focus_chain(), self.after) if w is not None]
        for a, b in zip(chain, chain[1:], strict=False):
            QWidget.setTabOrder(a, b)
        self.show()
        self.loaded.emit(view)
        focus = QApplication.focusWidget()
        if self._take_focus and (focus is None or focus in (self.before, self.after)):
            self.focus_first()  # the service was just picked: its first field is next
        self._take_focus = False


def fields_text(values: list[forms.DisplayValue]) -> str:
    """`title: value` lines; codes, numbers and dates kept left-to-right inside the Persian."""
    lines = []
    for d in values:
        value = d.value.replace("\n", " ")
        lines.append(f"{d.label}: " + (f"\u2066{value}\u2069" if d.ltr else value))
    return "\n".join(lines)


def show_request_fields(ctx, row, label: QLabel, current: Callable[[], Any]) -> None:
    """Fill `label` with the fields `row` froze (read on the database thread); `current()` is the
    row still selected when the answer comes."""
    label.clear()
    label.setWordWrap(True)
    desk, request_id = ctx.desk, row.request_id

    def done(values) -> None:
        now = current()
        if now is not None and now.request_id == request_id:
            label.setText(fields_text(values))

    ctx.runner.db(lambda: forms.request_fields(desk, request_id), success=done, failure=lambda exc: None)
