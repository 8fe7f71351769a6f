"""The service form on paper (DESIGN.md section 10): the A4 application form lays out the answers
in the form's sections with their Persian labels and display values (long values wrap, dates and
codes keep their order), the thermal receipt shows the `x-on-receipt` answers. Read back with
pdfplumber and Tesseract."""

from __future__ import annotations

import subprocess

import pytest

from desk_app.services import catalog, printjobs
from tests.helpers.pdf_read import no_zwnj, pdf_lines
from tests.helpers.tools import require_tool
from tests.test_forms_intake import ADULT, forms_catalog, reg
from tests.test_printing_ocr import ocr, tesseract  # noqa: F401 - the fixture

LONG = "سفر درمانی فوری برای عمل جراحی قلب در بیمارستان تخصصی خارج از کشور " * 4


@pytest.fixture
def passport(desk):
    catalog.import_catalog(desk, forms_catalog())
    form = forms_catalog()["services"][0]["form"]
    form["x-sections"] = [
        {"title": "مشخصات شناسنامه‌ای", "fields": ["father_name", "birth_date", "guardian_national_code"]},
        {"title": "گذرنامه", "fields": ["passport_kind", "urgent_reason", "has_old_passport"]},
    ]
    data = forms_catalog()
    data["version"] = "1405-09-21"
    data["services"][0]["form"] = form
    catalog.import_catalog(desk, data)
    r = reg(
        desk,
        {**ADULT, "passport_kind": "urgent", "urgent_reason": LONG.strip(), "plate": "۱۲ ب ۳۴۵ ۶۷"},
        n=50,
    )
    return desk, r


def test_the_a4_form_shows_the_answers_in_their_sections(passport, tmp_path):
    desk, r = passport
    pdf = tmp_path / "form.pdf"
    printjobs.print_form(desk, r.receipt_no, f"pdf:{pdf}")
    lines = [no_zwnj(x) for page in pdf_lines(pdf) for x in page]
    text = "\n".join(lines)
    assert "مشخصات شناسنامهای" in text and "گذرنامه" in text and "سایر اطلاعات" in text  # sections, then the rest
    assert any("نام پدر" in x and "حسن" in x for x in lines)
    assert any("تاریخ تولد" in x and "۱۳۷۰/۰۱/۰۲" in x for x in lines), lines  # the date in its order
    assert any("نوع گذرنامه" in x and "فوری" in x for x in lines)  # the choice's label, not "urgent"
    assert "urgent" not in text
    assert any("پلاک" in x and "۱۲ ب ۳۴۵ ایران ۶۷" in x for x in lines), lines  # as a plate is written
    assert "کد ملی پدر یا سرپرست" not in text  # hidden for an adult: not on the form
    reason = [x for x in lines if "جراحی" in x]
    assert len(reason) >= 3  # the long answer wrapped over several lines, none lost
    assert text.count("جراحی") == 4
    assert text.index("مشخصات شناسنامهای") < text.index("نام پدر") < text.index("نوع گذرنامه")


def test_a_request_without_fields_prints_as_before(desk, tmp_path):
    r = reg(desk, {}, n=51, service="1101")
    pdf = tmp_path / "plain.pdf"
    printjobs.print_form(desk, r.receipt_no, f"pdf:{pdf}")
    text = "\n".join(x for page in pdf_lines(pdf) for x in page)
    assert "مشخصات درخواست" not in text and "فرم درخواست خدمت" in text


def test_the_receipt_shows_the_on_receipt_answers(passport, tmp_path):
    desk, r = passport
    data = printjobs.receipt_data(desk, r.receipt_no)
    assert [(f.label, f.value) for f in data.fields] == [("نوع گذرنامه", "فوری")]
    pdf = tmp_path / "receipt.pdf"
    printjobs.print_receipt(desk, r.receipt_no, f"pdf:{pdf}")
    lines = [no_zwnj(x) for page in pdf_lines(pdf) for x in page]
    assert any("نوع گذرنامه" in x and "فوری" in x for x in lines), lines
    assert not any("نام پدر" in x for x in lines)  # only the x-on-receipt fields


def test_the_printed_form_and_receipt_read_back_by_ocr(passport, tmp_path, tesseract):  # noqa: F811
    desk, r = passport
    png = tmp_path / "receipt.png"
    png.write_bytes(printjobs.receipt_png(desk, r.receipt_no))
    from PIL import Image

    img = Image.open(png)
    img.resize((img.width * 2, img.height * 2)).save(tmp_path / "receipt2x.png")
    text = ocr(tesseract, tmp_path / "receipt2x.png")
    assert "نوع گذرنامه" in text and "فوری" in text, text

    pdftoppm = require_tool("pdftoppm", "poppler-utils (PDF to image)")
    pdf = tmp_path / "form.pdf"
    printjobs.print_form(desk, r.receipt_no, f"pdf:{pdf}")
    subprocess.run([pdftoppm, "-r", "300", "-png", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")], check=True)
    page = next(tmp_path.glob("page*.png"))
    text = ocr(tesseract, page).replace("ةٌ", "ه")
    # Tesseract reads the value column well (the label column of a key-value layout less so):
    # the answers, the long one in its order over its lines, and the plate as written
    for value in ("حسن", "فوری", "برای عمل جراحی قلب در بیمارستان", "ب 345 ایران 67", "گذرنامه قبلی دارد"):
        assert value in text, (value, text)


def test_the_form_of_the_requests_own_version_is_printed(passport, tmp_path):
    """A catalog update renames a label: a request made before it prints with its own form's label."""
    desk, r = passport
    data = forms_catalog()
    data["version"] = "1405-09-22"
    data["services"][0]["form"]["properties"]["father_name"]["title"] = "نام پدر (طبق شناسنامه)"
    catalog.import_catalog(desk, data)
    sections = printjobs.form_data(desk, r.receipt_no).sections
    labels = [line.label for s in sections for line in s.lines]
    assert "نام پدر" in labels and "نام پدر (طبق شناسنامه)" not in labels
    new = reg(desk, {**ADULT}, n=52)
    labels = [line.label for s in printjobs.form_data(desk, new.receipt_no).sections for line in s.lines]
    assert "نام پدر (طبق شناسنامه)" in labels
