"""Settings declared once (CONVENTIONS.md 6): `desk_app.services.settings.OPTIONS` is the only
list of settings and the only place a default is stated; every declared setting is read
somewhere in the application; the window's cache and the pre-window peek come from it.

"Read" is found in the source of desk_app/ and printing/ (outside the declaration itself):
`x.get("key")`, `x["key"]`, or `prefs.key` / `values.key` / `peek.key` / `settings.key` /
`desk.key` (the typed snapshot's attributes). "Declared twice" is a literal default for a key
anywhere else: a class field or parameter named like a setting with a literal value (None, "not
given", is fine), a dict entry `"key": <its default>`, or a fallback `read("key") or <its default>`.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from desk_app.services.settings import OPTIONS, Values, peek

ROOT = Path(__file__).resolve().parent.parent
DECLARATION = Path("desk_app/services/settings.py")
SNAPSHOT_NAMES = {"prefs", "values", "peek", "settings", "desk"}
_UNSET = object()


def _sources(root: Path) -> list[tuple[Path, ast.AST]]:
    files = []
    for package in ("desk_app", "printing"):
        for path in sorted((root / package).rglob("*.py")):
            rel = path.relative_to(root)
            if rel != DECLARATION and "migrations" not in rel.parts:
                files.append((rel, ast.parse(path.read_text(encoding="utf-8"))))
    return files


def _const(node: ast.AST, default=_UNSET):
    return node.value if isinstance(node, ast.Constant) else default


def _last_name(node: ast.AST) -> str:
    while isinstance(node, ast.Attribute | ast.Call | ast.Subscript):
        node = node.attr if isinstance(node, ast.Attribute) else node.func if isinstance(node, ast.Call) else node.value
        if isinstance(node, str):
            return node
    return node.id if isinstance(node, ast.Name) else ""


def read_key(node: ast.AST, options=OPTIONS) -> str | None:
    """The setting `node` reads, if it is a read of one."""
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "get"
        and node.args
        and _const(node.args[0]) in options
    ):
        return node.args[0].value
    if isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Load) and _const(node.slice) in options:
        return node.slice.value
    if (
        isinstance(node, ast.Attribute)
        and isinstance(node.ctx, ast.Load)
        and node.attr in options
        and _last_name(node.value).lstrip("_") in SNAPSHOT_NAMES
    ):
        return node.attr
    return None


def scan(root: Path, options=OPTIONS) -> tuple[dict[str, list[str]], list[str]]:
    """(key -> where it is read, restated defaults) over the tree under `root`."""
    reads: dict[str, list[str]] = {key: [] for key in options}
    twice: list[str] = []
    for rel, tree in _sources(root):
        for node in ast.walk(tree):
            where = f"{rel}:{getattr(node, 'lineno', '?')}"
            key = read_key(node, options)
            if key is not None:
                reads[key].append(where)
            if isinstance(node, ast.ClassDef):
                for item in node.body:
                    target = item.target if isinstance(item, ast.AnnAssign) else None
                    if isinstance(item, ast.Assign) and len(item.targets) == 1:
                        target = item.targets[0]
                    value = getattr(item, "value", None)
                    if isinstance(target, ast.Name) and target.id in options and _const(value, None) is not None:
                        twice.append(f"{rel}:{item.lineno}: class {node.name} declares {target.id} = {value.value!r}")
            elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
                args = node.args
                positional = args.posonlyargs + args.args
                pairs = list(zip(positional[len(positional) - len(args.defaults) :], args.defaults)) + [
                    (a, d) for a, d in zip(args.kwonlyargs, args.kw_defaults) if d is not None
                ]
                for arg, default in pairs:
                    if arg.arg in options and _const(default, None) is not None:
                        twice.append(f"{where}: parameter {arg.arg}={default.value!r}")
            elif isinstance(node, ast.Dict):
                for k, v in zip(node.keys, node.values):
                    key = _const(k) if k is not None else None
                    if key in options and options[key].default is not None and _const(v) == options[key].default:
                        twice.append(f"{where}: {{{key!r}: {v.value!r}}} restates the default")
            elif isinstance(node, ast.BoolOp) and isinstance(node.op, ast.Or):
                for i, value in enumerate(node.values[:-1]):
                    key = read_key(value, options)
                    if key is None or options[key].default is None:
                        continue
                    for later in node.values[i + 1 :]:
                        if _const(later) == options[key].default:
                            twice.append(f"{where}: `{key} or {later.value!r}` restates the default")
    return reads, twice


def test_every_declared_setting_is_read_somewhere():
    reads, _ = scan(ROOT)
    unread = sorted(key for key, where in reads.items() if not where)
    assert not unread, f"declared in {DECLARATION} but read nowhere: {unread}"


def test_no_default_is_declared_twice():
    _, twice = scan(ROOT)
    assert not twice, "\n".join(twice)


def test_the_scan_finds_a_dead_setting_and_a_second_default(tmp_path):
    """The two tests above can fail: a declared setting nobody reads (as `print_form_after_intake`
    was) and, in a copy of the tree, a page with defaults of its own (the window's old `Prefs`)."""
    import shutil

    from desk_app.services.settings import Option

    for package in ("desk_app", "printing"):
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__"))
    page = tmp_path / "desk_app/ui/shift_page.py"
    page.write_text(
        page.read_text(encoding="utf-8")
        + "\n\nclass Prefs:\n    display_unit: str = 'rial'\n\n\ndef paper(prefs):\n"
        + "    return prefs.printer_paper or 80\n",
        encoding="utf-8",
    )
    reads, twice = scan(tmp_path, {**OPTIONS, "print_form_after_intake": Option(bool, False)})
    assert [k for k, where in reads.items() if not where] == ["print_form_after_intake"]
    assert len(twice) == 2 and "class Prefs declares display_unit" in twice[0] and "printer_paper or 80" in twice[1]


# --- the readers come from the declaration ---------------------------------------------------


def test_the_windows_cache_is_the_declaration():
    from desk_app.ui.context import Prefs, UiContext

    assert Prefs is Values
    empty = Values()
    assert dict(empty) == {key: opt.default for key, opt in OPTIONS.items()}
    assert all(getattr(empty, key) == opt.default for key, opt in OPTIONS.items())
    assert not set(OPTIONS) & set(dir(Values))  # no setting is shadowed by a method of the snapshot
    with pytest.raises(KeyError):
        Values({"device_token": "x"})  # not a setting: a bug, refused
    assert dict(UiContext(None, runner=None).prefs) == dict(empty)


def test_the_window_reads_what_was_stored(home):
    from desk_app.services.context import Desk
    from desk_app.ui.context import load_prefs, save_prefs

    with Desk.open(home) as desk:
        prefs = save_prefs(desk, {"display_unit": "toman", "printer_paper": "58", "sync_interval_s": 90})
        assert (prefs.display_unit, prefs.printer_paper, prefs.sync_interval_s) == ("toman", 58, 90)
        assert load_prefs(desk) == prefs and prefs.language == OPTIONS["language"].default
        with pytest.raises(KeyError):
            save_prefs(desk, {"unit": "toman"})  # an old attribute name is a bug, not silently dropped


def test_the_peek_is_typed_read_only_and_loads_no_sqlalchemy(home):
    from desk_app.services import setup
    from desk_app.services.context import Desk

    assert peek(home) is None and not (home / "desk.sqlite3").exists()  # nothing made by a peek
    with Desk.open(home) as desk:
        setup.init_office(desk, "4512", "دفتر نمونه", 2)
        desk.settings.set("language", "en")
    db = home / "desk.sqlite3"
    before = db.read_bytes()
    code = (
        "import sys\n"
        "from desk_app.services.settings import peek\n"
        f"v = peek({str(home)!r})\n"
        "print(v.office_code, v.device_no + 1, v.language, v.display_unit)\n"
        "print('sqlalchemy' in sys.modules, any(m.startswith('PySide6') for m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.split("\n")[:2] == ["4512 3 en rial", "False False"]
    assert db.read_bytes() == before  # read only


def test_a_database_busy_past_the_short_wait_is_not_peeked(home):
    """A writer holding the database (a restore, a migration): the window opens without the
    peek after a short wait instead of freezing; the real open comes next."""
    import sqlite3
    import time

    from desk_app.services.context import Desk

    with Desk.open(home) as desk:
        desk.settings.set("office_code", "4512")
    holder = sqlite3.connect(home / "desk.sqlite3", isolation_level=None)
    try:
        holder.execute("PRAGMA journal_mode=DELETE")
        holder.execute("BEGIN EXCLUSIVE")
        started = time.perf_counter()
        assert peek(home) is None
        assert time.perf_counter() - started < 2
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert peek(home).office_code == "4512"
