"""Right-to-left helpers shared by the renderers: isolating left-to-right runs, stripping
controls, and (for reportlab, which cannot shape) the visual order of one line.

Qt shapes and orders Persian itself; we only give it isolated LTR runs. reportlab draws glyphs
left to right as given, so each PDF line is shaped with arabic_reshaper and reordered with
python-bidi. python-bidi 0.6 has two engines: the Rust `bidi.get_display` knows isolates but does
not mirror brackets, the pure-Python `bidi.algorithm.get_display` mirrors brackets but rejects
isolates. We use the pure-Python one and turn each isolate into an embedding first (LRI..PDI ->
LRE..PDF), which keeps a code's groups in order and still mirrors «(۱۲۳)».
"""

from __future__ import annotations

import functools
import re

import arabic_reshaper
from bidi.algorithm import get_display

from desk_app.domain.text import BIDI_CONTROLS

LRI, RLI, FSI, PDI = "\u2066", "\u2067", "\u2068", "\u2069"
LRE, RLE, PDF_ = "\u202a", "\u202b", "\u202c"
_ISOLATE_TO_EMBED = str.maketrans({LRI: LRE, RLI: RLE, FSI: LRE, PDI: PDF_})
_STRIP = str.maketrans({c: None for c in BIDI_CONTROLS})

# A run of Latin letters/ASCII digits (with the punctuation codes use inside them) that must stay
# left-to-right when it sits in Persian text: 4512-2-050908-0042, IR12..., user@host, 09121234567.
_LTR_RUN = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9\-/:._@+#]|\s(?=[A-Za-z0-9]))*")
_STRONG_RTL = re.compile(r"[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff]")


def isolate_ltr(s: str) -> str:
    """Wrap `s` in LRI..PDI so it keeps its left-to-right order inside Persian text."""
    return f"{LRI}{s}{PDI}" if s else s


def strip_controls(s: str) -> str:
    """Remove bidi controls (the fonts have no glyphs for them)."""
    return s.translate(_STRIP)


def isolate_ltr_runs(s: str) -> str:
    """Isolate every Latin/ASCII-digit run of free text (names, titles) that is not already
    inside an isolate. Only done when the text also holds Persian letters."""
    if not s or LRI in s or not _STRONG_RTL.search(s):
        return s
    return _LTR_RUN.sub(lambda m: isolate_ltr(m.group(0)), s)


def is_rtl(s: str) -> bool:
    return bool(_STRONG_RTL.search(s))


# --- reportlab: shaping and visual order --------------------------------------------------

_RESHAPER = arabic_reshaper.ArabicReshaper(configuration={"delete_harakat": False, "support_ligatures": True})
_RESHAPER_NO_LIG = arabic_reshaper.ArabicReshaper(configuration={"delete_harakat": False, "support_ligatures": False})


@functools.lru_cache(maxsize=16384)
def shape(s: str, has_glyph=None) -> str:
    """Contextual forms for Arabic-script letters (presentation forms), logical order kept.
    Ligatures the font lacks fall back to single letters."""
    out = _RESHAPER.reshape(s)
    if has_glyph is not None and not all(has_glyph(ch) for ch in out if ch not in BIDI_CONTROLS):
        out = _RESHAPER_NO_LIG.reshape(s)
    return out


@functools.lru_cache(maxsize=8192)
def _visual(shaped: str, rtl: bool) -> str:
    embedded = shaped.translate(_ISOLATE_TO_EMBED)
    return strip_controls(get_display(embedded, base_dir="R" if rtl else "L"))


def visual(s: str, rtl: bool = True, has_glyph=None) -> str:
    """One line of logical text -> the string reportlab should draw left to right."""
    if not s:
        return ""
    return _visual(shape(s, has_glyph), rtl)
