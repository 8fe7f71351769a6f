"""What every console page shares: templates, sessions, CSRF, forms, audit, security headers."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy.orm import Session

from desk_app.domain.jalali import as_utc, format_jalali_date, format_jalali_datetime, utc_now
from desk_app.domain.status import STATUS_LABELS_FA, Status
from desk_app.domain.text import normalize_text, to_persian_digits
from provincial_server.console.tables import Staff, StaffAudit, StaffSession

PREFIX = "/console"
COOKIE = "pk_console"
LOGIN_CSRF_COOKIE = "pk_console_login"
IDLE = timedelta(hours=2)
ABSOLUTE = timedelta(hours=12)
MAX_FORM_BYTES = 256 * 1024
TEMPLATES = Path(__file__).with_name("templates")
CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self'; font-src 'self'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)


def fa(value) -> str:
    """Persian digits for display (codes that must stay ASCII are shown without this)."""
    if value is None:
        return ""
    if isinstance(value, int):
        value = f"{value:,}".replace(",", "٬")
    return to_persian_digits(str(value))


def jdate(value) -> str:
    return format_jalali_date(value) if value else ""


def jdatetime(value) -> str:
    return format_jalali_datetime(as_utc(value)) if value else "—"


def status_label(value: str) -> str:
    try:
        return STATUS_LABELS_FA[Status(value)]
    except ValueError:
        return value


def age(seconds: float | int | None) -> str:
    """A duration in Persian words, coarse: ۳ روز، ۵ ساعت، ۱۲ دقیقه."""
    if seconds is None:
        return "—"
    s = max(0, int(seconds))
    if s >= 86400:
        return f"{fa(s // 86400)} روز" + (
            f" و {fa(s % 86400 // 3600)} ساعت" if s < 7 * 86400 and s % 86400 >= 3600 else ""
        )
    if s >= 3600:
        return f"{fa(s // 3600)} ساعت"
    if s >= 60:
        return f"{fa(s // 60)} دقیقه"
    return "کمتر از یک دقیقه"


env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(["html"]), trim_blocks=True)
env.filters.update(fa=fa, jdate=jdate, jdatetime=jdatetime, status_label=status_label, age=age)


def render(name: str, status_code: int = 200, **ctx) -> Response:
    html = env.get_template(name).render(prefix=PREFIX, **ctx)
    return secure(HTMLResponse(html, status_code=status_code))


def secure(resp: Response) -> Response:
    resp.headers["Content-Security-Policy"] = CSP
    resp.headers["X-Content-Type-Options"] = "nosniff"
    resp.headers["X-Frame-Options"] = "DENY"
    resp.headers["Referrer-Policy"] = "no-referrer"
    resp.headers.setdefault("Cache-Control", "no-store")
    return resp


def redirect(path: str) -> Response:
    return secure(RedirectResponse(PREFIX + path, status_code=303))


def is_tls(request: Request) -> bool:
    """Behind TLS: uvicorn sets the scheme from X-Forwarded-Proto of a trusted proxy."""
    return request.url.scheme == "https"


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "?"


def token_sha256(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


# ---------------------------------------------------------------- forms


class FormTooLarge(Exception):
    pass


async def read_form(request: Request) -> dict[str, str]:
    """An urlencoded form (the console's only kind), bounded; first value of each name."""
    buf = bytearray()
    async for chunk in request.stream():
        buf += chunk
        if len(buf) > MAX_FORM_BYTES:
            raise FormTooLarge()
    try:
        text = buf.decode("utf-8")
    except UnicodeDecodeError:
        return {}
    return {k: v[0] for k, v in parse_qs(text, keep_blank_values=True, max_num_fields=50).items()}


# ---------------------------------------------------------------- sessions


@dataclass
class Signed:
    """The staff member of a valid session."""

    staff: Staff
    session: StaffSession

    @property
    def username(self) -> str:
        return self.staff.username

    @property
    def csrf(self) -> str:
        return self.session.csrf


def open_session(s: Session, staff: Staff) -> tuple[str, StaffSession]:
    token = secrets.token_urlsafe(32)
    row = StaffSession(token_sha256=token_sha256(token), username=staff.username, csrf=secrets.token_urlsafe(32))
    s.add(row)
    return token, row


def session_of(s: Session, request: Request) -> Signed | None:
    token = request.cookies.get(COOKIE)
    if not token or len(token) > 128:
        return None
    row = s.get(StaffSession, token_sha256(token))
    now = utc_now()
    if row is None or row.ended_at is not None:
        return None
    if now - as_utc(row.seen_at) > IDLE or now - as_utc(row.created_at) > ABSOLUTE:
        row.ended_at = now
        return None
    staff = s.get(Staff, row.username)
    if staff is None or staff.disabled_at is not None:
        return None
    if now - as_utc(row.seen_at) > timedelta(minutes=1):
        row.seen_at = now
    return Signed(staff, row)


def set_session_cookie(resp: Response, request: Request, token: str) -> None:
    resp.set_cookie(
        COOKIE,
        token,
        max_age=int(ABSOLUTE.total_seconds()),
        path=PREFIX,
        httponly=True,
        samesite="strict",
        secure=is_tls(request),
    )


def csrf_ok(expected: str | None, got: str | None) -> bool:
    return bool(expected) and bool(got) and hmac.compare_digest(str(expected), str(got))


def audit(
    s: Session,
    request: Request,
    username: str,
    action: str,
    *,
    office: str | None = None,
    request_id: str | None = None,
    detail: str | None = None,
) -> None:
    s.add(
        StaffAudit(
            username=username[:64],
            action=action,
            office=office,
            request_id=request_id,
            ip=client_ip(request)[:64],
            detail=normalize_text(detail)[:2000] if detail else None,
        )
    )


def as_aware(value: datetime | None) -> datetime | None:
    return as_utc(value) if value is not None else None
