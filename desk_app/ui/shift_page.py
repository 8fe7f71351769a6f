"""Shift (شیفت): open with the opening cash; close with counted cash per payment method.

The close shows expected, counted and the difference per method, as the service computed them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QGridLayout, QGroupBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from desk_app.domain.errors import InvalidInput
from desk_app.domain.money import format_amount, parse_rials
from desk_app.ui.context import UiContext
from desk_app.ui.errors import describe_error
from desk_app.ui.requests_model import format_when
from desk_app.ui.widgets import FieldForm, LtrLineEdit, MessageLabel

if TYPE_CHECKING:
    from desk_app.services.shifts import ShiftCloseView

METHODS = ("cash", "card")


class ShiftPage(QWidget):
    backup_written = Signal(object)  # autobackup.BackupOutcome of the shift-close backup

    def __init__(self, ctx: UiContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.shift = None
        self.last_close: ShiftCloseView | None = None
        layout = QVBoxLayout(self)
        self.state_label = QLabel(self)
        self.state_label.setObjectName("shift_state")
        layout.addWidget(self.state_label)

        open_box = QGroupBox(self.tr("Open a shift"), self)
        open_layout = QHBoxLayout(open_box)
        self.open_form = FieldForm(open_box)
        self.opening_cash = LtrLineEdit(open_box, "0")
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
        self.counted = {"cash": LtrLineEdit(close_box, "0"), "card": LtrLineEdit(close_box, "0")}
        for edit in self.counted.values():
            edit.setMaximumWidth(260)
        self.close_form.add_field("cash", self.tr("Counted cash (rials)"), self.counted["cash"])
        self.close_form.add_field("card", self.tr("Card machine total (rials)"), self.counted["card"])
        close_layout.addWidget(self.close_form)
        self.close_button = QPushButton(self.tr("Close shift"), close_box)
        self.report_button = QPushButton(self.tr("Save shift report (PDF)…"), close_box)
        self.report_button.setEnabled(False)
        row = QHBoxLayout()
        row.addWidget(self.close_button, 1)
        row.addWidget(self.report_button)
        close_layout.addLayout(row)
        self.result_grid = QGridLayout()
        close_layout.addLayout(self.result_grid)
        layout.addWidget(close_box)
        self.close_box = close_box
        self.message = MessageLabel(self)
        self.message.setObjectName("shift_message")
        layout.addWidget(self.message)
        layout.addStretch(1)
        self.open_button.clicked.connect(self.open_shift)
        self.close_button.clicked.connect(self.close_shift)
        self.report_button.clicked.connect(self._report_dialog)
        self.opening_cash.returnPressed.connect(self.open_shift)
        ctx.requests_changed.connect(self.refresh)

    def refresh(self) -> None:
        desk, clerk = self.ctx.desk, self.ctx.username

        def job():
            from desk_app.services import shifts

            return shifts.current_shift(desk, clerk)

        self.ctx.runner.db(
            job, success=self._show_shift, failure=lambda exc: self.message.show_error(describe_error(exc))
        )

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
        self.close_button.setEnabled(shift is not None)

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

        self.ctx.runner.db(job, success=done, failure=lambda exc: self.message.show_error(describe_error(exc)))

    def close_shift(self) -> None:
        self.close_form.clear_errors()
        counted = {}
        for method, edit in self.counted.items():
            try:
                counted[method] = parse_rials(edit.text() or "0", field=method)
            except InvalidInput as exc:
                self.close_form.set_error(method, exc.message)
                return
        desk, clerk = self.ctx.desk, self.ctx.username

        def job():
            from desk_app.services import shifts

            return shifts.close_shift(desk, clerk, counted)

        self.close_button.setEnabled(False)
        self.ctx.runner.db(job, success=self._closed, failure=self._close_failed)

    def _close_failed(self, exc: BaseException) -> None:
        self.close_button.setEnabled(self.shift is not None)
        self.message.show_error(describe_error(exc))

    def _closed(self, view) -> None:
        self.last_close = view
        self.report_button.setEnabled(True)
        self.message.show_ok(self.tr("The shift is closed."))
        self._show_result(view)
        for edit in self.counted.values():
            edit.clear()
        self._show_shift(None)
        self._backup_after_close()

    def _backup_after_close(self) -> None:
        """The closed shift's cash is in the database now: an encrypted backup follows (when the
        manager has set a passphrase). It runs on a worker; a failure is said, the close stands."""
        desk = self.ctx.desk

        def job():
            from desk_app.services import autobackup

            return autobackup.backup_at_shift_close(desk)

        def done(outcome) -> None:
            if getattr(outcome, "path", None) is not None:
                self.backup_written.emit(outcome)

        def failed(exc: BaseException) -> None:
            self.message.show_error(self.tr("The shift-close backup failed: %1").replace("%1", describe_error(exc)))

        self.ctx.runner.background(job, success=done, failure=failed)

    def _show_result(self, view) -> None:
        while self.result_grid.count():
            item = self.result_grid.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        unit = self.ctx.prefs.display_unit
        headers = (self.tr("Method"), self.tr("Expected"), self.tr("Counted"), self.tr("Difference"))
        for col, text in enumerate(headers):
            self.result_grid.addWidget(QLabel(f"<b>{text}</b>", self), 0, col)
        names = {"cash": self.tr("Cash"), "card": self.tr("Card")}
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
                format_amount(abs(diff), unit),
            )
            for col, text in enumerate(cells):
                label = QLabel(text, self)
                label.setObjectName(f"shift_{method}_{col}")
                if col == 3 and diff:
                    word = self.tr("surplus %1") if diff > 0 else self.tr("shortage %1")
                    label.setText(word.replace("%1", text))
                    label.setStyleSheet("color: #b00020;")
                self.result_grid.addWidget(label, row, col)

    def _report_dialog(self) -> None:
        if self.last_close is None:
            return
        from PySide6.QtWidgets import QFileDialog

        path, _ = QFileDialog.getSaveFileName(
            self, self.tr("Save shift report (PDF)…"), f"shift-{self.last_close.shift_id[:8]}.pdf", "PDF (*.pdf)"
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
