"""Requests (درخواست‌ها): filters, search, the lazy list, a detail pane with history, actions."""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desk_app.domain.errors import InvalidInput
from desk_app.domain.money import format_amount, parse_rials
from desk_app.ui.attach_panel import RequestPages
from desk_app.ui.context import UiContext
from desk_app.ui.errors import describe_error
from desk_app.ui.files import persian_file_dialog
from desk_app.ui.form_view import show_request_fields
from desk_app.ui.i18n import current_language, local_digits
from desk_app.ui.receipt_dialog import ReceiptFlow
from desk_app.ui.requests_model import (
    ROW_ROLE,
    STATUS_LABELS,
    RequestFilter,
    RequestsModel,
    RequestSource,
    format_when,
    status_label,
    sync_label,
)
from desk_app.ui.widgets import (
    FieldForm,
    JalaliDateEdit,
    LtrLineEdit,
    MessageLabel,
    MoneyLineEdit,
    ReasonEdit,
    RowKeys,
    button_action,
    give_shortcut,
    ltr,
)


class CancelDialog(QDialog):
    """Reason (required) and refund (rials, default the whole total)."""

    def __init__(self, request, unit: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("Cancel request"))
        self.setMinimumWidth(520)
        layout = QVBoxLayout(self)
        question = QLabel(self.tr("Cancel request %1?").replace("%1", ltr(request.receipt_no)), self)
        question.setWordWrap(True)
        layout.addWidget(question)
        self.form = FieldForm(self)
        self.reason = ReasonEdit(self)
        self.refund = MoneyLineEdit(self)
        self.refund.set_amount(request.total)
        self.form.add_field("reason", self.tr("Reason"), self.reason)
        self.form.add_field("refund", self.tr("Refund (rials)"), self.refund)
        layout.addWidget(self.form)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Cancel the request"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("Back"))
        buttons.accepted.connect(self._check)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.values: dict | None = None

    def _check(self) -> None:
        self.form.clear_errors()
        reason = self.reason.toPlainText().strip()
        if not reason:
            self.form.set_error("reason", self.tr("Write the reason for cancelling."))
            return
        try:
            refund = parse_rials(self.refund.text() or "0", field="refund")  # = MoneyLineEdit.value()
        except InvalidInput as exc:
            self.form.set_error("refund", exc.message)
            return
        self.values = {"reason": reason, "refund": refund}
        self.accept()


def actor_label(actor: str, names: dict[str, str] | None = None) -> str:
    """Who made a history entry, in Persian: a user by full name, the sync and the provincial
    server by what they are (they showed as «(clerk)», «(sync)», «(server)»)."""
    from PySide6.QtCore import QCoreApplication

    known = {
        "sync": QCoreApplication.translate("RequestsPage", "sync with the province"),
        "server": QCoreApplication.translate("RequestsPage", "provincial server"),
        "system": QCoreApplication.translate("RequestsPage", "this program"),
    }
    if actor in known:
        return known[actor]
    full_name = (names or {}).get(actor)
    if full_name:
        return full_name
    return QCoreApplication.translate("RequestsPage", "user %1").replace("%1", ltr(actor))


def fit_request_columns(table: QTableView) -> None:
    """Columns as wide as their contents (national codes and names never cut); the tracking
    code gets what it needs, the service title takes what is left (it was 40% tracking code)."""
    from desk_app.ui.requests_model import COLUMNS

    header = table.horizontalHeader()
    header.setStretchLastSection(False)
    table.resizeColumnsToContents()
    names = [c[0] for c in COLUMNS]
    for column in range(len(names)):
        width = max(header.sectionSize(column), table.sizeHintForColumn(column)) + 12
        header.resizeSection(column, width)
    if "service" in names:
        header.setSectionResizeMode(names.index("service"), QHeaderView.ResizeMode.Stretch)


class RequestsPage(QWidget):
    def __init__(self, ctx: UiContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.model = RequestsModel(RequestSource(ctx.desk), ctx.runner, self, unit=ctx.prefs.display_unit)
        layout = QVBoxLayout(self)

        filters = QGridLayout()
        self.search = QLineEdit(self)
        self.search.setObjectName("request_search")
        self.search.setPlaceholderText(self.tr("Name, national code, receipt no. or tracking code"))
        self.search.setToolTip(
            self.tr(
                "Words find first and last names in any order, also inside a name; digits find the end"
                " of a receipt no. or tracking code, or a national code."
            )
        )
        self.search.setClearButtonEnabled(True)
        self.date_from = JalaliDateEdit(self)
        self.date_to = JalaliDateEdit(self)
        self.status = QComboBox(self)
        self.status.addItem(self.tr("All statuses"), None)
        for value in STATUS_LABELS:
            self.status.addItem(status_label(value), value)
        self.service = LtrLineEdit(self, self.tr("code"))
        self.clerk = LtrLineEdit(self, self.tr("username"))
        self.attention = QCheckBox(self.tr("Only needs attention"), self)
        self.attention.setVisible(self._service_takes("attention"))
        self.apply_button = QPushButton(self.tr("Search"), self)
        filters.addWidget(QLabel(self.tr("Search"), self), 0, 0)
        filters.addWidget(self.search, 0, 1, 1, 3)
        filters.addWidget(self.apply_button, 0, 4)
        filters.addWidget(QLabel(self.tr("From"), self), 1, 0)
        filters.addWidget(self.date_from, 1, 1)
        filters.addWidget(QLabel(self.tr("To"), self), 1, 2)
        filters.addWidget(self.date_to, 1, 3)
        filters.addWidget(self.status, 1, 4)
        filters.addWidget(QLabel(self.tr("Service"), self), 2, 0)
        filters.addWidget(self.service, 2, 1)
        filters.addWidget(QLabel(self.tr("Clerk"), self), 2, 2)
        filters.addWidget(self.clerk, 2, 3)
        filters.addWidget(self.attention, 2, 4)
        layout.addLayout(filters)
        self.filter_message = MessageLabel(self)
        layout.addWidget(self.filter_message)

        self.count_label = QLabel(self)
        self.count_label.setObjectName("count_label")
        layout.addWidget(self.count_label)

        splitter = QSplitter(Qt.Orientation.Vertical, self)
        self.table = QTableView(splitter)
        self.table.setObjectName("requests_table")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        # widths are fitted once, to the first page; ResizeToContents would measure every row of
        # every page again on each change
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.horizontalHeader().setResizeContentsPrecision(40)
        self._widths_fitted = False
        # one Tab stop; Enter opens the row (focus to its actions); Menu / Shift+F10: its actions
        self.row_keys = RowKeys(self.table, self.open_selected, self.row_actions)
        detail = QWidget(splitter)
        detail_layout = QHBoxLayout(detail)
        self.detail_form = QFormLayout()
        self.detail_labels: dict[str, QLabel] = {}
        for key, caption in (
            ("receipt_no", self.tr("Receipt no.")),
            ("created_at", self.tr("Date")),
            ("citizen", self.tr("Citizen")),
            ("service", self.tr("Service")),
            ("total", self.tr("Total")),
            ("status", self.tr("Status")),
            ("sync", self.tr("Sync")),
            ("server_ref", self.tr("Tracking code")),
            ("note", self.tr("Note")),
            ("fields", self.tr("Form")),  # the service form's answers (ui.form_view)
        ):
            label = QLabel(self)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            label.setObjectName(f"detail_{key}")
            self.detail_labels[key] = label
            self.detail_form.addRow(caption, label)
        detail_layout.addLayout(self.detail_form, 1)
        self.history = QListWidget(self)
        self.history.setObjectName("history")
        history_box = QVBoxLayout()
        history_box.addWidget(QLabel(self.tr("History"), self))
        history_box.addWidget(self.history)
        detail_layout.addLayout(history_box, 1)
        actions = QVBoxLayout()
        self.reprint_button = QPushButton(self.tr("Reprint receipt"), self)
        self.form_button = QPushButton(self.tr("Print form"), self)
        self.cancel_button = QPushButton(self.tr("Cancel request…"), self)
        self.retry_button = QPushButton(self.tr("Send again"), self)
        for button in (self.reprint_button, self.form_button, self.cancel_button, self.retry_button):
            actions.addWidget(button)
            button.setEnabled(False)
        actions.addStretch(1)
        detail_layout.addLayout(actions)
        # the selected request's scanned pages and Ctrl+Shift+A to attach more (ui.attach_panel)
        self.pages_panel = RequestPages(ctx, self)
        detail_layout.addWidget(self.pages_panel, 1)
        self.attention_button = QPushButton(self.tr("Needs attention…"), self)
        actions.insertWidget(4, self.attention_button)
        splitter.addWidget(self.table)
        splitter.addWidget(detail)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        layout.addWidget(splitter, 1)
        self.message = MessageLabel(self)
        self.message.setObjectName("requests_message")
        layout.addWidget(self.message)
        # reprints: printed, or said why not with the preview to print from (ui.receipt_dialog)
        self.receipts = ReceiptFlow(ctx, self, status=self.message)
        self.receipts.printed.connect(lambda result: self._refresh_row(result.receipt_no))

        self.search_timer = QTimer(self)
        self.search_timer.setSingleShot(True)
        self.search_timer.setInterval(250)
        self.search_timer.timeout.connect(self.apply_filters)
        self.search.textEdited.connect(lambda _t: self.search_timer.start())
        self.search.returnPressed.connect(self.apply_filters)
        self.apply_button.clicked.connect(self.apply_filters)
        for edit in (self.date_from, self.date_to, self.service, self.clerk):
            edit.returnPressed.connect(self.apply_filters)
        self.status.currentIndexChanged.connect(lambda _i: self.apply_filters())
        self.attention.toggled.connect(lambda _on: self.apply_filters())
        self.model.count_changed.connect(self._show_count)
        self.model.failed.connect(self.message.show_error)
        self.model.modelReset.connect(self._selection_changed)
        self.model.modelReset.connect(self._fit_widths)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._selection_changed())
        self.reprint_button.clicked.connect(self.reprint)
        self.form_button.clicked.connect(self.print_form)
        self.cancel_button.clicked.connect(self.cancel_selected)
        self.retry_button.clicked.connect(self.retry_selected)
        self.attention_button.clicked.connect(self.show_attention)
        ctx.requests_changed.connect(self.model.refresh)
        ctx.prefs_changed.connect(self._prefs_changed)
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._current_moved())
        self._keyboard()

    @staticmethod
    def _service_takes(name: str) -> bool:
        from desk_app.services import requests

        accepted = RequestSource.supported(requests.list_requests)
        return accepted is None or name in accepted

    def _prefs_changed(self) -> None:
        self.model.unit = self.ctx.prefs.display_unit
        self.model.refresh()

    def current_filter(self) -> RequestFilter | None:
        self.filter_message.clear_message()
        try:
            day_from = self.date_from.date()
            day_to = self.date_to.date()
        except InvalidInput as exc:
            self.filter_message.show_error(exc.message)
            return None
        if day_from and day_to and day_from > day_to:
            self.filter_message.show_error(self.tr("The start date is after the end date."))
            return None
        return RequestFilter(
            status=self.status.currentData(),
            day_from=day_from,
            day_to=day_to,
            service=self.service.text().strip() or None,
            clerk=self.clerk.text().strip() or None,
            query=self.search.text().strip() or None,
            attention=self.attention.isChecked(),
        )

    def apply_filters(self) -> None:
        self.search_timer.stop()
        flt = self.current_filter()
        if flt is not None:
            self.model.set_filter(flt)

    def _fit_widths(self) -> None:
        if not self._widths_fitted and self.model.rowCount():
            self._widths_fitted = True
            fit_request_columns(self.table)

    def _show_count(self, count: int) -> None:
        grouped = f"{count:,}".replace(",", "٬") if current_language() == "fa" else f"{count:,}"
        self.count_label.setText(self.tr("%1 requests").replace("%1", local_digits(grouped)))

    def selected(self):
        index = self.table.currentIndex()
        rows = self.table.selectionModel().selectedRows()
        if rows:
            index = rows[0]
        return index.data(ROW_ROLE) if index.isValid() else None

    def select_row(self, row: int) -> None:
        self.table.selectionModel().setCurrentIndex(
            self.model.index(row, 0),
            QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
        )

    def _selection_changed(self) -> None:
        row = self.selected()
        for button in (self.reprint_button, self.form_button, self.cancel_button, self.retry_button):
            button.setEnabled(row is not None)
        self.history.clear()
        if row is None:
            for label in self.detail_labels.values():
                label.clear()
            return
        state = self.model.sync_state(row)
        self.retry_button.setEnabled(state == "attention")
        self.cancel_button.setEnabled(str(row.status) in {"registered", "submitted", "in_progress"})
        values = {
            "receipt_no": "\u2066" + row.receipt_no + "\u2069",
            "created_at": format_when(row.created_at),
            "citizen": f"{row.first_name} {row.last_name}",
            "service": getattr(row, "service_title", None) or row.service,
            "total": format_amount(row.total, self.ctx.prefs.display_unit),
            "status": status_label(row.status),
            "sync": sync_label(state),
            "server_ref": ltr(row.server_ref) if row.server_ref else "",
            "note": getattr(row, "status_note", None) or getattr(row, "attention_detail", None) or "",
        }
        for key, value in values.items():
            self.detail_labels[key].setText(value)
        self._load_history(row)
        show_request_fields(self.ctx, row, self.detail_labels["fields"], self.selected)
        if state == "attention":
            self._load_attention_reason(row)

    def _load_attention_reason(self, row) -> None:
        desk = self.ctx.desk

        def job():
            from desk_app.services import attention

            return [i for i in attention.list_attention(desk) if i.request_id == row.request_id]

        def done(items) -> None:
            current = self.selected()
            if items and current is not None and current.request_id == row.request_id:
                self.detail_labels["note"].setText(items[0].detail or "")

        self.ctx.runner.db(job, success=done, failure=lambda exc: None)

    def _load_history(self, row) -> None:
        desk = self.ctx.desk

        def job():
            from desk_app.services import requests, users

            names = {u.username: u.full_name for u in users.list_users(desk) if getattr(u, "full_name", None)}
            return requests.history(desk, row.request_id), names

        def done(result) -> None:
            entries, names = result
            current = self.selected()
            if current is None or current.request_id != row.request_id:
                return
            self.history.clear()
            for entry in entries:
                text = f"{format_when(entry.at)} — {status_label(entry.to_status)}"
                actor = getattr(entry, "actor", None)
                if actor:
                    text += f" ({actor_label(actor, names)})"
                note = getattr(entry, "note", None)
                if note:
                    text += f": {note}"
                self.history.addItem(text)

        self.ctx.runner.db(job, success=done, failure=lambda exc: self.message.show_error(describe_error(exc)))

    # -- actions ------------------------------------------------------------------------------

    def _reprinted(self, receipt_no: str) -> None:
        self.message.show_ok(self.tr("Receipt printed again."))
        self._refresh_row(receipt_no)

    def _refresh_row(self, receipt_no: str) -> None:
        desk = self.ctx.desk

        def job():
            from desk_app.services import requests

            row = requests.get_request(desk, receipt_no)
            return row, requests.outbox_state(desk, row.request_id)

        def done(result) -> None:
            row, state = result
            self.model.update_row(row, state)
            self._selection_changed()

        self.ctx.runner.db(job, success=done, failure=lambda exc: None)

    def reprint(self) -> None:
        row = self.selected()
        if row is not None:
            self.receipts.print_receipt(row.receipt_no)

    def print_form(self) -> None:
        row = self.selected()
        if row is None:
            return
        from desk_app.ui.files import jalali_file_name

        path = persian_file_dialog(
            self, self.tr("Save the form as PDF"), jalali_file_name(f"form_{row.receipt_no}", "pdf"), "PDF (*.pdf)"
        )
        if not path:
            return
        self.print_form_to(row.receipt_no, f"pdf:{path}")

    def print_form_to(self, receipt_no: str, target: str) -> None:
        desk = self.ctx.desk

        def job():
            from desk_app.services import printjobs

            return printjobs.print_form(desk, receipt_no, target)

        self.ctx.runner.background(
            job,
            success=lambda _r: self.message.show_ok(self.tr("The form is ready.")),
            failure=lambda exc: self.message.show_error(describe_error(exc)),
        )

    def cancel_selected(self) -> None:
        row = self.selected()
        if row is None:
            return
        dialog = CancelDialog(row, self.ctx.prefs.display_unit, self)
        if dialog.exec() != QDialog.DialogCode.Accepted or dialog.values is None:
            return
        self.cancel(row.receipt_no, **dialog.values)

    def cancel(self, receipt_no: str, reason: str, refund: int | None) -> None:
        desk, clerk = self.ctx.desk, self.ctx.username

        def job():
            from desk_app.services import cancel

            return cancel.cancel_request(desk, receipt_no, reason=reason, clerk=clerk, refund=refund)

        def done(row) -> None:
            self.message.show_ok(self.tr("The request was cancelled."))
            self.model.update_row(row)
            self._selection_changed()
            self.ctx.requests_changed.emit()

        self.ctx.runner.db(job, success=done, failure=lambda exc: self.message.show_error(describe_error(exc)))

    def retry_selected(self) -> None:
        row = self.selected()
        if row is None:
            return
        from desk_app.ui.attention_dialog import retry_job

        def done(_count) -> None:
            self.message.show_ok(self.tr("It will be sent again at the next sync."))
            self._refresh_row(row.receipt_no)
            self.ctx.requests_changed.emit()

        self.ctx.runner.db(
            retry_job(self.ctx.desk, row.request_id, self.ctx.username),
            success=done,
            failure=lambda exc: self.message.show_error(describe_error(exc)),
        )

    # -- keyboard (issue 13) ---------------------------------------------------------------------

    def _keyboard(self) -> None:
        self.shortcuts = [
            give_shortcut(self, self.reprint_button, "Ctrl+P", on_text=True),
            give_shortcut(self, self.form_button, "Ctrl+Shift+P"),
            give_shortcut(self, self.cancel_button, "Ctrl+Del"),
            give_shortcut(self, self.retry_button, "Ctrl+R"),
            give_shortcut(self, self.attention_button, "Ctrl+Shift+A"),
            give_shortcut(self, self.apply_button, "Ctrl+Return"),
        ]
        for button in (self.reprint_button, self.form_button, self.cancel_button, self.retry_button):
            button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.search.setToolTip(self.search.toolTip() + "\n" + self.tr("Ctrl+F: here. Esc: clear the search."))
        from PySide6.QtGui import QKeySequence, QShortcut

        find = QShortcut(QKeySequence("Ctrl+F"), self)
        find.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        find.activated.connect(self._find)
        self.shortcuts.append(find)

    def _find(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def keyPressEvent(self, event) -> None:  # noqa: N802
        if event.key() == Qt.Key.Key_Escape:
            self.escape_pressed()
            return
        super().keyPressEvent(event)

    def escape_pressed(self) -> None:
        """Esc: clears the search (and the list shows everything again); else back to the search box."""
        if self.search.text():
            self.search.clear()
            self.apply_filters()
        self.message.clear_message()
        self.search.setFocus()

    def _current_moved(self) -> None:
        if not self.table.selectionModel().selectedRows():
            self._selection_changed()

    def open_selected(self) -> None:
        """Enter on a row: its detail is shown beside; the focus goes to its first action."""
        self._selection_changed()
        for button in (self.reprint_button, self.form_button, self.cancel_button, self.retry_button):
            if button.isEnabled() and button.isVisible():
                button.setFocus(Qt.FocusReason.TabFocusReason)
                return

    def row_actions(self) -> list:
        return [
            button_action(button, self)
            for button in (self.reprint_button, self.form_button, self.cancel_button, self.retry_button)
            if button.isVisible()
        ]

    def show_attention(self) -> None:
        from desk_app.ui.attention_dialog import AttentionDialog

        dialog = AttentionDialog(self.ctx, self)
        dialog.refresh()
        dialog.exec()
