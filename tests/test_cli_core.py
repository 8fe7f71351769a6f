"""The `desk-app` Foundation commands: JSON shapes, exit codes, Persian messages (mostly in-process)."""

from __future__ import annotations

import io
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from desk_app.cli import main
from tests.helpers.deskdata import CATALOG, national_code

ROOT = Path(__file__).resolve().parent.parent
REQUEST_FIELDS = {
    "request_id",
    "receipt_no",
    "status",
    "national_code",
    "first_name",
    "last_name",
    "service",
    "total",
    "server_ref",
    "created_at",
}


def run(capsys, *argv, stdin: str | None = None, monkeypatch=None):
    if stdin is not None:
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def ready(home, capsys, monkeypatch, tmp_path):
    """An initialised folder with clerk ali and the catalog, made through the CLI itself."""
    assert run(capsys, "init", "--office", "۴۵۱۲", "--office-name", "دفتر ۴۵۱۲", "--device", "2")[0] == 0
    assert (
        run(
            capsys,
            "user",
            "add",
            "--username",
            "ali",
            "--role",
            "clerk",
            "--full-name",
            "علی",
            stdin="secret-123\n",
            monkeypatch=monkeypatch,
        )[0]
        == 0
    )
    f = tmp_path / "catalog.json"
    f.write_text(json.dumps(CATALOG, ensure_ascii=False), encoding="utf-8")
    assert run(capsys, "catalog", "import", str(f))[0] == 0
    return home


def add(capsys, n, *extra):
    return run(
        capsys,
        "request",
        "add",
        "--national-code",
        national_code(n),
        "--first-name",
        "محمد",
        "--last-name",
        "کریمی",
        "--service",
        "2101",
        "--clerk",
        "ali",
        "--json",
        *extra,
    )


def test_request_add_and_list_json(ready, capsys):
    code, out, err = add(capsys, 1, "--mobile", "۰۹۱۲۳۴۵۶۷۸۹")
    assert code == 0
    obj = json.loads(out)  # stdout is JSON alone
    assert REQUEST_FIELDS <= set(obj) and obj["status"] == "registered" and obj["total"] == 12_850_000
    assert obj["receipt_no"].startswith("4512-2-") and obj["created_at"].endswith("Z")
    assert add(capsys, 2, "--payment", "card", "--payment-ref", "55")[0] == 0
    code, out, _ = run(capsys, "request", "list", "--json")
    items = json.loads(out)
    assert code == 0 and [i["national_code"] for i in items] == [national_code(2), national_code(1)]
    code, out, _ = run(capsys, "--json", "request", "list", "--status", "cancelled")
    assert (code, json.loads(out)) == (0, [])
    code, out, _ = run(capsys, "catalog", "list", "--json")
    assert [s["code"] for s in json.loads(out)] == ["1101", "2101", "3001"]


def test_list_by_jalali_date_with_persian_digits(ready, capsys):
    from desk_app.domain.jalali import format_jalali_date, today_tehran

    add(capsys, 1)
    today = format_jalali_date(today_tehran(), persian=True)
    code, out, _ = run(capsys, "request", "list", "--date", today, "--json")
    assert code == 0 and len(json.loads(out)) == 1
    code, out, _ = run(capsys, "request", "list", "--date", "1399/01/01", "--json")
    assert json.loads(out) == []
    code, out, err = run(capsys, "request", "list", "--date", "1405/13/40")
    assert code == 1 and out == "" and err.strip()


def test_bad_input_exit_1_persian_stderr_no_stdout(ready, capsys):
    code, out, err = run(
        capsys,
        "request",
        "add",
        "--national-code",
        "1234567890",
        "--first-name",
        "م",
        "--last-name",
        "ک",
        "--service",
        "2101",
        "--clerk",
        "ali",
        "--json",
    )
    assert (code, out) == (1, "") and "کد ملی" in err
    code, out, err = run(
        capsys,
        "request",
        "add",
        "--national-code",
        national_code(1),
        "--first-name",
        "ن" * 10_000,
        "--last-name",
        "ک",
        "--service",
        "2101",
        "--clerk",
        "ali",
    )
    assert code == 1 and "۱۰۰" in err
    code, _, err = run(capsys, "request", "cancel", "4512-2-050908-0099", "--reason", "x", "--clerk", "ali")
    assert code == 1 and "پیدا نشد" in err


def test_usage_errors_exit_2(ready, capsys):
    assert run(capsys, "request", "add", "--national-code", "1")[0] == 2
    assert run(capsys, "user")[0] == 2
    assert run(capsys, "nonsense")[0] == 2


def test_uninitialised_folder(home, capsys):
    code, _, err = run(capsys, "request", "list")
    assert code == 1 and "init" in err


def test_request_import_reports_bad_rows_by_line(ready, capsys, tmp_path):
    rows = [
        "national_code,first_name,last_name,mobile,service,payment,payment_ref",
        f"{national_code(1)},محمد,کریمی,09121234567,2101,cash,",
        "1234567890,زهرا,احمدی,,2101,cash,",  # line 3: bad national code
        f"{national_code(3)},علی,رضایی,,2101,card,778899",
        f"{national_code(4)},\u202e,رضایی,,2101,cash,",  # line 5: name of bidi controls only
        f"{national_code(5)},سارا,محمدی,,9999,cash,",  # line 6: unknown service
        f'{national_code(6)},"O\'Brien; DROP TABLE requests",رضایی,,1101,cash,',
        f"{national_code(7)},کم,ستون",  # line 8: too few columns
    ]
    f = tmp_path / "in.csv"
    f.write_bytes(("\ufeff" + "\r\n".join(rows) + "\r\n").encode("utf-8"))
    code, out, err = run(capsys, "request", "import", str(f), "--clerk", "ali", "--json")
    data = json.loads(out)
    assert code == 1
    assert [e["line"] for e in data["errors"]] == [3, 5, 6, 8]
    assert [e["field"] for e in data["errors"][:3]] == ["national_code", "first_name", "service"]
    assert [r["national_code"] for r in data["created"]] == [national_code(n) for n in (1, 3, 6)]
    assert data["created"][2]["first_name"] == "O'Brien; DROP TABLE requests"
    assert "سطر 3" in err or "سطر ۳" in err
    good = tmp_path / "good.csv"
    good.write_text("\n".join(rows[:2]) + "\n", encoding="utf-8")
    code, out, _ = run(capsys, "request", "import", str(good), "--clerk", "ali", "--json")
    assert code == 0 and json.loads(out)["errors"] == []
    bad_header = tmp_path / "h.csv"
    bad_header.write_text("code,name\n1,2\n", encoding="utf-8")
    code, out, err = run(capsys, "request", "import", str(bad_header), "--clerk", "ali")
    assert code == 1 and "national_code" in err


def test_shift_cancel_and_close_json(ready, capsys):
    assert run(capsys, "shift", "open", "--clerk", "ali", "--cash", "۱٬۰۰۰٬۰۰۰")[0] == 0
    receipt = json.loads(add(capsys, 1)[1])["receipt_no"]
    code, out, _ = run(
        capsys, "request", "cancel", receipt, "--reason", "انصراف", "--clerk", "ali", "--refund", "2000000", "--json"
    )
    assert code == 0 and json.loads(out)["status"] == "cancelled"
    code, out, _ = run(capsys, "shift", "close", "--clerk", "ali", "--counted", "cash=11850000,card=0", "--json")
    data = json.loads(out)
    assert code == 0
    assert data["expected"] == {"cash": 1_000_000 + 12_850_000 - 2_000_000, "card": 0}
    assert data["difference"] == {"cash": 0, "card": 0}


def test_audit_verify_exit_4_on_tampering(ready, capsys):
    add(capsys, 1)
    code, out, _ = run(capsys, "audit", "verify", "--json")
    assert code == 0 and json.loads(out)["ok"] is True
    con = sqlite3.connect(ready / "desk.sqlite3")
    con.execute("UPDATE audit_log SET actor = 'someone' WHERE id = 2")
    con.commit()
    con.close()
    code, out, err = run(capsys, "audit", "verify", "--json")
    assert code == 4 and json.loads(out) == {"ok": False, "checked": 1, "first_bad_id": 2}
    assert "دست‌کاری" in err


def test_locked_database_exit_3(ready, capsys, monkeypatch):
    monkeypatch.setenv("DESK_APP_BUSY_TIMEOUT_MS", "200")
    holder = sqlite3.connect(ready / "desk.sqlite3", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        code, out, err = add(capsys, 1)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert (code, out) == (3, "") and "قفل" in err


def test_init_with_server_stores_the_token_outside_the_settings(home, capsys, tmp_path):
    token = tmp_path / "token.txt"
    token.write_text("tok-SECRET-123\n")
    code, out, _ = run(
        capsys,
        "init",
        "--office",
        "4512",
        "--office-name",
        "دفتر",
        "--device",
        "3",
        "--server",
        "http://127.0.0.1:9",
        "--token-file",
        str(token),
        "--json",
    )
    assert code == 0 and json.loads(out)["enrolled"] is True
    from desk_app.sync.credentials import load_token

    assert load_token(home) == "tok-SECRET-123"
    con = sqlite3.connect(home / "desk.sqlite3")
    dump = "\n".join(con.iterdump())
    con.close()
    assert "tok-SECRET-123" not in dump and "http://127.0.0.1:9" in dump
    code, _, err = run(
        capsys, "init", "--office", "4512", "--office-name", "دفتر", "--device", "3", "--token-file", str(token)
    )
    assert code == 1 and "--server" in err


def _cli(home, *argv, stdin=None, env=None):
    e = dict(os.environ, DESK_APP_HOME=str(home), PYTHONIOENCODING="latin-1", **(env or {}))
    return subprocess.run(
        [sys.executable, "-m", "desk_app", *argv], input=stdin, capture_output=True, cwd=ROOT, env=e, timeout=60
    )


def test_real_command_end_to_end_utf8_even_with_a_legacy_console_encoding(home, tmp_path, capsys):
    """The real `desk-app` process: the console says latin-1, the output is still UTF-8 Persian."""
    f = tmp_path / "catalog.json"
    f.write_text(json.dumps(CATALOG, ensure_ascii=False), encoding="utf-8")
    assert run(capsys, "init", "--office", "4512", "--office-name", "دفتر", "--device", "2")[0] == 0
    assert run(capsys, "catalog", "import", str(f))[0] == 0
    assert _cli(home, "user", "add", "--username", "ali", "--role", "clerk", stdin=b"secret-123\n").returncode == 0
    p = _cli(
        home,
        "request",
        "add",
        "--national-code",
        national_code(1),
        "--first-name",
        "محمد",
        "--last-name",
        "کریمی",
        "--service",
        "2101",
        "--clerk",
        "ali",
        "--json",
    )
    assert p.returncode == 0, p.stderr.decode("utf-8", "replace")
    assert json.loads(p.stdout.decode("utf-8"))["first_name"] == "محمد"
    p = _cli(
        home,
        "request",
        "add",
        "--national-code",
        "123",
        "--first-name",
        "م",
        "--last-name",
        "ک",
        "--service",
        "2101",
        "--clerk",
        "ali",
    )
    assert p.returncode == 1 and "کد ملی" in p.stderr.decode("utf-8") and p.stdout == b""


def test_request_show_and_user_list(ready, capsys):
    receipt = json.loads(add(capsys, 1)[1])["receipt_no"]
    code, out, _ = run(capsys, "request", "show", receipt.replace("4", "۴"), "--json")
    data = json.loads(out)
    assert code == 0 and data["receipt_no"] == receipt and data["outbox_state"] == "pending"
    assert [h["to_status"] for h in data["history"]] == ["registered"]
    code, out, _ = run(capsys, "user", "list", "--json")
    assert code == 0 and json.loads(out) == [{"username": "ali", "full_name": "علی", "role": "clerk", "active": True}]


def test_shift_close_makes_an_encrypted_backup_when_a_passphrase_is_set(ready, capsys):
    from desk_app.services import autobackup

    add(capsys, 1)
    autobackup.set_passphrase(ready, "a long backup passphrase")
    code, out, err = run(capsys, "shift", "close", "--clerk", "ali", "--counted", "cash=12850000", "--json")
    assert code == 0 and json.loads(out)["difference"] == {"cash": 0, "card": 0}
    files = autobackup.list_backups(ready)
    assert [b.kind for b in files] == ["shift"] and files[0].path.name in err
    assert not files[0].path.read_bytes().startswith(b"SQLite format 3")  # encrypted, not a plain copy


def test_full_disk_exit_3_and_nothing_half_written(ready, capsys, monkeypatch):
    from desk_app.store import engine

    con = sqlite3.connect(ready / "desk.sqlite3")
    pages = con.execute("PRAGMA page_count").fetchone()[0]
    con.close()
    real = engine.apply_pragmas

    def tiny_disk(dbapi, timeout):
        real(dbapi, timeout)
        dbapi.execute(f"PRAGMA max_page_count = {pages}")

    monkeypatch.setattr(engine, "apply_pragmas", tiny_disk)
    results = [add(capsys, n, "--first-name", "ن" * 90) for n in range(1, 40)]
    codes = [r[0] for r in results]
    assert 3 in codes and set(codes) <= {0, 3}
    assert all("دیسک" in err and out == "" for code, out, err in results if code == 3)
    monkeypatch.setattr(engine, "apply_pragmas", real)
    con = sqlite3.connect(ready / "desk.sqlite3")
    counts = [con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("requests", "outbox")]
    con.close()
    assert counts == [codes.count(0)] * 2
