"""Desks report in `hello` (DESIGN.md section 12) and the province reads it: a real desk syncing with
the real server (SQLite and PostgreSQL) leaves its figures in DeviceStatus and Heartbeat; bad values
are dropped one by one and never fail the hello; an old desk's bare hello still works; the history
is throttled and pruned; `province.offices_overview` puts the stale offices first."""

from __future__ import annotations

import json
import socket
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from desk_app import __version__
from desk_app.services import printjobs, sync
from desk_app.store.models import SyncState
from desk_app.sync import protocol
from desk_app.sync import transport as transport_mod
from provincial_server import admin, province
from provincial_server.catalogs import load_catalog
from provincial_server.db import Device, DeviceStatus, Heartbeat, ServerDB, utcnow
from provincial_server.ingest import Caller, apply_batch
from tests.helpers.deskdata import make_desk, register
from tests.helpers.server import CATALOG, make_request_op

pytestmark = pytest.mark.timeout(180)


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def device_status(url: str, office="4512", device=2):
    db = ServerDB(url)
    try:
        with db.read() as s:
            st = s.get(DeviceStatus, (office, device))
            beats = s.scalars(
                select(Heartbeat).where(Heartbeat.office == office, Heartbeat.device == device).order_by(Heartbeat.at)
            ).all()
            return st, beats
    finally:
        db.dispose()


def hello(server, headers: dict | None = None):
    with server.client(server.token) as c:
        return c.get("/api/v1/hello", headers=headers or {})


def test_header_name_is_the_protocol_s():
    assert transport_mod.DESK_STATUS_HEADER == protocol.HEADER_DESK_STATUS


def test_a_desk_that_syncs_leaves_its_figures_on_the_server(server, home, samples):
    desk = make_desk(home)
    try:
        sync.enrol(desk, server.url, server.token)
        first, _ = register(desk, 1), register(desk, 2)
        from desk_app.services import attachments

        attachments.attach_files(desk, first.receipt_no, [samples["card_jpg"]])
        queued = attachments.pending_totals(desk).bytes
        assert queued > 0
        desk.settings.set("printer_target", f"escpos-net:127.0.0.1:{closed_port()}")
        with pytest.raises(Exception):  # noqa: B017 - the printer is off: any refusal will do
            printjobs.print_receipt(desk, first.receipt_no)
        assert printjobs.printer_state(desk) == "failed"

        outcome = sync.sync_once(desk)
        assert outcome.report.online and outcome.report.acked == 2
        st, beats = device_status(server.db_url)
        assert st is not None and len(beats) == 1
        assert (st.app_version, st.pending, st.attachment_bytes_pending, st.printer_state, st.last_error) == (
            __version__,
            2,  # as the desk was when it said hello, before it pushed
            queued,
            "failed",
            None,
        )
        assert 0 <= st.oldest_pending_s < 120
        assert (beats[0].pending, beats[0].printer_state) == (2, "failed")

        # the link goes down: the next hello carries the failure the desk saw
        desk.settings.set("server_url", f"http://127.0.0.1:{closed_port()}")
        assert not sync.sync_once(desk).report.online
        with desk.db.read() as s:
            seen = s.get(SyncState, "last_error").value
        assert seen
        desk.settings.set("server_url", server.url)
        assert sync.sync_once(desk).report.online
        st, beats = device_status(server.db_url)
        assert st.last_error == seen and st.pending == 0 and st.oldest_pending_s == 0
        assert len(beats) == 1  # the history keeps one beat a device every five minutes
        db = ServerDB(server.db_url)
        with db.read() as s:
            last_seen = s.get(Device, ("4512", 2)).last_seen_at
        db.dispose()
        assert last_seen is not None
    finally:
        desk.close()


def test_bad_values_are_ignored_field_by_field_never_a_5xx(server):
    report = {
        "app_version": "x" * 40,  # too long
        "pending": -3,  # negative
        "oldest_pending_s": "12",  # a string
        "attachment_bytes_pending": 5120,  # fine
        "printer_state": "OK; DROP",  # not a token
        "last_error": "\u202eسرور\u200c استان   در دسترس نیست " + "خطا " * 100,  # bidi, spaces, long
        "unknown": {"deep": [1, 2, 3]},
    }
    r = hello(server, {protocol.HEADER_DESK_STATUS: json.dumps(report)})
    assert r.status_code == 200 and r.json()["office"] == "4512"
    st, beats = device_status(server.db_url)
    assert (st.app_version, st.pending, st.oldest_pending_s, st.printer_state) == (None, None, None, None)
    assert st.attachment_bytes_pending == 5120
    assert st.last_error.startswith("سرور استان در دسترس نیست خطا")  # a stray ZWNJ goes too
    assert "\u202e" not in st.last_error and len(st.last_error) <= protocol.MAX_DESK_ERROR
    assert len(beats) == 1

    good = {"app_version": "0.2.0", "pending": 7, "oldest_pending_s": 3600, "printer_state": "ok"}
    r = hello(server, {protocol.HEADER_DESK_STATUS: json.dumps(good)})
    assert r.status_code == 200
    st, _ = device_status(server.db_url)
    assert (st.app_version, st.pending, st.oldest_pending_s, st.printer_state) == ("0.2.0", 7, 3600, "ok")
    assert st.attachment_bytes_pending is None and st.last_error is None  # not reported now: unknown now

    for raw in ("not json", "[1, 2]", '{"pending": 1e309}', "{" * 5000, json.dumps({"pending": 2**80}), '"x"'):
        r = hello(server, {protocol.HEADER_DESK_STATUS: raw})
        assert r.status_code == 200, raw
    st, _ = device_status(server.db_url)
    assert st.pending is None  # the last one was a JSON object whose only figure was out of range


def test_an_old_desk_s_bare_hello_still_works(server):
    r = hello(server)
    assert r.status_code == 200 and r.json()["device"] == 2
    st, beats = device_status(server.db_url)
    assert st is None and beats == []  # no report, nothing made up


def test_new_transport_sends_the_report_as_compact_ascii_json(server):
    with transport_mod.HttpTransport(server.url, server.token) as t:
        status = {"app_version": "0.1.0", "pending": 1, "last_error": "سرور استان در دسترس نیست."}
        assert t.hello(status)["office"] == "4512"
        assert t.hello()["office"] == "4512"  # no report: a plain hello, as before
    st, _ = device_status(server.db_url)
    assert st.last_error == "سرور استان در دسترس نیست." and st.pending == 1


# ---------------------------------------------------------------- history and the console's queries


@pytest.fixture
def db(server_db_url):
    d = ServerDB(server_db_url)
    d.init()
    with d.write() as s:
        load_catalog(s, CATALOG)
    yield d
    d.dispose()


def test_history_is_throttled_and_pruned_after_eight_days(db):
    admin.add_office(db, "4512", "دفتر")
    admin.enrol_device(db, "4512", 2)
    t0 = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
    for minutes, pending in ((0, 5), (2, 4), (6, 3), (9, 2), (12, 1)):
        with db.write() as s:
            province.record_heartbeat(s, "4512", 2, {"pending": pending}, now=t0 + timedelta(minutes=minutes))
    with db.read() as s:
        assert [h.pending for h in s.scalars(select(Heartbeat).order_by(Heartbeat.at))] == [5, 3, 1]
        assert s.get(DeviceStatus, ("4512", 2)).pending == 1
    with db.write() as s:
        province.record_heartbeat(s, "4512", 2, {"pending": 0}, now=t0 + timedelta(days=8, minutes=7))
    with db.read() as s:
        assert [h.pending for h in s.scalars(select(Heartbeat).order_by(Heartbeat.at))] == [1, 0]


def test_offices_overview_puts_the_stale_offices_first(db):
    now = utcnow()
    for code in ("1001", "1002", "1003", "1004"):
        admin.add_office(db, code, f"دفتر {code}")
    for office, device in (("1001", 1), ("1002", 1), ("1002", 2), ("1003", 1)):
        admin.enrol_device(db, office, device)
    with db.write() as s:
        for office, device, ago in (("1001", 1, timedelta(minutes=2)), ("1002", 1, timedelta(days=3))):
            s.get(Device, (office, device)).last_seen_at = now - ago
        s.get(Device, ("1002", 2)).last_seen_at = now - timedelta(days=4)
        province.record_heartbeat(
            s,
            "1001",
            1,
            {"app_version": "0.2.0", "pending": 0, "oldest_pending_s": 0, "printer_state": "ok"},
            now=now - timedelta(minutes=2),
        )
        province.record_heartbeat(
            s,
            "1002",
            1,
            {"app_version": "0.1.0", "pending": 12, "oldest_pending_s": 600, "printer_state": "failed"},
            now=now - timedelta(days=3),
        )
        province.record_heartbeat(
            s, "1002", 2, {"app_version": "0.2.0", "pending": 3, "oldest_pending_s": 60}, now=now - timedelta(days=4)
        )
    with db.read() as s:
        rows = province.offices_overview(s, now)
    assert [o.code for o in rows] == ["1003", "1004", "1002", "1001"]  # never seen, no device, silent 3 days, fine
    silent = rows[2]
    assert silent.stale and silent.pending == 15 and silent.versions == ["0.1.0", "0.2.0"]
    assert silent.printer_states == ["failed"]
    # each device's backlog has aged since its report; the office shows the oldest: device 2's
    # 60 s reported 4 days ago beats device 1's 600 s reported 3 days ago
    one, two = silent.devices
    assert 3 * 86400 + 600 <= one.oldest_pending_age_s < 3 * 86400 + 600 + 60
    assert silent.oldest_pending_age_s == two.oldest_pending_age_s
    assert 4 * 86400 + 60 <= two.oldest_pending_age_s < 4 * 86400 + 120
    assert 3 * 86400 <= silent.last_seen_age_s < 3 * 86400 + 60
    fine = rows[3]
    assert not fine.stale and fine.pending == 0 and fine.oldest_pending_age_s is None
    assert [d.device for d in silent.devices] == [1, 2] and silent.devices[0].printer_state == "failed"
    assert rows[0].stale and rows[0].last_seen_at is None and rows[0].devices[0].reported_at is None
    assert json.dumps(fine.to_dict(), default=str)  # plain data for a CSV export


def test_requests_per_service_per_day(db):
    admin.add_office(db, "4512", "دفتر")
    today = utcnow()
    ops = [make_request_op("4512", 2) for _ in range(3)]
    ops.append(make_request_op("4512", 2, service=CATALOG["services"][1]))
    ops.append(make_request_op("4512", 2, created_at=today - timedelta(days=2)))
    with db.write() as s:
        assert {r.result.value for r in apply_batch(s, Caller("4512", 2), ops)} == {"created"}
    with db.read() as s:
        days = sorted({r["tehran_day"] for r in admin.list_requests(db)})
        rows = province.requests_per_service_per_day(s, date.fromisoformat(days[0]), date.fromisoformat(days[-1]))
        none = province.requests_per_service_per_day(s, date(2000, 1, 1), date(2000, 1, 2))
        total = s.scalar(select(func.count()).select_from(DeviceStatus))
    assert none == [] and total == 0
    got = {(r.day, r.service_code): r.requests for r in rows}
    first, second = CATALOG["services"][0], CATALOG["services"][1]
    assert got == {(days[0], first["code"]): 1, (days[-1], first["code"]): 3, (days[-1], second["code"]): 1}
    titled = {r.service_code: r.title for r in rows}
    assert titled[first["code"]] == first["title"]


# A server from before the report (the commit this work started from): a new desk syncs with it.
OLD_SERVER_COMMIT = "cd3db5ee35afde63ae3aaca00b73ca4dfe351c35"


def test_a_new_desk_syncs_with_a_server_that_knows_no_report(tmp_path, home, monkeypatch):
    """The server's code as it was before the report (from git), run for real; this desk's hello
    carries `X-Desk-Status`, which that server has never heard of."""
    import shutil
    import subprocess
    import sys
    import tarfile
    from io import BytesIO

    import tests.helpers.server as server_mod

    git = shutil.which("git")
    root = server_mod.ROOT
    if git is None or subprocess.run([git, "-C", str(root), "cat-file", "-e", OLD_SERVER_COMMIT]).returncode:
        pytest.skip("git, or the pre-report commit in this clone's history, is not here")
    archive = subprocess.run(
        [git, "-C", str(root), "archive", OLD_SERVER_COMMIT, "provincial_server", "desk_app"],
        capture_output=True,
        check=True,
    ).stdout
    tree = tmp_path / "old"
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(tree, filter="data")
    assert "HEADER_DESK_STATUS" not in (tree / "desk_app/sync/protocol.py").read_text()
    monkeypatch.setattr(server_mod, "server_command", lambda: [sys.executable, "-m", "provincial_server.cli"])
    srv = server_mod.ServerProcess(f"sqlite:///{tmp_path / 'old.db'}", cwd=tmp_path, env={"PYTHONPATH": str(tree)})
    srv.add_office("4512")
    srv.load_catalog(CATALOG)
    token = srv.enrol("4512", 2)
    srv.start()
    desk = make_desk(home)
    try:
        sync.enrol(desk, srv.url, token)
        register(desk, 1)
        outcome = sync.sync_once(desk)
        assert outcome.report.online and outcome.report.acked == 1 and outcome.report.error is None
        with server_mod.httpx.Client(base_url=srv.url) as c:
            paths = c.get("/openapi.json").json()["paths"]
        assert "X-Desk-Status" not in str(paths["/api/v1/hello"])  # it really is the old server
    finally:
        desk.close()
        srv.stop()
