"""Small widgets shared by the pages: left-to-right code fields, Jalali date field, field errors.

Codes, numbers and dates stay left-to-right inside the right-to-left window (CONVENTIONS.md 7).
Dates are plain LTR line edits parsed with `desk_app.domain.jalali.parse_jalali_date`, never
QDateEdit (it reverses its sections in RTL) nor Qt's Jalali calendar (it disagrees with
jdatetime from 1436 on).
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from desk_app.domain.errors import InvalidInput
from desk_app.domain.jalali import format_jalali_date, parse_jalali_date

ERROR_STYLE = "color: #b00020;"
OK_STYLE = "color: #1b5e20;"
HINT_STYLE = "color: #555555;"


class LtrLineEdit(QLineEdit):
    """A line edit for codes, numbers, receipt numbers and dates: always left-to-right."""

    def __init__(self, parent: QWidget | None = None, placeholder: str = ""):
        super().__init__(parent)
        self.setLayoutDirection(Qt.LayoutDirection.LeftToRight)
        self.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        if placeholder:
            self.setPlaceholderText(placeholder)


class JalaliDateEdit(LtrLineEdit):
    """`1405/09/08` with Persian or ASCII digits; `date()` gives the Gregorian date or None."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent, placeholder="1405/09/08")
        self.setMaxLength(10)

    def date(self) -> dt.date | None:
        """The Gregorian date typed, None when empty; raises `InvalidInput` when malformed."""
        text = self.text().strip()
        if not text:
            return None
        return parse_jalali_date(text)

    def setDate(self, gdate: dt.date | None) -> None:  # noqa: N802 - Qt naming
        self.setText("" if gdate is None else format_jalali_date(gdate, persian=True))


class MessageLabel(QLabel):
    """The line under a field that says what is wrong (or right) in Persian."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWordWrap(True)
        self.hide()

    def show_error(self, text: str) -> None:
        self._show(text, ERROR_STYLE)

    def show_ok(self, text: str) -> None:
        self._show(text, OK_STYLE)

    def show_hint(self, text: str) -> None:
        self._show(text, HINT_STYLE)

    def clear_message(self) -> None:
        self.setText("")
        self.hide()

    def _show(self, text: str, style: str) -> None:
        self.setStyleSheet(style)
        self.setText(text)
        self.setVisible(bool(text))

    @property
    def is_error(self) -> bool:
        return not self.isHidden() and self.styleSheet() == ERROR_STYLE


class FieldForm(QWidget):
    """A form whose every field has a message line right under it, keyed by field name."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.form = QFormLayout(self)
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.fields: dict[str, QWidget] = {}
        self.messages: dict[str, MessageLabel] = {}

    def add_field(self, name: str, label: str, widget: QWidget) -> MessageLabel:
        box = QWidget(self)
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(widget)
        message = MessageLabel(box)
        message.setObjectName(f"error_{name}")
        layout.addWidget(message)
        caption = QLabel(label, self)
        caption.setBuddy(widget)
        self.form.addRow(caption, box)
        widget.setObjectName(name)
        self.fields[name] = widget
        self.messages[name] = message
        return message

    def set_error(self, name: str | None, text: str) -> bool:
        """Show `text` under field `name`; False when there is no such field."""
        if name in self.messages:
            self.messages[name].show_error(text)
            self.fields[name].setFocus()
            return True
        return False

    def clear_errors(self) -> None:
        for message in self.messages.values():
            message.clear_message()

    def error_text(self, name: str) -> str:
        message = self.messages[name]
        return message.text() if message.is_error else ""


def parse_or_message(parse, text: str) -> tuple[object | None, str | None]:
    """Run a domain parser; give (value, None) or (None, Persian message)."""
    try:
        return parse(text), None
    except InvalidInput as exc:
        return None, exc.message
