"""The unsent scanned pages are part of the encrypted backup and come back with a restore; a
backup made before attachments existed still restores."""

from __future__ import annotations

import io
import sqlite3
import sys

from sqlalchemy import text

from desk_app.cli import main
from desk_app.services import attachments as A
from desk_app.services import autobackup, backup_crypto
from desk_app.services.context import Desk, database_path
from desk_app.store import migrate
from desk_app.store.engine import open_database
from tests.helpers.deskdata import make_desk, register

PASS = "گذرواژهٔ پشتیبان ۱۲۳"


def _pages(desk, samples):
    first, second = register(desk, 1), register(desk, 2)
    pending = A.attach_files(desk, first.receipt_no, [samples["text_png"], samples["card_jpg"]]).pages
    sent = A.attach_files(desk, second.receipt_no, [samples["pdf"]]).pages
    for page in sent:
        A.mark_sent(desk, page.sha256, second.request_id)
    return first, second, pending, sent


def test_backup_carries_unsent_pages_and_restore_brings_them_back(tmp_path, samples):
    desk = make_desk(tmp_path / "pc1")
    first, second, pending, sent = _pages(desk, samples)
    out = tmp_path / "usb" / "office.pdbak"
    autobackup.encrypt_snapshot(desk, out, passphrase=PASS)
    desk.close()
    raw = out.read_bytes()
    jpeg = A.read_page(Desk.open(tmp_path / "pc1"), pending[1].sha256)
    assert jpeg[200:264] not in raw  # encrypted, not a copy of the page bytes
    assert not list((tmp_path / "pc1").glob("*.snapshot")) and not list(out.parent.glob("*.snapshot"))

    new_home = tmp_path / "pc2"  # a replacement PC
    result = autobackup.restore_encrypted(new_home, out, PASS).result
    assert result.requests == 2
    with Desk.open(new_home) as restored:
        assert [p.sha256 for p in A.list_pages(restored, first.receipt_no)] == [p.sha256 for p in pending]
        assert A.verify(restored) == []
        for page in pending:
            assert A.read_page(restored, page.sha256) == A.read_page(Desk.open(tmp_path / "pc1"), page.sha256)
        assert [p.state for p in A.list_pages(restored, second.receipt_no)] == ["sent", "sent"]
        assert not A.blob_path(new_home, sent[0].sha256).exists()  # sent pages are at the province
        assert [q.sha256 for q in A.pending_uploads(restored)] == [p.sha256 for p in pending]
    con = sqlite3.connect(database_path(new_home))
    tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    con.close()
    assert "backup_attachment_files" not in tables  # the page bytes are files again, not rows
    assert database_path(new_home).stat().st_size < 1_000_000


def test_restore_puts_back_lost_files_in_place(tmp_path, samples):
    home = tmp_path / "pc"
    desk = make_desk(home)
    _, _, pending, _ = _pages(desk, samples)
    out = autobackup.encrypt_snapshot(desk, tmp_path / "b.pdbak", passphrase=PASS)
    desk.close()
    for page in pending:
        A.blob_path(home, page.sha256).unlink()  # a disk error took the files
    autobackup.restore_encrypted(home, out, PASS)
    with Desk.open(home) as restored:
        assert A.verify(restored) == []


def test_backup_of_revision_0003_still_restores(tmp_path):
    """A backup written before this revision (no attachments tables, no page table inside)."""
    old = tmp_path / "old.sqlite3"
    db = open_database(old, migrate=False)
    migrate.upgrade(db, "0003")
    with db.write() as s:
        s.execute(text("INSERT INTO settings VALUES ('office_code', '4512'), ('device_no', '2')"))
    db.close()
    con = sqlite3.connect(old)
    con.execute("PRAGMA journal_mode = DELETE")
    con.close()
    out = tmp_path / "old.pdbak"
    backup_crypto.encrypt_backup(old, out, PASS, "4512", 2)
    home = tmp_path / "pc"
    result = autobackup.restore_encrypted(home, out, PASS).result
    assert result.revision == "0003"
    with Desk.open(home) as desk:
        assert migrate.current_revision(desk.db) == migrate.HEAD
        assert A.pending_totals(desk).pages == 0 and A.verify(desk) == []


def test_cli_backup_and_restore(tmp_path, samples, capsys, monkeypatch):
    home = tmp_path / "pc"
    desk = make_desk(home)
    first = register(desk, 1)
    desk.close()

    def run(*argv, stdin=""):
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        code = main(["--home", str(home), *argv])
        return code, capsys.readouterr()

    assert run("attach", first.receipt_no, str(samples["card_jpg"]))[0] == 0
    assert run("backup", str(tmp_path / "b.pdbak"), stdin=f"{PASS}\n{PASS}\n")[0] == 0
    sha = next(A.attachments_dir(home).glob("??/*")).name
    A.blob_path(home, sha).unlink()
    code, io_ = run("attachment", "check", "--json")
    assert code == 3 and sha in io_.out
    assert run("restore", str(tmp_path / "b.pdbak"), stdin=f"{PASS}\n")[0] == 0
    code, io_ = run("attachment", "check", "--json")
    assert code == 0, io_.err
