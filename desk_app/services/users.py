"""Users, passwords (scrypt, per-user salt) and the role check every other service goes through."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from desk_app.domain.errors import InvalidInput, PermissionDenied
from desk_app.domain.jalali import format_utc, utc_now
from desk_app.domain.roles import Role, parse_role, require
from desk_app.domain.text import has_bidi_controls, normalize_text, to_persian_digits
from desk_app.services import audit
from desk_app.store.models import User

if TYPE_CHECKING:
    from desk_app.services.context import Desk

SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
MIN_PASSWORD = 6
MAX_PASSWORD = 256
USERNAME_RE = re.compile(r"[a-z0-9][a-z0-9._-]{1,31}", re.ASCII)
MSG_BAD_LOGIN = "نام کاربری یا گذرواژه نادرست است."
# built once: every intake asks for its clerk (building the statement cost more than running it)
_BY_USERNAME = select(User).where(User.username == bindparam("username"))


@dataclass(frozen=True)
class UserView:
    id: int
    username: str
    full_name: str
    role: str
    active: bool

    def to_json(self) -> dict[str, Any]:
        return {"username": self.username, "full_name": self.full_name, "role": self.role, "active": self.active}


def _view(u: User) -> UserView:
    return UserView(u.id, u.username, u.full_name, u.role, u.active)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def hash_password(password: str, *, n: int = SCRYPT_N, r: int = SCRYPT_R, p: int = SCRYPT_P) -> str:
    """`scrypt$n$r$p$salt$hash` (salt and hash in base64)."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=32)
    return f"scrypt${n}${r}${p}${_b64(salt)}${_b64(digest)}"


def check_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        got = hashlib.scrypt(
            password.encode("utf-8"),
            salt=base64.b64decode(salt),
            n=int(n),
            r=int(r),
            p=int(p),
            dklen=len(base64.b64decode(digest)),
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, base64.b64decode(digest))


def clean_username(username: str) -> str:
    name = normalize_text(str(username or "")).lower()
    if not USERNAME_RE.fullmatch(name):
        raise InvalidInput("نام کاربری باید ۲ تا ۳۲ حرف لاتین کوچک، رقم، نقطه، خط تیره یا زیرخط باشد.", "username")
    return name


def _check_new_password(password: str) -> str:
    if not isinstance(password, str) or len(password) < MIN_PASSWORD:
        raise InvalidInput(f"گذرواژه باید دست‌کم {to_persian_digits(str(MIN_PASSWORD))} نویسه باشد.", "password")
    if len(password) > MAX_PASSWORD or has_bidi_controls(password) or "\x00" in password:
        raise InvalidInput("گذرواژه نویسه‌های نامعتبر دارد یا بیش از اندازه بلند است.", "password")
    return password


def acting_user(session: Session, username: str, action: str | None = None) -> User:
    """The active user `username`, after checking that their role may do `action`."""
    name = normalize_text(str(username or "")).lower()
    user = session.scalars(_BY_USERNAME, {"username": name}).first() if name else None
    if user is None:
        raise InvalidInput(f"کاربری با نام «{name[:40]}» وجود ندارد.", "clerk")
    if not user.active:
        raise PermissionDenied(f"حساب کاربری «{user.username}» غیرفعال است.", user.role, action)
    if action is not None:
        require(user.role, action)
    return user


def add_user(
    desk: Desk, username: str, role: str, password: str, full_name: str | None = None, actor: str | None = None
) -> UserView:
    """Add a user. `actor` (a manager) is checked when given; None is the local administrator
    at the command line (who already holds the data folder)."""
    name = clean_username(username)
    role_ = parse_role(role)
    _check_new_password(password)
    full = normalize_text(full_name or "")[:200] or name
    hashed = hash_password(password)
    with desk.db.write() as s:
        if actor is not None:
            acting_user(s, actor, "manage_users")
        if s.scalar(select(User.id).where(User.username == name)) is not None:
            raise InvalidInput(f"کاربر «{name}» از پیش وجود دارد.", "username")
        user = User(
            username=name,
            full_name=full,
            role=role_.value,
            password_hash=hashed,
            active=True,
            created_at=format_utc(utc_now()),
        )
        s.add(user)
        s.flush()
        audit.record(s, actor, "user.add", name, {"role": role_.value})
        return _view(user)


def login(desk: Desk, username: str, password: str) -> UserView:
    """The user if the password matches; one message for an unknown user and a wrong password."""
    try:
        name = clean_username(username)
    except InvalidInput:
        raise InvalidInput(MSG_BAD_LOGIN, "password") from None
    with desk.db.read() as s:
        user = s.scalar(select(User).where(User.username == name))
    if user is None or not check_password(password or "", user.password_hash):
        raise InvalidInput(MSG_BAD_LOGIN, "password")
    if not user.active:
        raise PermissionDenied(f"حساب کاربری «{user.username}» غیرفعال است.", user.role, "login")
    return _view(user)


def reset_password(desk: Desk, username: str, new_password: str, actor: str | None = None) -> None:
    _check_new_password(new_password)
    hashed = hash_password(new_password)
    with desk.db.write() as s:
        if actor is not None:
            acting_user(s, actor, "manage_users")
        user = _existing(s, username)
        user.password_hash = hashed
        audit.record(s, actor, "user.reset_password", user.username, {})


def set_active(desk: Desk, username: str, active: bool, actor: str | None = None) -> UserView:
    with desk.db.write() as s:
        if actor is not None:
            acting_user(s, actor, "manage_users")
        user = _existing(s, username)
        user.active = bool(active)
        audit.record(s, actor, "user.set_active", user.username, {"active": bool(active)})
        return _view(user)


def list_users(desk: Desk) -> list[UserView]:
    with desk.db.read() as s:
        return [_view(u) for u in s.scalars(select(User).order_by(User.username))]


def manager_names(desk: Desk) -> list[str]:
    """Full names of the active managers on this PC: the window names them to a clerk as the ones
    to ask for what only a manager may do (the printer, the settings)."""
    with desk.db.read() as s:
        return [
            u.full_name or u.username
            for u in s.scalars(
                select(User).where(User.role == "manager", User.active.is_(True)).order_by(User.username)
            )
        ]


def get_user(desk: Desk, username: str) -> UserView:
    with desk.db.read() as s:
        return _view(_existing(s, username))


def _existing(session: Session, username: str) -> User:
    name = normalize_text(str(username or "")).lower()
    user = session.scalar(select(User).where(User.username == name))
    if user is None:
        raise InvalidInput(f"کاربری با نام «{name[:40]}» وجود ندارد.", "username")
    return user


__all__ = [
    "Role",
    "UserView",
    "add_user",
    "login",
    "reset_password",
    "set_active",
    "list_users",
    "acting_user",
    "hash_password",
    "check_password",
    "get_user",
]
