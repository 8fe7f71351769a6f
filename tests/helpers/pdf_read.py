"""Reading our PDFs back (pdfplumber): visual lines -> logical order, independent of python-bidi."""

from __future__ import annotations

import re
import unicodedata

import pdfplumber

ZWNJ = "\u200c"
# A left-to-right run as the reader sees it: Latin/ASCII or Persian digits and the punctuation
# inside codes, amounts and dates; Latin words may be joined by single spaces.
_LTR_RUN = re.compile(r"[A-Za-z0-9۰-۹](?:[A-Za-z0-9۰-۹٬٫\-/:.*@_+|]| (?=[A-Za-z0-9]))*")
_MIRROR = str.maketrans("()[]«»<>{}", ")(][»«><}{")


def logical(visual_line: str) -> str:
    """Undo the visual order of one right-to-left line (levels 1 and 2 only): reverse it, but
    keep left-to-right runs as they are, and mirror brackets outside them. Written here, apart
    from python-bidi, so the check does not share the code under test."""
    line = visual_line  # NFKC only after reversing: a lam-alef ligature decomposes in logical order
    parts, pos = [], 0
    for m in _LTR_RUN.finditer(line):
        parts.append((False, line[pos : m.start()]))
        parts.append((True, m.group(0)))
        pos = m.end()
    parts.append((False, line[pos:]))
    out = [text if ltr else text[::-1].translate(_MIRROR) for ltr, text in reversed(parts)]
    return re.sub(r" +", " ", unicodedata.normalize("NFKC", "".join(out))).strip()


def pdf_lines(path) -> list[list[str]]:
    """Logical lines per page."""
    with pdfplumber.open(path) as pdf:
        return [
            [logical(line) for line in (page.extract_text() or "").split("\n") if line.strip()] for page in pdf.pages
        ]


def no_zwnj(s: str) -> str:
    return s.replace(ZWNJ, "")
