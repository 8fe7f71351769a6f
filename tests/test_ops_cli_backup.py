"""`desk-app backup FILE` / `desk-app restore FILE`: encrypted, refused when not ours, and after a
restore receipt numbering continues after the last number the real provincial server knows."""

from __future__ import annotations

import io
import json
import sys

import pytest

from desk_app.cli import main
from tests.helpers.deskdata import CATALOG, national_code
from tests.helpers.server import ServerProcess

PASS = "گذرواژهٔ پشتیبان ۱۲۳"


def run(capsys, monkeypatch, *argv, stdin: str = ""):
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def setup_office(capsys, monkeypatch, tmp_path, home, office="4512", *extra):
    assert (
        run(
            capsys,
            monkeypatch,
            "--home",
            str(home),
            "init",
            "--office",
            office,
            "--office-name",
            "دفتر",
            "--device",
            "2",
            *extra,
        )[0]
        == 0
    )
    assert (
        run(
            capsys,
            monkeypatch,
            "--home",
            str(home),
            "user",
            "add",
            "--username",
            "ali",
            "--role",
            "clerk",
            "--full-name",
            "علی",
            stdin="secret-123\n",
        )[0]
        == 0
    )
    f = tmp_path / "catalog.json"
    f.write_text(json.dumps(CATALOG, ensure_ascii=False), encoding="utf-8")
    assert run(capsys, monkeypatch, "--home", str(home), "catalog", "import", str(f))[0] == 0


def add(capsys, monkeypatch, home, n) -> dict:
    code, out, err = run(
        capsys,
        monkeypatch,
        "--home",
        str(home),
        "request",
        "add",
        "--national-code",
        national_code(n),
        "--first-name",
        "محمد",
        "--last-name",
        "کریمی",
        "--service",
        CATALOG["services"][0]["code"],
        "--clerk",
        "ali",
        "--json",
    )
    assert code == 0, err
    return json.loads(out)


def listed(capsys, monkeypatch, home) -> list[str]:
    code, out, _ = run(capsys, monkeypatch, "--home", str(home), "request", "list", "--json")
    assert code == 0
    return sorted(r["receipt_no"] for r in json.loads(out))


def test_backup_is_encrypted_and_restores_with_its_passphrase(home, capsys, monkeypatch, tmp_path):
    setup_office(capsys, monkeypatch, tmp_path, home)
    first = add(capsys, monkeypatch, home, 1)
    file = tmp_path / "usb" / "office.pdbak"
    code, out, err = run(capsys, monkeypatch, "--home", str(home), "backup", str(file), "--json", stdin=PASS + "\n")
    assert code == 0, err
    assert json.loads(out)["encrypted"] is True
    data = file.read_bytes()
    assert not data.startswith(b"SQLite format 3") and national_code(1).encode() not in data
    assert "محمد".encode() not in data
    assert not [p for p in file.parent.iterdir() if p != file]  # no plain snapshot left beside it
    add(capsys, monkeypatch, home, 2)

    code, _, err = run(capsys, monkeypatch, "--home", str(home), "restore", str(file), stdin="wrong passphrase\n")
    assert code == 1 and "رمز پشتیبان نادرست" in err
    assert len(listed(capsys, monkeypatch, home)) == 2  # nothing replaced

    code, out, err = run(capsys, monkeypatch, "--home", str(home), "restore", str(file), "--json", stdin=PASS + "\n")
    assert code == 0, err
    assert json.loads(out)["requests"] == 1 and json.loads(out)["enrolled"] is False
    assert listed(capsys, monkeypatch, home) == [first["receipt_no"]]


@pytest.mark.parametrize("stdin, words", [("", "داده نشد"), ("short\n", "دست‌کم 8")])
def test_backup_refuses_missing_or_short_passphrase(home, capsys, monkeypatch, tmp_path, stdin, words):
    setup_office(capsys, monkeypatch, tmp_path, home)
    file = tmp_path / "b.pdbak"
    code, out, err = run(capsys, monkeypatch, "--home", str(home), "backup", str(file), stdin=stdin)
    assert (code, out) == (1, "") and not file.exists()
    assert words in err


def test_restore_refuses_plain_files_and_another_office(home, capsys, monkeypatch, tmp_path):
    setup_office(capsys, monkeypatch, tmp_path, home)
    add(capsys, monkeypatch, home, 1)
    notes = tmp_path / "notes.txt"
    notes.write_text("hello")
    code, _, err = run(capsys, monkeypatch, "--home", str(home), "restore", str(notes), stdin=PASS + "\n")
    assert code == 1 and "پشتیبان میز پیشخوان نیست" in err
    plain = home / "desk.sqlite3"  # an unencrypted database is no backup either
    code, _, err = run(capsys, monkeypatch, "--home", str(home), "restore", str(plain), stdin=PASS + "\n")
    assert code == 1 and "پشتیبان میز پیشخوان نیست" in err

    other = tmp_path / "other"
    setup_office(capsys, monkeypatch, tmp_path, other, "7300")
    file = tmp_path / "7300.pdbak"
    assert run(capsys, monkeypatch, "--home", str(other), "backup", str(file), stdin=PASS + "\n")[0] == 0
    code, _, err = run(capsys, monkeypatch, "--home", str(home), "restore", str(file), stdin=PASS + "\n")
    assert code == 1 and "7300" in err and "4512" in err
    assert len(listed(capsys, monkeypatch, home)) == 1
    # a new PC takes the backup's office; `backups restore` is the same path
    new_pc = tmp_path / "new-pc"
    code, out, err = run(
        capsys, monkeypatch, "--home", str(new_pc), "backups", "restore", str(file), "--json", stdin=PASS + "\n"
    )
    assert code == 0, err
    assert json.loads(out)["office_code"] == "7300"


def test_numbering_continues_after_the_servers_last_receipt_after_restore(home, capsys, monkeypatch, tmp_path):
    srv = ServerProcess(f"sqlite:///{tmp_path / 'provincial.db'}", cwd=tmp_path)
    token = srv.quick_setup({"4512": (2,)})[("4512", 2)]
    srv.start()
    try:
        token_file = tmp_path / "token.txt"
        token_file.write_text(token)
        setup_office(capsys, monkeypatch, tmp_path, home, "4512", "--server", srv.url, "--token-file", str(token_file))
        first = add(capsys, monkeypatch, home, 1)
        file = tmp_path / "b.pdbak"
        assert run(capsys, monkeypatch, "--home", str(home), "backup", str(file), stdin=PASS + "\n")[0] == 0
        later = [add(capsys, monkeypatch, home, n) for n in (2, 3)]
        code, out, err = run(capsys, monkeypatch, "--home", str(home), "sync", "--once", "--json")
        assert code == 0, err
        assert json.loads(out)["acked"] == 3

        code, out, err = run(
            capsys, monkeypatch, "--home", str(home), "restore", str(file), "--json", stdin=PASS + "\n"
        )
        assert code == 0, err
        answer = json.loads(out)
        assert answer["server_reached"] and answer["server_last_receipt_no"] == later[-1]["receipt_no"]
        assert listed(capsys, monkeypatch, home) == [first["receipt_no"]]
        nxt = add(capsys, monkeypatch, home, 4)
        assert nxt["receipt_no"].rsplit("-", 1)[1] == "0004"  # not 0002: the server holds 0002, 0003
    finally:
        srv.stop()

    # server gone: the restore still succeeds and says why numbering waits for the next sync
    code, out, err = run(capsys, monkeypatch, "--home", str(home), "restore", str(file), "--json", stdin=PASS + "\n")
    assert code == 0 and json.loads(out)["server_reached"] is False
    assert "سرور استان اکنون پاسخ نداد" in err
