"""Automatic encrypted backups in `<data folder>/backups/`: one a day and one at each shift close.

The UI calls `run_daily_backup` at start-up and on its timer (it does nothing when today's is
already there) and `backup_at_shift_close` after a shift is closed; the CLI may call both too.
Backups are kept `KEEP_DAYS` days, judged by the files' own dates, and the newest one is never
deleted whatever its age (a PC switched off for a month still has its last backup).

The passphrase is set once by the manager and kept like the device token: in the OS keyring, or a
file only the user can read; never in the settings table or a log line. Without a passphrase no
automatic backup is made (an unencrypted copy of every citizen's data must not pile up).
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from desk_app.domain.errors import InvalidInput
from desk_app.services import backup_crypto
from desk_app.sync import credentials

log = logging.getLogger("desk_app.services")

BACKUP_DIR = "backups"
SUFFIX = ".pdbak"
KEEP_DAYS = 14
KINDS = ("daily", "shift", "manual")
PASSPHRASE_FILE = "backup.passphrase"
TEHRAN = ZoneInfo("Asia/Tehran")
_NAME_RE = re.compile(r"^(daily|shift|manual)-[0-9A-Za-z]+-[0-9A-Za-z]+-\d{8}T\d{6}Z(?:-\d+)?\.pdbak$")

NO_PASSPHRASE_FA = "رمز پشتیبان تعیین نشده است؛ مدیر دفتر باید در تنظیمات رمز پشتیبان را تعیین کند."


@dataclass(frozen=True)
class BackupFile:
    path: Path
    kind: str
    modified: datetime  # aware UTC, from the file's modification time

    def to_json(self) -> dict:
        return {
            "path": str(self.path),
            "kind": self.kind,
            "modified": self.modified.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "size": self.path.stat().st_size,
        }


@dataclass(frozen=True)
class BackupOutcome:
    """What an automatic backup did: `path` when one was written, else `skipped` (English tag)."""

    path: Path | None
    skipped: str | None = None
    pruned: tuple[Path, ...] = ()
    message: str | None = None  # Persian, for the status bar when nothing was written


def backups_dir(home: Path | str) -> Path:
    return Path(home) / BACKUP_DIR


# --- the passphrase ---------------------------------------------------------------------------


def _account(home: Path) -> str:
    return "backup-passphrase-" + hashlib.sha256(str(Path(home).resolve()).encode()).hexdigest()[:16]


def set_passphrase(home: Path | str, passphrase: str) -> str:
    """Store the manager's backup passphrase (checked for length); returns "keyring" or "file"."""
    backup_crypto.check_passphrase(passphrase)
    home = Path(home)
    kr = credentials._keyring()
    if kr is not None:
        try:
            kr.set_password(credentials.SERVICE, _account(home), passphrase)
            (home / PASSPHRASE_FILE).unlink(missing_ok=True)
            return "keyring"
        except Exception as exc:  # noqa: BLE001 - locked keyring: fall back to the private file
            log.warning("keyring unusable (%s); backup passphrase kept in a private file", type(exc).__name__)
    credentials._write_private(home / PASSPHRASE_FILE, passphrase)
    return "file"


def load_passphrase(home: Path | str) -> str | None:
    home = Path(home)
    kr = credentials._keyring()
    if kr is not None:
        try:
            value = kr.get_password(credentials.SERVICE, _account(home))
            if value:
                return value
        except Exception:  # noqa: BLE001
            pass
    try:
        return (home / PASSPHRASE_FILE).read_text(encoding="utf-8") or None
    except FileNotFoundError:
        return None


def has_passphrase(home: Path | str) -> bool:
    return load_passphrase(home) is not None


# --- files ------------------------------------------------------------------------------------


def list_backups(home: Path | str) -> list[BackupFile]:
    """Our backup files, newest first (other files in the folder are ignored, never touched)."""
    folder = backups_dir(home)
    if not folder.is_dir():
        return []
    found = []
    for path in folder.iterdir():
        if path.is_file() and _NAME_RE.match(path.name):
            mtime = datetime.fromtimestamp(path.stat().st_mtime, UTC)
            found.append(BackupFile(path, path.name.split("-", 1)[0], mtime))
    return sorted(found, key=lambda b: b.modified, reverse=True)


def prune_backups(home: Path | str, keep_days: int = KEEP_DAYS, now: datetime | None = None) -> list[Path]:
    """Delete backups older than `keep_days` by file date, never the newest; returns the deleted."""
    now = now or datetime.now(UTC)
    limit = now - timedelta(days=keep_days)
    backups = list_backups(home)
    deleted = []
    for b in backups[1:]:
        if b.modified < limit:
            b.path.unlink(missing_ok=True)
            deleted.append(b.path)
    if deleted:
        log.info("pruned %d backups older than %d days", len(deleted), keep_days)
    return deleted


def daily_backup_due(home: Path | str, now: datetime | None = None) -> bool:
    """True when no daily backup was written on today's Tehran civil day."""
    today = (now or datetime.now(UTC)).astimezone(TEHRAN).date()
    return not any(b.kind == "daily" and b.modified.astimezone(TEHRAN).date() == today for b in list_backups(home))


def write_backup(
    desk, *, passphrase: str, kind: str = "manual", now: datetime | None = None, actor: str | None = None
) -> Path:
    """Snapshot the desk's database (`services.backup`, audited) and write it encrypted into
    `<home>/backups/`; returns the new file. The plain snapshot never outlives this call."""
    if kind not in KINDS:
        raise ValueError(f"unknown backup kind {kind!r}")
    backup_crypto.check_passphrase(passphrase)
    now = now or datetime.now(UTC)
    office, device = _desk_identity(desk)
    folder = backups_dir(desk.home)
    folder.mkdir(parents=True, exist_ok=True)
    stem = f"{kind}-{office}-{device}-{now.astimezone(UTC):%Y%m%dT%H%M%SZ}"
    out = folder / f"{stem}{SUFFIX}"
    n = 1
    while out.exists():
        out = folder / f"{stem}-{n}{SUFFIX}"
        n += 1
    encrypt_snapshot(desk, out, passphrase=passphrase, now=now, actor=actor)
    ts = now.timestamp()
    os.utime(out, (ts, ts))  # the file date is the backup's date (retention and "due" read it)
    log.info("%s backup written: %s", kind, out.name)
    return out


def encrypt_snapshot(
    desk, out: Path | str, *, passphrase: str, now: datetime | None = None, actor: str | None = None
) -> Path:
    """Write an encrypted copy of the desk's database to `out` (`desk-app backup FILE` and the
    automatic backups): an online snapshot (`services.backup`, audited) next to `out`, encrypted,
    then removed whatever happens."""
    from desk_app.services import backup

    backup_crypto.check_passphrase(passphrase)
    out = Path(out)
    if out.is_dir():
        raise InvalidInput(f"«{out.name}» پوشه است؛ نام یک فایل را بدهید.", "file")
    now = now or datetime.now(UTC)
    office, device = _desk_identity(desk)
    out.parent.mkdir(parents=True, exist_ok=True)
    plain = out.with_name(f".{out.name}.{os.getpid()}.snapshot")
    try:
        backup.backup(desk, plain, actor=actor)
        created = now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        backup_crypto.encrypt_backup(plain, out, passphrase, office, device, created_at=created)
    finally:
        plain.unlink(missing_ok=True)
    return out


def restore_backup(home: Path | str, file: Path | str, passphrase: str, expect_office: str | None) -> object:
    """Decrypt an encrypted backup and restore it into the data folder (`services.backup`).

    Returns the `RestoreResult`. The decrypted copy is written beside the data folder's database
    and removed afterwards, whatever happens.
    """
    from desk_app.services import backup

    home = Path(home)
    home.mkdir(parents=True, exist_ok=True)
    plain = home / f".restore-{os.getpid()}.snapshot"
    try:
        backup_crypto.decrypt_backup(file, plain, passphrase, expect_office)
        return backup.restore(home, plain)
    finally:
        plain.unlink(missing_ok=True)


@dataclass(frozen=True)
class RestoreOutcome:
    """A restore and what the server said right after it (numbering continues after its number)."""

    result: object  # backup.RestoreResult
    enrolled: bool
    server_reached: bool
    server_last_receipt_no: str | None
    note: str | None = None  # Persian, when the server could not be asked

    def to_json(self) -> dict:
        return {
            **self.result.to_json(),
            "enrolled": self.enrolled,
            "server_reached": self.server_reached,
            "server_last_receipt_no": self.server_last_receipt_no,
        }


def office_of(home: Path | str) -> str | None:
    """The office code of the data folder, or None on a PC not yet set up (any office is accepted)."""
    from desk_app.services.context import Desk, database_path

    if not database_path(home).exists():
        return None
    with Desk.open(home) as desk:
        return str(desk.office_code) if desk.is_initialised else None


def restore_encrypted(
    home: Path | str, file: Path | str, passphrase: str, *, any_office: bool = False
) -> RestoreOutcome:
    """The one restore path of `desk-app restore` and `desk-app backups restore`: decrypt, check the
    office (this PC's, or any when not set up or `any_office`), replace the database, then ask the
    server once for the device's last receipt number."""
    expect = None if any_office else office_of(home)
    result = restore_backup(home, file, passphrase, expect)
    log.info("restored a backup with %d requests", result.requests)
    return hello_after_restore(home, result)


MSG_SERVER_AFTER_RESTORE = (
    "سرور استان اکنون پاسخ نداد ({reason})؛ شماره‌گذاری رسیدها پس از نخستین "
    "همگام‌سازی موفق، بعد از آخرین شماره‌ای که سرور می‌شناسد ادامه می‌یابد."
)
MSG_MISMATCH_AFTER_RESTORE = (
    "سرور استان این دستگاه را دفتر {s_office} / دستگاه {s_device} می‌شناسد، نه "
    "دفتر {office} / دستگاه {device}؛ شمارهٔ رسید از سرور گرفته نشد."
)


def hello_after_restore(home: Path | str, result) -> RestoreOutcome:
    """One `hello` to the provincial server, so `sync_state.server_last_receipt_no` is fresh and
    intake numbers after it. A server that does not answer is a note, never a failed restore."""
    from desk_app.services.context import Desk
    from desk_app.services.sync import HELLO_TIMEOUT, server_transport
    from desk_app.store.models import SyncState
    from desk_app.sync import protocol as P
    from desk_app.sync.errors import SyncError

    with Desk.open(home) as desk:
        transport = server_transport(desk, timeout=HELLO_TIMEOUT) if desk.is_initialised else None
        if transport is None:
            return RestoreOutcome(result, False, False, None)
        office, device = str(desk.office_code), int(desk.device_no)
        try:
            with transport:
                hello = P.Hello.model_validate(transport.hello())
        except SyncError as exc:
            log.warning("no hello after restore: %s", type(exc).__name__)
            return RestoreOutcome(result, True, False, None, MSG_SERVER_AFTER_RESTORE.format(reason=exc.message))
        except ValueError:
            return RestoreOutcome(result, True, False, None, MSG_SERVER_AFTER_RESTORE.format(reason="پاسخ نامعتبر"))
        if str(hello.office) != office or int(hello.device) != device:
            return RestoreOutcome(
                result,
                True,
                True,
                None,
                MSG_MISMATCH_AFTER_RESTORE.format(
                    s_office=hello.office, s_device=hello.device, office=office, device=device
                ),
            )
        if hello.last_receipt_no:
            with desk.db.write() as s:
                s.merge(SyncState(key="server_last_receipt_no", value=hello.last_receipt_no))
        log.info("after restore the server knows receipt numbers up to %s", hello.last_receipt_no)
        return RestoreOutcome(result, True, True, hello.last_receipt_no)


# --- what the UI and CLI call -----------------------------------------------------------------


def _desk_identity(desk) -> tuple[str, str]:
    return str(desk.office_code or "0"), str(desk.device_no or "0")


def _automatic(desk, kind: str, now: datetime | None) -> BackupOutcome:
    passphrase = load_passphrase(desk.home)
    if passphrase is None:
        log.warning("automatic %s backup skipped: no backup passphrase set", kind)
        return BackupOutcome(None, skipped="no_passphrase", message=NO_PASSPHRASE_FA)
    path = write_backup(desk, passphrase=passphrase, kind=kind, now=now)
    return BackupOutcome(path, pruned=tuple(prune_backups(desk.home, now=now)))


def run_daily_backup(desk, now: datetime | None = None) -> BackupOutcome:
    """Make today's backup if it is not there yet, then prune old ones."""
    if not daily_backup_due(desk.home, now):
        return BackupOutcome(None, skipped="already_done")
    return _automatic(desk, "daily", now)


def backup_at_shift_close(desk, now: datetime | None = None) -> BackupOutcome:
    """A backup right after a shift is closed (the day's cash is in it), then prune old ones."""
    return _automatic(desk, "shift", now)


def backup_now(desk, now: datetime | None = None) -> BackupOutcome:
    """A backup on request (the manager's button, `desk-app backups run`), then prune old ones."""
    return _automatic(desk, "manual", now)
