"""`desk-app request import`: a re-run never registers a row twice, and a run that stops early
(a really full disk, a SIGKILL of the process) reports, then or on the re-run, exactly what it
committed. Every row of the file ends up registered exactly once."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from desk_app.cli import main
from tests.helpers.deskdata import make_desk, national_code
from tests.helpers.tools import missing

ROOT = Path(__file__).resolve().parent.parent
HEADER = "national_code,first_name,last_name,mobile,service,payment,payment_ref"


def write_csv(path: Path, n: int, *, bad: frozenset[int] = frozenset(), first: int = 10**6) -> Path:
    """`n` data rows (lines 2 .. n + 1); the rows whose index is in `bad` name an unknown service."""
    rows = [HEADER]
    for i in range(n):
        service = "9999" if i in bad else "2101" if i % 2 else "1101"
        rows.append(f"{national_code(first + i)},محمد,کریمی,,{service},cash,")
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def desk_app(home: Path, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "desk_app", "--home", str(home), *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=timeout,
    )


def import_json(home: Path, csv_file: Path) -> tuple[int, dict, str]:
    r = desk_app(home, "request", "import", str(csv_file), "--clerk", "ali", "--json")
    return r.returncode, json.loads(r.stdout), r.stderr


def db_state(home: Path) -> dict:
    """What is on disk: requests, their outbox ops, the import rows by line, soundness."""
    con = sqlite3.connect(f"file:{home / 'desk.sqlite3'}?mode=ro", uri=True)
    try:
        lines = [r[0] for r in con.execute("SELECT line FROM import_rows ORDER BY line")]
        return {
            "ok": con.execute("PRAGMA integrity_check").fetchone()[0] == "ok",
            "requests": con.execute("SELECT count(*) FROM requests").fetchone()[0],
            "ops": con.execute("SELECT count(*) FROM outbox WHERE kind = 'request'").fetchone()[0],
            "lines": lines,
            "receipts": dict(
                con.execute(
                    "SELECT i.line, r.receipt_no FROM import_rows i JOIN requests r ON r.request_id = i.request_id"
                )
            ),
        }
    finally:
        con.close()


def lines_of(items: list[dict]) -> list[int]:
    return [item["line"] for item in items]


# ---------------------------------------------------------------- re-run


def test_a_rerun_reports_every_row_once_and_registers_none_twice(home, tmp_path, capsys):
    make_desk(home).close()
    f = write_csv(tmp_path / "in.csv", 130, bad=frozenset({5, 110}))
    assert main(["request", "import", str(f), "--clerk", "ali", "--json"]) == 1  # two bad rows
    first = json.loads(capsys.readouterr().out)
    assert len(first["created"]) == 128 and lines_of(first["errors"]) == [7, 112]
    assert first["already_imported"] == [] and first["stopped"] is None and first["rows"] == 130

    assert main(["request", "import", str(f), "--clerk", "ali", "--json"]) == 1
    out, err = capsys.readouterr()
    again = json.loads(out)
    assert again["created"] == []
    assert [(r["line"], r["receipt_no"]) for r in again["already_imported"]] == [
        (r["line"], r["receipt_no"]) for r in first["created"]
    ]
    assert lines_of(again["errors"]) == [7, 112]  # still bad, still reported
    assert "128 سطر پیش‌تر از همین فایل ثبت شده بود" in err
    state = db_state(home)
    assert state["requests"] == state["ops"] == 128 and state["lines"] == lines_of(first["created"])

    # the same rows in another file are another import: the file is known by its content
    other = tmp_path / "other.csv"
    other.write_text(f.read_text(encoding="utf-8") + f"{national_code(7)},زهرا,احمدی,,2101,cash,\n", encoding="utf-8")
    assert main(["request", "import", str(other), "--clerk", "ali", "--json"]) == 1
    assert len(json.loads(capsys.readouterr().out)["created"]) == 129


# ---------------------------------------------------------------- a really full disk


@pytest.fixture
def small_disk(tmp_path):
    """A 16 MiB tmpfs mounted under tmp_path (needs root), unmounted afterwards."""
    mount_point = tmp_path / "disk"
    mount_point.mkdir()
    if os.geteuid() != 0:
        missing("a small filesystem to fill: mounting a tmpfs needs root")
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=16m,mode=0700", "tmpfs", str(mount_point)], capture_output=True, text=True
    )
    if done.returncode != 0:
        missing(f"a small filesystem to fill: mount -t tmpfs failed: {done.stderr.strip()}")
    try:
        yield mount_point
    finally:
        if subprocess.run(["umount", str(mount_point)], capture_output=True).returncode != 0:
            subprocess.run(["umount", "-l", str(mount_point)], capture_output=True)


def fill(disk: Path, leave_bytes: int) -> Path:
    st = os.statvfs(disk)
    filler = disk / "filler"
    with open(filler, "wb") as fh:
        fh.write(b"\0" * max(0, st.f_bavail * st.f_frsize - leave_bytes))
    return filler


def test_full_disk_reports_what_was_committed_and_the_rerun_finishes(small_disk, tmp_path):
    """On a real filesystem that runs out of space (a tmpfs, not SQLite's page limit)."""
    home = small_disk / "home"
    make_desk(home).close()
    assert desk_app(home, "request", "list").returncode == 0  # WAL and shared memory exist
    f = write_csv(tmp_path / "in.csv", 500, bad=frozenset({3}))
    filler = fill(small_disk, 1500 * 1024)  # room for a few batches, not for 500 rows

    code, out, err = import_json(home, f)
    assert code == 3
    stopped = out["stopped"]
    assert stopped["reason"] == "full" and "ذخیره" in stopped["message"]
    created = lines_of(out["created"])
    assert 0 < len(created) < 499 and created == sorted(created)
    assert stopped["line"] > created[-1] and stopped["remaining"] == 499 - len(created)
    assert lines_of(out["errors"]) == [5]  # reached before the disk filled up
    assert "فضای دیسک پر شد" in err and f"سطر {stopped['line']}" in err and "دوباره وارد کنید" in err
    state = db_state(home)  # exactly what was reported, no more, no less
    assert state["ok"] and state["lines"] == created and state["requests"] == state["ops"] == len(created)
    assert state["receipts"] == {r["line"]: r["receipt_no"] for r in out["created"]}

    filler.unlink()  # the clerk frees space and runs the same file again
    code, again, err = import_json(home, f)
    assert code == 1 and again["stopped"] is None  # only the one bad row is left
    assert {r["line"]: r["receipt_no"] for r in again["already_imported"]} == state["receipts"]
    assert sorted(created + lines_of(again["created"])) == [n + 2 for n in range(500) if n != 3]
    final = db_state(home)
    assert final["ok"] and final["requests"] == final["ops"] == 499 and len(set(final["lines"])) == 499
    assert desk_app(home, "audit", "verify").returncode == 0


def test_full_database_page_limit_same_report(home, tmp_path, capsys, monkeypatch):
    """The same without root: SQLite's max_page_count makes the database "full" half-way."""
    from desk_app.store import engine

    make_desk(home).close()
    con = sqlite3.connect(home / "desk.sqlite3")
    pages = con.execute("PRAGMA page_count").fetchone()[0]
    con.close()
    real = engine.apply_pragmas

    def small_database(dbapi, timeout):
        real(dbapi, timeout)
        dbapi.execute(f"PRAGMA max_page_count = {pages + 120}")

    monkeypatch.setattr(engine, "apply_pragmas", small_database)
    f = write_csv(tmp_path / "in.csv", 300)
    assert main(["request", "import", str(f), "--clerk", "ali", "--json"]) == 3
    out, err = capsys.readouterr()
    first = json.loads(out)
    assert first["stopped"]["reason"] == "full" and 0 < len(first["created"]) < 300
    assert db_state(home)["lines"] == lines_of(first["created"])
    monkeypatch.setattr(engine, "apply_pragmas", real)
    assert main(["request", "import", str(f), "--clerk", "ali", "--json"]) == 0
    again = json.loads(capsys.readouterr().out)
    assert lines_of(again["already_imported"]) == lines_of(first["created"])
    assert sorted(lines_of(again["already_imported"]) + lines_of(again["created"])) == list(range(2, 302))
    assert db_state(home)["requests"] == 300


# ---------------------------------------------------------------- SIGKILL


def _wait_for_rows(home: Path, proc: subprocess.Popen, at_least: int, timeout: float = 120) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, "the import ended before it could be killed"
        with contextlib.suppress(sqlite3.OperationalError):  # the table may not be readable yet
            lines = db_state(home)["lines"]
            if len(lines) >= at_least:
                return len(lines)
        time.sleep(0.02)
    raise AssertionError(f"fewer than {at_least} rows committed in {timeout} s")


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL (POSIX)")
def test_sigkill_mid_import_then_rerun_every_row_exactly_once(home, tmp_path):
    make_desk(home).close()
    total = 500
    f = write_csv(tmp_path / "in.csv", total)
    committed = 0
    for kill in range(2):  # killed twice, each time after at least one more batch committed
        proc = subprocess.Popen(
            [sys.executable, "-m", "desk_app", "--home", str(home)]
            + ["request", "import", str(f), "--clerk", "ali", "--json"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            cwd=ROOT,
        )
        try:
            _wait_for_rows(home, proc, committed + 100)
            os.kill(proc.pid, signal.SIGKILL)
        finally:
            proc.wait(30)
        assert proc.returncode == -signal.SIGKILL
        state = db_state(home)
        assert state["ok"] and state["requests"] == state["ops"] == len(state["lines"]) > committed
        assert len(state["lines"]) < total, f"kill {kill + 1} came after the last row"
        committed = len(state["lines"])

    code, out, _ = import_json(home, f)
    assert code == 0 and out["stopped"] is None and out["errors"] == []
    assert {r["line"]: r["receipt_no"] for r in out["already_imported"]} == state["receipts"]  # reported now
    assert len(out["created"]) == total - committed
    final = db_state(home)
    assert final["requests"] == final["ops"] == total
    assert final["lines"] == list(range(2, total + 2))  # every line once
    receipts = [r["receipt_no"] for r in out["created"] + out["already_imported"]]
    assert len(set(receipts)) == total
