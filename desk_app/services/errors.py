"""The errors a front end (the window, the `desk-app` command) turns into a Persian message.

The UI and the CLI import only services (and domain): this module names for them the failures
of the layers below that carry their own Persian `message` (CONVENTIONS.md 5). Printing pulls Qt
in and sync pulls `requests` in, so their errors are matched by "module.Class" only once their
module is loaded: such an error can only have been raised if it was.
"""

from __future__ import annotations

from desk_app.domain.errors import InvalidInput, PermissionDenied, loaded_classes
from desk_app.store.errors import StoreError

__all__ = ["InvalidInput", "PermissionDenied", "StoreError", "environment_errors", "known_errors"]

# The environment (exit 3): a printer that is off, a busy or unreachable sync, besides StoreError.
ENVIRONMENT_ERROR_NAMES = (
    "printing.errors.PrinterError",
    "desk_app.sync.errors.SyncError",
    "desk_app.sync.lock.SyncBusy",
)


def environment_errors() -> tuple[type[BaseException], ...]:
    """Database, printer and sync failures that are the environment's, not the user's or a bug."""
    return (StoreError, *loaded_classes(ENVIRONMENT_ERROR_NAMES))


def known_errors() -> tuple[type[BaseException], ...]:
    """Every failure with a Persian message of its own: bad input, a refused role, the environment."""
    return (InvalidInput, PermissionDenied, *environment_errors())
