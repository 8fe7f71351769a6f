"""The real provincial server as a subprocess, and the real admin commands, for tests.

    srv = ServerProcess(db_url, cwd=tmp_path).start()  # provincial-server --db URL serve --port 0
    srv.admin("office", "add", "--code", "4512", "--name", "...")
    token = srv.enrol("4512", 2)              # provincial-server device enrol (stdout = token)
    srv.client(token).get("/api/v1/hello")    # httpx client with the protocol headers
    srv.kill(); srv.start()                   # SIGKILL and restart on the same database

Fixtures: `server_db_url` (parametrised sqlite | postgres), `server` (a started server with
office 4512, device 2 enrolled and the test catalog loaded; attributes `token`, `office`,
`device`). Also `make_request_op` / `make_cancel_op`, operations as a desk would send them.
"""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import tempfile
import threading
import uuid
from datetime import datetime, timedelta
from pathlib import Path

import httpx
import pytest

from desk_app.domain.canonical import payload_sha256
from desk_app.domain.jalali import format_utc, jalali_yymmdd, tehran_day, utc_now
from tests.helpers.syncdata import CATALOG as SYNC_CATALOG
from tests.helpers.syncdata import national_code

ROOT = Path(__file__).resolve().parents[2]

# The sync tests' catalog plus an inactive service (to see `service_inactive`).
CATALOG = {
    "version": SYNC_CATALOG["version"],
    "services": [
        *SYNC_CATALOG["services"],
        {
            "code": "9001",
            "title": "خدمت غیرفعال",
            "agency": "آزمایشی",
            "fees": [{"kind": "office", "amount": 100000}],
            "documents": [],
            "active": False,
        },
    ],
}


def server_command() -> list[str]:
    exe = Path(sys.executable).parent / "provincial-server"
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "provincial_server.cli"]


class ServerProcess:
    def __init__(self, db_url: str, *, cwd: Path, serve_args: tuple[str, ...] = (), env: dict | None = None):
        """`cwd`: the folder the server runs in, which also holds its log (a test's `tmp_path`)."""
        self.db_url = db_url
        self.serve_args = tuple(serve_args)
        self.env = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
        self.cwd = Path(cwd)
        self.proc: subprocess.Popen | None = None
        self.url: str | None = None
        fd, self._log_path = tempfile.mkstemp(prefix="provincial-", suffix=".log", dir=self.cwd)
        os.close(fd)

    # ------------------------------------------------------------ process

    def start(self, timeout: float = 30) -> ServerProcess:
        cmd = server_command() + ["--db", self.db_url, "serve", "--host", "127.0.0.1", "--port", "0", *self.serve_args]
        with open(self._log_path, "ab") as log:
            self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=log, text=True, env=self.env, cwd=self.cwd)
        lines: queue.Queue = queue.Queue()
        threading.Thread(target=lambda: lines.put(self.proc.stdout.readline()), daemon=True).start()
        try:
            line = lines.get(timeout=timeout)
        except queue.Empty:
            self.kill()
            raise RuntimeError(f"server did not say `listening` in {timeout}s:\n{self.log_text()}") from None
        if not line.startswith("listening http://"):
            self.kill()
            raise RuntimeError(f"server failed to start: {line!r}\n{self.log_text()}")
        self.url = line.split()[1].strip()
        return self

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self._close_pipe()

    def kill(self) -> None:
        """SIGKILL: no shutdown, no flush, like a power cut of the process."""
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)
        self._close_pipe()

    def _close_pipe(self):
        if self.proc and self.proc.stdout:
            self.proc.stdout.close()

    def log_text(self) -> str:
        return Path(self._log_path).read_text(errors="replace")

    # ------------------------------------------------------------ admin commands

    def admin(self, *args: str, check: bool = True, input: str | None = None) -> subprocess.CompletedProcess:
        res = subprocess.run(
            server_command() + ["--db", self.db_url, *args],
            capture_output=True,
            text=True,
            env=self.env,
            cwd=self.cwd,
            input=input,
            timeout=60,
        )
        if check and res.returncode != 0:
            raise AssertionError(f"provincial-server {' '.join(args)} -> {res.returncode}\n{res.stderr}")
        return res

    def add_office(self, code: str, name: str = "دفتر پیشخوان آزمایشی") -> None:
        self.admin("office", "add", "--code", code, "--name", name)

    def enrol(self, office: str, device: int) -> str:
        out = self.admin("device", "enrol", "--office", office, "--device", str(device)).stdout
        return out.strip()

    def load_catalog(self, catalog: dict, check: bool = True) -> subprocess.CompletedProcess:
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False, encoding="utf-8", dir=self.cwd) as f:
            json.dump(catalog, f, ensure_ascii=False)
        try:
            return self.admin("catalog", "load", f.name, check=check)
        finally:
            os.unlink(f.name)

    def quick_setup(
        self, offices: dict[str, tuple[int, ...]], catalog: dict | None = CATALOG
    ) -> dict[tuple[str, int], str]:
        """Offices, enrolled devices and a catalog through `provincial_server.admin` in this process
        (the functions the CLI runs, without a Python start-up per step); returns the tokens."""
        from provincial_server import admin
        from provincial_server.db import ServerDB

        db = ServerDB(self.db_url)
        try:
            db.init()
            if catalog is not None:
                with db.write() as s:
                    from provincial_server.catalogs import load_catalog

                    load_catalog(s, catalog)
            tokens = {}
            for code, devices in offices.items():
                admin.add_office(db, code, f"دفتر {code}")
                for d in devices:
                    tokens[(code, d)] = admin.enrol_device(db, code, d)
            return tokens
        finally:
            db.dispose()

    def list_requests(self, office: str | None = None) -> list[dict]:
        args = ["request", "list", "--json"] + (["--office", office] if office else [])
        return json.loads(self.admin(*args).stdout)

    # ------------------------------------------------------------ HTTP

    def client(self, token: str | None, *, protocol: str | None = "1", timeout: float = 30) -> httpx.Client:
        headers = {}
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        if protocol is not None:
            headers["X-Desk-Protocol"] = protocol
        return httpx.Client(base_url=self.url, headers=headers, timeout=timeout)


# ---------------------------------------------------------------- operations


_seq_lock = threading.Lock()
_seq = [0]


def next_receipt_seq() -> int:
    with _seq_lock:
        _seq[0] += 1
        return _seq[0]


def make_request_op(
    office: str,
    device: int,
    *,
    seq: int | None = None,
    service: dict | None = None,
    created_at: datetime | None = None,
    catalog_version: str = CATALOG["version"],
    n: int = 1,
    **overrides,
) -> dict:
    """A `request` operation with a valid payload; `overrides` replace payload fields (hash recomputed)."""
    service = service or CATALOG["services"][0]
    created = created_at or utc_now()
    seq = seq or next_receipt_seq()
    request_id = str(uuid.uuid4())
    payload = {
        "request_id": request_id,
        "receipt_no": f"{office}-{device}-{jalali_yymmdd(tehran_day(created))}-{seq:04d}",
        "office": office,
        "device": device,
        "created_at": format_utc(created),
        "clock_skew_s": 0,
        "clerk": {"username": "sara", "full_name": "سارا احمدی"},
        "shift_id": str(uuid.uuid4()),
        "citizen": {
            "national_code": national_code(n),
            "first_name": "علی",
            "last_name": "رضایی",
            "mobile": "09121234567",
        },
        "service_code": service["code"],
        "catalog_version": catalog_version,
        "fees": [dict(f) for f in service["fees"]],
        "total": sum(f["amount"] for f in service["fees"]),
        "payment": {"method": "cash", "ref": None},
    }
    payload.update(overrides)
    return wrap_op("request", payload)


def make_cancel_op(request_id: str, *, refund: int = 0, reason: str = "انصراف متقاضی") -> dict:
    payload = {
        "request_id": request_id,
        "reason": reason,
        "clerk": {"username": "sara", "full_name": "سارا احمدی"},
        "refund": refund,
        "at": format_utc(utc_now()),
    }
    return wrap_op("cancel", payload)


def wrap_op(kind: str, payload: dict, op_id: str | None = None) -> dict:
    return {
        "op_id": op_id or str(uuid.uuid4()),
        "kind": kind,
        "request_id": payload["request_id"],
        "receipt_no": payload.get("receipt_no"),
        "payload_sha256": payload_sha256(payload),
        "payload": payload,
    }


def yesterday() -> datetime:
    return utc_now() - timedelta(days=1)


# ---------------------------------------------------------------- fixtures


class LiveServer(ServerProcess):
    """A server shared by a module's tests; each test takes its own office (fast, in-process
    admin calls through the same `provincial_server.admin` functions the CLI runs)."""

    _next_office = [1000]

    def new_office(self, devices: tuple[int, ...] = (2,)) -> tuple[str, dict[int, str]]:
        with _seq_lock:
            self._next_office[0] += 1
            code = str(self._next_office[0])
        tokens = self.quick_setup({code: devices}, catalog=None)
        return code, {d: tokens[(code, d)] for d in devices}


def _backend_url(request, directory: Path):
    if request.param == "sqlite":
        return f"sqlite:///{directory / 'provincial.db'}", None
    cluster = request.getfixturevalue("pg_cluster")
    return cluster.new_database(), cluster


BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(scope="module", params=BACKENDS)
def live_server(request, tmp_path_factory):
    """One running server per module and backend, catalog loaded through the admin CLI."""
    directory = tmp_path_factory.mktemp("live")
    url, cluster = _backend_url(request, directory)
    srv = LiveServer(url, cwd=directory)
    srv.quick_setup({})
    srv.start()
    yield srv
    srv.stop()
    if cluster:
        cluster.drop_database(url)


@pytest.fixture(params=BACKENDS)
def server_db_url(request, tmp_path):
    """A fresh, empty database URL on each backend."""
    url, cluster = _backend_url(request, tmp_path)
    yield url
    if cluster:
        cluster.drop_database(url)


@pytest.fixture
def server(server_db_url, tmp_path):
    """A running server with office 4512 (device 2 enrolled) and the test catalog."""
    srv = ServerProcess(server_db_url, cwd=tmp_path)
    srv.token = srv.quick_setup({"4512": (2,)})[("4512", 2)]
    srv.office, srv.device = "4512", 2
    srv.start()
    yield srv
    srv.stop()
