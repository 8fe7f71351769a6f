"""Catalog versions: every version kept, none ever changed once loaded.

Parsed with the one declaration of the catalog (`desk_app.domain.catalog`) and keyed on its one
content hash (`catalog_sha256`), the value desks store for the same version and the ETag."""

from __future__ import annotations

import json
import threading

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desk_app.domain.canonical import canonical_json
from desk_app.domain.catalog import Catalog, catalog_sha256, parse_catalog
from provincial_server.db import CatalogVersion


class CatalogRefused(ValueError):
    """Loading would change an existing version, or the file is not a valid catalog."""


def load_catalog(s: Session, data: dict) -> tuple[str, bool]:
    """Store `data` as its version; returns (version, is_new). Same content again is a no-op."""
    catalog = parse_catalog(data)  # CatalogError names service and field
    body = canonical_json(data)
    sha = catalog_sha256(data)
    existing = s.get(CatalogVersion, catalog.version)
    if existing is not None:
        if existing.content_sha256 != sha:
            raise CatalogRefused(f"نسخه {catalog.version} پیش‌تر با محتوای دیگری بارگذاری شده است؛ نسخه را عوض کنید.")
        return catalog.version, False
    load_no = (s.scalar(select(func.max(CatalogVersion.load_no))) or 0) + 1
    s.add(
        CatalogVersion(version=catalog.version, load_no=load_no, content_json=body.decode("utf-8"), content_sha256=sha)
    )
    return catalog.version, True


def current(s: Session) -> CatalogVersion | None:
    return s.scalars(select(CatalogVersion).order_by(CatalogVersion.load_no.desc()).limit(1)).first()


def etag_of(row: CatalogVersion | None) -> str | None:
    return None if row is None else f'"{row.content_sha256}"'


_cache: dict[tuple[str, str], Catalog] = {}
_cache_lock = threading.Lock()


def get_version(s: Session, version: str) -> Catalog | None:
    """Parsed catalog of `version`, cached by (version, content hash): a restore may bring
    another content under the same name, the hash tells them apart."""
    sha = s.scalar(select(CatalogVersion.content_sha256).where(CatalogVersion.version == version))
    if sha is None:
        return None
    with _cache_lock:
        hit = _cache.get((version, sha))
    if hit is not None:
        return hit
    row = s.get(CatalogVersion, version)
    parsed = parse_catalog(json.loads(row.content_json))
    with _cache_lock:
        _cache[(version, sha)] = parsed
    return parsed
