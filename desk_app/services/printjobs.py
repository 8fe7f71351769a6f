"""Printing use cases: build the printing data from the store, record a print job, print, and
mark the job done or failed.

The request is committed long before anything is printed; a printer that fails leaves a
`failed` job and an untouched request, and the same call prints it again. A receipt printed
after a first successful print is a copy (رونوشت n): its number is taken from the request's
`reprint_count`, stored with the job and written to the audit log.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import select

from desk_app.domain.errors import InvalidInput
from desk_app.domain.identifiers import mask_national_code
from desk_app.domain.jalali import format_utc, parse_utc, today_tehran, utc_now
from desk_app.domain.roles import can
from desk_app.domain.status import STATUS_LABELS_FA, Status
from desk_app.domain.text import to_persian_digits
from desk_app.services import audit
from desk_app.services.requests import RequestView, find_row, is_pending_sync, view
from desk_app.services.shifts import ensure_shift, open_shift_row
from desk_app.services.sync import server_transport
from desk_app.services.users import acting_user
from desk_app.store.models import PrintJob, Request, ServiceRow, User

if TYPE_CHECKING:
    from desk_app.services.context import Desk

log = logging.getLogger("desk_app.services")

KIND_RECEIPT, KIND_FORM, KIND_REPORT = "receipt", "form", "report"
MSG_NO_TARGET = "چاپگر رسید تنظیم نشده است؛ مقصد را با --to بدهید یا در تنظیمات چاپگر را انتخاب کنید."
MSG_OFFICE_WIDE_FALLBACK = "گزارش کل دفتر از سرور استان گرفته نشد ({reason})؛ گزارش فقط دادهٔ همین دستگاه را دارد."


@dataclass
class PrintResult:
    job_id: int
    kind: str
    target: str
    copy_no: int = 0
    notes: list[str] = field(default_factory=list)  # things to tell the user (stderr in the CLI)
    path: str | None = None  # the file written, for file targets (`pdf-dir:` makes a new one each time)
    receipt_no: str | None = None  # the receipt printed (receipts only)

    def to_json(self) -> dict:
        return {
            "job_id": self.job_id,
            "kind": self.kind,
            "target": self.target,
            "copy_no": self.copy_no,
            "notes": self.notes,
            "path": self.path,
            "receipt_no": self.receipt_no,
        }


@dataclass(frozen=True)
class ReceiptPreview:
    """A stored request's receipt rendered as the thermal printer gets it (1-bit raster, `dots`
    wide) as PNG bytes: what the window's preview shows. `copy_no` is what the next print of it
    would be (0 = the original); nothing is recorded by rendering it."""

    receipt_no: str
    copy_no: int
    png: bytes
    dots: int


# --- jobs ----------------------------------------------------------------------------------


def _start_job(
    desk: Desk, kind: str, target: str, request_id: str | None, copy_no: int, actor: str | None = None
) -> int:
    """Record a queued job. A receipt printed by a known user is linked to that user's shift: a
    copy (reprint) opens one with cash 0 when none is open, as intake and cancel do (DESIGN: every
    reprint is linked to its shift); an original only joins the shift that is open."""
    with desk.db.write() as s:
        clerk, shift_id = None, None
        if actor is not None and kind == KIND_RECEIPT:
            user = acting_user(s, actor)
            clerk = user.username
            if copy_no > 0 and can(user.role, "register"):
                shift_id = ensure_shift(s, user).id
            else:
                shift = open_shift_row(s, user)
                shift_id = shift.id if shift is not None else None
        job = PrintJob(
            request_id=request_id,
            kind=kind,
            target=target,
            copy_no=copy_no,
            state="queued",
            created_at=format_utc(utc_now()),
            clerk_username=clerk,
            shift_id=shift_id,
        )
        s.add(job)
        s.flush()
        return job.id


def _finish_job(
    desk: Desk, job_id: int, error: str | None, *, actor: str | None = None, receipt_no: str | None = None
) -> None:
    with desk.db.write() as s:
        job = s.get(PrintJob, job_id)
        job.state = "failed" if error else "done"
        job.error = error
        job.finished_at = format_utc(utc_now())
        if error is None and job.kind == KIND_RECEIPT and job.copy_no > 0:
            row = s.scalar(select(Request).where(Request.request_id == job.request_id))
            row.reprint_count = max(row.reprint_count or 0, job.copy_no)
            audit.record(s, actor, "reprint", receipt_no, {"copy_no": job.copy_no, "target": job.target.split(":")[0]})


def _run_job(desk: Desk, job_id: int, action, *, actor=None, receipt_no=None):
    """Run `action()`; mark the job done or failed (with the Persian message) and re-raise."""
    try:
        result = action()
    except Exception as exc:
        message = getattr(exc, "message", None) or f"{type(exc).__name__}"
        _finish_job(desk, job_id, message)
        log.warning("print job %s failed: %s", job_id, type(exc).__name__)
        raise
    _finish_job(desk, job_id, None, actor=actor, receipt_no=receipt_no)
    return result


def list_jobs(desk: Desk, *, request_id: str | None = None, state: str | None = None, limit: int = 100) -> list[dict]:
    with desk.db.read() as s:
        q = select(PrintJob).order_by(PrintJob.id.desc()).limit(limit)
        if request_id:
            q = q.where(PrintJob.request_id == request_id)
        if state:
            q = q.where(PrintJob.state == state)
        return [
            {
                "id": j.id,
                "request_id": j.request_id,
                "kind": j.kind,
                "target": j.target,
                "copy_no": j.copy_no,
                "state": j.state,
                "error": j.error,
                "created_at": j.created_at,
                "finished_at": j.finished_at,
                "clerk_username": j.clerk_username,
                "shift_id": j.shift_id,
            }
            for j in s.scalars(q)
        ]


PRINTER_NOT_SET, PRINTER_READY, PRINTER_OK, PRINTER_FAILED = "not_set", "ready", "ok", "failed"


def printer_state(desk: Desk) -> str:
    """The receipt printer as the desk reports it to the province (`hello`): `not_set` (no
    printer in the settings), `ready` (set, no receipt printed yet), else the last receipt's
    print: `ok` or `failed`."""
    if not desk.settings.get("printer_target"):
        return PRINTER_NOT_SET
    with desk.db.read() as s:
        last = s.scalar(
            select(PrintJob.state)
            .where(PrintJob.kind == KIND_RECEIPT, PrintJob.state.in_(("done", "failed")))
            .order_by(PrintJob.id.desc())
            .limit(1)
        )
    if last is None:
        return PRINTER_READY
    return PRINTER_OK if last == "done" else PRINTER_FAILED


# --- data ----------------------------------------------------------------------------------


def _full_name(s, username: str) -> str:
    return s.scalar(select(User.full_name).where(User.username == username)) or username


def receipt_data(desk: Desk, receipt_no_or_id: str, copy_no: int = 0):
    """The ReceiptData of a stored request (masked national code, clerk's full name)."""
    from printing.data import ReceiptData

    settings = desk.settings.all()
    with desk.db.read() as s:
        row = find_row(s, receipt_no_or_id)
        r = view(row)
        clerk = _full_name(s, r.clerk)
        agency = s.scalar(select(ServiceRow.agency).where(ServiceRow.code == r.service))
    pending = r.server_ref is None and is_pending_sync(desk, r.request_id)
    return ReceiptData(
        fields=_form_lines(desk, r),
        office_code=r.office,
        office_name=settings["office_name"],
        receipt_no=r.receipt_no,
        request_id=r.request_id,
        created_at=parse_utc(r.created_at),
        clerk_name=clerk,
        citizen_name=r.full_name,
        national_code_masked=mask_national_code(r.national_code),
        service_code=r.service,
        service_title=r.service_title,
        fees=[(f["kind"], int(f["amount"])) for f in r.fees],
        total=r.total,
        payment_method=r.payment_method,
        payment_ref=r.payment_ref,
        server_ref=r.server_ref,
        pending_sync=pending and r.status == Status.REGISTERED,
        copy_no=copy_no,
        unit=settings["display_unit"],
        agency=agency,
        status=r.status,
        printed_at=utc_now() if copy_no else None,
    )


def _request_form(desk: Desk, r: RequestView):
    """The form the request was checked by (its own version's), and the day its conditions hold on."""
    from desk_app.services.catalog import version_form

    form = version_form(desk, r.form_version or r.catalog_version, r.service) if r.fields else None
    return form, dt.date.fromisoformat(r.tehran_day)


def _form_lines(desk: Desk, r: RequestView):
    from printing.fields import receipt_lines

    if not r.fields:
        return []
    form, day = _request_form(desk, r)
    return receipt_lines(form, r.fields, on=day)


def _next_copy_no(desk: Desk, request_id: str, reprint: bool | None) -> int:
    """0 for the original; n for the n-th copy. `reprint=None`: a copy once an original is out."""
    with desk.db.read() as s:
        printed = s.scalar(
            select(PrintJob.id)
            .where(PrintJob.request_id == request_id, PrintJob.kind == KIND_RECEIPT, PrintJob.state == "done")
            .limit(1)
        )
        count = s.scalar(select(Request.reprint_count).where(Request.request_id == request_id)) or 0
    if reprint is False or (reprint is None and printed is None):
        return 0
    return count + 1


# --- use cases -----------------------------------------------------------------------------


def print_receipt(
    desk: Desk,
    receipt_no: str,
    target: str | None = None,
    paper: int | None = None,
    dots: int | None = None,
    reprint: bool | str | None = None,
    *,
    actor: str | None = None,
    drawer: bool | None = None,
    timeouts=None,
    page: bool = False,
) -> PrintResult:
    """Print (or reprint) the receipt of a stored request. Raises PrinterError / InvalidInput.

    `reprint`: None = original the first time, a copy once an original was printed; True/False
    forces it; a username string forces a copy made by that user (the audit log's actor).
    `page=True` with `printer:NAME`: the A5 page of the receipt for an ordinary (office) printer,
    not the thermal image as raw ESC/POS (the preview's "another printer")."""
    from printing import targets as T
    from printing.backends import Timeouts

    if isinstance(reprint, str):
        actor, reprint = actor or reprint, True

    configured = desk.settings.get("printer_target")
    target = target or configured
    if not target:
        raise InvalidInput(MSG_NO_TARGET, "target")
    parsed = T.parse_target(target)
    if parsed.kind == "pdf" and target == configured:
        # the receipt printer is a PDF "printer": one new file per receipt in that file's folder
        # (a round-1 setting named one file, which every receipt overwrote)
        parsed = T.parse_target(f"pdf-dir:{Path(parsed.value).parent}")
    paper = paper or desk.settings.get("printer_paper")
    dots = dots if dots is not None else desk.settings.get("printer_dots")
    with desk.db.read() as s:
        request_id = find_row(s, receipt_no).request_id
    copy_no = _next_copy_no(desk, request_id, reprint)
    data = receipt_data(desk, request_id, copy_no)
    kick = (
        (desk.settings.get("cash_drawer") if drawer is None else drawer)
        and data.payment_method == "cash"
        and copy_no == 0
    )
    job_id = _start_job(desk, KIND_RECEIPT, str(parsed), request_id, copy_no, actor)
    if page and parsed.kind == "printer":
        from printing.pdf import render_receipt_pdf

        def action():
            return T.print_pdf_to(parsed, lambda path: render_receipt_pdf(data, path))
    else:

        def action():
            return T.print_receipt_to(
                parsed, data, paper=paper, dots=dots, drawer=kick, timeouts=timeouts or Timeouts()
            )

    written = _run_job(desk, job_id, action, actor=actor, receipt_no=data.receipt_no)
    path = written.value if written is not None and written.kind in ("pdf", "png", "escpos-file") else None
    return PrintResult(job_id, KIND_RECEIPT, str(parsed), copy_no, path=path, receipt_no=data.receipt_no)


def receipt_preview(
    desk, receipt_no: str, *, copy_no: int | None = None, paper: int | None = None, dots: int | None = None
) -> ReceiptPreview:
    """The receipt of a stored request as PNG bytes of the thermal image (the printer's paper width
    from the settings unless given): the window shows it after a save when there is no printer,
    when printing failed, or when `show_receipt_preview` is on. `copy_no=None`: the next print's
    (the original until one came out). Records no print job: a preview on screen is not a receipt
    in the citizen's hand."""
    from printing.receipt import build_receipt
    from printing.thermal import paper_dots, render_png

    with desk.db.read() as s:
        request_id = find_row(s, receipt_no).request_id
    number = _next_copy_no(desk, request_id, None) if copy_no is None else copy_no
    data = receipt_data(desk, request_id, number)
    width = paper_dots(
        paper or desk.settings.get("printer_paper"), dots if dots is not None else desk.settings.get("printer_dots")
    )
    return ReceiptPreview(data.receipt_no, number, render_png(build_receipt(data), width), width)


def receipt_png(desk, receipt_no: str, *, copy_no: int | None = None, paper: int | None = None) -> bytes:
    """`receipt_preview(...).png`: the real receipt's sibling of `sample_receipt_png`."""
    return receipt_preview(desk, receipt_no, copy_no=copy_no, paper=paper).png


def system_printers() -> list[str]:
    """The system's printer names (CUPS / Windows spooler) for a chooser; [] when there are none."""
    from printing.backends import list_system_printers

    return list_system_printers()


def print_test_page(desk: Desk, target: str, paper: int | None = None, dots: int | None = None) -> PrintResult:
    """A printer check from the settings page (no request involved)."""
    from printing import targets as T
    from printing.receipt import build_test_page

    parsed = T.parse_target(target)
    paper = paper or desk.settings.get("printer_paper")
    doc = build_test_page(desk.settings.get("office_name"), utc_now(), str(parsed))
    job_id = _start_job(desk, "test", str(parsed), None, 0)
    written = _run_job(desk, job_id, lambda: T.print_document_to(parsed, doc, paper, dots))
    path = written.value if written is not None and written.kind in ("pdf", "png", "escpos-file") else None
    return PrintResult(job_id, "test", str(parsed), path=path)


def sample_receipt_png(paper: int = 80, dots: int | None = None) -> bytes:
    """A receipt of made-up data (office 4512, no database) rendered as the thermal printer would
    get it, as PNG bytes: `desk-app self-test` checks with it that the renderer, the bundled font
    and Qt's text shaping work in this install."""
    from printing.data import ReceiptData
    from printing.receipt import build_receipt
    from printing.thermal import paper_dots, render_png

    data = ReceiptData(
        office_code="4512",
        office_name="دفتر پیشخوان آزمایشی",
        receipt_no="4512-1-050908-0001",
        request_id="00000000-0000-4000-8000-000000000000",
        created_at=dt.datetime(2026, 11, 29, 8, 0, tzinfo=dt.UTC),
        clerk_name="آزمون",
        citizen_name="علی رضایی",
        national_code_masked="001***5678",
        service_code="2101",
        service_title="صدور گذرنامه",
        fees=[("government", 12000000), ("office", 850000)],
        total=12850000,
        payment_method="cash",
        payment_ref=None,
        server_ref=None,
        pending_sync=True,
        copy_no=0,
    )
    return render_png(build_receipt(data), paper_dots(paper, dots))


def form_data(desk: Desk, receipt_no: str):
    from printing.data import FormData

    receipt = receipt_data(desk, receipt_no)
    with desk.db.read() as s:
        row = find_row(s, receipt_no)
        service = s.get(ServiceRow, row.service_code)
        documents = json.loads(service.documents_json) if service and service.documents_json else []
        return FormData(
            receipt=receipt,
            documents=documents,
            mobile=row.mobile,
            agency=service.agency if service else None,
            national_code=row.national_code,
            first_name=row.first_name,
            last_name=row.last_name,
            sections=_form_sections(desk, view(row)),
        )


def _form_sections(desk: Desk, r: RequestView):
    from printing.fields import form_sections_data

    if not r.fields:
        return []
    form, day = _request_form(desk, r)
    return form_sections_data(form, r.fields, on=day)


def print_form(desk: Desk, receipt_no: str, target: str) -> PrintResult:
    """The A4 application form of a stored request to `pdf:FILE` or `printer:NAME`."""
    from printing import targets as T
    from printing.pdf import render_form_pdf

    parsed = T.parse_target(target, ("pdf", "printer"))
    data = form_data(desk, receipt_no)
    job_id = _start_job(desk, KIND_FORM, str(parsed), data.receipt.request_id, 0)
    _run_job(desk, job_id, lambda: T.print_pdf_to(parsed, lambda path: render_form_pdf(data, path)))
    return PrintResult(job_id, KIND_FORM, str(parsed))


def daily_report_data(desk: Desk, day: dt.date):
    """The local daily report (this counter PC) as printing data: the report service builds it."""
    from desk_app.services.reports import daily_report

    rep = daily_report(desk, day)
    rep.unit = rep.unit or "rial"
    return rep


def office_wide_data(desk: Desk, day: dt.date, transport):
    """The server's office-wide totals of `day` (all counter PCs) as printing data."""
    from printing.data import DailyReportData, Row

    office = desk.settings.get("office_code")
    totals = transport.daily_report(office, day.isoformat())
    with desk.db.read() as s:
        titles = dict(s.execute(select(ServiceRow.code, ServiceRow.title)).all())
    labels = {k.value: v for k, v in STATUS_LABELS_FA.items()}
    return DailyReportData(
        office_code=office,
        office_name=desk.settings.get("office_name"),
        day=day,
        generated_at=utc_now(),
        requests_count=int(totals["requests"]),
        total_amount=int(totals["gross"]),
        per_service=[
            Row(g["key"], titles.get(g["key"], g["key"]), g["count"], g["total"]) for g in totals["by_service"]
        ],
        per_device=[
            Row(g["key"], f"دستگاه {to_persian_digits(g['key'])}", g["count"], g["total"]) for g in totals["by_device"]
        ],
        per_status=[Row(k, labels.get(k, k), n, 0) for k, n in sorted(totals.get("by_status", {}).items())],
        refunds_total=int(totals["refunds"]),
        cancelled_count=int(totals["cancelled"]),
        office_wide=True,
        unit=desk.settings.get("display_unit"),
    )


REPORT_TIMEOUT = (5.0, 20.0)  # (connect, read): the office-wide totals of one day


def print_daily_report(
    desk: Desk,
    day: dt.date | None = None,
    target: str | None = None,
    *,
    office_wide: bool = False,
    csv_path: str | Path | None = None,
    transport=None,
) -> PrintResult:
    """The A4 daily report (this PC, or the whole office from the server) and optionally its CSV."""
    from desk_app.sync.errors import SyncError
    from printing import targets as T
    from printing.pdf import render_daily_report_pdf
    from printing.reports import write_daily_csv

    day = day or today_tehran()
    parsed = T.parse_target(target, ("pdf", "printer")) if target else None
    if parsed is None and csv_path is None:
        raise InvalidInput("مقصد گزارش را با --to یا --csv بدهید.", "target")
    notes: list[str] = []
    data = None
    if office_wide:
        own = transport is None
        transport = transport or server_transport(desk, timeout=REPORT_TIMEOUT)
        if transport is None:
            reason = "این دستگاه در سرور استان ثبت نشده است"
        else:
            try:
                data = office_wide_data(desk, day, transport)
            except SyncError as exc:
                reason = exc.message
            finally:
                if own:
                    transport.close()
        if data is None:
            notes.append(MSG_OFFICE_WIDE_FALLBACK.format(reason=reason))
    if data is None:
        data = daily_report_data(desk, day)
        if office_wide:
            data.source_note = notes[-1]
    job_id = _start_job(desk, KIND_REPORT, str(parsed) if parsed else f"csv:{csv_path}", None, 0)

    def run():
        if parsed is not None:
            T.print_pdf_to(parsed, lambda path: render_daily_report_pdf(data, path))
        if csv_path is not None:
            write_daily_csv(data, csv_path)

    _run_job(desk, job_id, run)
    return PrintResult(job_id, KIND_REPORT, str(parsed) if parsed else f"csv:{csv_path}", notes=notes)


def shift_report_data(desk: Desk, shift_id: str):
    """One shift (open or closed) as printing data: its requests per service and method,
    its cancellations and the expected-vs-counted cash."""
    from sqlalchemy import func

    from desk_app.services.shifts import PAYMENT_LABELS_FA, expected_amounts
    from desk_app.store.models import Cancellation, Shift
    from printing.data import CancellationRow, Row, ShiftReportData, ShiftRow

    settings = desk.settings.all()
    with desk.db.read() as s:
        shift = s.get(Shift, shift_id)
        if shift is None:
            raise InvalidInput(f"نوبت کاری «{shift_id[:40]}» پیدا نشد.", "shift")
        username = s.scalar(select(User.username).where(User.id == shift.user_id))
        expected = json.loads(shift.expected_json) if shift.expected_json else expected_amounts(s, shift)[0]
        per_service = [
            Row(code, title, n, int(total))
            for code, title, n, total in s.execute(
                select(
                    Request.service_code, Request.service_title, func.count(), func.coalesce(func.sum(Request.total), 0)
                )
                .where(Request.shift_id == shift_id)
                .group_by(Request.service_code, Request.service_title)
                .order_by(Request.service_code)
            )
        ]
        per_payment = [
            Row(m, PAYMENT_LABELS_FA.get(m, m), n, int(total))
            for m, n, total in s.execute(
                select(Request.payment_method, func.count(), func.coalesce(func.sum(Request.total), 0))
                .where(Request.shift_id == shift_id)
                .group_by(Request.payment_method)
                .order_by(Request.payment_method)
            )
        ]
        names = dict(s.execute(select(User.username, User.full_name)).all())
        cancellations = [
            CancellationRow(
                receipt_no, names.get(c.clerk_username) or c.clerk_username, c.reason, c.refund, parse_utc(c.at)
            )
            for c, receipt_no in s.execute(
                select(Cancellation, Request.receipt_no)
                .join(Request, Request.request_id == Cancellation.request_id)
                .where(Cancellation.shift_id == shift_id)
                .order_by(Cancellation.at)
            )
        ]
        row = ShiftRow(
            shift.id,
            names.get(username) or username,
            parse_utc(shift.opened_at),
            parse_utc(shift.closed_at) if shift.closed_at else None,
            shift.opening_cash,
            expected,
            json.loads(shift.counted_json) if shift.counted_json else None,
            names.get(shift.closed_by) or shift.closed_by if shift.closed_by else None,
        )
    return ShiftReportData(
        office_code=settings["office_code"] or "",
        office_name=settings["office_name"],
        shift=row,
        generated_at=utc_now(),
        requests_count=sum(r.count for r in per_service),
        total_amount=sum(r.amount for r in per_service),
        per_service=per_service,
        per_payment=per_payment,
        cancellations=cancellations,
        unit=settings["display_unit"],
    )


def print_shift_report(desk: Desk, shift_id: str, target: str) -> PrintResult:
    """The A4 shift report (cash reconciliation) to `pdf:FILE` or `printer:NAME`."""
    from printing import targets as T
    from printing.pdf import render_shift_report_pdf

    parsed = T.parse_target(target, ("pdf", "printer"))
    data = shift_report_data(desk, shift_id)
    job_id = _start_job(desk, KIND_REPORT, str(parsed), None, 0)
    _run_job(desk, job_id, lambda: T.print_pdf_to(parsed, lambda path: render_shift_report_pdf(data, path)))
    return PrintResult(job_id, KIND_REPORT, str(parsed))
