"""A counter PC sends its scanned pages to the real provincial server (DESIGN.md section 11), through
the fault proxy: after the requests, resumed from the server's offset after drops and SIGKILLs of
either side, each SHA-256 once, nothing linked for a request cancelled on the way."""

from __future__ import annotations

import hashlib
import json
import math
import signal
import threading
import time

import pytest
from sqlalchemy import select

from desk_app.services import attachments as att
from desk_app.services import cancel as cancel_svc
from desk_app.store.models import Attachment, Blob, SyncState
from tests.helpers.syncrig import Rig, templates
from tests.helpers.uploadrig import attach, jpeg_of_size


@pytest.fixture
def rig(tmp_path, tmp_path_factory):
    r = Rig(tmp_path / "rig", templates(tmp_path_factory))
    yield r
    r.close()


def server_pages(rig, receipt_no: str) -> list[dict]:
    return json.loads(rig.srv.admin("attachment", "list", "--receipt", receipt_no, "--json").stdout)


def server_file(rig, sha: str) -> bytes:
    return (rig.tmp / "provincial-files" / "4512" / sha[:2] / sha).read_bytes()


def state(rig, key: str) -> str | None:
    with rig.db.read() as s:
        row = s.get(SyncState, key)
        return row.value if row else None


def set_chunk(rig, size: int) -> None:
    with rig.db.write() as s:
        s.merge(SyncState(key="upload_chunk_bytes", value=str(size)))


def calls(rig, method: str, suffix: str) -> int:
    return sum(n for (m, p), n in rig.proxy.methods.items() if m == method and p.endswith(suffix))


def patches(rig) -> int:
    return sum(n for (m, p), n in rig.proxy.methods.items() if m == "PATCH" and "/uploads/" in p)


def test_pages_arrive_whole_after_their_request_each_sha256_once(rig):
    a, b = rig.register(2)
    shared = attach(rig.desk, a.receipt_no, 30_000, 1, "کارت ملی").sha256
    attach(rig.desk, a.receipt_no, 20_000, 2, "شناسنامه")
    attach(rig.desk, b.receipt_no, 30_000, 1, "کارت ملی")  # the same page for another request
    report = rig.sync()
    assert report.online, report.error
    assert (report.attachments_pending, report.attachment_bytes_pending) == (0, 0)
    assert report.attachments_sent == 3
    got_a = {p["sha256"]: p for p in server_pages(rig, a.receipt_no)}
    assert len(got_a) == 2 and got_a[shared]["document"] == "کارت ملی"
    assert [p["sha256"] for p in server_pages(rig, b.receipt_no)] == [shared]
    for sha in got_a:
        assert hashlib.sha256(server_file(rig, sha)).hexdigest() == sha
    assert calls(rig, "POST", "/uploads") == 2  # two distinct pages, one upload each
    assert calls(rig, "POST", "/attachments") == 1  # the other two were linked with their last byte
    assert {v.state for v in att.list_pages(rig.desk, a.receipt_no)} == {"sent"}
    assert int(state(rig, "upload_rate_bps")) > 0
    again = rig.sync()
    assert again.attachments_sent == 0 and calls(rig, "POST", "/uploads") == 2


def test_drops_after_the_server_stored_a_chunk_resend_nothing(rig):
    (a,) = rig.register(1)
    size = 40_000
    sha = attach(rig.desk, a.receipt_no, size, 3).sha256
    set_chunk(rig, 4096)
    rig.proxy.aim("/uploads/", "drop", "reset", "drop")  # PATCH answers (and HEADs) lost after the commit
    report = rig.sync()
    assert report.online, report.error
    assert [p["sha256"] for p in server_pages(rig, a.receipt_no)] == [sha]
    assert hashlib.sha256(server_file(rig, sha)).hexdigest() == sha
    # creation carries the first chunk; a dropped answer is followed by HEAD, never by the chunk again
    assert patches(rig) <= math.ceil(size / 4096) - 1
    assert sum(n for (m, _p), n in rig.proxy.methods.items() if m == "HEAD") >= 1


def test_a_timeout_shrinks_the_chunk_and_the_upload_resumes(rig):
    (a,) = rig.register(1)
    size = 30_000
    sha = attach(rig.desk, a.receipt_no, size, 5).sha256
    set_chunk(rig, 16384)
    rig.proxy.aim("/uploads", "hang")  # the server stores the first chunk; its answer never comes
    report = rig.sync(timeout=(2.0, 1.5))
    assert report.online, report.error
    assert int(state(rig, "upload_chunk_bytes")) == 8192  # halved after the timeout
    assert calls(rig, "POST", "/uploads") == 1  # the upload begun was found (lookup) and resumed
    assert patches(rig) == math.ceil((size - 16384) / 8192)
    assert [p["sha256"] for p in server_pages(rig, a.receipt_no)] == [sha]


def test_a_client_sigkilled_mid_upload_resumes_from_the_servers_offset(rig):
    (a,) = rig.register(1)
    size = 80_000
    sha = attach(rig.desk, a.receipt_no, size, 6).sha256
    set_chunk(rig, 8192)
    seen = threading.Event()
    count = [0]

    def on_request(path):
        if "/uploads/" in path:
            count[0] += 1
            if count[0] >= 4:
                seen.set()

    rig.proxy.on_request = on_request
    proc = rig.popen_sync()
    assert seen.wait(60), proc.communicate()
    proc.send_signal(signal.SIGKILL)
    proc.communicate()
    rig.proxy.on_request = None
    with rig.db.read() as s:
        url = s.scalar(select(Blob.upload_url).where(Blob.sha256 == sha))
    assert url and "/uploads/" in url  # kept before the first byte went
    before = rig.proxy.bytes_up
    res = rig.desk_app("sync", "--once", "--json")
    assert res.returncode == 0, res.stderr
    out = json.loads(res.stdout)
    assert out["attachments_pending"] == 0 and out["attachment_bytes_pending"] == 0
    resent = rig.proxy.bytes_up - before
    assert resent < size * 0.8, resent  # at least three chunks were not sent again
    assert hashlib.sha256(server_file(rig, sha)).hexdigest() == sha
    assert [p["sha256"] for p in server_pages(rig, a.receipt_no)] == [sha]


def test_a_server_sigkilled_mid_upload_keeps_what_it_answered_for(rig):
    (a,) = rig.register(1)
    size = 60_000
    sha = attach(rig.desk, a.receipt_no, size, 7).sha256
    set_chunk(rig, 8192)
    count = [0]

    def on_request(path):
        if "/uploads/" in path:
            count[0] += 1
            if count[0] == 3:
                rig.srv.kill()

    rig.proxy.on_request = on_request
    first = rig.sync()
    rig.proxy.on_request = None
    assert not first.online
    rig.restart_server(kill=True)
    report = rig.sync()
    assert report.online, report.error
    assert hashlib.sha256(server_file(rig, sha)).hexdigest() == sha
    assert [p["sha256"] for p in server_pages(rig, a.receipt_no)] == [sha]
    assert patches(rig) <= math.ceil(size / 8192) + 1


def test_a_page_the_server_holds_is_linked_without_its_bytes(rig):
    (a,) = rig.register(1)
    data = jpeg_of_size(30_000, 8)
    sha = hashlib.sha256(data).hexdigest()
    rig.sync()
    # another counter of the office uploaded the same page already
    import base64

    http = rig.srv.client(rig.token)
    try:
        r = http.post(
            "/api/v1/offices/4512/uploads",
            headers={
                "Tus-Resumable": "1.0.0",
                "Upload-Length": str(len(data)),
                "Upload-Metadata": "sha256 " + base64.b64encode(sha.encode()).decode(),
                "Content-Type": "application/offset+octet-stream",
            },
            content=data,
        )
        assert r.status_code == 201 and r.headers["Upload-Offset"] == str(len(data))
    finally:
        http.close()
    attach(rig.desk, a.receipt_no, 30_000, 8)
    before = rig.proxy.bytes_up
    report = rig.sync()
    assert report.attachments_sent == 1
    assert rig.proxy.bytes_up - before < 10_000  # hello, lookup, link: no page bytes
    assert calls(rig, "POST", "/uploads") == 0
    assert [p["sha256"] for p in server_pages(rig, a.receipt_no)] == [sha]


def test_a_request_cancelled_while_its_pages_go_gets_no_link(rig):
    (b,) = rig.register(1)
    size = 60_000
    sha = attach(rig.desk, b.receipt_no, size, 10).sha256
    set_chunk(rig, 8192)
    count = [0]

    def on_request(path):
        if "/uploads/" in path:
            count[0] += 1
            if count[0] == 2:
                cancel_svc.cancel_request(rig.desk, b.receipt_no, reason="انصراف متقاضی", clerk="ali")

    rig.proxy.on_request = on_request
    rig.sync()
    rig.proxy.on_request = None
    report = rig.sync()  # the cancel goes; the unfinished upload is ended
    assert report.online, report.error
    assert server_pages(rig, b.receipt_no) == []
    assert any(m == "DELETE" for (m, _p) in rig.proxy.methods)
    assert report.attachments_pending == 0 and report.attachment_bytes_pending == 0
    with rig.db.read() as s:
        assert s.scalar(select(Blob.upload_url).where(Blob.sha256 == sha)) is None
        assert s.scalar(select(Attachment.state).where(Attachment.sha256 == sha)) == "pending"  # kept, unsent


def test_registrations_go_before_a_backlog_of_pages(rig):
    (a,) = rig.register(1)
    rig.sync()
    for i in range(4):
        attach(rig.desk, a.receipt_no, 20_000, 20 + i)
    order: list[str] = []
    registered = []

    def on_request(path):
        order.append(path)
        if path.endswith("/uploads") and not registered:
            registered.append(rig.register(1)[0])

    rig.proxy.on_request = on_request
    report = rig.sync()
    rig.proxy.on_request = None
    assert report.online and report.pending == 0
    first_upload = next(i for i, p in enumerate(order) if p.endswith("/uploads"))
    later_batches = [i for i, p in enumerate(order) if p.endswith("/requests/batch") and i > first_upload]
    last_upload = max(i for i, p in enumerate(order) if "/uploads" in p)
    assert later_batches and later_batches[0] < last_upload  # pushed between pages, not after them
    server = {r[0] for r in rig.server_rows()}
    assert registered[0].request_id in server


def test_sync_json_counts_what_is_queued(rig):
    (a,) = rig.register(1)
    attach(rig.desk, a.receipt_no, 25_000, 30)
    attach(rig.desk, a.receipt_no, 15_000, 31)
    rig.proxy.aim("/hello", "status:503")
    res = rig.desk_app("sync", "--once", "--json")
    out = json.loads(res.stdout)
    assert out["attachments_pending"] == 2
    assert out["attachment_bytes_pending"] == sum(len(jpeg_of_size(n, s)) for n, s in ((25_000, 30), (15_000, 31)))
    time.sleep(0.1)
    res = rig.desk_app("sync", "--once", "--json")
    out = json.loads(res.stdout)
    assert res.returncode == 0 and out["attachments_pending"] == 0 and out["attachment_bytes_pending"] == 0
