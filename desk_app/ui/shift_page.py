"""Shift (شیفت): open with the opening cash; close with counted cash per payment method.

Closing asks first: a confirmation shows expected, counted and the difference per method, as the
service computes them (`shifts.close_preview`), and the close is made with those figures (the
service refuses when they moved in between). Enter walks the counted fields, then the close
button, then the confirmation's own button: no mouse needed.

A manager also sees every open shift on this PC (whose, since when, requests, the cash and card
the drawer should hold) and may count and close a clerk's shift: it is recorded as closed by the
manager for that clerk, in the shift, the audit log and the reports.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QItemSelectionModel, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desk_app.domain.errors import InvalidInput
from desk_app.domain.money import format_amount, parse_rials
from desk_app.ui.context import UiContext
from desk_app.ui.errors import describe_error
from desk_app.ui.i18n import local_digits
from desk_app.ui.requests_model import format_when
from desk_app.ui.table_model import ITEM_ROLE, ItemsTableModel
from desk_app.ui.widgets import FieldForm, MessageLabel, MoneyLineEdit, give_shortcut, ltr

if TYPE_CHECKING:
    pass

METHODS = ("cash", "card")
SHORTAGE_STYLE = "color: #b00020;"


def method_names() -> dict[str, str]:
    return {
        "cash": QCoreApplication.translate("ShiftPage", "Cash"),
        "card": QCoreApplication.translate("ShiftPage", "Card"),
    }


def difference_text(diff: int, unit: str) -> str:
    """«کسری ۱٬۰۰۰ ریال» / «اضافه …» / «بدون اختلاف»: words, not a sign that moves about in RTL."""
    if diff == 0:
        return QCoreApplication.translate("ShiftPage", "no difference")
    if diff > 0:
        word = QCoreApplication.translate("ShiftPage", "surplus %1")
    else:
        word = QCoreApplication.translate("ShiftPage", "shortage %1")
    return word.replace("%1", format_amount(abs(diff), unit))


def fill_figures(grid: QGridLayout, owner: QWidget, view, unit: str, prefix: str) -> None:
    """Rows method | expected | counted | difference of a close (preview or done) into `grid`."""
    while grid.count():
        item = grid.takeAt(0)
        widget = item.widget() if item is not None else None
        if widget is not None:
            widget.deleteLater()
    headers = (
        QCoreApplication.translate("ShiftPage", "Method"),
        QCoreApplication.translate("ShiftPage", "Expected"),
        QCoreApplication.translate("ShiftPage", "Counted"),
        QCoreApplication.translate("ShiftPage", "Difference"),
    )
    for col, text in enumerate(headers):
        grid.addWidget(QLabel(f"<b>{text}</b>", owner), 0, col)
    names = method_names()
    methods = sorted(
        set(view.expected) | set(view.counted),
        key=lambda m: (METHODS.index(m) if m in METHODS else len(METHODS), m),
    )
    for row, method in enumerate(methods, start=1):
        diff = view.difference.get(method, 0)
        cells = (
            names.get(method, method),
            format_amount(view.expected.get(method, 0), unit),
            format_amount(view.counted.get(method, 0), unit),
            difference_text(diff, unit),
        )
        for col, text in enumerate(cells):
            label = QLabel(text, owner)
            label.setObjectName(f"{prefix}_{method}_{col}")
            if col == 3 and diff:
                label.setStyleSheet(SHORTAGE_STYLE)
            if col in (1, 2, 3):
                label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            grid.addWidget(label, row, col)


class OpenShiftsModel(ItemsTableModel):
    """The manager's list of open shifts (`shifts.OpenShiftView`)."""

    left_aligned = frozenset({2, 3, 4})

    def headers(self) -> tuple[str, ...]:
        return (
            self.tr("Clerk"),
            self.tr("Opened at"),
            self.tr("Requests"),
            self.tr("Cash expected"),
            self.tr("Card expected"),
        )

    def cell(self, item, column: int):
        if column == 0:
            return item.clerk_name
        if column == 1:
            return format_when(item.opened_at)
        if column == 2:
            return local_digits(str(item.requests))
        return format_amount(item.expected.get("cash" if column == 3 else "card", 0), self.unit)

    def tooltip(self, item, column: int):
        if item.drafts:
            return self.tr("%1 unfinished intake form(s): the clerk must save or discard them first.").replace(
                "%1", local_digits(str(item.drafts))
            )
        return None


class ShiftCloseConfirmDialog(QDialog):
    """Expected, counted and difference per method, before anything is closed."""

    def __init__(self, view, closer_name: str | None, unit: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.view = view
        self.setObjectName("shift_close_confirm")
        self.setWindowTitle(self.tr("Close the shift?"))
        layout = QVBoxLayout(self)
        who = view.clerk_name or view.clerk
        if closer_name:
            head = (
                self.tr("Close the shift of %1, counted by %2?").replace("%1", who).replace("%2", closer_name)
                + "\n"
                + self.tr("It is recorded as closed by %1 for %2.").replace("%1", closer_name).replace("%2", who)
            )
        else:
            head = self.tr("Close your shift (%1)?").replace("%1", who)
        self.head = QLabel(head, self)
        self.head.setObjectName("confirm_head")
        self.head.setWordWrap(True)
        layout.addWidget(self.head)
        facts = QLabel(
            self.tr("Opened %1 with %2; %3 request(s), %4 cancellation(s).")
            .replace("%1", format_when(view.opened_at))
            .replace("%2", format_amount(view.opening_cash, unit))
            .replace("%3", local_digits(str(view.requests)))
            .replace("%4", local_digits(str(view.cancellations))),
            self,
        )
        facts.setWordWrap(True)
        layout.addWidget(facts)
        self.grid = QGridLayout()
        self.grid.setHorizontalSpacing(18)
        fill_figures(self.grid, self, view, unit, "confirm")
        layout.addLayout(self.grid)
        if any(view.difference.get(m, 0) for m in view.difference):
            warn = QLabel(self.tr("The counted amounts differ from what is expected. Count again if unsure."), self)
            warn.setObjectName("confirm_difference_warning")
            warn.setStyleSheet(SHORTAGE_STYLE)
            warn.setWordWrap(True)
            layout.addWidget(warn)
        buttons = QHBoxLayout()
        self.confirm_button = QPushButton(self.tr("Close the shift (Enter)"), self)
        self.confirm_button.setObjectName("confirm_close")
        self.back_button = QPushButton(self.tr("Back (Esc)"), self)
        self.confirm_button.setDefault(True)
        buttons.addWidget(self.confirm_button)
        buttons.addStretch(1)
        buttons.addWidget(self.back_button)
        layout.addLayout(buttons)
        self.confirm_button.clicked.connect(self.accept)
        self.back_button.clicked.connect(self.reject)
        self.confirm_button.setFocus()

    def texts(self) -> list[str]:
        """Every figure shown (tests read them back)."""
        labels = (self.grid.itemAt(i) for i in range(self.grid.count()))
        return [w.text() for w in (item.widget() for item in labels if item is not None) if isinstance(w, QLabel)]


class ShiftPage(QWidget):
    backup_written = Signal(object)  # autobackup.BackupOutcome of the shift-close backup
    closed = Signal(object)  # shifts.ShiftCloseView

    def __init__(self, ctx: UiContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.shift = None
        self.last_close = None
        self.target = None  # OpenShiftView of another user's shift the manager is closing
        self.confirm_dialog: ShiftCloseConfirmDialog | None = None
        layout = QVBoxLayout(self)
        self.state_label = QLabel(self)
        self.state_label.setObjectName("shift_state")
        layout.addWidget(self.state_label)

        open_box = QGroupBox(self.tr("Open a shift"), self)
        open_layout = QHBoxLayout(open_box)
        self.open_form = FieldForm(open_box)
        self.opening_cash = MoneyLineEdit(open_box, local_digits("0"))
        self.opening_cash.setMaximumWidth(260)
        self.open_form.add_field("opening_cash", self.tr("Opening cash (rials)"), self.opening_cash)
        self.open_button = QPushButton(self.tr("Open shift"), open_box)
        open_layout.addWidget(self.open_form, 1)
        open_layout.addWidget(self.open_button)
        layout.addWidget(open_box)
        self.open_box = open_box

        close_box = QGroupBox(self.tr("Close the shift"), self)
        close_layout = QVBoxLayout(close_box)
        self.close_form = FieldForm(close_box)
        self.counted = {
            "cash": MoneyLineEdit(close_box, local_digits("0")),
            "card": MoneyLineEdit(close_box, local_digits("0")),
        }
        for edit in self.counted.values():
            edit.setMaximumWidth(260)
        self.close_form.add_field("cash", self.tr("Counted cash (rials)"), self.counted["cash"])
        self.close_form.add_field("card", self.tr("Card machine total (rials)"), self.counted["card"])
        close_layout.addWidget(self.close_form)
        self.close_button = QPushButton(self.tr("Close shift…"), close_box)
        self.close_button.setObjectName("close_shift_button")
        self.close_button.setAutoDefault(True)  # Enter on it asks for the confirmation
        self.own_button = QPushButton(self.tr("Back to my own shift"), close_box)
        self.own_button.hide()
        self.report_button = QPushButton(self.tr("Save shift report (PDF)…"), close_box)
        self.report_button.setEnabled(False)
        row = QHBoxLayout()
        row.addWidget(self.close_button, 1)
        row.addWidget(self.own_button)
        row.addWidget(self.report_button)
        close_layout.addLayout(row)
        self.result_grid = QGridLayout()
        close_layout.addLayout(self.result_grid)
        layout.addWidget(close_box)
        self.close_box = close_box

        self.open_shifts_box = None
        self.open_shifts = OpenShiftsModel(self, unit=ctx.prefs.display_unit)
        if ctx.is_manager:
            box = QGroupBox(self.tr("Open shifts on this PC"), self)
            box.setObjectName("open_shifts_box")
            box_layout = QVBoxLayout(box)
            self.open_shifts_table = QTableView(box)
            self.open_shifts_table.setObjectName("open_shifts")
            self.open_shifts_table.setModel(self.open_shifts)
            self.open_shifts_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
            self.open_shifts_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
            self.open_shifts_table.setTabKeyNavigation(False)
            self.open_shifts_table.verticalHeader().hide()
            header = self.open_shifts_table.horizontalHeader()
            header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
            self.open_shifts_table.setMaximumHeight(180)
            box_layout.addWidget(self.open_shifts_table)
            self.open_shifts_note = QLabel(box)
            self.open_shifts_note.setObjectName("open_shifts_note")
            self.open_shifts_note.setWordWrap(True)
            box_layout.addWidget(self.open_shifts_note)
            self.count_button = QPushButton(self.tr("Count and close the selected shift"), box)
            self.count_button.setObjectName("count_selected_shift")
            self.count_button.setEnabled(False)
            box_layout.addWidget(self.count_button, 0, Qt.AlignmentFlag.AlignLeft)
            layout.addWidget(box)
            self.open_shifts_box = box
            self.count_button.clicked.connect(self.count_selected)
            self.open_shifts_table.activated.connect(lambda _index: self.count_selected())
            self.open_shifts_table.selectionModel().selectionChanged.connect(
                lambda *_: self.count_button.setEnabled(self.selected_open_shift() is not None)
            )

        self.message = MessageLabel(self)
        self.message.setObjectName("shift_message")
        layout.addWidget(self.message)
        self.backup_note = MessageLabel(self)
        self.backup_note.setObjectName("shift_backup_note")
        layout.addWidget(self.backup_note)
        layout.addStretch(1)
        self.open_button.clicked.connect(self.open_shift)
        self.close_button.clicked.connect(self.close_shift)
        self.own_button.clicked.connect(lambda: self.set_target(None))
        self.report_button.clicked.connect(self._report_dialog)
        self.shortcuts = [  # said in each button's tooltip (issue 13)
            give_shortcut(self, self.open_button, "Ctrl+O"),
            give_shortcut(self, self.close_button, "Ctrl+Shift+E"),
            give_shortcut(self, self.own_button, "Ctrl+B"),
            give_shortcut(self, self.report_button, "Ctrl+Shift+S"),
        ]
        if getattr(self, "count_button", None) is not None:
            self.shortcuts.append(give_shortcut(self, self.count_button, "Ctrl+Shift+K"))
        self.opening_cash.returnPressed.connect(self.open_shift)
        # Enter moves on: counted cash -> card total -> the close button (Enter there asks)
        self.counted["cash"].returnPressed.connect(self.counted["card"].setFocus)
        self.counted["card"].returnPressed.connect(self.close_button.setFocus)
        ctx.requests_changed.connect(self.refresh)

    # -- state ----------------------------------------------------------------------------------

    def refresh(self) -> None:
        desk, clerk = self.ctx.desk, self.ctx.username

        def job():
            from desk_app.services import shifts

            return shifts.current_shift(desk, clerk)

        self.ctx.runner.db(
            job, success=self._show_shift, failure=lambda exc: self.message.show_error(describe_error(exc))
        )
        self.refresh_open_shifts()

    def refresh_open_shifts(self) -> None:
        if self.open_shifts_box is None:
            return
        desk, user = self.ctx.desk, self.ctx.username

        def job():
            from desk_app.services import shifts

            return shifts.open_shifts(desk, user)

        self.ctx.runner.db(
            job, success=self._show_open_shifts, failure=lambda exc: self.message.show_error(describe_error(exc))
        )

    def _show_open_shifts(self, items) -> None:
        self.open_shifts.unit = self.ctx.prefs.display_unit
        self.open_shifts.set_items(items)
        others = [s for s in items if s.clerk != self.ctx.username]
        if not items:
            self.open_shifts_note.setText(self.tr("No shift is open on this PC."))
        elif not others:
            self.open_shifts_note.setText(self.tr("Only your own shift is open on this PC."))
        else:
            self.open_shifts_note.setText(
                self.tr("%1 shift(s) open, %2 of other users. Choose one to count its cash and close it.")
                .replace("%1", local_digits(str(len(items))))
                .replace("%2", local_digits(str(len(others))))
            )
        if self.target is not None and not any(s.shift_id == self.target.shift_id for s in items):
            self.set_target(None)  # closed meanwhile (by its clerk)
        if items:  # a row is always chosen: Tab into the table, Up/Down, Enter counts it
            first = next((i for i, s in enumerate(items) if s.clerk != self.ctx.username), 0)
            flags = QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
            self.open_shifts_table.selectionModel().setCurrentIndex(self.open_shifts.index(first, 0), flags)
        self.count_button.setEnabled(self.selected_open_shift() is not None)

    def _show_shift(self, shift) -> None:
        self.shift = shift
        if shift is None:
            self.state_label.setText(self.tr("No shift is open. A shift opens by itself at the first intake."))
        else:
            self.state_label.setText(
                self.tr("Shift open since %1, opening cash %2")
                .replace("%1", format_when(shift.opened_at))
                .replace("%2", format_amount(shift.opening_cash, self.ctx.prefs.display_unit))
            )
        self.open_box.setEnabled(shift is None)
        self._update_close_box()

    def _update_close_box(self) -> None:
        if self.target is None:
            self.close_box.setTitle(self.tr("Close the shift"))
            self.close_button.setText(self.tr("Close shift…"))
            self.close_button.setEnabled(self.shift is not None)
        else:
            self.close_box.setTitle(
                self.tr("Close the shift of %1 (counted by you)").replace("%1", self.target.clerk_name)
            )
            self.close_button.setText(self.tr("Close the shift of %1…").replace("%1", self.target.clerk_name))
            self.close_button.setEnabled(True)
        self.own_button.setVisible(self.target is not None)

    def selected_open_shift(self):
        if self.open_shifts_box is None:
            return None
        rows = self.open_shifts_table.selectionModel().selectedRows()
        return rows[0].data(ITEM_ROLE) if rows else None

    def count_selected(self) -> None:
        """The manager counts the selected shift: the close box now closes that one."""
        item = self.selected_open_shift()
        if item is not None:
            self.set_target(item)

    def set_target(self, item) -> None:
        """Close another user's shift (`item`, an OpenShiftView) or, with None, one's own."""
        if item is not None and item.clerk == self.ctx.username:
            item = None
        self.target = item
        self.close_form.clear_errors()
        for edit in self.counted.values():
            edit.clear()
        self._update_close_box()
        if item is not None:
            self.message.show_hint(
                self.tr("Count the drawer of %1: cash %2 and card %3 are expected.")
                .replace("%1", item.clerk_name)
                .replace("%2", format_amount(item.expected.get("cash", 0), self.ctx.prefs.display_unit))
                .replace("%3", format_amount(item.expected.get("card", 0), self.ctx.prefs.display_unit))
            )
            self.counted["cash"].setFocus()

    # -- opening --------------------------------------------------------------------------------

    def open_shift(self) -> None:
        self.open_form.clear_errors()
        try:
            cash = parse_rials(self.opening_cash.text() or "0", field="opening_cash")
        except InvalidInput as exc:
            self.open_form.set_error("opening_cash", exc.message)
            return
        desk, clerk = self.ctx.desk, self.ctx.username

        def job():
            from desk_app.services import shifts

            return shifts.open_shift(desk, clerk, cash=cash)

        def done(shift) -> None:
            self.message.show_ok(self.tr("The shift is open."))
            self._show_shift(shift)
            self.refresh_open_shifts()

        self.ctx.runner.db(job, success=done, failure=lambda exc: self.message.show_error(describe_error(exc)))

    # -- closing: figures first, then the confirmation, then the close --------------------------

    def _whose(self) -> tuple[str, str | None]:
        """(the clerk whose shift is closed, the manager counting it or None for one's own)."""
        if self.target is None:
            return self.ctx.username, None
        return self.target.clerk, self.ctx.username

    def close_shift(self) -> None:
        """Read the counted amounts, ask the service what closing would record, and confirm."""
        self.close_form.clear_errors()
        counted = {}
        for method, edit in self.counted.items():
            try:
                counted[method] = parse_rials(edit.text() or "0", field=method)
            except InvalidInput as exc:
                self.close_form.set_error(method, exc.message)
                return
        desk = self.ctx.desk
        clerk, actor = self._whose()

        def job():
            from desk_app.services import shifts

            return shifts.close_preview(desk, clerk, counted, actor=actor)

        self.close_button.setEnabled(False)
        self.ctx.runner.db(job, success=lambda view: self._confirm(view, counted), failure=self._close_failed)

    def _confirm(self, view, counted: dict[str, int]) -> None:
        closer = None
        if view.closed_by:
            closer = getattr(self.ctx.user, "full_name", "") or self.ctx.username
        dialog = ShiftCloseConfirmDialog(view, closer, self.ctx.prefs.display_unit, self)
        self.confirm_dialog = dialog

        def answered(result: int) -> None:
            self.confirm_dialog = None
            if result == QDialog.DialogCode.Accepted:
                self._close_confirmed(view, counted)
            else:
                self._update_close_box()
                self.message.show_hint(self.tr("The shift is still open."))
                self.window().activateWindow()  # back to the count, keys and all
                self.counted["cash"].setFocus()

        dialog.finished.connect(answered)
        dialog.open()

    def _close_confirmed(self, view, counted: dict[str, int]) -> None:
        desk = self.ctx.desk
        clerk, actor = self._whose()
        expected = dict(view.expected)

        def job():
            from desk_app.services import shifts

            return shifts.close_shift(desk, clerk, counted, actor=actor, expected=expected)

        self.ctx.runner.db(job, success=self._closed, failure=self._close_failed)

    def _close_failed(self, exc: BaseException) -> None:
        self._update_close_box()
        self.message.show_error(describe_error(exc))

    def _closed(self, view) -> None:
        self.last_close = view
        self.report_button.setEnabled(True)
        if view.closed_by:
            self.message.show_ok(self.tr("The shift of %1 is closed, counted by you.").replace("%1", view.clerk_name))
        else:
            self.message.show_ok(self.tr("The shift is closed."))
        self._show_result(view)
        for edit in self.counted.values():
            edit.clear()
        if view.closed_by:
            self.target = None
            self._update_close_box()
            self.refresh()
        else:
            self._show_shift(None)
            self.refresh_open_shifts()
        self.closed.emit(view)
        self._backup_after_close()

    def _backup_after_close(self) -> None:
        """The closed shift's cash is in the database now: an encrypted backup follows (when the
        manager has set a passphrase). It runs on a worker; a failure or a skip is said here."""
        desk = self.ctx.desk
        self.backup_note.clear_message()

        def job():
            from desk_app.services import autobackup

            return autobackup.backup_at_shift_close(desk)

        def done(outcome) -> None:
            if getattr(outcome, "path", None) is not None:
                self.backup_written.emit(outcome)
                written = self.tr("Shift-close backup written: %1")
                self.backup_note.show_ok(written.replace("%1", ltr(outcome.path.name)))
            elif getattr(outcome, "skipped", None) == "no_passphrase":
                self.backup_note.show_error(
                    self.tr("No backup was made at this shift close: %1").replace("%1", outcome.message or "")
                )

        def failed(exc: BaseException) -> None:
            self.backup_note.show_error(self.tr("The shift-close backup failed: %1").replace("%1", describe_error(exc)))

        self.ctx.runner.background(job, success=done, failure=failed)

    def _show_result(self, view) -> None:
        fill_figures(self.result_grid, self, view, self.ctx.prefs.display_unit, "shift")

    def _report_dialog(self) -> None:
        if self.last_close is None:
            return

        from desk_app.ui.files import jalali_file_name, persian_file_dialog

        path = persian_file_dialog(
            self,
            self.tr("Save shift report (PDF)…"),
            jalali_file_name(f"shift_{self.last_close.shift_id[:8]}", "pdf"),
            "PDF (*.pdf)",
        )
        if path:
            self.save_report(f"pdf:{path}")

    def save_report(self, target: str) -> None:
        """The A4 shift report of the shift just closed (background pool)."""
        if self.last_close is None:
            return
        desk, shift_id = self.ctx.desk, self.last_close.shift_id

        def job():
            from desk_app.services import printjobs

            return printjobs.print_shift_report(desk, shift_id, target)

        self.ctx.runner.background(
            job,
            success=lambda _r: self.message.show_ok(self.tr("The shift report is ready.")),
            failure=lambda exc: self.message.show_error(describe_error(exc)),
        )
