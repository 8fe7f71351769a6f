"""HTTP transport of sync protocol v1 over one keep-alive `requests.Session`.

Every failure leaves this module as one of the typed errors of `desk_app.sync.errors`, so the
engine never sees a `requests` exception: no answer / timeout / truncated or garbled body / 5xx
-> `RetryableError` (`Unreachable` when no HTTP answer came at all); 429/503 carry Retry-After;
401/403 -> `AuthError`; 413 -> `TooLarge`; 426 -> `TooOld`; 409 resync_required ->
`ResyncRequired`. The token goes only into the Authorization header, never into a log line.
"""

from __future__ import annotations

import email.utils
import gzip
import json
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import requests

from desk_app.sync.errors import AuthError, ProtocolError, ResyncRequired, RetryableError, TooLarge, TooOld, Unreachable

log = logging.getLogger("desk_app.sync")

PROTOCOL_HEADER = "X-Desk-Protocol"
PROTOCOL_VERSION = "1"
DESK_STATUS_HEADER = "X-Desk-Status"  # desk_app.sync.protocol.HEADER_DESK_STATUS
GZIP_MIN_BYTES = 1024
DEFAULT_TIMEOUT = (5.0, 30.0)  # (connect, read) seconds


@dataclass
class CatalogAnswer:
    """`GET /catalog`: `data` is None on 304 (the cached catalog is current)."""

    etag: str | None
    data: dict[str, Any] | None


class Transport(Protocol):
    """What the sync engine calls: `HttpTransport` here, a fake in the engine's unit tests."""

    def hello(self, status: Mapping[str, Any] | None = None) -> dict[str, Any]: ...
    def post_batch(self, office: str, body: bytes) -> dict[str, Any]: ...
    def changes(self, office: str, cursor: str, limit: int) -> dict[str, Any]: ...
    def lookup(self, office: str, request_ids: list[str]) -> dict[str, Any]: ...
    def catalog(self, etag: str | None = None) -> CatalogAnswer: ...


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or HTTP-date); None if absent/bad."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(int(value)))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


class HttpTransport:
    """Client side of the protocol; one instance per sync run (the session keeps connections)."""

    def __init__(
        self,
        base_url: str,
        token: str,
        ca_file: str | None = None,
        timeout: tuple[float, float] | float = DEFAULT_TIMEOUT,
        user_agent: str = "PishkhanDesk/0.1",
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout if isinstance(timeout, tuple) else (min(5.0, timeout), timeout)
        self.session = requests.Session()
        self.session.verify = ca_file if ca_file else True
        self.session.trust_env = False  # an office proxy variable must not reroute the token
        self.session.headers.update(
            {
                "Authorization": f"Bearer {token}",
                PROTOCOL_HEADER: PROTOCOL_VERSION,
                "Accept": "application/json",
                "Accept-Encoding": "gzip",
                "User-Agent": user_agent,
            }
        )
        self.bytes_sent = 0  # request bodies as put on the wire (after gzip)
        self.bytes_received = 0  # response bodies as decoded JSON text

    # -- plumbing ------------------------------------------------------------------------
    def close(self) -> None:
        self.session.close()

    def __enter__(self) -> HttpTransport:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def set_read_timeout(self, seconds: float) -> None:
        self.timeout = (self.timeout[0], seconds)

    def _request(
        self,
        method: str,
        path: str,
        *,
        body: bytes | None = None,
        params: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        ok: tuple[int, ...] = (200,),
    ) -> requests.Response:
        url = self.base_url + path
        hdrs = dict(headers or {})
        if body is not None:
            hdrs["Content-Type"] = "application/json"
            if len(body) > GZIP_MIN_BYTES:
                body = gzip.compress(body, compresslevel=6, mtime=0)
                hdrs["Content-Encoding"] = "gzip"
            self.bytes_sent += len(body)
        try:
            resp = self.session.request(method, url, data=body, params=params, headers=hdrs, timeout=self.timeout)
            content = resp.content  # read fully here so truncation surfaces as an exception
        except requests.exceptions.Timeout as exc:
            raise Unreachable("پاسخ سرور استان در زمان مقرر نرسید.", timeout=True) from exc
        except requests.exceptions.SSLError as exc:
            raise Unreachable("گواهی امنیتی سرور استان معتبر نیست.") from exc
        except (requests.exceptions.ChunkedEncodingError, requests.exceptions.ContentDecodingError) as exc:
            raise RetryableError("پاسخ سرور استان ناقص رسید.") from exc
        except requests.exceptions.ConnectionError as exc:
            # A reset after the request was written is still "no answer": retry, the op_id
            # makes a repeat harmless.
            raise Unreachable("اتصال به سرور استان برقرار نشد.") from exc
        except requests.exceptions.RequestException as exc:
            raise Unreachable("خطای شبکه در ارتباط با سرور استان.") from exc
        self.bytes_received += len(content)
        self._classify(resp)
        if resp.status_code not in ok:
            raise ProtocolError(f"پاسخ غیرمنتظره از سرور استان (کد {resp.status_code}).", status=resp.status_code)
        return resp

    @staticmethod
    def _classify(resp: requests.Response) -> None:
        code = resp.status_code
        if code < 400:
            return
        retry_after = parse_retry_after(resp.headers.get("Retry-After"))
        if code in (401, 403):
            raise AuthError(
                "سرور استان این دستگاه را نمی‌شناسد یا مجوز آن لغو شده است؛ دستگاه را دوباره ثبت (enrol) کنید.",
                status=code,
            )
        if code == 413:
            raise TooLarge("بستهٔ ارسالی برای سرور استان بیش از حد بزرگ است.", status=code)
        if code == 426:
            raise TooOld(
                "نسخهٔ این برنامه برای سرور استان قدیمی است؛ درخواست‌ها محلی نگه داشته می‌شوند تا برنامه به‌روز شود.",
                status=code,
            )
        if code == 409:
            if "resync_required" in resp.text:
                raise ResyncRequired("سرور استان همگام‌سازی دوباره خواست.", status=code)
            raise ProtocolError("تعارض در پاسخ سرور استان.", status=code)
        if code == 429:
            raise RetryableError(
                "سرور استان درخواست‌ها را محدود کرده است؛ بعداً تلاش می‌شود.", status=code, retry_after=retry_after
            )
        if code >= 500:
            raise RetryableError(f"سرور استان موقتاً در دسترس نیست (کد {code}).", status=code, retry_after=retry_after)
        raise ProtocolError(f"سرور استان درخواست را نپذیرفت (کد {code}).", status=code)

    @staticmethod
    def _json(resp: requests.Response) -> Any:
        try:
            return json.loads(resp.content.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            raise RetryableError("پاسخ سرور استان قابل خواندن نبود.") from exc

    def _json_dict(self, resp: requests.Response, *keys: str) -> dict[str, Any]:
        data = self._json(resp)
        if not isinstance(data, dict) or any(k not in data for k in keys):
            raise RetryableError("پاسخ سرور استان ناقص یا نامعتبر بود.")
        return data

    # -- protocol calls ------------------------------------------------------------------
    def hello(self, status: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """`status`: the desk's report of itself (DESIGN.md section 12), sent as `X-Desk-Status`."""
        headers = None
        if status:
            headers = {DESK_STATUS_HEADER: json.dumps(dict(status), ensure_ascii=True, separators=(",", ":"))}
        return self._json_dict(self._request("GET", "/api/v1/hello", headers=headers))

    def post_batch(self, office: str, body: bytes) -> dict[str, Any]:
        """POST the already-built `{"items": [...]}` bytes; returns `{"results": [...]}`."""
        resp = self._request("POST", f"/api/v1/offices/{office}/requests/batch", body=body)
        data = self._json_dict(resp, "results")
        if not isinstance(data["results"], list):
            raise RetryableError("پاسخ سرور استان ناقص یا نامعتبر بود.")
        return data

    def changes(self, office: str, cursor: str, limit: int) -> dict[str, Any]:
        resp = self._request("GET", f"/api/v1/offices/{office}/changes", params={"cursor": cursor, "limit": limit})
        return self._json_dict(resp, "changes", "cursor", "more")

    def lookup(self, office: str, request_ids: list[str]) -> dict[str, Any]:
        body = json.dumps({"request_ids": request_ids}, separators=(",", ":")).encode()
        resp = self._request("POST", f"/api/v1/offices/{office}/requests/lookup", body=body)
        return self._json_dict(resp, "known")

    def catalog(self, etag: str | None = None) -> CatalogAnswer:
        headers = {"If-None-Match": etag} if etag else None
        resp = self._request("GET", "/api/v1/catalog", headers=headers, ok=(200, 304))
        if resp.status_code == 304:
            return CatalogAnswer(etag=etag, data=None)
        return CatalogAnswer(etag=resp.headers.get("ETag"), data=self._json_dict(resp))

    def daily_report(self, office: str, iso_date: str) -> dict[str, Any]:
        resp = self._request("GET", f"/api/v1/offices/{office}/reports/daily", params={"date": iso_date})
        return self._json_dict(resp)
