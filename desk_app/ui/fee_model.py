"""Fee lines of the chosen service: a two-column table model (kind, amount)."""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

from desk_app.domain.money import format_amount
from desk_app.ui.table_model import ItemsTableModel

FEE_KIND_LABELS = {
    "government": QT_TRANSLATE_NOOP("Fees", "Government fee"),
    "office": QT_TRANSLATE_NOOP("Fees", "Office fee"),
    "postage": QT_TRANSLATE_NOOP("Fees", "Postage"),
}


def fee_kind_label(kind: str) -> str:
    source = FEE_KIND_LABELS.get(kind)
    return QCoreApplication.translate("Fees", str(source)) if source else kind


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


class FeeLinesModel(ItemsTableModel):
    left_aligned = frozenset({1})

    def set_fees(self, fees) -> None:
        self.set_items(fee_pairs(fees))

    @property
    def total(self) -> int:
        return sum(amount for _kind, amount in self.items)

    def headers(self) -> tuple[str, ...]:
        return (self.tr("Fee"), self.tr("Amount"))

    def cell(self, line, column: int):
        kind, amount = line
        return fee_kind_label(kind) if column == 0 else format_amount(amount, self.unit)
