"""`desk-app demo`: a complete office on one PC — the real provincial server as a child process,
a demo office and enrolled device, the demo catalog on both sides, a clerk and a manager.

Everything lives in one folder (`<default home>/demo` or `--home`): the desk's data folder, the
server's `server.db` and `demo.json` (which steps are done, so a second run reuses all of it).
Passwords are random, printed once when the users are made, and stored nowhere in clear.

The demo has a receipt printer that works on any PC: a PDF "printer" (a new file per receipt in
`receipts/`) with the receipt shown on screen after each save. Its server never outlives it (on
Linux it gets SIGTERM even when the demo is SIGKILLed) and never lingers as a zombie when it
dies first: a thread reaps it at once, and the window says the server has stopped.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import signal
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path

from desk_app.paths import create_private_file, open_private, resources_dir

log = logging.getLogger("desk_app.demo")
# the demo server writes its database and files into the (private) data folder too
_PRIVATE_UMASK = 0o077 if os.name == "posix" else -1  # -1: Popen's default, leave it (Windows)

OFFICE = "4512"
OFFICE_NAME = "دفتر پیشخوان نمونه (آزمایشی)"
DEVICE = 1
USERS = (("clerk", "clerk", "کاربر باجه (نمونه)"), ("manager", "manager", "مدیر دفتر (نمونه)"))
STATE_FILE = "demo.json"
SERVER_DB = "server.db"
SERVER_LOG = "provincial-server.log"
ADVANCE_AFTER_S = 8  # the "agency" moves a request on after this many seconds (env override)
START_TIMEOUT_S = 60
RECEIPTS_DIR = "receipts"  # the demo's PDF receipt printer writes here


class DemoError(Exception):
    """A demo step failed; `message` is Persian."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class DemoInfo:
    home: Path
    server_url: str
    office: str = OFFICE
    device: int = DEVICE
    catalog_version: str | None = None
    users: list[dict] = field(default_factory=list)
    reused: bool = False
    printer_target: str | None = None

    def to_json(self) -> dict:
        return {
            "home": str(self.home),
            "server_url": self.server_url,
            "office": self.office,
            "device": self.device,
            "catalog_version": self.catalog_version,
            "users": self.users,
            "reused": self.reused,
            "printer_target": self.printer_target,
        }

    def text(self) -> str:
        lines = [
            "میز پیشخوان — نسخهٔ نمایشی آماده است.",
            f"پوشهٔ داده: {self.home}",
            f"کارگزار استانی: {self.server_url}",
            f"دفتر {self.office}، دستگاه {self.device}",
        ]
        if self.printer_target:
            lines.append(f"چاپگر رسید: {self.printer_target} (هر رسید یک فایل PDF تازه، و پیش‌نمایش روی صفحه)")
        for u in self.users:
            if u.get("password"):
                lines.append(f"کاربر {u['username']} ({u['role']}): گذرواژه {u['password']}")
            else:
                lines.append(
                    f"کاربر {u['username']} ({u['role']}): از پیش ساخته شده "
                    "(گذرواژه در اجرای نخست نشان داده شد؛ با --reset-passwords دوباره بسازید)"
                )
        if any(u.get("password") for u in self.users):
            lines.append("این گذرواژه‌ها فقط همین یک بار نشان داده می‌شوند.")
        return "\n".join(lines)


def demo_home(home: Path | str | None) -> Path:
    if home:
        return Path(home)
    from desk_app.paths import default_home

    return default_home() / "demo"


def catalog_path() -> Path:
    return resources_dir() / "catalog" / "demo-catalog.json"


def _new_password() -> str:
    """Readable on a screen and typeable on a Persian keyboard layout switched to English."""
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    return "-".join("".join(secrets.choice(alphabet) for _ in range(4)) for _ in range(3))


# --- the provincial server as a child process -------------------------------------------------


def require_server() -> None:
    """The bundle for counter PCs leaves the provincial server out; the demo needs it."""
    try:
        import provincial_server.cli  # noqa: F401
    except ImportError as exc:
        raise DemoError(
            "نسخهٔ نمایشی به کارگزار استانی نیاز دارد که در بستهٔ نصبی نیست؛ آن را از کد منبع با «make run» اجرا کنید."
        ) from exc


def server_command(*args: str) -> list[str]:
    """How to run `provincial-server` from this interpreter (no reliance on PATH)."""
    require_server()
    if getattr(sys, "frozen", False):
        raise DemoError("نسخهٔ نمایشی از بستهٔ نصبی اجرا نمی‌شود؛ از کد منبع با «make run» اجرا کنید.")
    return [sys.executable, "-c", "import sys; from provincial_server.cli import main; sys.exit(main())", *args]


def _server_env() -> dict:
    env = dict(os.environ)
    root = str(Path(__file__).resolve().parent.parent)
    env["PYTHONPATH"] = root + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env.setdefault("PYTHONIOENCODING", "utf-8")
    return env


def _die_with_parent():  # pragma: no cover - runs in the child between fork and exec
    """Linux: the server gets SIGTERM when the demo dies, even by SIGKILL."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except Exception:  # noqa: BLE001
        pass


def server_admin(db_url: str, *args: str) -> str:
    """Run one `provincial-server` admin command (in this process: it only touches the server's
    database file, and three interpreter start-ups would double the demo's start); returns stdout."""
    import contextlib
    import io

    from provincial_server.cli import main as server_main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = server_main(["--db", db_url, *args])
        except SystemExit as exc:  # argparse usage error
            code = exc.code if isinstance(exc.code, int) else 2
    if code:
        detail = err.getvalue().strip()
        log.warning("provincial-server %s failed (%s)", " ".join(args[:2]), code)
        raise DemoError(
            f"فرمان کارگزار استانی «{' '.join(args[:2])}» ناموفق بود: {detail.splitlines()[-1] if detail else code}"
        )
    return out.getvalue()


class ServerProcess:
    """`provincial-server serve --port 0` started, its URL read from the `listening` line."""

    def __init__(
        self,
        db_url: str,
        log_file: Path,
        host: str = "127.0.0.1",
        port: int = 0,
        advance_after_s: float | None = ADVANCE_AFTER_S,
    ):
        self.db_url, self.log_file, self.host, self.port = db_url, log_file, host, port
        self.advance_after_s = advance_after_s
        self.proc: subprocess.Popen | None = None
        self.url: str | None = None
        self.exit_code: int | None = None  # set by the reaper the moment the server exits
        self.exited = threading.Event()
        self.stopping = False  # stop() was called: an exit is expected, not news

    def start(self, timeout: float = START_TIMEOUT_S) -> str:
        args = ["--db", self.db_url, "serve", "--host", self.host, "--port", str(self.port)]
        if self.advance_after_s:
            args += ["--demo-advance", str(self.advance_after_s)]
        self.log_file.parent.mkdir(parents=True, exist_ok=True)
        logf = open_private(self.log_file, "ab")
        try:
            self.proc = subprocess.Popen(
                server_command(*args),
                stdout=subprocess.PIPE,
                stderr=logf,
                env=_server_env(),
                preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None,
                umask=_PRIVATE_UMASK,
            )
        finally:
            logf.close()
        found = threading.Event()

        def pump() -> None:
            assert self.proc is not None and self.proc.stdout is not None
            with open_private(self.log_file, "ab") as out:
                for raw in self.proc.stdout:
                    line = raw.decode("utf-8", "replace").strip()
                    if not found.is_set() and line.startswith("listening "):
                        self.url = line.split(None, 1)[1].rstrip("/")
                        found.set()
                    out.write(raw)
                    out.flush()
            found.set()

        threading.Thread(target=pump, name="server-stdout", daemon=True).start()
        threading.Thread(target=self._reap, name="server-reaper", daemon=True).start()
        if not found.wait(timeout) or self.url is None:
            code = self.proc.poll()
            self.stop()
            raise DemoError(f"کارگزار استانی راه نیفتاد (کد خروج {code}); گزارش: {self.log_file}")
        log.info("provincial server started at %s (pid %s)", self.url, self.proc.pid)
        return self.url

    def _reap(self) -> None:
        """Wait for the server to exit (reaping it at once: no zombie while the app runs on)."""
        proc = self.proc
        if proc is None:
            return
        code = proc.wait()
        self.exit_code = code
        self.exited.set()
        if not self.stopping:
            log.warning("provincial server exited by itself (code %s)", code)

    def alive(self) -> bool:
        return self.proc is not None and not self.exited.is_set() and self.proc.poll() is None

    def stop(self, timeout: float = 10) -> None:
        self.stopping = True
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout)
        log.info("provincial server stopped")


# --- the set-up steps (each done once; demo.json remembers) -----------------------------------


def _load_state(home: Path) -> dict:
    try:
        return json.loads((home / STATE_FILE).read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return {}


def _save_state(home: Path, state: dict) -> None:
    tmp = home / (STATE_FILE + ".tmp")
    with open_private(tmp, "w", encoding="utf-8") as fh:
        fh.write(json.dumps(state, ensure_ascii=False, indent=2))
    os.replace(tmp, home / STATE_FILE)


def prepare_server_db(home: Path, state: dict) -> str:
    """Office, catalog and device on the server side; returns a new device token or ''."""
    db_url = f"sqlite:///{(home / SERVER_DB).as_posix()}"
    create_private_file(home / SERVER_DB)  # 0600 before SQLite creates it
    token = ""
    if not state.get("server_office"):
        server_admin(db_url, "office", "add", "--code", OFFICE, "--name", OFFICE_NAME)
        state["server_office"] = True
        _save_state(home, state)
    if not state.get("server_catalog"):
        server_admin(db_url, "catalog", "load", str(catalog_path()))
        state["server_catalog"] = True
        _save_state(home, state)
    from desk_app.services.sync import has_token

    if not state.get("enrolled") or not has_token(home):
        token = server_admin(db_url, "device", "enrol", "--office", OFFICE, "--device", str(DEVICE)).strip()
        if not token:
            raise DemoError("کارگزار استانی توکن دستگاه را برنگرداند.")
    return token


def prepare_desk(home: Path, server_url: str, token: str, state: dict, reset_passwords: bool = False) -> DemoInfo:
    from desk_app.services import catalog, setup, users
    from desk_app.services.context import Desk

    info = DemoInfo(home=home, server_url=server_url, reused=bool(state.get("desk")))
    desk = Desk.open(home)
    try:
        setup.init_office(desk, OFFICE, OFFICE_NAME, DEVICE, server_url=server_url, token=token or None)
        if token:
            state["enrolled"] = True
        info.catalog_version = catalog.import_catalog(desk, catalog_path()).version
        if not state.get("printer"):  # once: a printer the manager chose later is kept
            if not desk.settings.get("printer_target"):
                desk.settings.set_many(
                    {
                        "printer_target": f"pdf-dir:{home / RECEIPTS_DIR}",
                        "show_receipt_preview": True,
                    }
                )
            state["printer"] = True
        info.printer_target = desk.settings.get("printer_target")
        existing = {u.username for u in users.list_users(desk)}
        for username, role, full_name in USERS:
            entry = {"username": username, "role": role, "full_name": full_name}
            if username not in existing:
                entry["password"] = _new_password()
                users.add_user(desk, username, role, entry["password"], full_name=full_name)
            elif reset_passwords:
                entry["password"] = _new_password()
                users.reset_password(desk, username, entry["password"])
            info.users.append(entry)
    finally:
        desk.close()
    state["desk"] = True
    _save_state(home, state)
    return info


def setup_demo(home: Path, server: ServerProcess, reset_passwords: bool = False) -> DemoInfo:
    """Run every step that is not done yet, start the server, point the desk at it."""
    home.mkdir(parents=True, exist_ok=True)
    from desk_app.services.context import database_path

    if database_path(home).exists() and not (home / STATE_FILE).exists():
        raise DemoError(
            f"پوشهٔ «{home}» دادهٔ یک دفتر است، نه نسخهٔ نمایشی؛ به آن دست زده نشد. "
            "برای نسخهٔ نمایشی پوشهٔ دیگری با --home بدهید."
        )
    require_server()
    state = _load_state(home)
    token = prepare_server_db(home, state)
    url = server.start()
    try:
        return prepare_desk(home, url, token, state, reset_passwords)
    except BaseException:
        server.stop()
        raise


def wait_for_stop(server: ServerProcess) -> None:
    """Keep the server up until Ctrl+C or SIGTERM (or until it dies by itself)."""
    stop = threading.Event()
    previous = signal.getsignal(signal.SIGTERM)
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        while not stop.wait(0.5):
            if not server.alive():
                log.warning("provincial server exited by itself")
                break
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)


def run_gui(home: Path, server: ServerProcess | None = None) -> int:
    """The desktop app at its login window, on this data folder (watching the demo's `server`).

    SIGTERM (a logout, `kill`) closes the app the normal way, so the server is stopped after it:
    Qt's event loop does not run Python signal handlers by itself, hence the idle timer.
    """
    from PySide6.QtCore import QTimer

    from desk_app.crash import install_excepthook
    from desk_app.ui.app import QUITTING_PROPERTY, setup_application
    from desk_app.ui.app import run_gui as _run

    install_excepthook()
    app = setup_application()
    previous = signal.getsignal(signal.SIGTERM)

    def terminate(*_args) -> None:  # windows close the normal way (drafts kept), asking nothing
        app.setProperty(QUITTING_PROPERTY, True)
        app.quit()

    signal.signal(signal.SIGTERM, terminate)
    wake = QTimer()
    wake.timeout.connect(lambda: None)
    wake.start(300)
    try:
        return int(_run(home, demo_server=server) or 0)
    finally:
        wake.stop()
        signal.signal(signal.SIGTERM, previous)


def main_demo(
    home: Path, *, gui: bool, exit_after_setup: bool, port: int = 0, reset_passwords: bool = False, on_ready=None
) -> int:
    """The whole `demo` command; `on_ready(info)` prints the details before waiting."""
    from desk_app.logs import setup_logging

    setup_logging(home)
    advance = float(os.environ.get("DESK_APP_DEMO_ADVANCE_S", ADVANCE_AFTER_S))
    server = ServerProcess(
        f"sqlite:///{(home / SERVER_DB).as_posix()}", home / "logs" / SERVER_LOG, port=port, advance_after_s=advance
    )
    try:
        info = setup_demo(home, server, reset_passwords)
        if on_ready is not None:
            on_ready(info)
        if exit_after_setup:
            return 0
        if gui:
            return run_gui(home, server)
        wait_for_stop(server)
        return 0
    finally:
        server.stop()
