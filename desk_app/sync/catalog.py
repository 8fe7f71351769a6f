"""The one write path of the local catalog (`services` and `catalog_versions`).

`desk-app catalog import` (through `desk_app.services.catalog.import_catalog`, which adds the role
check and the audit line) and the sync engine's catalog refresh (`store_catalog`) both call
`write_catalog`. It lives in the sync layer because sync may not import services, while services
may import sync.

The catalog is parsed by the one declaration (`desk_app.domain.catalog.parse_catalog`) and its
content hash is `desk_app.domain.catalog.catalog_sha256`, the value the provincial server keys its
versions and the catalog's ETag on. Services missing from a new catalog are deactivated, never
deleted: requests made under an older catalog keep their own fee snapshot and stay printable.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from desk_app.domain.canonical import canonical_json, payload_sha256
from desk_app.domain.errors import InvalidInput
from desk_app.domain.text import search_key
from desk_app.store.models import CatalogVersion, ServiceRow

if TYPE_CHECKING:
    from desk_app.domain.catalog import Catalog, Service

log = logging.getLogger("desk_app.sync")


@dataclass
class ImportResult:
    """What storing a catalog changed (`catalog import --json` prints `to_json()`)."""

    version: str
    content_sha256: str = ""
    added: int = 0
    updated: int = 0
    deactivated: int = 0
    unchanged: bool = False
    services: int = 0
    codes_added: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "services": self.services,
            "added": self.added,
            "updated": self.updated,
            "deactivated": self.deactivated,
            "unchanged": self.unchanged,
        }


def service_values(svc: Service, version: str) -> dict[str, Any]:
    """The `services` row of one catalog service (every column but the code)."""
    return {
        "title": svc.title,
        "title_key": search_key(svc.title),
        "agency": svc.agency,
        "fees_json": json.dumps([f.to_dict() for f in svc.fees], ensure_ascii=False),
        "documents_json": json.dumps(list(svc.documents), ensure_ascii=False),
        "active": svc.active,
        "catalog_version": version,
        "form_json": None if svc.form is None else canonical_json(svc.form).decode("utf-8"),
    }


def _same_content(stored: str, sha: str, catalog: Catalog) -> bool:
    """Stores written before this path hashed the parsed catalog, not the file: accept that too."""
    return stored == sha or stored == payload_sha256(canonical_json(catalog.to_dict()))


def _fill_forms(session: Session, catalog: Catalog) -> None:
    """A catalog stored before the store kept forms (revision 0008) gets its forms on the next
    import or refresh of the same version, though its content is unchanged."""
    for svc in catalog.services:
        if svc.form is not None:
            row = session.get(ServiceRow, svc.code)
            if row is not None and row.form_json is None and row.catalog_version == catalog.version:
                row.form_json = canonical_json(svc.form).decode("utf-8")


def current_version_in(session: Session) -> str | None:
    return session.scalar(select(CatalogVersion.version).order_by(CatalogVersion.imported_at.desc()).limit(1))


def store_catalog(session: Session, data: Mapping[str, Any], now: str) -> str:
    """The sync engine's catalog refresh: `write_catalog` of the server's catalog; returns its version."""
    return write_catalog(session, data, now, from_server=True).version


def write_catalog(session: Session, data: Mapping[str, Any], now: str, *, from_server: bool) -> ImportResult:
    """Validate `data` (a decoded catalog file; `CatalogError` names service and field) and make it
    the local catalog, inside the caller's transaction.

    The same version with the same content again is a no-op (`unchanged`) when it is already the
    current one. The same version with other content: from a file it is refused (make a new
    version); from the server it replaces the local copy, since the server is the one that will
    check requests against it."""
    # imported on use: intake imports services.catalog, and so this module, and loads no pydantic
    from desk_app.domain.catalog import catalog_sha256, parse_catalog

    catalog = parse_catalog(data)
    sha = catalog_sha256(data)
    result = ImportResult(catalog.version, content_sha256=sha, services=len(catalog.services))
    known = session.get(CatalogVersion, catalog.version)
    if known is not None and not _same_content(known.content_sha256, sha, catalog):
        if not from_server:
            raise InvalidInput(
                f"نسخهٔ «{catalog.version}» فهرست خدمات پیش‌تر با محتوای دیگری وارد شده است؛ "
                "برای تغییر، نسخهٔ تازه‌ای بسازید.",
                "version",
            )
        log.warning("catalog %s from the server replaces a local copy with other content", catalog.version)
    elif known is not None and current_version_in(session) == catalog.version:
        known.content_sha256 = sha
        result.unchanged = True
        _fill_forms(session, catalog)
        return result
    if known is None:
        session.add(CatalogVersion(version=catalog.version, imported_at=now, content_sha256=sha))
    else:
        known.content_sha256 = sha
        known.imported_at = now
    rows = {r.code: r for r in session.scalars(select(ServiceRow))}
    for svc in catalog.services:
        values = service_values(svc, catalog.version)
        row = rows.pop(svc.code, None)
        if row is None:
            session.add(ServiceRow(code=svc.code, **values))
            result.added += 1
            result.codes_added.append(svc.code)
        else:
            for key, value in values.items():
                setattr(row, key, value)
            result.updated += 1
    for row in rows.values():  # gone from this version: kept for old requests, hidden from intake
        if row.active:
            result.deactivated += 1
        row.active = False
    return result
