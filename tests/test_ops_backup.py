"""Encrypted backup files: a round trip gives the same database; every wrong file is refused."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from desk_app.domain.errors import InvalidInput
from desk_app.services import backup_crypto as bc

PASS = "گل‌سرخ ۱۴۰۵ counter"


@pytest.fixture
def plain_db(tmp_path) -> Path:
    path = tmp_path / "desk.sqlite"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE citizens (national_code TEXT, name TEXT)")
    con.executemany("INSERT INTO citizens VALUES (?, ?)", [(f"{i:010d}", f"شهروند {i}") for i in range(3000)])
    con.commit()
    con.close()
    return path


@pytest.fixture
def backup(tmp_path, plain_db) -> Path:
    out = tmp_path / "office.pdbak"
    bc.encrypt_backup(plain_db, out, PASS, "4512", 2)
    return out


def _refused(tmp_path, src, passphrase=PASS, office="4512") -> InvalidInput:
    out = tmp_path / "restored.sqlite"
    with pytest.raises(InvalidInput) as info:
        bc.decrypt_backup(src, out, passphrase, office)
    assert not out.exists() and not list(tmp_path.glob("*.part")), "refused, yet something was left"
    return info.value


def test_round_trip(tmp_path, plain_db, backup):
    raw = backup.read_bytes()
    assert b"SQLite format 3" not in raw and "شهروند".encode() not in raw and b"0000000042" not in raw
    out = tmp_path / "restored.sqlite"
    header = bc.decrypt_backup(backup, out, PASS, "4512")
    assert (header.office, header.device) == ("4512", "2")
    assert header.created_at.endswith("Z")
    assert out.read_bytes() == plain_db.read_bytes()
    con = sqlite3.connect(out)
    assert con.execute("SELECT name FROM citizens WHERE national_code='0000000042'").fetchone() == ("شهروند 42",)
    con.close()


def test_same_passphrase_typed_on_another_keyboard(tmp_path, backup):
    """Arabic ي/ك and ASCII digits are the same passphrase as Persian ی/ک and Persian digits."""
    out = tmp_path / "restored.sqlite"
    bc.decrypt_backup(backup, out, "گل‌سرخ 1405 counter", "4512")
    assert out.exists()


def test_wrong_passphrase(tmp_path, backup):
    err = _refused(tmp_path, backup, passphrase="another passphrase")
    assert err.message == bc.ERR_PASSPHRASE and err.field == "passphrase"


def test_another_office(tmp_path, backup):
    err = _refused(tmp_path, backup, office="7300")
    assert "4512" in err.message and "7300" in err.message and err.field == "office"


def test_any_office_when_not_set_up(tmp_path, backup):
    assert bc.decrypt_backup(backup, tmp_path / "r.sqlite", PASS, None).office == "4512"


@pytest.mark.parametrize("where", ["body", "tag", "header-office", "header-kdf", "truncated", "appended"])
def test_tampered_file(tmp_path, backup, where):
    data = bytearray(backup.read_bytes())
    if where == "body":
        data[len(data) // 2] ^= 0x01
    elif where == "tag":
        data[-1] ^= 0x80
    elif where == "header-office":  # a header edited to pass the office check: still refused
        data = bytearray(bytes(data).replace(b'"device": "2"', b'"device": "3"', 1))
    elif where == "header-kdf":  # a well-formed header asking for 1 GiB of scrypt memory
        magic, version, length = bc._PREFIX.unpack_from(data)
        start = bc._PREFIX.size
        meta = bytes(data[start : start + length]).replace(b'"n": 32768', b'"n": 1048576', 1)
        data = bytearray(bc._PREFIX.pack(magic, version, len(meta)) + meta + data[start + length :])
    elif where == "truncated":
        data = data[:-100]
    elif where == "appended":
        data += b"\x00" * 10
    bad = tmp_path / "bad.pdbak"
    bad.write_bytes(bytes(data))
    err = _refused(tmp_path, bad)
    assert err.message == bc.ERR_TAMPERED


def test_not_a_backup(tmp_path, plain_db):
    err = _refused(tmp_path, plain_db)
    assert err.message == bc.ERR_NOT_BACKUP
    empty = tmp_path / "empty.pdbak"
    empty.write_bytes(b"")
    assert _refused(tmp_path, empty).message == bc.ERR_NOT_BACKUP


def test_future_format_version(tmp_path, backup):
    data = bytearray(backup.read_bytes())
    data[8] = 9
    newer = tmp_path / "newer.pdbak"
    newer.write_bytes(bytes(data))
    assert _refused(tmp_path, newer).message == bc.ERR_VERSION


def test_header_readable_without_passphrase(backup):
    h = bc.read_header(backup)
    assert (h.office, h.device) == ("4512", "2")


def test_refuses_short_passphrase_and_non_database(tmp_path, plain_db):
    with pytest.raises(InvalidInput) as info:
        bc.encrypt_backup(plain_db, tmp_path / "x.pdbak", "۱۲۳۴", "4512", 2)
    assert info.value.field == "passphrase"
    text = tmp_path / "notes.txt"
    text.write_text("not a database")
    with pytest.raises(InvalidInput):
        bc.encrypt_backup(text, tmp_path / "y.pdbak", PASS, "4512", 2)
    assert not list(tmp_path.glob("*.pdbak"))


def test_two_backups_of_the_same_file_differ(tmp_path, plain_db):
    a, b = tmp_path / "a.pdbak", tmp_path / "b.pdbak"
    bc.encrypt_backup(plain_db, a, PASS, "4512", 2)
    bc.encrypt_backup(plain_db, b, PASS, "4512", 2)
    assert a.read_bytes() != b.read_bytes()  # fresh salt and nonce every time
