"""Typed sync failures: the transport classifies every failure into one of these.

The engine decides by type only (retry, stop, halve the batch, resync); messages are Persian
because they end up in `sync_state.last_error`/`stopped_reason` and in the status bar.
"""

from __future__ import annotations


class SyncError(Exception):
    """Base of every sync failure; `str(exc)` is the Persian message."""

    retryable = False

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


class RetryableError(SyncError):
    """Network error, timeout, truncated/unparsable body, 5xx: same operations again later."""

    retryable = True

    def __init__(
        self, message: str, *, status: int | None = None, retry_after: float | None = None, timeout: bool = False
    ) -> None:
        super().__init__(message, status=status)
        self.retry_after = retry_after
        self.timeout = timeout


class Unreachable(RetryableError):
    """No HTTP answer at all (connection refused/reset, DNS, timeout): the server is offline."""


class AuthError(SyncError):
    """401/403: the token is unknown, revoked or for another office. Stop; re-enrol."""


class TooLarge(SyncError):
    """413: the batch is too large for the server."""


class TooOld(SyncError):
    """426: this client speaks a protocol the server no longer accepts."""


class ResyncRequired(SyncError):
    """409 resync_required: the cursor belongs to another epoch or is beyond the server's feed."""


class ProtocolError(SyncError):
    """Any other 4xx: a bug on one side; not retried blindly in a tight loop."""


class SyncBusy(SyncError):
    """Another sync holds the data folder's lock."""

    def __init__(self, message: str = "همگام‌سازی دیگری در همین پوشه در حال اجراست.") -> None:
        super().__init__(message)
