"""Alembic, run programmatically at start-up (no alembic.ini at run time)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import text

from desk_app.store.errors import StoreError

if TYPE_CHECKING:
    from alembic.config import Config
    from sqlalchemy.engine import Connection

    from desk_app.store.engine import Database

log = logging.getLogger("desk_app.store")

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
# oldest first; a test checks it against the scripts
REVISIONS = ("0001", "0002", "0003", "0004", "0005", "0006", "0007", "0008")
HEAD = REVISIONS[-1]


def current_revision(db: Database) -> str | None:
    with db.connection() as conn:
        exists = conn.execute(text("SELECT 1 FROM sqlite_master WHERE type='table' AND name='alembic_version'")).first()
        if not exists:
            return None
        row = conn.execute(text("SELECT version_num FROM alembic_version")).first()
        return row[0] if row else None


def alembic_config(connection: Connection | None = None) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["connection"] = connection
    return cfg


def upgrade(db: Database, revision: str = "head") -> None:
    """Bring the schema to `revision` inside one BEGIN IMMEDIATE transaction (a no-op at head)."""
    current = current_revision(db)
    if revision == "head" and current == HEAD:
        return
    if current is not None and current not in REVISIONS:
        raise StoreError("این پایگاه داده با نسخهٔ جدیدتری از برنامه ساخته شده است؛ برنامه را به‌روز کنید.", "version")
    from alembic import command

    with db.connection(immediate=True) as conn:
        command.upgrade(alembic_config(conn), revision)
    log.info("database schema upgraded to %s", revision)
