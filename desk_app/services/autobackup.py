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
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from desk_app.domain.errors import InvalidInput
from desk_app.paths import make_private_dir
from desk_app.services import attachment_backup, backup_crypto
from desk_app.sync import credentials

if TYPE_CHECKING:
    from desk_app.services.context import Desk

if TYPE_CHECKING:
    from desk_app.services.backup import RestoreResult

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

    def to_json(self) -> dict[str, Any]:
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
    """The backup passphrase: OS keyring, else its private file (moved to the keyring once one is usable)."""
    home = Path(home)
    return credentials.load_secret(home, _account(home), home / PASSPHRASE_FILE, "backup passphrase")


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
    desk: Desk, *, passphrase: str, kind: str = "manual", now: datetime | None = None, actor: str | None = None
) -> Path:
    """Snapshot the desk's database (`services.backup`, audited) and write it encrypted into
    `<home>/backups/`; returns the new file. The plain snapshot never outlives this call."""
    if kind not in KINDS:
        raise ValueError(f"unknown backup kind {kind!r}")
    backup_crypto.check_passphrase(passphrase)
    now = now or datetime.now(UTC)
    office, device = _desk_identity(desk)
    folder = make_private_dir(backups_dir(desk.home))
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
    desk: Desk, out: Path | str, *, passphrase: str, now: datetime | None = None, actor: str | None = None
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
    # the plain copy stays in the (private) data folder, never beside `out` on a USB stick
    plain = Path(desk.home) / f".backup-{os.getpid()}-{out.name}.snapshot"
    try:
        backup.backup(desk, plain, actor=actor)
        attachment_backup.embed(desk.home, plain)  # the unsent scanned pages travel inside the snapshot
        created = now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        backup_crypto.encrypt_backup(plain, out, passphrase, office, device, created_at=created)
    finally:
        plain.unlink(missing_ok=True)
    return out


def restore_backup(
    home: Path | str, file: Path | str, passphrase: str, expect_office: str | None, *, replace_device: bool = False
) -> RestoreResult:
    """Decrypt an encrypted backup and restore it into the data folder (`services.backup`, which
    refuses another device's backup unless `replace_device`).

    Returns the `RestoreResult`. The decrypted copy is written beside the data folder's database
    (readable only by this user) and removed afterwards, whatever happens.
    """
    from desk_app.services import backup

    home = Path(home)
    make_private_dir(home)
    plain = home / f".restore-{os.getpid()}.snapshot"
    try:
        backup_crypto.decrypt_backup(file, plain, passphrase, expect_office)
        attachment_backup.extract(plain, home)  # page files first: the restored rows name them
        return backup.restore(home, plain, replace_device=replace_device)
    finally:
        plain.unlink(missing_ok=True)


@dataclass(frozen=True)
class RestoreOutcome:
    """A restore and what the server said right after it (numbering continues after its number)."""

    result: RestoreResult
    enrolled: bool
    server_reached: bool
    server_last_receipt_no: str | None
    note: str | None = None  # Persian, when the server could not be asked
    confirmed: bool = False  # the server confirmed the device: receipt numbers may be given
    next_steps: tuple[Step, ...] = ()  # what the province and the manager must do first

    def to_json(self) -> dict[str, Any]:
        return {
            **self.result.to_json(),
            "enrolled": self.enrolled,
            "server_reached": self.server_reached,
            "server_last_receipt_no": self.server_last_receipt_no,
            "device_confirmed": self.confirmed,
            "next_steps": [str(step) for step in self.next_steps],
        }


def office_of(home: Path | str) -> str | None:
    """The office code of the data folder, or None on a PC not yet set up (any office is accepted)."""
    from desk_app.services.backup import device_of

    this = device_of(home)
    return this[0] if this else None


def restore_encrypted(
    home: Path | str, file: Path | str, passphrase: str, *, any_office: bool = False, replace_device: bool = False
) -> RestoreOutcome:
    """The one restore path of `desk-app restore`, `desk-app backups restore` and the window: decrypt,
    check the office (this PC's, or any when not set up or `any_office`) and the device (this PC's,
    unless `replace_device`: the manager confirmed the PC of the backup is retired), replace the
    database, then ask the server once for the device's last receipt number.

    After replacing a device the stored device token (of the device this PC was) is deleted: this
    PC must be enrolled as its new device, which revokes the retired PC's token on the server."""
    from desk_app.sync.credentials import delete_token

    expect = None if any_office else office_of(home)
    result = restore_backup(home, file, passphrase, expect, replace_device=replace_device)
    log.info("restored a backup with %d requests", result.requests)
    if result.replaced is not None:
        delete_token(home)
        log.warning("this PC replaced another device by a restore; its old device token was removed")
    return hello_after_restore(home, result)


MSG_SERVER_AFTER_RESTORE = (
    "سرور استان اکنون پاسخ نداد ({reason})؛ تا نخستین همگام‌سازی موفق شمارهٔ رسید داده نمی‌شود "
    "(desk-app sync --once)، سپس شماره‌گذاری بعد از آخرین شماره‌ای که سرور می‌شناسد ادامه می‌یابد."
)
MSG_MISMATCH_AFTER_RESTORE = (
    "سرور استان این دستگاه را دفتر {s_office} / دستگاه {s_device} می‌شناسد، نه "
    "دفتر {office} / دستگاه {device}؛ تا این رایانه با توکن درست ثبت نشود شمارهٔ رسید داده نمی‌شود."
)


@dataclass(frozen=True)
class Step:
    """One thing to do before this PC numbers receipts: where (Persian), the command, why (Persian)."""

    where: str
    command: str
    why: str

    def __str__(self) -> str:
        return f"{self.where}: {self.command} ({self.why})"


def enrol_steps(office: str, device: str, server: str | None, old: tuple[str, str] | None) -> tuple[Step, ...]:
    """What the province and the manager must do before this PC numbers receipts as `device`."""
    steps = [
        Step(
            "در سرور استان",
            f"provincial-server device enrol --office {office} --device {device}",
            f"توکن رایانهٔ قبلی دستگاه {device} را باطل می‌کند و توکن تازه‌ای چاپ می‌کند",
        )
    ]
    if old is not None:
        steps.append(
            Step(
                "در سرور استان",
                f"provincial-server device revoke --office {old[0]} --device {old[1]}",
                f"این رایانه دیگر دستگاه {old[1]} نیست و توکن آن از این رایانه پاک شد",
            )
        )
    steps.append(
        Step(
            "در این رایانه",
            f"desk-app enrol --server {server or 'URL'} --token-file TOKEN_FILE",
            "با توکن تازه؛ در پنجرهٔ برنامه: تنظیمات ← ثبت در سرور",
        )
    )
    steps.append(
        Step(
            "در این رایانه",
            "desk-app sync --once",
            "سرور استان دستگاه را تأیید می‌کند و شمارهٔ رسیدها بعد از آخرین شماره‌ای که برای این دستگاه "
            "می‌شناسد ادامه می‌یابد",
        )
    )
    return tuple(steps)


def hello_after_restore(home: Path | str, result: RestoreResult) -> RestoreOutcome:
    """One `hello` to the provincial server, so `sync_state.server_last_receipt_no` is fresh and the
    device is confirmed (intake numbers again, after that number). A server that does not answer is
    a note, never a failed restore: intake then waits for the first successful sync."""
    from desk_app.services.context import Desk
    from desk_app.services.sync import HELLO_TIMEOUT, server_transport
    from desk_app.store.models import SyncState
    from desk_app.sync import identity
    from desk_app.sync import protocol as P
    from desk_app.sync.errors import SyncError

    with Desk.open(home) as desk:
        if not desk.is_initialised:
            return RestoreOutcome(result, False, False, None)
        server = desk.settings.get("server_url")
        transport = server_transport(desk, timeout=HELLO_TIMEOUT)
        office, device = str(desk.office_code), desk.device_no
        assert device is not None, "is_initialised"
        if transport is None:
            steps = enrol_steps(office, str(device), server, result.replaced)
            return RestoreOutcome(result, False, False, None, next_steps=steps)
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
                next_steps=enrol_steps(office, str(device), server, None),
            )
        last = _receipt_or_none(hello.last_receipt_no)
        with desk.db.write() as s:  # the number and the confirmation in one transaction
            if last:
                s.merge(SyncState(key="server_last_receipt_no", value=last))
            s.merge(SyncState(key=identity.KEY, value=None))
        log.info("after restore the server knows receipt numbers up to %s", last)
        return RestoreOutcome(result, True, True, last, confirmed=True)


def _receipt_or_none(value: str | None) -> str | None:
    from desk_app.domain.receipt import normalize_receipt_no

    try:
        return normalize_receipt_no(value) if value else None
    except InvalidInput:
        return None


# --- what the UI and CLI call -----------------------------------------------------------------


def _desk_identity(desk: Desk) -> tuple[str, str]:
    return str(desk.office_code or "0"), str(desk.device_no or "0")


def _automatic(desk: Desk, kind: str, now: datetime | None) -> BackupOutcome:
    passphrase = load_passphrase(desk.home)
    if passphrase is None:
        log.warning("automatic %s backup skipped: no backup passphrase set", kind)
        return BackupOutcome(None, skipped="no_passphrase", message=NO_PASSPHRASE_FA)
    path = write_backup(desk, passphrase=passphrase, kind=kind, now=now)
    return BackupOutcome(path, pruned=tuple(prune_backups(desk.home, now=now)))


def run_daily_backup(desk: Desk, now: datetime | None = None) -> BackupOutcome:
    """Make today's backup if it is not there yet, then prune old ones."""
    if not daily_backup_due(desk.home, now):
        return BackupOutcome(None, skipped="already_done")
    return _automatic(desk, "daily", now)


def backup_at_shift_close(desk: Desk, now: datetime | None = None) -> BackupOutcome:
    """A backup right after a shift is closed (the day's cash is in it), then prune old ones."""
    return _automatic(desk, "shift", now)


def backup_now(desk: Desk, now: datetime | None = None) -> BackupOutcome:
    """A backup on request (the manager's button, `desk-app backups run`), then prune old ones."""
    return _automatic(desk, "manual", now)
