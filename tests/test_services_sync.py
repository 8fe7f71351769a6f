"""The services-level entry for sync (desk_app.services.sync): one run under the lock, the
status bar's view, the office's transport built in one place, enrolment with a hello first.
Against the real provincial server on loopback; the loop's timing against a small fake."""

from __future__ import annotations

import random
import socket
from datetime import timedelta

import pytest

from desk_app.domain.errors import InvalidInput
from desk_app.domain.jalali import format_utc, utc_now
from desk_app.services import sync
from desk_app.services.context import Desk
from desk_app.store.models import SyncState
from desk_app.sync.errors import SyncBusy, Unreachable
from desk_app.sync.lock import sync_lock
from tests.helpers.server import LiveServer
from tests.helpers.syncdata import outbox_states, queue_request, set_office

pytestmark = pytest.mark.timeout(120)


@pytest.fixture(scope="module")
def province(tmp_path_factory):
    """One real server (SQLite) for the module; each test takes its own office."""
    directory = tmp_path_factory.mktemp("province")
    srv = LiveServer(f"sqlite:///{directory / 'provincial.db'}", cwd=directory)
    srv.quick_setup({})
    srv.start()
    yield srv
    srv.stop()


@pytest.fixture
def desk(home):
    d = Desk.open(home)
    yield d
    d.close()


def _office(province, desk, devices=(2,)):
    """A new office on the server with `devices` enrolled; this desk is its device 2."""
    code, tokens = province.new_office(devices)
    set_office(desk.db, code, 2)
    return code, tokens


def _closed_port_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def _state(desk, key):
    with desk.db.read() as s:
        row = s.get(SyncState, key)
        return row.value if row else None


def test_enrol_then_one_sync_pushes_and_reports_the_status_bar_view(province, desk):
    code, tokens = _office(province, desk)
    assert not sync.is_enrolled(desk)
    with pytest.raises(sync.NotEnrolled):
        sync.sync_once(desk)
    queue_request(desk.db, code, 2)
    before = sync.local_status(desk)  # no network: the local queue only
    assert (before.enrolled, before.pending, before.online, before.last_success_at) == (False, 1, None, None)

    enrolment = sync.enrol(desk, province.url + "/", tokens[2])
    assert enrolment.reachable and enrolment.note is None and enrolment.server == province.url
    assert sync.is_enrolled(desk) and desk.settings.get("server_url") == province.url

    desk.settings.set("sync_interval_s", 37)
    outcome = sync.sync_once(desk)
    assert (outcome.report.online, outcome.report.acked, outcome.report.pending) == (True, 1, 0)
    assert outcome.next_delay == 37  # the setting, not a constant of the engine
    assert outcome.status.online and outcome.status.enrolled and outcome.status.pending == 0
    assert outcome.status.last_success_at and outcome.status.last_error is None
    assert outbox_states(desk.db) == {"acked": 1}
    assert [r["office"] for r in province.list_requests(code)] == [code]
    hello = sync.check_hello(desk)
    assert (hello.office, hello.device) == (code, 2) and hello.last_receipt_no


def test_a_token_of_another_device_is_refused_and_nothing_is_kept(province, desk):
    code, tokens = _office(province, desk, devices=(2, 3))
    with pytest.raises(InvalidInput) as refused:
        sync.enrol(desk, province.url, tokens[3])
    assert refused.value.field == "token" and f"دفتر {code} / دستگاه 3" in refused.value.message
    assert not sync.has_token(desk.home) and desk.settings.get("server_url") is None
    with pytest.raises(InvalidInput) as refused:
        sync.enrol(desk, province.url, "not-a-token-the-server-knows-at-all-0123456789")
    assert refused.value.field == "token" and not sync.has_token(desk.home)


def test_a_server_that_does_not_answer_keeps_the_token_with_a_note(desk):
    set_office(desk.db, "4512", 2)
    enrolment = sync.enrol(desk, _closed_port_url(), "a-token-for-later")
    assert not enrolment.reachable and "سرور استان" in enrolment.note
    assert sync.is_enrolled(desk)
    outcome = sync.sync_once(desk)  # offline: said in the report and the status, not raised
    assert not outcome.report.online and outcome.status.online is False and outcome.status.last_error
    assert 0 <= outcome.next_delay <= 2  # the first failure's backoff


def test_enrolment_lifts_an_earlier_stop(province, desk):
    code, tokens = _office(province, desk)
    with desk.db.write() as s:
        s.add(SyncState(key="stopped_reason", value="توکن رد شد"))
    sync.enrol(desk, province.url, tokens[2])
    assert _state(desk, "stopped_reason") is None
    assert sync.local_status(desk).stopped_reason is None


def test_the_window_enrols_only_as_a_manager(province, desk):
    from desk_app.domain.errors import PermissionDenied
    from desk_app.services import users

    code, tokens = _office(province, desk)
    users.add_user(desk, "clerk", "clerk", "secret-123")
    with pytest.raises(PermissionDenied):
        sync.enrol(desk, province.url, tokens[2], actor="clerk")
    assert not sync.has_token(desk.home)


def test_one_sync_per_folder(desk):
    set_office(desk.db, "4512", 2)
    sync.enrol(desk, _closed_port_url(), "a-token-for-later")
    with sync_lock(desk.home), pytest.raises(SyncBusy):
        sync.sync_once(desk)


def test_the_transport_is_the_offices_with_its_ca_file(desk, tmp_path):
    assert sync.server_transport(desk) is None  # not enrolled
    from desk_app.services.setup import save_token

    set_office(desk.db, "4512", 2, server_url="https://pishkhan.example:8443")
    save_token(desk.home, "tok")
    pem = tmp_path / "ca.pem"
    pem.write_text("-----BEGIN CERTIFICATE-----\n", encoding="utf-8")
    desk.settings.set("ca_file", str(pem))
    with sync.server_transport(desk, timeout=(1.0, 2.0)) as transport:
        assert transport.base_url == "https://pishkhan.example:8443"
        assert transport.session.verify == str(pem)  # TLS verified against the office's CA
        assert transport.session.headers["Authorization"] == "Bearer tok"
        assert transport.timeout == (1.0, 2.0)


# --- timings from the settings, against a fake server (one layer's unit) ----------------------


class FakeTransport:
    """hello answers as the server would (or fails while `down`); nothing else is asked."""

    def __init__(self, office, device, *, skew_s=0.0):
        self.office, self.device, self.skew_s = office, device, skew_s
        self.down = 0

    def hello(self, status=None):
        if self.down:
            self.down -= 1
            raise Unreachable("سرور استان در دسترس نیست.")
        return {
            "server_time": format_utc(utc_now() + timedelta(seconds=self.skew_s)),
            "protocol": {"min": 1, "latest": 1},
            "office": self.office,
            "device": self.device,
            "last_receipt_no": None,
            "catalog_etag": None,
            "feed_epoch": "a" * 32,
            "max_batch_items": 100,
            "max_batch_bytes": 256 * 1024,
        }

    def changes(self, office, cursor, limit):
        return {"changes": [], "cursor": cursor, "more": False}


def test_the_loop_waits_the_start_delay_or_an_earlier_backoff_then_the_setting(desk):
    set_office(desk.db, "4512", 2)
    desk.settings.set("sync_interval_s", 45)
    fake = FakeTransport("4512", 2)
    reports, slept = [], []

    def sleep(seconds):
        slept.append(seconds)
        if len(slept) > 3:
            raise KeyboardInterrupt

    fake.down = 1
    with sync.SyncSession(desk, transport=fake) as session, pytest.raises(KeyboardInterrupt):
        session.run_forever(reports.append, sleep=sleep, rng=random.Random(1))
    assert 0 <= slept[0] <= sync.START_DELAY_MAX_S
    assert 0 <= slept[1] <= 2 and slept[2:] == [45, 45]  # backoff after the failure, then the setting
    assert [r.online for r in reports] == [False, True, True]

    later = format_utc(utc_now() + timedelta(seconds=400))
    with desk.db.write() as s:
        s.merge(SyncState(key="next_attempt_at", value=later))
    with sync.SyncSession(desk, transport=fake) as session:
        assert 390 <= session.first_delay(random.Random(1)) <= 400


def test_the_clock_skew_warning_follows_its_setting(desk):
    set_office(desk.db, "4512", 2)
    fake = FakeTransport("4512", 2, skew_s=630)  # the server's clock is 10.5 minutes ahead
    with sync.SyncSession(desk, transport=fake) as session:
        report = session.run_once()
    assert report.online and report.clock_skew_s == pytest.approx(630, abs=5) and "دقیقه" in report.warning
    desk.settings.set("clock_skew_warn_s", 900)
    with sync.SyncSession(desk, transport=fake) as session:
        report = session.run_once()
    assert report.online and report.warning is None and report.clock_skew_s is None


def test_the_command_says_how_to_enrol_and_enrols_with_a_hello(province, desk, capsys, tmp_path):
    from desk_app.cli import main

    code, tokens = _office(province, desk, devices=(2, 3))
    home = str(desk.home)
    assert main(["--home", home, "sync", "--once", "--json"]) == 1
    assert "desk-app enrol" in capsys.readouterr().err
    token_file = tmp_path / "token.txt"
    token_file.write_text(tokens[3] + "\n", encoding="utf-8")  # another device's token
    assert main(["--home", home, "enrol", "--server", province.url, "--token-file", str(token_file)]) == 1
    assert "دستگاه 3" in capsys.readouterr().err and not sync.has_token(desk.home)
    token_file.write_text(tokens[2] + "\n", encoding="utf-8")
    assert main(["--home", home, "enrol", "--server", province.url, "--token-file", str(token_file), "--json"]) == 0
    assert '"reachable": true' in capsys.readouterr().out
    assert main(["--home", home, "sync", "--once", "--json"]) == 0
    assert '"online": true' in capsys.readouterr().out
