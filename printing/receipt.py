"""The receipt (رسید) and the queue ticket (نوبت) as layout documents (DESIGN.md section 6)."""

from __future__ import annotations

import datetime as dt

from desk_app.domain.status import STATUS_LABELS_FA
from printing import layout as L
from printing.data import ReceiptData, TicketData
from printing.labels import fa, fee_label, jdatetime, money, payment_label, words

PENDING_NOTE = "ثبت در استان در انتظار ارسال است"
CANCELLED_NOTE = "این درخواست لغو شده است"

_STATUS_LABELS = {status.value: label for status, label in STATUS_LABELS_FA.items()}


def qr_payload(data: ReceiptData) -> str:
    """What the receipt's QR code holds: receipt number and request id, `|`-separated."""
    return f"{data.receipt_no}|{data.request_id}"


def copy_label(copy_no: int) -> str:
    return f"رونوشت {fa(copy_no)}" if copy_no > 0 else ""


def build_receipt(data: ReceiptData) -> L.Document:
    u = data.unit
    doc = L.Document(kind="receipt", page="A5")
    doc.add(
        L.Title(data.office_name),
        L.KeyValue("کد دفتر", data.office_code, ltr=True),
        L.Text("رسید پذیرش درخواست خدمت", align="center", bold=True),
    )
    if data.copy_no > 0:
        doc.add(L.Text(copy_label(data.copy_no), align="center", bold=True, boxed=True))
    doc.add(
        L.Separator(),
        L.KeyValue("شماره رسید", data.receipt_no, ltr=True),
        L.KeyValue("تاریخ و ساعت", jdatetime(data.created_at)),
        L.KeyValue("متصدی", data.clerk_name),
        L.KeyValue("متقاضی", data.citizen_name),
        L.KeyValue("کد ملی", data.national_code_masked, ltr=True),
        L.Separator("dashed"),
        L.KeyValue("خدمت", data.service_title, bold=True),
        L.KeyValue("کد خدمت", data.service_code, ltr=True),
    )
    if data.agency:
        doc.add(L.KeyValue("دستگاه", data.agency))
    for line in data.fields:  # the service form's `x-on-receipt` answers
        doc.add(L.KeyValue(line.label, line.value, ltr=line.ltr))
    for kind, amount in data.fees:
        doc.add(L.KeyValue(fee_label(kind), money(amount, u)))
    doc.add(
        L.Separator(),
        L.KeyValue("جمع کل", money(data.total, u), bold=True),
        L.Text("مبلغ به حروف: " + words(data.total, u), size="small"),
        L.KeyValue("روش پرداخت", payment_label(data.payment_method)),
    )
    if data.payment_ref:
        doc.add(L.KeyValue("شماره مرجع پرداخت", data.payment_ref, ltr=True))
    if data.server_ref:
        doc.add(L.KeyValue("کد رهگیری", data.server_ref, ltr=True, bold=True))
    if data.status == "cancelled":
        doc.add(L.Text(CANCELLED_NOTE, align="center", bold=True, boxed=True))
    elif data.copy_no > 0 and data.status and data.status != "registered":
        doc.add(L.KeyValue("وضعیت", _STATUS_LABELS.get(data.status, data.status)))
    if data.pending_sync and not data.server_ref and data.status != "cancelled":
        doc.add(L.Text(PENDING_NOTE, align="center", bold=True, boxed=True))
    doc.add(L.QRCode(qr_payload(data)))
    if data.copy_no > 0 and data.printed_at is not None:
        doc.add(L.Text("چاپ رونوشت: " + jdatetime(data.printed_at), align="center", size="small"))
    doc.footer = "این رسید را تا پایان کار نزد خود نگه دارید."
    return doc


def build_ticket(data: TicketData) -> L.Document:
    doc = L.Document(kind="ticket", page="A5")
    doc.add(
        L.Title(data.office_name, size="medium"),
        L.Text("شماره نوبت شما", align="center"),
        L.Title(fa(data.number), size="huge"),
    )
    if data.service_title:
        doc.add(L.Text(data.service_title, align="center"))
    if data.waiting is not None:
        doc.add(L.Text(f"افراد پیش از شما: {fa(data.waiting)}", align="center", size="small"))
    doc.add(L.Separator("dashed"), L.Text(jdatetime(data.issued_at), align="center", size="small"))
    return doc


def build_test_page(office_name: str, now: dt.datetime, target: str = "") -> L.Document:
    """A short page to check a printer: Persian shaping, a code, an amount, a QR code, the cut."""
    doc = L.Document(kind="test", page="A5")
    doc.add(
        L.Title("صفحهٔ آزمایشی چاپگر", size="medium"),
        L.Text(office_name or "میز پیشخوان", align="center"),
        L.Separator(),
        L.KeyValue("زمان", jdatetime(now)),
        L.KeyValue("مقصد", target, ltr=True),
        L.KeyValue("نمونهٔ شماره", "4512-2-050908-0042", ltr=True),
        L.KeyValue("نمونهٔ مبلغ", money(1_250_000)),
        L.Text("اگر این نوشته‌ها خوانا و حروف به هم پیوسته‌اند، چاپگر درست تنظیم شده است."),
        L.QRCode("PISHKHAN-TEST"),
    )
    return doc
