"""The provincial web console (DESIGN.md section 12): agency staff answer their requests, the
province watches every office. Mounted under /console/ by `provincial_server.app`."""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy.engine import make_url

from provincial_server.console import tables as tables  # the tables join Base.metadata on import


def files_dir(db_url: str) -> str:
    """Attachment files: `PROVINCIAL_FILES`, else beside a SQLite database (`provincial.db` ->
    `provincial-files/`), else `./provincial-files` (the rule of `serve --files`)."""
    if os.environ.get("PROVINCIAL_FILES"):
        return os.environ["PROVINCIAL_FILES"]
    try:
        url = make_url(db_url)
    except Exception:  # noqa: BLE001 - any unparsable URL: the current folder
        return "provincial-files"
    database = url.database if url.drivername.startswith("sqlite") else None
    if database and database != ":memory:" and not database.startswith("file:"):
        p = Path(database)
        return str(p.with_name(p.stem + "-files"))
    return "provincial-files"


def register(app, db, db_url: str) -> None:
    from provincial_server.console import routes

    routes.register(app, db, files_dir(db_url))
