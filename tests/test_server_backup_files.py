"""`provincial-server backup`/`restore` for real (subprocesses): the file is 0600 whatever the
umask, encrypted when a passphrase is given (no national code or name readable in it), restore
tells the formats apart; the SQLite database the server creates is 0600 too."""

from __future__ import annotations

import json
import os
import stat
import subprocess
from contextlib import contextmanager

import pytest
from sqlalchemy import text

from provincial_server.db import ServerDB
from tests.helpers.server import ROOT, ServerProcess, make_request_op, server_command, wrap_op

PASS = "رمز-پشتیبان-استان-۱۴۰۵"
B = "/api/v1"


@contextmanager
def umask(mask: int):
    old = os.umask(mask)
    try:
        yield
    finally:
        os.umask(old)


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def _filled(url, tmp_path):
    """A running server with three requests whose citizens have known codes and names."""
    srv = ServerProcess(url, cwd=tmp_path)
    token = srv.quick_setup({"4512": (2,)})[("4512", 2)]
    srv.start()
    ops = [make_request_op("4512", 2, n=i) for i in range(3)]
    for i, op in enumerate(ops):
        op["payload"]["citizen"]["last_name"] = f"کریمی‌نژاد{i}"
    ops = [wrap_op("request", op["payload"]) for op in ops]
    with srv.client(token) as c:
        r = c.post(f"{B}/offices/4512/requests/batch", json={"items": ops})
        assert [x["result"] for x in r.json()["results"]] == ["created"] * 3
    return srv, ops


@pytest.fixture
def filled(server_db_url, tmp_path):
    """On SQLite and PostgreSQL (the backup's content comes from either)."""
    srv, ops = _filled(server_db_url, tmp_path)
    yield srv, ops
    srv.stop()


@pytest.fixture
def filled_sqlite(tmp_path):
    """Where the engine does not matter (file modes, where the passphrase comes from)."""
    srv, ops = _filled(f"sqlite:///{tmp_path / 'p.db'}", tmp_path)
    yield srv, ops
    srv.stop()


def rows(srv) -> list[dict]:
    """What `request list --json` prints, from the same function in this process (faster)."""
    from provincial_server import admin

    db = ServerDB(srv.db_url)
    try:
        return admin.list_requests(db)
    finally:
        db.dispose()


def _secrets_of(ops) -> list[bytes]:
    out = []
    for op in ops:
        citizen = op["payload"]["citizen"]
        out += [citizen["national_code"].encode(), citizen["last_name"].encode("utf-8")]
    return out


@pytest.mark.parametrize("mask", [0o022, 0o000], ids=["umask022", "umask000"])
def test_plain_backup_is_0600_whatever_the_umask(filled_sqlite, tmp_path, mask):
    srv, ops = filled_sqlite
    target = tmp_path / "prov.json"
    target.write_text("old", encoding="utf-8")
    os.chmod(target, 0o644)  # an older backup under the same name does not lend its mode
    with umask(mask):
        res = srv.admin("backup", str(target))
    assert mode(target) == 0o600, oct(mode(target))
    assert "رمزگذاری نشده" in res.stderr  # said, not silent
    assert json.loads(target.read_text(encoding="utf-8"))["format"] == "pishkhan-provincial-backup"
    assert not list(tmp_path.glob("*.tmp"))


def test_encrypted_backup_holds_no_national_code_and_restores_only_with_its_passphrase(filled, tmp_path):
    srv, ops = filled
    target = tmp_path / "prov.bak"
    with umask(0o022):
        srv.admin("backup", str(target), "--passphrase-stdin", input=PASS + "\n")
    assert mode(target) == 0o600
    data = target.read_bytes()
    assert data.startswith(b"PSHKSRV\x00")
    leaked = [s for s in _secrets_of(ops) if s in data]
    assert leaked == [] and b"4512-2-" not in data and b"tables" not in data
    before = rows(srv)

    # what restore refuses, changing nothing
    from provincial_server import admin

    db = ServerDB(srv.db_url)
    admin.set_status(db, ops[0]["payload"]["receipt_no"], "completed")
    db.dispose()
    changed = rows(srv)
    no_pass = srv.admin("restore", str(target), check=False)
    assert no_pass.returncode == 1 and "رمزدار" in no_pass.stderr
    wrong = srv.admin("restore", str(target), "--passphrase-stdin", input="another-passphrase\n", check=False)
    assert wrong.returncode == 1 and "رمز پشتیبان نادرست" in wrong.stderr
    tampered = tmp_path / "tampered.bak"
    tampered.write_bytes(data[:-40] + bytes([data[-40] ^ 1]) + data[-39:])
    bad = srv.admin("restore", str(tampered), "--passphrase-stdin", input=PASS + "\n", check=False)
    assert bad.returncode == 1 and "آسیب" in bad.stderr
    assert rows(srv) == changed
    assert "Traceback" not in no_pass.stderr + wrong.stderr + bad.stderr

    # the right passphrase (typed with Arabic ي and ASCII digits, the same passphrase) restores
    typed = PASS.replace("ی", "ي").replace("۱۴۰۵", "1405")
    srv.admin("restore", str(target), "--passphrase-stdin", input=typed + "\n")
    assert rows(srv) == before


def test_passphrase_from_the_environment_and_a_short_one_refused(filled_sqlite, tmp_path):
    srv, ops = filled_sqlite
    target = tmp_path / "env.bak"
    env_run = srv.env
    try:
        srv.env = {**env_run, "PROVINCIAL_BACKUP_PASSPHRASE": PASS}
        srv.admin("backup", str(target))
        assert target.read_bytes().startswith(b"PSHKSRV\x00")
        srv.admin("restore", str(target))
    finally:
        srv.env = env_run
    short = srv.admin("backup", str(tmp_path / "short.bak"), "--passphrase-stdin", input="1234\n", check=False)
    assert short.returncode == 1 and "دست‌کم" in short.stderr
    assert not (tmp_path / "short.bak").exists()
    plain = tmp_path / "plain.json"  # a plain backup restores as before, passphrase or not
    srv.admin("backup", str(plain))
    srv.admin("restore", str(plain), "--passphrase-stdin", input=PASS + "\n")
    assert len(rows(srv)) == 3


def test_default_sqlite_database_is_created_0600(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "PROVINCIAL_DB"}
    env["PYTHONPATH"] = str(ROOT)
    with umask(0o022):
        out = subprocess.run(
            server_command() + ["office", "add", "--code", "5678", "--name", "دفتر"],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert out.returncode == 0, out.stderr
        assert mode(tmp_path / "provincial.db") == 0o600
        db = ServerDB(f"sqlite:///{tmp_path / 'provincial.db'}")
        try:
            with db.write() as s:  # WAL mode: the -wal and -shm files exist while a connection is open
                s.execute(text("UPDATE meta SET value = value"))
            extra = list(tmp_path.glob("provincial.db-*"))
            assert extra and all(mode(p) == 0o600 for p in extra), {p.name: oct(mode(p)) for p in extra}
        finally:
            db.dispose()
        other = tmp_path / "other.db"  # a --db file named on the command line, likewise
        ServerProcess(f"sqlite:///{other}", cwd=tmp_path).admin("epoch", "rotate")
        assert mode(other) == 0o600
