"""Fee lines and what every layer needs of them without the catalog's declaration.

The catalog file itself (services, fee lines, versions) is declared once, as pydantic models, in
`desk_app.domain.catalog`; its names `FeeLine`, `Service`, `Catalog`, `parse_catalog`,
`catalog_sha256` and `catalog_json_schema` can still be imported from here (loaded on first use,
so that intake and the other hot paths do not import pydantic).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any, Literal, get_args

from desk_app.domain.errors import InvalidInput

FeeKind = Literal["government", "office", "postage"]
FEE_KINDS: tuple[str, ...] = get_args(FeeKind)
FEE_KIND_LABELS_FA = {"government": "سهم دولت", "office": "کارمزد دفتر", "postage": "هزینه پست"}
SERVICE_CODE_PATTERN = r"^[0-9A-Za-z_.-]{1,32}$"
SERVICE_CODE_RE = re.compile(SERVICE_CODE_PATTERN[1:-1], re.ASCII)
REQUIRED_SERVICE_FIELDS = ("code", "title", "agency", "fees", "active")
_CATALOG_NAMES = ("FeeLine", "Service", "Catalog", "parse_catalog", "catalog_sha256", "catalog_json_schema")


class CatalogError(InvalidInput):
    """A catalog file that breaks the rules; `.problems` lists every problem in Persian."""

    def __init__(self, problems: list[str]) -> None:
        shown = "\n".join(problems[:20])
        if len(problems) > 20:
            shown += f"\n… و {len(problems) - 20} مورد دیگر"
        super().__init__("فایل فهرست خدمات ایراد دارد:\n" + shown, "catalog")
        self.problems = problems


def fees_total(fees: Iterable[Any]) -> int:
    """Sum of fee lines given as `FeeLine`s or as `{"kind", "amount"}` dicts (a request's snapshot)."""
    total = 0
    for f in fees:
        total += int(f["amount"]) if isinstance(f, Mapping) else f.amount
    return total


def fee_snapshot(service: Any) -> list[dict[str, Any]]:
    """The fee lines a request keeps, so a later tariff change never rewrites its receipt."""
    return [f.to_dict() for f in service.fees]


def __getattr__(name: str) -> Any:
    if name in _CATALOG_NAMES:
        from desk_app.domain import catalog

        return getattr(catalog, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
