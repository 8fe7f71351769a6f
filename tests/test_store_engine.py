"""The local store: pragmas, migrations, BEGIN IMMEDIATE, and known failures as Persian StoreErrors."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from sqlalchemy import event, text

from desk_app.store import migrate
from desk_app.store.engine import open_database
from desk_app.store.errors import StoreError
from tests.helpers.deskdata import make_desk, national_code, register

ROOT = Path(__file__).resolve().parent.parent


def _persian(message: str) -> bool:
    return any("\u0600" <= ch <= "\u06ff" for ch in message)


def _counts(path: Path) -> tuple[int, int, int]:
    con = sqlite3.connect(path)
    try:
        return tuple(
            con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("requests", "outbox", "audit_log")
        )
    finally:
        con.close()


def test_pragmas_on_every_connection(tmp_path):
    db = open_database(tmp_path / "d.sqlite3", busy_timeout=1234)
    try:
        for _ in range(2):  # two distinct pooled connections
            with db.engine.connect() as a, db.engine.connect() as b:
                for conn in (a, b):
                    assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
                    assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
                    assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
                    assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 1234
    finally:
        db.close()


def test_write_is_begin_immediate_and_rolls_back(tmp_path):
    db = open_database(tmp_path / "d.sqlite3")
    seen = []
    event.listen(db.engine, "before_cursor_execute", lambda conn, cur, stmt, *a: seen.append(stmt.strip().upper()))
    with pytest.raises(RuntimeError):
        with db.write() as s:
            s.execute(text("INSERT INTO settings(key, value) VALUES ('office_name', 'x')"))
            raise RuntimeError("boom")
    assert "BEGIN IMMEDIATE" in seen
    with db.read() as s:
        assert s.execute(text("SELECT count(*) FROM settings")).scalar() == 0
    db.close()


def test_schema_head_matches_models_and_scripts(tmp_path):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from alembic.script import ScriptDirectory

    from desk_app.store.models import Base
    from desk_app.store.search_index import include_name

    scripts = ScriptDirectory.from_config(migrate.alembic_config())
    assert scripts.get_current_head() == migrate.HEAD
    assert [s.revision for s in scripts.walk_revisions()][::-1] == list(migrate.REVISIONS)
    db = open_database(tmp_path / "d.sqlite3")
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"include_name": include_name}), Base.metadata)
        tables = {r[0] for r in conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'table'")}
    db.close()
    assert diff == []
    assert "requests_search" in tables  # the search index is there, only left out of the comparison


def test_revision_1_database_with_rows_upgrades_in_place(tmp_path):
    path = tmp_path / "old.sqlite3"
    db = open_database(path, migrate=False)
    migrate.upgrade(db, "0001")
    assert migrate.current_revision(db) == "0001"
    with db.write() as s:
        s.execute(text("INSERT INTO settings VALUES ('office_code', '4512'), ('device_no', '2')"))
        s.execute(
            text(
                "INSERT INTO users(username, full_name, role, password_hash, active, created_at) "
                "VALUES ('ali', 'علی', 'clerk', 'scrypt$x', 1, '2026-01-01T00:00:00.000000Z')"
            )
        )
        s.execute(
            text(
                "INSERT INTO requests(request_id, receipt_no, office, device, created_at, tehran_day, national_code,"
                " first_name, last_name, first_key, last_key, service_code, service_title, catalog_version, fees_json,"
                " total, payment_method, clerk_username, status, reprint_count, updated_at) VALUES"
                " ('11111111-1111-4111-8111-111111111111', '4512-2-050908-0001', '4512', '2', "
                "'2026-11-29T10:00:00.000000Z', '2026-11-29', '0013542419', 'محمد', 'کریمی', 'محمد', 'کریمی',"
                " '2101', 'گذرنامه', 'v1', '[]', 0, 'cash', 'ali', 'registered', 0, '2026-11-29T10:00:00.000000Z')"
            )
        )
        s.execute(
            text(
                "INSERT INTO print_jobs(request_id, kind, target, copy_no, state, created_at) VALUES "
                "('11111111-1111-4111-8111-111111111111', 'receipt', 'png:x', 1, 'done', "
                "'2026-11-29T10:00:01.000000Z')"
            )
        )
    db.close()
    names = lambda p: {r[0] for r in sqlite3.connect(p).execute("SELECT name FROM sqlite_master")}  # noqa: E731
    assert "drafts" not in names(path) and "ix_requests_national_code" not in names(path)

    db = open_database(path)  # start-up runs the migrations
    try:
        assert migrate.current_revision(db) == migrate.HEAD
        with db.read() as s:
            assert s.execute(text("SELECT receipt_no, first_name FROM requests")).all() == [
                ("4512-2-050908-0001", "محمد")
            ]
            assert s.execute(text("SELECT username FROM users")).scalar() == "ali"
            assert s.execute(text("SELECT copy_no, target, shift_id FROM print_jobs")).all() == [(1, "png:x", None)]
            plan = " ".join(
                r[-1]
                for r in s.execute(text("EXPLAIN QUERY PLAN SELECT * FROM requests WHERE national_code = '0013542419'"))
            )
        assert "ix_requests_national_code" in plan
        assert {"drafts", "ix_requests_first_key", "ix_requests_last_key"} <= names(path)
    finally:
        db.close()


def test_locked_database_gives_persian_store_error_and_changes_nothing(home):
    desk = make_desk(home)
    register(desk, 1)
    desk.close()
    from desk_app.services.context import Desk, database_path

    before = _counts(database_path(home))
    holder = sqlite3.connect(database_path(home), isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        desk = Desk.open(home, busy_timeout=200)
        t0 = time.monotonic()
        with pytest.raises(StoreError) as err:
            register(desk, 2)
        assert time.monotonic() - t0 < 3
        assert err.value.kind == "locked" and _persian(err.value.message)
        desk.close()
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert _counts(database_path(home)) == before


def test_full_disk_refuses_the_write_whole(home):
    """A tiny max_page_count stands for a full disk: SQLITE_FULL mid-transaction."""
    from desk_app.services.context import database_path

    desk = make_desk(home)
    with desk.db.read() as s:
        pages = s.execute(text("PRAGMA page_count")).scalar()
    event.listen(desk.db.engine, "connect", lambda dbapi, rec: dbapi.execute(f"PRAGMA max_page_count = {pages + 6}"))
    desk.db.engine.dispose()
    done = []
    with pytest.raises(StoreError) as err:
        for n in range(1, 500):
            done.append(register(desk, n, first_name="محمد" * 20).receipt_no)
    assert err.value.kind == "full" and "دیسک" in err.value.message
    desk.close()
    con = sqlite3.connect(database_path(home))
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    got = [r[0] for r in con.execute("SELECT receipt_no FROM requests ORDER BY seq")]
    ops = [r[0] for r in con.execute("SELECT receipt_no FROM outbox ORDER BY id")]
    con.close()
    assert done and got == done == ops  # every reported request is there with its outbox entry, nothing more


def _open_and_register(home: Path, n: int) -> None:
    from desk_app.services.context import Desk

    desk = Desk.open(home)
    try:
        register(desk, n)
    finally:
        desk.close()


def _make_read_only(path: Path, monkeypatch, desk_module) -> callable:
    """Make the file really read-only (chmod; as root chattr +i); else simulate with query_only."""
    if os.geteuid() != 0:
        path.chmod(0o444)
        return lambda: path.chmod(0o644)
    if subprocess.run(["chattr", "+i", str(path)], capture_output=True).returncode == 0:
        return lambda: subprocess.run(["chattr", "-i", str(path)], check=True)
    # root without CAP_LINUX_IMMUTABLE (containers): the same SQLITE_READONLY via query_only
    from desk_app.store import engine as engine_mod

    real = engine_mod.apply_pragmas

    def read_only_pragmas(con, timeout):
        real(con, timeout)
        con.execute("PRAGMA query_only = ON")

    monkeypatch.setattr(engine_mod, "apply_pragmas", read_only_pragmas)
    return lambda: None


def test_read_only_database_file(home, monkeypatch):
    from desk_app.services import context
    from desk_app.services.context import database_path

    desk = make_desk(home)
    register(desk, 1)
    desk.close()
    path = database_path(home)
    before = _counts(path)
    undo = _make_read_only(path, monkeypatch, context)
    try:
        with pytest.raises(StoreError) as err:
            _open_and_register(home, 2)
        assert err.value.kind == "readonly" and "فقط‌خواندنی" in err.value.message
    finally:
        undo()
    assert _counts(path) == before


def test_file_that_is_not_a_database(home):
    from desk_app.services.context import Desk, database_path

    database_path(home).write_bytes(b"PK\x03\x04 this is a zip, not SQLite" * 100)
    with pytest.raises(StoreError) as err:
        Desk.open(home)
    assert err.value.kind == "corrupt" and _persian(err.value.message)
    assert database_path(home).read_bytes().startswith(b"PK\x03\x04")  # left as it was


WRITER = textwrap.dedent("""
    import sys
    sys.path.insert(0, {root!r})
    from desk_app.services.context import Desk
    from tests.helpers.deskdata import register
    desk = Desk.open({home!r})
    for n in range({start}, {start} + {count}):
        print(register(desk, n, clerk={clerk!r}).receipt_no, flush=True)
""")


def test_two_instances_on_one_folder_write_safely(home):
    desk = make_desk(home)
    desk.close()
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER.format(root=str(ROOT), home=str(home), start=s, count=25, clerk=c)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for s, c in ((1, "ali"), (1000, "sara"))
    ]
    outs = [p.communicate(timeout=120) for p in procs]
    assert all(p.returncode == 0 for p in procs), [o[1][-2000:] for o in outs]
    reported = [line for o in outs for line in o[0].split()]
    assert len(reported) == 50 == len(set(reported))
    seqs = sorted(int(r.rsplit("-", 1)[1]) for r in reported)
    assert seqs == list(range(1, 51))  # one daily sequence, no gap, no double
    from desk_app.services.context import database_path

    assert _counts(database_path(home))[:2] == (50, 50)


def test_list_queries_use_indexes(home):
    """Keyset pages and searches must not scan the table (EXPLAIN QUERY PLAN)."""
    desk = make_desk(home)
    register(desk, 1)
    queries = {
        "SELECT seq FROM requests WHERE tehran_day = '2026-11-29' AND seq < 100 ORDER BY seq DESC LIMIT 50": "ix_requests_tehran_day",  # noqa: E501
        "SELECT seq FROM requests WHERE status = 'registered' ORDER BY seq DESC LIMIT 50": "ix_requests_status",
        f"SELECT seq FROM requests WHERE national_code = '{national_code(1)}'": "ix_requests_national_code",
        "SELECT seq FROM requests WHERE receipt_no = '4512-2-050908-0001'": "sqlite_autoindex_requests",
        "SELECT seq FROM requests WHERE last_key >= 'کر' AND last_key < 'کر\U0010ffff'": "ix_requests_last_key",
    }
    with desk.db.read() as s:
        for sql, index in queries.items():
            plan = " ".join(str(r[-1]) for r in s.execute(text("EXPLAIN QUERY PLAN " + sql)))
            assert index in plan and "SCAN requests" not in plan.replace("USING", ""), (sql, plan)
    desk.close()


def test_damaged_pages_give_the_corrupt_message(home):
    from desk_app.services.context import database_path

    desk = make_desk(home)
    for n in range(30):
        register(desk, n)
    desk.close()
    path = database_path(home)
    data = bytearray(path.read_bytes())
    data[4096 * 2 : 4096 * 6] = b"\xde\xad\xbe\xef" * 4096  # a disk that lost some pages
    path.write_bytes(bytes(data))
    with pytest.raises(StoreError) as err:
        _open_and_register(home, 99)
    assert err.value.kind == "corrupt" and "پشتیبان" in err.value.message


def test_database_of_a_newer_app_version_is_refused_untouched(tmp_path):
    path = tmp_path / "d.sqlite3"
    open_database(path).close()
    con = sqlite3.connect(path)
    con.execute("UPDATE alembic_version SET version_num = '0999'")
    con.commit()
    con.close()
    with pytest.raises(StoreError) as err:
        open_database(path)
    assert err.value.kind == "version" and "جدیدتری" in err.value.message
    assert sqlite3.connect(path).execute("SELECT version_num FROM alembic_version").fetchone() == ("0999",)
