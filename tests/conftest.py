"""Suite-wide set-up: headless Qt, a fresh data folder per test, loud failures."""

from __future__ import annotations

import getpass
import logging
import os
import sys
import tempfile
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


# ---------------------------------------------------------------- errors in the log
#
# Our code logs at ERROR what it catches but did not expect: a job that raised on the database
# thread or the worker pool (desk_app/ui/jobs.py), an exception in a thread (desk_app/crash.py).
# Such a test would pass while the bug hides in the log, so it fails, unless it provokes the
# error on purpose and says so with `@pytest.mark.expect_error_log`.

OUR_LOGGERS = ("desk_app", "printing", "provincial_server")


class _ErrorRecords(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        lines = record.getMessage().splitlines() or [""]
        text = lines[0] + (f" … {lines[-1]}" if len(lines) > 1 else "")  # a traceback's last line
        if record.exc_info and record.exc_info[1] is not None:
            text += f" ({type(record.exc_info[1]).__name__}: {record.exc_info[1]})"
        self.lines.append(f"{record.levelname} {record.name}: {text}")


@pytest.fixture(autouse=True)
def _fail_on_error_log(request):
    handler = _ErrorRecords()
    loggers = [logging.getLogger(name) for name in OUR_LOGGERS]
    for logger in loggers:
        logger.addHandler(handler)
    yield
    for logger in loggers:
        logger.removeHandler(handler)
    if handler.lines and request.node.get_closest_marker("expect_error_log") is None:
        pytest.fail("logged at ERROR while the test ran:\n" + "\n".join(handler.lines), pytrace=False)


# ---------------------------------------------------------------- the temporary folder
#
# Everything the suite writes goes under pytest's basetemp: the helpers' templates and clusters
# through tests.helpers.scratch, subprocesses through a TMPDIR of their own under it. The system
# temporary folder must look the same after a run as before it; under CI=true a run that left
# something there fails (see `pytest_sessionfinish`).

SYSTEM_TMP = Path(tempfile.gettempdir())  # fixed now, before any test can change TMPDIR
_TMP_BEFORE = pytest.StashKey[set[str]]()


@pytest.fixture(scope="session", autouse=True)
def _suite_scratch(tmp_path_factory):
    """Session-wide folders under basetemp; TMPDIR for subprocesses; python-escpos's cache."""
    from tests.helpers import scratch

    scratch.use_factory(tmp_path_factory)
    sub_tmp = tmp_path_factory.mktemp("subprocess-tmp")
    saved = {k: os.environ.get(k) for k in ("TMPDIR", "ESCPOS_CAPABILITIES_PICKLE_DIR")}
    os.environ["TMPDIR"] = str(sub_tmp)
    os.environ["ESCPOS_CAPABILITIES_PICKLE_DIR"] = str(tmp_path_factory.mktemp("escpos-cache"))
    yield
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
    scratch.use_factory(None)
    # SQLite opens its temporary files (etilqs_*) and unlinks them at once; only a process killed
    # by a test's SIGKILL between the two leaves one: an artefact of the kill, not a leak
    left = sorted(p.name for p in sub_tmp.iterdir() if not p.name.startswith("etilqs_"))
    for stray in sub_tmp.glob("etilqs_*"):
        stray.unlink(missing_ok=True)
    if left:
        _left_behind(f"subprocesses of the tests left in their TMPDIR {sub_tmp}: {', '.join(left)}")


def _left_behind(message: str) -> None:
    from tests.helpers.tools import in_ci

    if in_ci():
        pytest.fail(message, pytrace=False)
    print(f"\nwarning: {message}", file=sys.stderr)


def pytest_sessionstart(session):
    if not hasattr(session.config, "workerinput"):  # the xdist controller, or a run without xdist
        session.config.stash[_TMP_BEFORE] = set(os.listdir(SYSTEM_TMP))


def pytest_sessionfinish(session, exitstatus):
    before = session.config.stash.get(_TMP_BEFORE, None)
    if before is None:
        return
    ours = {f"pytest-of-{getpass.getuser()}"}  # pytest's own basetemp when --basetemp is not given
    new = sorted(set(os.listdir(SYSTEM_TMP)) - before - ours)
    if not new:
        return
    message = f"the suite left {len(new)} entries in the system temporary folder {SYSTEM_TMP}: {', '.join(new)}"
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.ensure_newline()
        reporter.write_line(message, red=True)
    from tests.helpers.tools import in_ci

    if in_ci() and session.exitstatus == 0:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
