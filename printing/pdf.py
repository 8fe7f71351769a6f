"""PDF renderer (reportlab): A5 receipt, A4 form, A4 daily and shift reports.

reportlab draws glyphs left to right as given and cannot shape Arabic script, so every line is
wrapped here in logical order, then shaped and reordered (`rtl.visual`) and drawn right-aligned.
Page numbers «صفحه ۱ از ۳» are drawn once the page count is known; table headers repeat on every
page a table continues on.
"""

from __future__ import annotations

import functools
import threading
from pathlib import Path

from reportlab.lib.colors import Color, black
from reportlab.lib.pagesizes import A4, A5
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas as rl_canvas

from desk_app.paths import resources_dir
from printing import layout as L
from printing.errors import PrinterError
from printing.labels import fa
from printing.qr import qr_matrix
from printing.rtl import FSI, LRI, PDI, RLI, isolate_ltr, isolate_ltr_runs, shape, strip_controls, visual

REGULAR, BOLD = "Vazirmatn", "Vazirmatn-Bold"
GRAY = Color(0.88, 0.88, 0.88)
DARK = Color(0.25, 0.25, 0.25)
_font_lock = threading.Lock()
_glyphs: set[int] = set()


def register_fonts() -> None:
    with _font_lock:
        if _glyphs:
            return
        fonts = resources_dir() / "fonts"
        regular = TTFont(REGULAR, str(fonts / "Vazirmatn-Regular.ttf"))
        pdfmetrics.registerFont(regular)
        pdfmetrics.registerFont(TTFont(BOLD, str(fonts / "Vazirmatn-Bold.ttf")))
        _glyphs.update(regular.face.charToGlyph)


def has_glyph(ch: str) -> bool:
    return ord(ch) in _glyphs


@functools.lru_cache(maxsize=16384)
def _width(text: str, font: str, size: float) -> float:
    return pdfmetrics.stringWidth(strip_controls(shape(text, has_glyph)), font, size)


def _balance(lines: list[str]) -> list[str]:
    """Close isolates a line break cut through and reopen them on the next line."""
    out, carry = [], ""
    for line in lines:
        line = carry + line
        depth = 0
        opened: list[str] = []
        for ch in line:
            if ch in (LRI, RLI, FSI):
                opened.append(ch)
                depth += 1
            elif ch == PDI and opened:
                opened.pop()
        out.append(line + PDI * len(opened))
        carry = "".join(opened)
    return out


def wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """Greedy word wrap of logical text; a word longer than the line is cut by letters."""
    lines: list[str] = []
    for para in (text or "").split("\n"):
        if _width(para, font, size) <= width:  # the common case: one measurement
            lines.append(para)
            continue
        current = ""
        for word in para.split(" "):
            candidate = f"{current} {word}" if current else word
            if _width(candidate, font, size) <= width:
                current = candidate
                continue
            if current:
                lines.append(current)
                current = ""
            while _width(word, font, size) > width and len(word) > 1:
                cut = len(word) - 1
                while cut > 1 and _width(word[:cut], font, size) > width:
                    cut -= 1
                lines.append(word[:cut])
                word = word[cut:]
            current = word
        lines.append(current)
    return _balance(lines)


class _NumberedCanvas(rl_canvas.Canvas):
    """Keeps each page until the end so that «صفحه n از N» can be written on every page."""

    def __init__(self, *args, footer: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self._pages: list[dict] = []
        self._footer = footer

    def showPage(self):  # noqa: N802 - reportlab's name
        self._pages.append(dict(self.__dict__))
        self._startPage()  # type: ignore[attr-defined]  # reportlab's page-count recipe; private, not in the stubs

    def save(self):
        total = len(self._pages)
        for i, state in enumerate(self._pages, start=1):
            self.__dict__.update(state)
            self._draw_page_number(i, total)
            super().showPage()
        super().save()

    def _draw_page_number(self, page: int, total: int) -> None:
        w, _ = self._pagesize  # type: ignore[attr-defined]  # set by Canvas.__init__; private, not in the stubs
        self.setFont(REGULAR, 8)
        self.setFillColor(black)
        self.drawCentredString(w / 2, 8 * mm, visual(f"صفحه {fa(page)} از {fa(total)}", has_glyph=has_glyph))
        if self._footer:
            self.drawRightString(w - 12 * mm, 8 * mm, visual(self._footer, has_glyph=has_glyph))


class _Writer:
    def __init__(self, doc: L.Document, path: Path):
        register_fonts()
        self.doc = doc
        self.pagesize = A5 if doc.page == "A5" else A4
        self.small_page = doc.page == "A5"
        from printing.backends import prepare_private_output

        prepare_private_output(path)
        self.c = _NumberedCanvas(str(path), pagesize=self.pagesize, footer=doc.footer, pageCompression=1, invariant=1)
        self.c.setTitle(doc.kind)
        self.c.setCreator("Pishkhan Desk")
        w, h = self.pagesize
        self.margin = (10 if self.small_page else 15) * mm
        self.left, self.right = self.margin, w - self.margin
        self.top, self.bottom = h - self.margin, 14 * mm
        self.width = self.right - self.left
        self.base = 9.5 if self.small_page else 10
        self.size = {
            "small": self.base * 0.85,
            "normal": self.base,
            "medium": self.base * 1.2,
            "large": self.base * 1.5,
            "huge": self.base * 4,
        }
        self.y = self.top
        self.page_no = 1

    # -- primitives -----------------------------------------------------------------------
    def lead(self, size: float) -> float:
        return size * 1.7

    def new_page(self) -> None:
        self.c.showPage()
        self.page_no += 1
        self.y = self.top
        if self.doc.header:
            self.line(self.doc.header, size=self.size["small"], align="center")
            self.y -= 2 * mm

    def need(self, height: float) -> None:
        if self.y - height < self.bottom:
            self.new_page()

    def draw(self, text: str, x: float, y: float, *, font=REGULAR, size=10.0, align="right", rtl=True) -> None:
        if not text:
            return
        shown = visual(text, rtl=rtl, has_glyph=has_glyph)
        self.c.setFont(font, size)
        if align == "right":
            self.c.drawRightString(x, y, shown)
        elif align == "center":
            self.c.drawCentredString(x, y, shown)
        else:
            self.c.drawString(x, y, shown)

    def line(self, text: str, *, size=None, bold=False, align="right") -> None:
        """A wrapped paragraph across the content width."""
        size = size or self.size["normal"]
        font = BOLD if bold else REGULAR
        for part in wrap(text, font, size, self.width):
            self.need(self.lead(size))
            self.y -= self.lead(size)
            x = {"right": self.right, "center": (self.left + self.right) / 2, "left": self.left}[align]
            self.draw(part, x, self.y + size * 0.45, font=font, size=size, align=align)

    # -- blocks ---------------------------------------------------------------------------
    def block(self, b) -> None:
        getattr(self, "_" + type(b).__name__.lower())(b)

    def _title(self, b: L.Title) -> None:
        self.line(isolate_ltr_runs(b.text), size=self.size[b.size], bold=True, align=b.align)
        self.y -= 1.5 * mm

    def _text(self, b: L.Text) -> None:
        size = self.size[b.size]
        text = isolate_ltr_runs(b.text)
        if not b.boxed:
            self.line(text, size=size, bold=b.bold, align=b.align)
            return
        font = BOLD if b.bold else REGULAR
        lines = wrap(text, font, size, self.width - 6 * mm)
        height = len(lines) * self.lead(size) + 3 * mm
        self.need(height + 2 * mm)
        self.y -= 1 * mm
        self.c.setLineWidth(1.2)
        self.c.setFillColor(GRAY)
        self.c.rect(self.left, self.y - height, self.width, height, stroke=1, fill=1)
        self.c.setFillColor(black)
        y = self.y - 1.5 * mm
        for part in lines:
            y -= self.lead(size)
            self.draw(part, (self.left + self.right) / 2, y + size * 0.45, font=font, size=size, align="center")
        self.y -= height + 1 * mm

    def _keyvalue(self, b: L.KeyValue) -> None:
        size = self.size["normal"]
        label_w = self.width * (0.32 if self.small_page else 0.25)
        value_w = self.width - label_w - 2 * mm
        vfont = BOLD if b.bold else REGULAR
        value = isolate_ltr(b.value) if b.ltr else isolate_ltr_runs(b.value)
        labels = wrap(b.label, REGULAR, size, label_w)
        values = wrap(value, vfont, size, value_w) if not b.ltr else _wrap_ltr(b.value, vfont, size, value_w)
        rows = max(len(labels), len(values))
        self.need(rows * self.lead(size))
        value_right = self.right - label_w - 2 * mm
        for i in range(rows):
            self.y -= self.lead(size)
            base = self.y + size * 0.45
            if i < len(labels):
                self.draw(labels[i], self.right, base, size=size, align="right")
            if i < len(values):
                self.draw(values[i], value_right, base, font=vfont, size=size, align="right", rtl=not b.ltr)

    def _separator(self, b: L.Separator) -> None:
        self.need(3 * mm)
        self.y -= 1.5 * mm
        if b.style != "space":
            self.c.setLineWidth(0.6)
            self.c.setDash(2, 2) if b.style == "dashed" else self.c.setDash()
            self.c.line(self.left, self.y, self.right, self.y)
            self.c.setDash()
        self.y -= 1.5 * mm

    def _qrcode(self, b: L.QRCode) -> None:
        matrix = qr_matrix(b.data)
        n = len(matrix)
        side = 28 * mm
        module = side / n
        self.need(side + 6 * mm)
        self.y -= 3 * mm
        x0 = (self.left + self.right - side) / 2
        top = self.y
        self.c.setFillColor(black)
        path = self.c.beginPath()
        for r, row in enumerate(matrix):  # one rectangle per run of dark modules
            col = 0
            while col < n:
                if not row[col]:
                    col += 1
                    continue
                end = col
                while end < n and row[end]:
                    end += 1
                path.rect(x0 + col * module, top - (r + 1) * module, (end - col) * module, module)
                col = end
        self.c.drawPath(path, stroke=0, fill=1)
        self.y -= side + 3 * mm
        if b.caption:
            self.line(b.caption, size=self.size["small"], align="center")

    def _checklist(self, b: L.Checklist) -> None:
        size = self.size["normal"]
        self.line(b.title, bold=True)
        box = size * 0.8
        for item in b.items:
            parts = wrap(isolate_ltr_runs(item), REGULAR, size, self.width - box - 3 * mm)
            for j, part in enumerate(parts):
                self.need(self.lead(size))
                self.y -= self.lead(size)
                if j == 0:
                    self.c.setLineWidth(0.8)
                    self.c.rect(self.right - box, self.y + size * 0.3, box, box, stroke=1, fill=0)
                self.draw(part, self.right - box - 2 * mm, self.y + size * 0.45, size=size)

    def _signatureboxes(self, b: L.SignatureBoxes) -> None:
        n = max(1, len(b.labels))
        gap = 5 * mm
        w = (self.width - gap * (n - 1)) / n
        h = 28 * mm
        size = self.size["small"]
        self.need(h + self.lead(size) + 4 * mm)
        self.y -= 3 * mm
        for i, label in enumerate(b.labels):  # first box at the right
            right = self.right - i * (w + gap)
            self.c.setLineWidth(0.8)
            self.c.rect(right - w, self.y - h, w, h, stroke=1, fill=0)
            self.draw(label, right - w / 2, self.y - self.lead(size), size=size, align="center")
        self.y -= h + 2 * mm

    def _barchart(self, b: L.BarChart) -> None:
        """A chart is read as one picture: it is kept on one page with its title (on a new page
        when the rest of this one is too short), never split between two."""
        size = self.size["small"]
        row_h = self.lead(size)
        title_size = self.size["medium"]
        title_lines = len(wrap(b.title, BOLD, title_size, self.width))
        height = title_lines * self.lead(title_size) + len(b.items) * row_h + 2 * mm
        if height <= self.top - self.bottom - 3 * self.lead(self.size["small"]):  # fits on a fresh page
            self.need(height)
        self.line(b.title, bold=True, size=title_size)
        label_w = self.width * 0.38
        bar_area = self.width - label_w - 16 * mm
        top = max((v for _, v in b.items), default=0) or 1
        texts = b.value_text or [fa(v) for _, v in b.items]
        for (label, value), vt in zip(b.items, texts):
            self.need(row_h)
            self.y -= row_h
            shown = wrap(isolate_ltr_runs(label), REGULAR, size, label_w)[0]
            self.draw(shown, self.right, self.y + size * 0.35, size=size)
            bar_right = self.right - label_w - 2 * mm
            w = bar_area * value / top
            self.c.setFillColor(DARK)
            self.c.rect(bar_right - w, self.y + size * 0.15, w, size * 0.9, stroke=0, fill=1)
            self.c.setFillColor(black)
            self.draw(vt, bar_right - w - 1.5 * mm, self.y + size * 0.35, size=size)
        self.y -= 2 * mm

    def _table(self, b: L.Table) -> None:
        size = self.size["small"] if len(b.columns) > 4 else self.size["normal"] * 0.95
        if b.title:
            self.need(self.lead(self.size["medium"]) + 3 * self.lead(size))
            self.line(isolate_ltr_runs(b.title), size=self.size["medium"], bold=True)
        total = sum(c.weight for c in b.columns)
        widths = [self.width * c.weight / total for c in b.columns]
        header = [c.title for c in b.columns]
        self._row(header, b.columns, widths, size, header=True, check_space=3)
        if not b.rows:
            self.line(b.empty_text, size=size, align="center")
        for row in b.rows:
            if self._row_height(row, b.columns, widths, size) > self.y - self.bottom:
                self.new_page()
                if b.title:
                    self.line(isolate_ltr_runs(b.title) + " (ادامه)", size=self.size["normal"], bold=True)
                self._row(header, b.columns, widths, size, header=True, check_space=0)
            self._row(row, b.columns, widths, size)
        if b.footer:
            self._row(b.footer, b.columns, widths, size, bold=True)
        self.y -= 3 * mm

    def _cell_lines(self, text: str, col: L.Column, width: float, size: float, bold: bool) -> list[str]:
        font = BOLD if bold else REGULAR
        if col.ltr:
            return _wrap_ltr(text, font, size, width - 2 * mm)
        return wrap(isolate_ltr_runs(text), font, size, width - 2 * mm)

    def _row_height(self, cells, columns, widths, size, bold=False) -> float:
        n = max(len(self._cell_lines(t, c, w, size, bold)) for t, c, w in zip(cells, columns, widths))
        return n * self.lead(size) * 0.85 + 1.5 * mm

    def _row(self, cells, columns, widths, size, *, header=False, bold=False, check_space=1) -> None:
        bold = bold or header
        height = self._row_height(cells, columns, widths, size, bold)
        if check_space:
            self.need(height * check_space)
        font = BOLD if bold else REGULAR
        top = self.y
        if header or bold:
            self.c.setFillColor(GRAY)
            self.c.rect(self.left, top - height, self.width, height, stroke=0, fill=1)
            self.c.setFillColor(black)
        right = self.right
        for text, col, w in zip(cells, columns, widths):
            y = top - 0.75 * mm
            for part in self._cell_lines(text, col, w, size, bold):
                y -= self.lead(size) * 0.85
                if col.numeric:  # amounts and counts centred under their heading
                    self.draw(part, right - w / 2, y + size * 0.35, font=font, size=size, align="center")
                else:  # text and codes flush right, like the heading
                    self.draw(
                        part, right - 1 * mm, y + size * 0.35, font=font, size=size, align="right", rtl=not col.ltr
                    )
            right -= w
        self.c.setLineWidth(0.3)
        self.c.setStrokeColor(DARK)
        self.c.line(self.left, top - height, self.right, top - height)
        self.c.setStrokeColor(black)
        self.y = top - height

    def finish(self) -> None:
        self.c.showPage()
        self.c.save()


def _wrap_ltr(text: str, font: str, size: float, width: float) -> list[str]:
    """A code (LTR) wrapped by characters, each line isolated."""
    return [isolate_ltr(part) for part in wrap(text, font, size, width)]


def render_document_pdf(doc: L.Document, path: str | Path) -> Path:
    path = Path(path)
    try:
        w = _Writer(doc, path)
        for block in doc.blocks:
            w.block(block)
        w.finish()
    except OSError as exc:
        raise PrinterError(f"نوشتن فایل PDF ممکن نشد: {path} ({exc.strerror or exc})") from exc
    return path


def render_receipt_pdf(data, path: str | Path) -> Path:
    from printing.receipt import build_receipt

    return render_document_pdf(build_receipt(data), path)


def render_form_pdf(data, path: str | Path) -> Path:
    from printing.form import build_form

    return render_document_pdf(build_form(data), path)


def render_daily_report_pdf(data, path: str | Path) -> Path:
    from printing.reports import build_daily_report

    return render_document_pdf(build_daily_report(data), path)


def render_shift_report_pdf(data, path: str | Path) -> Path:
    from printing.reports import build_shift_report

    return render_document_pdf(build_shift_report(data), path)
