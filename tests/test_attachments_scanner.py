"""Scanning through SANE with its `test` backend as the scanner (configured per test through
SANE_CONFIG_DIR): pages stored as they arrive; a device that errors, a jam, a scanner killed or
cancelled mid-scan give a Persian message and keep what was stored."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from desk_app.domain.errors import InvalidInput
from desk_app.services import attachments as A
from desk_app.services import imaging
from desk_app.services.scanner import SaneScanner, ScannerError

APP = [sys.executable, "-m", "desk_app"]


def _persian(text: str) -> bool:
    return any("\u0600" <= ch <= "\u06ff" for ch in text)


def files(home) -> list[Path]:
    root = A.attachments_dir(home)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def test_devices_listed(sane_test):
    sane_test()
    names = [d.name for d in SaneScanner().devices()]
    assert names == ["test:0"]


def test_flatbed_scan_stores_one_page(sane_test, desk, request_no):
    sane_test(test_picture="Grid")
    seen = []
    result = A.scan(
        desk,
        request_no,
        scanner=SaneScanner(),
        document="شناسنامه",
        on_page=lambda view, page: seen.append((view, page.preview_png())),
    )
    assert result.complete and result.stored == 1
    (view,) = result.pages
    assert (view.document, view.page_no, view.kind) == ("شناسنامه", 1, imaging.TEXT)
    assert seen[0][0] == view and seen[0][1].startswith(b"\x89PNG")
    img = imaging.decode(A.read_page(desk, view.sha256)).convert("L")
    assert img.size == (1574, 1574)  # the whole 200 mm glass at 200 dpi (the backend rounds down)
    black = img.histogram()[0] / (img.width * img.height)
    assert 0.2 < black < 0.8  # the test backend's black and white grid, not a blank or a black page
    assert files(desk.home) == [A.blob_path(desk.home, view.sha256)]  # the raw scan is gone


def test_feeder_batch(sane_test, desk, request_no):
    """The test backend's feeder holds 10 sheets (identical: one file, ten scans of it)."""
    sane_test(test_picture="Grid")
    result = A.scan(desk, request_no, scanner=SaneScanner(), feeder=True)
    assert result.complete and len(result.pages) == 10 and result.stored == 1
    assert [p.new for p in result.pages] == [True] + [False] * 9


@pytest.mark.parametrize(
    ("status", "kind", "words"),
    [
        ("SANE_STATUS_IO_ERROR", "lost", "قطع"),
        ("SANE_STATUS_JAMMED", "jammed", "گیر"),
        ("SANE_STATUS_COVER_OPEN", "cover", "باز"),
    ],
)
def test_device_that_errors(sane_test, desk, request_no, status, kind, words):
    sane_test(read_status_code=status)
    with pytest.raises(ScannerError) as info:
        A.scan(desk, request_no, scanner=SaneScanner())
    assert info.value.kind == kind and words in info.value.message and _persian(info.value.message)
    assert A.list_pages(desk, request_no) == [] and files(desk.home) == []


def test_unknown_device_and_no_program(sane_test, desk, request_no):
    sane_test()
    with pytest.raises(ScannerError) as info:
        A.scan(desk, request_no, scanner=SaneScanner(), device="nosuch:0")
    assert info.value.kind == "not_found" and "nosuch:0" in info.value.message
    with pytest.raises(ScannerError) as info:
        SaneScanner(program="no-such-scanimage").devices()
    assert info.value.kind == "missing" and "sane-utils" in info.value.message


def _slow(sane_test):
    """A feeder whose every sheet takes ~3 s: 75 buffers of 32 KB with 40 ms between them."""
    sane_test(test_picture="Grid", read_delay=True, read_delay_duration=40000)


def test_scanner_killed_mid_scan_keeps_the_pages_before(sane_test, desk, request_no):
    _slow(sane_test)
    scanner = SaneScanner()

    def lose_it(view, page):
        os.kill(scanner.process.pid, signal.SIGKILL)  # the scanner vanishes while sheet 2 feeds

    result = A.scan(desk, request_no, scanner=scanner, feeder=True, on_page=lose_it)
    assert not result.complete and result.error_kind == "scanner"
    assert "از دست رفت" in result.error and "۱ صفحه" in result.error
    view = result.pages[0]  # (a second sheet, if it was through before the kill, is kept too)
    assert A.list_pages(desk, request_no) == [view] and A.verify(desk) == []
    assert scanner.process is None  # no scanimage left running
    assert [p.name for p in files(desk.home)] == [view.sha256]  # the half-scanned sheet is gone


def test_cancel_from_another_thread(sane_test, desk, request_no):
    _slow(sane_test)
    cancel = threading.Event()
    result = A.scan(
        desk, request_no, scanner=SaneScanner(), feeder=True, cancel=cancel, on_page=lambda v, p: cancel.set()
    )
    assert result.error_kind == "cancelled" and "لغو" in result.error and result.stored == 1


def test_scanner_that_stops_answering(sane_test, desk, request_no):
    sane_test(test_picture="Grid", read_delay=True, read_delay_duration=200000)  # ~15 s a sheet
    started = time.monotonic()
    with pytest.raises(ScannerError) as info:
        A.scan(desk, request_no, scanner=SaneScanner(idle_timeout_s=1.0))
    assert info.value.kind == "lost" and "پاسخی نداد" in info.value.message
    assert time.monotonic() - started < 12


def test_page_cap_stops_the_feeder(sane_test, desk, request_no):
    sane_test(test_picture="Grid")
    desk.settings.set("attachment_max_pages", 1)
    scanner = SaneScanner()
    result = A.scan(desk, request_no, scanner=scanner, feeder=True)  # 10 sheets in the feeder
    assert result.error_kind == "limit" and result.stored == 1 and "۱" in result.error
    assert scanner.process is None  # the feeder was stopped
    with pytest.raises(InvalidInput):  # full: refused before the scanner starts
        A.scan(desk, request_no, scanner=SaneScanner(), feeder=True)


def _cli(home, *args, **kw):
    return subprocess.run([*APP, "--home", str(home), *args], capture_output=True, text=True, timeout=300, **kw)


def test_cli_scan(sane_test, desk, request_no, home):
    sane_test(test_picture="Grid")
    desk.close()
    listed = _cli(home, "scanner", "list", "--json")
    assert json.loads(listed.stdout)[0]["name"] == "test:0"
    done = _cli(home, "scan", request_no, "--document", "کارت ملی", "--json")  # the first scanner found
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["complete"] and out["pages"][0]["document"] == "کارت ملی" and out["pages"][0]["kind"] == "text"


def test_cli_scan_device_error(sane_test, desk, request_no, home):
    sane_test(read_status_code="SANE_STATUS_IO_ERROR")
    desk.close()
    done = _cli(home, "scan", request_no, "--device", "test", "--json")
    assert done.returncode == 3 and done.stdout == ""
    assert "قطع" in done.stderr and "هیچ صفحه‌ای ذخیره نشد" in done.stderr
    assert files(home) == []


def _children(pid: int, name: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            comm, rest = stat[stat.index("(") + 1 : stat.rindex(")")], stat[stat.rindex(")") + 2 :].split()
            if comm == name and int(rest[1]) == pid:
                found.append(int(entry.name))
    return found


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="finds scanimage through /proc")
def test_cli_scanner_killed_mid_scan(sane_test, desk, request_no, home):
    _slow(sane_test)
    desk.close()
    proc = subprocess.Popen(
        [*APP, "--home", str(home), "scan", request_no, "--feeder", "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    first = proc.stderr.readline()  # the page line the command prints as each page is stored
    assert "صفحهٔ ۱" in first, first
    (child,) = _children(proc.pid, "scanimage")
    os.kill(child, signal.SIGKILL)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 3
    result = json.loads(out)
    assert result["complete"] is False and result["stored"] == 1
    assert "از دست رفت" in err
    pages = json.loads(_cli(home, "attachment", "list", request_no, "--json").stdout)
    assert [p["sha256"] for p in pages] == [result["pages"][0]["sha256"]]


def test_wia_is_behind_the_same_interface_and_says_when_unavailable():
    """WIA itself cannot run here (no Windows): what can be checked is that it reports the missing
    COM client in Persian, and maps WIA's error codes (carried by pywin32's com_error) to the
    scanner messages the SANE path gives."""
    from desk_app.services.scanner import WiaScanner

    wia = WiaScanner()
    if sys.platform != "win32":
        with pytest.raises(ScannerError) as info:
            wia.devices()
        assert info.value.kind == "missing" and "pywin32" in info.value.message

    class ComError(Exception):  # the shape of pywintypes.com_error: excepinfo[5] is the WIA scode
        def __init__(self, scode):
            super().__init__("com_error")
            self.hresult = -2147352567  # DISP_E_EXCEPTION
            self.excepinfo = (0, "WIA", "", None, 0, scode)

    assert wia._error(ComError(-2145320957)).kind == "no_paper"  # 0x80210003 as a signed int
    assert wia._error(ComError(0x80210002)).kind == "jammed"
    assert wia._error(ComError(0x8021000A)).kind == "lost"
    assert wia._error(ComError(0x12345678)).kind == "failed"
