"""Migration 0004: a store of the previous head, with requests in it, gets the search index at
start-up; its old rows are found by the new searches and rows written later are indexed too."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from desk_app.domain.text import search_key
from desk_app.store import migrate
from desk_app.store.engine import open_database
from tests.helpers.deskdata import CATALOG, PASSWORD, national_code, register

OLD_ROWS = [
    # seq, receipt no, first, last, server_ref
    (1, "4512-2-050911-0001", "زهرا", "محمدی", None),
    (2, "4512-2-050911-0002", "محمدرضا", "کریمی", "7340012345"),
    (3, "4512-2-050911-0003", "جمشید", "ارومیه‌ای", None),
]


def _old_store(home):
    """A data folder made by the migrations up to 0003 (the previous head), with requests in it."""
    path = home / "desk.sqlite3"
    db = open_database(path, migrate=False)
    migrate.upgrade(db, "0003")
    assert migrate.current_revision(db) == "0003"
    with db.write() as s:
        s.execute(text("INSERT INTO settings VALUES ('office_code', '4512'), ('device_no', '2')"))
        for seq, receipt, first, last, ref in OLD_ROWS:
            s.execute(
                text(
                    "INSERT INTO requests (seq, request_id, receipt_no, office, device, created_at, tehran_day,"
                    " national_code, first_name, last_name, first_key, last_key, service_code, service_title,"
                    " catalog_version, fees_json, total, payment_method, clerk_username, status, server_ref,"
                    " reprint_count, updated_at) VALUES (:seq, :rid, :receipt, '4512', '2', :at, '2026-12-02', :code,"
                    " :first, :last, :fk, :lk, '2101', 'صدور گذرنامه', '1405-09-01', '[]', 0, 'cash', 'ali',"
                    " :status, :ref, 0, :at)"
                ),
                {
                    "seq": seq,
                    "rid": f"11111111-1111-4111-8111-{seq:012d}",
                    "receipt": receipt,
                    "at": f"2026-12-02T06:0{seq}:00.000000Z",
                    "code": national_code(seq),
                    "first": first,
                    "last": last,
                    "fk": search_key(first),
                    "lk": search_key(last),
                    "status": "submitted" if ref else "registered",
                    "ref": ref,
                },
            )
    db.close()
    names = {r[0] for r in sqlite3.connect(path).execute("SELECT name FROM sqlite_master")}
    assert not any(n.startswith("requests_search") for n in names)


def test_previous_head_with_rows_gets_the_search_index_at_start_up(tmp_path):
    from desk_app.services import catalog, requests, users
    from desk_app.services.context import Desk

    home = tmp_path / "home"
    _old_store(home)
    with Desk.open(home) as desk:  # start-up runs the migration
        assert migrate.current_revision(desk.db) == migrate.HEAD
        users.add_user(desk, "ali", "clerk", PASSWORD, "علی رضایی")
        catalog.import_catalog(desk, CATALOG)
        found = lambda q: [r.receipt_no for r in requests.list_requests(desk, query=q)]  # noqa: E731
        assert found("محمدی زهرا") == ["4512-2-050911-0001"]
        assert found("رضا") == ["4512-2-050911-0002"]
        assert found("050911-0003") == ["4512-2-050911-0003"]
        assert found("7340012345") == ["4512-2-050911-0002"]
        assert found("ارومیه ای") == ["4512-2-050911-0003"]
        assert requests.count_requests(desk, query="زهرا") == 1
        # rows written after the migration are indexed by the triggers
        new = register(desk, 9, first_name="زهرا", last_name="رضایی", now=datetime(2026, 12, 2, 9, 0, tzinfo=UTC))
        assert found("زهرا") == [new.receipt_no, "4512-2-050911-0001"]
        assert found("رضا") == [new.receipt_no, "4512-2-050911-0002"]
        with desk.db.write() as s:
            s.execute(text("UPDATE requests SET server_ref = '5500000001' WHERE seq = 1"))
        assert found("5500000001") == ["4512-2-050911-0001"]
        with desk.db.read() as s:
            s.execute(text("INSERT INTO requests_search (requests_search, rank) VALUES ('integrity-check', 1)"))


def test_downgrade_removes_the_index_and_its_triggers(tmp_path):
    from alembic import command

    path = tmp_path / "d.sqlite3"
    db = open_database(path)
    with db.connection(immediate=True) as conn:
        command.downgrade(migrate.alembic_config(conn), "0003")
    names = {r[0] for r in sqlite3.connect(path).execute("SELECT name FROM sqlite_master")}
    assert not any(n.startswith("requests_search") for n in names)
    migrate.upgrade(db)
    names = {r[0] for r in sqlite3.connect(path).execute("SELECT name FROM sqlite_master")}
    assert {"requests_search", "requests_search_insert", "requests_search_update", "requests_search_delete"} <= names
    db.close()


def test_an_sqlite_without_trigram_stops_the_start_with_a_persian_message_and_changes_nothing(tmp_path, monkeypatch):
    """Simulated: SQLite refuses the FTS5 table as one without FTS5 or without trigram (< 3.34) does."""
    import sqlalchemy as sa
    from alembic.operations import Operations

    from desk_app.services.context import Desk
    from desk_app.store.errors import StoreError

    home = tmp_path / "home"
    _old_store(home)
    real = Operations.execute

    def execute(self, sql, *a, **kw):
        if "USING fts5" in str(sql):
            raise sa.exc.OperationalError(str(sql), {}, sqlite3.OperationalError("no such tokenizer: trigram"))
        return real(self, sql, *a, **kw)

    monkeypatch.setattr(Operations, "execute", execute)
    with pytest.raises(StoreError) as err:
        Desk.open(home)
    assert "SQLite" in err.value.message and "FTS5" in err.value.message and err.value.kind == "version"
    con = sqlite3.connect(home / "desk.sqlite3")
    try:
        assert con.execute("SELECT version_num FROM alembic_version").fetchall() == [("0003",)]
        assert con.execute("SELECT count(*) FROM requests").fetchone() == (len(OLD_ROWS),)
    finally:
        con.close()
