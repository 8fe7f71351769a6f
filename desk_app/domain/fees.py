"""Services, their fee lines and the catalog file (DESIGN.md "Catalog file").

`parse_catalog` checks a whole file and reports every problem at once, each naming the service
(its code, or its position when the code itself is missing) and the field, in Persian, so that
an office manager can fix the file in one go. Text fields go through the normaliser.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeGuard

from desk_app.domain.errors import InvalidInput
from desk_app.domain.money import MAX_RIALS
from desk_app.domain.text import has_format_controls, normalize_digits, normalize_text

FEE_KINDS = ("government", "office", "postage")
FEE_KIND_LABELS_FA = {"government": "سهم دولت", "office": "کارمزد دفتر", "postage": "هزینه پست"}
SERVICE_CODE_RE = re.compile(r"[0-9A-Za-z_.-]{1,32}", re.ASCII)
REQUIRED_SERVICE_FIELDS = ("code", "title", "agency", "fees", "active")
_FIELD_FA = {
    "version": "نسخه",
    "services": "فهرست خدمات",
    "code": "کد خدمت",
    "title": "عنوان",
    "agency": "دستگاه",
    "fees": "هزینه‌ها",
    "active": "فعال",
    "documents": "مدارک لازم",
    "kind": "نوع هزینه",
    "amount": "مبلغ",
}


@dataclass(frozen=True)
class FeeLine:
    kind: str
    amount: int

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "amount": self.amount}


@dataclass(frozen=True)
class Service:
    code: str
    title: str
    agency: str
    fees: tuple[FeeLine, ...]
    documents: tuple[str, ...] = ()
    active: bool = True

    @property
    def total(self) -> int:
        return fees_total(self.fees)

    def to_dict(self) -> dict[str, Any]:
        """The service as in the catalog file."""
        return {
            "code": self.code,
            "title": self.title,
            "agency": self.agency,
            "fees": fee_snapshot(self),
            "documents": list(self.documents),
            "active": self.active,
        }


@dataclass(frozen=True)
class Catalog:
    version: str
    services: tuple[Service, ...]

    def get(self, code: str) -> Service | None:
        for s in self.services:
            if s.code == code:
                return s
        return None

    def to_dict(self) -> dict[str, Any]:
        return {"version": self.version, "services": [s.to_dict() for s in self.services]}


class CatalogError(InvalidInput):
    """A catalog file that breaks the rules; `.problems` lists every problem in Persian."""

    def __init__(self, problems: list[str]) -> None:
        shown = "\n".join(problems[:20])
        if len(problems) > 20:
            shown += f"\n… و {len(problems) - 20} مورد دیگر"
        super().__init__("فایل فهرست خدمات ایراد دارد:\n" + shown, "catalog")
        self.problems = problems


def fees_total(fees: Iterable[FeeLine | Mapping[str, Any]]) -> int:
    total = 0
    for f in fees:
        total += f.amount if isinstance(f, FeeLine) else int(f["amount"])
    return total


def fee_snapshot(service: Service) -> list[dict[str, Any]]:
    """The fee lines a request keeps, so a later tariff change never rewrites its receipt."""
    return [f.to_dict() for f in service.fees]


def _is_amount(v: Any) -> TypeGuard[int]:
    return isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= MAX_RIALS


def _where(code: Any, index: int) -> str:
    if isinstance(code, str) and code and SERVICE_CODE_RE.fullmatch(code):
        return f"خدمت {code}"
    return f"خدمت شمارهٔ {index + 1} در فهرست"


def _field(name: str) -> str:
    return f"فیلد {name} ({_FIELD_FA.get(name.split('.')[-1].split('[')[0], name)})"


def _text(item: Mapping[str, Any], name: str, where: str, problems: list[str]) -> str:
    v = item.get(name)
    text = normalize_text(v) if isinstance(v, str) else ""
    if not text:
        problems.append(f"{where}: {_field(name)} باید متن غیرخالی باشد.")
    return text


def _parse_service(item: Any, index: int, problems: list[str]) -> Service | None:
    if not isinstance(item, Mapping):
        problems.append(f"خدمت شمارهٔ {index + 1} در فهرست: باید یک شیء JSON باشد.")
        return None
    start = len(problems)
    code = item.get("code")
    where = _where(code, index)
    for name in REQUIRED_SERVICE_FIELDS:
        if name not in item:
            problems.append(f"{where}: {_field(name)} وجود ندارد.")
    if "code" in item and not (isinstance(code, str) and SERVICE_CODE_RE.fullmatch(code)):
        problems.append(f'{where}: {_field("code")} باید متنی از رقم و حرف لاتین (مثلاً "2101") باشد.')
    title = _text(item, "title", where, problems) if "title" in item else ""
    agency = _text(item, "agency", where, problems) if "agency" in item else ""
    fees: list[FeeLine] = []
    raw_fees = item.get("fees")
    if "fees" in item and not isinstance(raw_fees, list):
        problems.append(f"{where}: {_field('fees')} باید فهرستی از سطرهای هزینه باشد.")
    for j, fee in enumerate(raw_fees if isinstance(raw_fees, list) else []):
        name = f"fees[{j}]"
        if not isinstance(fee, Mapping):
            problems.append(f"{where}: {_field(name)} باید شیئی با kind و amount باشد.")
            continue
        kind, amount = fee.get("kind"), fee.get("amount")
        if kind not in FEE_KINDS:
            problems.append(f"{where}: {_field(name + '.kind')} ناشناخته است ({kind!r})؛ مجاز: {'، '.join(FEE_KINDS)}.")
        if not _is_amount(amount):
            problems.append(
                f"{where}: {_field(name + '.amount')} باید عدد صحیح نامنفی به ریال باشد (نه اعشاری، نه متن)."
            )
        if kind in FEE_KINDS and _is_amount(amount):
            fees.append(FeeLine(kind, amount))
    raw_docs = item.get("documents", [])
    documents = (
        [normalize_text(d) if isinstance(d, str) else "" for d in raw_docs] if isinstance(raw_docs, list) else [""]
    )
    if not all(documents):
        problems.append(f"{where}: {_field('documents')} باید فهرستی از متن‌های غیرخالی باشد.")
    active = item.get("active")
    if "active" in item and not isinstance(active, bool):
        problems.append(f"{where}: {_field('active')} باید true یا false باشد.")
    # a code or flag of another type was reported above, as a missing one was
    if len(problems) > start or not isinstance(code, str) or not isinstance(active, bool):
        return None
    return Service(code, title, agency, tuple(fees), tuple(documents), active)


def parse_catalog(data: Any) -> Catalog:
    """A `Catalog` from the decoded JSON of a catalog file, or `CatalogError` with every problem."""
    problems: list[str] = []
    if not isinstance(data, Mapping):
        raise CatalogError(["فایل فهرست خدمات باید یک شیء JSON با version و services باشد."])
    version = data.get("version")
    if not isinstance(version, str) or not version.strip() or has_format_controls(version) or len(version) > 64:
        problems.append(f'فهرست خدمات: {_field("version")} باید متن غیرخالی باشد (مثلاً "1405-09-01").')
    raw = data.get("services")
    if not isinstance(raw, list):
        problems.append(f"فهرست خدمات: {_field('services')} وجود ندارد یا فهرست نیست.")
        raw = []
    services: list[Service] = []
    seen: dict[str, int] = {}
    for i, item in enumerate(raw):
        code = item.get("code") if isinstance(item, Mapping) else None
        if isinstance(code, str) and code in seen:
            problems.append(f"خدمت {code}: {_field('code')} تکراری است (همان کد در ردیف {seen[code] + 1} آمده است).")
            continue
        if isinstance(code, str):
            seen[code] = i
        svc = _parse_service(item, i, problems)
        if svc is not None:
            services.append(svc)
    if problems or not isinstance(version, str):  # a bad version is one of the problems
        raise CatalogError(problems)
    return Catalog(normalize_digits(version.strip()), tuple(services))
