"""Where the server keeps attachment bytes: a small interface and its folder implementation.

Files are named by office and SHA-256 (`DIR/OFFICE/ab/abcdef...`), so one office's page is
never found under another's name, and a page is written once however often it is linked.
Uploads in progress are files of their own (`DIR/OFFICE/.uploads/UPLOAD_ID`): appended and
fsynced before a PATCH is answered, their size is the upload's offset (a server killed mid-upload
resumes from what reached the disk), and moved into place once their hash is checked."""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, Protocol

try:
    import fcntl
except ImportError:  # Windows (the desk's embedded demo server): one process, a lock in memory is enough
    fcntl = None  # type: ignore[assignment]

UPLOADS = ".uploads"
_local_lock = threading.Lock()


class FileStore(Protocol):
    def exists(self, office: str, sha256: str) -> bool: ...

    def open_read(self, office: str, sha256: str) -> BinaryIO: ...

    def put_file(self, office: str, sha256: str, source: Path) -> None: ...

    def remove(self, office: str, sha256: str) -> None: ...

    def partial_path(self, office: str, upload_id: str) -> Path: ...

    def locked_partial(self, office: str, upload_id: str) -> contextlib.AbstractContextManager[BinaryIO]: ...

    def discard_partial(self, office: str, upload_id: str) -> None: ...


def _check_office(office: str) -> str:
    if not (office.isascii() and office.isalnum()):
        raise ValueError("bad office")
    return office


class FolderStore:
    """Files under one folder (created 0700; files 0600: they are citizens' documents)."""

    def __init__(self, root: str | Path):
        self.root = Path(root)

    def path(self, office: str, sha256: str) -> Path:
        if not (len(sha256) == 64 and all(c in "0123456789abcdef" for c in sha256)):
            raise ValueError("bad office or sha256")
        return self.root / _check_office(office) / sha256[:2] / sha256

    def exists(self, office: str, sha256: str) -> bool:
        return self.path(office, sha256).is_file()

    def open_read(self, office: str, sha256: str) -> BinaryIO:
        return self.path(office, sha256).open("rb")

    def put_file(self, office: str, sha256: str, source: Path) -> None:
        """Move `source` (a verified, complete file) into place atomically, durably."""
        target = self.path(office, sha256)
        target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(source, 0o600)
        os.replace(source, target)
        _fsync_dir(target.parent)

    def remove(self, office: str, sha256: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.path(office, sha256).unlink()

    # -- uploads in progress --------------------------------------------------------------
    def partial_path(self, office: str, upload_id: str) -> Path:
        if not (upload_id.isascii() and upload_id.isalnum() and len(upload_id) <= 64):
            raise ValueError("bad upload id")
        return self.root / _check_office(office) / UPLOADS / upload_id

    @contextlib.contextmanager
    def locked_partial(self, office: str, upload_id: str) -> Iterator[BinaryIO]:
        """The upload's file opened for appending under an exclusive lock (one PATCH at a time,
        across workers); created empty when missing."""
        path = self.partial_path(office, upload_id)
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        with os.fdopen(fd, "r+b") as f:
            if fcntl is None:
                with _local_lock:
                    yield f
                return
            fcntl.flock(f.fileno(), fcntl.LOCK_EX)
            try:
                yield f
            finally:
                fcntl.flock(f.fileno(), fcntl.LOCK_UN)

    def discard_partial(self, office: str, upload_id: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.partial_path(office, upload_id).unlink()


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
