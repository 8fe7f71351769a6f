"""What a clerk typed in the one search box, read as names and numbers.

Words are folded with `search_key`, the key intake stores beside first and last names, so «علي»,
«علی» and «عَلی» are one word. A run of digits (Persian or ASCII; dashes and spaces between
groups ignored, so «۰۵۰۹۱۱-۰۰۰۳» and «050911 0003» are one number) is a number; anything else is
split into words at whatever is not a letter or digit (quotes, dots, hyphens: no name needs them to
be found). How each is matched is decided in `desk_app.services.search`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from desk_app.domain.errors import InvalidInput
from desk_app.domain.identifiers import validate_national_code
from desk_app.domain.receipt import RECEIPT_NO_RE
from desk_app.domain.text import normalize_digits, normalize_text, search_key

MAX_QUERY = 200  # characters read from the box; the rest is ignored
MAX_TERMS = 8  # words and numbers; a longer query keeps its first eight
_UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_DASHES = str.maketrans(dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2212\ufe63\uff0d", "-"))
_SEPARATORS_RE = re.compile(r"[\s,،;؛]+")
_NUMBER_RE = re.compile(r"^[0-9-]*[0-9][0-9-]*$")
_NOT_A_LETTER_RE = re.compile(r"[\W_]+")  # after search_key: diacritics and ZWNJ are gone already


@dataclass(frozen=True)
class SearchQuery:
    """`request_id` / `receipt_no`: the query is exactly one request's id or whole receipt number.
    `words`: folded name words, each to be found in the first or the last name. `numbers`: ASCII
    digit strings, each the end of the receipt number or of the tracking code, or a national code.
    `national_codes[i]`: the canonical national code `numbers[i]` can be, else None."""

    request_id: str | None = None
    receipt_no: str | None = None
    words: tuple[str, ...] = ()
    numbers: tuple[str, ...] = ()
    national_codes: tuple[str | None, ...] = ()

    @property
    def empty(self) -> bool:
        return not (self.request_id or self.receipt_no or self.words or self.numbers)


def _national_code(digits: str) -> str | None:
    if not 8 <= len(digits) <= 10:
        return None
    try:
        return validate_national_code(digits)
    except InvalidInput:
        return None


def parse_query(text: str | None) -> SearchQuery:
    """Names and numbers of a query; an empty SearchQuery for a blank one."""
    text = normalize_text(str(text or "")[:MAX_QUERY])
    ascii_text = normalize_digits(text).translate(_DASHES).strip()
    if not ascii_text:
        return SearchQuery()
    if _UUID_RE.match(ascii_text.lower()):
        return SearchQuery(request_id=ascii_text.lower())
    if RECEIPT_NO_RE.match(ascii_text):
        return SearchQuery(receipt_no=ascii_text)
    words: list[str] = []
    numbers: list[str] = []
    run: list[str] = []  # digit groups typed with spaces between them make one number

    def end_run() -> None:
        if run:
            numbers.append("".join(run).replace("-", ""))
            run.clear()

    for token in _SEPARATORS_RE.split(ascii_text):
        if _NUMBER_RE.match(token):
            run.append(token)
            continue
        end_run()
        words += [part for part in _NOT_A_LETTER_RE.split(search_key(token)) if part]  # «"رضا» is «رضا»
    end_run()
    words, numbers = words[:MAX_TERMS], numbers[: max(0, MAX_TERMS - len(words))]
    return SearchQuery(
        words=tuple(words), numbers=tuple(numbers), national_codes=tuple(_national_code(n) for n in numbers)
    )
