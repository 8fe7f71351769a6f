"""PDFs read back with pdfplumber: every drawn line found in logical order (codes, brackets and
dates included), letters in their joined forms, page numbers and repeated table headers,
the empty day and the 5,000-request day, the CSV export."""

from __future__ import annotations

import csv
import subprocess
import unicodedata

import pdfplumber
import pytest
from PIL import Image

from printing.pdf import render_daily_report_pdf, render_form_pdf, render_receipt_pdf
from printing.reports import write_daily_csv
from printing.rtl import isolate_ltr, visual
from tests.helpers import printing_samples as S
from tests.helpers.pdf_read import ZWNJ, logical, no_zwnj, pdf_lines
from tests.helpers.tools import require_module, require_tool


def test_logical_reader_is_sound():
    assert logical("4512-2-050908-0042 دیسر هرامش") == "شماره رسید 4512-2-050908-0042"
    assert logical("(۱۲۳) همانرذگ") == "گذرنامه (۱۲۳)"
    assert logical("\ufed1\ufefc\ufe98\ufea7\ufe8d") == "اختلاف"  # ligature ﻼ read in logical order


def test_receipt_pdf_reads_back_line_by_line(tmp_path):
    out = render_receipt_pdf(S.receipt(copy_no=2, server_ref="PR-1405-000123", pending_sync=False), tmp_path / "r.pdf")
    with pdfplumber.open(out) as pdf:
        assert len(pdf.pages) == 1
        w, h = pdf.pages[0].width, pdf.pages[0].height
        assert (round(w), round(h)) == (420, 595), "A5 portrait"
    lines = [no_zwnj(x) for x in pdf_lines(out)[0]]
    expected = [
        "دفتر پیشخوان خدمات دولت ارومیه ۲۳",
        "کد دفتر 4512",
        "رونوشت ۲",
        "شماره رسید 4512-2-050908-0042",
        "تاریخ و ساعت ۱۴۰۵/۰۹/۰۸ ۱۴:۳۰",
        "متصدی مریم احمدی",
        "متقاضی علیرضا محمدینژاد",
        "کد ملی 123***7890",
        "خدمت صدور گذرنامه (۱۲۳)",
        "سهم دولت ۱۲٬۰۰۰٬۰۰۰ ریال",
        "کارمزد دفتر ۸۵۰٬۰۰۰ ریال",
        "جمع کل ۱۲٬۸۵۰٬۰۰۰ ریال",
        "مبلغ به حروف: دوازده میلیون و هشتصد و پنجاه هزار ریال",
        "روش پرداخت کارت بانکی",
        "شماره مرجع پرداخت IR-778899-01",
        "کد رهگیری PR-1405-000123",
    ]
    for line in expected:
        assert line in lines, f"{line!r} not found in {lines}"
    # order on the page is the order of the receipt
    assert [lines.index(x) for x in expected] == sorted(lines.index(x) for x in expected)
    assert not any("انتظار ارسال" in x for x in lines), "a receipt with a server ref is not pending"


def test_pending_receipt_says_so(tmp_path):
    out = render_receipt_pdf(S.receipt(), tmp_path / "r.pdf")
    lines = pdf_lines(out)[0]
    assert "ثبت در استان در انتظار ارسال است" in lines
    assert not any(x.startswith("رونوشت") for x in lines)


def test_letters_are_drawn_in_their_joined_forms(tmp_path):
    out = render_receipt_pdf(S.receipt(clerk_name="مریم"), tmp_path / "r.pdf")
    with pdfplumber.open(out) as pdf:
        raw = pdf.pages[0].extract_text().split("\n")
    line = next(
        x
        for x in raw
        if unicodedata.normalize("NFKC", x).endswith("یدصتم") or "یدصتم" in unicodedata.normalize("NFKC", x)
    )
    word = line.split(" ")[0][::-1]  # the value, leftmost in the visual line, read right to left
    assert [unicodedata.name(c) for c in word] == [
        "ARABIC LETTER MEEM INITIAL FORM",
        "ARABIC LETTER REH FINAL FORM",
        "ARABIC LETTER FARSI YEH INITIAL FORM",
        "ARABIC LETTER MEEM FINAL FORM",
    ]


def test_long_name_wraps_and_reads_back_whole(tmp_path):
    name = ("محمدحسین عبداللهی Mohammad-Hossein 1234 " * 6)[:200].strip()
    out = render_receipt_pdf(S.receipt(citizen_name=name), tmp_path / "r.pdf")
    lines = pdf_lines(out)[0]
    start = next(i for i, x in enumerate(lines) if x.startswith("متقاضی"))
    end = next(i for i, x in enumerate(lines) if x.startswith("کد ملی"))
    assert end - start >= 3, "a 200-letter name takes several lines"
    text = " ".join(lines[start:end]).removeprefix("متقاضی ").strip()
    assert no_zwnj(text) == no_zwnj(name)


@pytest.mark.parametrize(
    "logical_text",
    [
        "خدمت (۱۲۳) صدور",
        "«الف» و [ب]",
        "رسید " + isolate_ltr("4512-2-050908-0042") + " ثبت",
        "کد " + isolate_ltr("IR-778899-01") + " (پرداخت)",
    ],
)
def test_visual_order_keeps_codes_and_mirrors_brackets(logical_text):
    """python-bidi's Rust `get_display` keeps isolates but does not mirror brackets; its Python
    `algorithm.get_display` mirrors but rejects isolates. Our line shaper must do both."""
    shown = visual(logical_text)
    assert logical(shown) == unicodedata.normalize("NFKC", logical_text.replace("\u2066", "").replace("\u2069", ""))


def test_form_pdf_has_citizen_service_documents_and_signatures(tmp_path):
    out = render_form_pdf(S.form(), tmp_path / "f.pdf")
    pages = pdf_lines(out)
    lines = [no_zwnj(x) for x in pages[0]]
    for line in [
        "فرم درخواست خدمت",
        "شماره رسید 4512-2-050908-0042",
        "کد ملی 1234567890",
        "تلفن همراه 09121234567",
        "عنوان خدمت صدور گذرنامه (۱۲۳)",
        "دستگاه پلیس گذرنامه",
        "کارت ملی",
        "شناسنامه",
        "عکس ۴×۶ (۲ قطعه)",
        "جمع کل ۱۲٬۸۵۰٬۰۰۰ ریال",
    ]:
        assert line in lines, f"{line!r} not in {lines}"
    assert any("امضا و اثر انگشت متقاضی" in x for x in lines)
    assert any("صفحه ۱ از ۱" in x for x in lines)


def test_daily_report_pages_numbered_headers_repeated_totals_right(tmp_path):
    data = S.daily(requests=5000, services=60, cancellations=40)
    out = render_daily_report_pdf(data, tmp_path / "d.pdf")
    pages = pdf_lines(out)
    n = len(pages)
    assert n >= 3
    for i, page in enumerate(pages, start=1):
        fa = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
        assert any(f"صفحه {str(i).translate(fa)} از {str(n).translate(fa)}" in x for x in page), page[-3:]
    # the per-service table runs over onto page 2, with its header drawn again there
    assert "به تفکیک خدمت (ادامه)" in pages[1]
    assert sum(1 for page in pages for x in page if x.startswith("کد خدمت تعداد مبلغ")) >= 2
    every = [x for page in pages for x in page]
    assert "تعداد درخواست‌ها ۵٬۰۰۰".replace(ZWNJ, "") in [no_zwnj(x) for x in every]
    total = f"{data.total_amount:,}".translate(str.maketrans("0123456789,", "۰۱۲۳۴۵۶۷۸۹٬"))
    assert f"جمع ۵٬۰۰۰ {total} ریال" in every
    assert any(x.startswith("4512-2-050908-0039") for x in every), "cancellations listed by receipt no"
    assert "تعداد درخواستها به تفکیک خدمت (۱۵ خدمت پرتقاضا)" in [no_zwnj(x) for x in every]
    rest = sorted(data.per_service, key=lambda r: -r.count)[15:]
    rest_n = f"{sum(r.count for r in rest):,}".translate(str.maketrans("0123456789,", "۰۱۲۳۴۵۶۷۸۹٬"))
    assert f"سایر خدمات: {rest_n} درخواست در ۴۵ خدمت دیگر" in every


def test_zero_request_day_is_a_short_clean_report(tmp_path):
    out = render_daily_report_pdf(S.daily(requests=0), tmp_path / "d.pdf")
    pages = pdf_lines(out)
    assert len(pages) == 1
    lines = [no_zwnj(x) for x in pages[0]]
    assert "در این روز درخواستی ثبت نشده است." in lines
    assert "تعداد درخواستها ۰" in lines
    assert "موردی ثبت نشده است." in lines


def test_csv_export_has_bom_and_the_same_rows(tmp_path):
    data = S.daily(requests=5000, services=60)
    out = write_daily_csv(data, tmp_path / "d.csv")
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(raw.decode("utf-8-sig").splitlines()))
    services = [r for r in rows if r["section"] == "service"]
    assert len(services) == 60
    assert sum(int(r["count"]) for r in services) == 5000
    assert sum(int(r["amount"]) for r in services) == data.total_amount
    assert {r["key"] for r in rows if r["section"] == "payment"} == {"cash", "card"}


def test_pdf_receipt_qr_decodes(tmp_path):
    tool = require_tool("pdftoppm", "poppler-utils (PDF to image)")
    pyzbar = require_module("pyzbar.pyzbar", "pyzbar with libzbar0 (QR decoding)")
    out = render_receipt_pdf(S.receipt(), tmp_path / "r.pdf")
    subprocess.run([tool, "-r", "150", "-png", "-singlefile", str(out), str(tmp_path / "page")], check=True)
    found = [r.data.decode() for r in pyzbar.decode(Image.open(tmp_path / "page.png"))]
    assert found == [f"{S.RECEIPT_NO}|{S.REQUEST_ID}"]


def test_reprint_of_a_cancelled_or_completed_request_says_so(tmp_path):
    lines = pdf_lines(render_receipt_pdf(S.receipt(copy_no=1, status="cancelled"), tmp_path / "c.pdf"))[0]
    assert "این درخواست لغو شده است" in lines
    assert "ثبت در استان در انتظار ارسال است" not in lines
    lines = pdf_lines(
        render_receipt_pdf(
            S.receipt(copy_no=1, status="completed", server_ref="PR-9", pending_sync=False), tmp_path / "d.pdf"
        )
    )[0]
    assert any(x.startswith("وضعیت انجام") for x in lines)


def test_toman_display_unit(tmp_path):
    lines = pdf_lines(render_receipt_pdf(S.receipt(unit="toman"), tmp_path / "t.pdf"))[0]
    assert "جمع کل ۱٬۲۸۵٬۰۰۰ تومان" in lines
    assert "مبلغ به حروف: یک میلیون و دویست و هشتاد و پنج هزار تومان" in lines
