"""A read-only table model over a short list of items (users, services, report rows, fee lines).

Subclasses give `headers()` and `cell(item, column)`; long lists (requests) have their own
windowed model in `requests_model.py`.
"""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt

ITEM_ROLE = Qt.ItemDataRole.UserRole


class ItemsTableModel(QAbstractTableModel):
    left_aligned: frozenset[int] = frozenset()  # columns of numbers/codes/amounts

    def __init__(self, parent: QObject | None = None, unit: str = "rial"):
        super().__init__(parent)
        self.items: list = []
        self.unit = unit

    def set_items(self, items) -> None:
        self.beginResetModel()
        self.items = list(items or [])
        self.endResetModel()

    def headers(self) -> tuple[str, ...]:
        raise NotImplementedError

    def cell(self, item, column: int):
        raise NotImplementedError

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.items)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.headers())

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):  # noqa: N802
        headers = self.headers()
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(headers)
        ):
            return headers[section]
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self.items):
            return None
        item = self.items[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self.cell(item, index.column())
        if role == ITEM_ROLE:
            return item
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() in self.left_aligned:
            return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.tooltip(item, index.column())
        return None

    def tooltip(self, item, column: int):
        return None
