"""The console's own tables (staff, sessions, login throttle, audit) and its indexes.

New tables only: the server has no migrations, so nothing here alters a table that exists.
The worklist's indexes on `requests` are made with CREATE INDEX IF NOT EXISTS whenever the
tables are created (`ServerDB.init` runs `create_all`), so an old database gains them on the
first start of a server that has the console.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import DateTime, Float, Index, Integer, String, Text, event, text
from sqlalchemy.orm import Mapped, mapped_column

from provincial_server.db import TABLES, Base, utcnow

TS = DateTime(timezone=True)


class Staff(Base):
    """A console user: `agency` staff answer their agency's requests, `province` staff watch offices."""

    __tablename__ = "console_staff"
    username: Mapped[str] = mapped_column(String(64), primary_key=True)
    role: Mapped[str] = mapped_column(String(16))  # agency | province
    agency: Mapped[str | None] = mapped_column(Text)  # normalised; the catalog's service `agency`
    password_hash: Mapped[str] = mapped_column(Text)  # scrypt$N$r$p$salt$hash
    created_at: Mapped[datetime] = mapped_column(TS, default=utcnow)
    disabled_at: Mapped[datetime | None] = mapped_column(TS)


class StaffSession(Base):
    """A signed-in browser; the cookie holds a random token, this row only its SHA-256."""

    __tablename__ = "console_sessions"
    token_sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    username: Mapped[str] = mapped_column(String(64))
    csrf: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(TS, default=utcnow)
    seen_at: Mapped[datetime] = mapped_column(TS, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(TS)
    __table_args__ = (Index("ix_console_sessions_user", "username"),)


class LoginThrottle(Base):
    """Failed logins per key (`user:NAME` or `ip:ADDRESS`) in a window; in the database so the
    limit holds across workers."""

    __tablename__ = "console_login_throttle"
    key: Mapped[str] = mapped_column(String(128), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    window_start: Mapped[float] = mapped_column(Float)  # unix time
    locked_until: Mapped[float] = mapped_column(Float, default=0)


class StaffAudit(Base):
    """Every staff action: sign-in (and failed tries), views, decisions, exports."""

    __tablename__ = "console_audit"
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=lambda: secrets.token_hex(16))
    at: Mapped[datetime] = mapped_column(TS, default=utcnow)
    username: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(32))
    office: Mapped[str | None] = mapped_column(String(6))
    request_id: Mapped[str | None] = mapped_column(String(36))
    ip: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[str | None] = mapped_column(Text)
    __table_args__ = (Index("ix_console_audit_at", "at"), Index("ix_console_audit_user", "username", "at"))


CONSOLE_TABLES = [Staff, StaffSession, LoginThrottle, StaffAudit]

# Staff accounts and their audit go into `provincial-server backup` (restored with the rest);
# sessions and login counters do not: a restored server starts with everyone signed out.
# `admin.backup`/`restore` walk `db.TABLES`, which is imported here before either can run.
for _model in (Staff, StaffAudit):
    if _model not in TABLES:
        TABLES.append(_model)

# Worklist keyset scans (one per service of the agency, merged), an office's list, the day counts.
REQUEST_INDEXES = {
    "ix_console_req_svc_status": "requests (service_code, status, received_at, office, request_id)",
    "ix_console_req_svc": "requests (service_code, received_at, office, request_id)",
    "ix_console_req_office": "requests (office, service_code, status, received_at, request_id)",
    "ix_console_req_day_svc": "requests (tehran_day, service_code)",
}


@event.listens_for(Base.metadata, "after_create")
def _request_indexes(_metadata, connection, **_kw) -> None:
    for name, target in REQUEST_INDEXES.items():
        connection.execute(text(f"CREATE INDEX IF NOT EXISTS {name} ON {target}"))
