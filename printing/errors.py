"""The one error printing raises for the user: a Persian message, exit code 3 at the CLI."""

from __future__ import annotations


class PrinterError(Exception):
    """A printer or output target failed (off, out of paper, cover open, unreachable, bad target).

    `message` is Persian and safe to show; it never carries a national code.
    """

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message
