"""A receipt copy is linked to the shift of the user who made it; the daily report counts copies printed."""

from __future__ import annotations

import socket
import sqlite3

import pytest

from desk_app.domain.jalali import today_tehran
from desk_app.services import audit, printjobs, reports, shifts
from desk_app.services.context import database_path
from printing.errors import PrinterError
from tests.helpers.deskdata import register


def _jobs(desk):
    con = sqlite3.connect(database_path(desk.home))
    try:
        return con.execute("SELECT copy_no, state, clerk_username, shift_id FROM print_jobs ORDER BY id").fetchall()
    finally:
        con.close()


def _shift_owner(desk, shift_id):
    con = sqlite3.connect(database_path(desk.home))
    try:
        return con.execute(
            "SELECT u.username FROM shifts s JOIN users u ON u.id = s.user_id WHERE s.id = ?", (shift_id,)
        ).fetchone()[0]
    finally:
        con.close()


def _dead_printer() -> str:
    """A loopback port nobody listens on: the network printer is off."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"escpos-net:127.0.0.1:{s.getsockname()[1]}"


def test_reprints_are_linked_to_the_shift_of_who_made_them(desk, tmp_path):
    r = register(desk, 1)  # ali's shift opens at intake
    ali_shift = r.shift_id
    pdf = f"pdf:{tmp_path / 'r.pdf'}"
    assert printjobs.print_receipt(desk, r.receipt_no, pdf, actor="ali").copy_no == 0
    assert printjobs.print_receipt(desk, r.receipt_no, pdf, reprint="sara").copy_no == 1  # sara had no shift
    with pytest.raises(PrinterError):
        printjobs.print_receipt(desk, r.receipt_no, _dead_printer(), actor="sara")  # printer off
    printjobs.print_receipt(desk, r.receipt_no, pdf, actor="sara")  # the copy again
    printjobs.print_receipt(desk, r.receipt_no, pdf)  # command line: nobody named

    jobs = _jobs(desk)
    sara_shift = shifts.current_shift(desk, "sara").id
    assert sara_shift != ali_shift and _shift_owner(desk, sara_shift) == "sara"
    assert jobs == [
        (0, "done", "ali", ali_shift),
        (1, "done", "sara", sara_shift),
        (2, "failed", "sara", sara_shift),
        (2, "done", "sara", sara_shift),
        (3, "done", None, None),
    ]
    assert [j["shift_id"] for j in printjobs.list_jobs(desk, request_id=r.request_id)][::-1] == [j[3] for j in jobs]

    # the day's report: three copies came out (the failed try is not a copy)
    assert reports.daily_report(desk, today_tehran()).reprints == 3

    # after ali closes his shift, his next copy opens a new one (as intake and cancel would)
    shifts.close_shift(desk, "ali", {"cash": 12_850_000, "card": 0})
    printjobs.print_receipt(desk, r.receipt_no, pdf, actor="ali")
    new_shift = _jobs(desk)[-1][3]
    assert new_shift not in (None, ali_shift) and _shift_owner(desk, new_shift) == "ali"
    assert shifts.current_shift(desk, "ali").id == new_shift
    assert reports.daily_report(desk, today_tehran()).reprints == 4
    assert audit.verify(desk).ok


def test_an_original_print_does_not_open_a_shift(desk, tmp_path):
    r = register(desk, 1)
    shifts.close_shift(desk, "ali", {"cash": 12_850_000, "card": 0})
    printjobs.print_receipt(desk, r.receipt_no, f"pdf:{tmp_path / 'r.pdf'}", reprint=False, actor="boss")
    assert _jobs(desk) == [(0, "done", "boss", None)]
    assert shifts.current_shift(desk, "boss") is None
