"""Small widgets shared by the pages: left-to-right code fields, Jalali date field, field errors.

Codes, numbers and dates stay left-to-right inside the right-to-left window (CONVENTIONS.md 7).
Dates are plain LTR line edits parsed with `desk_app.domain.jalali.parse_jalali_date`, never
QDateEdit (it reverses its sections in RTL) nor Qt's Jalali calendar (it disagrees with
jdatetime from 1436 on).
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QCoreApplication, QEvent, QItemSelectionModel, QObject, Qt
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

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

    def persian_digits_while_typing(self) -> None:
        """Typed ASCII digits show as Persian ones (the one digit style, docs/ARCHITECTURE.md);
        the services read either (`normalize_digits`). Not for codes copied from other systems."""
        from desk_app.ui.i18n import current_language

        if current_language() == "fa":
            self.textEdited.connect(self._to_persian_digits)

    def _to_persian_digits(self, text: str) -> None:
        from desk_app.domain.text import to_persian_digits

        shown = to_persian_digits(text)
        if shown != text:
            cursor = self.cursorPosition()
            self.setText(shown)
            self.setCursorPosition(cursor)


class JalaliDateEdit(LtrLineEdit):
    """`1405/09/08` with Persian or ASCII digits; `date()` gives the Gregorian date or None."""

    def __init__(self, parent: QWidget | None = None):
        from desk_app.ui.i18n import local_digits

        super().__init__(parent, placeholder=local_digits("1405/09/08"))
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


# -- direction: codes and paths inside Persian text ----------------------------------------------

LRI, PDI = "\u2066", "\u2069"


def ltr(text: object) -> str:
    """A code, receipt number or path inside a Persian sentence: an isolated left-to-right run
    (U+2066 … U+2069), so «0001-050911-1-4512» and «/home/x/a.pdf» keep their written order."""
    value = str(text)
    if value.startswith(LRI) and value.endswith(PDI):
        return value
    return f"{LRI}{value}{PDI}"


# -- amounts typed with grouping -------------------------------------------------------------------


class MoneyLineEdit(LtrLineEdit):
    """Rials typed as «۵٬۰۰۰٬۰۰۰»: Persian digits and the Persian thousands separator while typing
    (the one digit style, docs/ARCHITECTURE.md); `value()` parses back with
    `desk_app.domain.money.parse_rials`, so ASCII digits, `,` and spaces are accepted too."""

    def __init__(self, parent: QWidget | None = None, placeholder: str = ""):
        super().__init__(parent, placeholder)
        self.setMaxLength(24)
        self.textEdited.connect(self._regroup)

    @staticmethod
    def grouped(text: str) -> str:
        from desk_app.domain.text import normalize_digits, to_persian_digits

        digits = "".join(ch for ch in normalize_digits(text) if ch.isascii() and ch.isdigit())
        if not digits:
            return text
        digits = digits.lstrip("0") or "0"
        return to_persian_digits(f"{int(digits):,}".replace(",", "\u066c"))

    def _regroup(self, text: str) -> None:
        from desk_app.domain.text import normalize_digits

        plain = normalize_digits(text)
        if any(not (ch.isdigit() or ch in ",\u066c\u060c ") for ch in plain):
            return  # letters or a minus: left as typed, `value()` says what is wrong
        cursor_from_end = len(text) - self.cursorPosition()
        grouped = self.grouped(text)
        if grouped != text:
            self.setText(grouped)
            self.setCursorPosition(max(0, len(grouped) - cursor_from_end))

    def set_amount(self, rials: int | None) -> None:
        self.setText("" if rials is None else self.grouped(str(rials)))

    def value(self, field: str = "amount") -> int:
        """Integer rials; raises `InvalidInput` (Persian) for anything else."""
        from desk_app.domain.money import parse_rials

        return parse_rials(self.text(), field=field)


# -- keyboard: one Tab stop per table, Enter opens, the Menu key gives the row's actions -----------


# where a button keeps its shortcut's text: not QAbstractButton's own "shortcut" property, which
# would bind the key a second time for the whole window (Qt then calls both "ambiguous")
SHORTCUT_PROPERTY = "desk_shortcut"


def shortcut_text(sequence: str | QKeySequence) -> str:
    """A shortcut as people see it on this system («Ctrl+P»), always left-to-right in Persian text."""
    seq = sequence if isinstance(sequence, QKeySequence) else QKeySequence(sequence)
    return ltr(seq.toString(QKeySequence.SequenceFormat.PortableText))  # «Ctrl», as printed on the keys


def give_shortcut(widget: QWidget, button, sequence: str, *, on_text: bool = False) -> QShortcut:
    """Bind `sequence` to `button.click` while the focus is inside `widget`, and say it on the
    button: in its tooltip, and in its text when `on_text` (the page's main actions)."""
    shortcut = QShortcut(QKeySequence(sequence), widget)
    shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)

    def fire() -> None:
        if button.isEnabled() and button.isVisible():
            button.click()

    shortcut.activated.connect(fire)
    shown = shortcut_text(sequence)
    tip = QCoreApplication.translate("Shortcuts", "Shortcut: %1").replace("%1", shown)
    old = button.toolTip()
    button.setToolTip(f"{old}\n{tip}" if old else tip)
    if on_text and shown not in button.text():
        button.setText(f"{button.text()} ({shown})")
    button.setProperty(SHORTCUT_PROPERTY, sequence)
    return shortcut


class RowKeys(QObject):
    """Keyboard for a table of rows: Tab leaves it (one Tab stop), Enter calls `open_row`, and the
    Menu key, Shift+F10 or a right click show a menu of `actions()` (QActions for the current row).

    Rows are whole-row selected; moving the cursor with the arrows selects the row under it."""

    def __init__(self, table: QAbstractItemView, open_row, actions):
        super().__init__(table)
        self.table = table
        self.open_row = open_row
        self.actions = actions
        self.menu: QMenu | None = None
        table.setTabKeyNavigation(False)
        table.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        table.customContextMenuRequested.connect(self._menu_at)
        table.installEventFilter(self)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802
        if obj is self.table and event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            key, mods = event.key(), event.modifiers()
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not mods & Qt.KeyboardModifier.ControlModifier:
                self._select_current_if_none()
                if self._current_row() is not None:
                    self.open_row()
                return True
            if key == Qt.Key.Key_Menu or (key == Qt.Key.Key_F10 and mods & Qt.KeyboardModifier.ShiftModifier):
                self.show_menu()
                return True
        if obj is self.table and event.type() == QEvent.Type.FocusIn:
            self._select_current_if_none()
        return super().eventFilter(obj, event)

    def _current_row(self) -> int | None:
        index = self.table.currentIndex()
        return index.row() if index.isValid() else None

    def _select_current_if_none(self) -> None:
        model = self.table.model()
        selection = self.table.selectionModel()
        if model is None or selection is None or selection.hasSelection() or not model.rowCount():
            return
        index = self.table.currentIndex()
        row = index.row() if index.isValid() else 0
        selection.setCurrentIndex(
            model.index(row, 0),
            QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
        )

    def _menu_at(self, pos) -> None:
        index = self.table.indexAt(pos)
        if index.isValid() and self.table.selectionModel() is not None:
            self.table.selectionModel().setCurrentIndex(
                index,
                QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
            )
        self.show_menu(self.table.viewport().mapToGlobal(pos))

    def show_menu(self, global_pos=None) -> QMenu | None:
        """The row's actions at the current row (keyboard) or at the pointer; None without a row."""
        self._select_current_if_none()
        row = self._current_row()
        if row is None:
            return None
        if global_pos is None:
            rect = self.table.visualRect(self.table.currentIndex())
            global_pos = self.table.viewport().mapToGlobal(rect.center())
        menu = QMenu(self.table)
        menu.setObjectName("row_actions")
        for action in self.actions():
            menu.addAction(action)
        self.menu = menu
        menu.aboutToHide.connect(lambda: setattr(self, "menu", None) if self.menu is menu else None)
        menu.popup(global_pos)
        if menu.actions():
            menu.setActiveAction(next((a for a in menu.actions() if a.isEnabled()), menu.actions()[0]))
        return menu


def button_action(button, parent: QObject) -> QAction:
    """A menu entry doing what `button` does, with its text, enabled state and shortcut."""
    shortcut = button.property(SHORTCUT_PROPERTY)
    text = button.text()
    if shortcut:  # the shortcut in the menu's own column, written as on the button («Ctrl+P»)
        text = text.replace(f" ({shortcut_text(shortcut)})", "") + "\t" + shortcut_text(shortcut)
    action = QAction(text, parent)
    action.setEnabled(button.isEnabled())
    action.triggered.connect(button.click)
    return action


# -- Ctrl+1..9 whatever the keyboard layout ---------------------------------------------------------

# X11/evdev key codes of the digit row 1..9 (10..18) and Windows scan codes (2..10); Windows and
# macOS virtual keys and X11's Latin keysyms are '1'..'9' (0x31..0x39).
_X11_DIGIT_KEYCODES = {10 + i: i + 1 for i in range(9)}
_WIN_DIGIT_SCANCODES = {2 + i: i + 1 for i in range(9)}
_DIGIT_VIRTUAL_KEYS = {0x31 + i: i + 1 for i in range(9)}
_PERSIAN_DIGITS = {0x06F1 + i: i + 1 for i in range(9)}  # ۱..۹ (Persian layout)
_ARABIC_DIGITS = {0x0661 + i: i + 1 for i in range(9)}  # ١..٩


def digit_row_number(event: QKeyEvent) -> int | None:
    """1..9 for a key of the digit row, matched by key code, by the native virtual key or scan code
    (what the key is, whatever layout is active), not by the text it types: in the Persian layout
    Ctrl+1 arrives as «۱» (key 0x6F1, keysym Farsi_1)."""
    import sys

    key = event.key()
    if Qt.Key.Key_1 <= key <= Qt.Key.Key_9:
        return key - Qt.Key.Key_0
    for table in (_PERSIAN_DIGITS, _ARABIC_DIGITS):
        if key in table:
            return table[key]
    virtual = event.nativeVirtualKey()
    if virtual in _DIGIT_VIRTUAL_KEYS:
        return _DIGIT_VIRTUAL_KEYS[virtual]
    if virtual - 0x01000000 in _PERSIAN_DIGITS:  # X11 keysym Farsi_1 = 0x10006f1
        return _PERSIAN_DIGITS[virtual - 0x01000000]
    scan = event.nativeScanCode()
    codes = _WIN_DIGIT_SCANCODES if sys.platform.startswith("win") else _X11_DIGIT_KEYCODES
    if not sys.platform.startswith("darwin") and scan in codes:
        return codes[scan]
    return None


def latin_letters(text: str) -> bool:
    """True when a name holds Latin letters (a warning on intake: names go in Persian)."""
    return any(ch.isascii() and ch.isalpha() for ch in text)


class ReasonEdit(QPlainTextEdit):
    """A few lines for a reason (cancelling, a cash difference): room to write a sentence; Tab
    moves on instead of typing a tab; `text()` like a line edit."""

    def __init__(self, parent: QWidget | None = None, lines: int = 3):
        super().__init__(parent)
        self.setTabChangesFocus(True)
        self.setMinimumWidth(360)
        height = self.fontMetrics().lineSpacing() * lines + 2 * self.frameWidth() + 12
        self.setMinimumHeight(height)
        self.setMaximumHeight(height * 2)

    def text(self) -> str:
        return self.toPlainText()

    def setText(self, text: str) -> None:  # noqa: N802 - like QLineEdit
        self.setPlainText(text)
