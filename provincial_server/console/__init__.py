"""The provincial web console (DESIGN.md section 12): agency staff answer their requests, the
province watches every office. Mounted under /console/ by `provincial_server.app`."""

from __future__ import annotations

import os

from provincial_server.console import tables as tables  # the tables join Base.metadata on import


def files_dir(db_url: str) -> str:
    """Attachment files: the folder of `serve --files` (`provincial_server.uploads`' rule)."""
    from provincial_server import uploads  # it imports the API's modules; the console loads first

    return os.environ.get("PROVINCIAL_FILES") or uploads.default_files_dir(db_url)


def register(app, db, db_url: str) -> None:
    from provincial_server.console import routes

    routes.register(app, db, files_dir(db_url))
