"""Keeping pages: stored once by SHA-256 in private files written atomically, linked to the
request and its required document with page order; the uploader's queue in send order; sent,
removed, cancelled and purged pages; `request list --json` objects carry `attachments`."""

from __future__ import annotations

import hashlib
import json
import os
import stat
import subprocess
import sys

import pytest
from PIL import Image, ImageDraw

from desk_app.domain.errors import InvalidInput, PermissionDenied
from desk_app.services import attachments as A
from desk_app.services import cancel, imaging, requests
from desk_app.store.models import OutboxOp
from tests.helpers.deskdata import register


def page(n: int, kind: str = imaging.TEXT) -> imaging.Page:
    """A small distinct page (text n written as bars), compressed for real."""
    img = Image.new("L", (600, 800), 225)
    draw = ImageDraw.Draw(img)
    for i in range(n + 1):
        draw.rectangle((40 + 30 * i, 100, 55 + 30 * i, 300 + 7 * n), fill=20)
    return imaging.compress(img, dpi=200, kind=kind)


def files(home):
    root = A.attachments_dir(home)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def test_page_is_stored_once_with_its_rows(desk, request_no):
    p = page(1)
    view = A.store_page(desk, request_no, p, document="کارت ملی")
    path = A.blob_path(desk.home, p.sha256)
    assert path.read_bytes() == p.data and hashlib.sha256(path.read_bytes()).hexdigest() == p.sha256
    assert path.relative_to(desk.home).parts == ("attachments", p.sha256[:2], p.sha256)
    assert (view.document, view.page_no, view.state, view.bytes, view.new) == ("کارت ملی", 1, "pending", p.size, True)
    again = A.store_page(desk, request_no, p, document="کارت ملی")
    assert again.new is False and again.id == view.id
    assert files(desk.home) == [path]  # no second copy, no temporary file left
    assert [v.sha256 for v in A.list_pages(desk, request_no)] == [p.sha256]


@pytest.mark.skipif(os.name != "posix", reason="POSIX modes")
def test_files_are_private(desk, request_no):
    p = page(2)
    A.store_page(desk, request_no, p)
    path = A.blob_path(desk.home, p.sha256)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    for folder in (path.parent, A.attachments_dir(desk.home), A.attachments_dir(desk.home) / A.TMP):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700


def test_same_page_on_two_requests_is_one_file_two_links(desk):
    a, b = register(desk, 1).receipt_no, register(desk, 2).receipt_no
    p = page(3)
    A.store_page(desk, a, p)
    A.store_page(desk, b, p)
    assert len(files(desk.home)) == 1
    assert [v.receipt_no for v in A.pending_uploads(desk)] == [a, b]
    totals = A.pending_totals(desk)
    assert (totals.pages, totals.bytes, totals.requests) == (2, p.size, 2)  # bytes counted once


def test_page_order_per_document_and_catalog_spelling(desk, request_no):
    """«كارت ملي» typed with Arabic letters is the catalog's «کارت ملی»; free text is kept."""
    v1 = A.store_page(desk, request_no, page(1), document="كارت ملي")
    v2 = A.store_page(desk, request_no, page(2), document=" کارت  ملی ")
    v3 = A.store_page(desk, request_no, page(3), document="شناسنامه")
    v4 = A.store_page(desk, request_no, page(4), document="نامهٔ   اداره")
    v5 = A.store_page(desk, request_no, page(5))
    assert [(v.document, v.page_no) for v in (v1, v2, v3, v4, v5)] == [
        ("کارت ملی", 1),
        ("کارت ملی", 2),
        ("شناسنامه", 1),
        ("نامهٔ اداره", 1),
        (None, 1),
    ]
    assert A.required_documents(desk, request_no) == ["کارت ملی", "شناسنامه"]
    with pytest.raises(InvalidInput):
        A.store_page(desk, request_no, page(6), document="ن" * 101)


def test_queue_in_send_order_and_mark_sent(desk):
    first, second = register(desk, 1), register(desk, 2)
    A.store_page(desk, second.receipt_no, page(1))  # added first, but for the newer request
    A.store_page(desk, first.receipt_no, page(2))
    A.store_page(desk, first.receipt_no, page(3))
    queue = A.pending_uploads(desk)
    assert [q.receipt_no for q in queue] == [first.receipt_no, first.receipt_no, second.receipt_no]
    assert [q.page_no for q in queue[:2]] == [1, 2]
    assert all(q.needs_bytes and not q.request_on_server and q.path.is_file() for q in queue)
    assert A.pending_uploads(desk, ready_only=True) == []
    with desk.db.write() as s:  # the server acked the first request
        op = s.query(OutboxOp).filter_by(request_id=first.request_id, kind="request").one()
        op.state = "acked"
    ready = A.pending_uploads(desk, ready_only=True)
    assert [q.request_id for q in ready] == [first.request_id] * 2
    assert A.mark_sent(desk, ready[0].sha256, first.request_id) is True
    assert A.mark_sent(desk, ready[0].sha256, first.request_id) is False  # again after a crash: no-op
    assert [q.sha256 for q in A.pending_uploads(desk)] == [ready[1].sha256, queue[2].sha256]
    states = {v.sha256: v.state for v in A.list_pages(desk, first.receipt_no)}
    assert states == {ready[0].sha256: "sent", ready[1].sha256: "pending"}
    assert A.request_bytes_pending(desk, first.receipt_no) == ready[1].bytes


def test_a_sent_blob_is_not_counted_again_for_another_request(desk):
    a, b = register(desk, 1), register(desk, 2)
    p = page(4)
    A.store_page(desk, a.receipt_no, p)
    A.mark_sent(desk, p.sha256, a.request_id)
    A.store_page(desk, b.receipt_no, p)
    (item,) = A.pending_uploads(desk)
    assert item.request_id == b.request_id and item.needs_bytes is False
    assert A.pending_totals(desk).bytes == 0 and A.pending_totals(desk).pages == 1
    assert A.request_bytes_pending(desk, b.receipt_no) == 0  # the link costs no bytes
    A.set_upload_url(desk, p.sha256, "/api/v1/offices/4512/uploads/abc")
    assert A.pending_uploads(desk)[0].upload_url == "/api/v1/offices/4512/uploads/abc"


def test_remove_unsent_page_only(desk, request_no):
    a, b = page(1), page(2)
    A.store_page(desk, request_no, a)
    A.store_page(desk, request_no, b)
    A.remove_page(desk, request_no, a.sha256, actor="ali")
    assert not A.blob_path(desk.home, a.sha256).exists()
    request_id = requests.get_request(desk, request_no).request_id
    A.mark_sent(desk, b.sha256, request_id)
    with pytest.raises(InvalidInput) as info:
        A.remove_page(desk, request_no, b.sha256)
    assert "فرستاده" in info.value.message
    assert A.blob_path(desk.home, b.sha256).exists()


def test_remove_keeps_a_file_another_request_needs(desk):
    a, b = register(desk, 1).receipt_no, register(desk, 2).receipt_no
    p = page(5)
    A.store_page(desk, a, p)
    A.store_page(desk, b, p)
    A.remove_page(desk, a, p.sha256)
    assert A.blob_path(desk.home, p.sha256).exists()
    assert [v.receipt_no for v in A.pending_uploads(desk)] == [b]


def test_cancelled_request_keeps_pages_until_the_manager_purges(desk, request_no):
    p = page(6)
    A.store_page(desk, request_no, p)
    cancel.cancel_request(desk, request_no, reason="انصراف متقاضی", clerk="ali")
    assert A.pending_uploads(desk) == [] and A.pending_totals(desk).pages == 0  # never offered for sending
    assert A.blob_path(desk.home, p.sha256).exists()  # but kept
    with pytest.raises(InvalidInput) as info:
        A.store_page(desk, request_no, page(7))
    assert "لغو" in info.value.message
    with pytest.raises(PermissionDenied):
        A.purge(desk, actor="ali")
    result = A.purge(desk, actor="boss")
    assert (result.links, result.files, result.bytes) == (1, 1, p.size)
    assert not A.blob_path(desk.home, p.sha256).exists() and A.list_pages(desk, request_no) == []


def test_purge_of_old_sent_files_keeps_unsent_and_rows(desk):
    a, b = register(desk, 1), register(desk, 2)
    sent, unsent = page(1), page(2)
    A.store_page(desk, a.receipt_no, sent)
    A.store_page(desk, b.receipt_no, unsent)
    A.mark_sent(desk, sent.sha256, a.request_id)
    assert A.purge(desk, actor="boss", sent_days=1).files == 0  # sent just now: kept
    result = A.purge(desk, actor="boss", sent_days=0)
    assert result.files == 1 and not A.blob_path(desk.home, sent.sha256).exists()
    assert A.blob_path(desk.home, unsent.sha256).exists()
    (row,) = A.list_pages(desk, a.receipt_no)
    assert row.state == "sent"  # the request still shows the page, as sent
    with pytest.raises(InvalidInput):
        A.read_page(desk, sent.sha256)


def test_caps_per_request_from_settings(desk, request_no):
    desk.settings.set("attachment_max_pages", 2)
    A.store_page(desk, request_no, page(1))
    A.store_page(desk, request_no, page(2))
    with pytest.raises(InvalidInput) as info:
        A.store_page(desk, request_no, page(3))
    assert "۲" in info.value.message
    desk.settings.set_many({"attachment_max_pages": 40, "attachment_max_request_mb": 0})
    with pytest.raises(InvalidInput) as info:
        A.store_page(desk, request_no, page(4))
    assert "مگابایت" in info.value.message
    assert len(A.list_pages(desk, request_no)) == 2 and len(files(desk.home)) == 2  # refused before its file


def test_sweep_leaves_young_files_and_needed_ones(desk, request_no):
    """What a crash leaves: a temporary file, or a page file whose row was never written."""
    p, orphan = page(1), page(2)
    A.store_page(desk, request_no, p)
    stray = A.attachments_dir(desk.home) / A.TMP / "page-x.part"
    stray.write_bytes(b"half a page")
    A.write_blob(desk.home, orphan.sha256, orphan.data)
    assert A.sweep(desk) == 0  # young: may be a write in progress
    assert A.sweep(desk, older_than_s=0) == 2 and not stray.exists()
    assert not A.blob_path(desk.home, orphan.sha256).exists()
    assert A.blob_path(desk.home, p.sha256).exists() and A.verify(desk) == []
    A.blob_path(desk.home, p.sha256).write_bytes(b"damaged")
    assert A.verify(desk) == [p.sha256]


def test_preview_of_a_stored_page(desk, request_no):
    p = page(2)
    A.store_page(desk, request_no, p)
    png = A.preview(desk, p.sha256, 128)
    assert png.startswith(b"\x89PNG") and max(Image.open(__import__("io").BytesIO(png)).size) == 128


def test_request_list_json_has_attachments_one_query_per_page(desk, home):
    from sqlalchemy import event

    rows = [register(desk, n) for n in range(1, 6)]
    p1, p2 = page(1), page(2, imaging.PHOTO)
    A.store_page(desk, rows[0].receipt_no, p1, document="کارت ملی")
    A.store_page(desk, rows[0].receipt_no, p2, document="شناسنامه")
    A.store_page(desk, rows[3].receipt_no, p1)
    statements = []
    event.listen(desk.db.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    listed = requests.list_requests(desk, limit=100)
    assert sum("FROM attachments" in s for s in statements) == 1  # one query for the page of five
    by_no = {r.receipt_no: r.to_json()["attachments"] for r in listed}
    assert by_no[rows[0].receipt_no] == [
        {"sha256": p1.sha256, "bytes": p1.size, "document": "کارت ملی", "state": "pending"},
        {"sha256": p2.sha256, "bytes": p2.size, "document": "شناسنامه", "state": "pending"},
    ]
    assert by_no[rows[3].receipt_no] == [{"sha256": p1.sha256, "bytes": p1.size, "document": None, "state": "pending"}]
    assert by_no[rows[1].receipt_no] == []
    desk.close()
    done = subprocess.run(
        [sys.executable, "-m", "desk_app", "--home", str(home), "request", "list", "--json"],
        capture_output=True,
        text=True,
        check=True,
    )
    cli = {r["receipt_no"]: r["attachments"] for r in json.loads(done.stdout)}
    assert cli == by_no
