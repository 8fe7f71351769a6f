"""First start of a counter PC: office code, office name, device number, optional server."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from sqlalchemy import func, select

from desk_app.domain.errors import InvalidInput
from desk_app.domain.receipt import DEVICE_RE, OFFICE_RE
from desk_app.domain.text import clean_code, normalize_text
from desk_app.services import audit
from desk_app.store.models import Request

if TYPE_CHECKING:
    from desk_app.services.context import Desk


def clean_office_code(value: object) -> str:
    code = clean_code(str(value), "office")
    if not OFFICE_RE.fullmatch(code):
        raise InvalidInput("کد دفتر باید ۴ تا ۶ رقم باشد.", "office")
    return code


def clean_device_no(value: object) -> int:
    text = clean_code(str(value), "device")
    if not DEVICE_RE.fullmatch(text) or int(text) < 1:
        raise InvalidInput("شماره دستگاه باید عددی از ۱ تا ۹۹۹ باشد.", "device")
    return int(text)


def clean_server_url(url: str) -> str:
    url = normalize_text(url or "")
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise InvalidInput("نشانی کارگزار باید با http:// یا https:// آغاز شود.", "server")
    return url.rstrip("/")


def init_office(
    desk: Desk,
    office_code: str,
    office_name: str,
    device_no: int | str | None,
    server_url: str | None = None,
    token: str | None = None,
) -> None:
    """Store the office and device; refuse to renumber a device that already has requests."""
    code = clean_office_code(office_code)
    device = clean_device_no(device_no)
    name = normalize_text(office_name or "")
    if not name or len(name) > 200:
        raise InvalidInput("نام دفتر را (حداکثر ۲۰۰ نویسه) وارد کنید.", "office_name")
    url = clean_server_url(server_url) if server_url else None
    if token is not None and not url:
        raise InvalidInput("برای ذخیرهٔ توکن، نشانی کارگزار (--server) هم لازم است.", "server")
    with desk.db.write() as s:
        old_code = desk.settings.get("office_code", s)
        old_device = desk.settings.get("device_no", s)
        has_requests = s.execute(select(func.count()).select_from(Request)).scalar_one() > 0
        if has_requests and (old_code, old_device) != (code, device):
            raise InvalidInput("این دستگاه درخواست ثبت‌شده دارد؛ کد دفتر و شماره دستگاه را نمی‌توان عوض کرد.", "office")
        values = {"office_code": code, "office_name": name, "device_no": device}
        if url:
            values["server_url"] = url
        desk.settings.set_many(values, s)
        audit.record(s, None, "office.init", code, {"device": device, "server": bool(url)})
    if token is not None:
        save_token(desk.home, token)


def save_token(home: Path | str, token: str) -> None:
    """Hand the device token to the sync layer's credential store (never the settings table)."""
    from desk_app.sync.credentials import save_token as _save

    token = (token or "").strip()
    if not token:
        raise InvalidInput("فایل توکن خالی است.", "token")
    _save(home, token)


def credential_store() -> dict[str, Any]:
    """Whether the keyring module is bundled and where the device token would go now."""
    from desk_app.sync import credentials

    return {"keyring_module": credentials.keyring_importable(), "store": credentials.store_name()}
