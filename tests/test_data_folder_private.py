"""The data folder holds national codes and the device token: folders 0700, files 0600, whatever
the umask (issue 9, fault 5). A day of work through the real `desk-app` commands under umask 022,
against the real provincial server; then a folder left loose by round 1 is tightened at start-up."""

from __future__ import annotations

import io
import json
import os
import stat
import sys

import pytest

from desk_app.cli import main
from tests.helpers.deskdata import CATALOG, national_code
from tests.helpers.server import ServerProcess

pytestmark = [
    pytest.mark.timeout(180),
    pytest.mark.skipif(os.name != "posix", reason="POSIX modes (Windows keeps %LOCALAPPDATA% per user)"),
]

PASS = "گذرواژهٔ پشتیبان ۱۲۳"


@pytest.fixture
def umask_022():
    old = os.umask(0o022)  # the common default: new files 0644, folders 0755
    yield
    os.umask(old)


def _run(monkeypatch, capsys, home, *argv, stdin: str = "") -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = main(["--home", str(home), *argv])
    out, err = capsys.readouterr()
    return code, out, err


def _loose(home) -> list[str]:
    """Everything under `home` whose mode is not private, as `mode path` lines."""
    bad = []
    for root, _dirs, files in os.walk(home):
        for name, want in [(root, 0o700)] + [(os.path.join(root, f), 0o600) for f in files]:
            mode = stat.S_IMODE(os.lstat(name).st_mode)
            if mode != want:
                bad.append(f"{mode:04o} {os.path.relpath(name, home)}")
    return bad


def test_a_days_work_under_umask_022_leaves_nothing_readable_by_others(tmp_path, umask_022, monkeypatch, capsys):
    srv = ServerProcess(f"sqlite:///{tmp_path / 'provincial.db'}", cwd=tmp_path)
    token = srv.quick_setup({"4512": (2,)})[("4512", 2)]
    srv.start()
    home = tmp_path / "PishkhanDesk"
    token_file = tmp_path / "token.txt"
    token_file.write_text(token)
    catalog = tmp_path / "catalog.json"
    catalog.write_text(json.dumps(CATALOG, ensure_ascii=False), encoding="utf-8")
    usb = tmp_path / "usb"
    try:
        steps = [
            ("init", "--office", "4512", "--office-name", "دفتر", "--device", "2", "--server", srv.url,
             "--token-file", str(token_file)),
            ("user", "add", "--username", "ali", "--role", "clerk"),
            ("catalog", "import", str(catalog)),
            ("request", "add", "--national-code", national_code(1), "--first-name", "محمد", "--last-name", "کریمی",
             "--service", CATALOG["services"][0]["code"], "--clerk", "ali", "--json"),
            ("backups", "passphrase"),
            ("backups", "run"),
            ("backup", str(usb / "office.pdbak")),
            ("sync", "--once", "--json"),
            ("shift", "close", "--clerk", "ali", "--counted", "cash=12850000,card=0"),
            ("report", "daily", "--to", f"pdf:{home / 'daily.pdf'}", "--csv", str(home / "daily.csv")),
        ]  # fmt: skip
        receipt = None
        for argv in steps:
            stdin = "secret-123\n" if argv[0] == "user" else PASS + "\n"
            code, out, err = _run(monkeypatch, capsys, home, *argv, stdin=stdin)
            assert code == 0, (argv, err)
            if argv[:2] == ("request", "add"):
                receipt = json.loads(out)["receipt_no"]
        for target in (f"pdf:{home / 'receipt.pdf'}", f"png:{home / 'receipt.png'}"):
            code, _, err = _run(monkeypatch, capsys, home, "print", "receipt", receipt, "--to", target)
            assert code == 0, err
        code, _, err = _run(monkeypatch, capsys, home, "restore", str(usb / "office.pdbak"), stdin=PASS + "\n")
        assert code == 0, err
    finally:
        srv.stop()

    made = {p.relative_to(home).as_posix() for p in home.rglob("*")}
    for expected in ("desk.sqlite3", "device.token", "backup.passphrase", "logs/desk-app.log", "receipt.pdf",
                     "receipt.png", "daily.pdf", "daily.csv", "sync.lock"):  # fmt: skip
        assert expected in made, sorted(made)
    assert any(p.startswith("backups/daily-") or p.startswith("backups/manual-") for p in made), sorted(made)
    assert any(p.startswith("backups/shift-") for p in made), sorted(made)
    assert _loose(home) == []
    assert not [p for p in usb.iterdir() if p.name != "office.pdbak"]  # no plain snapshot on the stick
    assert stat.S_IMODE((usb / "office.pdbak").stat().st_mode) == 0o600


def test_a_folder_left_loose_by_an_older_version_is_tightened_at_start(tmp_path, umask_022, monkeypatch, capsys):
    home = tmp_path / "PishkhanDesk"
    assert _run(monkeypatch, capsys, home, "init", "--office", "4512", "--office-name", "دفتر", "--device", "2")[0] == 0
    (home / "backups").mkdir()
    (home / "backups" / "old.pdbak").write_bytes(b"x")
    for root, _dirs, files in os.walk(home):  # what round 1 left under umask 022
        os.chmod(root, 0o755)
        for f in files:
            os.chmod(os.path.join(root, f), 0o644)
    assert len(_loose(home)) >= 4

    code, _, err = _run(monkeypatch, capsys, home, "request", "list")
    assert code == 0, err
    assert _loose(home) == []
