"""Receipt numbers: `{office}-{device}-{jalali yyMMdd}-{daily seq}`, e.g. `4512-2-050908-0042`.

Given offline at intake; the date is the Tehran civil day of the request, the sequence restarts
at 1 each day per device, is zero-padded to 4 and simply grows past 9999.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import NamedTuple

from desk_app.domain.errors import InvalidInput
from desk_app.domain.jalali import jalali_yymmdd
from desk_app.domain.text import has_bidi_controls, normalize_digits

RECEIPT_NO_RE = re.compile(r"^[0-9]{4,6}-[0-9]{1,3}-[0-9]{6}-[0-9]{4,}$", re.ASCII)
OFFICE_RE = re.compile(r"[0-9]{4,6}", re.ASCII)
DEVICE_RE = re.compile(r"[0-9]{1,3}", re.ASCII)


class ReceiptNo(NamedTuple):
    office: str
    device: int
    yymmdd: str
    seq: int


def format_receipt_no(office: str | int, device: str | int, gdate: date | datetime, seq: int) -> str:
    """The receipt number of the `seq`-th request of `gdate` (a Tehran day) on this device."""
    office = str(office)
    if not OFFICE_RE.fullmatch(office):
        raise InvalidInput("کد دفتر باید ۴ تا ۶ رقم باشد.", "office")
    if isinstance(device, bool) or not DEVICE_RE.fullmatch(str(device)):
        raise InvalidInput("شماره دستگاه باید ۱ تا ۳ رقم باشد.", "device")
    if isinstance(seq, bool) or not isinstance(seq, int) or seq < 1:
        raise InvalidInput("شماره ترتیب رسید باید عدد مثبت باشد.", "seq")
    return f"{office}-{int(device)}-{jalali_yymmdd(gdate)}-{seq:04d}"


def normalize_receipt_no(text: str) -> str:
    """A typed receipt number in canonical ASCII form (Persian digits allowed), or InvalidInput."""
    if not isinstance(text, str) or len(text) > 40 or has_bidi_controls(text):
        raise InvalidInput("شماره رسید معتبر نیست.", "receipt_no")
    s = normalize_digits(text.strip()).replace("\u2010", "-").replace("\u2212", "-")
    if not RECEIPT_NO_RE.fullmatch(s):
        raise InvalidInput("شماره رسید معتبر نیست.", "receipt_no")
    return s


def is_receipt_no(text: str) -> bool:
    try:
        normalize_receipt_no(text)
    except InvalidInput:
        return False
    return True


def parse_receipt_no(s: str) -> ReceiptNo:
    office, device, yymmdd, seq = normalize_receipt_no(s).split("-")
    return ReceiptNo(office, int(device), yymmdd, int(seq))


def next_seq(last_receipt_no: str | None, office: str | int, device: str | int, gdate: date | datetime) -> int:
    """Sequence for the next receipt of `gdate`: 1 after nothing, after another office/device or
    another day; else one more than the last one's."""
    if not last_receipt_no:
        return 1
    last = parse_receipt_no(last_receipt_no)
    if last.office != str(office) or last.device != int(device) or last.yymmdd != jalali_yymmdd(gdate):
        return 1
    return last.seq + 1
