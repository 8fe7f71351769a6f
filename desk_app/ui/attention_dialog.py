"""The "needs attention" list: operations the province refused (invalid / conflict), with its reason."""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desk_app.ui.context import UiContext
from desk_app.ui.errors import describe_error
from desk_app.ui.table_model import ITEM_ROLE, ItemsTableModel
from desk_app.ui.widgets import MessageLabel


class AttentionModel(ItemsTableModel):
    left_aligned = frozenset({0})

    def headers(self) -> tuple[str, ...]:
        return (self.tr("Receipt no."), self.tr("Operation"), self.tr("Answer"), self.tr("Reason"))

    def cell(self, item, column: int):
        if column == 0:
            return "\u2066" + item.receipt_no + "\u2069"
        if column == 1:
            return self.tr("Registration") if item.kind == "request" else self.tr("Cancellation")
        if column == 2:
            return self.tr("Conflict") if item.result == "conflict" else self.tr("Refused")
        return item.detail or ""


def retry_job(desk, request_id: str, actor: str):
    def job():
        from desk_app.services import attention

        return attention.retry_attention(desk, request_id, actor)

    return job


class AttentionDialog(QDialog):
    def __init__(self, ctx: UiContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle(self.tr("Needs attention"))
        self.resize(900, 420)
        layout = QVBoxLayout(self)
        self.model = AttentionModel(self)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        layout.addWidget(self.table, 1)
        buttons = QHBoxLayout()
        self.retry_button = QPushButton(self.tr("Send again"), self)
        self.close_button = QPushButton(self.tr("Close"), self)
        buttons.addWidget(self.retry_button)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        layout.addLayout(buttons)
        self.message = MessageLabel(self)
        layout.addWidget(self.message)
        self.empty_label = QLabel(self.tr("Nothing needs attention: the province accepted everything sent."), self)
        self.empty_label.setObjectName("attention_empty")
        self.empty_label.setWordWrap(True)
        layout.insertWidget(0, self.empty_label)
        self.retry_button.clicked.connect(self.retry_selected)
        self.close_button.clicked.connect(self.accept)
        self.model.modelReset.connect(self._show_state)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._show_state())
        self._show_state()

    def _show_state(self) -> None:
        """An empty list says so; "send again" works only on a chosen item."""
        empty = self.model.rowCount() == 0
        self.empty_label.setVisible(empty)
        self.table.setVisible(not empty)
        self.retry_button.setEnabled(not empty and bool(self.table.selectionModel().selectedRows()))
        if not empty and not self.table.selectionModel().selectedRows():
            # the first item chosen ("send again" works at once); selectRow misses in RTL views
            flags = QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
            self.table.selectionModel().setCurrentIndex(self.model.index(0, 0), flags)

    def refresh(self) -> None:
        desk = self.ctx.desk

        def job():
            from desk_app.services import attention

            return attention.list_attention(desk)

        self.ctx.runner.db(
            job, success=self.model.set_items, failure=lambda exc: self.message.show_error(describe_error(exc))
        )

    def retry_selected(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            self.message.show_error(self.tr("Choose an item first."))
            return
        item = rows[0].data(ITEM_ROLE)

        def done(_count) -> None:
            self.message.show_ok(self.tr("It will be sent again at the next sync."))
            self.refresh()
            self.ctx.requests_changed.emit()

        self.ctx.runner.db(
            retry_job(self.ctx.desk, item.request_id, self.ctx.username),
            success=done,
            failure=lambda exc: self.message.show_error(describe_error(exc)),
        )
