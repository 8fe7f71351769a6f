"""A document as a small layout description, independent of the output (thermal or PDF).

Every string is in logical order. Runs that must stay left-to-right inside Persian text
(codes, Latin names) are wrapped with `bidi.isolate_ltr` by the builders; renderers strip the
controls after reordering.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Title:
    text: str
    size: str = "large"  # huge (ticket number) | large | medium
    align: str = "center"  # section headings: right


@dataclass
class Text:
    text: str
    align: str = "right"  # right | center | left
    bold: bool = False
    size: str = "normal"  # normal | small | large
    boxed: bool = False  # inverted banner on thermal, framed box in PDF (رونوشت, pending notes)


@dataclass
class KeyValue:
    """A label (right) and its value (left); `ltr` values are codes laid out left-to-right."""

    label: str
    value: str
    ltr: bool = False
    bold: bool = False


@dataclass
class Column:
    title: str
    weight: float = 1.0
    numeric: bool = False  # amounts/counts: aligned left, never wrapped
    ltr: bool = False  # codes


@dataclass
class Table:
    columns: list[Column]
    rows: list[list[str]]
    title: str | None = None
    footer: list[str] | None = None  # a totals row, drawn bold
    empty_text: str = "موردی ثبت نشده است."


@dataclass
class Separator:
    style: str = "line"  # line | dashed | space


@dataclass
class QRCode:
    data: str
    caption: str | None = None


@dataclass
class Checklist:
    title: str
    items: list[str]


@dataclass
class SignatureBoxes:
    labels: list[str]


@dataclass
class BarChart:
    title: str
    items: list[tuple[str, int]]  # (label, value)
    value_text: list[str] | None = None  # how each value is shown (Persian digits)


Block = Title | Text | KeyValue | Table | Separator | QRCode | Checklist | SignatureBoxes | BarChart


@dataclass
class Document:
    kind: str  # receipt | ticket | form | daily_report | shift_report
    blocks: list[Block] = field(default_factory=list)
    page: str = "roll"  # roll (thermal) | A5 | A4 — the PDF page size
    header: str | None = None  # repeated at the top of each PDF page after the first
    footer: str | None = None  # small print at the bottom

    def add(self, *blocks: Block) -> Document:
        self.blocks.extend(blocks)
        return self
