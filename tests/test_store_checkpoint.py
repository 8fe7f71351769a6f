"""The WAL is checkpointed by the store's own thread, not inside the clerk's save."""

from __future__ import annotations

import os
import sqlite3
import threading

from sqlalchemy import text

from desk_app.store import checkpoint
from desk_app.store.engine import open_database


def _wal_frames(path) -> int:
    """Frames written to the WAL since it last restarted (and copies them all, PASSIVE: no waiting)."""
    con = sqlite3.connect(path, isolation_level=None)
    try:
        _busy, frames, _moved = con.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        return frames
    finally:
        con.close()


def _fill(db, rows: int) -> None:
    with db.connection(immediate=True) as conn:
        conn.execute(text("CREATE TABLE IF NOT EXISTS filler (id INTEGER PRIMARY KEY, body BLOB)"))
    for _ in range(rows):
        with db.connection(immediate=True) as conn:
            conn.execute(text("INSERT INTO filler (body) VALUES (:b)"), {"b": os.urandom(3000)})


def test_commits_do_not_checkpoint_but_the_thread_does(tmp_path):
    path = tmp_path / "d.sqlite3"
    db = open_database(path)
    try:
        with db.engine.connect() as conn:
            limit = conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar()
        assert limit == checkpoint.SAFETY_NET_PAGES  # a commit crossing 1,000 pages no longer copies

        db.checkpointer.kick = lambda: None  # type: ignore[method-assign]  # as if the thread never ran
        _fill(db, 1600)  # ~1,600 pages: past SQLite's default trigger of 1,000
        assert _wal_frames(path) > 1500  # no commit copied the WAL (the default would leave < 1,000)
        _fill(db, 10)  # the WAL restarts from its beginning and is cut back to the size limit
        assert os.path.getsize(f"{path}-wal") <= checkpoint.WAL_SIZE_LIMIT + 16 * 4120
        del db.checkpointer.kick

        _fill(db, 1100)  # past the trigger again: a commit wakes the thread
        deadline = threading.Event()
        for _ in range(200):
            if db.checkpointer.runs:
                break
            deadline.wait(0.05)
        assert db.checkpointer.runs >= 1
        assert any(t.name == "desk-wal-checkpoint" for t in threading.enumerate())
    finally:
        db.close()
    assert not any(t.name == "desk-wal-checkpoint" and t.is_alive() for t in threading.enumerate())
    con = sqlite3.connect(path)
    try:
        assert con.execute("SELECT count(*) FROM filler").fetchone()[0] == 2710
    finally:
        con.close()


def test_a_small_store_starts_no_thread(tmp_path):
    db = open_database(tmp_path / "d.sqlite3")
    try:
        _fill(db, 10)
        assert db.checkpointer.runs == 0
        assert db.checkpointer._thread is None
    finally:
        db.close()
    assert _wal_frames(tmp_path / "d.sqlite3") == 0  # the last connection's close copied the rest
