"""Order and direction, all Persian, one digit style (issue 13, items 5-7).

A code inside Persian text is an isolated left-to-right run, and the save banner is read back by
Tesseract: its word boxes, left to right, give the receipt number in its written order. Qt's own
strings (file dialogs) are Persian through qtbase_fa; file dialogs open in Documents/«میز پیشخوان»
with a Jalali name and Jalali dates; history says who in Persian; digits are Persian everywhere
people read, inputs included; receipt numbers stay as printed on the receipt.
"""

from __future__ import annotations

import re
import subprocess

import pytest
from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QPushButton, QTreeView

from desk_app.ui.widgets import LRI, PDI
from tests.helpers.tools import missing, require_tool
from tests.ui_helpers import NATIONAL_CODES, fill_intake, idle, log_in, type_text

pytestmark = pytest.mark.timeout(90)
ASCII_DIGIT = re.compile(r"[0-9]")


def save_request(qtbot, window, code: str, service: str = "2101"):
    page = window.intake
    fill_intake(page, code, service)
    with qtbot.waitSignal(page.registered, timeout=10_000) as saved:
        page.save()
    idle(qtbot, window.ctx.runner)
    qtbot.waitUntil(lambda: page.receipts.dialog is not None, timeout=10_000)
    page.receipts.dialog.reject()
    return saved.args[0]


def read_words(tesseract: str, label: QLabel, path) -> list[tuple[int, str]]:
    """(left x, word) of each word Tesseract (Persian model) reads in the rendered label."""
    label.grab().toImage().save(str(path))
    out = subprocess.run(
        [tesseract, str(path), "-", "-l", "fas", "--psm", "7", "tsv"], capture_output=True, text=True, timeout=60
    ).stdout
    words = []
    for line in out.splitlines()[1:]:
        cells = line.split("\t")
        if len(cells) >= 12 and cells[11].strip():
            words.append((int(cells[6]), cells[11].strip()))
    return words


def big_copy(label: QLabel) -> QLabel:
    """The label's text and direction in a large font on white, for the OCR."""
    copy = QLabel(label.text())
    copy.setLayoutDirection(Qt.LayoutDirection.RightToLeft)
    font = copy.font()
    font.setPointSize(28)
    copy.setFont(font)
    copy.setStyleSheet("background: white; color: black;")
    copy.resize(copy.sizeHint().width() + 120, copy.sizeHint().height() + 40)
    return copy


def test_the_save_banner_reads_back_with_the_receipt_number_in_order(launcher, qtbot, tmp_path):
    tesseract = require_tool("tesseract", "tesseract-ocr with tesseract-ocr-fas")
    langs = subprocess.run([tesseract, "--list-langs"], capture_output=True, text=True).stdout.split()
    if "fas" not in langs:
        missing("tesseract Persian model (tesseract-ocr-fas)")
    window = log_in(qtbot, launcher(), "clerk")
    request = save_request(qtbot, window, NATIONAL_CODES[0])
    banner = window.intake.banner.text()
    assert f"{LRI}{request.receipt_no}{PDI}" in banner  # the logical string: an isolated LTR run
    words = read_words(tesseract, big_copy(window.intake.banner), tmp_path / "banner.png")
    codes = [word for _x, word in sorted(words) if ASCII_DIGIT.search(word)]
    assert "".join(codes) == request.receipt_no, words  # left to right, as written on the receipt
    assert any("رسید" in word for _x, word in words)
    # the same sentence without the isolate reads back in the wrong order: the check can fail
    bare = big_copy(window.intake.banner)
    bare.setText(banner.replace(LRI, "").replace(PDI, ""))
    wrong = [w for _x, w in sorted(read_words(tesseract, bare, tmp_path / "bare.png")) if ASCII_DIGIT.search(w)]
    assert "".join(wrong) != request.receipt_no


def test_codes_and_paths_in_messages_are_isolated(launcher, qtbot, tmp_path):
    window = log_in(qtbot, launcher(), "clerk")
    request = save_request(qtbot, window, NATIONAL_CODES[1])
    from desk_app.ui.receipt_dialog import printed_text
    from desk_app.ui.requests_page import CancelDialog

    class Result:  # what printjobs.print_receipt gives for a PDF
        path = str(tmp_path / "میز پیشخوان" / f"{request.receipt_no}.pdf")
        target = "pdf:" + path
        copy_no = 0

    saved = printed_text(window.ctx, Result)
    assert f"{LRI}{Result.path}{PDI}" in saved
    dialog = CancelDialog(request, "rial", window)
    question = dialog.findChildren(QLabel)[0].text()
    assert f"{LRI}{request.receipt_no}{PDI}" in question
    window.tabs.setCurrentWidget(window.requests)
    page = window.requests
    qtbot.waitUntil(lambda: page.model.count == 1, timeout=10_000)
    page.select_row(0)
    assert page.detail_labels["receipt_no"].text() == f"{LRI}{request.receipt_no}{PDI}"
    national = page.model.index(0, 3).data()
    assert national.startswith(LRI) and national.endswith(PDI)


def test_qt_own_strings_and_file_dialogs_are_persian(app, qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / ".config"))
    # qtbase_fa is loaded: Qt's own words come in Persian
    assert QCoreApplication.translate("QFileDialog", "Look in:") != "Look in:"
    from desk_app.ui.files import FOLDER_NAME, jalali_file_name, make_file_dialog

    folder = tmp_path / "Documents" / FOLDER_NAME
    name = jalali_file_name("4512-2-050911-0001", "pdf")
    assert re.fullmatch(r"14\d\d-\d\d-\d\d_4512-2-050911-0001\.pdf", name)
    dialog = make_file_dialog(None, "ذخیرهٔ رسید به صورت PDF", name, "PDF (*.pdf)")
    qtbot.addWidget(dialog)
    (folder / "1405-09-01_old.pdf").write_bytes(b"%PDF-1.4\n")
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.directory().absolutePath() == str(folder)  # Documents/«میز پیشخوان», made for us
    assert folder.is_dir()
    texts = [b.text() for b in dialog.findChildren(QPushButton) if b.isVisible()]
    texts += [label.text() for label in dialog.findChildren(QLabel) if label.isVisible() and label.text()]
    visible = " ".join(texts)
    assert "ذخیره" in visible and ("انصراف" in visible or "لغو" in visible), texts
    assert not re.search(r"\b(Save|Cancel|Look in|File name|Files of type)\b", visible), texts
    edits = [e.text() for e in dialog.findChildren(QLineEdit) if e.isVisible()]
    assert name in edits
    model = dialog.proxyModel()
    qtbot.waitUntil(lambda: model.rowCount(model.mapFromSource(model.sourceModel().index(str(folder)))) > 0)
    root = model.mapFromSource(model.sourceModel().index(str(folder)))
    stamp = model.index(0, 3, root).data()
    assert stamp.startswith("۱۴") and not ASCII_DIGIT.search(stamp), stamp  # Jalali, Persian digits
    size = model.index(0, 1, root).data()
    assert "بایت" in size and not ASCII_DIGIT.search(size), size
    shown_name = dialog.findChild(QTreeView, "treeView").itemDelegateForColumn(0)
    assert shown_name is not None  # names drawn left to right (LtrNames)
    dialog.reject()


def test_history_says_who_in_persian(launcher, qtbot):
    window = log_in(qtbot, launcher(), "clerk")
    request = save_request(qtbot, window, NATIONAL_CODES[2])
    window.tabs.setCurrentWidget(window.requests)
    page = window.requests
    qtbot.waitUntil(lambda: page.model.count == 1, timeout=10_000)
    page.cancel(request.receipt_no, "اشتباه در ثبت", 0)
    idle(qtbot, window.ctx.runner)
    page.select_row(0)
    qtbot.waitUntil(lambda: page.history.count() >= 1, timeout=10_000)
    lines = [page.history.item(i).text() for i in range(page.history.count())]
    assert any("زهرا احمدی" in line for line in lines), lines  # the clerk by name
    assert not any(re.search(r"\((clerk|sync|server)\)", line) for line in lines), lines
    from desk_app.ui.requests_page import actor_label

    assert actor_label("sync") == "همگام‌سازی با استان" and actor_label("server") == "سرور استان"


def test_one_digit_style_inputs_included(launcher, qtbot):
    window = log_in(qtbot, launcher(), "clerk")
    page = window.intake
    # service codes: Persian digits in the picker, as on the services page
    page.picker.search.setText("2101")
    page.picker._query("2101")
    shown = page.picker.list.currentIndex().data()
    assert "۲۱۰۱" in shown and not ASCII_DIGIT.search(shown)
    # a national code typed in ASCII digits shows in Persian ones, and its hint in one style
    page.national_code.setFocus()
    qtbot.keyClicks(page.national_code, "0013")
    assert page.national_code.text() == "۰۰۱۳"
    hint = page.form.messages["national_code"].text()
    assert "۴" in hint and not ASCII_DIGIT.search(hint), hint
    qtbot.keyClicks(page.national_code, "542419")
    assert page.form.messages["national_code"].text() and not page.form.messages["national_code"].is_error
    # cash inputs: «۵٬۰۰۰٬۰۰۰» while typing, parsed back by the domain's money helper
    from desk_app.ui.widgets import MoneyLineEdit

    cash = window.shift.counted["cash"]
    assert isinstance(cash, MoneyLineEdit)
    cash.setFocus()
    qtbot.keyClicks(cash, "5000000")
    assert cash.text() == "۵٬۰۰۰٬۰۰۰" and cash.value() == 5_000_000
    cash.clear()
    type_text(cash, "۱۲۵۰۰۰")
    assert cash.text() == "۱۲۵٬۰۰۰" and cash.value() == 125_000
    # receipt numbers stay as printed on the receipt (ASCII digits, written order)
    request = save_request(qtbot, window, NATIONAL_CODES[0])
    assert request.receipt_no.isascii() and request.receipt_no in page.banner.text()
    # the refund in the cancel dialog is formatted, not «7650000»
    from desk_app.ui.requests_page import CancelDialog

    dialog = CancelDialog(request, "rial", window)
    from desk_app.domain.money import format_amount

    assert dialog.refund.text() == format_amount(request.total, with_unit=False)
    assert dialog.refund.value() == request.total
    assert QApplication.instance() is not None
