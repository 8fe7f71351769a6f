"""Daily and shift reports as layout documents (A4), and the CSV export of the same rows."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from desk_app.paths import open_private
from printing import layout as L
from printing.data import CancellationRow, DailyReportData, Row, ShiftReportData, ShiftRow
from printing.errors import PrinterError
from printing.labels import jdate, jdatetime, money, num, payment_label, signed_money

CHART_TOP = 15  # bars drawn; the rest are summed into «سایر خدمات»
# the day's takings: cancelled (and refunded) requests stay in the gross, the net takes refunds off
GROSS_LABEL, GROSS_NOTE = "جمع دریافتی", "(با درخواست‌های لغو و استردادشده)"
NET_LABEL, NET_NOTE = "خالص دریافتی", "(پس از کسر استرداد)"


def _money_table(
    title: str, first: str, rows: list[Row], unit: str, *, code: bool = False, refunds: bool = False
) -> L.Table:
    cols = ([L.Column("کد", 0.8, ltr=True)] if code else []) + [
        L.Column(first, 3 if code else 2.5),
        L.Column("تعداد", 1, numeric=True),
        L.Column("مبلغ", 1.8, numeric=True),
    ]
    if refunds:
        cols.append(L.Column("استرداد", 1.6, numeric=True))
    body = []
    for r in rows:
        line = ([r.key] if code else []) + [r.label, num(r.count), money(r.amount, unit)]
        if refunds:
            line.append(money(r.refunds, unit))
        body.append(line)
    footer = ([""] if code else []) + ["جمع", num(sum(r.count for r in rows)), money(sum(r.amount for r in rows), unit)]
    if refunds:
        footer.append(money(sum(r.refunds for r in rows), unit))
    return L.Table(columns=cols, rows=body, title=title, footer=footer if rows else None)


def _cancellations(rows: list[CancellationRow], unit: str) -> L.Table:
    return L.Table(
        title="لغوها و استردادها",
        columns=[
            L.Column("شماره رسید", 2.2, ltr=True),
            L.Column("متصدی", 1.5),
            L.Column("علت", 2.5),
            L.Column("استرداد", 1.5, numeric=True),
            L.Column("زمان", 1.6),
        ],
        rows=[[c.receipt_no, c.clerk_name, c.reason, money(c.refund, unit), jdatetime(c.at)] for c in rows],
    )


def _shifts(rows: list[ShiftRow], unit: str) -> L.Table:
    body = []
    for s in rows:
        expected = s.expected.get("cash", 0)
        counted = None if s.counted is None else s.counted.get("cash", 0)
        diff = s.difference("cash")
        if s.closed_at is None:
            end = "هنوز باز"
        elif s.closed_by:
            end = f"{jdatetime(s.closed_at)} (بستهٔ {s.closed_by})"
        else:
            end = jdatetime(s.closed_at)
        body.append(
            [
                s.clerk_name,
                jdatetime(s.opened_at),
                end,
                money(s.opening_cash, unit),
                money(expected, unit),
                "—" if counted is None else money(counted, unit),
                "—" if diff is None else signed_money(diff, unit),
            ]
        )
    return L.Table(
        title="تطبیق صندوق نوبت‌های کاری (نقدی)",
        columns=[
            L.Column("متصدی", 1.4),
            L.Column("شروع", 1.5),
            L.Column("پایان", 1.9),
            L.Column("موجودی اول", 1.4, numeric=True),
            L.Column("مورد انتظار", 1.5, numeric=True),
            L.Column("شمارش‌شده", 1.5, numeric=True),
            L.Column("اختلاف", 1.7),
        ],
        rows=body,
    )


def open_shifts_text(rows: list[ShiftRow]) -> str | None:
    """«نوبت‌های هنوز باز: زهرا احمدی (از ۱۴۰۵/۰۹/۰۸ ۰۸:۰۲)» — a report never leaves an open shift
    unsaid; None when every shift of the day is closed."""
    open_ = [s for s in rows if s.closed_at is None]
    if not open_:
        return None
    names = "، ".join(f"{s.clerk_name} (از {jdatetime(s.opened_at)})" for s in open_)
    return f"نوبت‌های هنوز باز ({num(len(open_))}): {names} — صندوق این نوبت‌ها هنوز شمرده نشده است."


def _chart(rows: list[Row]) -> L.BarChart:
    ranked = sorted(rows, key=lambda r: (-r.count, r.key))
    items = [(r.label, r.count) for r in ranked[:CHART_TOP]]
    return L.BarChart(
        "تعداد درخواست‌ها به تفکیک خدمت" + (f" ({num(len(items))} خدمت پرتقاضا)" if len(ranked) > CHART_TOP else ""),
        items,
        [num(v) for _, v in items],
    )


def _chart_rest(rows: list[Row]) -> L.Text | None:
    ranked = sorted(rows, key=lambda r: (-r.count, r.key))[CHART_TOP:]
    rest = sum(r.count for r in ranked)
    if not rest:
        return None
    return L.Text(f"سایر خدمات: {num(rest)} درخواست در {num(len(ranked))} خدمت دیگر", size="small")


def build_daily_report(data: DailyReportData) -> L.Document:
    u = data.unit
    title = "گزارش روزانهٔ کل دفتر (همهٔ پیشخوان‌ها)" if data.office_wide else "گزارش روزانهٔ دفتر"
    doc = L.Document(
        kind="daily_report",
        page="A4",
        header=f"{title} — {data.office_name} — {jdate(data.day)}",
        footer=f"{data.office_name} ({data.office_code})",
    )
    doc.add(
        L.Title(title),
        L.Text(f"{data.office_name} — کد دفتر {data.office_code}", align="center"),
        L.KeyValue("تاریخ", jdate(data.day), bold=True),
        L.KeyValue("زمان تهیهٔ گزارش", jdatetime(data.generated_at)),
    )
    if data.source_note:
        doc.add(L.Text(data.source_note, boxed=True, size="small"))
    doc.add(
        L.Separator(),
        L.KeyValue("تعداد درخواست‌ها", num(data.requests_count), bold=True),
        L.KeyValue(GROSS_LABEL, f"{money(data.total_amount, u)} {GROSS_NOTE}", bold=True),
        L.KeyValue(
            "تعداد لغوها", num(len(data.cancellations) if data.cancelled_count is None else data.cancelled_count)
        ),
        L.KeyValue("جمع استرداد", money(data.refunds_total, u)),
        L.KeyValue(NET_LABEL, f"{money(data.net_amount, u)} {NET_NOTE}", bold=True),
    )
    if not data.office_wide:
        doc.add(L.KeyValue("رونوشت‌های چاپ‌شده", num(data.reprints)))
        doc.add(L.KeyValue("در انتظار ارسال به استان", num(data.pending_sync)))
        if data.attention:
            doc.add(L.KeyValue("نیازمند بررسی (ردشده در استان)", num(data.attention), bold=True))
    still_open = open_shifts_text(data.shifts)
    if still_open:
        doc.add(L.Text(still_open, boxed=True, bold=True, size="small"))
    doc.add(L.Separator("space"))
    if data.requests_count == 0:
        doc.add(L.Text("در این روز درخواستی ثبت نشده است.", align="center", bold=True))
    doc.add(_money_table("به تفکیک خدمت", "خدمت", data.per_service, u, code=True))
    if data.per_device:
        doc.add(_money_table("به تفکیک دستگاه (پیشخوان)", "دستگاه", data.per_device, u))
    if data.per_status:
        doc.add(
            L.Table(
                title="به تفکیک وضعیت",
                columns=[L.Column("وضعیت", 3), L.Column("تعداد", 1, numeric=True)],
                rows=[[r.label, num(r.count)] for r in data.per_status],
            )
        )
    if data.per_clerk or not data.office_wide:
        doc.add(_money_table("به تفکیک متصدی", "متصدی", data.per_clerk, u, refunds=True))
    if data.per_payment or not data.office_wide:
        doc.add(
            _money_table(
                "به تفکیک روش پرداخت",
                "روش پرداخت",
                [
                    Row(r.key, payment_label(r.key) if r.label == r.key else r.label, r.count, r.amount, r.refunds)
                    for r in data.per_payment
                ],
                u,
            )
        )
    if data.cancellations or not data.office_wide:
        doc.add(_cancellations(data.cancellations, u))
    if not data.office_wide or data.shifts:
        doc.add(_shifts(data.shifts, u))
    if data.per_service:
        doc.add(_chart(data.per_service))
        rest = _chart_rest(data.per_service)
        if rest:
            doc.add(rest)
    doc.add(L.Separator("space"), L.SignatureBoxes(["امضای مدیر دفتر", "امضای متصدی صندوق"]))
    return doc


def build_shift_report(data: ShiftReportData) -> L.Document:
    u = data.unit
    s = data.shift
    doc = L.Document(
        kind="shift_report",
        page="A4",
        header=f"گزارش نوبت کاری — {s.clerk_name}",
        footer=f"{data.office_name} ({data.office_code})",
    )
    doc.add(
        L.Title("گزارش نوبت کاری"),
        L.Text(f"{data.office_name} — کد دفتر {data.office_code}", align="center"),
        L.KeyValue("متصدی", s.clerk_name, bold=True),
        L.KeyValue("شروع", jdatetime(s.opened_at)),
        L.KeyValue("پایان", jdatetime(s.closed_at) if s.closed_at else "هنوز باز"),
        L.KeyValue("تعداد درخواست‌ها", num(data.requests_count)),
        L.KeyValue("جمع دریافتی", money(data.total_amount, u), bold=True),
    )
    if s.closed_by:
        doc.add(L.KeyValue("شمارش و بستن", f"به دست {s.closed_by} (به جای متصدی)", bold=True))
    doc.add(
        L.Separator(),
        _money_table("به تفکیک خدمت", "خدمت", data.per_service, u, code=True),
        _money_table("به تفکیک روش پرداخت", "روش پرداخت", data.per_payment, u),
        _cancellations(data.cancellations, u),
    )
    methods = sorted(set(s.expected) | set(s.counted or {})) or ["cash"]
    doc.add(
        L.Table(
            title="تطبیق صندوق",
            columns=[
                L.Column("روش", 1.5),
                L.Column("مورد انتظار", 2, numeric=True),
                L.Column("شمارش‌شده", 2, numeric=True),
                L.Column("اختلاف", 2),
            ],
            rows=[
                [
                    payment_label(m),
                    money(s.expected.get(m, 0), u),
                    "—" if s.counted is None else money(s.counted.get(m, 0), u),
                    "—" if (diff := s.difference(m)) is None else signed_money(diff, u),
                ]
                for m in methods
            ],
        )
    )
    doc.add(
        L.KeyValue("موجودی اول نوبت", money(s.opening_cash, u)), L.SignatureBoxes(["امضای متصدی", "امضای مدیر دفتر"])
    )
    return doc


CSV_HEADER = ["section", "key", "label", "count", "amount", "refunds"]


def daily_csv_rows(data: DailyReportData) -> list[list]:
    """The report's rows for a spreadsheet: integers in rials, labels as in the PDF."""
    rows: list[list] = [
        ["summary", "day", jdate(data.day), data.requests_count, data.total_amount, data.refunds_total],
        ["summary", "reprints", "رونوشت‌ها", data.reprints, "", ""],
        ["summary", "pending_sync", "در انتظار ارسال", data.pending_sync, "", ""],
    ]
    for section, items in (
        ("service", data.per_service),
        ("clerk", data.per_clerk),
        ("payment", data.per_payment),
        ("device", data.per_device),
        ("status", data.per_status),
    ):
        rows += [[section, r.key, r.label, r.count, r.amount, r.refunds] for r in items]
    rows += [["cancellation", c.receipt_no, c.reason, 1, "", c.refund] for c in data.cancellations]
    for s in data.shifts:
        diff = s.difference("cash")
        rows.append(["shift", s.shift_id, s.clerk_name, "", s.expected.get("cash", 0), "" if diff is None else diff])
    return rows


def write_daily_csv(data: DailyReportData, path: str | Path) -> Path:
    """UTF-8 with BOM (Excel on Windows reads Persian correctly only with it)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    writer.writerows(daily_csv_rows(data))
    path = Path(path)
    try:
        with open_private(path, "w", encoding="utf-8-sig", newline="") as fh:  # a new file is 0600
            fh.write(buf.getvalue())
    except OSError as exc:
        raise PrinterError(f"نوشتن فایل CSV ممکن نشد: {path} ({exc.strerror or exc})") from exc
    return path
