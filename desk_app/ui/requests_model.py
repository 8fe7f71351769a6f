"""The requests list as a table model over windows of ids (CONVENTIONS.md 4, after Anki's browser).

The model never holds all ids: it asks the store for the count of matching requests and then
for keyset pages (`after_seq`, newest first) as the view scrolls (`canFetchMore`/`fetchMore`).
Pages are read on the database thread; a page that arrives after the filter changed is dropped
(generation counter). Rows are `RequestView`s of `desk_app.services.requests`.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass, replace
from datetime import date

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor

from desk_app.domain.jalali import format_jalali_datetime, parse_utc
from desk_app.domain.money import format_amount
from desk_app.ui.i18n import local_digits
from desk_app.ui.jobs import JobRunner

PAGE_SIZE = 200

STATUS_LABELS = {
    "registered": QT_TRANSLATE_NOOP("Status", "Registered"),
    "submitted": QT_TRANSLATE_NOOP("Status", "Submitted"),
    "in_progress": QT_TRANSLATE_NOOP("Status", "In progress"),
    "completed": QT_TRANSLATE_NOOP("Status", "Completed"),
    "rejected": QT_TRANSLATE_NOOP("Status", "Rejected"),
    "cancelled": QT_TRANSLATE_NOOP("Status", "Cancelled"),
}
SYNC_LABELS = {
    "pending": QT_TRANSLATE_NOOP("Status", "Waiting to send"),
    "sending": QT_TRANSLATE_NOOP("Status", "Sending"),
    "acked": QT_TRANSLATE_NOOP("Status", "At the province"),
    "attention": QT_TRANSLATE_NOOP("Status", "Needs attention"),
    "withdrawn": QT_TRANSLATE_NOOP("Status", "Not sent (cancelled)"),
}


def status_label(status: str) -> str:
    source = STATUS_LABELS.get(str(status))
    return QCoreApplication.translate("Status", str(source)) if source else str(status)


def sync_label(state: str | None) -> str:
    source = SYNC_LABELS.get(str(state)) if state else None
    return QCoreApplication.translate("Status", str(source)) if source else ""


def sync_state_of(row, state: str | None = None) -> str | None:
    """The outbox state of a row (as read by the model), else derived from the status."""
    state = state or getattr(row, "sync_state", None)
    if state:
        return str(state)
    status = str(getattr(row, "status", ""))
    if status == "registered":
        return "pending"
    if getattr(row, "server_ref", None):
        return "acked"
    return None


def format_when(value) -> str:
    if value is None:
        return ""
    dt = parse_utc(value) if isinstance(value, str) else value
    return format_jalali_datetime(dt, persian=True)


@dataclass(frozen=True)
class RequestFilter:
    status: str | None = None
    day_from: date | None = None
    day_to: date | None = None
    service: str | None = None
    clerk: str | None = None
    query: str | None = None
    attention: bool = False

    def kwargs(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if v not in (None, "", False)}


class RequestSource:
    """Reads counts and keyset pages through `desk_app.services.requests` (database thread).

    A Jalali date range typed in the UI arrives here as Gregorian `day_from`/`day_to` (inclusive,
    either may be empty), which the service reads in keyset windows like any other filter.
    """

    def __init__(self, desk):
        self.desk = desk

    @staticmethod
    def supported(fn) -> set[str] | None:
        params = inspect.signature(fn).parameters
        if any(p.kind is p.VAR_KEYWORD for p in params.values()):
            return None
        return set(params)

    def _kwargs(self, fn, flt: RequestFilter) -> dict:
        kwargs = flt.kwargs()
        accepted = self.supported(fn)
        if accepted is not None:
            unknown = [k for k in kwargs if k not in accepted]
            if unknown:
                raise TypeError(f"{fn.__name__} does not take {unknown}")
        return kwargs

    def count(self, flt: RequestFilter) -> int:
        from desk_app.services import requests

        # count_requests takes **filters: the filters it understands are those of ids_window
        return requests.count_requests(self.desk, **self._kwargs(requests.ids_window, flt))

    def page(self, flt: RequestFilter, after_seq: int | None, limit: int) -> list:
        """A window of seqs (an index-only query), then the rows of just that window."""
        from desk_app.services import requests

        seqs = requests.ids_window(
            self.desk, after_seq=after_seq, limit=limit, **self._kwargs(requests.ids_window, flt)
        )
        return requests.get_requests(self.desk, seqs)

    def sync_states(self, rows) -> dict[str, str]:
        from desk_app.services import requests

        return requests.outbox_states(self.desk, [row.request_id for row in rows])


COLUMNS = (
    ("receipt_no", QT_TRANSLATE_NOOP("RequestsModel", "Receipt no.")),
    ("created_at", QT_TRANSLATE_NOOP("RequestsModel", "Date")),
    ("citizen", QT_TRANSLATE_NOOP("RequestsModel", "Citizen")),
    ("national_code", QT_TRANSLATE_NOOP("RequestsModel", "National code")),
    ("service", QT_TRANSLATE_NOOP("RequestsModel", "Service")),
    ("total", QT_TRANSLATE_NOOP("RequestsModel", "Total")),
    ("status", QT_TRANSLATE_NOOP("RequestsModel", "Status")),
    ("sync", QT_TRANSLATE_NOOP("RequestsModel", "Sync")),
    ("server_ref", QT_TRANSLATE_NOOP("RequestsModel", "Tracking code")),
)
LTR_COLUMNS = {"receipt_no", "national_code", "server_ref"}
ROW_ROLE = Qt.ItemDataRole.UserRole + 10


class RequestsModel(QAbstractTableModel):
    """Rows of requests loaded page by page; `count` is the number of all matching requests."""

    count_changed = Signal(int)
    loaded = Signal()  # a refresh or a page arrived
    failed = Signal(str)

    def __init__(
        self,
        source: RequestSource,
        runner: JobRunner,
        parent: QObject | None = None,
        unit: str = "rial",
        page_size: int = PAGE_SIZE,
    ):
        super().__init__(parent)
        self.source = source
        self.runner = runner
        self.unit = unit
        self.page_size = page_size
        self.filter = RequestFilter()
        self.count = 0
        self._rows: list = []
        self._sync: dict[str, str | None] = {}
        self._exhausted = True
        self._loading = False
        self._generation = 0

    # -- loading ------------------------------------------------------------------------------

    def set_filter(self, flt: RequestFilter) -> None:
        self.filter = flt
        self.refresh()

    def refresh(self) -> None:
        """Count and first page for the current filter (replaces what is shown)."""
        self._generation += 1
        generation, flt, source, size = self._generation, self.filter, self.source, self.page_size
        self._loading = True

        def job():
            rows = source.page(flt, None, size)
            return source.count(flt), rows, source.sync_states(rows)

        def done(result) -> None:
            if generation != self._generation:
                return
            count, rows, states = result
            self.beginResetModel()
            self.count = count
            self._rows = list(rows)
            self._sync = dict(states)
            self._exhausted = len(rows) < size
            self._loading = False
            self.endResetModel()
            self.count_changed.emit(count)
            self.loaded.emit()

        self.runner.db(job, success=done, failure=lambda exc: self._failed(generation, exc))

    def _failed(self, generation: int, exc: BaseException) -> None:
        if generation == self._generation:
            self._loading = False
            from desk_app.ui.errors import describe_error

            self.failed.emit(describe_error(exc))

    def canFetchMore(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> bool:  # noqa: N802
        return not parent.isValid() and not self._exhausted and not self._loading

    def fetchMore(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> None:  # noqa: N802
        if not self.canFetchMore(parent):
            return
        self._loading = True
        generation, flt, source, size = self._generation, self.filter, self.source, self.page_size
        after = self._rows[-1].seq if self._rows else None

        def job():
            rows = source.page(flt, after, size)
            return rows, source.sync_states(rows)

        def done(result) -> None:
            if generation != self._generation:
                return
            self._loading = False
            rows, states = list(result[0]), result[1]
            self._sync.update(states)
            self._exhausted = len(rows) < size
            if rows:
                first = len(self._rows)
                self.beginInsertRows(QModelIndex(), first, first + len(rows) - 1)
                self._rows.extend(rows)
                self.endInsertRows()
            self.loaded.emit()

        self.runner.db(job, success=done, failure=lambda exc: self._failed(generation, exc))

    def sync_state(self, row) -> str | None:
        return sync_state_of(row, self._sync.get(row.request_id))

    def update_row(self, row, sync_state: str | None = None) -> None:
        """Replace a loaded row (after cancel, reprint or a status change) in place."""
        if sync_state is not None:
            self._sync[row.request_id] = sync_state
        for i, old in enumerate(self._rows):
            if old.request_id == row.request_id:
                self._rows[i] = row
                self.dataChanged.emit(self.index(i, 0), self.index(i, len(COLUMNS) - 1))
                return

    @property
    def loading(self) -> bool:
        return self._loading

    def row_at(self, row: int):
        return self._rows[row] if 0 <= row < len(self._rows) else None

    # -- Qt model -----------------------------------------------------------------------------

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(COLUMNS)
        ):
            return QCoreApplication.translate("RequestsModel", str(COLUMNS[section][1]))
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self._rows) or not 0 <= index.column() < len(COLUMNS):
            return None
        row = self._rows[index.row()]
        column = COLUMNS[index.column()][0]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(row, column)
        if role == ROW_ROLE:
            return row
        if role == Qt.ItemDataRole.TextAlignmentRole and (column in LTR_COLUMNS or column == "total"):
            return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and column == "sync" and self.sync_state(row) == "attention":
            return QColor("#b00020")
        return None

    def _display(self, row, column: str) -> str:
        if column == "receipt_no":
            return "\u2066" + row.receipt_no + "\u2069"  # isolate: keeps 4512-2-050908-0042 in order
        if column == "created_at":
            return format_when(row.created_at)
        if column == "citizen":
            return f"{row.first_name} {row.last_name}"
        if column == "national_code":
            return "\u2066" + local_digits(row.national_code) + "\u2069"
        if column == "service":
            return getattr(row, "service_title", None) or row.service
        if column == "total":
            return format_amount(row.total, self.unit)
        if column == "status":
            return status_label(row.status)
        if column == "sync":
            return sync_label(self.sync_state(row))
        if column == "server_ref":
            return "\u2066" + row.server_ref + "\u2069" if row.server_ref else ""  # as on the receipt
        return ""


def with_query(flt: RequestFilter, query: str | None) -> RequestFilter:
    return replace(flt, query=query or None)
