"""Type-ahead service picker over titles and codes, matched on the folded search key.

«گذرنامه», «گذر نامه» and the code «2101» all find «صدور گذرنامه»: the query and every
service are folded with `desk_app.domain.text.search_key` (no spaces, no ZWNJ, unified letters).
Keyboard: type, Up/Down move in the list, Enter picks.
"""

from __future__ import annotations

from PySide6.QtCore import (
    QAbstractListModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QLineEdit, QListView, QVBoxLayout, QWidget

from desk_app.domain.text import normalize_digits, search_key

KEY_ROLE = Qt.ItemDataRole.UserRole + 1
SERVICE_ROLE = Qt.ItemDataRole.UserRole + 2


def picked_text(service) -> str:
    """«صدور گذرنامه  (۲۱۰۱)»: the code in the interface's digits, as on the services page."""
    from desk_app.ui.i18n import local_digits

    return f"{service.title}  ({local_digits(service.code)})"


class ServiceListModel(QAbstractListModel):
    """The cached catalog (about 250 services): small enough to hold whole."""

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._services: list = []
        self._keys: list[str] = []

    def set_services(self, services: list) -> None:
        self.beginResetModel()
        self._services = list(services)
        self._keys = [f"{s.code} {search_key(s.title)}" for s in self._services]
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self._services)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self._services):
            return None
        service = self._services[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return picked_text(service)
        if role == KEY_ROLE:
            return self._keys[index.row()]
        if role == SERVICE_ROLE:
            return service
        return None


class ServiceFilter(QSortFilterProxyModel):
    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._needle = ""
        self._code = ""

    def set_query(self, text: str) -> None:
        self.beginFilterChange()
        self._needle = search_key(text)
        self._code = normalize_digits(text).strip()
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, row: int, parent: QModelIndex | QPersistentModelIndex) -> bool:  # noqa: N802
        if not self._needle:
            return True
        key = self.sourceModel().index(row, 0, parent).data(KEY_ROLE) or ""
        code, _, title_key = key.partition(" ")
        if self._code and code.startswith(self._code):
            return True
        return self._needle in title_key


class ServicePicker(QWidget):
    """A search line above a filtered list; `picked(service)` when the clerk chooses one."""

    picked = Signal(object)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.search = QLineEdit(self)
        self.search.setPlaceholderText(self.tr("Service title or code"))
        self.search.setClearButtonEnabled(True)
        self.list = QListView(self)
        self.list.setObjectName("service_list")
        self.list.setMaximumHeight(140)
        self.source = ServiceListModel(self)
        self.proxy = ServiceFilter(self)
        self.proxy.setSourceModel(self.source)
        self.list.setModel(self.proxy)
        layout.addWidget(self.search)
        layout.addWidget(self.list)
        self.search.textEdited.connect(self._query)
        self.search.installEventFilter(self)
        self.list.activated.connect(self._pick_index)
        self.setFocusProxy(self.search)

    def set_services(self, services: list) -> None:
        self.source.set_services([s for s in services if getattr(s, "active", True)])
        self._query(self.search.text())

    def _query(self, text: str) -> None:
        self.proxy.set_query(text)
        if self.proxy.rowCount():
            self.list.setCurrentIndex(self.proxy.index(0, 0))

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802
        if obj is self.search and isinstance(event, QKeyEvent) and event.type() == QEvent.Type.KeyPress:
            key = event.key()
            if key in (Qt.Key.Key_Down, Qt.Key.Key_Up):
                self._move(1 if key == Qt.Key.Key_Down else -1)
                return True
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                index = self.list.currentIndex()
                if index.isValid():
                    self._pick_index(index)
                    return True
                return False  # nothing to pick: let the page handle Enter
        return super().eventFilter(obj, event)

    def _move(self, step: int) -> None:
        count = self.proxy.rowCount()
        if not count:
            return
        row = self.list.currentIndex().row()
        row = 0 if row < 0 else max(0, min(count - 1, row + step))
        self.list.setCurrentIndex(self.proxy.index(row, 0))

    def _pick_index(self, index: QModelIndex) -> None:
        service = index.data(SERVICE_ROLE)
        if service is not None:
            self.search.setText(picked_text(service))
            self.picked.emit(service)

    def clear(self) -> None:
        self.search.clear()
        self._query("")
        self.list.clearSelection()
        self.list.setCurrentIndex(QModelIndex())

    def visible_codes(self) -> list[str]:
        return [self.proxy.index(r, 0).data(SERVICE_ROLE).code for r in range(self.proxy.rowCount())]
