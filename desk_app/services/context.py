"""`Desk`: one open data folder (database + settings), the first argument of every service."""

from __future__ import annotations

import logging
from pathlib import Path

from desk_app.paths import is_private_dir, tighten_private_dir
from desk_app.services.settings import DB_NAME, Settings
from desk_app.store.engine import Database, open_database

log = logging.getLogger("desk_app.services")

__all__ = ["DB_NAME", "Desk", "database_path"]


def database_path(home: Path | str) -> Path:
    return Path(home) / DB_NAME


class Desk:
    def __init__(self, home: Path, db: Database):
        self.home = home
        self.db = db
        self.settings = Settings(db)

    @classmethod
    def open(cls, home: Path | str, *, busy_timeout: int | None = None) -> Desk:
        """Create the data folder if needed, open the database and bring its schema up to date."""
        home = Path(home)
        loose = not is_private_dir(home)  # a folder of an older version: 0755 and 0644 files
        db = open_database(database_path(home), busy_timeout=busy_timeout)
        try:
            changed = tighten_private_dir(home, deep=loose)
        except OSError:
            changed = 0
        if changed:
            log.info("data folder made private (%d modes changed)", changed)
        return cls(home, db)

    @property
    def is_initialised(self) -> bool:
        values = self.settings.all()
        return bool(values["office_code"]) and values["device_no"] is not None

    @property
    def office_code(self) -> str | None:
        """None until set-up (`is_initialised`)."""
        code: str | None = self.settings.get("office_code")
        return code

    @property
    def device_no(self) -> int | None:
        """None until set-up (`is_initialised`)."""
        number: int | None = self.settings.get("device_no")
        return number

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Desk:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
