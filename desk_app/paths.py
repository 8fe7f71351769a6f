"""Where bundled resources and the user's data folder live (source tree or PyInstaller bundle)."""

from __future__ import annotations

import os
import stat
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


def cache_dir() -> Path:
    """The per-user cache folder (things that can be rebuilt, e.g. python-escpos's capabilities)."""
    try:
        from platformdirs import user_cache_dir

        return Path(user_cache_dir(APP_NAME, appauthor=False))
    except ImportError:  # pragma: no cover - platformdirs is a dependency
        return Path.home() / ".cache" / APP_NAME


# --- the data folder is private ---------------------------------------------------------------
# It holds national codes (the database, its -wal/-shm, backups, PDFs), the device token and the
# logs: folders 0700 and files 0600 whatever the umask, on POSIX (Windows gives a user's
# %LOCALAPPDATA% to that user alone already). SQLite gives -wal/-shm the mode of the database
# file, so creating that file 0600 is enough for them.

PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600
_POSIX = os.name == "posix"


def make_private_dir(path: Path | str) -> Path:
    """Create `path` (and missing parents) and make `path` itself 0700; returns it."""
    path = Path(path)
    path.mkdir(mode=PRIVATE_DIR_MODE, parents=True, exist_ok=True)
    if _POSIX and (path.stat().st_mode & 0o777) != PRIVATE_DIR_MODE:
        os.chmod(path, PRIVATE_DIR_MODE)
    return path


def open_private(path: Path | str, mode: str = "wb", **kwargs):
    """`open(path, mode)` for writing, but a file it creates is 0600 from its first byte (not 0644
    and then changed: no moment where another account could open it)."""
    flags = os.O_WRONLY | os.O_CREAT
    if "a" in mode:
        flags |= os.O_APPEND
    elif "x" in mode:
        flags |= os.O_EXCL
    else:
        flags |= os.O_TRUNC
    flags |= getattr(os, "O_BINARY", 0) if "b" in mode else 0
    fd = os.open(path, flags, PRIVATE_FILE_MODE)
    try:
        return os.fdopen(fd, mode.replace("x", "w"), **kwargs)
    except BaseException:
        os.close(fd)
        raise


def create_private_file(path: Path | str) -> Path:
    """Make sure `path` exists; a file created here is empty and 0600 (for writers that open the
    file themselves: SQLite, reportlab, Qt). An existing file is left as it is."""
    path = Path(path)
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE_MODE))
    except FileExistsError:
        pass
    return path


def is_private_dir(path: Path | str) -> bool:
    """True on a folder that is 0700 already (or on Windows, or when there is no folder yet)."""
    try:
        return not _POSIX or (os.stat(path).st_mode & 0o777) == PRIVATE_DIR_MODE
    except FileNotFoundError:
        return True


def tighten_private_dir(home: Path | str, *, deep: bool = True) -> int:
    """Folders 0700 and files 0600 under the data folder `home` (folders made by an older version
    under a 022 umask were 0755, the database 0644): everywhere when `deep`, else `home` and the
    folders right inside it (what start-up checks on a folder that is private already: cheap with
    thousands of files deeper down). Symbolic links are not followed. Returns how many modes it
    changed."""
    if not _POSIX:
        return 0
    changed = 0
    home = Path(home)
    if not home.is_dir():
        return 0
    for root, dirs, files in os.walk(home):
        if not deep and root != str(home):
            dirs[:] = []  # one level below home is enough here
        for name, want in [(root, PRIVATE_DIR_MODE)] + [(os.path.join(root, f), PRIVATE_FILE_MODE) for f in files]:
            try:
                st = os.lstat(name)
            except FileNotFoundError:
                continue
            if stat.S_ISLNK(st.st_mode) or (st.st_mode & 0o777) == want:
                continue
            if not (stat.S_ISDIR(st.st_mode) or stat.S_ISREG(st.st_mode)):
                continue  # a socket or FIFO: not ours to change
            try:
                os.chmod(name, want)
                changed += 1
            except OSError:
                pass  # not our file (another owner): nothing we can do here
        dirs[:] = [d for d in dirs if not os.path.islink(os.path.join(root, d))]
    return changed
