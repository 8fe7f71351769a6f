"""`desk-app demo` end to end: the real program, the real provincial server, a real request synced."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

import pytest

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.xdist_group("ops-demo")  # one worker: the demo set-up is made once
NATIONAL = "0012345679"  # valid check digit


def _env(home: Path) -> dict:
    env = dict(os.environ, DESK_APP_HOME=str(home), DESK_APP_DEMO_ADVANCE_S="0.5", PYTHONIOENCODING="utf-8")
    env["PYTHONPATH"] = str(ROOT)
    return env


def desk(home: Path, *args: str, check: bool = True, timeout: float = 60) -> subprocess.CompletedProcess:
    proc = subprocess.run(
        [sys.executable, "-m", "desk_app", *args],
        cwd=ROOT,
        env=_env(home),
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=timeout,
    )
    if check:
        assert proc.returncode == 0, f"desk-app {' '.join(args)} -> {proc.returncode}\n{proc.stderr}"
    return proc


def out_json(proc: subprocess.CompletedProcess):
    assert proc.stdout.strip(), f"no JSON on stdout; stderr:\n{proc.stderr}"
    return json.loads(proc.stdout)


def _listening(url: str) -> bool:
    u = urlparse(url)
    try:
        with socket.create_connection((u.hostname, u.port), timeout=1):
            return True
    except OSError:
        return False


def _first_active_service() -> str:
    data = json.loads((ROOT / "resources" / "catalog" / "demo-catalog.json").read_text(encoding="utf-8"))
    return next(s["code"] for s in data["services"] if s["active"] and "form" not in s)  # no answers needed


@pytest.fixture(scope="module")
def prepared(tmp_path_factory):
    """`demo --no-gui --exit` once: the first-run output, and the folder it set up (server stopped)."""
    base = tmp_path_factory.mktemp("demo") / "home"
    first = desk(base, "demo", "--no-gui", "--exit", "--json")
    return out_json(first), base


@pytest.fixture
def demo_home(prepared, tmp_path) -> Path:
    """A copy of the prepared demo folder for one test (a second run must reuse it)."""
    copy = tmp_path / "demo"
    shutil.copytree(prepared[1], copy)
    return copy


def test_first_run_sets_everything_up(prepared):
    info, home = prepared
    assert info["office"] == "4512" and info["reused"] is False and info["catalog_version"]
    users = {u["username"]: u for u in info["users"]}
    assert {u["role"] for u in users.values()} == {"clerk", "manager"}
    assert all(len(u["password"]) >= 8 for u in users.values())
    assert users["clerk"]["password"] != users["manager"]["password"]
    assert not _listening(info["server_url"]), "--exit must stop the server"
    # a receipt printer that works on any PC: a new PDF per receipt in the demo folder
    assert info["printer_target"] == f"pdf-dir:{home / 'receipts'}"
    assert (home / "server.db").exists() and (home / "logs" / "desk-app.log").exists()
    token = (home / "device.token").read_text(encoding="utf-8").strip()
    for secret in [token] + [u["password"] for u in users.values()]:
        for log in (home / "logs").iterdir():
            assert secret not in log.read_text(encoding="utf-8", errors="replace")


@pytest.mark.timeout(120)
def test_second_run_reuses_the_folder_and_serves_a_real_sync(demo_home):
    home = demo_home
    # second run: the same folder is reused, no new passwords, the server stays up until SIGTERM
    proc = subprocess.Popen(
        [sys.executable, "-m", "desk_app", "demo", "--no-gui", "--json"],
        cwd=ROOT,
        env=_env(home),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
    )
    try:
        line = proc.stdout.readline()
        if not line:
            proc.wait(30)
            pytest.fail(f"second demo printed nothing ({proc.returncode}): {proc.stderr.read()}")
        again = json.loads(line)
        assert again["reused"] is True and all("password" not in u for u in again["users"])
        url = again["server_url"]
        assert _listening(url)

        added = out_json(
            desk(
                home,
                "request",
                "add",
                "--national-code",
                NATIONAL,
                "--first-name",
                "مریم",
                "--last-name",
                "احمدی",
                "--service",
                _first_active_service(),
                "--clerk",
                "clerk",
                "--json",
            )
        )
        assert added["status"] == "registered" and added["receipt_no"].startswith("4512-1-")
        report = out_json(desk(home, "sync", "--once", "--json"))
        assert report["online"] is True and report["acked"] == 1 and report["pending"] == 0

        # the demo server plays the agency: submitted -> in_progress -> completed
        deadline = time.monotonic() + 30
        status = None
        time.sleep(2.5)  # two steps of 0.5 s, swept once a second by the server
        while time.monotonic() < deadline:
            desk(home, "sync", "--once", "--json")
            rows = out_json(desk(home, "request", "list", "--json"))
            status = rows[0]["status"]
            if status == "completed":
                break
            time.sleep(1.0)
        assert status == "completed"
        assert rows[0]["server_ref"]
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            code = proc.wait(30)
        finally:
            if proc.poll() is None:
                proc.kill()
            proc.stdout.close()
            proc.stderr.close()
    assert code == 0
    assert not _listening(url), "the server must stop with the demo"
    token = (home / "device.token").read_text(encoding="utf-8").strip()
    for log in (home / "logs").iterdir():  # the demo's and the server's logs
        text = log.read_text(encoding="utf-8", errors="replace")
        assert NATIONAL not in text and token not in text, log.name


def test_exit_needs_no_gui(home):
    proc = desk(home, "demo", "--exit", check=False)
    assert proc.returncode == 2 and "--no-gui" in proc.stderr


def test_demo_never_touches_a_real_office_folder(home):
    from desk_app.services.context import Desk
    from desk_app.services.setup import init_office

    with Desk.open(home) as office:
        init_office(office, "7300", "دفتر واقعی", 3)
    proc = desk(home, "demo", "--no-gui", "--exit", check=False)
    assert proc.returncode == 3 and "نسخهٔ نمایشی" in proc.stderr
    assert not (home / "server.db").exists()
    with Desk.open(home) as office:
        assert (office.office_code, office.device_no) == ("7300", 3)
        from desk_app.services.users import list_users

        assert list_users(office) == []


@pytest.mark.timeout(120)
def test_gui_demo_stops_its_server_when_the_app_closes(demo_home):
    home = demo_home
    env = dict(_env(home), QT_QPA_PLATFORM="offscreen")
    proc = subprocess.Popen(
        [sys.executable, "-m", "desk_app", "demo", "--json"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
    )
    try:
        line = proc.stdout.readline()
        assert line, proc.stderr.read() if proc.poll() is not None else "no output"
        url = json.loads(line)["server_url"]
        assert _listening(url)
        time.sleep(1.5)  # the login window is up
        assert proc.poll() is None
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stdout.close()
        proc.stderr.close()
    assert not _listening(url)


@pytest.mark.timeout(120)
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_the_demo_server_does_not_outlive_a_killed_app(demo_home):
    """The demo itself dies (SIGKILL: no clean-up runs): its server must not stay behind."""
    home = demo_home
    env = dict(_env(home), QT_QPA_PLATFORM="offscreen")
    proc = subprocess.Popen(
        [sys.executable, "-m", "desk_app", "demo", "--json"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
    )
    try:
        line = proc.stdout.readline()
        assert line, proc.stderr.read() if proc.poll() is not None else "no output"
        url = json.loads(line)["server_url"]
        assert _listening(url)
        proc.kill()
        proc.wait(30)
        deadline = time.monotonic() + 20
        while _listening(url) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not _listening(url), "the demo's server outlived the killed app"
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stdout.close()
        proc.stderr.close()
