"""The local copy of the service catalog: import a file, list, look up.

A file and the server's catalog are written by one function (`desk_app.sync.catalog.write_catalog`):
every imported version is remembered with the content hash the server also uses; the same
version with other content is refused (as the server does). Services missing from a new version
are deactivated, not deleted: old requests still name them.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from desk_app.domain.errors import InvalidInput
from desk_app.domain.forms import Form, parse_form
from desk_app.domain.jalali import format_utc, utc_now
from desk_app.domain.text import normalize_text, search_key
from desk_app.services import audit
from desk_app.services.users import acting_user
from desk_app.store.models import ServiceRow
from desk_app.sync.catalog import ImportResult, current_version_in, write_catalog

if TYPE_CHECKING:
    from desk_app.services.context import Desk

__all__ = [
    "ImportResult",
    "ServiceView",
    "current_version_in",
    "form_of_row",
    "get_service",
    "import_catalog",
    "list_services",
    "service_form",
]

MAX_CATALOG_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class ServiceView:
    code: str
    title: str
    agency: str
    fees: list[dict[str, Any]]
    documents: list[str]
    active: bool
    catalog_version: str
    form: dict[str, Any] | None = None  # the service's form definition (DESIGN.md section 10)

    @property
    def total(self) -> int:
        return sum(int(f["amount"]) for f in self.fees)

    def to_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "title": self.title,
            "agency": self.agency,
            "fees": self.fees,
            "total": self.total,
            "documents": self.documents,
            "active": self.active,
            "catalog_version": self.catalog_version,
            **({"form": self.form} if self.form is not None else {}),
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
        None if row.form_json is None else json.loads(row.form_json),
    )


@functools.lru_cache(maxsize=256)
def _parsed_form(form_json: str) -> Form:
    """Parsed once per content: the stored text is canonical JSON, so equal forms share an entry."""
    return parse_form(json.loads(form_json))


def form_of_row(row: ServiceRow) -> Form | None:
    """The parsed form of a stored service (it was checked when the catalog was written)."""
    return None if row.form_json is None else _parsed_form(row.form_json)


_FORM_BY_CODE = select(ServiceRow.form_json).where(ServiceRow.code == bindparam("code"))


def service_form(desk: Desk, code: str) -> Form | None:
    """The form of the service `code` in the local catalog (the version its row was last written
    by), or None when it asks for nothing beyond the citizen; InvalidInput for an unknown code."""
    code = normalize_text(str(code or ""))
    with desk.db.read() as s:
        found = s.execute(_FORM_BY_CODE, {"code": code}).first() if code else None
    if found is None:
        raise InvalidInput(f"خدمتی با کد «{code[:32]}» در فهرست خدمات نیست.", "service")
    form_json: str | None = found[0]
    return None if form_json is None else _parsed_form(form_json)


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


def import_catalog(desk: Desk, data_or_path: Any, actor: str | None = None) -> ImportResult:
    """A catalog file (or its decoded JSON) made the local catalog through the one write path
    (`desk_app.sync.catalog.write_catalog`: every problem reported at once, one transaction), with
    the role check when a user acts and an audit line when something changed."""
    data = data_or_path if isinstance(data_or_path, dict) else load_catalog_file(data_or_path)
    with desk.db.write() as s:
        if actor is not None:
            acting_user(s, actor, "catalog_import")
        result = write_catalog(s, data, format_utc(utc_now()), from_server=False)
        if not result.unchanged:
            audit.record(s, actor, "catalog.import", result.version, result.to_json())
    return result


def current_version(desk: Desk) -> str | None:
    with desk.db.read() as s:
        return current_version_in(s)


def list_services(desk: Desk, query: str | None = None, active_only: bool = False) -> list[ServiceView]:
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


def get_service(desk: Desk, code: str) -> ServiceView:
    with desk.db.read() as s:
        return _view(service_row(s, code))


_BY_CODE = select(ServiceRow).where(ServiceRow.code == bindparam("code"))  # built once: every intake


def service_row(session: Session, code: str) -> ServiceRow:
    code = normalize_text(str(code or ""))
    row = session.scalars(_BY_CODE, {"code": code}).first() if code else None
    if row is None:
        raise InvalidInput(f"خدمتی با کد «{code[:32]}» در فهرست خدمات نیست.", "service")
    return row
