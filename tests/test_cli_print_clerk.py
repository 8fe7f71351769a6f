"""`desk-app print receipt ... --clerk U`: a reprint from the command line counts in that user's shift."""

from __future__ import annotations

import json

from desk_app.cli import main
from desk_app.services import printjobs, reports
from tests.helpers import deskdata


def run(home, capsys, *argv):
    code = main(["--home", str(home), *argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_reprint_with_clerk_is_linked_to_that_clerks_shift(home, desk, tmp_path, capsys):  # noqa: F811
    req = deskdata.register(desk)  # ali registers: ali's shift is open
    target = f"escpos-file:{tmp_path / 'r.bin'}"
    assert run(home, capsys, "print", "receipt", req.receipt_no, "--to", target)[0] == 0  # the original
    code, out, err = run(home, capsys, "--json", "print", "receipt", req.receipt_no, "--to", target, "--clerk", "sara")
    assert code == 0, err
    assert json.loads(out)["copy_no"] == 1
    jobs = printjobs.list_jobs(desk, request_id=req.request_id)
    copy = jobs[0]
    assert copy["copy_no"] == 1 and copy["clerk_username"] == "sara" and copy["shift_id"] is not None
    assert jobs[1]["clerk_username"] is None  # printed without --clerk: no user, no shift

    # sara's shift (opened for the reprint) counts it, ali's does not
    with desk.db.read() as s:
        from sqlalchemy import select

        from desk_app.store.models import Shift, User

        sara_shift = s.scalar(select(Shift.id).join(User, Shift.user_id == User.id).where(User.username == "sara"))
    assert copy["shift_id"] == sara_shift
    from desk_app.domain.jalali import today_tehran

    assert reports.daily_report(desk, today_tehran()).reprints == 1

    code, _, err = run(home, capsys, "print", "receipt", req.receipt_no, "--to", target, "--clerk", "nobody")
    assert code == 1 and err.strip()  # an unknown user is refused in Persian, nothing printed
    assert len(printjobs.list_jobs(desk, request_id=req.request_id)) == 2
