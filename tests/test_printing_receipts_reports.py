"""Receipts to a PDF "printer" (a folder: one new file per receipt, none written over) and the A4
daily report as a manager reads it: the chart per service on one page, gross and net takings,
open shifts and shifts a manager closed for a clerk."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os

import pytest

from desk_app.domain.money import format_amount, number_to_words
from printing.data import Row, ShiftRow
from printing.errors import PrinterError
from printing.pdf import render_daily_report_pdf
from printing.targets import print_receipt_to, receipt_file_stem
from tests.helpers import printing_samples as S
from tests.helpers.pdf_read import no_zwnj, pdf_lines

CHART_TITLE = no_zwnj("تعداد درخواست‌ها به تفکیک خدمت")


def test_a_pdf_printer_makes_a_new_file_for_every_receipt(tmp_path):
    folder = tmp_path / "receipts"
    first = print_receipt_to(f"pdf-dir:{folder}", S.receipt())
    again = print_receipt_to(f"pdf-dir:{folder}", S.receipt())  # the same original a second time
    copy = print_receipt_to(f"pdf-dir:{folder}", S.receipt(copy_no=1))
    names = sorted(p.name for p in folder.iterdir())
    # Jalali day of the request (1405/09/08) + its receipt number; a copy says so; nothing overwritten
    assert names == [
        "1405-09-08_4512-2-050908-0042-2.pdf",
        "1405-09-08_4512-2-050908-0042.pdf",
        "1405-09-08_4512-2-050908-0042_copy-1.pdf",
    ]
    assert {first.value, again.value, copy.value} == {str(folder / n) for n in names}
    assert all(first.kind == "pdf" for first in (first, again, copy))
    for name in names:
        lines = [no_zwnj(x) for x in pdf_lines(folder / name)[0]]
        assert "شماره رسید 4512-2-050908-0042" in lines
    assert any("رونوشت ۱" in x for x in pdf_lines(folder / names[2])[0])
    if os.name == "posix":
        assert (folder.stat().st_mode & 0o777) == 0o700  # a folder of citizens' receipts, made private
        assert all((folder / n).stat().st_mode & 0o777 == 0o600 for n in names)


def test_an_earlier_file_of_that_name_is_kept(tmp_path):
    folder = tmp_path / "receipts"
    folder.mkdir()
    mine = folder / f"{receipt_file_stem(S.receipt())}.pdf"
    mine.write_bytes(b"somebody's file")
    written = print_receipt_to(f"pdf-dir:{folder}", S.receipt())
    assert mine.read_bytes() == b"somebody's file"
    assert written.value.endswith("-2.pdf")


def test_a_folder_that_cannot_be_written_is_said_in_persian(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the folder should be")
    with pytest.raises(PrinterError) as info:
        print_receipt_to(f"pdf-dir:{blocker / 'receipts'}", S.receipt())
    assert "پوشهٔ رسیدهای PDF" in info.value.message


def _chart_report(cancellations: int):
    """A day whose 15-bar chart starts lower and lower on its page as the table above grows."""
    labels = [f"خدمت {number_to_words(i)}" for i in range(1, 16)]
    data = S.daily(requests=300, services=15, cancellations=cancellations)
    data.per_service = [Row(str(2100 + i), label, 40 - i, (40 - i) * 850_000) for i, label in enumerate(labels)]
    data.requests_count = sum(r.count for r in data.per_service)
    data.total_amount = sum(r.amount for r in data.per_service)
    return data, labels


def test_the_per_service_chart_is_never_split_across_pages(tmp_path):
    for cancellations in range(0, 40, 2):  # every place the chart can start on a page
        data, labels = _chart_report(cancellations)
        pages = pdf_lines(render_daily_report_pdf(data, tmp_path / f"daily-{cancellations}.pdf"))
        found = [
            (n, i) for n, lines in enumerate(pages) for i, line in enumerate(lines) if CHART_TITLE in no_zwnj(line)
        ]
        assert len(found) == 1, (cancellations, found)
        page, at = found[0]
        after = " ".join(pages[page][at:])
        missing = [label for label in labels if label not in after]
        assert not missing, f"{cancellations} cancellations: bars {missing} left the chart's page {page + 1}"


def test_the_received_total_says_what_it_includes_and_the_net_follows(tmp_path):
    data = S.daily(requests=20, services=4, cancellations=3)
    lines = [no_zwnj(x) for x in pdf_lines(render_daily_report_pdf(data, tmp_path / "d.pdf"))[0]]
    gross = no_zwnj(f"جمع دریافتی {format_amount(data.total_amount)} (با درخواست‌های لغو و استردادشده)")
    net = no_zwnj(f"خالص دریافتی {format_amount(data.total_amount - data.refunds_total)} (پس از کسر استرداد)")
    assert gross in lines, lines
    assert net in lines, lines
    assert lines.index(gross) < lines.index(net)


def test_open_shifts_are_said_and_a_managers_close_is_named(tmp_path):
    data = S.daily(requests=20, services=4, cancellations=0)
    at = dt.datetime(2026, 11, 29, 4, 30, tzinfo=dt.UTC)  # 08:00 Tehran
    closed_by_manager = dataclasses.replace(data.shifts[0], closed_by="مدیر دفتر")
    still_open = ShiftRow("s2", "علی رضایی", at, None, 0, {"cash": 2_550_000})
    data.shifts = [closed_by_manager, still_open]
    text = "\n".join(no_zwnj(x) for page in pdf_lines(render_daily_report_pdf(data, tmp_path / "d.pdf")) for x in page)
    flat = text.replace("\n", " ")
    assert no_zwnj("نوبت‌های هنوز باز (۱): علی رضایی (از ۱۴۰۵/۰۹/۰۸ ۰۸:۰۰)") in flat, flat
    # the shift the manager counted for its clerk says so in its row (the narrow cell wraps)
    assert "(بستهٔ" in flat and "مدیر دفتر)" in flat
    assert "علی رضایی ۱۴۰۵/۰۹/۰۸ ۰۸:۰۰ هنوز باز" in flat
