"""Fee lines of the chosen service: a two-column table model (kind, amount)."""
from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QCoreApplication, QModelIndex, QObject, Qt, QT_TRANSLATE_NOOP

from desk_app.domain.money import format_amount

FEE_KIND_LABELS = {
    "government": QT_TRANSLATE_NOOP("Fees", "Government fee"),
    "office": QT_TRANSLATE_NOOP("Fees", "Office fee"),
    "postage": QT_TRANSLATE_NOOP("Fees", "Postage"),
}


def fee_kind_label(kind: str) -> str:
    source = FEE_KIND_LABELS.get(kind)
    return QCoreApplication.translate("Fees", source) if source else kind


def fee_pairs(fees) -> list[tuple[str, int]]:
    """Fee lines as (kind, amount) from FeeLine objects or {"kind", "amount"} dicts."""
    pairs = []
    for fee in fees or ():
        if isinstance(fee, dict):
            pairs.append((fee["kind"], int(fee["amount"])))
        elif isinstance(fee, (tuple, list)):
            pairs.append((fee[0], int(fee[1])))
        else:
            pairs.append((fee.kind, int(fee.amount)))
    return pairs


class FeeLinesModel(QAbstractTableModel):
    def __init__(self, parent: QObject | None = None, unit: str = "rial"):
        super().__init__(parent)
        self._lines: list[tuple[str, int]] = []
        self.unit = unit

    def set_fees(self, fees) -> None:
        self.beginResetModel()
        self._lines = fee_pairs(fees)
        self.endResetModel()

    @property
    def total(self) -> int:
        return sum(amount for _kind, amount in self._lines)

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self._lines)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else 2

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self._lines):
            return None
        kind, amount = self._lines[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return fee_kind_label(kind) if index.column() == 0 else format_amount(amount, self.unit)
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() == 1:
            return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if role != Qt.ItemDataRole.DisplayRole or orientation != Qt.Orientation.Horizontal:
            return None
        return [self.tr("Fee"), self.tr("Amount")][section] if 0 <= section < 2 else None
