"""The one boundary where failures become Persian messages for the user (CONVENTIONS.md 5).

Known failures (bad input, permission, locked or full database, printer off, server down)
carry their own Persian message. Anything else is a bug: it is logged with its traceback by
the job runner and the user sees a short generic message.
"""

from __future__ import annotations

from desk_app.domain.errors import InvalidInput, PermissionDenied, loaded_classes
from desk_app.store.errors import StoreError

GENERIC_FA = "خطای پیش‌بینی‌نشده‌ای رخ داد؛ جزئیات در گزارش برنامه ثبت شد."
NETWORK_FA = "ارتباط با سرور استان برقرار نشد؛ کار به صورت آفلاین ادامه می‌یابد."
FILE_FA = "خطای فایل یا دیسک: {detail}"

# Known errors of layers this module does not import (so importing it stays cheap).
_KNOWN_BY_NAME = (
    "printing.errors.PrinterError",
    "desk_app.sync.errors.SyncError",
    "desk_app.sync.lock.SyncBusy",
)


def _named_classes() -> tuple[type, ...]:
    return loaded_classes(_KNOWN_BY_NAME)


def is_known_error(exc: BaseException) -> bool:
    return isinstance(exc, (InvalidInput, PermissionDenied, StoreError, OSError) + _named_classes())


def describe_error(exc: BaseException) -> str:
    """A Persian sentence for the user."""
    message = getattr(exc, "message", None)
    if isinstance(exc, (InvalidInput, PermissionDenied, StoreError) + _named_classes()):
        return message or str(exc)
    if isinstance(exc, (ConnectionError, TimeoutError)):
        return NETWORK_FA
    if isinstance(exc, OSError):
        return FILE_FA.format(detail=exc.strerror or exc.__class__.__name__)
    return GENERIC_FA


def error_field(exc: BaseException) -> str | None:
    """The English field name an `InvalidInput` points at, if any."""
    return getattr(exc, "field", None)
