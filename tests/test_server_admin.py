"""The `provincial-server` admin commands, run for real (subprocesses), on SQLite and PostgreSQL:
offices, enrolment, catalog versions, agency decisions, request list, backup/restore."""

from __future__ import annotations

import json
import os
import re
import subprocess

from desk_app.sync import protocol
from tests.helpers.server import CATALOG, ROOT, ServerProcess, make_request_op, server_command

B = protocol.API_PREFIX
PERSIAN = re.compile("[\u0600-\u06ff]")


def test_admin_commands_end_to_end(tmp_path):
    """On SQLite; backup/restore on PostgreSQL runs in test_server_lifecycle."""
    srv = ServerProcess(f"sqlite:///{tmp_path / 'p.db'}", cwd=tmp_path)
    srv.add_office("4512", "دفتر پیشخوان مرکزی ارومیه")
    dup = srv.admin("office", "add", "--code", "4512", "--name", "x", check=False)
    assert dup.returncode == 1 and PERSIAN.search(dup.stderr) and "Traceback" not in dup.stderr

    enrol = srv.admin("device", "enrol", "--office", "4512", "--device", "2")
    assert re.fullmatch(r"[A-Za-z0-9_-]{40,}\n", enrol.stdout)  # only the token, one line
    token = enrol.stdout.strip()
    assert srv.admin("device", "enrol", "--office", "9999", "--device", "2", check=False).returncode == 1

    # catalog versions: load, same content again is fine, other content under the same version is refused
    srv.load_catalog(CATALOG)
    assert srv.load_catalog(CATALOG).returncode == 0
    changed = json.loads(json.dumps(CATALOG))
    changed["services"][0]["fees"][0]["amount"] += 1
    refused = srv.load_catalog(changed, check=False)
    assert refused.returncode == 1 and CATALOG["version"] in refused.stderr
    broken = {
        "version": "x",
        "services": [
            {"code": "77", "title": "t", "agency": "a", "fees": [{"kind": "tip", "amount": 1.5}], "active": True}
        ],
    }
    out = srv.load_catalog(broken, check=False)
    assert out.returncode == 1 and "77" in out.stderr

    srv.start()
    try:
        with srv.client(token) as c:
            etag1 = c.get(f"{B}/catalog").headers["ETag"]
            old_fee_op = make_request_op("4512", 2)  # quoted under 1405-09-01
            assert (
                c.post(f"{B}/offices/4512/requests/batch", json={"items": [old_fee_op]}).json()["results"][0]["result"]
                == "created"
            )

            newer = dict(changed, version="1405-10-01")
            srv.load_catalog(newer)
            r = c.get(f"{B}/catalog", headers={"If-None-Match": etag1})
            assert r.status_code == 200 and r.headers["ETag"] != etag1 and r.json()["version"] == "1405-10-01"
            assert c.get(f"{B}/hello").json()["catalog_version"] == "1405-10-01"
            # the version a request names decides its fees, old or new, and the answer is stable
            still_old = make_request_op("4512", 2)
            new_fees_old_version = make_request_op(
                "4512",
                2,
                fees=newer["services"][0]["fees"],
                total=sum(f["amount"] for f in newer["services"][0]["fees"]),
            )
            new_version = make_request_op("4512", 2, service=newer["services"][0], catalog_version="1405-10-01")
            for _ in range(2):
                res = c.post(
                    f"{B}/offices/4512/requests/batch", json={"items": [still_old, new_fees_old_version, new_version]}
                ).json()["results"]
                assert [x["result"] in ("created", "duplicate") for x in res] == [True, False, True]
                assert res[1]["code"] == "fees_mismatch"

            # the agency's decisions
            rn = old_fee_op["payload"]["receipt_no"]
            srv.admin("request", "set-status", rn, "in_progress")
            back = srv.admin("request", "set-status", rn, "submitted", check=False)
            assert back.returncode == 1 and PERSIAN.search(back.stderr)
            assert srv.admin("request", "set-status", "4512-2-050101-9999", "completed", check=False).returncode == 1
            srv.admin("request", "set-status", rn, "completed", "--note", "تحویل شد")
            statuses = [
                ch["status"]
                for ch in c.get(f"{B}/offices/4512/changes").json()["changes"]
                if ch["request_id"] == old_fee_op["request_id"]
            ]
            assert statuses == ["submitted", "in_progress", "completed"]

            listed = srv.list_requests("4512")
            assert len(listed) == 3
            row = next(x for x in listed if x["receipt_no"] == rn)
            assert {"request_id", "receipt_no", "office", "device", "status", "server_ref"} <= row.keys()
            assert (row["status"], row["office"], row["device"]) == ("completed", "4512", 2)

            # backup / restore round trip: same rows, new epoch
            epoch = c.get(f"{B}/hello").json()["feed_epoch"]
            srv.admin("backup", str(tmp_path / "b.json"))
            srv.admin("request", "set-status", still_old["payload"]["receipt_no"], "rejected")
            srv.admin("restore", str(tmp_path / "b.json"))
            assert srv.list_requests() == listed
            assert c.get(f"{B}/hello").json()["feed_epoch"] != epoch
            assert c.get(f"{B}/catalog").json()["version"] == "1405-10-01"
            (tmp_path / "junk.json").write_text("{}", encoding="utf-8")
            assert srv.admin("restore", str(tmp_path / "junk.json"), check=False).returncode == 1
            assert srv.list_requests() == listed  # a refused restore changes nothing
    finally:
        srv.stop()
    assert "Traceback" not in srv.log_text()
    assert token not in srv.log_text()


def test_default_db_is_a_sqlite_file_in_the_current_folder(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "PROVINCIAL_DB"}
    env["PYTHONPATH"] = str(ROOT)
    out = subprocess.run(
        server_command() + ["office", "add", "--code", "5678", "--name", "n"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "provincial.db").exists()
