"""Plain data the documents are built from (filled by desk_app.services.printjobs).

Only strings, ints and datetimes: printing never reaches into the store.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True)
class FieldLine:
    """One answer of the service form as printed: its Persian label and display value."""

    label: str
    value: str
    ltr: bool = False  # codes, numbers and dates: one left-to-right run, in order


@dataclass(frozen=True)
class FieldSection:
    title: str
    lines: tuple[FieldLine, ...]


@dataclass
class ReceiptData:
    office_code: str
    office_name: str
    receipt_no: str
    request_id: str
    created_at: dt.datetime  # aware UTC
    clerk_name: str
    citizen_name: str
    national_code_masked: str
    service_code: str
    service_title: str
    fees: list[tuple[str, int]]  # (kind, rials)
    total: int
    payment_method: str = "cash"  # cash | card
    payment_ref: str | None = None
    server_ref: str | None = None
    pending_sync: bool = True
    copy_no: int = 0  # 0 = original, n = n-th reprint
    unit: str = "rial"  # rial | toman (display only)
    agency: str | None = None
    status: str | None = None
    printed_at: dt.datetime | None = None  # aware UTC; reprints show when
    fields: list[FieldLine] = field(default_factory=list)  # the form's `x-on-receipt` answers


@dataclass
class TicketData:
    """A queue ticket (نوبت) handed out at the door."""

    office_name: str
    number: int
    issued_at: dt.datetime  # aware UTC
    service_title: str | None = None
    waiting: int | None = None


@dataclass
class FormData:
    receipt: ReceiptData
    documents: list[str] = field(default_factory=list)
    mobile: str | None = None
    agency: str | None = None
    national_code: str | None = None  # the full code for the agency's copy; masked when None
    first_name: str | None = None
    last_name: str | None = None
    notes: str | None = None
    sections: list[FieldSection] = field(default_factory=list)  # the service form's answers, by section


@dataclass
class Row:
    """One line of a totals table: a label (service, clerk, method...) with its counts."""

    key: str
    label: str
    count: int
    amount: int
    refunds: int = 0


@dataclass
class ShiftRow:
    shift_id: str
    clerk_name: str
    opened_at: dt.datetime
    closed_at: dt.datetime | None
    opening_cash: int
    expected: dict[str, int] = field(default_factory=dict)  # method -> rials
    counted: dict[str, int] | None = None  # None while open
    closed_by: str | None = None  # who counted and closed it when not its clerk (a manager's name)

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    def difference(self, method: str) -> int | None:
        if self.counted is None:
            return None
        return self.counted.get(method, 0) - self.expected.get(method, 0)


@dataclass
class CancellationRow:
    receipt_no: str
    clerk_name: str
    reason: str
    refund: int
    at: dt.datetime


@dataclass
class DailyReportData:
    office_code: str
    office_name: str
    day: dt.date  # Gregorian date of the Tehran civil day
    generated_at: dt.datetime  # aware UTC
    requests_count: int
    total_amount: int
    per_service: list[Row] = field(default_factory=list)
    per_clerk: list[Row] = field(default_factory=list)
    per_payment: list[Row] = field(default_factory=list)
    cancellations: list[CancellationRow] = field(default_factory=list)
    refunds_total: int = 0
    reprints: int = 0
    pending_sync: int = 0
    attention: int = 0  # outbox items the server refused (invalid / conflict)
    shifts: list[ShiftRow] = field(default_factory=list)
    cancelled_count: int | None = None  # when only the count is known (office-wide totals)
    per_device: list[Row] = field(default_factory=list)  # office-wide: per counter PC
    per_status: list[Row] = field(default_factory=list)  # office-wide: per request status
    office_wide: bool = False  # True: the server's totals across every device
    source_note: str | None = None  # e.g. why the office-wide figures are missing
    unit: str = "rial"

    @property
    def net_amount(self) -> int:
        """What the office keeps: everything taken (cancelled requests included) minus refunds."""
        return self.total_amount - self.refunds_total

    @property
    def open_shifts(self) -> list[ShiftRow]:
        """Shifts of the day not closed yet (said on the report, never silently left open)."""
        return [s for s in self.shifts if s.is_open]

    def to_json(self) -> dict:
        """Plain JSON: dates as ISO dates, instants as UTC ISO 8601 with `Z`, rows as objects."""
        from desk_app.domain.jalali import format_utc

        def conv(v):
            if isinstance(v, dt.datetime):
                return format_utc(v)
            if isinstance(v, dt.date):
                return v.isoformat()
            if isinstance(v, list):
                return [conv(x) for x in v]
            if isinstance(v, dict):
                return {k: conv(x) for k, x in v.items()}
            if hasattr(v, "__dataclass_fields__"):
                return {k: conv(getattr(v, k)) for k in v.__dataclass_fields__}
            return v

        return conv(self)


@dataclass
class ShiftReportData:
    office_code: str
    office_name: str
    shift: ShiftRow
    generated_at: dt.datetime
    requests_count: int
    total_amount: int
    per_service: list[Row] = field(default_factory=list)
    per_payment: list[Row] = field(default_factory=list)
    cancellations: list[CancellationRow] = field(default_factory=list)
    unit: str = "rial"
