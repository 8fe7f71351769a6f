"""The device token: in the OS keyring when one is usable, else `device.token` (mode 0600).

Never in the settings table, never in a log line. `DESK_APP_NO_KEYRING=1` forces the file (tests,
headless servers, keyrings that would pop a dialog).
"""

from __future__ import annotations

import hashlib
import logging
import os
import sys
from pathlib import Path
from types import ModuleType

from desk_app.paths import make_private_dir

log = logging.getLogger("desk_app.sync")

TOKEN_FILE = "device.token"
SERVICE = "PishkhanDesk"


def _keyring_account(home: Path) -> str:
    # One entry per data folder: two enrolled folders on one PC must not share a token.
    return "device-token-" + hashlib.sha256(str(Path(home).resolve()).encode()).hexdigest()[:16]


def _keyring() -> ModuleType | None:
    """The keyring module if it is importable, allowed and backed by a real store, else None."""
    if os.environ.get("DESK_APP_NO_KEYRING"):
        return None
    try:
        import keyring
        from keyring.backends import fail
    except Exception:  # noqa: BLE001 - any import trouble means "no keyring"
        return None
    try:
        backend = keyring.get_keyring()
    except Exception:  # noqa: BLE001
        return None
    if isinstance(backend, fail.Keyring) or getattr(backend, "priority", 1) <= 0:
        return None
    return keyring


def store_name() -> str:
    """Where secrets go on this PC now: `keyring:<backend class>` or `file` (for self-test)."""
    kr = _keyring()
    return f"keyring:{type(kr.get_keyring()).__module__.rsplit('.', 1)[-1]}" if kr is not None else "file"


def keyring_importable() -> bool:
    try:
        import keyring.backends  # noqa: F401
    except Exception:  # noqa: BLE001
        return False
    return True


def token_path(home: Path | str) -> Path:
    return Path(home) / TOKEN_FILE


def _write_private(path: Path, text: str) -> None:
    """Write `text` so that only the user can read it, atomically (no world-readable moment)."""
    make_private_dir(path.parent)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, text.encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)
    if sys.platform != "win32":
        os.chmod(tmp, 0o600)
    os.replace(tmp, path)


def save_token(home: Path | str, token: str) -> str:
    """Store the token; returns where ("keyring" or "file")."""
    token = token.strip()
    if not token:
        raise ValueError("empty token")
    kr = _keyring()
    if kr is not None:
        try:
            kr.set_password(SERVICE, _keyring_account(Path(home)), token)
            path = token_path(home)
            if path.exists():  # a stale file would shadow nothing, but should not linger
                path.unlink()
            log.info("device token stored in the OS keyring")
            return "keyring"
        except Exception as exc:  # noqa: BLE001 - locked/unavailable keyring: fall back to the file
            log.warning("keyring unusable (%s); storing the device token in a private file", type(exc).__name__)
    _write_private(token_path(home), token)
    log.info("device token stored in %s", TOKEN_FILE)
    return "file"


def load_token(home: Path | str) -> str | None:
    """The stored token, or None when the device was never enrolled. A token left in the file by
    an older version (or while no keyring was usable) moves into the keyring once one is."""
    return load_secret(Path(home), _keyring_account(Path(home)), token_path(home), "device token")


def load_secret(home: Path, account: str, path: Path, what: str) -> str | None:
    """A secret from the keyring, else from its private file; a file's secret is moved to the
    keyring (and the file removed) when a keyring is usable now."""
    kr = _keyring()
    if kr is not None:
        try:
            stored: str | None = kr.get_password(SERVICE, account)
            if stored:
                return stored
        except Exception:  # noqa: BLE001 - a keyring that fails to answer: the file, if any
            kr = None
    try:
        value = path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    if value and kr is not None:
        try:
            kr.set_password(SERVICE, account, value)
            if kr.get_password(SERVICE, account) == value:
                path.unlink()
                log.info("%s moved from its file into the OS keyring", what)
        except Exception as exc:  # noqa: BLE001 - it stays in its private file
            log.warning("keyring unusable (%s); %s kept in its private file", type(exc).__name__, what)
    return value or None


def delete_token(home: Path | str) -> None:
    kr = _keyring()
    if kr is not None:
        try:
            kr.delete_password(SERVICE, _keyring_account(Path(home)))
        except Exception:  # noqa: BLE001
            pass
    try:
        token_path(home).unlink()
    except FileNotFoundError:
        pass
