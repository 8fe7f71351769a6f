"""Staff accounts: scrypt password hashes, `staff add`, and the login throttle.

A password is hashed with scrypt (N=2^14, r=8, p=1, 16-byte salt): slow on purpose, unlike a
device token, which is 256 random bits and needs only SHA-256 (`provincial_server.auth`).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from desk_app.domain.text import normalize_text
from provincial_server.console.tables import LoginThrottle, Staff, StaffAudit
from provincial_server.db import CatalogVersion, ServerDB

ROLES = ("agency", "province")
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
MIN_PASSWORD = 8
MAX_PASSWORD = 1024

# Failed logins: this many in WINDOW_S locks the key for LOCK_S.
USER_FAILURES, IP_FAILURES = 5, 30
WINDOW_S, LOCK_S = 15 * 60, 15 * 60


class StaffError(Exception):
    """A staff command's mistake, in Persian."""


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=32)
    b64 = base64.b64encode
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${b64(salt).decode()}${b64(digest).decode()}"


_DUMMY = hash_password("not a password of anyone")


def verify_password(password: str, stored: str | None) -> bool:
    """Constant work whether or not the user exists (`stored` None checks a dummy hash)."""
    try:
        kind, n, r, p, salt, digest = (stored or _DUMMY).split("$")
        got = hashlib.scrypt(
            password.encode("utf-8")[: MAX_PASSWORD * 4],
            salt=base64.b64decode(salt),
            n=int(n),
            r=int(r),
            p=int(p),
            dklen=32,
        )
    except (ValueError, TypeError):
        return False
    return kind == "scrypt" and stored is not None and hmac.compare_digest(got, base64.b64decode(digest))


def clean_username(text: str) -> str:
    name = normalize_text(text).lower()
    if not name or len(name) > 64 or not all(c.isascii() and (c.isalnum() or c in "._-") for c in name):
        raise StaffError("نام کاربری باید ۱ تا ۶۴ حرف لاتین، رقم، نقطه، خط تیره یا زیرخط باشد.")
    return name


def known_agencies(s: Session) -> set[str]:
    """Every agency named by a service in any loaded catalog version (normalised)."""
    out: set[str] = set()
    for content in s.scalars(select(CatalogVersion.content_json)):
        for svc in json.loads(content).get("services", []):
            if isinstance(svc, dict) and svc.get("agency"):
                out.add(normalize_text(str(svc["agency"])))
    return out


def add_staff(db: ServerDB, username: str, role: str, agency: str | None, password: str) -> Staff:
    username = clean_username(username)
    if role not in ROLES:
        raise StaffError("نقش باید agency (کارمند دستگاه) یا province (کارشناس استان) باشد.")
    if role == "agency":
        agency = normalize_text(agency or "")
        if not agency:
            raise StaffError("برای نقش agency نام دستگاه را با --agency بدهید.")
    elif agency:
        raise StaffError("کارشناس استان به دستگاهی بسته نیست؛ --agency را ندهید.")
    else:
        agency = None
    if len(password) < MIN_PASSWORD:
        raise StaffError(f"گذرواژه باید دست‌کم {MIN_PASSWORD} نویسه باشد.")
    if len(password) > MAX_PASSWORD:
        raise StaffError(f"گذرواژه حداکثر {MAX_PASSWORD} نویسه است.")
    with db.write() as s:
        if agency is not None:
            agencies = known_agencies(s)
            if agency not in agencies:
                names = "، ".join(sorted(agencies)) or "(هنوز فهرست خدماتی بارگذاری نشده است)"
                raise StaffError(f"دستگاه «{agency}» در فهرست خدمات نیست؛ دستگاه‌ها: {names}")
        if s.get(Staff, username) is not None:
            raise StaffError(f"کاربر {username} پیش‌تر افزوده شده است.")
        row = Staff(username=username, role=role, agency=agency, password_hash=hash_password(password))
        s.add(row)
        s.add(StaffAudit(username=username, action="staff_add", detail=f"{role} {agency or ''}".strip()))
    return row


# ---------------------------------------------------------------- login throttle


@dataclass(frozen=True)
class Locked:
    seconds: int


def throttle_check(s: Session, keys: list[str], now: float | None = None) -> Locked | None:
    now = time.time() if now is None else now
    wait = 0.0
    for key in keys:
        row = s.get(LoginThrottle, key, with_for_update=True)
        if row is not None and row.locked_until > now:
            wait = max(wait, row.locked_until - now)
    return Locked(int(wait) + 1) if wait else None


def throttle_fail(s: Session, keys: list[tuple[str, int]], now: float | None = None) -> None:
    """Count a failure against each (key, limit); a key at its limit is locked for LOCK_S."""
    now = time.time() if now is None else now
    for key, limit in keys:
        row = s.get(LoginThrottle, key, with_for_update=True)
        if row is None:
            row = LoginThrottle(key=key, failures=0, window_start=now, locked_until=0)
            s.add(row)
        if now - row.window_start > WINDOW_S:
            row.failures, row.window_start = 0, now
        row.failures += 1
        if row.failures >= limit:
            row.locked_until = now + LOCK_S
            row.failures, row.window_start = 0, now


def throttle_clear(s: Session, key: str) -> None:
    row = s.get(LoginThrottle, key)
    if row is not None:
        s.delete(row)
