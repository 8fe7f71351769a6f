"""The dependency rule of DESIGN.md section 1: no Qt below the UI, no QtWidgets in printing."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# package -> packages of ours it may import (besides itself)
ALLOWED = {
    "desk_app.domain": set(),
    "desk_app.store": {"desk_app.domain"},
    "desk_app.sync": {"desk_app.store", "desk_app.domain"},
    "desk_app.services": {"desk_app.domain", "desk_app.store", "desk_app.sync", "printing"},
    "printing": {"desk_app.domain"},
    "provincial_server": {"desk_app.sync.protocol", "desk_app.domain"},
}
SHARED_OK = {"desk_app.paths", "desk_app"}  # paths helper is usable by every layer
NO_QT = ["desk_app.domain", "desk_app.store", "desk_app.services", "desk_app.sync", "provincial_server"]


def _modules(package: str) -> list[str]:
    base = ROOT / package.replace(".", "/")
    mods = []
    for path in sorted(base.rglob("*.py")):
        rel = path.relative_to(ROOT).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        if "migrations" in parts and "versions" in parts:
            continue
        mods.append(".".join(parts))
    return mods


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _ours(name: str) -> bool:
    return name.split(".")[0] in {"desk_app", "printing", "provincial_server"}


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_static_dependency_rule(package):
    allowed = ALLOWED[package] | {package} | SHARED_OK
    bad = []
    for path in (ROOT / package.replace(".", "/")).rglob("*.py"):
        for name in _imports(path):
            if not _ours(name):
                continue
            if not any(name == a or name.startswith(a + ".") for a in allowed):
                bad.append(f"{path.relative_to(ROOT)} imports {name}")
    assert not bad, "\n".join(bad)


def _loaded_after_import(modules: list[str]) -> set[str]:
    code = (
        "import sys, importlib\n"
        f"for m in {modules!r}:\n"
        "    importlib.import_module(m)\n"
        "print('\\n'.join(sorted(sys.modules)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    return set(out.stdout.split())


def test_no_qt_below_ui_even_transitively():
    modules = [m for pkg in NO_QT for m in _modules(pkg)]
    assert modules, "no modules found below the UI"
    loaded = _loaded_after_import(modules)
    qt = sorted(m for m in loaded if m.startswith("PySide6") or m.startswith("shiboken6"))
    assert not qt, f"Qt loaded by a layer below the UI: {qt}"


def test_printing_uses_no_qtwidgets():
    loaded = _loaded_after_import(_modules("printing"))
    assert "PySide6.QtWidgets" not in loaded
