"""Pages for the upload tests and the chaos run: real JPEG files of a chosen size, made in
microseconds (a tiny picture plus comment segments of random bytes, so no two are alike and
none compresses), kept with a request through the services' own `store_page`."""

from __future__ import annotations

import io
import random
from functools import lru_cache

from PIL import Image

from desk_app.services import attachments, imaging


@lru_cache(maxsize=1)
def _tiny_jpeg() -> bytes:
    buf = io.BytesIO()
    Image.new("L", (16, 16), 200).save(buf, "JPEG")
    return buf.getvalue()


def jpeg_of_size(size: int, seed: int) -> bytes:
    """A valid JPEG of exactly `size` bytes (at least ~700)."""
    base = _tiny_jpeg()
    rng = random.Random(seed)
    room = size - len(base)
    segments = []
    while room > 4:
        n = min(65535, room) - 2  # payload of one COM segment (its length field counts itself)
        n = max(0, n)
        if room - (n + 4) in (1, 2, 3):
            n -= 4
        segments.append(b"\xff\xfe" + (n + 2).to_bytes(2, "big") + rng.randbytes(n))
        room -= n + 4
    data = base[:2] + b"".join(segments) + base[2:]
    return data + b"\x00" * (size - len(data)) if len(data) < size else data


def page(size: int, seed: int) -> imaging.Page:
    return imaging.Page(jpeg_of_size(size, seed), "image/jpeg", "photo", 16, 16, 200, 0.0)


def attach(desk, receipt_no: str, size: int, seed: int, document: str | None = None):
    return attachments.store_page(desk, receipt_no, page(size, seed), document=document)


# ---------------------------------------------------------------------------------- chaos run
def run_attachment_chaos(
    base,
    tpl,
    *,
    requests: int,
    client_kills: int,
    server_kills: int,
    drop_rate: float = 0.2,
    rate_bps: int = 64_000,
    rtt_s: float = 0.1,
    page_sizes: tuple[int, int] = (4_000, 20_000),
    chunk: int = 8192,
    seed: int = 1,
    log=None,
) -> dict:
    """Register `requests` requests with 1-3 pages each while real `desk-app sync --once`
    processes run over the slow-link proxy (`rate_bps` each way, `rtt_s` round trips), SIGKILLing
    `client_kills` of them (often mid-upload) and the server `server_kills` times, with
    `drop_rate` of the office API's answers (batches, lookups, creations, chunks, links) dropped
    after the server acted. Then sync cleanly and count, against the server's tables and files:
    lost pages (local, not linked on the server), duplicated (server links or requests that are
    not the desk's, a request twice), corrupted (a stored file whose SHA-256 or size is not the
    page's), and page bytes put on the wire against the bytes needed (each SHA-256 once)."""
    import hashlib
    import random
    import signal
    import sqlite3
    import subprocess
    import threading
    import time

    from sqlalchemy import select

    from desk_app.store.models import Attachment, Request, SyncState
    from tests.helpers.syncrig import OFFICE, Rig

    rng = random.Random(seed)
    rig = Rig(base, tpl)
    rig.proxy.set_mode("throttle", rate_bps=rate_bps, latency_s=0.0)
    rig.proxy.one_way_s = rtt_s / 2
    rig.proxy.drop_path = "/api/v1/offices/"
    rig.proxy.set_drop(drop_rate, seed)
    with rig.db.write() as s:
        s.merge(SyncState(key="upload_chunk_bytes", value=str(chunk)))
    say = log or (lambda *_: None)
    registered: list[str] = []
    pages_made = 0
    kills = skills = runs = 0
    started = time.monotonic()
    try:
        kill_plan = [True] * client_kills + [False] * max(6, client_kills // 3)
        per_run = max(1, requests // len(kill_plan))
        rng.shuffle(kill_plan)
        server_plan = set(rng.sample(range(len(kill_plan)), min(server_kills, len(kill_plan))))
        i = 0
        while len(registered) < requests or i < len(kill_plan) or kills < client_kills or skills < server_kills:
            want_kill = kill_plan[i] if i < len(kill_plan) else kills < client_kills
            want_server_kill = i in server_plan or (i >= len(kill_plan) and skills < server_kills)
            i += 1
            hello, batch, upload = threading.Event(), threading.Event(), threading.Event()

            def on_request(path, hello=hello, batch=batch, upload=upload):
                if "/hello" in path:
                    hello.set()
                elif "/requests/batch" in path:
                    batch.set()
                elif "/uploads" in path:
                    upload.set()

            rig.proxy.on_request = on_request
            proc = rig.popen_sync()
            runs += 1
            left = requests - len(registered)
            n = left if i >= len(kill_plan) else min(rng.randint(per_run // 2, per_run + per_run // 2), left)
            for view in rig.register(n):
                registered.append(view.request_id)
                for _ in range(rng.randint(1, 3)):
                    pages_made += 1
                    attach(rig.desk, view.receipt_no, rng.randint(*page_sizes), seed * 1_000_003 + pages_made)
            timer = None
            if want_server_kill:
                timer = threading.Timer(rng.uniform(0.5, 3.0), rig.srv.kill)
                timer.start()
            if want_kill:
                moment = rng.choice(("upload", "upload", "upload", "batch", "hello", "any"))
                if moment == "upload":
                    upload.wait(20)
                    time.sleep(rng.uniform(0.0, 1.5))
                elif moment == "batch":
                    batch.wait(10)
                    time.sleep(rng.uniform(0.0, 0.1))
                elif moment == "hello":
                    hello.wait(10)
                    time.sleep(rng.uniform(0.0, 0.3))
                else:
                    time.sleep(rng.uniform(0.0, 3.0))
                if proc.poll() is None:
                    proc.send_signal(signal.SIGKILL)
                    kills += 1
            try:
                proc.communicate(timeout=180)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.communicate()
            if timer is not None:
                timer.join()
                skills += 1
                rig.restart_server(kill=True)
            if runs % 5 == 0:
                say(
                    f"runs {runs}: requests {len(registered)}, pages {pages_made}, "
                    f"client kills {kills}, server kills {skills}"
                )
            if runs > 20 * (requests + client_kills + server_kills):
                break
        rig.proxy.set_drop(0.0)
        rig.proxy.on_request = None
        final = None
        for _ in range(8):
            res = rig.desk_app("sync", "--once", "--json", timeout=600)
            final = res.stdout
            if res.returncode == 0 and '"pending": 0' in res.stdout and '"attachments_pending": 0' in res.stdout:
                break
        with rig.db.read() as s:
            local_requests = set(s.scalars(select(Request.request_id)))
            local_pages = {(a.request_id, a.sha256): a.bytes for a in s.scalars(select(Attachment))}
            unsent = sum(1 for a in s.scalars(select(Attachment)) if a.state != "sent")
            sent_row = s.get(SyncState, "upload_bytes_sent")
            bytes_sent = int(sent_row.value) if sent_row and sent_row.value else 0
        con = sqlite3.connect(f"file:{rig.tmp / 'provincial.db'}?mode=ro", uri=True, timeout=10)
        try:
            req_rows = con.execute("SELECT request_id, receipt_no FROM requests").fetchall()
            links = con.execute("SELECT request_id, sha256, bytes FROM attachments").fetchall()
            complete = con.execute("SELECT sha256 FROM uploads WHERE state = 'complete'").fetchall()
        finally:
            con.close()
        on_server = {(r, sha): size for r, sha, size in links}
        lost = sum(1 for key in local_pages if key not in on_server)
        lost_requests = sum(1 for rid in registered if rid not in {r for r, _ in req_rows})
        ids = [r for r, _ in req_rows]
        duplicated = (
            sum(1 for key in on_server if key not in local_pages)
            + (len(ids) - len(set(ids)))
            + (len(req_rows) - len({n for _, n in req_rows}))
            + sum(1 for rid in ids if rid not in local_requests)
        )
        corrupted = 0
        files = rig.tmp / "provincial-files" / OFFICE
        for (_rid, sha), size in on_server.items():
            path = files / sha[:2] / sha
            data = path.read_bytes() if path.exists() else b""
            if hashlib.sha256(data).hexdigest() != sha or len(data) != size or local_pages.get((_rid, sha)) != size:
                corrupted += 1
        needed = sum({sha: size for (_r, sha), size in local_pages.items()}.values())
        uploads_per_sha: dict[str, int] = {}
        for (sha,) in complete:
            uploads_per_sha[sha] = uploads_per_sha.get(sha, 0) + 1
        return {
            "requests": len(registered),
            "pages": len(local_pages),
            "distinct_pages": len({sha for _r, sha in local_pages}),
            "sync_runs": runs,
            "client_kills": kills,
            "server_kills": skills,
            "dropped_answers": rig.proxy.faults.get("drop", 0),
            "lost": lost + lost_requests,
            "duplicated": duplicated,
            "corrupted": corrupted,
            "unsent": unsent,
            "sha256_uploaded_twice": sum(1 for c in uploads_per_sha.values() if c > 1),
            "bytes_needed": needed,
            "bytes_sent": bytes_sent,
            "resent_share": round((bytes_sent - needed) / needed, 4) if needed else 0.0,
            "seconds": round(time.monotonic() - started, 1),
            "final_report": final,
        }
    finally:
        rig.close()
