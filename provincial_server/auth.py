"""Device tokens (only their SHA-256 is stored) and the per-device rate limit."""

from __future__ import annotations

import hashlib
import math
import secrets
import time
from dataclasses import dataclass

from sqlalchemy import select

from desk_app.sync import protocol
from provincial_server.db import Device, RateBucket, ServerDB, utcnow
from provincial_server.ingest import Caller


class ApiError(Exception):
    """An HTTP error answer with an `ErrorBody` (Persian detail)."""

    def __init__(self, status: int, error: str, detail: str, headers: dict[str, str] | None = None):
        super().__init__(error)
        self.status, self.error, self.detail, self.headers = status, error, detail, headers or {}


@dataclass(frozen=True)
class RateLimit:
    rate: float  # tokens per second
    burst: float

    @classmethod
    def parse(cls, text: str) -> RateLimit:
        """`"RATE,BURST"`, e.g. `"20,60"`; `"0"` or `"off"` disables."""
        if text.strip().lower() in {"0", "off", "none", ""}:
            return cls(0, 0)
        rate, _, burst = text.partition(",")
        r = float(rate)
        return cls(r, float(burst) if burst else max(1.0, r * 3))

    @property
    def enabled(self) -> bool:
        return self.rate > 0


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_sha256(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def check_protocol(value: str | None) -> None:
    try:
        version = int(value) if value is not None else None
    except ValueError:
        version = None
    if version is None or not (protocol.PROTOCOL_MIN <= version <= protocol.PROTOCOL_VERSION):
        raise ApiError(
            426,
            protocol.ERR_PROTOCOL,
            f"نسخه پروتکل پشتیبانی نمی‌شود؛ نسخه‌های {protocol.PROTOCOL_MIN} تا "
            f"{protocol.PROTOCOL_VERSION} پذیرفته است. برنامه را به‌روز کنید.",
            {"Upgrade": f"desk-protocol/{protocol.PROTOCOL_VERSION}"},
        )


def authenticate(
    db: ServerDB, limit: RateLimit, *, authorization: str | None, proto: str | None, path_office: str | None
) -> Caller:
    """Protocol (426), token (401), office (403), then rate limit (429), in one short transaction."""
    check_protocol(proto)
    scheme, _, token = (authorization or "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or len(token) > 512:
        raise ApiError(
            401,
            protocol.ERR_UNAUTHORIZED,
            "توکن دستگاه نیامده است؛ دستگاه را ثبت کنید.",
            {"WWW-Authenticate": "Bearer"},
        )
    digest = token_sha256(token)
    with db.write() as s:
        dev = s.scalars(select(Device).where(Device.token_sha256 == digest, Device.revoked_at.is_(None))).first()
        if dev is None:
            raise ApiError(
                401,
                protocol.ERR_UNAUTHORIZED,
                "توکن دستگاه شناخته نیست یا باطل شده است؛ دستگاه را دوباره ثبت کنید.",
                {"WWW-Authenticate": "Bearer"},
            )
        caller = Caller(dev.office, dev.device)
        if path_office is not None and path_office != dev.office:
            raise ApiError(403, protocol.ERR_FORBIDDEN, "این دستگاه به دفتر دیگری تعلق دارد.")
        dev.last_seen_at = utcnow()
        if limit.enabled:
            wait = _take_token(s, caller, limit)
            if wait > 0:
                raise ApiError(
                    429,
                    protocol.ERR_RATE_LIMITED,
                    "درخواست‌ها بیش از اندازه است؛ کمی بعد دوباره بفرستید.",
                    {protocol.HEADER_RETRY_AFTER: str(max(1, math.ceil(wait)))},
                )
    return caller


def _take_token(s, caller: Caller, limit: RateLimit) -> float:
    """Take one token from the device's bucket; returns 0, or the seconds until one is there."""
    now = time.time()
    bucket = s.scalars(
        select(RateBucket)
        .where(RateBucket.office == caller.office, RateBucket.device == caller.device)
        .with_for_update()
    ).first()
    if bucket is None:
        s.add(RateBucket(office=caller.office, device=caller.device, tokens=limit.burst - 1, updated=now))
        return 0
    tokens = min(limit.burst, bucket.tokens + max(0.0, now - bucket.updated) * limit.rate)
    bucket.updated = now
    if tokens < 1:
        bucket.tokens = tokens
        return (1 - tokens) / limit.rate
    bucket.tokens = tokens - 1
    return 0
