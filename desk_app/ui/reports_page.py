"""Reports (گزارش‌ها, manager): daily report preview for a Jalali day, export to PDF and CSV, print.

The preview shows the same figures the A4 report prints (per service, per clerk, per payment
method, cancellations, refunds, reprints, pending sync). Building and writing run on the
background pool; only the finished data reaches the widgets.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desk_app.domain.errors import InvalidInput
from desk_app.domain.jalali import format_jalali_date, today_tehran
from desk_app.domain.money import format_amount
from desk_app.ui.context import UiContext
from desk_app.ui.errors import describe_error
from desk_app.ui.i18n import local_digits
from desk_app.ui.requests_model import format_when
from desk_app.ui.table_model import ItemsTableModel
from desk_app.ui.widgets import JalaliDateEdit, MessageLabel


class RowsModel(ItemsTableModel):
    """Report rows (label, count, amount, refunds)."""

    left_aligned = frozenset({2, 3})

    @property
    def rows(self) -> list:
        return self.items

    def set_rows(self, rows) -> None:
        self.set_items(rows)

    def headers(self) -> tuple[str, ...]:
        return (self.tr("Item"), self.tr("Count"), self.tr("Amount"), self.tr("Refunds"))

    def cell(self, row, column: int):
        if column == 0:
            return row.label
        if column == 1:
            return local_digits(str(row.count))
        if column == 2:
            return format_amount(row.amount, self.unit)
        return format_amount(getattr(row, "refunds", 0), self.unit)


class ReportsPage(QWidget):
    def __init__(self, ctx: UiContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.report = None
        self._last_printer = ""
        layout = QVBoxLayout(self)
        bar = QHBoxLayout()
        bar.addWidget(QLabel(self.tr("Day"), self))
        self.day = JalaliDateEdit(self)
        self.day.setObjectName("report_day")
        self.day.setDate(today_tehran())
        bar.addWidget(self.day)
        self.show_button = QPushButton(self.tr("Show"), self)
        self.pdf_button = QPushButton(self.tr("Save PDF…"), self)
        self.csv_button = QPushButton(self.tr("Save CSV…"), self)
        self.print_button = QPushButton(self.tr("Print"), self)
        for button in (self.show_button, self.pdf_button, self.csv_button, self.print_button):
            bar.addWidget(button)
        self.office_wide = QCheckBox(self.tr("Whole office (from the server)"), self)
        self.office_wide.setToolTip(
            self.tr(
                "PDF, CSV and print use every counter's totals from the provincial "
                "server; without the server, this computer's figures and a note."
            )
        )
        bar.addWidget(self.office_wide)
        bar.addStretch(1)
        layout.addLayout(bar)
        self.day_message = MessageLabel(self)
        layout.addWidget(self.day_message)
        self.summary = QLabel(self)
        self.summary.setObjectName("report_summary")
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.open_shifts_label = QLabel(self)
        self.open_shifts_label.setObjectName("report_open_shifts")
        self.open_shifts_label.setWordWrap(True)
        self.open_shifts_label.setStyleSheet("color: #b00020; font-weight: bold;")
        self.open_shifts_label.hide()
        layout.addWidget(self.open_shifts_label)
        self.tables = QTabWidget(self)
        self.models = {}
        for key, title in (
            ("per_service", self.tr("Per service")),
            ("per_clerk", self.tr("Per clerk")),
            ("per_payment", self.tr("Per payment method")),
        ):
            model = RowsModel(self, unit=ctx.prefs.display_unit)
            view = QTableView(self)
            view.setModel(model)
            view.verticalHeader().hide()
            view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
            self.tables.addTab(view, title)
            self.models[key] = model
        layout.addWidget(self.tables, 1)
        self.message = MessageLabel(self)
        self.message.setObjectName("report_message")
        layout.addWidget(self.message)
        self.show_button.clicked.connect(self.load)
        self.day.returnPressed.connect(self.load)
        self.pdf_button.clicked.connect(self.save_pdf)
        self.csv_button.clicked.connect(self.save_csv)
        self.print_button.clicked.connect(self.print_report)

    def chosen_day(self):
        self.day_message.clear_message()
        try:
            day = self.day.date()
        except InvalidInput as exc:
            self.day_message.show_error(exc.message)
            return None
        if day is None:
            self.day_message.show_error(self.tr("Enter a day, e.g. 1405/09/08."))
        return day

    def load(self) -> None:
        day = self.chosen_day()
        if day is None:
            return
        desk = self.ctx.desk

        def job():
            from desk_app.services import reports

            return reports.daily_report(desk, day)

        self.message.show_hint(self.tr("Preparing the report…"))
        self.ctx.runner.background(
            job, success=self._show, failure=lambda exc: self.message.show_error(describe_error(exc))
        )

    def _show(self, report) -> None:
        self.report = report
        self.message.clear_message()
        unit = self.ctx.prefs.display_unit
        for key, model in self.models.items():
            model.unit = unit
            model.set_rows(getattr(report, key, []))
        cancellations = getattr(report, "cancellations", []) or []
        lines = [
            self.tr("Day: %1").replace("%1", format_jalali_date(report.day)),
            self.tr("Requests: %1, received %2 (cancelled and refunded requests included)")
            .replace("%1", local_digits(str(report.requests_count)))
            .replace("%2", format_amount(report.total_amount, unit)),
            self.tr("Cancellations: %1, refunds %2")
            .replace("%1", local_digits(str(len(cancellations))))
            .replace("%2", format_amount(getattr(report, "refunds_total", 0), unit)),
            self.tr("Net received (after refunds): %1").replace("%1", format_amount(report.net_amount, unit)),
            self.tr("Reprints: %1; waiting to send: %2")
            .replace("%1", local_digits(str(getattr(report, "reprints", 0))))
            .replace("%2", local_digits(str(getattr(report, "pending_sync", 0)))),
        ]
        lines += self.shift_lines(report)
        self.summary.setText("\n".join(lines))
        self.open_shifts_label.setVisible(bool(report.open_shifts))
        if report.open_shifts:
            self.open_shifts_label.setText(
                self.tr("Still open (their cash is not counted yet): %1").replace(
                    "%1",
                    "، ".join(
                        self.tr("%1 since %2").replace("%1", s.clerk_name).replace("%2", format_when(s.opened_at))
                        for s in report.open_shifts
                    ),
                )
            )

    def shift_lines(self, report) -> list[str]:
        """How many shifts of the day are closed, by whom, and that open ones are still open."""
        shifts = list(getattr(report, "shifts", []) or [])
        if not shifts:
            return [self.tr("Shifts: none this day.")]
        closed = [s for s in shifts if not s.is_open]
        by_manager = [s for s in closed if s.closed_by]
        line = (
            self.tr("Shifts: %1 closed, %2 still open.")
            .replace("%1", local_digits(str(len(closed))))
            .replace("%2", local_digits(str(len(shifts) - len(closed))))
        )
        lines = [line]
        for s in by_manager:
            lines.append(
                self.tr("The shift of %1 was counted and closed by %2.")
                .replace("%1", s.clerk_name)
                .replace("%2", s.closed_by or "")
            )
        return lines

    def save_pdf(self) -> None:
        day = self.chosen_day()
        if day is None:
            return
        path, _ = QFileDialog.getSaveFileName(
            self, self.tr("Save the daily report"), f"daily-{day.isoformat()}.pdf", "PDF (*.pdf)"
        )
        if path:
            self.export(day, pdf=path)

    def save_csv(self) -> None:
        day = self.chosen_day()
        if day is None:
            return
        path, _ = QFileDialog.getSaveFileName(
            self, self.tr("Save the daily report"), f"daily-{day.isoformat()}.csv", "CSV (*.csv)"
        )
        if path:
            self.export(day, csv=path)

    def print_report(self) -> None:
        day = self.chosen_day()
        if day is None:
            return
        from PySide6.QtWidgets import QInputDialog

        name, ok = QInputDialog.getText(
            self, self.tr("Print"), self.tr("Name of the A4 printer"), text=self._last_printer
        )
        if ok and name.strip():
            self._last_printer = name.strip()
            self.export(day, target=f"printer:{name.strip()}")

    def export(self, day, pdf: str | None = None, csv: str | None = None, target: str | None = None) -> None:
        """Write the report for `day` as PDF / CSV / to a printer (background pool)."""
        desk, office_wide = self.ctx.desk, self.office_wide.isChecked()

        def job():
            from desk_app.services import printjobs

            where = target or (f"pdf:{pdf}" if pdf else None)
            result = printjobs.print_daily_report(desk, day, where, csv_path=csv, office_wide=office_wide)
            return pdf or csv or target, result.notes

        def done(outcome) -> None:
            where, notes = outcome
            text = self.tr("Done: %1").replace("%1", str(where))
            if notes:
                self.message.show_hint(text + "\n" + "\n".join(notes))
            else:
                self.message.show_ok(text)

        self.message.show_hint(self.tr("Working…"))
        self.ctx.runner.background(job, success=done, failure=lambda exc: self.message.show_error(describe_error(exc)))
