"""Services (خدمات): the cached catalog, searchable by title or code; import a catalog file (manager)."""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desk_app.domain.money import format_amount
from desk_app.ui.context import UiContext
from desk_app.ui.errors import describe_error
from desk_app.ui.i18n import local_digits
from desk_app.ui.table_model import ItemsTableModel
from desk_app.ui.widgets import MessageLabel, give_shortcut


def _ltr(code: str) -> str:
    """A catalog version such as 1405-09-01 keeps its written order inside Persian text: ASCII
    digits in an LTR isolate, as receipt numbers are shown (in Persian digits the bidi algorithm
    shows the groups as 01-09-1405, even inside an isolate: a hyphen between Arabic numbers is
    not part of the number)."""
    return "\u2066" + code + "\u2069"


class ServicesModel(ItemsTableModel):
    left_aligned = frozenset({3})

    @property
    def services(self) -> list:
        return self.items

    def set_services(self, services) -> None:
        self.set_items(services)

    def headers(self) -> tuple[str, ...]:
        return (self.tr("Code"), self.tr("Service"), self.tr("Agency"), self.tr("Total fee"), self.tr("Active"))

    def cell(self, service, column: int):
        if column == 0:
            return local_digits(service.code)
        if column == 1:
            return service.title
        if column == 2:
            return service.agency
        if column == 3:
            return format_amount(service.total, self.unit)
        return self.tr("Yes") if service.active else self.tr("No")

    def tooltip(self, service, column: int):
        return "\n".join(service.documents or []) if column == 1 else None


class CatalogPage(QWidget):
    def __init__(self, ctx: UiContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        layout = QVBoxLayout(self)
        bar = QHBoxLayout()
        self.search = QLineEdit(self)
        self.search.setObjectName("catalog_search")
        self.search.setPlaceholderText(self.tr("Service title or code"))
        self.search.setClearButtonEnabled(True)
        bar.addWidget(self.search, 1)
        self.import_button = QPushButton(self.tr("Import catalog file…"), self)
        self.import_button.setVisible(ctx.is_manager)
        bar.addWidget(self.import_button)
        layout.addLayout(bar)
        self.version_label = QLabel(self)
        layout.addWidget(self.version_label)
        self.model = ServicesModel(self, unit=ctx.prefs.display_unit)
        self.table = QTableView(self)
        self.table.setObjectName("catalog_table")
        self.table.setModel(self.model)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        layout.addWidget(self.table, 1)
        self.message = MessageLabel(self)
        layout.addWidget(self.message)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(200)
        self.timer.timeout.connect(self.refresh)
        self.search.textEdited.connect(lambda _t: self.timer.start())
        self.import_button.clicked.connect(self._import_dialog)
        self.import_shortcut = give_shortcut(self, self.import_button, "Ctrl+O")

    def refresh(self) -> None:
        desk, query = self.ctx.desk, self.search.text().strip() or None

        def job():
            from desk_app.services import catalog

            return catalog.list_services(desk, query=query), catalog.current_version(desk)

        def done(result) -> None:
            services, version = result
            self.model.unit = self.ctx.prefs.display_unit
            self.model.set_services(services)
            self.version_label.setText(
                self.tr("Catalog version: %1 — %2 services")
                .replace("%1", _ltr(version or "—"))
                .replace("%2", local_digits(str(len(services))))
            )

        self.ctx.runner.db(job, success=done, failure=lambda exc: self.message.show_error(describe_error(exc)))

    def _import_dialog(self) -> None:
        from desk_app.ui.files import persian_file_dialog

        path = persian_file_dialog(self, self.tr("Catalog file"), "", "JSON (*.json)", mode="open")
        if path:
            self.import_file(path)

    def import_file(self, path: str) -> None:
        desk, actor = self.ctx.desk, self.ctx.username

        def job():
            from desk_app.services import catalog

            return catalog.import_catalog(desk, path, actor=actor)

        def done(result) -> None:
            self.message.show_ok(
                self.tr("Catalog %1 imported: %2 services.")
                .replace("%1", _ltr(result.version))
                .replace("%2", local_digits(str(result.services)))
            )
            self.refresh()

        def failed(exc: BaseException) -> None:
            problems = getattr(exc, "problems", None) or []
            self.message.show_error("\n".join([describe_error(exc), *problems[:10]]))

        self.ctx.runner.db(job, success=done, failure=failed)
