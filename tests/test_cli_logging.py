"""Every `desk-app` command writes `<home>/logs/desk-app.log`, with no national code in it."""

from __future__ import annotations

import io
import json
import logging
import sys

from desk_app.cli import main
from tests.helpers.deskdata import CATALOG, national_code

PASS = "backup passphrase 1"


def run(capsys, monkeypatch, *argv, stdin: str = ""):
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = main(list(argv))
    return code, *capsys.readouterr()


def test_commands_log_to_the_data_folder_without_national_codes(home, capsys, monkeypatch, tmp_path):
    assert run(capsys, monkeypatch, "init", "--office", "4512", "--office-name", "دفتر", "--device", "2")[0] == 0
    assert (
        run(
            capsys,
            monkeypatch,
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
    assert run(capsys, monkeypatch, "catalog", "import", str(f))[0] == 0
    nc = national_code(7)
    code, out, _ = run(
        capsys,
        monkeypatch,
        "request",
        "add",
        "--national-code",
        nc,
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
    assert code == 0 and json.loads(out)["national_code"] == nc  # the output has it, the log must not
    assert run(capsys, monkeypatch, "backup", str(tmp_path / "b.pdbak"), stdin=PASS + "\n")[0] == 0
    code, _, err = run(capsys, monkeypatch, "request", "show", "no-such-receipt")
    assert code == 1

    log = home / "logs" / "desk-app.log"
    text = log.read_text(encoding="utf-8")
    lines = text.splitlines()
    assert any("desk-app init -> exit 0" in line for line in lines)
    assert any("desk-app request -> exit 0" in line for line in lines)
    assert any("desk-app request -> exit 1" in line for line in lines)
    assert "desk-app backup -> exit 0" in text
    assert nc not in text and "secret-123" not in text and PASS not in text
    # after the command the loggers are back to normal (nothing left pointing at this folder)
    assert logging.getLogger("desk_app").propagate
    assert not [h for h in logging.getLogger("desk_app").handlers if getattr(h, "baseFilename", None)]


def test_verbose_shows_info_on_stderr_and_help_writes_no_log(home, capsys, monkeypatch):
    code, _, err = run(
        capsys, monkeypatch, "--verbose", "init", "--office", "4512", "--office-name", "دفتر", "--device", "2"
    )
    assert code == 0 and "desk-app init" in err
    code, _, err = run(capsys, monkeypatch, "user", "list")
    assert code == 0 and "desk-app user" not in err  # INFO lines stay in the file without --verbose

    other = home.parent / "never-made"
    try:
        main(["--home", str(other), "request", "--help"])
    except SystemExit:
        pass
    capsys.readouterr()
    assert not other.exists()
