"""Logging: files in the data folder, and no national code, token or password in any line."""

from __future__ import annotations

import logging
import subprocess
import sys
from pathlib import Path

import pytest

from desk_app import logs

ROOT = Path(__file__).resolve().parent.parent
NATIONAL = "0012345679"
TOKEN = "q8Zr2LkV0pXbN3mYt7Wd5sHa9CeFgJ1u"


@pytest.fixture
def logfile(home):
    path = logs.setup_logging(home)
    yield path
    logs.shutdown_logging()


def _text(path: Path) -> str:
    for h in logging.getLogger("desk_app").handlers:
        h.flush()
    return path.read_text(encoding="utf-8")


def test_log_file_lives_in_the_data_folder(home, logfile):
    assert logfile == home / "logs" / "desk-app.log"
    logging.getLogger("desk_app.sync").info("sync round finished: %d sent", 3)
    logging.getLogger("printing").warning("printer slow")
    logging.getLogger("provincial_server").info("batch stored")
    text = _text(logfile)
    assert "desk_app.sync" in text and "sync round finished: 3 sent" in text
    assert "printing" in text and "printer slow" in text
    assert "provincial_server" in text


@pytest.mark.parametrize(
    "message,args,secret",
    [
        ("citizen %s registered", (NATIONAL,), NATIONAL),
        ("citizen %s registered", ("۰۰۱۲۳۴۵۶۷۹",), "۰۰۱۲۳۴۵۶۷۹"),
        ("national_code=%s;", (NATIONAL,), NATIONAL),
        ("کد ملی:%s", (NATIONAL,), NATIONAL),
        ("printed code 001-234567-9 on receipt", (), "234567"),
        ("calling with headers %s", ({"Authorization": f"Bearer {TOKEN}"},), TOKEN),
        ("GET /x?token=%s&limit=5", ("abc.DEF.ghi",), "abc.DEF.ghi"),
        ("login attempt password=%s", ("S3cret pass",), "S3cret"),
        ("user json %s", ('{"username": "ali", "password": "hunter22!"}',), "hunter22!"),
        ("device enrolled, token %s", (TOKEN,), TOKEN),
    ],
)
def test_secrets_never_reach_the_file(logfile, message, args, secret):
    logging.getLogger("desk_app.services").warning(message, *args)
    text = _text(logfile)
    assert secret not in text
    assert message.split("%s")[0].split()[0] in text  # the line itself was written, only masked


def test_what_stays_readable(logfile):
    line = (
        "receipt 4512-2-050908-0042 mobile 09123456789 request 3f2a1b4c-1d2e-4f50-9a8b-7c6d5e4f3a2b "
        "sha 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08 total 12850000 "
        "op 1d2e4f5099a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2 seq 12 cursor 7:1234"
    )
    logging.getLogger("desk_app.sync").info(line)
    assert line in _text(logfile)


@pytest.mark.expect_error_log
def test_traceback_is_masked_too(logfile):
    try:
        raise ValueError(f"bad citizen {NATIONAL} with token={TOKEN}")
    except ValueError:
        logging.getLogger("desk_app.store").exception("write failed")
    text = _text(logfile)
    assert "Traceback (most recent call last)" in text and "ValueError: bad citizen" in text
    assert NATIONAL not in text and TOKEN not in text


def test_console_lines_are_masked_too(home, capfd):
    path = logs.setup_logging(home, console=True, console_level=logging.DEBUG)
    try:
        logging.getLogger("desk_app.sync").debug("debug line for %s", NATIONAL)
        logging.getLogger("desk_app.sync").warning("warning with Bearer %s", TOKEN)
    finally:
        logs.shutdown_logging()
    err = capfd.readouterr().err
    assert "debug line for <national-code>" in err and "warning with Bearer ***" in err
    assert NATIONAL not in err and TOKEN not in err
    assert NATIONAL not in path.read_text(encoding="utf-8")


def test_masked_before_any_other_handler(logfile, caplog):
    """A handler someone else hangs on one of our loggers (here pytest's) sees masked records."""
    logger = logging.getLogger("desk_app")
    logger.addHandler(caplog.handler)
    try:
        logging.getLogger("desk_app.sync").warning("citizen %s at the counter", NATIONAL)
    finally:
        logger.removeHandler(caplog.handler)
    assert "citizen <national-code> at the counter" in caplog.text
    assert NATIONAL not in caplog.text


def test_info_lines_stay_off_the_console_by_default(logfile, capfd):
    logging.getLogger("desk_app.demo").info("provincial server stopped")
    assert "provincial server stopped" not in capfd.readouterr().err
    assert "provincial server stopped" in _text(logfile)


def test_files_rotate(home):
    path = logs.setup_logging(home, max_bytes=2000, backup_count=3)
    try:
        log = logging.getLogger("desk_app.ui")
        for i in range(200):
            log.info("line %04d of a long day at the counter", i)
    finally:
        logs.shutdown_logging()
    names = sorted(p.name for p in (home / "logs").iterdir())
    assert names == ["desk-app.log", "desk-app.log.1", "desk-app.log.2", "desk-app.log.3"]
    assert all(p.stat().st_size <= 2000 for p in (home / "logs").iterdir())
    assert "line 0199" in path.read_text(encoding="utf-8")


def test_setup_again_moves_to_the_new_folder(tmp_path):
    first = logs.setup_logging(tmp_path / "a")
    second = logs.setup_logging(tmp_path / "b")
    try:
        logging.getLogger("desk_app.cli").warning("after the switch")
    finally:
        logs.shutdown_logging()
    assert "after the switch" in second.read_text(encoding="utf-8")
    assert "after the switch" not in first.read_text(encoding="utf-8")
    assert not [h for h in logging.getLogger("desk_app").handlers if logs._ours(h)]


def test_a_real_process_log(home):
    """The same in a fresh interpreter, as a program would do it: set up, log, exit."""
    code = (
        "import logging, sys\n"
        "from desk_app.logs import setup_logging\n"
        "setup_logging(sys.argv[1])\n"
        f"logging.getLogger('desk_app.sync').info('enrolled with Bearer {TOKEN} for {NATIONAL}')\n"
    )
    subprocess.run([sys.executable, "-c", code, str(home)], cwd=ROOT, check=True, timeout=60)
    text = (home / "logs" / "desk-app.log").read_text(encoding="utf-8")
    assert "enrolled with Bearer ***" in text
    assert TOKEN not in text and NATIONAL not in text
