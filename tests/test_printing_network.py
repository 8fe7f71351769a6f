"""A real TCP socket as the network printer (escpos-net): status asked with DLE EOT before the
job, paper out / cover open / offline said in Persian, silent and hanging-up printers caught."""

from __future__ import annotations

import socket

import pytest
from PIL import ImageChops

from printing import backends
from printing.errors import PrinterError
from printing.qtsupport import qimage_to_pil
from printing.receipt import build_receipt
from printing.targets import parse_target, print_receipt_to
from printing.thermal import render
from tests.helpers import printing_samples as S
from tests.helpers.escpos_decode import decode
from tests.helpers.fake_printer import FakePrinter

FAST = backends.Timeouts(connect=2.0, write=2.0, status=0.5)


@pytest.fixture
def printer_factory():
    made = []

    def make(**kw) -> FakePrinter:
        p = FakePrinter(**kw)
        made.append(p)
        return p

    yield make
    for p in made:
        p.close()


def test_network_printer_gets_status_queries_then_the_receipt(printer_factory):
    printer = printer_factory()
    print_receipt_to(printer.target, S.receipt(), paper=80, timeouts=FAST)
    printer.thread.join(timeout=5)
    assert printer.queries[:3] == [1, 2, 4], "status is asked before the job"
    assert printer.queries[3:] == [1], "and once after it, to know the printer took it all"
    job = decode(bytes(printer.received))
    assert job.commands[:3] == ["status"] * 3 and job.commands[-2:] == ["cut", "status"]
    expected = qimage_to_pil(render(build_receipt(S.receipt()), 576))
    assert ImageChops.difference(job.image(), expected).getbbox() is None


@pytest.mark.parametrize(
    "status,message",
    [
        ({1: 0x1A, 2: 0x12, 4: 0x12}, backends.MSG_OFFLINE),
        ({1: 0x12, 2: 0x16, 4: 0x12}, backends.MSG_COVER),
        ({1: 0x12, 2: 0x32, 4: 0x72}, backends.MSG_PAPER),
        ({1: 0x12, 2: 0x12, 4: 0x72}, backends.MSG_PAPER),
        ({1: 0x12, 2: 0x52, 4: 0x12}, backends.MSG_ERROR),
    ],
)
def test_printer_problem_is_said_before_the_job_and_nothing_is_printed(printer_factory, status, message):
    printer = printer_factory(status=status)
    with pytest.raises(PrinterError) as err:
        print_receipt_to(printer.target, S.receipt(), timeouts=FAST)
    assert err.value.message == message
    printer.thread.join(timeout=5)
    assert b"\x1d\x76\x30" not in printer.received, "no image may be sent to a printer that cannot print"


def test_paper_near_end_still_prints(printer_factory):
    printer = printer_factory(status={1: 0x12, 2: 0x12, 4: 0x1E})
    print_receipt_to(printer.target, S.receipt(), timeouts=FAST)
    printer.thread.join(timeout=5)
    assert b"\x1d\x76\x30" in printer.received


def test_printer_that_never_answers_gives_a_clear_error(printer_factory):
    printer = printer_factory(mode="silent")
    with pytest.raises(PrinterError) as err:
        print_receipt_to(printer.target, S.receipt(), timeouts=FAST)
    assert err.value.message == backends.MSG_NO_ANSWER


def test_printer_that_stops_reading_mid_job_times_out_with_a_clear_error(printer_factory):
    printer = printer_factory(mode="stall")
    with pytest.raises(PrinterError) as err:
        print_receipt_to(printer.target, S.receipt(), timeouts=FAST)
    # the job fits the socket buffers (then the closing status query gets no answer) or it does
    # not (then the write times out): either way the clerk is told, never "printed"
    assert err.value.message == backends.MSG_NO_ANSWER or "مهلت ارسال" in err.value.message


def test_printer_that_hangs_up_mid_job_is_an_error_not_a_success(printer_factory):
    printer = printer_factory(mode="hangup", hangup_after=20_000)
    with pytest.raises(PrinterError) as err:
        print_receipt_to(printer.target, S.receipt(), timeouts=FAST)
    assert err.value.message == backends.MSG_MID_JOB


def test_printer_that_is_off_is_reported_with_its_address():
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(PrinterError) as err:
        print_receipt_to(f"escpos-net:127.0.0.1:{port}", S.receipt(), timeouts=FAST)
    assert f"127.0.0.1:{port}" in err.value.message and "برقرار نشد" in err.value.message


def test_status_bytes_without_the_fixed_bits_are_ignored():
    assert backends.status_problem(4, 0x60) is None  # not a status answer (bit 1/4 clear)
    assert backends.status_problem(4, 0x72) == backends.MSG_PAPER


@pytest.mark.parametrize("text", ["escpos-net:", "escpos-net:host:99999", "lpt1", "escpos-usb:zz:1", "fax:123"])
def test_bad_targets_are_refused_in_persian(text):
    from desk_app.domain.errors import InvalidInput

    with pytest.raises(InvalidInput) as err:
        parse_target(text)
    assert "مقصد چاپ" in err.value.message


def test_target_forms():
    t = parse_target("escpos-net:192.168.1.50:9100")
    assert (t.host, t.port) == ("192.168.1.50", 9100)
    assert parse_target("escpos-net:printer.local").port == 9100
    u = parse_target("escpos-usb:04b8:0e15")
    assert (u.vid, u.pid) == (0x04B8, 0x0E15)
    assert parse_target("printer:EPSON_TM").value == "EPSON_TM"


def test_escpos_file_target(tmp_path):
    out = tmp_path / "job.bin"
    print_receipt_to(f"escpos-file:{out}", S.receipt(), paper=58)
    assert decode(out.read_bytes()).width == 384
