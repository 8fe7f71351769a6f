"""The catalog file (DESIGN.md "Catalog file"), declared once, as pydantic models.

Everything else is made from `FeeLine`, `Service` and `Catalog`: `parse_catalog` validates with
them and turns pydantic's errors into Persian problems that name the service (its code, or its
position when the code itself is bad) and the field, every problem at once, so that an office
manager fixes the file in one go; `desk_app.sync.protocol` re-exports them as the wire shape of
GET /api/v1/catalog; the provincial server parses with them; `resources/catalog/catalog.schema.json`
is generated from them (`scripts/catalog_schema.py`) and a test fails when the checked-in file
differs.

They live in the domain, not in the protocol module, because the domain itself (fee totals and
snapshots), the client's store and the server's tariff check all need the same types, and the
domain may not import `desk_app.sync`; the protocol re-exports them instead of declaring again.
Text fields go through the normaliser. `catalog_sha256` is the one content hash of a catalog
(client and server alike).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StrictStr,
    StringConstraints,
    ValidationError,
    field_validator,
)
from pydantic.json_schema import GenerateJsonSchema
from pydantic_core import PydanticCustomError

from desk_app.domain.canonical import canonical_json, payload_sha256
from desk_app.domain.fees import FEE_KINDS, SERVICE_CODE_PATTERN, SERVICE_CODE_RE, CatalogError, FeeKind, fees_total
from desk_app.domain.money import MAX_RIALS
from desk_app.domain.text import has_format_controls, normalize_digits, normalize_text

SCHEMA_ID = "https://pishkhan-desk.example/schemas/catalog.schema.json"
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
    "form": "فرم خدمت",
}


# ---------------------------------------------------------------- the declaration


def _text(value: str) -> str:
    text = normalize_text(value)
    if not text:
        raise ValueError("empty after normalisation")
    return text


def _form(value: dict[str, Any]) -> dict[str, Any]:
    """A service's form, checked by the domain's form rules (`desk_app.domain.forms`); its problems,
    each naming the field, come back as one error that `parse_catalog` prefixes with the service."""
    from desk_app.domain.forms import FormError, as_form  # on use: a catalog without forms loads no jsonschema

    try:
        as_form(value)
    except FormError as exc:
        raise PydanticCustomError("form_invalid", "invalid form", {"problems": list(exc.problems)}) from None
    return value


def _version(value: str) -> str:
    if has_format_controls(value):
        raise ValueError("invisible format characters in the version")
    return normalize_digits(value.strip())


Text = Annotated[StrictStr, StringConstraints(pattern=r"\S"), AfterValidator(_text)]
Code = Annotated[
    StrictStr,
    StringConstraints(pattern=SERVICE_CODE_PATTERN),
    Field(description="Service code, unique in the file (the demo uses 4 digits)."),
]
Amount = Annotated[
    StrictInt,
    Field(ge=0, le=MAX_RIALS, description="Rials: a JSON integer (not a float, not a boolean), 0 to 10^13."),
]


class _Frozen(BaseModel):
    # Fields not declared here are allowed in the file ("more fields may be added") but not kept.
    model_config = ConfigDict(frozen=True, extra="ignore")


class FeeLine(_Frozen):
    """One fee line of a service."""

    kind: FeeKind
    amount: Amount

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "amount": self.amount}


class Service(_Frozen):
    """A service of the catalog."""

    code: Code
    title: Annotated[Text, Field(description="Persian title.")]
    agency: Annotated[Text, Field(description="The agency (دستگاه) that decides the request.")]
    fees: tuple[FeeLine, ...]
    documents: Annotated[tuple[Text, ...], Field(description="Required documents, shown on the form.")] = ()
    active: StrictBool
    form: Annotated[
        dict[str, Any] | None,
        AfterValidator(lambda v: None if v is None else _form(v)),
        Field(
            description="The service's own form (DESIGN.md section 10): a JSON Schema (draft 2020-12) object "
            "schema whose properties are the fields the clerk fills in (title, type or enum, format, x-order, "
            "x-on-receipt, x-sections, if/then/else conditions). Checked by desk_app.domain.forms.",
        ),
    ] = None

    @property
    def total(self) -> int:
        return fees_total(self.fees)

    def to_dict(self) -> dict[str, Any]:
        """The service as in the catalog file (no `form` key when it has none)."""
        return self.model_dump(mode="json", exclude={"form"} if self.form is None else None)


class Catalog(_Frozen):
    """Pishkhan Desk service catalog: what `desk-app catalog import`, `provincial-server catalog load`
    and GET /api/v1/catalog carry (DESIGN.md, Catalog file). More fields may be added, none removed.
    Amounts are integer rials. Beyond what JSON Schema says, the parser (desk_app.domain.catalog)
    refuses duplicate service codes, amounts written as 1.0, text made only of invisible
    characters and a version with invisible format characters. Generated from desk_app.domain.catalog by
    scripts/catalog_schema.py: do not edit by hand."""

    version: Annotated[
        StrictStr,
        StringConstraints(pattern=r"\S", max_length=64),
        AfterValidator(_version),
        Field(description='Catalog version, e.g. "1405-09-01" (Jalali date of the tariff).'),
    ]
    services: Annotated[tuple[Service, ...], Field(min_length=1)]

    @field_validator("services")
    @classmethod
    def _unique_codes(cls, services: tuple[Service, ...]) -> tuple[Service, ...]:
        seen: set[str] = set()
        for svc in services:
            if svc.code in seen:
                raise PydanticCustomError("duplicate_code", "duplicate service code {code}", {"code": svc.code})
            seen.add(svc.code)
        return services

    def get(self, code: str) -> Service | None:
        for s in self.services:
            if s.code == code:
                return s
        return None

    def to_dict(self) -> dict[str, Any]:
        return {"version": self.version, "services": [s.to_dict() for s in self.services]}


def catalog_sha256(data: Mapping[str, Any]) -> str:
    """The content hash of a catalog: SHA-256 of the canonical JSON of the file's decoded content
    (as given, extra fields included). The server keys its versions and the catalog's ETag on it;
    the desk stores the same value in `catalog_versions.content_sha256`."""
    return payload_sha256(canonical_json(dict(data)))


# ---------------------------------------------------------------- the JSON Schema


class _SchemaGenerator(GenerateJsonSchema):
    def field_title_should_be_set(self, schema: Any) -> bool:  # no "title": "Code" noise on every field
        return False


def catalog_json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of the catalog file, made from the models above."""
    body = Catalog.model_json_schema(schema_generator=_SchemaGenerator)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        **body,
        "title": "Pishkhan Desk service catalog",
    }


# ---------------------------------------------------------------- Persian problems

_BAD_FA = {
    "version": 'باید متن غیرخالی باشد (مثلاً "1405-09-01").',
    "code": 'باید متنی از رقم و حرف لاتین (مثلاً "2101") باشد.',
    "title": "باید متن غیرخالی باشد.",
    "agency": "باید متن غیرخالی باشد.",
    "fees": "باید فهرستی از سطرهای هزینه باشد.",
    "fees[]": "باید شیئی با kind و amount باشد.",
    "amount": "باید عدد صحیح نامنفی به ریال باشد (نه اعشاری، نه متن).",
    "documents": "باید فهرستی از متن‌های غیرخالی باشد.",
    "active": "باید true یا false باشد.",
    "form": "باید یک شیء JSON (طرح‌وارهٔ JSON Schema از نوع object) باشد.",
}


def _where(services: Any, index: int) -> str:
    item = services[index] if isinstance(services, list | tuple) and 0 <= index < len(services) else None
    code = item.get("code") if isinstance(item, Mapping) else None
    if isinstance(code, str) and SERVICE_CODE_RE.fullmatch(code):
        return f"خدمت {code}"
    return f"خدمت شمارهٔ {index + 1} در فهرست"


def _field(name: str) -> str:
    return f"فیلد {name} ({_FIELD_FA.get(name.split('.')[-1].split('[')[0], name)})"


def _path(parts: tuple[str | int, ...]) -> tuple[str, str]:
    """(`fees[1].amount`, the key of its message: `amount`) from a pydantic location."""
    name, key = "", ""
    for part in parts:
        if isinstance(part, int):
            if key == "documents":  # one message for the whole list of documents
                break
            name, key = name + f"[{part}]", key + "[]"
        else:
            name, key = name + ("." if name else "") + part, part
    return name, key


def _problem(err: Mapping[str, Any], services: Any) -> str | list[str] | None:
    loc, kind = tuple(err["loc"]), err["type"]
    if kind == "form_invalid" and len(loc) >= 2:  # one line per problem of the form, each naming its field
        where = _where(services, loc[1])
        return [f"{where}: {_field('form')}: {p}" for p in (err.get("ctx") or {}).get("problems", [])]
    if kind == "duplicate_code":  # reported by `_duplicates`, with the rows
        return None
    if not loc:
        return "فایل فهرست خدمات باید یک شیء JSON با version و services باشد."
    if loc[0] == "version":
        return f"فهرست خدمات: {_field('version')} {'وجود ندارد.' if kind == 'missing' else _BAD_FA['version']}"
    if loc[0] != "services" or len(loc) == 1:
        if loc[0] == "services" and kind == "too_short":  # also said of a list whose items all failed
            return "فهرست خدمات هیچ خدمتی ندارد؛ دست‌کم یک خدمت لازم است." if not err.get("input") else None
        if loc[0] == "services":
            return f"فهرست خدمات: {_field('services')} وجود ندارد یا فهرست نیست."
        return None  # a field this declaration does not know cannot fail
    where = _where(services, loc[1])
    if len(loc) == 2:
        return f"{where}: باید یک شیء JSON باشد."
    name, key = _path(loc[2:])
    if kind == "missing":
        return f"{where}: {_field(name)} وجود ندارد."
    if key == "kind":
        return f"{where}: {_field(name)} ناشناخته است ({err.get('input')!r})؛ مجاز: {'، '.join(FEE_KINDS)}."
    message = _BAD_FA.get(key)
    if message is None:  # a field added later: its validator's own (Persian) message
        message = str((err.get("ctx") or {}).get("error") or "نادرست است.")
    return f"{where}: {_field(name)} {message}"


def _duplicates(services: Any) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for i, item in enumerate(services if isinstance(services, list | tuple) else ()):
        code = item.get("code") if isinstance(item, Mapping) else None
        if not isinstance(code, str):
            continue
        if code in seen:
            out.append(f"خدمت {code}: {_field('code')} تکراری است (همان کد در ردیف {seen[code] + 1} آمده است).")
        else:
            seen[code] = i
    return out


def parse_catalog(data: Any) -> Catalog:
    """A `Catalog` from the decoded JSON of a catalog file, or `CatalogError` with every problem."""
    if not isinstance(data, Mapping):
        raise CatalogError(["فایل فهرست خدمات باید یک شیء JSON با version و services باشد."])
    try:
        return Catalog.model_validate(dict(data))
    except ValidationError as exc:
        services = data.get("services")
        problems = _duplicates(services)
        for err in exc.errors(include_url=False):
            found = _problem(err, services)
            for problem in [found] if isinstance(found, str) else found or []:
                if problem not in problems:
                    problems.append(problem)
        raise CatalogError(problems or ["فایل فهرست خدمات درست نیست."]) from None
