"""Roles and what each may do; services call `require` before acting."""

from __future__ import annotations

from enum import StrEnum

from desk_app.domain.errors import InvalidInput, PermissionDenied


class Role(StrEnum):
    CLERK = "clerk"
    MANAGER = "manager"


ROLE_LABELS_FA: dict[Role, str] = {Role.CLERK: "متصدی باجه", Role.MANAGER: "مدیر دفتر"}

ACTION_LABELS_FA: dict[str, str] = {
    "register": "ثبت درخواست",
    "cancel": "لغو درخواست",
    "refund": "بازپرداخت وجه",
    "close_own_shift": "بستن شیفت خود",
    "close_any_shift": "شمارش و بستن شیفت متصدیان دیگر",
    "manage_users": "مدیریت کاربران",
    "daily_report": "گزارش روزانه",
    "settings": "تنظیمات",
    "catalog_import": "ورود فهرست خدمات",
    "backup": "پشتیبان‌گیری و بازیابی",
    "purge_attachments": "پاک‌سازی مدارک اسکن‌شده",
}
ACTIONS: frozenset[str] = frozenset(ACTION_LABELS_FA)

PERMISSIONS: dict[Role, frozenset[str]] = {
    Role.CLERK: frozenset({"register", "cancel", "refund", "close_own_shift"}),
    Role.MANAGER: ACTIONS,
}


def parse_role(value: str | Role) -> Role:
    try:
        return Role(str(value).strip().lower())
    except ValueError:
        raise InvalidInput("نقش کاربر باید clerk (متصدی) یا manager (مدیر) باشد.", "role") from None


def can(role: str | Role, action: str) -> bool:
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")  # a bug in the caller, not the user
    try:
        r = Role(role)
    except ValueError:
        return False
    return action in PERMISSIONS[r]


def require(role: str | Role, action: str) -> None:
    """Raise `PermissionDenied` (Persian message) unless `role` may do `action`."""
    if not can(role, action):
        label = ACTION_LABELS_FA[action]
        raise PermissionDenied(f"شما اجازهٔ «{label}» را ندارید؛ این کار با مدیر دفتر است.", str(role), action)
