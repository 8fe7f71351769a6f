"""Write a catalog fetched from the server into the local `services`/`catalog_versions` tables.

The sync layer may not import `desk_app.services`, so the engine stores the catalog here, inside
its own transaction. Services missing from the new catalog are deactivated, never deleted:
requests made under an older catalog keep their own fee snapshot and stay printable.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from desk_app.domain.canonical import canonical_json, payload_sha256
from desk_app.domain.fees import parse_catalog
from desk_app.domain.text import search_key
from desk_app.store.models import CatalogVersion, ServiceRow


def store_catalog(session: Session, data: dict[str, Any], now: str) -> str:
    """Validate `data` (raises `CatalogError`) and make it the local catalog; returns its version."""
    catalog = parse_catalog(data)
    sha = payload_sha256(canonical_json(data))
    version_row = session.get(CatalogVersion, catalog.version)
    if version_row is None:
        session.add(CatalogVersion(version=catalog.version, imported_at=now, content_sha256=sha))
    else:
        version_row.content_sha256 = sha
        version_row.imported_at = now
    existing = {r.code: r for r in session.scalars(select(ServiceRow))}
    seen = set()
    for svc in catalog.services:
        seen.add(svc.code)
        values = dict(
            title=svc.title,
            title_key=search_key(svc.title),
            agency=svc.agency,
            fees_json=json.dumps([f.to_dict() for f in svc.fees], ensure_ascii=False),
            documents_json=json.dumps(list(svc.documents), ensure_ascii=False),
            active=svc.active,
            catalog_version=catalog.version,
        )
        row = existing.get(svc.code)
        if row is None:
            session.add(ServiceRow(code=svc.code, **values))
        else:
            for key, value in values.items():
                setattr(row, key, value)
    for code, row in existing.items():
        if code not in seen and row.active:
            row.active = False
    return catalog.version
