"""The dependency rule of DESIGN.md section 1, checked on every import of every module of
`desk_app`, `printing` and `provincial_server`: top-level imports, imports inside functions (the
code imports lazily a lot), relative imports and `importlib.import_module("...")` with a literal.

Arrows point to what a layer may import (besides itself); a module belongs to the longest prefix
of LAYERS that names it, and a module that belongs to no layer is itself a failure:

    ui                -> services, domain
    cli               -> services, domain, ui.app (`desk-app gui`, `self-test`), demo (`desk-app demo`)
    services          -> domain, store, sync, printing
    sync              -> store, domain
    store             -> domain
    printing          -> domain
    domain            -> nothing of ours
    provincial_server -> desk_app.sync.protocol, desk_app.domain

The UI and the CLI may import `desk_app.domain` directly. Domain is pure rules with no I/O and no
state (formatting amounts and Jalali dates, normalising and validating what a clerk types, field
by field, as they type it): importing it can never block the window on the database, the network
or the printer, and the window then applies exactly the rules the services apply. Wrapping every
rule in a services function would only give each one a second name. Everything with I/O (store,
sync, printing) the UI and the CLI reach only through services: they import none of those layers,
nor their libraries (sqlalchemy, sqlite3, alembic, requests, httpx, reportlab, escpos).

Shared modules, outside the layers:
- `desk_app` (the package: `__version__`) and `desk_app.paths` (resources folder, default data
  folder; standard library + platformdirs): every layer of desk_app and printing.
- `desk_app.logs` (log files, masking of secrets) and `desk_app.crash` (the excepthook; it looks a
  QMessageBox up only when a QApplication already exists): the entry points that start a
  process, i.e. ui (`ui.app.run_gui`), cli and demo. Below them code only calls
  `logging.getLogger`. Both import nothing of ours.
- `desk_app.demo` is an entry point at the CLI's level (`desk-app demo`): services, domain,
  ui.app (it opens the window), provincial_server (it runs the reference server), paths, logs,
  crash. `desk_app.__main__` -> cli.

No Qt in domain, store, services, sync, provincial_server, paths, logs, crash (statically here and
transitively by importing them in a fresh interpreter); no QtWidgets in printing.
The planted-import tests copy the tree to tmp_path, break the rule there and run the same checks
on the copy, so a checker that lets everything through fails.
"""

from __future__ import annotations

import ast
import functools
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("desk_app", "printing", "provincial_server")

DOMAIN, STORE, SYNC = "desk_app.domain", "desk_app.store", "desk_app.sync"
SERVICES, UI, CLI, PRINTING = "desk_app.services", "desk_app.ui", "desk_app.cli", "printing"
PATHS, LOGS, CRASH, DEMO = "desk_app.paths", "desk_app.logs", "desk_app.crash", "desk_app.demo"
ENTRY_SHARED = {PATHS, LOGS, CRASH}

# layer -> what it may import besides itself (module names; a name allows its submodules)
LAYERS: dict[str, set[str]] = {
    DOMAIN: set(),
    STORE: {DOMAIN},
    SYNC: {STORE, DOMAIN},
    PRINTING: {DOMAIN},
    SERVICES: {DOMAIN, STORE, SYNC, PRINTING},
    UI: {SERVICES, DOMAIN} | ENTRY_SHARED,
    CLI: {SERVICES, DOMAIN, "desk_app.ui.app", DEMO} | ENTRY_SHARED,
    "provincial_server": {"desk_app.sync.protocol", DOMAIN},
    DEMO: {SERVICES, DOMAIN, "desk_app.ui.app", "provincial_server"} | ENTRY_SHARED,
    "desk_app.__main__": {CLI},
    "desk_app": set(),  # the package itself (exact: its own __init__ only)
    PATHS: set(),
    LOGS: set(),
    CRASH: set(),
}
# modules every layer of desk_app and printing may use (exact names, not prefixes)
SHARED = {"desk_app", PATHS}
# provincial_server ships without the client: its rule is exactly the one above
STRICT = {"provincial_server"}
# the libraries of the layers below the services, which the UI and the CLI must not use
BELOW_SERVICES_LIBS = ("sqlalchemy", "sqlite3", "alembic", "requests", "httpx", "reportlab", "escpos")
NO_LOWER_LIBS = {UI, CLI}
QT = ("PySide6", "shiboken6")
NO_QT = [DOMAIN, STORE, SERVICES, SYNC, "provincial_server", PATHS, LOGS, CRASH]


@dataclass(frozen=True)
class Import:
    name: str
    line: int


def _module_name(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _tree(root: Path) -> dict[str, Path]:
    """module name -> file, for every module of our packages under `root`."""
    mods = {}
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            mods[_module_name(root, path)] = path
    return mods


def _ours(name: str) -> bool:
    return name.split(".")[0] in PACKAGES


@functools.lru_cache(maxsize=4096)
def _raw_imports(module: str, is_package: bool, text: str) -> tuple[tuple[str, tuple[str, ...], int], ...]:
    """(target module, names imported from it or (), line) for every import in the source, wherever
    it is (functions, classes, branches); relative imports resolved. Cached: the planted-import
    tests check many copies of the same files."""
    found: list[tuple[str, tuple[str, ...], int]] = []
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Import):
            found += [(a.name, (), node.lineno) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            target = node.module or ""
            if node.level:
                base = module.split(".") if is_package else module.split(".")[:-1]
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            found.append((target, tuple(a.name for a in node.names), node.lineno))
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute | ast.Name)
            and (node.func.attr if isinstance(node.func, ast.Attribute) else node.func.id)
            in ("import_module", "__import__")
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            found.append((node.args[0].value, (), node.lineno))
    return tuple(found)


def _imports(module: str, path: Path, known: set[str]) -> list[Import]:
    """The modules a file imports: `from a import b` is `a.b` when that is a module of ours, and
    both `a` and `a.b` for other libraries (`from PySide6 import QtWidgets`)."""
    found: dict[Import, None] = {}
    for target, names, line in _raw_imports(module, path.name == "__init__.py", path.read_text(encoding="utf-8")):
        if not names:
            found[Import(target, line)] = None
        for name in names:
            sub = f"{target}.{name}"
            if not _ours(target):
                found[Import(target, line)] = found[Import(sub, line)] = None
            else:
                found[Import(sub if sub in known else target, line)] = None
    return list(found)


def _within(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def layer_of(module: str) -> str | None:
    best = None
    for layer in LAYERS:
        exact_only = layer == "desk_app"
        if (module == layer if exact_only else _within(module, layer)) and (best is None or len(layer) > len(best)):
            best = layer
    return best


def check_layers(root: Path) -> list[str]:
    """Every breach of the rule in the tree under `root`, one line each (empty: all is well)."""
    mods = _tree(root)
    known = set(mods)
    problems = []
    for module, path in mods.items():
        where = path.relative_to(root)
        layer = layer_of(module)
        if layer is None:
            problems.append(f"{where}: module {module} belongs to no layer (add it to LAYERS in tests/test_layers.py)")
            continue
        allowed = LAYERS[layer]
        for imp in _imports(module, path, known):
            name = imp.name
            if name.split(".")[0] in QT:
                if layer in NO_QT:
                    problems.append(f"{where}:{imp.line}: {module} imports {name}: no Qt below the UI")
                elif layer == PRINTING and _within(name, "PySide6.QtWidgets"):
                    problems.append(f"{where}:{imp.line}: {module} imports {name}: printing never uses QtWidgets")
                continue
            if layer in NO_LOWER_LIBS and name.split(".")[0] in BELOW_SERVICES_LIBS:
                problems.append(
                    f"{where}:{imp.line}: {module} imports {name}: {layer} reaches the database, the network "
                    "and the printer only through desk_app.services"
                )
                continue
            if not _ours(name) or (_within(name, layer) and layer != "desk_app") or name == layer:
                continue
            if any(_within(name, a) for a in allowed):
                continue
            if layer not in STRICT and name in SHARED:
                continue
            problems.append(
                f"{where}:{imp.line}: {module} ({layer}) imports {name}; "
                f"{layer} may import {', '.join(sorted(allowed)) or 'nothing of ours'}"
            )
    return problems


def test_every_import_obeys_the_layers():
    problems = check_layers(ROOT)
    assert not problems, "\n".join(problems)


def test_every_layer_has_modules():
    """A layer that names nothing (a typo, a moved package) would silently allow nothing."""
    mods = set(_tree(ROOT))
    empty = [layer for layer in LAYERS if not any(_within(m, layer) for m in mods)]
    assert not empty


# --- the checker can fail: a breach planted in a copy of the tree is reported ----------------


def _lazy(statement: str) -> str:
    """An import inside a function, the way the code imports lazily."""
    return f"\n\ndef _planted():\n    {statement}\n"


PLANTS = [
    # (file, text appended, words the report must contain)
    ("desk_app/ui/status_bar.py", _lazy("from desk_app.store import models"), "desk_app.store.models"),
    ("desk_app/services/intake.py", "\nimport PySide6\n", "no Qt below the UI"),
    ("desk_app/cli/sync.py", _lazy("from desk_app.sync.engine import SyncEngine"), "desk_app.sync.engine"),
    ("desk_app/ui/app.py", _lazy("import sqlite3"), "only through desk_app.services"),
    ("desk_app/ui/jobs.py", "\nimport importlib\nimportlib.import_module('printing.thermal')\n", "printing.thermal"),
    ("desk_app/store/models.py", _lazy("from ..services import intake"), "desk_app.services.intake"),
    ("desk_app/sync/engine.py", _lazy("import desk_app.services.context"), "desk_app.services.context"),
    ("printing/thermal.py", _lazy("from PySide6 import QtWidgets"), "never uses QtWidgets"),
    ("printing/pdf.py", _lazy("from desk_app import services"), "imports desk_app.services;"),
    ("provincial_server/app.py", _lazy("from desk_app.paths import resources_dir"), "imports desk_app.paths"),
    ("desk_app/domain/text.py", _lazy("from desk_app.logs import mask_secrets"), "imports desk_app.logs"),
    ("desk_app/extra.py", '"""A module nobody put in a layer."""\n', "belongs to no layer"),
]


def _copy_tree(dest: Path) -> Path:
    for package in PACKAGES:
        shutil.copytree(ROOT / package, dest / package, ignore=shutil.ignore_patterns("__pycache__"))
    return dest


@pytest.fixture(scope="module")
def pristine(tmp_path_factory) -> Path:
    tree = _copy_tree(tmp_path_factory.mktemp("layers") / "tree")
    assert check_layers(tree) == []  # the copy is as clean as the tree, until a breach is planted
    return tree


@pytest.mark.parametrize("file, text, needle", PLANTS, ids=[p[0] for p in PLANTS])
def test_a_planted_breach_is_reported(pristine, tmp_path, file, text, needle):
    copy = tmp_path / "tree"
    shutil.copytree(pristine, copy)
    target = copy / file
    target.write_text((target.read_text(encoding="utf-8") if target.exists() else "") + text, encoding="utf-8")
    problems = check_layers(copy)
    assert len(problems) == 1, problems
    assert needle in problems[0] and Path(file).as_posix() in problems[0].replace("\\", "/")


# --- no Qt below the UI, even through what a module imports ------------------------------------


def _modules(root: Path, packages: list[str]) -> list[str]:
    """Importable modules of `packages` (the migration scripts are not importable on their own)."""
    return [
        m
        for m, path in _tree(root).items()
        if any(_within(m, p) for p in packages) and not ("migrations" in path.parts and "versions" in path.parts)
    ]


def _loaded_after_import(root: Path, modules: list[str], extra_path: Path | None = None) -> set[str]:
    code = (
        "import sys, importlib, pathlib\n"
        f"sys.path[:0] = {[str(root)] + ([str(extra_path)] if extra_path else [])!r}\n"
        "import desk_app\n"
        f"assert pathlib.Path(desk_app.__file__).resolve().is_relative_to({str(root.resolve())!r}), desk_app.__file__\n"
        f"for m in {modules!r}:\n"
        "    importlib.import_module(m)\n"
        "print('\\n'.join(sorted(sys.modules)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True)
    return set(out.stdout.split())


def _qt(loaded: set[str]) -> list[str]:
    return sorted(m for m in loaded if m.split(".")[0] in QT)


def test_no_qt_below_ui_even_transitively():
    modules = _modules(ROOT, NO_QT)
    assert len(modules) > 50, "the modules below the UI were not found"
    assert not _qt(_loaded_after_import(ROOT, modules))


def test_printing_uses_no_qtwidgets():
    assert "PySide6.QtWidgets" not in _loaded_after_import(ROOT, _modules(ROOT, [PRINTING]))


def test_qt_pulled_in_through_another_library_is_caught(pristine, tmp_path):
    """The static check sees only our own imports; a library of ours that loads Qt would pass
    it, so the transitive check must catch it (planted in a copy: services -> a Qt-loading lib)."""
    copy = tmp_path / "tree"
    shutil.copytree(pristine, copy)
    libs = tmp_path / "libs"
    libs.mkdir()
    (libs / "pretty_widgets.py").write_text("import PySide6.QtGui\n", encoding="utf-8")
    cancel = copy / "desk_app/services/cancel.py"
    cancel.write_text(cancel.read_text(encoding="utf-8") + "\nimport pretty_widgets  # noqa\n", encoding="utf-8")
    assert check_layers(copy) == []  # invisible to the static check ...
    assert _qt(_loaded_after_import(copy, _modules(copy, NO_QT), extra_path=libs))  # ... not to this one
