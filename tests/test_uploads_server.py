"""The provincial server's uploads (DESIGN.md section 11) over loopback, on SQLite and PostgreSQL:
tus 1.0 core + creation + checksum + termination, per-office isolation, content sniffing, caps,
the link that re-checks the SHA-256, and `tuspy` as an outside client."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import random

import pytest
from PIL import Image

from tests.helpers.server import make_request_op

TUS = {"Tus-Resumable": "1.0.0"}
OCTET = "application/offset+octet-stream"


def page_bytes(seed: int, kind: str = "JPEG", size: int = 160) -> bytes:
    """A small real page (noise, so each seed is another SHA-256)."""
    rng = random.Random(seed)
    img = Image.frombytes("L", (size, size), bytes(rng.randrange(256) for _ in range(size * size)))
    buf = io.BytesIO()
    img.save(buf, kind)
    return buf.getvalue()


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def meta(**values: str) -> str:
    return ",".join(f"{k} {base64.b64encode(v.encode()).decode()}" for k, v in values.items())


def checksum(data: bytes) -> str:
    return "sha256 " + base64.b64encode(hashlib.sha256(data).digest()).decode()


class Office:
    """One office of the shared server: a device's client and a request on the server."""

    def __init__(self, srv):
        self.srv = srv
        self.code, tokens = srv.new_office()
        self.http = srv.client(tokens[2])
        op = make_request_op(self.code, 2)
        r = self.http.post(f"/api/v1/offices/{self.code}/requests/batch", json={"items": [op]})
        assert r.status_code == 200 and r.json()["results"][0]["result"] == "created", r.text
        self.request_id = op["request_id"]
        self.receipt_no = op["receipt_no"]
        self.base = f"/api/v1/offices/{self.code}/uploads"

    def create(self, data: bytes, *, declared: str | None = None, length: int | None = None, body: bytes | None = None):
        headers = {
            **TUS,
            "Upload-Length": str(len(data) if length is None else length),
            "Upload-Metadata": meta(sha256=declared or sha(data), filename="x"),
        }
        if body is not None:
            headers["Content-Type"] = OCTET
        return self.http.post(self.base, headers=headers, content=body)

    def patch(self, location: str, offset: int, chunk: bytes, *, check: str | None = "auto"):
        headers = {**TUS, "Content-Type": OCTET, "Upload-Offset": str(offset)}
        if check == "auto":
            headers["Upload-Checksum"] = checksum(chunk)
        elif check:
            headers["Upload-Checksum"] = check
        return self.http.patch(location, headers=headers, content=chunk)

    def head(self, location: str):
        return self.http.head(location, headers=TUS)

    def upload(self, data: bytes, chunk: int = 1000) -> str:
        r = self.create(data)
        assert r.status_code == 201, r.text
        loc = r.headers["Location"]
        for off in range(0, len(data), chunk):
            p = self.patch(loc, off, data[off : off + chunk])
            assert p.status_code == 204, p.text
            assert int(p.headers["Upload-Offset"]) == min(len(data), off + chunk)
        return loc

    def link(self, digest: str, document: str | None = "کارت ملی", request_id: str | None = None):
        rid = request_id or self.request_id
        return self.http.post(
            f"/api/v1/offices/{self.code}/requests/{rid}/attachments", json={"sha256": digest, "document": document}
        )


@pytest.fixture
def office(live_server):
    o = Office(live_server)
    yield o
    o.http.close()


def test_options_announces_tus_and_its_extensions(office):
    r = office.http.options(office.base)
    assert r.status_code == 204
    assert r.headers["Tus-Version"] == "1.0.0"
    ext = set(r.headers["Tus-Extension"].split(","))
    assert {"creation", "checksum", "termination"} <= ext
    assert int(r.headers["Tus-Max-Size"]) >= 1024 * 1024
    assert "sha256" in r.headers["Tus-Checksum-Algorithm"].split(",")


def test_a_page_in_chunks_is_held_linked_and_listed(office, live_server):
    data = page_bytes(1)
    loc = office.upload(data, chunk=700)
    h = office.head(loc)
    assert h.status_code == 200 and h.headers["Upload-Offset"] == str(len(data))
    assert h.headers["Upload-Length"] == str(len(data)) and h.headers["Cache-Control"] == "no-store"
    r = office.link(sha(data))
    assert r.status_code == 201, r.text
    assert r.json()["result"] == "created" and r.json()["content_type"] == "image/jpeg"
    again = office.link(sha(data))
    assert again.status_code == 200 and again.json()["result"] == "duplicate"
    out = live_server.admin("attachment", "list", "--receipt", office.receipt_no, "--json").stdout
    assert json.loads(out) == [
        {"sha256": sha(data), "bytes": len(data), "document": "کارت ملی", "content_type": "image/jpeg"}
    ]


def test_patch_at_the_wrong_offset_is_409_and_says_where(office):
    data = page_bytes(2)
    loc = office.create(data).headers["Location"]
    assert office.patch(loc, 0, data[:500]).status_code == 204
    r = office.patch(loc, 100, data[100:600])
    assert r.status_code == 409 and r.headers["Upload-Offset"] == "500"
    r = office.patch(loc, 900, data[900:1000])
    assert r.status_code == 409
    assert office.head(loc).headers["Upload-Offset"] == "500"


def test_a_chunk_whose_checksum_does_not_match_is_460_and_not_kept(office):
    data = page_bytes(3)
    loc = office.create(data).headers["Location"]
    r = office.patch(loc, 0, data[:500], check=checksum(data[:499] + b"\x00"))
    assert r.status_code == 460
    assert office.head(loc).headers["Upload-Offset"] == "0"
    assert office.patch(loc, 0, data[:500], check="md5 AAAA").status_code == 400
    assert office.patch(loc, 0, data).status_code == 204


def test_bytes_that_are_not_the_declared_hash_are_refused_and_cannot_be_linked(office):
    data, other = page_bytes(4), page_bytes(5)
    loc = office.create(other, declared=sha(data)).headers["Location"]
    r = office.patch(loc, 0, other)
    assert r.status_code == 460 and r.json()["error"] == "hash_mismatch"
    assert office.head(loc).status_code == 410
    r = office.link(sha(data))
    assert r.status_code == 422 and r.json()["error"] == "hash_mismatch"
    assert office.link(sha(other)).status_code == 409  # never uploaded under its own name


def test_another_offices_upload_is_invisible_and_unlinkable(office, live_server):
    data = page_bytes(6)
    loc = office.upload(data)
    other = Office(live_server)
    try:
        stolen = loc.replace(f"/offices/{office.code}/", f"/offices/{other.code}/")
        assert other.head(stolen).status_code == 404
        assert other.patch(stolen, len(data), b"").status_code == 404
        assert other.http.delete(stolen, headers=TUS).status_code == 404
        assert other.http.head(loc, headers=TUS).status_code == 403  # another office's path
        r = other.link(sha(data))
        assert r.status_code == 409 and r.json()["error"] == "not_uploaded"
        lookup = other.http.post(f"/api/v1/offices/{other.code}/attachments/lookup", json={"sha256": [sha(data)]})
        assert lookup.json() == {"held": [], "uploads": []}
    finally:
        other.http.close()


def test_a_page_the_office_holds_is_linked_without_its_bytes(office):
    data = page_bytes(7)
    office.upload(data)
    assert office.link(sha(data)).status_code == 201
    second = make_request_op(office.code, 2)
    assert (
        office.http.post(f"/api/v1/offices/{office.code}/requests/batch", json={"items": [second]}).status_code == 200
    )
    r = office.http.post(f"/api/v1/offices/{office.code}/attachments/lookup", json={"sha256": [sha(data)]})
    assert r.json()["held"] == [sha(data)]
    created = office.create(data)  # a tus client that did not ask: complete at once
    assert created.status_code == 201 and created.headers["Upload-Offset"] == str(len(data))
    assert office.link(sha(data), request_id=second["request_id"]).status_code == 201


def test_lookup_names_an_open_upload_to_resume(office):
    data = page_bytes(8)
    loc = office.create(data).headers["Location"]
    office.patch(loc, 0, data[:300])
    r = office.http.post(f"/api/v1/offices/{office.code}/attachments/lookup", json={"sha256": [sha(data)]})
    assert r.json()["uploads"] == [{"sha256": sha(data), "location": loc, "offset": 300, "length": len(data)}]


def test_termination_removes_an_unfinished_upload(office):
    data = page_bytes(9)
    loc = office.create(data, body=data[:200]).headers["Location"]
    assert office.head(loc).headers["Upload-Offset"] == "200"  # creation-with-upload
    assert office.http.delete(loc, headers=TUS).status_code == 204
    assert office.head(loc).status_code == 404
    assert office.patch(loc, 200, data[200:]).status_code == 404


@pytest.mark.parametrize(
    "name, make, status",
    [
        ("empty", lambda: b"", 400),
        ("text", lambda: "این یک نامه است، نه تصویر".encode() * 20, 415),
        ("exe", lambda: b"MZ\x90\x00" + bytes(2000), 415),
        ("truncated jpeg", lambda: page_bytes(10)[:-200], 422),
        ("truncated png", lambda: page_bytes(11, "PNG")[:-30], 422),
        ("pdf without end", lambda: b"%PDF-1.4\n" + bytes(500), 422),
    ],
)
def test_what_is_not_a_whole_page_is_refused(office, name, make, status):
    data = make()
    r = office.create(data)
    if not data:
        assert r.status_code == status
        return
    loc = r.headers["Location"]
    p = office.patch(loc, 0, data)
    assert p.status_code == status, (name, p.text)
    assert office.link(sha(data)).status_code in (409, 422)


def test_a_page_over_the_cap_is_refused_at_creation(office):
    r = office.create(b"", length=500 * 2**20)
    assert r.status_code == 413 and int(r.headers["Tus-Max-Size"]) < 500 * 2**20


def test_a_link_to_a_request_the_server_does_not_hold_or_a_cancelled_one(office):
    data = page_bytes(12)
    office.upload(data)
    assert office.link(sha(data), request_id="00000000-0000-4000-8000-000000000000").status_code == 404
    from tests.helpers.server import make_cancel_op

    cancel = make_cancel_op(office.request_id)
    office.http.post(f"/api/v1/offices/{office.code}/requests/batch", json={"items": [cancel]})
    r = office.link(sha(data))
    assert r.status_code == 409 and r.json()["error"] == "request_cancelled"


def test_no_token_no_upload(office, live_server):
    anon = live_server.client(None)
    try:
        assert anon.post(office.base, headers={**TUS, "Upload-Length": "10"}).status_code == 401
    finally:
        anon.close()


def test_tuspy_uploads_to_the_server_as_an_outside_client(office, live_server, tmp_path):
    tus_client = pytest.importorskip("tusclient.client")
    data = page_bytes(13, "PNG", size=300)  # tuspy checksums with sha1 (the tus MUST), we with sha256
    path = tmp_path / "page.png"
    path.write_bytes(data)
    token = office.http.headers["Authorization"]
    client = tus_client.TusClient(
        live_server.url + office.base, headers={"Authorization": token, "X-Desk-Protocol": "1"}
    )
    with path.open("rb") as stream:
        uploader = client.uploader(
            file_stream=stream,
            chunk_size=4096,
            metadata={"sha256": sha(data), "filename": "page.png"},
            upload_checksum=True,
        )
        uploader.upload()
    assert uploader.offset == len(data)
    r = office.link(sha(data))
    assert r.status_code == 201 and r.json()["content_type"] == "image/png" and r.json()["bytes"] == len(data)


def test_partial_bytes_survive_a_server_sigkill(server):
    data = page_bytes(14, "PNG", size=200)
    http = server.client(server.token)
    try:
        op = make_request_op(server.office, server.device)
        http.post(f"/api/v1/offices/{server.office}/requests/batch", json={"items": [op]})
        base = f"/api/v1/offices/{server.office}/uploads"
        headers = {**TUS, "Upload-Length": str(len(data)), "Upload-Metadata": meta(sha256=sha(data))}
        loc = http.post(base, headers=headers).headers["Location"]
        half = len(data) // 2
        r = http.patch(
            loc,
            headers={**TUS, "Content-Type": OCTET, "Upload-Offset": "0", "Upload-Checksum": checksum(data[:half])},
            content=data[:half],
        )
        assert r.status_code == 204
    finally:
        http.close()
    server.kill()
    server.start()
    http = server.client(server.token)
    try:
        assert http.head(loc, headers=TUS).headers["Upload-Offset"] == str(half)
        r = http.patch(loc, headers={**TUS, "Content-Type": OCTET, "Upload-Offset": str(half)}, content=data[half:])
        assert r.status_code == 204 and r.headers["Upload-Offset"] == str(len(data))
        link = http.post(
            f"/api/v1/offices/{server.office}/requests/{op['request_id']}/attachments", json={"sha256": sha(data)}
        )
        assert link.status_code == 201
    finally:
        http.close()


def test_an_upload_that_names_its_request_is_linked_with_its_last_byte(office, live_server):
    data = page_bytes(15)
    headers = {
        **TUS,
        "Upload-Length": str(len(data)),
        "Upload-Metadata": meta(sha256=sha(data), request_id=office.request_id, document="عکس"),
    }
    loc = office.http.post(office.base, headers=headers).headers["Location"]
    first = office.patch(loc, 0, data[:500])
    assert first.status_code == 204 and "Upload-Link" not in first.headers
    last = office.patch(loc, 500, data[500:])
    assert last.status_code == 204 and last.headers["Upload-Link"] == "created"
    pages = json.loads(live_server.admin("attachment", "list", "--receipt", office.receipt_no, "--json").stdout)
    assert pages == [{"sha256": sha(data), "bytes": len(data), "document": "عکس", "content_type": "image/jpeg"}]
    assert office.link(sha(data), document="عکس").json()["result"] == "duplicate"


@pytest.mark.parametrize(
    "kind, content_type", [("TIFF", "image/tiff"), ("PNG", "image/png"), ("PDF", "application/pdf")]
)
def test_tiff_png_and_pdf_pages_are_taken_by_their_bytes(office, kind, content_type):
    data = page_bytes(16, kind)
    office.upload(data)
    r = office.link(sha(data), document=None)
    assert r.status_code == 201 and r.json()["content_type"] == content_type
