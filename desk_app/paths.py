"""Where bundled resources and the user's data folder live (source tree or PyInstaller bundle)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

APP_NAME = "PishkhanDesk"


def resources_dir() -> Path:
    """The `resources/` folder: beside the packages in a checkout, inside the bundle when frozen."""
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        return Path(bundle) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"


def default_home() -> Path:
    """The data folder: `$DESK_APP_HOME`, else the platform's per-user data folder."""
    env = os.environ.get("DESK_APP_HOME")
    if env:
        return Path(env)
    try:
        from platformdirs import user_data_dir

        return Path(user_data_dir(APP_NAME, appauthor=False))
    except ImportError:  # pragma: no cover - platformdirs is a dependency
        return Path.home() / ".local" / "share" / APP_NAME
