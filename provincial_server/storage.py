"""Where the server keeps attachment bytes: a small interface and its folder implementation.

Files are named by office and SHA-256 (`DIR/OFFICE/ab/abcdef...`), so one office's page is
never found under another's name, and a page is written once however often it is linked."""

from __future__ import annotations

import os
from pathlib import Path
from typing import BinaryIO, Protocol


class FileStore(Protocol):
    def exists(self, office: str, sha256: str) -> bool: ...

    def open_read(self, office: str, sha256: str) -> BinaryIO: ...

    def put_file(self, office: str, sha256: str, source: Path) -> None: ...


class FolderStore:
    """Files under one folder (created 0700; files 0600: they are citizens' documents)."""

    def __init__(self, root: str | Path):
        self.root = Path(root)

    def path(self, office: str, sha256: str) -> Path:
        if not (office.isalnum() and len(sha256) == 64 and all(c in "0123456789abcdef" for c in sha256)):
            raise ValueError("bad office or sha256")
        return self.root / office / sha256[:2] / sha256

    def exists(self, office: str, sha256: str) -> bool:
        return self.path(office, sha256).is_file()

    def open_read(self, office: str, sha256: str) -> BinaryIO:
        return self.path(office, sha256).open("rb")

    def put_file(self, office: str, sha256: str, source: Path) -> None:
        """Move `source` (a verified, complete file) into place atomically."""
        target = self.path(office, sha256)
        target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(source, 0o600)
        os.replace(source, target)
