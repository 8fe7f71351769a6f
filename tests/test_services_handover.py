"""Handing the counter over, below the window: a manager sees every open shift and counts and
closes a clerk's, recorded as such (the shift, the audit log, the daily report); a close is made
with the figures its confirmation showed; the receipt preview and the receipt "printers" a
clerk can always reach (a folder of PDFs, an office printer given an A5 page)."""

from __future__ import annotations

import io
import json
import os
import stat
import sys

import pytest
from PIL import Image
from sqlalchemy import select

from desk_app.domain.errors import InvalidInput, PermissionDenied
from desk_app.services import audit, printjobs, reports, shifts, users
from desk_app.store.models import AuditEntry, Shift
from tests.helpers.deskdata import register
from tests.helpers.escpos_decode import decode

TOTAL = 12_850_000  # service 2101


def test_the_manager_sees_every_open_shift_with_what_its_drawer_holds(desk):
    register(desk, 1, clerk="ali")
    register(desk, 2, clerk="ali", payment_method="card", payment_ref="482913")
    register(desk, 3, clerk="sara")
    listed = {s.clerk: s for s in shifts.open_shifts(desk, "boss")}
    assert set(listed) == {"ali", "sara"}
    ali = listed["ali"]
    assert (ali.clerk_name, ali.requests, ali.expected) == ("علی رضایی", 2, {"cash": TOTAL, "card": TOTAL})
    assert listed["sara"].expected == {"cash": TOTAL, "card": 0}
    with pytest.raises(PermissionDenied):
        shifts.open_shifts(desk, "ali")  # a clerk sees only their own shift


def test_a_manager_counts_and_closes_a_clerks_shift_recorded_as_such(desk):
    register(desk, 1, clerk="ali")
    with pytest.raises(PermissionDenied):
        shifts.close_shift(desk, "ali", {"cash": TOTAL}, actor="sara")  # one clerk cannot close another's
    preview = shifts.close_preview(desk, "ali", {"cash": TOTAL - 1000}, actor="boss")
    assert (preview.closed_by, preview.clerk_name, preview.difference["cash"]) == ("boss", "علی رضایی", -1000)
    assert shifts.current_shift(desk, "ali") is not None  # a preview closes nothing

    closed = shifts.close_shift(desk, "ali", {"cash": TOTAL - 1000}, actor="boss", expected=preview.expected)
    assert closed.closed_by == "boss" and closed.to_json()["closed_by"] == "boss"
    assert shifts.current_shift(desk, "ali") is None
    with desk.db.read() as s:
        shift = s.get(Shift, closed.shift_id)
        assert shift.closed_by == "boss"
        entry = s.scalar(select(AuditEntry).where(AuditEntry.action == "shift.close"))
        assert entry.actor == "boss" and entry.subject == closed.shift_id
        details = json.loads(entry.details_json)
        assert (details["clerk"], details["closed_by"], details["difference"]["cash"]) == ("ali", "boss", -1000)
    assert audit.verify(desk).ok

    day = reports.daily_report(desk, _today())
    [row] = day.shifts
    assert (row.clerk_name, row.closed_by, row.is_open) == ("علی رضایی", "مدیر دفتر", False)


def test_a_clerks_own_close_names_nobody_else(desk):
    register(desk, 1, clerk="ali")
    closed = shifts.close_shift(desk, "ali", {"cash": TOTAL})
    assert closed.closed_by is None
    with desk.db.read() as s:
        assert s.get(Shift, closed.shift_id).closed_by is None


def test_the_figures_confirmed_must_still_hold(desk):
    register(desk, 1, clerk="ali")
    preview = shifts.close_preview(desk, "ali", {"cash": TOTAL})
    register(desk, 2, clerk="ali")  # another request between the confirmation and the close
    with pytest.raises(InvalidInput) as info:
        shifts.close_shift(desk, "ali", {"cash": TOTAL}, expected=preview.expected)
    assert "تغییر کرده" in info.value.message
    assert shifts.current_shift(desk, "ali") is not None


def test_a_shift_with_an_unfinished_form_is_not_closed_by_the_manager_either(desk):
    register(desk, 1, clerk="ali")
    shifts.save_draft(desk, "ali", {"national_code": "0013542419"})
    with pytest.raises(InvalidInput) as info:
        shifts.close_preview(desk, "ali", {"cash": TOTAL}, actor="boss")
    assert "علی رضایی" in info.value.message and "پیش‌نویس" in info.value.message
    assert shifts.open_shifts(desk, "boss")[0].drafts == 1


def test_the_report_lists_a_shift_still_open(desk):
    register(desk, 1, clerk="ali")
    day = reports.daily_report(desk, _today())
    assert [s.clerk_name for s in day.open_shifts] == ["علی رضایی"]


def test_the_preview_is_the_image_the_thermal_printer_gets(desk, tmp_path):
    r = register(desk, 1)
    preview = printjobs.receipt_preview(desk, r.receipt_no)
    assert (preview.receipt_no, preview.copy_no, preview.dots) == (r.receipt_no, 0, 576)
    assert printjobs.list_jobs(desk) == []  # a preview is not a print
    out = tmp_path / "job.bin"
    printjobs.print_receipt(desk, r.receipt_no, f"escpos-file:{out}")
    printed = decode(out.read_bytes()).image()
    shown = Image.open(io.BytesIO(preview.png)).convert("L")
    assert shown.size == printed.size
    assert shown.tobytes() == printed.tobytes(), "the preview differs from what the printer got"
    assert printjobs.receipt_preview(desk, r.receipt_no).copy_no == 1  # the next print is a copy


def test_a_round_one_pdf_file_printer_no_longer_overwrites(desk, tmp_path):
    old = tmp_path / "receipt.pdf"
    desk.settings.set("printer_target", f"pdf:{old}")
    a, b = register(desk, 1), register(desk, 2)
    first = printjobs.print_receipt(desk, a.receipt_no)
    second = printjobs.print_receipt(desk, b.receipt_no)
    assert first.path != second.path and not old.exists()
    assert sorted(p.name for p in tmp_path.glob("*.pdf")) == sorted(
        os.path.basename(p) for p in (first.path, second.path)
    )
    assert a.receipt_no in first.path and b.receipt_no in second.path


@pytest.mark.skipif(sys.platform == "win32", reason="a POSIX shell script stands in for lp")
def test_an_office_printer_gets_an_a5_page_not_raw_thermal_bytes(desk, tmp_path, monkeypatch):
    """No CUPS server here: a stand-in `lp` records what it is given, as CUPS would queue it."""
    record = tmp_path / "lp-args"
    lp = tmp_path / "bin" / "lp"
    lp.parent.mkdir()
    lp.write_text(f'#!/bin/sh\necho "$@" > {record}\nfor last; do :; done\ncp "$last" {tmp_path / "queued.pdf"}\n')
    lp.chmod(lp.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{lp.parent}{os.pathsep}{os.environ['PATH']}")
    r = register(desk, 1)
    result = printjobs.print_receipt(desk, r.receipt_no, "printer:office-laser", page=True, actor="ali")
    assert result.copy_no == 0
    args = record.read_text().split()
    assert args[:2] == ["-d", "office-laser"] and "raw" not in args
    assert (tmp_path / "queued.pdf").read_bytes().startswith(b"%PDF")


def test_managers_are_named_for_the_clerk(desk):
    assert users.manager_names(desk) == ["مدیر دفتر"]
    users.set_active(desk, "boss", False)
    assert users.manager_names(desk) == []


def _today():
    from desk_app.domain.jalali import today_tehran

    return today_tehran()
