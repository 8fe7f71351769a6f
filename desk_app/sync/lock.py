"""One sync per data folder: an OS file lock on `sync.lock` that dies with its process.

The lock is held by the open file description, so a SIGKILLed sync releases it the moment the
kernel closes its files; nothing on disk has to be cleaned up (the file itself stays, empty).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from desk_app.paths import make_private_dir
from desk_app.sync.errors import SyncBusy

LOCK_NAME = "sync.lock"


def _try_lock(fd: int) -> bool:
    if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
        import msvcrt

        try:
            os.lseek(fd, 0, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            return True
        except OSError:
            return False
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except (BlockingIOError, PermissionError):
        return False


def _unlock(fd: int) -> None:
    if sys.platform == "win32":  # pragma: no cover
        import msvcrt

        try:
            os.lseek(fd, 0, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
        except OSError:
            pass
        return
    import fcntl

    fcntl.flock(fd, fcntl.LOCK_UN)


@contextmanager
def sync_lock(home: Path | str) -> Iterator[Path]:
    """Hold the data folder's sync lock for the block; raise `SyncBusy` if another holds it."""
    path = Path(home) / LOCK_NAME
    make_private_dir(path.parent)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        if not _try_lock(fd):
            raise SyncBusy()
        try:
            yield path
        finally:
            _unlock(fd)
    finally:
        os.close(fd)
