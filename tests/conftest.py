"""Suite-wide set-up: headless Qt, a fresh data folder per test, loud failures."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

# Fixtures shared by many test files, found by name (no imports of fixtures in the test files).
pytest_plugins = [
    "tests.helpers.pg",
    "tests.helpers.server",
    "tests.helpers.deskdata",
    "tests.helpers.attachdata",
    "tests.ui_helpers",
]

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("DESK_APP_NO_KEYRING", "1")
ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


@pytest.fixture
def home(tmp_path, monkeypatch) -> Path:
    """An empty data folder, also exported as DESK_APP_HOME for subprocesses."""
    h = tmp_path / "home"
    h.mkdir()
    monkeypatch.setenv("DESK_APP_HOME", str(h))
    return h


@pytest.fixture(scope="session", autouse=True)
def _one_qapplication():
    """Make the process's Qt application a QApplication before any test runs.

    printing/ starts a bare QGuiApplication when it finds none (that is what a command-line print
    needs); pytest-qt's widgets fixtures need a QApplication. Creating it first, once per worker,
    lets both share it whatever order xdist hands the tests out in.
    """
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([sys.argv[0] or "pytest"])
    yield app
