"""Server lifecycle against the real subprocess, on SQLite and PostgreSQL: backup/restore and
epoch rotation (409 resync, server_ref kept on re-upload), SIGKILL in the middle of a batch,
the rate limit shared by two workers, the demo agency."""

from __future__ import annotations

import json
import random
import socket
import threading
import time

from sqlalchemy import func, select

from desk_app.sync import protocol
from provincial_server.db import Change, Operation, ServerDB, ServerRequest
from tests.helpers.server import ServerProcess, make_request_op, wrap_op

B = protocol.API_PREFIX


def batch(c, office, ops):
    r = c.post(f"{B}/offices/{office}/requests/batch", json={"items": ops})
    assert r.status_code == 200, r.text
    return r.json()["results"]


def test_restore_and_epoch_rotate_force_resync_and_keep_server_refs(server, tmp_path):
    o, d = server.office, server.device
    first = [make_request_op(o, d) for _ in range(3)]
    later = [make_request_op(o, d) for _ in range(2)]
    with server.client(server.token) as c:
        refs = {r["request_id"]: r["server_ref"] for r in batch(c, o, first)}
        backup = tmp_path / "prov.json"
        server.admin("backup", str(backup))
        refs.update({r["request_id"]: r["server_ref"] for r in batch(c, o, later)})
        epoch = c.get(f"{B}/hello").json()["feed_epoch"]
        cursor = c.get(f"{B}/offices/{o}/changes", params={"cursor": f"{epoch}:0"}).json()["cursor"]
        assert cursor == f"{epoch}:5"

        server.admin("restore", str(backup))
        new_epoch = c.get(f"{B}/hello").json()["feed_epoch"]
        assert new_epoch != epoch
        r = c.get(f"{B}/offices/{o}/changes", params={"cursor": cursor})
        assert r.status_code == 409 and r.json()["error"] == "resync_required"
        # what a desk does next: lookup, re-upload the missing with the refs it printed
        ids = [op["request_id"] for op in first + later]
        known = c.post(f"{B}/offices/{o}/requests/lookup", json={"request_ids": ids}).json()["known"]
        assert sorted(k["request_id"] for k in known) == sorted(op["request_id"] for op in first)
        reup = [wrap_op("request", dict(op["payload"], server_ref=refs[op["request_id"]])) for op in later]
        res = batch(
            c, o, reup + [wrap_op("request", dict(first[0]["payload"], server_ref=refs[first[0]["request_id"]]))]
        )
        assert [x["result"] for x in res] == ["created", "created", "duplicate"]
        assert [x["server_ref"] for x in res] == [refs[op["request_id"]] for op in later + first[:1]]
        page = c.get(f"{B}/offices/{o}/changes", params={"cursor": f"{new_epoch}:0"}).json()
        assert len(page["changes"]) == 5 and not page["more"]

        server.admin("epoch", "rotate")
        assert c.get(f"{B}/offices/{o}/changes", params={"cursor": page["cursor"]}).status_code == 409
        third = c.get(f"{B}/hello").json()["feed_epoch"]
        assert third not in (epoch, new_epoch)
        assert len(c.get(f"{B}/offices/{o}/changes", params={"cursor": f"{third}:0"}).json()["changes"]) == 5
        # the token and the device's numbering survived the restore
        assert c.get(f"{B}/hello").json()["last_receipt_no"] == later[-1]["payload"]["receipt_no"]


def test_sigkill_mid_batch_every_op_fully_there_or_fully_absent(server):
    o, d = server.office, server.device
    batches = [[make_request_op(o, d, n=i * 200 + j) for j in range(200)] for i in range(2)]
    with server.client(server.token) as c:
        batch(c, o, batches[0])
    answered = [0]
    # The second batch goes on a raw socket: the whole request is in the server's hands when the
    # clock starts, and SIGKILL lands a few milliseconds into its processing.
    body = json.dumps({"items": batches[1]}).encode()
    host, port = server.url.removeprefix("http://").split(":")
    head = (
        f"POST {B}/offices/{o}/requests/batch HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {server.token}"
        f"\r\nX-Desk-Protocol: 1\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        sock.sendall(head.encode() + body)
        time.sleep(random.Random(7).uniform(0.005, 0.03))
        server.kill()
        try:
            reply = sock.recv(65536)
        except ConnectionError:
            reply = b""
    if reply.startswith(b"HTTP/1.1 200"):
        answered.append(1)  # the server was quicker than the kill: then all of it must be there

    db = ServerDB(server.db_url)
    try:
        with db.read() as s:
            ops_seen = set(s.scalars(select(Operation.op_id).where(Operation.office == o)))
            reqs = set(s.scalars(select(ServerRequest.request_id).where(ServerRequest.office == o)))
            changed = set(s.scalars(select(Change.request_id).where(Change.office == o)))
            n_changes = s.scalar(select(func.count()).select_from(Change).where(Change.office == o))
    finally:
        db.dispose()
    for i, ops in enumerate(batches):
        for op in ops:
            there = [op["op_id"] in ops_seen, op["request_id"] in reqs, op["request_id"] in changed]
            assert all(there) or not any(there), (i, there)
            if i in answered:
                assert all(there)
    assert n_changes == len(reqs)  # one `submitted` change each, no orphan seq

    server.start()  # same database, new port
    with server.client(server.token) as c:
        created = 0
        for ops in batches:
            res = batch(c, o, ops)
            assert {x["result"] for x in res} <= {"created", "duplicate"}
            created += sum(x["result"] == "created" for x in res)
        assert created == 400 - len(reqs)
        epoch = c.get(f"{B}/hello").json()["feed_epoch"]
        seqs = []
        cursor = f"{epoch}:0"
        while True:
            page = c.get(f"{B}/offices/{o}/changes", params={"cursor": cursor, "limit": 1000}).json()
            seqs += [ch["seq"] for ch in page["changes"]]
            cursor = page["cursor"]
            if not page["more"]:
                break
        assert seqs == list(range(1, 401))  # gap-free: the killed transaction took no seq


def test_rate_limit_is_shared_by_two_workers(server_db_url, tmp_path):
    srv = ServerProcess(server_db_url, serve_args=("--workers", "2", "--rate-limit", "0.05,5"), cwd=tmp_path)
    tokens = srv.quick_setup({"4512": (2, 3)}, catalog=None)
    token = tokens[("4512", 2)]
    srv.start()
    try:
        codes, retry = [], None
        for _ in range(8):
            with srv.client(token) as c:  # a new connection each time: both workers answer
                r = c.get(f"{B}/hello")
                codes.append(r.status_code)
                if r.status_code == 429:
                    retry = r.headers["Retry-After"]
                    assert r.json()["error"] == "rate_limited"
        # one token per 20 s: eight calls on a loaded machine still finish before the bucket refills
        assert codes == [200] * 5 + [429] * 3
        assert retry.isdigit() and 1 <= int(retry) <= 20
        with srv.client(tokens[("4512", 3)]) as c:  # another device has its own bucket
            assert c.get(f"{B}/hello").status_code == 200
    finally:
        srv.stop()


def test_demo_advance_moves_requests_on(server_db_url, tmp_path):
    srv = ServerProcess(server_db_url, serve_args=("--demo-advance", "0.5"), cwd=tmp_path)
    token = srv.quick_setup({"4512": (2,)})[("4512", 2)]
    srv.start()
    try:
        with srv.client(token) as c:
            op = make_request_op("4512", 2)
            batch(c, "4512", [op])
            deadline = time.monotonic() + 15
            statuses = []
            while time.monotonic() < deadline:
                statuses = [ch["status"] for ch in c.get(f"{B}/offices/4512/changes").json()["changes"]]
                if "completed" in statuses:
                    break
                time.sleep(0.3)
            assert statuses == ["submitted", "in_progress", "completed"]
    finally:
        srv.stop()


def test_concurrent_devices_on_two_workers_gap_free_feed(server_db_url, tmp_path):
    """Four devices of one office upload at once through two workers, and one batch is sent twice
    at the same moment (a retry racing the original): every op applied once, the feed gap-free."""
    srv = ServerProcess(server_db_url, serve_args=("--workers", "2", "--rate-limit", "0"), cwd=tmp_path)
    tokens = srv.quick_setup({"4512": (1, 2, 3, 4)})
    srv.start()
    try:
        work = {d: [[make_request_op("4512", d) for _ in range(40)] for _ in range(3)] for d in (1, 2, 3, 4)}
        raced = work[1][0]
        results: dict[str, list[str]] = {}
        lock = threading.Lock()
        go = threading.Barrier(5)

        def upload(d, batches):
            with srv.client(tokens[("4512", d)], timeout=60) as c:
                c.get(f"{B}/hello")
                go.wait()
                for ops in batches:
                    for op, r in zip(ops, batch(c, "4512", ops)):
                        with lock:
                            results.setdefault(op["op_id"], []).append(r["result"])

        threads = [threading.Thread(target=upload, args=(d, work[d])) for d in (1, 2, 3, 4)]
        threads.append(threading.Thread(target=upload, args=(1, [raced])))
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        all_ops = [op for d in work for ops in work[d] for op in ops]
        assert all(results[op["op_id"]] == ["created"] for op in all_ops if op not in raced)
        assert all(sorted(results[op["op_id"]]) == ["created", "duplicate"] for op in raced)
        seen: dict[int, set[str]] = {}
        seqs = []
        for d in (1, 2, 3, 4):
            with srv.client(tokens[("4512", d)]) as c:
                page = c.get(f"{B}/offices/4512/changes", params={"limit": 1000}).json()
                seen[d] = {ch["request_id"] for ch in page["changes"]}
                seqs += [ch["seq"] for ch in page["changes"]]
        assert sorted(seqs) == list(range(1, 481))
        for d in (1, 2, 3, 4):
            assert seen[d] == {op["request_id"] for ops in work[d] for op in ops}
    finally:
        srv.stop()
