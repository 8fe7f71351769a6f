"""Text from the provincial server is normalised before the desk stores it (issue 9, fault 4).

The server's own normalisation is fixed elsewhere; these tests put the bad text straight into the
real server's database (as a server that does not normalise would hold it) and check what reaches
the desk: the store, `desk-app request show`, and the requests page of the window.
"""

from __future__ import annotations

import io
import json
import sqlite3
import sys

import pytest

from desk_app.cli import main
from desk_app.domain.text import BIDI_CONTROLS
from desk_app.sync import engine as sync_engine
from tests.helpers.democatalog import demo_catalog_without_forms
from tests.helpers.server import ServerProcess
from tests.ui_helpers import NATIONAL_CODES, filled_home, idle, log_in

pytestmark = pytest.mark.timeout(120)

# What a careless agency tool sends: RLO, isolates around a number, a word joiner, ZWJ, Arabic ي/ك.
RAW_NOTE = "\u202eمدارک\u2060 کامل\u2066 ۱۲۳۴ \u2069است؛ تحويل\u200d در دفتر\u202c ك"
CLEAN_NOTE = "مدارک کامل ۱۲۳۴ است؛ تحویل در دفتر ک"
BAD_REF = "12345\u202e67890"


def _cli(monkeypatch, capsys, *argv) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _tamper(db_file, receipt_no: str, **columns) -> None:
    """Change the latest feed change of `receipt_no` in the server's own database."""
    con = sqlite3.connect(db_file, timeout=10)
    try:
        seq = con.execute("SELECT max(seq) FROM changes WHERE receipt_no = ?", (receipt_no,)).fetchone()[0]
        for name, value in columns.items():
            con.execute(f"UPDATE changes SET {name} = ? WHERE seq = ? AND receipt_no = ?", (value, seq, receipt_no))
        con.commit()
    finally:
        con.close()


def test_a_status_note_with_bidi_controls_reaches_the_requests_page_clean(
    launcher, home, tmp_path, qtbot, monkeypatch, capsys
):
    from desk_app.services import intake, requests
    from desk_app.services.context import Desk
    from desk_app.store.models import Request

    db_file = tmp_path / "provincial.db"
    srv = ServerProcess(f"sqlite:///{db_file}", cwd=tmp_path)

    catalog = demo_catalog_without_forms()
    token = srv.quick_setup({"4512": (2,)}, catalog=catalog)[("4512", 2)]
    srv.start()
    try:
        filled_home(home, server_url=srv.url, token=token)
        with Desk.open(home) as desk:
            done, other = (
                intake.register_request(
                    desk, clerk="clerk", national_code=c, first_name="مریم", last_name="کریمی", service_code="2101"
                )
                for c in NATIONAL_CODES[:2]
            )
        code, out, err = _cli(monkeypatch, capsys, "--home", str(home), "sync", "--once", "--json")
        assert code == 0 and json.loads(out)["acked"] == 2, err

        srv.admin("request", "set-status", done.receipt_no, "completed", "--note", "تحویل شد")
        _tamper(db_file, done.receipt_no, note=RAW_NOTE)
        # the second request's tracking code comes back through the feed only (the desk lost it)
        with Desk.open(home) as desk, desk.db.write() as s:
            s.query(Request).filter(Request.request_id == other.request_id).update({"server_ref": None})
        srv.admin("request", "set-status", other.receipt_no, "in_progress", "--note", "در دست بررسی")
        _tamper(db_file, other.receipt_no, server_ref=BAD_REF)

        code, out, err = _cli(monkeypatch, capsys, "--home", str(home), "sync", "--once", "--json")
        assert code == 0 and json.loads(out)["pulled"] >= 2, err
    finally:
        srv.stop()

    with Desk.open(home) as desk:
        stored = requests.get_request(desk, done.receipt_no)
        assert stored.status == "completed"
        assert stored.status_note == CLEAN_NOTE
        assert [h.note for h in requests.history(desk, done.receipt_no) if h.to_status == "completed"] == [CLEAN_NOTE]
        second = requests.get_request(desk, other.receipt_no)
        assert second.status == "in_progress" and second.server_ref is None  # not a tracking code: not printed
    code, out, _ = _cli(monkeypatch, capsys, "--home", str(home), "request", "show", done.receipt_no, "--json")
    shown = json.loads(out)
    assert shown["status_note"] == CLEAN_NOTE
    assert not set(out.encode().decode("unicode_escape", errors="ignore")) & BIDI_CONTROLS

    window = log_in(qtbot, launcher(prepare=False), "manager")
    page = window.requests
    qtbot.waitUntil(lambda: page.model.count == 2, timeout=10_000)
    row = next(i for i in range(page.model.rowCount()) if page.model.row_at(i).receipt_no == done.receipt_no)
    page.select_row(row)
    idle(qtbot, window.ctx.runner)
    note = page.detail_labels["note"].text()
    assert note == CLEAN_NOTE
    assert not set(note) & (BIDI_CONTROLS | {"\u2060", "\u200d"})


class _Answers:
    """A transport that answers with what a careless server would send (a unit test of the engine)."""

    def __init__(self, hello: dict, results: list[dict], changes: list[dict]):
        self._hello, self._results, self._changes = hello, results, changes

    def hello(self, status=None):
        return self._hello

    def post_batch(self, office, body):
        items = json.loads(body)["items"]
        return {
            "results": [dict(r, op_id=i["op_id"], request_id=i["request_id"]) for r, i in zip(self._results, items)]
        }

    def changes(self, office, cursor, limit):
        epoch = self._hello["feed_epoch"]
        return {"changes": self._changes, "cursor": f"{epoch}:{len(self._changes)}", "more": False}

    def catalog(self, etag):
        raise AssertionError("no catalog in this test")

    def lookup(self, office, ids):
        return {"known": []}


def test_the_engine_cleans_details_codes_refs_and_the_last_receipt_number(tmp_path):
    from tests.helpers.deskdata import make_desk, register

    desk = make_desk(tmp_path / "home")
    try:
        first, second = register(desk, n=1), register(desk, n=2)
        epoch = "0" * 32
        hello = {
            "server_time": "2026-12-01T08:00:00Z",
            "protocol": {"min": 1, "latest": 1},
            "office": "4512",
            "office_name": "\u202eدفتر\u2060 پيشخوان",
            "device": 2,
            "last_receipt_no": "4512-2-050910-0\u202e042",  # not a receipt number: ignored
            "catalog_etag": None,
            "feed_epoch": epoch,
            "max_batch_items": 200,
            "max_batch_bytes": 256 * 1024,
        }
        results = [
            {"result": "created", "server_ref": "۱۲۳۴۵۶۷۸۹۰", "code": None, "detail": None},  # Persian digits: fine
            {"result": "invalid", "server_ref": None, "code": "\u202eخطا <b>", "detail": "\u2067خدمت\u2069 فعال نيست"},
        ]
        changes = [
            {
                "seq": 1,
                "request_id": first.request_id,
                "receipt_no": first.receipt_no,
                "status": "in_progress",
                "server_ref": "\u20661234567890\u2069",
                "note": "\u202e\u2060  ",  # nothing visible: no note
                "at": "2026-12-01T08:00:00Z",
            }
        ]
        eng = sync_engine.SyncEngine(desk.db, _Answers(hello, results, changes), office="4512", device=2)
        report = eng.run_once()
        assert report.online and report.acked == 1 and report.invalid == 1
        from desk_app.services import attention, requests

        a = requests.get_request(desk, first.receipt_no)
        assert a.server_ref == "1234567890" and a.status == "in_progress" and a.status_note is None
        (item,) = [i for i in attention.list_attention(desk) if i.request_id == second.request_id]
        assert item.detail == "خدمت فعال نیست"
        with desk.db.read() as s:
            from desk_app.store.models import OutboxOp, SyncState

            op = s.query(OutboxOp).filter(OutboxOp.request_id == second.request_id).one()
            assert op.result_code == "unknown"
            assert s.get(SyncState, "server_last_receipt_no") is None
    finally:
        desk.close()


@pytest.mark.parametrize(
    "value, expected",
    [("1234567890", "1234567890"), ("۱۲۳۴۵۶۷۸۹۰", "1234567890"), ("12345\u202e67890", None), ("12345", None)],
)
def test_clean_server_ref(value, expected):
    assert sync_engine.clean_server_ref(value) == expected
