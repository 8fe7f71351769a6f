"""The one boundary where failures become Persian messages for the user (CONVENTIONS.md 5).

Known failures (bad input, permission, locked or full database, printer off, server down)
carry their own Persian message. Anything else is a bug: it is logged with its traceback by
the job runner and the user sees a short generic message.
"""

from __future__ import annotations

from desk_app.services.errors import known_errors

GENERIC_FA = "خطای پیش‌بینی‌نشده‌ای رخ داد؛ جزئیات در گزارش برنامه ثبت شد."
NETWORK_FA = "ارتباط با سرور استان برقرار نشد؛ کار به صورت آفلاین ادامه می‌یابد."
FILE_FA = "خطای فایل یا دیسک: {detail}"


def is_known_error(exc: BaseException) -> bool:
    return isinstance(exc, (*known_errors(), OSError))


def describe_error(exc: BaseException) -> str:
    """A Persian sentence for the user."""
    message = getattr(exc, "message", None)
    if isinstance(exc, known_errors()):
        return message or str(exc)
    if isinstance(exc, (ConnectionError, TimeoutError)):
        return NETWORK_FA
    if isinstance(exc, OSError):
        return FILE_FA.format(detail=exc.strerror or exc.__class__.__name__)
    return GENERIC_FA


def error_field(exc: BaseException) -> str | None:
    """The English field name an `InvalidInput` points at, if any."""
    return getattr(exc, "field", None)
