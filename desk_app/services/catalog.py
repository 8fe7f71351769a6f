"""The local copy of the service catalog: import (file or server), list, look up.

Every imported version is remembered with the hash of its content; the same version with other
content is refused (as the server does). Services missing from a new version are deactivated,
not deleted: old requests still name them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select

from desk_app.domain.canonical import canonical_json, payload_sha256
from desk_app.domain.errors import InvalidInput
from desk_app.domain.fees import parse_catalog
from desk_app.domain.jalali import format_utc, utc_now
from desk_app.domain.text import normalize_text, search_key
from desk_app.services import audit
from desk_app.services.users import acting_user
from desk_app.store.models import CatalogVersion, ServiceRow

MAX_CATALOG_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class ServiceView:
    code: str
    title: str
    agency: str
    fees: list[dict]
    documents: list[str]
    active: bool
    catalog_version: str

    @property
    def total(self) -> int:
        return sum(f["amount"] for f in self.fees)

    def to_json(self) -> dict:
        return {
            "code": self.code,
            "title": self.title,
            "agency": self.agency,
            "fees": self.fees,
            "total": self.total,
            "documents": self.documents,
            "active": self.active,
            "catalog_version": self.catalog_version,
        }


@dataclass
class ImportResult:
    version: str
    added: int = 0
    updated: int = 0
    deactivated: int = 0
    unchanged: bool = False
    services: int = 0
    codes_added: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        return {
            "version": self.version,
            "services": self.services,
            "added": self.added,
            "updated": self.updated,
            "deactivated": self.deactivated,
            "unchanged": self.unchanged,
        }


def _view(row: ServiceRow) -> ServiceView:
    return ServiceView(
        row.code,
        row.title,
        row.agency,
        json.loads(row.fees_json),
        json.loads(row.documents_json),
        bool(row.active),
        row.catalog_version,
    )


def load_catalog_file(path: Path | str) -> Any:
    """The decoded JSON of a catalog file, or InvalidInput saying what is wrong with the file."""
    path = Path(path)
    try:
        if path.stat().st_size > MAX_CATALOG_BYTES:
            raise InvalidInput("فایل فهرست خدمات بیش از اندازه بزرگ است.", "catalog")
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InvalidInput(f"فایل «{path.name}» پیدا نشد.", "catalog") from None
    except IsADirectoryError:
        raise InvalidInput(f"«{path.name}» پوشه است، نه فایل.", "catalog") from None
    if not raw.strip():
        raise InvalidInput("فایل فهرست خدمات خالی است.", "catalog")
    try:
        return json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise InvalidInput("فایل فهرست خدمات باید با کدگذاری UTF-8 باشد.", "catalog") from None
    except json.JSONDecodeError as exc:
        raise InvalidInput(
            f"فایل فهرست خدمات JSON درستی نیست (سطر {exc.lineno}، ستون {exc.colno}).", "catalog"
        ) from None


def import_catalog(desk, data_or_path: Any, actor: str | None = None) -> ImportResult:
    """Parse (every problem reported at once), then replace the local catalog in one transaction."""
    data = data_or_path if isinstance(data_or_path, dict) else load_catalog_file(data_or_path)
    catalog = parse_catalog(data)
    if not catalog.services:  # would silently hide every service from intake
        raise InvalidInput("فهرست خدمات هیچ خدمتی ندارد؛ چیزی وارد نشد.", "services")
    content_hash = payload_sha256(canonical_json(catalog.to_dict()))
    result = ImportResult(catalog.version, services=len(catalog.services))
    with desk.db.write() as s:
        if actor is not None:
            acting_user(s, actor, "catalog_import")
        known = s.get(CatalogVersion, catalog.version)
        if known is not None and known.content_sha256 != content_hash:
            raise InvalidInput(
                f"نسخهٔ «{catalog.version}» فهرست خدمات پیش‌تر با محتوای دیگری وارد شده است؛ "
                "برای تغییر، نسخهٔ تازه‌ای بسازید.",
                "version",
            )
        current = current_version_in(s)
        if known is not None and current == catalog.version:
            result.unchanged = True
            return result
        if known is None:
            s.add(
                CatalogVersion(version=catalog.version, imported_at=format_utc(utc_now()), content_sha256=content_hash)
            )
        else:
            known.imported_at = format_utc(utc_now())
        rows = {r.code: r for r in s.scalars(select(ServiceRow))}
        for svc in catalog.services:
            values = dict(
                title=svc.title,
                title_key=search_key(svc.title),
                agency=svc.agency,
                fees_json=json.dumps([f.to_dict() for f in svc.fees], ensure_ascii=False),
                documents_json=json.dumps(list(svc.documents), ensure_ascii=False),
                active=svc.active,
                catalog_version=catalog.version,
            )
            row = rows.pop(svc.code, None)
            if row is None:
                s.add(ServiceRow(code=svc.code, **values))
                result.added += 1
                result.codes_added.append(svc.code)
            else:
                for k, v in values.items():
                    setattr(row, k, v)
                result.updated += 1
        for row in rows.values():  # gone from this version: keep for old requests, hide from intake
            if row.active:
                result.deactivated += 1
            row.active = False
        audit.record(s, actor, "catalog.import", catalog.version, result.to_json())
    return result


def current_version_in(session) -> str | None:
    return session.scalar(select(CatalogVersion.version).order_by(CatalogVersion.imported_at.desc()).limit(1))


def current_version(desk) -> str | None:
    with desk.db.read() as s:
        return current_version_in(s)


def list_services(desk, query: str | None = None, active_only: bool = False) -> list[ServiceView]:
    """Services by code; `query` matches a code prefix or any part of the folded title."""
    stmt = select(ServiceRow).order_by(ServiceRow.code)
    if active_only:
        stmt = stmt.where(ServiceRow.active.is_(True))
    q = normalize_text(query or "")
    if q:
        key = search_key(q).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        stmt = stmt.where(
            ServiceRow.code.startswith(q, autoescape=True) | ServiceRow.title_key.like(f"%{key}%", escape="\\")
        )
    with desk.db.read() as s:
        return [_view(r) for r in s.scalars(stmt)]


def get_service(desk, code: str) -> ServiceView:
    with desk.db.read() as s:
        return _view(service_row(s, code))


def service_row(session, code: str) -> ServiceRow:
    code = normalize_text(str(code or ""))
    row = session.get(ServiceRow, code) if code else None
    if row is None:
        raise InvalidInput(f"خدمتی با کد «{code[:32]}» در فهرست خدمات نیست.", "service")
    return row
