"""A throwaway PostgreSQL cluster for the tests (or the one named by PISHKHAN_TEST_PG_URL).

`initdb` + `pg_ctl` from /usr/lib/postgresql/*/bin on a free loopback port, in a folder under
pytest's basetemp (the benchmarks: a temporary folder removed when it stops), TCP only (no Unix
socket). As root the binaries run as the `postgres` user. Each test that wants a clean database
calls `PgCluster.new_database()`.
"""

from __future__ import annotations

import glob
import os
import pwd
import secrets
import shutil
import socket
import stat
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from tests.helpers.tools import missing

ENV_URL = "PISHKHAN_TEST_PG_URL"


def _pg_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)
    if found:
        return Path(found[0]).parent
    path = shutil.which("initdb")
    return Path(path).parent if path else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PgCluster:
    def __init__(self, base_url: str, owned_dir: Path | None = None, stop=None):
        self.base_url = base_url.rstrip("/")  # without the database name
        self.dir = owned_dir
        self._stop = stop

    def url(self, dbname: str) -> str:
        return f"{self.base_url}/{dbname}"

    def new_database(self) -> str:
        """CREATE DATABASE with a fresh name; returns its SQLAlchemy URL."""
        import psycopg

        name = "t_" + secrets.token_hex(6)
        with psycopg.connect(self._conninfo("postgres"), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def drop_database(self, url: str) -> None:
        import psycopg

        name = url.rsplit("/", 1)[1]
        with psycopg.connect(self._conninfo("postgres"), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def _conninfo(self, dbname: str) -> str:
        return self.url(dbname).replace("postgresql+psycopg://", "postgresql://")

    def stop(self) -> None:
        if self._stop:
            self._stop()


def _let_postgres_reach(folder: Path) -> None:
    """Give "others" search permission (x, not r: nothing can be listed) on the folders above
    `folder` that lack it, so the `postgres` user reaches its data folder under pytest's 0700
    basetemp. pytest takes the bit back from `pytest-of-<user>` at its next start."""
    for parent in folder.resolve().parents:
        mode = parent.stat().st_mode
        if not mode & stat.S_IXOTH:
            os.chmod(parent, stat.S_IMODE(mode) | stat.S_IXOTH)


def start_cluster(directory: Path | None = None) -> PgCluster:
    """Start a cluster in `directory` (an empty folder; default: a new temporary folder), or use
    PISHKHAN_TEST_PG_URL; skip/fail via tools.missing when impossible."""
    env_url = os.environ.get(ENV_URL)
    if env_url:
        base = env_url.rsplit("/", 1)[0] if env_url.count("/") > 2 else env_url
        return PgCluster(base)
    bindir = _pg_bin()
    if bindir is None:
        missing("PostgreSQL server binaries (initdb, pg_ctl) are not installed")
    as_root = os.geteuid() == 0
    if as_root:
        try:
            pw = pwd.getpwnam("postgres")
        except KeyError:
            missing("running as root and there is no `postgres` user to run initdb")
    tmp = directory if directory is not None else Path(tempfile.mkdtemp(prefix="pishkhan-pg-"))
    data = tmp / "data"
    prefix: list[str] = []
    if as_root:
        _let_postgres_reach(tmp)
        os.chown(tmp, pw.pw_uid, pw.pw_gid)
        prefix = ["runuser", "-u", "postgres", "--"]
    port = _free_port()

    def run(*cmd):
        return subprocess.run(prefix + [str(c) for c in cmd], check=True, capture_output=True, text=True, cwd=tmp)

    try:
        run(bindir / "initdb", "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8")
        opts = (
            f"-p {port} -c unix_socket_directories='' -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300"
        )
        run(bindir / "pg_ctl", "-D", data, "-o", opts, "-l", tmp / "log", "-w", "-t", "60", "start")
    except subprocess.CalledProcessError as exc:
        log = (tmp / "log").read_text(errors="replace") if (tmp / "log").exists() else ""
        shutil.rmtree(tmp, ignore_errors=True)
        pytest.fail(f"could not start PostgreSQL: {exc.stderr}\n{log}", pytrace=False)

    def stop():
        subprocess.run(
            prefix + [str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"], capture_output=True
        )
        time.sleep(0.1)
        shutil.rmtree(tmp, ignore_errors=True)

    return PgCluster(f"postgresql+psycopg://postgres@127.0.0.1:{port}", tmp, stop)


@pytest.fixture(scope="session")
def pg_cluster(tmp_path_factory):
    cluster = start_cluster(tmp_path_factory.mktemp("pg"))
    yield cluster
    cluster.stop()
