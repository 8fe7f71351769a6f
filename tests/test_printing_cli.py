"""`desk-app print receipt|form` and `desk-app report daily` on a real data folder: print jobs
recorded, copies numbered and audited, a printer failure is exit 3 and loses nothing, and the
office-wide report comes from the real provincial server (or says on stderr that it could not)."""

from __future__ import annotations

import json
import socket
import subprocess
import sys

import pdfplumber
import pytest

from desk_app.cli import main
from desk_app.services import printjobs
from desk_app.services.requests import get_request
from tests.helpers import deskdata
from tests.helpers.escpos_decode import decode
from tests.helpers.fake_printer import FakePrinter
from tests.helpers.pdf_read import logical, no_zwnj


@pytest.fixture
def desk(home):
    d = deskdata.make_desk(home)
    yield d
    d.close()


def run(home, *argv, capsys) -> tuple[int, str, str]:
    code = main(["--home", str(home), *argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def page_lines(path) -> list[str]:
    with pdfplumber.open(path) as pdf:
        return [no_zwnj(logical(x)) for page in pdf.pages for x in (page.extract_text() or "").split("\n")]


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_print_receipt_then_copies_are_numbered_and_audited(home, desk, tmp_path, capsys):
    req = deskdata.register(desk, payment_method="card", payment_ref="778899")
    out = tmp_path / "r.bin"
    code, stdout, _ = run(
        home, "--json", "print", "receipt", req.receipt_no, "--to", f"escpos-file:{out}", "--paper", "58", capsys=capsys
    )
    assert code == 0
    assert json.loads(stdout)["copy_no"] == 0
    assert decode(out.read_bytes()).width == 384

    code, stdout, _ = run(
        home, "print", "receipt", req.receipt_no, "--to", f"png:{tmp_path / 'c.png'}", "--dots", "512", capsys=capsys
    )
    assert code == 0 and "رونوشت 1" in stdout
    assert get_request(desk, req.receipt_no).reprint_count == 1
    jobs = printjobs.list_jobs(desk, request_id=req.request_id)
    assert [(j["copy_no"], j["state"]) for j in jobs] == [(1, "done"), (0, "done")]
    from sqlalchemy import select

    from desk_app.store.models import AuditEntry

    with desk.db.read() as s:
        actions = [(a.action, a.subject) for a in s.scalars(select(AuditEntry).where(AuditEntry.action == "reprint"))]
    assert actions == [("reprint", req.receipt_no)]
    assert run(home, "audit", "verify", capsys=capsys)[0] == 0


def test_receipt_pdf_shows_copy_and_pending_state(home, desk, tmp_path, capsys):
    req = deskdata.register(desk)
    printjobs.print_receipt(desk, req.receipt_no, f"escpos-file:{tmp_path / 'first.bin'}")
    pdf = tmp_path / "r.pdf"
    assert run(home, "print", "receipt", req.receipt_no, "--to", f"pdf:{pdf}", capsys=capsys)[0] == 0
    lines = page_lines(pdf)
    assert f"شماره رسید {req.receipt_no}" in lines
    assert "رونوشت ۱" in lines
    assert "ثبت در استان در انتظار ارسال است" in lines
    assert "متصدی علی رضایی" in lines, "the clerk's full name, not the username"
    assert any(x.startswith("کد ملی ") and "***" in x for x in lines), "national code masked"
    assert not any(req.national_code in x for x in lines)


def test_printer_failure_is_exit_3_keeps_the_request_and_can_be_repeated(home, desk, capsys):
    req = deskdata.register(desk)
    code, _, err = run(
        home, "print", "receipt", req.receipt_no, "--to", f"escpos-net:127.0.0.1:{closed_port()}", capsys=capsys
    )
    assert code == 3
    assert "چاپگر" in err and "برقرار نشد" in err
    assert get_request(desk, req.receipt_no).status == "registered"
    [job] = printjobs.list_jobs(desk, request_id=req.request_id)
    assert job["state"] == "failed" and "برقرار نشد" in job["error"]

    printer = FakePrinter()
    try:
        code, _, _ = run(home, "print", "receipt", req.receipt_no, "--to", printer.target, capsys=capsys)
        printer.thread.join(timeout=5)
    finally:
        printer.close()
    assert code == 0
    assert b"\x1d\x76\x30" in printer.received
    jobs = printjobs.list_jobs(desk, request_id=req.request_id)
    assert jobs[0]["state"] == "done" and jobs[0]["copy_no"] == 0, "a failed first print is not a copy"


def test_bad_target_and_unknown_receipt_are_input_errors(home, desk, tmp_path, capsys):
    req = deskdata.register(desk)
    code, _, err = run(home, "print", "receipt", req.receipt_no, "--to", "fax:123", capsys=capsys)
    assert code == 1 and "مقصد چاپ" in err
    png, raw = tmp_path / "x.png", tmp_path / "x"
    code, _, err = run(home, "print", "receipt", "4512-2-050908-9999", "--to", f"png:{png}", capsys=capsys)
    assert code == 1 and "پیدا نشد" in err
    code, _, err = run(home, "print", "form", req.receipt_no, "--to", f"escpos-file:{raw}", capsys=capsys)
    assert code == 1
    assert not png.exists() and not raw.exists()


def test_form_and_daily_report_with_csv(home, desk, tmp_path, capsys):
    req = deskdata.register(desk, mobile="09121234567")
    deskdata.register(desk, 2, service_code="1101", clerk="sara")
    form = tmp_path / "f.pdf"
    assert run(home, "print", "form", req.receipt_no, "--to", f"pdf:{form}", capsys=capsys)[0] == 0
    lines = page_lines(form)
    assert f"کد ملی {req.national_code}" in lines, "the agency's form carries the full code"
    assert "کارت ملی" in lines and "شناسنامه" in lines
    assert "دستگاه پلیس گذرنامه" in lines

    report, csv_file = tmp_path / "d.pdf", tmp_path / "d.csv"
    from desk_app.domain.jalali import format_jalali_date, today_tehran

    day = format_jalali_date(today_tehran())  # Persian digits, as a user may type them
    code, _, err = run(
        home, "report", "daily", "--date", day, "--to", f"pdf:{report}", "--csv", str(csv_file), capsys=capsys
    )
    assert code == 0, err
    lines = page_lines(report)
    assert "تعداد درخواستها ۲" in lines
    assert any(x.startswith("2101 صدور گذرنامه ۱") for x in lines)
    assert any(x.startswith("علی رضایی ۱") for x in lines) and any(x.startswith("سارا محمدی ۱") for x in lines)
    rows = csv_file.read_text(encoding="utf-8-sig").splitlines()
    assert rows[0] == "section,key,label,count,amount,refunds"
    assert any(r.startswith("service,1101,") for r in rows)


def test_office_wide_without_server_falls_back_and_says_so(home, desk, tmp_path, capsys):
    deskdata.register(desk)
    report = tmp_path / "d.pdf"
    code, _, err = run(home, "report", "daily", "--office-wide", "--to", f"pdf:{report}", capsys=capsys)
    assert code == 0
    assert "گزارش کل دفتر از سرور استان گرفته نشد" in err
    assert any("گزارش کل دفتر از سرور استان گرفته نشد" in x for x in page_lines(report))


def test_office_wide_report_from_the_real_server(home, desk, tmp_path, capsys):
    from desk_app.sync.credentials import save_token
    from tests.helpers.server import CATALOG, ServerProcess

    srv = ServerProcess(f"sqlite:///{tmp_path / 'prov.db'}", cwd=tmp_path)
    srv.add_office("4512")
    srv.load_catalog(CATALOG)
    token = srv.enrol("4512", 2)
    srv.start()
    try:
        desk.settings.set("server_url", srv.url)
        save_token(home, token)
        deskdata.register(desk)
        deskdata.register(desk, 2)
        assert run(home, "sync", "--once", capsys=capsys)[0] == 0
        report = tmp_path / "d.pdf"
        code, _, err = run(home, "report", "daily", "--office-wide", "--to", f"pdf:{report}", capsys=capsys)
    finally:
        srv.stop()
    assert code == 0 and "گرفته نشد" not in err
    lines = page_lines(report)
    assert "گزارش روزانهٔ کل دفتر (همهٔ پیشخوانها)" in lines
    assert "تعداد درخواستها ۲" in lines
    assert "دستگاه ۲ ۲ ۲۵٬۷۰۰٬۰۰۰ ریال" in lines
    assert "ارسالشده به استان ۲" in lines


def test_cli_subprocess_printer_error_exit_code(home, desk, tmp_path):
    """The real `desk-app` process: Persian message on stderr, exit 3, nothing on stdout with --json."""
    req = deskdata.register(desk)
    desk.close()
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from desk_app.cli import main; sys.exit(main())",
            "--home",
            str(home),
            "--json",
            "print",
            "receipt",
            req.receipt_no,
            "--to",
            f"escpos-net:127.0.0.1:{closed_port()}",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 3
    assert done.stdout == ""
    assert "چاپگر" in done.stderr


def test_shift_report_reconciles_the_cash(home, desk, tmp_path):
    from desk_app.services import shifts

    deskdata.register(desk)  # opens ali's shift, cash
    deskdata.register(desk, 2, payment_method="card", payment_ref="55")
    shift = shifts.current_shift(desk, "ali")
    closed = shifts.close_shift(desk, "ali", {"cash": 12_000_000, "card": 12_850_000})
    assert closed.difference["cash"] == -850_000
    out = tmp_path / "s.pdf"
    printjobs.print_shift_report(desk, shift.id, f"pdf:{out}")
    lines = page_lines(out)
    assert "گزارش نوبت کاری" in lines
    assert "متصدی علی رضایی" in lines
    assert "تعداد درخواستها ۲" in lines
    assert "نقدی ۱۲٬۸۵۰٬۰۰۰ ریال ۱۲٬۰۰۰٬۰۰۰ ریال کسری ۸۵۰٬۰۰۰ ریال" in lines, lines
    assert "کارت بانکی ۱۲٬۸۵۰٬۰۰۰ ریال ۱۲٬۸۵۰٬۰۰۰ ریال بدون اختلاف" in lines


def test_printer_name_goes_raw_through_lp(home, desk, tmp_path, monkeypatch, capsys):
    """`printer:NAME` on Linux: `lp -d NAME -o raw` with the ESC/POS job on standard input
    (a stand-in `lp` on PATH records what it was given)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    lp = bin_dir / "lp"
    lp.write_text(f'#!/bin/sh\necho "$@" > {tmp_path}/lp.args\ncat > {tmp_path}/lp.stdin\n')
    lp.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}:/usr/bin:/bin")
    req = deskdata.register(desk)
    code, _, err = run(home, "print", "receipt", req.receipt_no, "--to", "printer:TM_T20", capsys=capsys)
    assert code == 0, err
    assert (tmp_path / "lp.args").read_text().split() == ["-d", "TM_T20", "-o", "raw"]
    assert decode((tmp_path / "lp.stdin").read_bytes()).width == 576
    # a form (PDF) goes to the spooler as a file, not raw
    lp.write_text(f'#!/bin/sh\necho "$@" > {tmp_path}/lp.args\ncp "$4" {tmp_path}/lp.pdf\n')
    code, _, err = run(home, "print", "form", req.receipt_no, "--to", "printer:Office_A4", capsys=capsys)
    assert code == 0, err
    args = (tmp_path / "lp.args").read_text().split()
    assert args[:3] == ["-d", "Office_A4", "--"] and args[3].endswith(".pdf")
    assert f"شماره رسید {req.receipt_no}" in page_lines(tmp_path / "lp.pdf")

    lp.write_text("#!/bin/sh\necho 'lp: The printer or class does not exist.' >&2\nexit 1\n")
    code, _, err = run(home, "print", "receipt", req.receipt_no, "--to", "printer:NOPE", capsys=capsys)
    assert code == 3 and "NOPE" in err and "does not exist" in err
