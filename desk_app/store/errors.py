"""Known environment failures of the local store, turned into one Persian message."""

from __future__ import annotations


class StoreError(Exception):
    """A database problem the user can act on (locked, full disk, read-only, corrupt).

    `message` is Persian and shown as is; `kind` is an English tag for code and tests.
    """

    exit_code = 3

    def __init__(self, message: str, kind: str = "other"):
        super().__init__(message)
        self.message = message
        self.kind = kind

    def __str__(self) -> str:
        return self.message
