"""Which requests an agency's staff may see: those of services whose catalog `agency` is theirs.

Decided by the request's own catalog version (a service that moved to another agency in a later
catalog stays with the agency it had when the citizen asked). Catalog versions never change once
loaded, so their parsed services are kept in memory.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from desk_app.domain.text import normalize_text
from provincial_server.db import CatalogVersion

_lock = threading.Lock()
_versions: dict[str, dict[str, dict]] = {}  # version -> code -> service dict


@dataclass
class Scope:
    """An agency's services: code -> the catalog versions in which the code is the agency's."""

    agency: str
    versions_of: dict[str, set[str]] = field(default_factory=dict)
    titles: dict[str, str] = field(default_factory=dict)  # code -> title (latest version)

    @property
    def codes(self) -> list[str]:
        return sorted(self.versions_of)

    def holds(self, service_code: str, catalog_version: str) -> bool:
        return catalog_version in self.versions_of.get(service_code, ())


def services_of(s: Session, version: str) -> dict[str, dict]:
    """The services of one catalog version by code ({} for a version the server does not hold)."""
    with _lock:
        got = _versions.get(version)
    if got is None:
        content = s.scalar(select(CatalogVersion.content_json).where(CatalogVersion.version == version))
        if content is None:
            return {}
        got = {str(svc.get("code")): svc for svc in json.loads(content).get("services", []) if isinstance(svc, dict)}
        with _lock:
            _versions[version] = got
    return got


def all_versions(s: Session) -> list[str]:
    """Catalog versions in load order (the last is current)."""
    return list(s.scalars(select(CatalogVersion.version).order_by(CatalogVersion.load_no)))


def scope_of(s: Session, agency: str) -> Scope:
    scope = Scope(agency=agency)
    for version in all_versions(s):
        for code, svc in services_of(s, version).items():
            if normalize_text(str(svc.get("agency") or "")) == agency:
                scope.versions_of.setdefault(code, set()).add(version)
                scope.titles[code] = normalize_text(str(svc.get("title") or code))
    return scope


def service_titles(s: Session) -> dict[str, str]:
    """Every service code's title (the latest version that has it)."""
    out: dict[str, str] = {}
    for version in all_versions(s):
        for code, svc in services_of(s, version).items():
            out[code] = normalize_text(str(svc.get("title") or code))
    return out
