"""Checking a service form definition (what `catalog import` / `catalog load` call, through
`desk_app.domain.forms.parse_form`).

A form is a draft 2020-12 JSON Schema object schema, restricted to what a counter form needs:
fields of type string / integer / boolean or an `enum`, our formats, `if`/`then`/`else`
conditions (also inside `allOf`) and a few `x-` annotations. Anything else ($ref, patternProperties,
anyOf, arrays...) is refused rather than half-supported. Every problem is collected, in Persian,
naming the field, so the catalog can prefix the service and the author can fix the file in one go.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from jsonschema import Draft202012Validator

from desk_app.domain.errors import InvalidInput
from desk_app.domain.formats import FORMATS
from desk_app.domain.money import MAX_RIALS
from desk_app.domain.text import has_bidi_controls, normalize_text, to_persian_digits

MAX_FIELDS = 200
MAX_ENUM = 1000  # a choice list longer than this is a data set, not a form (Iran has ~1,250 cities: use text)
MAX_ENUM_VALUE_LEN = 200
MAX_FORM_BYTES = 512 * 1024
MAX_CONDITION_DEPTH = 8
MAX_TEXT_LENGTH = 5000  # the largest maxLength a form may set
DEFAULT_MAX_LENGTH = 1000  # a text field without maxLength gets this one
DEFAULT_MULTILINE_MAX_LENGTH = 4000
MAX_INTEGER = 10**15  # bounds of a number field without minimum/maximum
MULTILINE_OVER = 200  # a text field whose maxLength is above this is multi-line
SCHEMA_URI = "https://json-schema.org/draft/2020-12/schema"
FIELD_NAME_RE = re.compile(r"[a-z][a-z0-9_]{0,63}", re.ASCII)

KIND_TEXT = "text"
KIND_MULTILINE = "multiline"
KIND_NUMBER = "number"
KIND_AMOUNT = "amount"
KIND_DATE = "date"
KIND_CHOICE = "choice"
KIND_YESNO = "yesno"
KIND_CODE = "code"
KINDS = (KIND_TEXT, KIND_MULTILINE, KIND_NUMBER, KIND_AMOUNT, KIND_DATE, KIND_CHOICE, KIND_YESNO, KIND_CODE)

_TOP_KEYS = frozenset(
    {"type", "properties", "required", "allOf", "if", "then", "else", "title", "description", "$schema", "$comment"}
    | {"additionalProperties", "x-order", "x-on-receipt", "x-sections"}
)
_FIELD_KEYS = frozenset(
    {"type", "title", "description", "enum", "format", "minLength", "maxLength", "pattern", "examples", "$comment"}
    | {"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"}
    | {"x-labels", "x-kind", "x-multiline", "x-message", "x-age-below", "x-age-at-least"}
)
_BOUNDS = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")
_CONSTRAINTS = frozenset({"minLength", "maxLength", "pattern", "x-age-below", "x-age-at-least", *_BOUNDS})
_IF_FIELD_KEYS = _CONSTRAINTS | {"const", "enum", "$comment"}
_BRANCH_FIELD_KEYS = _CONSTRAINTS | {"x-message", "description", "$comment"}
_IF_KEYS = frozenset({"properties", "required", "allOf", "$comment"})
_BRANCH_KEYS = frozenset({"properties", "required", "allOf", "if", "then", "else", "$comment"})
_ALLOF_ITEM_KEYS = frozenset({"if", "then", "else", "allOf", "$comment"})
_UNSUPPORTED_FA = {
    "$ref": "ارجاع ($ref)",
    "$defs": "تعریف‌های مشترک ($defs)",
    "$id": "شناسهٔ طرح‌واره ($id)",
    "$dynamicRef": "ارجاع پویا ($dynamicRef)",
    "patternProperties": "ویژگی‌های الگودار (patternProperties)",
    "unevaluatedProperties": "unevaluatedProperties",
    "dependentSchemas": "dependentSchemas",
    "dependentRequired": "dependentRequired",
    "propertyNames": "propertyNames",
    "anyOf": "anyOf",
    "oneOf": "oneOf",
    "not": "not",
    "items": "فهرست‌ها (items)",
    "const": "مقدار ثابت (const) برای فیلد",
    "default": "مقدار پیش‌فرض (default)",
    "multipleOf": "multipleOf",
}


class FormError(InvalidInput):
    """A form definition that breaks the rules; `.problems` lists every problem in Persian, each
    naming the field (the catalog prefixes the service)."""

    def __init__(self, problems: list[str]) -> None:
        shown = "\n".join(problems[:20])
        if len(problems) > 20:
            shown += f"\n… و {len(problems) - 20} مورد دیگر"
        super().__init__("فرم خدمت ایراد دارد:\n" + shown, "form")
        self.problems = problems


@dataclass(frozen=True)
class FieldSpec:
    """One field as renderers (intake UI, A4 form, receipt) need it."""

    name: str
    title: str  # normalised Persian label
    kind: str  # one of KINDS
    ltr: bool  # codes, numbers, amounts and dates stay left-to-right
    required: bool  # always required (a conditional field's requirement depends on the answers)
    conditional: bool  # shown only when a condition in force names it
    format: str | None = None
    max_length: int | None = None
    min_length: int | None = None
    minimum: int | None = None
    maximum: int | None = None
    choices: tuple[tuple[str | int, str], ...] = ()  # (value, label) in enum order
    description: str | None = None


@dataclass(frozen=True)
class Branch:
    names: frozenset[str]  # fields a branch names directly (its properties and required)
    conditions: tuple[Condition, ...] = ()


@dataclass(frozen=True)
class Condition:
    if_schema: Mapping[str, Any]
    refs: frozenset[str]  # fields the `if` looks at
    then: Branch | None
    otherwise: Branch | None


@dataclass(frozen=True)
class Section:
    title: str
    fields: tuple[FieldSpec, ...]


@dataclass
class Definition:
    fields: dict[str, FieldSpec] = field(default_factory=dict)  # in display order
    conditions: tuple[Condition, ...] = ()
    effective: dict[str, Any] = field(default_factory=dict)  # schema the answers are validated by
    receipt: tuple[str, ...] = ()
    sections: tuple[Section, ...] = ()


def fa(n: int) -> str:
    return to_persian_digits(str(n))


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


class _Checker:
    """Walks one form definition and collects problems."""

    def __init__(self, schema: Mapping[str, Any]) -> None:
        self.schema = schema
        self.problems: list[str] = []
        self.props: Mapping[str, Any] = {}
        self.titles: dict[str, str] = {}

    def where(self, name: str) -> str:
        title = self.titles.get(name)
        return f"فیلد {name} («{title}»)" if title else f"فیلد {name}"

    def add(self, where: str, message: str) -> None:
        self.problems.append(f"{where}: {message}")

    def unsupported(self, where: str, keys: Any, allowed: frozenset[str]) -> None:
        for key in keys:
            if key in allowed:
                continue
            what = _UNSUPPORTED_FA.get(key)
            if what:
                self.add(where, f"{what} در فرم‌ها پشتیبانی نمی‌شود.")
            else:
                self.add(where, f"کلیدواژهٔ «{key}» در این جا پشتیبانی نمی‌شود.")

    def names_list(self, where: str, key: str, value: Any, what: str) -> list[str]:
        """A list of field names that must all be defined; problems for the others."""
        if not isinstance(value, list) or not all(isinstance(n, str) for n in value):
            self.add(where, f"{key} باید فهرستی از نام فیلدها باشد.")
            return []
        out: list[str] = []
        for n in value:
            if n in out:
                self.add(where, f"{key} نام فیلد {n} را دو بار آورده است.")
            elif n not in self.props:
                self.add(where, f"{key} {what} فیلد {n} را نام برده که در properties فرم تعریف نشده است.")
            else:
                out.append(n)
        return out

    # --- fields -------------------------------------------------------------------------------

    def field(self, name: str, sub: Any, always_required: bool, conditional: bool) -> FieldSpec | None:
        where = self.where(name)
        start = len(self.problems)
        if not isinstance(sub, Mapping):
            self.add(where, "تعریف فیلد باید یک شیء JSON باشد.")
            return None
        self.unsupported(where, sub, _FIELD_KEYS)
        raw_title = sub.get("title")
        title = normalize_text(raw_title) if isinstance(raw_title, str) else ""
        if not title or len(title) > 200:
            self.add(where, "عنوان (title) فارسی فیلد وارد نشده است.")
        typ = sub.get("type")
        enum = sub.get("enum")
        fmt = sub.get("format")
        if typ is None and enum is None:
            self.add(where, "نوع فیلد (type) یا فهرست گزینه‌ها (enum) باید آمده باشد.")
        elif typ == "number":
            self.add(where, "نوع number پشتیبانی نمی‌شود؛ عددها صحیح‌اند: integer به کار ببرید.")
        elif typ is not None and typ not in ("string", "integer", "boolean"):
            self.add(where, f"نوع {typ!r} پشتیبانی نمی‌شود (مجاز: string، integer، boolean).")
        choices = self.enum(where, sub, typ) if enum is not None else ()
        if fmt is not None:
            if fmt not in FORMATS:
                self.add(where, f"قالب (format) «{fmt}» شناخته نیست؛ مجاز: {'، '.join(FORMATS)}.")
            if typ != "string" or enum is not None:
                self.add(where, "قالب (format) فقط برای فیلد متنی (type: string) بدون enum است.")
        if "x-labels" in sub and enum is None:
            self.add(where, "x-labels فقط برای فیلد گزینه‌ای (enum) است.")
        kind_x = sub.get("x-kind")
        if kind_x is not None and not (
            (kind_x == "amount" and typ == "integer") or (kind_x == "code" and typ == "string" and not fmt and not enum)
        ):
            self.add(
                where,
                "x-kind فقط amount (مبلغ ریالی، برای فیلد integer) یا code (شناسهٔ چپ‌به‌راست، برای فیلد متنی بدون "
                "format) است.",
            )
        multiline = sub.get("x-multiline", False)
        if not isinstance(multiline, bool) or (multiline and (typ != "string" or fmt or enum is not None)):
            self.add(where, "x-multiline باید true یا false و فقط برای فیلد متنی باشد.")
        if "x-message" in sub and not (isinstance(sub["x-message"], str) and normalize_text(sub["x-message"])):
            self.add(where, "x-message باید پیام فارسی غیرخالی باشد.")
        if "description" in sub and not isinstance(sub["description"], str):
            self.add(where, "description باید متن باشد.")
        self.constraints(where, sub, typ, fmt, enum)
        if len(self.problems) > start:
            return None
        max_length = sub.get("maxLength")
        if typ == "boolean":
            kind = KIND_YESNO
        elif enum is not None:
            kind = KIND_CHOICE
        elif typ == "integer":
            kind = KIND_AMOUNT if kind_x == "amount" else KIND_NUMBER
        elif fmt == "jalali-date":
            kind = KIND_DATE
        elif fmt or kind_x == "code":
            kind = KIND_CODE
        elif multiline or (max_length is not None and max_length > MULTILINE_OVER):
            kind = KIND_MULTILINE
        else:
            kind = KIND_TEXT
        desc = normalize_text(sub["description"]) if isinstance(sub.get("description"), str) else None
        return FieldSpec(
            name=name,
            title=title,
            kind=kind,
            # a plate mixes a Persian letter into its digits: it reads in order only right-to-left
            ltr=kind in (KIND_CODE, KIND_NUMBER, KIND_AMOUNT, KIND_DATE) and fmt != "ir-plate",
            required=always_required,
            conditional=conditional,
            format=fmt,
            max_length=max_length,
            min_length=sub.get("minLength"),
            minimum=sub.get("minimum"),
            maximum=sub.get("maximum"),
            choices=choices,
            description=desc or None,
        )

    def enum(self, where: str, sub: Mapping[str, Any], typ: Any) -> tuple[tuple[str | int, str], ...]:
        enum = sub["enum"]
        if not isinstance(enum, list) or not enum:
            self.add(where, "enum باید فهرستی غیرخالی از گزینه‌ها باشد.")
            return ()
        if len(enum) > MAX_ENUM:
            self.add(where, f"enum {fa(len(enum))} گزینه دارد؛ بیشینه {fa(MAX_ENUM)} گزینه است.")
            return ()
        if all(isinstance(v, str) for v in enum):
            bad = [v for v in enum if not v or len(v) > MAX_ENUM_VALUE_LEN or normalize_text(v) != v]
            if bad:
                self.add(where, f"گزینهٔ {bad[0]!r} در enum خالی، بیش از حد بلند یا نانرمال (فاصله، نویسهٔ کنترل) است.")
            if typ not in (None, "string"):
                self.add(where, "گزینه‌های متنی enum با نوع فیلد نمی‌خواند.")
        elif all(_is_int(v) for v in enum):
            if typ not in (None, "integer"):
                self.add(where, "گزینه‌های عددی enum با نوع فیلد نمی‌خواند.")
        else:
            self.add(where, "گزینه‌های enum باید همه متن یا همه عدد صحیح باشند.")
            return ()
        if len(set(enum)) != len(enum):
            self.add(where, "گزینهٔ تکراری در enum هست.")
        labels = sub.get("x-labels", {})
        if not isinstance(labels, Mapping):
            self.add(where, "x-labels باید شیئی از گزینه به برچسب فارسی باشد.")
            labels = {}
        keys = {str(v): v for v in enum}
        for k, label in labels.items():
            if k not in keys:
                self.add(where, f"x-labels برچسبی برای گزینهٔ {k!r} دارد که در enum نیست.")
            if not (isinstance(label, str) and normalize_text(label)):
                self.add(where, f"برچسب گزینهٔ {k!r} در x-labels باید متن فارسی غیرخالی باشد.")
        return tuple(
            (v, normalize_text(labels[str(v)]) if isinstance(labels.get(str(v)), str) else str(v)) for v in enum
        )

    def constraints(self, where: str, sub: Mapping[str, Any], typ: Any, fmt: Any, enum: Any) -> None:
        """minLength/maxLength/pattern/bounds/x-age-*, in a field or in a condition's view of it."""
        for key in ("minLength", "maxLength"):
            if key in sub:
                v = sub[key]
                if not _is_int(v) or not 0 <= v <= MAX_TEXT_LENGTH:
                    self.add(where, f"{key} باید عدد صحیح بین ۰ و {fa(MAX_TEXT_LENGTH)} باشد.")
                elif typ not in ("string", None) or enum is not None:
                    self.add(where, f"{key} فقط برای فیلد متنی است.")
        if _is_int(sub.get("minLength")) and _is_int(sub.get("maxLength")) and sub["minLength"] > sub["maxLength"]:
            self.add(where, "minLength از maxLength بزرگ‌تر است.")
        if "pattern" in sub:
            try:
                re.compile(sub["pattern"])
            except (re.error, TypeError):
                self.add(where, "الگوی pattern عبارت باقاعدهٔ درستی نیست.")
            if typ not in ("string", None) or enum is not None:
                self.add(where, "pattern فقط برای فیلد متنی است.")
        for key in _BOUNDS:
            if key in sub:
                v = sub[key]
                if not _is_int(v) or abs(v) > MAX_INTEGER:
                    self.add(where, f"{key} باید عدد صحیح (نه اعشاری) باشد.")
                elif typ not in ("integer", None):
                    self.add(where, f"{key} فقط برای فیلد عددی است.")
        for key in ("x-age-below", "x-age-at-least"):
            if key in sub:
                v = sub[key]
                if not _is_int(v) or not 0 <= v <= 150:
                    self.add(where, f"{key} باید سنی به سال (عدد صحیح ۰ تا ۱۵۰) باشد.")
                if fmt != "jalali-date":
                    self.add(where, f"{key} فقط برای فیلد تاریخ (jalali-date) است.")

    def view(self, name: str, sub: Any, allowed: frozenset[str], where: str) -> None:
        """A field as a condition or a branch sees it: only constraints, checked against the field."""
        if sub is True or sub == {}:
            return
        if not isinstance(sub, Mapping):
            self.add(where, "شرط روی فیلد باید یک شیء JSON باشد.")
            return
        self.unsupported(where, sub, allowed)
        spec = self.props.get(name)
        spec = spec if isinstance(spec, Mapping) else {}
        typ, fmt, enum = spec.get("type"), spec.get("format"), spec.get("enum")
        self.constraints(where, sub, typ, fmt, enum)
        values = ([sub["const"]] if "const" in sub else []) + (sub["enum"] if isinstance(sub.get("enum"), list) else [])
        for v in values:
            if enum is not None and v not in enum:
                self.add(where, f"شرط مقدار {v!r} را می‌سنجد که در گزینه‌های فیلد نیست.")
            elif typ == "boolean" and not isinstance(v, bool):
                self.add(where, "شرط روی فیلد بله/خیر باید true یا false باشد.")
            elif typ == "integer" and not _is_int(v) or typ == "string" and not isinstance(v, str):
                self.add(where, f"شرط مقدار {v!r} را می‌سنجد که با نوع فیلد نمی‌خواند.")

    # --- conditions ---------------------------------------------------------------------------

    def conditions(self, node: Mapping[str, Any], where: str, depth: int) -> tuple[Condition, ...]:
        """The conditions of a schema node: its own if/then/else and those of its allOf items."""
        if depth > MAX_CONDITION_DEPTH:
            self.add(where, f"شرط‌ها بیش از {fa(MAX_CONDITION_DEPTH)} لایه تو در تو هستند.")
            return ()
        out: list[Condition] = []
        if "if" in node:
            out.append(self.condition(node, where, depth))
        elif "then" in node or "else" in node:
            self.add(where, "then/else بدون if آمده است.")
        items = node.get("allOf", [])
        if not isinstance(items, list):
            self.add(where, "allOf باید فهرست باشد.")
            items = []
        for i, item in enumerate(items):
            w = f"{where} allOf[{fa(i)}]"
            if not isinstance(item, Mapping):
                self.add(w, "هر عضو allOf باید یک شیء JSON باشد.")
                continue
            self.unsupported(w, item, _ALLOF_ITEM_KEYS)
            out.extend(self.conditions(item, w, depth + 1))
        return tuple(out)

    def condition(self, node: Mapping[str, Any], where: str, depth: int) -> Condition:
        cond = node["if"]
        w = f"{where} شرط if"
        refs: set[str] = set()
        if isinstance(cond, Mapping):
            self.if_schema(cond, w, refs)
        else:
            self.add(w, "شرط if باید یک شیء JSON باشد.")
        then = self.branch(node["then"], f"{where} then", depth) if "then" in node else None
        otherwise = self.branch(node["else"], f"{where} else", depth) if "else" in node else None
        return Condition(cond if isinstance(cond, Mapping) else {}, frozenset(refs), then, otherwise)

    def if_schema(self, cond: Mapping[str, Any], where: str, refs: set[str]) -> None:
        self.unsupported(where, cond, _IF_KEYS)
        props = cond.get("properties", {})
        if not isinstance(props, Mapping):
            self.add(where, "properties شرط باید شیء باشد.")
            props = {}
        for name, sub in props.items():
            if name not in self.props:
                self.add(where, f"شرط به فیلد {name} اشاره می‌کند که در properties فرم تعریف نشده است.")
                continue
            refs.add(name)
            self.view(name, sub, _IF_FIELD_KEYS, f"{where} روی {self.where(name)}")
        required = self.names_list(where, "required", cond.get("required", []), "شرط")
        refs.update(required)
        for name in props:
            if name in self.props and name not in required:
                # JSON Schema's `properties` holds when the field is empty: the branch would be in
                # force before anything is typed (ODK's `relevant` is false on an empty answer)
                self.add(
                    where,
                    f"فیلد {name} را می‌سنجد ولی آن را در required شرط نیاورده است؛ بیاورید تا شرط "
                    "برای پاسخ خالی برقرار نشود.",
                )
        for i, item in enumerate(cond.get("allOf", []) if isinstance(cond.get("allOf", []), list) else []):
            if isinstance(item, Mapping):
                self.if_schema(item, f"{where} allOf[{fa(i)}]", refs)
            else:
                self.add(where, "هر عضو allOf باید یک شیء JSON باشد.")

    def branch(self, node: Any, where: str, depth: int) -> Branch | None:
        if not isinstance(node, Mapping):
            self.add(where, "شاخهٔ then/else باید یک شیء JSON باشد.")
            return None
        self.unsupported(where, node, _BRANCH_KEYS)
        names: set[str] = set()
        props = node.get("properties", {})
        if not isinstance(props, Mapping):
            self.add(where, "properties شاخه باید شیء باشد.")
            props = {}
        for name, sub in props.items():
            if name not in self.props:
                self.add(where, f"شاخه فیلد {name} را نام برده که در properties فرم تعریف نشده است.")
                continue
            names.add(name)
            self.view(name, sub, _BRANCH_FIELD_KEYS, f"{where} روی {self.where(name)}")
        names.update(self.names_list(where, "required", node.get("required", []), "شاخه"))
        return Branch(frozenset(names), self.conditions(node, where, depth + 1))

    # --- the whole form -----------------------------------------------------------------------

    def run(self) -> Definition | None:
        schema = self.schema
        errors = sorted(Draft202012Validator(Draft202012Validator.META_SCHEMA).iter_errors(schema), key=str)
        for err in errors[:20]:
            path = [p for p in err.absolute_path]
            here = f"فیلد {path[1]}" if len(path) > 1 and path[0] == "properties" else "فرم"
            self.add(here, f"طرح‌وارهٔ درست JSON Schema (draft 2020-12) نیست: {err.message}")
        if errors:
            return None
        if schema.get("$schema", SCHEMA_URI) != SCHEMA_URI:
            self.add("فرم", f"$schema فقط می‌تواند {SCHEMA_URI} باشد.")
        if schema.get("type") != "object":
            self.add("فرم", 'فرم باید طرح‌وارهٔ یک شیء باشد ("type": "object").')
        self.unsupported("فرم", schema, _TOP_KEYS)
        if schema.get("additionalProperties", False) is not False:
            self.add("فرم", "فرم‌ها بسته‌اند: additionalProperties فقط می‌تواند false باشد.")
        props = schema.get("properties", {})
        if not isinstance(props, Mapping):
            self.add("فرم", "properties باید شیئی از فیلدها باشد.")
            props = {}
        if len(props) > MAX_FIELDS:
            self.add("فرم", f"فرم {fa(len(props))} فیلد دارد؛ بیشینه {fa(MAX_FIELDS)} فیلد است.")
            return None
        self.props = props
        for name, sub in props.items():
            if isinstance(sub, Mapping) and isinstance(sub.get("title"), str):
                self.titles[name] = normalize_text(sub["title"])
            if not FIELD_NAME_RE.fullmatch(name):
                self.add(f"فیلد {name!r}", "نام فیلد باید با حرف کوچک لاتین شروع شود و فقط a-z، 0-9 و _ داشته باشد.")
        required = self.names_list("فرم", "required", schema.get("required", []), "فرم")
        conditions = self.conditions(schema, "فرم", 0)
        conditional = _named(conditions)
        for name in required:
            if name in conditional:
                self.add(
                    self.where(name),
                    "هم همیشه الزامی (required فرم) است و هم به شرط نمایش داده می‌شود؛ "
                    "الزامی بودنش را در required همان شاخهٔ شرط بیاورید.",
                )
        self.cycles(conditions)
        fields: dict[str, FieldSpec] = {}
        order = self.names_list("فرم", "x-order", schema.get("x-order", []), "ترتیب")
        for name in [*order, *(n for n in props if n not in order)]:
            spec = self.field(name, props[name], name in required, name in conditional)
            if spec is not None:
                fields[name] = spec
        receipt = self.names_list("فرم", "x-on-receipt", schema.get("x-on-receipt", []), "رسید")
        sections = self.sections(schema.get("x-sections"), fields)
        if self.problems:
            return None
        return Definition(fields, conditions, _effective(schema, fields), tuple(receipt), sections)

    def cycles(self, conditions: tuple[Condition, ...]) -> None:
        """A field whose visibility depends on itself, directly or through other fields."""
        deps: dict[str, set[str]] = {}
        for names, refs in _governed(conditions, frozenset()):
            for n in names:
                deps.setdefault(n, set()).update(refs)
        state: dict[str, int] = {}  # 1 = on the path, 2 = done
        reported: set[str] = set()

        def visit(n: str, path: list[str]) -> None:
            state[n] = 1
            for m in sorted(deps.get(n, ())):
                if state.get(m) == 1:
                    loop = path[path.index(m) :] + [m]
                    if m not in reported:
                        reported.add(m)
                        chain = " ← ".join(loop)
                        self.add(self.where(m), f"نمایش این فیلد به خودش وابسته است (چرخهٔ شرط‌ها: {chain}).")
                elif state.get(m) is None:
                    visit(m, path + [m])
            state[n] = 2

        for n in sorted(deps):
            if state.get(n) is None:
                visit(n, [n])

    def sections(self, raw: Any, fields: Mapping[str, FieldSpec]) -> tuple[Section, ...]:
        if raw is None:
            return ()
        if not isinstance(raw, list):
            self.add("فرم", "x-sections باید فهرستی از بخش‌ها ({title, fields}) باشد.")
            return ()
        out: list[Section] = []
        seen: set[str] = set()
        for i, item in enumerate(raw):
            w = f"بخش {fa(i + 1)} فرم (x-sections)"
            raw_title = item.get("title") if isinstance(item, Mapping) else None
            title = normalize_text(raw_title) if isinstance(raw_title, str) else ""
            if not isinstance(item, Mapping) or not title:
                self.add(w, "هر بخش باید عنوان فارسی (title) و فهرست فیلدها (fields) داشته باشد.")
                continue
            self.unsupported(w, item, frozenset({"title", "fields"}))
            names = self.names_list(w, "fields", item.get("fields", []), "بخش")
            for n in names:
                if n in seen:
                    self.add(w, f"فیلد {n} در دو بخش آمده است.")
            seen.update(names)
            out.append(Section(title, tuple(fields[n] for n in fields if n in names)))
        return tuple(out)


def _named(conditions: tuple[Condition, ...]) -> set[str]:
    out: set[str] = set()
    for names, _refs in _governed(conditions, frozenset()):
        out |= names
    return out


def _governed(
    conditions: tuple[Condition, ...], outer: frozenset[str]
) -> Iterator[tuple[frozenset[str], frozenset[str]]]:
    """(fields a branch names, fields its visibility depends on) for every branch, nested ones too."""
    for c in conditions:
        refs = outer | c.refs
        for b in (c.then, c.otherwise):
            if b is not None:
                yield b.names, refs
                yield from _governed(b.conditions, refs)


def _effective(schema: Mapping[str, Any], fields: Mapping[str, FieldSpec]) -> dict[str, Any]:
    """The schema answers are validated by: the form closed (additionalProperties: false), and
    limits added where the author set none (text length, number range, amounts in rials)."""
    eff = copy.deepcopy(dict(schema))
    eff["additionalProperties"] = False
    props = eff.setdefault("properties", {})
    for name, spec in fields.items():
        sub = props[name]
        if spec.kind in (KIND_TEXT, KIND_MULTILINE, KIND_CODE, KIND_DATE) and "maxLength" not in sub:
            sub["maxLength"] = DEFAULT_MULTILINE_MAX_LENGTH if spec.kind == KIND_MULTILINE else DEFAULT_MAX_LENGTH
        if spec.kind == KIND_AMOUNT:
            sub.setdefault("minimum", 0)
            sub.setdefault("maximum", MAX_RIALS)
        if spec.kind == KIND_NUMBER:
            sub.setdefault("minimum", -MAX_INTEGER)
            sub.setdefault("maximum", MAX_INTEGER)
    return eff


def check_definition(schema: Any) -> Definition:
    """The checked parts of a form definition, or `FormError` with every problem."""
    if not isinstance(schema, Mapping):
        raise FormError(["فرم: فرم باید یک شیء JSON (طرح‌وارهٔ JSON Schema) باشد."])
    try:
        size = len(json.dumps(schema, ensure_ascii=False, allow_nan=False))
    except (TypeError, ValueError):
        raise FormError(["فرم: فرم باید دادهٔ JSON باشد (متن، عدد، true/false، فهرست، شیء)."]) from None
    if size > MAX_FORM_BYTES:
        raise FormError([f"فرم: فرم بیش از حد بزرگ است (بیشینه {fa(MAX_FORM_BYTES // 1024)} کیلوبایت)."])
    if has_bidi_controls(json.dumps(schema, ensure_ascii=False)):
        raise FormError(["فرم: نویسه‌های کنترل جهت متن (نامرئی) در تعریف فرم مجاز نیست."])
    checker = _Checker(schema)
    definition = checker.run()
    if definition is None:
        raise FormError(checker.problems or ["فرم: تعریف فرم درست نیست."])
    return definition
