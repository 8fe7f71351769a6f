"""The CLI framework: plug-in modules and the one error boundary with its exit codes."""

from __future__ import annotations

import argparse
import errno
import io
import json
import sys
import types

import pytest

import desk_app.cli as cli
from desk_app.domain.errors import InvalidInput, PermissionDenied
from desk_app.store.errors import StoreError


def test_missing_plugin_is_skipped_but_a_broken_one_is_loud(tmp_path, monkeypatch):
    pkg = tmp_path / "plugfix"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "broken.py").write_text("import no_such_dependency_xyz\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert cli._import_plugin("plugfix.absent") is None
    with pytest.raises(ModuleNotFoundError, match="no_such_dependency_xyz"):
        cli._import_plugin("plugfix.broken")


@pytest.mark.parametrize(
    "exc, code, needle",
    [
        (InvalidInput("کد ملی معتبر نیست.", "national_code"), 1, "کد ملی"),
        (PermissionDenied("شما اجازه ندارید."), 1, "اجازه"),
        (StoreError("فضای دیسک پر است.", "full"), 3, "دیسک"),
        (OSError(errno.ENOSPC, "No space left on device"), 3, "No space"),
        (cli.CommandError("چاپگر پاسخ نمی‌دهد.", cli.EXIT_ENV), 3, "چاپگر"),
    ],
)
def test_error_boundary(exc, code, needle):
    err, out = io.StringIO(), io.StringIO()

    def handler(args, o):
        raise exc

    assert cli.run(argparse.Namespace(), handler, cli.Output(True, out, err)) == code
    assert needle in err.getvalue() and out.getvalue() == ""


def test_a_bug_is_not_swallowed():
    def handler(args, o):
        raise KeyError("bug")

    with pytest.raises(KeyError):
        cli.run(argparse.Namespace(), handler, cli.Output(False, io.StringIO(), io.StringIO()))


def test_env_errors_of_loaded_layers_exit_3(monkeypatch):
    mod = types.ModuleType("printing.errors")

    class PrinterError(Exception):
        pass

    mod.PrinterError = PrinterError
    monkeypatch.setitem(sys.modules, "printing.errors", mod)

    def handler(args, o):
        raise PrinterError("کاغذ چاپگر تمام شده است.")

    err = io.StringIO()
    assert cli.run(argparse.Namespace(), handler, cli.Output(False, io.StringIO(), err)) == 3
    assert "کاغذ" in err.getvalue()


def test_json_output_is_utf8_text_and_streams():
    out = io.StringIO()
    o = cli.Output(True, out, io.StringIO())
    o.json({"name": "محمد"})
    o.json_stream(iter([{"a": 1}, {"b": "ی"}]))
    first, second = out.getvalue().splitlines()
    assert json.loads(first) == {"name": "محمد"} and "محمد" in first
    assert json.loads(second) == [{"a": 1}, {"b": "ی"}]


def test_home_option_before_the_subcommand(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("DESK_APP_HOME", raising=False)
    home = tmp_path / "h"
    assert cli.main(["--home", str(home), "init", "--office", "4512", "--office-name", "د", "--device", "1"]) == 0
    assert (home / "desk.sqlite3").exists()
    capsys.readouterr()
    assert cli.main(["--home", str(home), "--json", "user", "list"]) == 0
    assert json.loads(capsys.readouterr().out) == []


def test_no_subcommand_means_gui(monkeypatch, home):
    seen = []

    def fake_gui(args, out):
        seen.append(args.command)
        return 0

    monkeypatch.setattr(cli, "sub_handler", lambda parser, name: fake_gui if name == "gui" else None)
    assert cli.main(["--home", str(home)]) == 0
    assert seen == ["gui"]
