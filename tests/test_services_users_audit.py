"""Users (scrypt, login, roles) and the audit log's hash chain."""

from __future__ import annotations

import sqlite3

import pytest

from desk_app.domain.errors import InvalidInput, PermissionDenied
from desk_app.services import audit, catalog, users
from desk_app.services.context import database_path
from tests.helpers.deskdata import CATALOG, PASSWORD, register


def test_password_is_scrypt_with_its_own_salt_and_never_stored_in_clear(desk):
    users.add_user(desk, "reza", "clerk", "same-password-1")
    users.add_user(desk, "maryam", "clerk", "same-password-1")
    con = sqlite3.connect(database_path(desk.home))
    hashes = dict(con.execute("SELECT username, password_hash FROM users"))
    con.close()
    parts = hashes["reza"].split("$")
    assert parts[:4] == ["scrypt", "16384", "8", "1"] and len(parts) == 6
    assert hashes["reza"] != hashes["maryam"]  # per-user salt
    raw = database_path(desk.home).read_bytes()
    assert b"same-password-1" not in raw and PASSWORD.encode() not in raw


def test_login(desk):
    assert users.login(desk, "ALI ", PASSWORD).role == "clerk"
    with pytest.raises(InvalidInput) as wrong:
        users.login(desk, "ali", PASSWORD + "x")
    with pytest.raises(InvalidInput) as unknown:
        users.login(desk, "nobody", PASSWORD)
    assert wrong.value.message == unknown.value.message == "نام کاربری یا گذرواژه نادرست است."
    users.set_active(desk, "ali", False)
    with pytest.raises(PermissionDenied):
        users.login(desk, "ali", PASSWORD)
    users.reset_password(desk, "sara", "a-new-secret", actor="boss")
    assert users.login(desk, "sara", "a-new-secret").username == "sara"


@pytest.mark.parametrize(
    "username, password, needle",
    [
        ("a", PASSWORD, "نام کاربری"),
        ("علی", PASSWORD, "نام کاربری"),
        ("x' OR 1=1 --", PASSWORD, "نام کاربری"),
        ("newone", "12345", "۶"),
        ("newone", "abc\u202edef", "نامعتبر"),
        ("ali", PASSWORD, "از پیش"),
    ],
)
def test_bad_user_input(desk, username, password, needle):
    with pytest.raises(InvalidInput, match=needle):
        users.add_user(desk, username, "clerk", password)


def test_roles_are_enforced_in_the_services(desk):
    with pytest.raises(PermissionDenied):
        users.add_user(desk, "newclerk", "clerk", PASSWORD, actor="ali")
    with pytest.raises(PermissionDenied):
        catalog.import_catalog(desk, CATALOG | {"version": "v2"}, actor="ali")
    users.add_user(desk, "newclerk", "clerk", PASSWORD, actor="boss")
    assert catalog.import_catalog(desk, CATALOG | {"version": "v2"}, actor="boss").version == "v2"
    with pytest.raises(InvalidInput):
        users.add_user(desk, "other", "admin", PASSWORD)
    from desk_app.domain.jalali import today_tehran
    from desk_app.services import reports

    with pytest.raises(PermissionDenied):
        reports.daily_report(desk, today_tehran(), actor="ali")
    assert reports.daily_report(desk, today_tehran(), actor="boss").office_code == "4512"
    with pytest.raises(PermissionDenied):
        desk.settings.set("display_unit", "toman", actor="ali")
    desk.settings.set("display_unit", "toman", actor="boss")
    assert desk.settings.get("display_unit") == "toman" and audit.verify(desk).ok


def _tamper(desk, sql):
    con = sqlite3.connect(database_path(desk.home))
    con.execute(sql)
    con.commit()
    con.close()


def _chain(desk):
    for n in range(1, 4):
        register(desk, n)
    result = audit.verify(desk)
    assert result.ok and result.checked >= 8
    return result.checked


def test_audit_detects_an_edited_row(desk):
    _chain(desk)
    _tamper(desk, "UPDATE audit_log SET details_json = replace(details_json, '12850000', '1000') WHERE id = 7")
    assert audit.verify(desk) == audit.VerifyResult(False, 6, 7)


def test_audit_detects_a_deleted_row(desk):
    _chain(desk)
    _tamper(desk, "DELETE FROM audit_log WHERE id = 5")
    assert audit.verify(desk).first_bad_id == 6


def test_audit_detects_an_inserted_row(desk):
    n = _chain(desk)
    con = sqlite3.connect(database_path(desk.home))
    prev = con.execute("SELECT hash FROM audit_log WHERE id = ?", (n,)).fetchone()[0]
    # an appended row that links to the last hash but cannot produce its own
    con.execute(
        "INSERT INTO audit_log(id, at, actor, action, subject, details_json, prev_hash, hash) "
        "VALUES (?, '2026-11-29T00:00:00.000000Z', 'ali', 'request.cancel', 'x', '{}', ?, ?)",
        (n + 1, prev, "f" * 64),
    )
    con.commit()
    con.close()
    assert audit.verify(desk).first_bad_id == n + 1
    _tamper(desk, f"DELETE FROM audit_log WHERE id = {n + 1}")
    assert audit.verify(desk).ok
    # a copied row squeezed into the middle, later ids shifted by hand
    _tamper(desk, "UPDATE audit_log SET id = id + 100 WHERE id >= 4")
    _tamper(
        desk,
        "INSERT INTO audit_log(id, at, actor, action, subject, details_json, prev_hash, hash) "
        "SELECT 4, at, actor, action, subject, details_json, prev_hash, hash FROM audit_log WHERE id = 3",
    )
    assert audit.verify(desk).first_bad_id == 4


def test_audit_entries_hold_no_national_code(desk):
    from tests.helpers.deskdata import national_code

    register(desk, 42)
    con = sqlite3.connect(database_path(desk.home))
    text = " ".join(str(v) for row in con.execute("SELECT * FROM audit_log") for v in row)
    con.close()
    assert national_code(42) not in text and "request.register" in text
