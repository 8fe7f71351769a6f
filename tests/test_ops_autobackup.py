"""Automatic backups: written into the data folder, once a day, at shift close, kept 14 days."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from desk_app.services import autobackup as ab
from desk_app.services import backup_crypto
from desk_app.services.catalog import import_catalog
from desk_app.services.context import Desk
from desk_app.services.intake import register_request
from desk_app.services.setup import init_office
from desk_app.services.users import add_user
from tests.helpers.democatalog import demo_catalog_without_forms

ROOT = Path(__file__).resolve().parent.parent

PASS = "passphrase of the office 4512"
NOW = datetime(2026, 11, 29, 10, 0, tzinfo=UTC)  # 13:30 in Tehran


@pytest.fixture
def desk(home):
    d = Desk.open(home)
    init_office(d, "4512", "دفتر پیشخوان ۴۵۱۲", 2)
    yield d
    d.close()


def _age(path, days: float, now=NOW):
    ts = (now - timedelta(days=days)).timestamp()
    os.utime(path, (ts, ts))


def test_no_passphrase_no_backup(desk):
    out = ab.run_daily_backup(desk, now=NOW)
    assert out.path is None and out.skipped == "no_passphrase" and "رمز پشتیبان" in out.message
    assert ab.list_backups(desk.home) == []


def test_passphrase_is_kept_privately(desk):
    assert ab.set_passphrase(desk.home, PASS) == "file"  # tests run with DESK_APP_NO_KEYRING=1
    f = desk.home / ab.PASSPHRASE_FILE
    assert f.stat().st_mode & 0o077 == 0
    assert ab.load_passphrase(desk.home) == PASS
    with pytest.raises(backup_crypto.InvalidInput):
        ab.set_passphrase(desk.home, "short")


def test_daily_backup_once_a_day_and_restorable(desk, tmp_path):
    ab.set_passphrase(desk.home, PASS)
    first = ab.run_daily_backup(desk, now=NOW)
    assert first.path is not None and first.path.parent == desk.home / "backups"
    again = ab.run_daily_backup(desk, now=NOW + timedelta(hours=5))  # 18:30 Tehran: same day
    assert again.path is None and again.skipped == "already_done"
    # 21:00 UTC is 00:30 of the next Tehran day: a new daily backup is due
    assert ab.daily_backup_due(desk.home, NOW + timedelta(hours=11))
    out = tmp_path / "restored.sqlite"
    header = backup_crypto.decrypt_backup(first.path, out, PASS, "4512")
    assert (header.office, header.device) == ("4512", "2")
    con = sqlite3.connect(out)
    rows = dict(con.execute("SELECT key, value FROM settings").fetchall())
    con.close()
    assert rows["office_code"] == "4512" and rows["office_name"] == "دفتر پیشخوان ۴۵۱۲"


def test_shift_close_backup_even_when_daily_exists(desk):
    ab.set_passphrase(desk.home, PASS)
    ab.run_daily_backup(desk, now=NOW)
    out = ab.backup_at_shift_close(desk, now=NOW + timedelta(minutes=1))
    assert out.path is not None and out.path.name.startswith("shift-4512-2-")
    assert sorted(b.kind for b in ab.list_backups(desk.home)) == ["daily", "shift"]


def test_snapshot_includes_uncheckpointed_wal(desk, tmp_path):
    """Rows still in the -wal file (the app is running) are in the backup."""
    keep = sqlite3.connect(desk.db.path)
    keep.execute("PRAGMA wal_autocheckpoint = 0")
    keep.execute("INSERT INTO settings(key, value) VALUES ('printer_target', 'escpos-net:10.0.0.9:9100')")
    keep.commit()
    try:
        path = ab.write_backup(desk, passphrase=PASS, now=NOW)
    finally:
        keep.close()
    out = tmp_path / "r.sqlite"
    backup_crypto.decrypt_backup(path, out, PASS, "4512")
    con = sqlite3.connect(out)
    assert con.execute("SELECT value FROM settings WHERE key='printer_target'").fetchone() == (
        "escpos-net:10.0.0.9:9100",
    )
    assert con.execute("PRAGMA journal_mode").fetchone() == ("delete",)
    con.close()


def test_retention_fourteen_days_by_file_date(desk):
    ab.set_passphrase(desk.home, PASS)
    made = []
    for days in (20, 15, 14.5, 13, 3):
        p = ab.write_backup(desk, passphrase=PASS, kind="daily", now=NOW - timedelta(days=days))
        made.append((days, p))
    stranger = desk.home / "backups" / "notes-from-it.txt"
    stranger.write_text("do not delete")
    _age(stranger, 100)
    out = ab.run_daily_backup(desk, now=NOW)  # today's backup, then pruning
    remaining = {b.path for b in ab.list_backups(desk.home)}
    assert {p for d, p in made if d > 14}.isdisjoint(remaining)
    assert {p for d, p in made if d <= 14} <= remaining and out.path in remaining
    assert set(out.pruned) == {p for d, p in made if d > 14}
    assert stranger.exists()


def test_newest_backup_survives_however_old(desk):
    p = ab.write_backup(desk, passphrase=PASS, now=NOW)
    _age(p, 40)
    old = ab.write_backup(desk, passphrase=PASS, now=NOW)
    _age(old, 50)
    assert ab.prune_backups(desk.home, now=NOW) == [old]
    assert [b.path for b in ab.list_backups(desk.home)] == [p]


# --- the `desk-app backups` commands, as a manager would run them -------------------------------


def _cli(home, *args, stdin=""):
    env = dict(os.environ, DESK_APP_HOME=str(home), PYTHONPATH=str(ROOT), PYTHONIOENCODING="utf-8")
    return subprocess.run(
        [sys.executable, "-m", "desk_app", *args],
        input=stdin,
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
    )


def test_cli_backup_and_restore_on_a_new_pc(desk, tmp_path):
    add_user(desk, "clerk", "clerk", "clerk-pass-1")
    import_catalog(desk, demo_catalog_without_forms())
    made = register_request(
        desk, clerk="clerk", national_code="0012345679", first_name="مریم", last_name="احمدی", service_code="1101"
    )

    assert _cli(desk.home, "backups", "passphrase", stdin=PASS + "\n").returncode == 0
    run = _cli(desk.home, "backups", "run", "--json")
    assert run.returncode == 0, run.stderr
    file = json.loads(run.stdout)["file"]
    assert [str(b.path) for b in ab.list_backups(desk.home)] == [file]

    # a PC set up for another office refuses it, with both office codes in the message
    other = tmp_path / "other-office"
    with Desk.open(other) as o:
        init_office(o, "7300", "دفتر دیگر", 1)
    refused = _cli(other, "backups", "restore", file, stdin=PASS + "\n")
    assert refused.returncode == 1 and "4512" in refused.stderr and "7300" in refused.stderr

    new_pc = tmp_path / "new-pc"
    ok = _cli(new_pc, "backups", "restore", file, "--json", stdin=PASS + "\n")
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["requests"] == 1
    listed = json.loads(_cli(new_pc, "request", "list", "--json").stdout)
    assert [r["receipt_no"] for r in listed] == [made.receipt_no]

    assert not [p for p in new_pc.iterdir() if p.name.endswith(".snapshot")]
