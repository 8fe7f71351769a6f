"""Every field of an operation, checked before anything is computed from it or stored.

The batch answers one result per item; an item that breaks a rule must come out `invalid` with a
`code` naming the field and a Persian `detail`, never as an exception that fails the whole batch
with a 500 (the desk would send the same batch again forever and its queue would stall). So the
checks here look at each field's JSON type (a bool is not a number, a float is not an amount),
length, range and shape before the pydantic models of `desk_app.sync.protocol` see it:

- instants (`created_at`, `at`) are ISO 8601 in UTC (`Z` or `+00:00`), between
  `EARLIEST_INSTANT` and `LATEST_INSTANT` (so the Tehran day and the Jalali date exist);
- `clock_skew_s` is a finite JSON number within `MAX_CLOCK_SKEW_S`;
- identifiers (`receipt_no`, `office`, `request_id`, `shift_id`, `service_code`, `clerk.username`,
  `payment.ref`, `server_ref`, `catalog_version`) are in their canonical ASCII form, with no
  control or bidi character (they are compared, keyed and printed as they are);
- names and reasons are free text: they must still hold something once normalised
  (`normalize_text`), and the server keeps normalised copies of them (`provincial_server.texts`);
- amounts are JSON integers from 0 to `MAX_RIALS`, and `total` is the sum of the fee lines.
Anywhere in the item: no NUL, no lone surrogate (PostgreSQL cannot store them), no NaN or
infinity, no nesting deeper than `MAX_DEPTH`.

Codes are the field's path, as in `citizen.first_name` or `fees.1.amount`.
"""

from __future__ import annotations

import math
import re
import unicodedata
from datetime import UTC, datetime, timedelta

from pydantic import ValidationError

from desk_app.domain.fees import FEE_KINDS, SERVICE_CODE_RE
from desk_app.domain.form_schema import FIELD_NAME_RE, MAX_FIELDS
from desk_app.domain.identifiers import validate_mobile, validate_national_code
from desk_app.domain.money import MAX_RIALS
from desk_app.domain.receipt import RECEIPT_NO_RE
from desk_app.domain.text import BIDI_CONTROLS, normalize_text
from desk_app.sync import protocol

EARLIEST_INSTANT = datetime(2000, 1, 1, tzinfo=UTC)
LATEST_INSTANT = datetime(2100, 1, 1, tzinfo=UTC)
MAX_CLOCK_SKEW_S = 100 * 366 * 86400  # a PC clock reset to 2000 is 26 years off, and still a receipt
MAX_DEPTH = 20
MAX_FEE_LINES = 20
MAX_INSTANT_LEN = 40
MAX_FORM_FIELDS = MAX_FIELDS
MAX_FIELD_TEXT = 20_000  # the longest text a form may allow is 5,000 characters: anything far beyond is garbage

_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}", re.ASCII)
_OFFICE = re.compile(r"[0-9]{4,6}", re.ASCII)
_SERVER_REF = re.compile(r"[0-9]{10}", re.ASCII)
_USERNAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,63}", re.ASCII)
_PAYMENT_REF = re.compile(r"(?:[A-Za-z0-9][A-Za-z0-9._/#:-]{0,63})?", re.ASCII)  # "" = none
_CATALOG_VERSION = re.compile(r"\S(?:.{0,62}\S)?")  # as `catalog load` accepts it: no edge spaces
_MAX_SERVICE_CODE = 16  # the `requests.service_code` column
_FIELD_NAME = FIELD_NAME_RE
_PATH_KEY = re.compile(r"[a-z0-9_]{1,40}", re.ASCII)  # what a desk stores as a result code: [a-z0-9_.:-]
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")  # NUL and lone surrogates: no database takes them
_ASCII_CONTROLS = re.compile(r"[\x00-\x1f\x7f]")


class FieldError(ValueError):
    """One or more fields break a rule: `code` is the first field's path, `detail` Persian."""

    def __init__(self, problems: list[tuple[str, str]], what: str = "عملیات"):
        self.problems = problems
        self.code = problems[0][0][:64]
        self.detail = f"{what} نادرست است: " + "؛ ".join(f"{field}: {msg}" for field, msg in problems[:5])
        super().__init__(self.code)


# ---------------------------------------------------------------- the whole item


def check_tree(obj, path: str = "") -> None:
    """Anything in the item the databases or JSON cannot carry: NUL, lone surrogates, NaN/inf."""
    problems: list[tuple[str, str]] = []
    _walk(obj, path, 0, problems)
    if problems:
        raise FieldError(problems)


def _walk(obj, path: str, depth: int, problems: list) -> None:
    if problems:
        return
    if depth > MAX_DEPTH:
        problems.append(("malformed", "ساختار عملیات بیش از اندازه تودرتو است"))
    elif isinstance(obj, str):
        if _UNSTORABLE.search(obj):
            problems.append((path or "malformed", "نویسه‌ی نامعتبر (NUL یا نیم‌جفت جایگزین) دارد"))
    elif isinstance(obj, float):
        if not math.isfinite(obj):
            problems.append((path or "malformed", "عدد باید متناهی باشد (NaN و بی‌نهایت پذیرفته نیست)"))
    elif isinstance(obj, dict):
        for k, v in obj.items():
            _walk(k, path, depth + 1, problems)
            _walk(v, _join(path, k), depth + 1, problems)
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            _walk(v, _join(path, i), depth + 1, problems)


def _join(path: str, key) -> str:
    key = str(key)
    if not _PATH_KEY.fullmatch(key):  # a code is a plain ASCII path: other keys are not echoed
        key = "_"
    if path == "payload":  # payload fields are named as in the payload: `citizen.first_name`
        return key
    return f"{path}.{key}" if path else key


# ---------------------------------------------------------------- payloads


def check_request(payload: dict) -> protocol.RequestPayload:
    """A `request` payload, every field; raises FieldError."""
    f = _Fields(payload)
    f.uuid("request_id")
    device = f.int_("device", 1, 999)
    office = f.ident("office", _OFFICE, "۴ تا ۶ رقم لاتین")
    f.receipt_no("receipt_no", office, device)
    f.instant("created_at")
    f.skew("clock_skew_s")
    f.clerk("clerk")
    f.uuid("shift_id", nullable=True, required=False)
    citizen = f.object("citizen")
    if citizen is not None:
        c = _Fields(citizen, "citizen.")
        c.national_code("national_code")
        c.name("first_name", 100)
        c.name("last_name", 100)
        c.mobile("mobile")
        f.problems += c.problems
    f.service_code("service_code")
    f.ident("catalog_version", _CATALOG_VERSION, "نسخه‌ی فهرست خدمات (مثلاً 1405-09-01)")
    amounts = f.fees("fees")
    total = f.amount("total")
    if amounts is not None and total is not None and sum(amounts) != total:
        f.fail("total", "با جمع ردیف‌های هزینه برابر نیست")
    payment = f.object("payment")
    if payment is not None:
        pm = _Fields(payment, "payment.")
        pm.choice("method", ("cash", "card"))
        pm.ident("ref", _PAYMENT_REF, "رقم و حرف لاتین تا ۶۴ نویسه", nullable=True, required=False)
        f.problems += pm.problems
    f.ident("server_ref", _SERVER_REF, "ده رقم لاتین", nullable=True, required=False)
    f.form_fields("fields")
    f.ident("form_version", _CATALOG_VERSION, "نسخه‌ی فهرست خدمات (مثلاً 1405-09-01)", nullable=True, required=False)
    f.raise_if_any("درخواست")
    return _model(protocol.RequestPayload, payload, "درخواست")


def check_cancel(payload: dict) -> protocol.CancelPayload:
    """A `cancel` payload, every field; raises FieldError."""
    f = _Fields(payload)
    f.uuid("request_id")
    f.text("reason", 500)
    f.clerk("clerk")
    f.amount("refund", required=False)
    f.instant("at")
    f.raise_if_any("ابطال")
    return _model(protocol.CancelPayload, payload, "ابطال")


def parse_instant(value: str) -> datetime:
    """An instant that `check_request`/`check_cancel` accepted, as an aware UTC datetime."""
    return datetime.fromisoformat(value).astimezone(UTC)


def _model(model, payload: dict, what: str):
    try:
        return model.model_validate(payload)
    except ValidationError as exc:  # a rule of the models that the checks above do not repeat
        err = exc.errors()[0]
        field = ".".join(str(x) for x in err["loc"]) or "malformed"
        raise FieldError([(field, "نادرست است")], what) from None


def _has_controls(s: str) -> bool:
    if s.isascii():
        return bool(_ASCII_CONTROLS.search(s))
    return any(ch in BIDI_CONTROLS or unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") for ch in s)


class _Fields:
    """Checks of one JSON object's fields; problems are collected, not raised one by one."""

    def __init__(self, obj: dict, prefix: str = ""):
        self.obj, self.prefix = obj, prefix
        self.problems: list[tuple[str, str]] = []

    def fail(self, key: str, msg: str) -> None:
        self.problems.append((self.prefix + key, msg))

    def raise_if_any(self, what: str) -> None:
        if self.problems:
            raise FieldError(self.problems, what)

    def _get(self, key: str, *, required: bool = True, nullable: bool = False):
        """(present, value); records a problem for a missing or null value that may not be."""
        if key not in self.obj:
            if required:
                self.fail(key, "لازم است")
            return False, None
        value = self.obj[key]
        if value is None:
            if not nullable:
                self.fail(key, "خالی (null) نمی‌تواند باشد")
            return False, None
        return True, value

    def _string(self, key: str, max_len: int, **kw) -> str | None:
        present, v = self._get(key, **kw)
        if not present:
            return None
        if not isinstance(v, str):
            self.fail(key, "باید متن باشد")
            return None
        if len(v) > max_len:
            self.fail(key, f"بیش از {max_len} نویسه است")
            return None
        return v

    # -------------------------------------------------------- kinds of field

    def uuid(self, key: str, **kw) -> str | None:
        v = self._string(key, 36, **kw)
        if v is not None and not _UUID.fullmatch(v):
            self.fail(key, "باید شناسه‌ی UUID باشد")
            return None
        return v

    def ident(self, key: str, pattern: re.Pattern, shape: str, **kw) -> str | None:
        v = self._string(key, 64, **kw)
        if v is None:
            return None
        if _has_controls(v):
            self.fail(key, "نویسه‌ی کنترلی یا کنترل جهت متن (نامرئی) دارد")
            return None
        if not pattern.fullmatch(v):
            self.fail(key, f"باید {shape} باشد")
            return None
        return v

    def int_(self, key: str, low: int, high: int, **kw) -> int | None:
        present, v = self._get(key, **kw)
        if not present:
            return None
        if isinstance(v, bool) or not isinstance(v, int):
            self.fail(key, "باید عدد صحیح JSON باشد")
            return None
        if not low <= v <= high:
            self.fail(key, f"باید بین {low} و {high} باشد")
            return None
        return v

    def amount(self, key: str, **kw) -> int | None:
        present, v = self._get(key, **kw)
        if not present:
            return None
        if isinstance(v, bool) or not isinstance(v, int):
            self.fail(key, "مبلغ باید عدد صحیح ریال باشد (نه اعشاری، نه متن)")
            return None
        if not 0 <= v <= MAX_RIALS:
            self.fail(key, f"مبلغ باید بین ۰ و {MAX_RIALS} ریال باشد")
            return None
        return v

    def choice(self, key: str, allowed: tuple[str, ...]) -> str | None:
        present, v = self._get(key)
        if present and v not in allowed:
            self.fail(key, "باید یکی از " + "، ".join(allowed) + " باشد")
            return None
        return v if present else None

    def object(self, key: str) -> dict | None:
        present, v = self._get(key)
        if present and not isinstance(v, dict):
            self.fail(key, "باید شیء JSON باشد")
            return None
        return v if present else None

    def text(self, key: str, max_len: int, **kw) -> str | None:
        """Free text: anything printable, but something must be left once normalised."""
        v = self._string(key, max_len, **kw)
        if v is not None and not normalize_text(v):
            self.fail(key, "خالی است (یا فقط نویسه‌های نامرئی دارد)")
            return None
        return v

    def name(self, key: str, max_len: int) -> str | None:
        return self.text(key, max_len)

    def instant(self, key: str) -> datetime | None:
        v = self._string(key, MAX_INSTANT_LEN)
        if v is None:
            return None
        try:
            dt = datetime.fromisoformat(v)
        except ValueError:
            self.fail(key, "باید زمانی با قالب ISO 8601 باشد (مثلاً 2026-11-29T10:30:00Z)")
            return None
        if dt.utcoffset() is None:
            self.fail(key, "منطقه‌ی زمانی ندارد؛ باید به وقت جهانی (Z) باشد")
            return None
        if dt.utcoffset() != timedelta(0):
            self.fail(key, "باید به وقت جهانی (Z یا ‎+00:00) باشد")
            return None
        if not EARLIEST_INSTANT <= dt < LATEST_INSTANT:
            self.fail(key, f"خارج از بازه‌ی پذیرفتنی ({EARLIEST_INSTANT.year} تا {LATEST_INSTANT.year - 1}) است")
            return None
        return dt

    def skew(self, key: str) -> float | None:
        present, v = self._get(key, required=False)
        if not present:
            return None
        if isinstance(v, bool) or not isinstance(v, int | float):
            self.fail(key, "باید عدد JSON (ثانیه) باشد")
            return None
        if not math.isfinite(v) or abs(v) > MAX_CLOCK_SKEW_S:
            self.fail(key, "عددی متناهی و در بازه‌ی پذیرفتنی (حداکثر صد سال) نیست")
            return None
        return float(v)

    def receipt_no(self, key: str, office: str | None, device: int | None) -> str | None:
        v = self._string(key, 40)
        if v is None:
            return None
        if not RECEIPT_NO_RE.fullmatch(v):
            self.fail(key, "باید به شکل 4512-2-050908-0042 با رقم لاتین باشد")
            return None
        r_office, r_device, _yymmdd, r_seq = v.split("-")
        if office is not None and r_office != office:
            self.fail(key, "کد دفتر شماره رسید با کد دفتر درخواست یکی نیست")
        elif device is not None and r_device != str(device):
            self.fail(key, "شماره دستگاه شماره رسید با دستگاه درخواست یکی نیست")
        elif int(r_seq) < 1:
            self.fail(key, "شماره ترتیب رسید باید از ۱ شروع شود")
        return v

    def clerk(self, key: str) -> None:
        obj = self.object(key)
        if obj is None:
            return
        c = _Fields(obj, self.prefix + key + ".")
        c.ident("username", _USERNAME, "نام کاربری لاتین تا ۶۴ نویسه")
        c._string("full_name", 200, required=False, nullable=True)
        self.problems += c.problems

    def service_code(self, key: str) -> None:
        v = self._string(key, _MAX_SERVICE_CODE)
        if v is not None and not SERVICE_CODE_RE.fullmatch(v):
            self.fail(key, "باید کد خدمت (رقم و حرف لاتین) باشد")

    def national_code(self, key: str) -> None:
        v = self._string(key, 10)
        if v is None:
            return
        try:
            canonical = validate_national_code(v)
        except ValueError as exc:
            self.fail(key, str(exc))
            return
        if canonical != v:
            self.fail(key, "کد ملی باید ده رقم لاتین باشد")

    def mobile(self, key: str) -> None:
        v = self._string(key, 11, required=False, nullable=True)
        if not v:
            return
        try:
            canonical = validate_mobile(v)
        except ValueError as exc:
            self.fail(key, str(exc))
            return
        if canonical != v:
            self.fail(key, "شماره همراه باید به شکل 09xxxxxxxxx باشد")

    def form_fields(self, key: str) -> None:
        """The shape of the form's answers (what they mean is checked by the form of their version,
        `provincial_server.ingest`): an object of field names to text, integers or booleans."""
        present, v = self._get(key, required=False, nullable=True)
        if not present:
            return
        if not isinstance(v, dict):
            self.fail(key, "باید شیء JSON (نام فیلد و مقدار) باشد")
            return
        if len(v) > MAX_FORM_FIELDS:
            self.fail(key, f"بیش از {MAX_FORM_FIELDS} فیلد دارد")
            return
        for name, value in v.items():
            if not _FIELD_NAME.fullmatch(name):
                self.fail(f"{key}._", "نام فیلد باید با حرف کوچک لاتین شروع شود و فقط a-z، 0-9 و _ داشته باشد")
            elif isinstance(value, float) or not isinstance(value, str | int):  # bool is an int
                self.fail(f"{key}.{name}", "مقدار فیلد باید متن، عدد صحیح یا true/false باشد")
            elif isinstance(value, str) and len(value) > MAX_FIELD_TEXT:
                self.fail(f"{key}.{name}", f"بیش از {MAX_FIELD_TEXT} نویسه است")

    def fees(self, key: str) -> list[int] | None:
        present, v = self._get(key)
        if not present:
            return None
        if not isinstance(v, list) or not 1 <= len(v) <= MAX_FEE_LINES:
            self.fail(key, f"باید فهرستی از ۱ تا {MAX_FEE_LINES} ردیف هزینه باشد")
            return None
        amounts: list[int] | None = []
        for i, line in enumerate(v):
            if not isinstance(line, dict):
                self.fail(f"{key}.{i}", "ردیف هزینه باید شیء JSON باشد")
                amounts = None
                continue
            lf = _Fields(line, f"{self.prefix}{key}.{i}.")
            lf.choice("kind", FEE_KINDS)
            amount = lf.amount("amount")
            self.problems += lf.problems
            if amount is None or amounts is None:
                amounts = None
            else:
                amounts.append(amount)
        return amounts
