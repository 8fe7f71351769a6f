"""Thermal renderer: a Document -> a 1-bit QImage exactly the paper's dot width.

Thermal printers cannot shape or order Persian in text mode, so the whole receipt is an image.
Qt shapes the text (HarfBuzz) and runs the bidi algorithm; we give it right-to-left paragraphs,
left-to-right cells for codes, and isolated LTR runs inside Persian text.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

from printing import layout as L
from printing.qr import qr_matrix
from printing.qtsupport import FAMILY, ensure_gui
from printing.rtl import isolate_ltr, isolate_ltr_runs

PAPER_DOTS = {80: 576, 58: 384}


def paper_dots(paper: int = 80, dots: int | None = None) -> int:
    """Dot width of the paper: `dots` wins (512 for some 80 mm models), else 80 -> 576, 58 -> 384."""
    if dots is not None:
        if not 96 <= int(dots) <= 2048:
            raise ValueError(f"dots out of range: {dots}")
        return int(dots)
    try:
        return PAPER_DOTS[int(paper)]
    except KeyError:
        raise ValueError(f"unknown paper width: {paper}") from None


@dataclass
class _Op:
    height: float
    draw: Callable  # (painter, top_y) -> None


class _Renderer:
    def __init__(self, width: int):
        from PySide6.QtCore import Qt
        from PySide6.QtGui import QFont

        self.Qt = Qt
        self.width = width
        self.margin = max(4, round(width * 0.015))
        self.inner = width - 2 * self.margin
        base = max(19, round(width * 0.042))  # 576 -> 24 px (3 mm), 384 -> 19 px
        self.px = {
            "small": round(base * 0.82),
            "normal": base,
            "medium": round(base * 1.15),
            "large": round(base * 1.35),
            "huge": round(base * 3.5),
        }
        self.gap = round(base * 0.3)
        self._fonts: dict[tuple[str, bool], QFont] = {}
        self.ops: list[_Op] = []

    # -- text primitives ------------------------------------------------------------------
    def font(self, size: str = "normal", bold: bool = False):
        from PySide6.QtGui import QFont

        key = (size, bold)
        if key not in self._fonts:
            f = QFont(FAMILY)
            f.setPixelSize(self.px[size])
            f.setWeight(QFont.Weight.Bold if bold else QFont.Weight.Normal)
            f.setHintingPreference(QFont.HintingPreference.PreferFullHinting)
            self._fonts[key] = f
        return self._fonts[key]

    def text_width(self, text: str, font) -> float:
        from PySide6.QtGui import QFontMetricsF

        return QFontMetricsF(font).horizontalAdvance(text)

    def layout(self, text: str, font, width: float, *, rtl: bool = True, align: str = "right"):
        """Wrap `text` into lines of `width`; returns (QTextLayout, height)."""
        from PySide6.QtCore import QPointF
        from PySide6.QtGui import QTextLayout, QTextOption

        Qt = self.Qt
        flag = {
            "right": Qt.AlignmentFlag.AlignRight,
            "left": Qt.AlignmentFlag.AlignLeft,
            "center": Qt.AlignmentFlag.AlignHCenter,
        }[align]
        opt = QTextOption(flag | Qt.AlignmentFlag.AlignAbsolute)
        opt.setTextDirection(Qt.LayoutDirection.RightToLeft if rtl else Qt.LayoutDirection.LeftToRight)
        opt.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        lay = QTextLayout(text, font)
        lay.setTextOption(opt)
        lay.beginLayout()
        y = 0.0
        while True:
            line = lay.createLine()
            if not line.isValid():
                break
            line.setLineWidth(max(1.0, width))
            line.setPosition(QPointF(0, y))
            y += line.height()
        lay.endLayout()
        return lay, y

    def add(self, height: float, draw: Callable) -> None:
        self.ops.append(_Op(height, draw))

    def space(self, h: float) -> None:
        self.add(h, lambda p, y: None)

    def add_text(
        self,
        text: str,
        *,
        size="normal",
        bold=False,
        align="right",
        rtl=True,
        x: float | None = None,
        width: float | None = None,
        inverted=False,
    ) -> None:
        from PySide6.QtCore import QPointF, QRectF

        x = self.margin if x is None else x
        width = self.inner if width is None else width
        pad = self.gap if inverted else 0
        lay, h = self.layout(text, self.font(size, bold), width - 2 * pad, rtl=rtl, align=align)

        def draw(p, y, lay=lay, h=h):
            if inverted:
                p.fillRect(QRectF(x, y, width, h + 2 * pad), self.Qt.GlobalColor.black)
                p.setPen(self.Qt.GlobalColor.white)
            lay.draw(p, QPointF(x + pad, y + pad))
            p.setPen(self.Qt.GlobalColor.black)

        self.add(h + 2 * pad, draw)

    # -- blocks --------------------------------------------------------------------------
    def block(self, b) -> None:
        handler = getattr(self, "_" + type(b).__name__.lower())
        handler(b)

    def _title(self, b: L.Title) -> None:
        self.add_text(isolate_ltr_runs(b.text), size=b.size, bold=True, align=b.align)
        self.space(self.gap)

    def _text(self, b: L.Text) -> None:
        if b.boxed:
            self.space(self.gap / 2)
        self.add_text(isolate_ltr_runs(b.text), size=b.size, bold=b.bold, align=b.align, inverted=b.boxed)
        if b.boxed:
            self.space(self.gap / 2)

    def _keyvalue(self, b: L.KeyValue) -> None:
        from PySide6.QtCore import QPointF

        label_font = self.font("normal", False)
        value_font = self.font("normal", b.bold)
        value = isolate_ltr(b.value) if b.ltr else isolate_ltr_runs(b.value)
        lw = self.text_width(b.label, label_font)
        vw = self.text_width(b.value, value_font)
        if lw + self.gap * 2 + vw <= self.inner:
            lab, h1 = self.layout(b.label, label_font, self.inner, align="right")
            val, h2 = self.layout(value, value_font, self.inner - lw - self.gap * 2, rtl=not b.ltr, align="left")

            def draw(p, y, lab=lab, val=val):
                lab.draw(p, QPointF(self.margin, y))
                val.draw(p, QPointF(self.margin, y))

            self.add(max(h1, h2), draw)
        else:  # label on its own line, the value wrapped under it (a 200-letter name)
            self.add_text(b.label)
            indent = self.gap * 2
            self.add_text(
                value,
                bold=b.bold,
                rtl=not b.ltr,
                align="left" if b.ltr else "right",
                x=self.margin,
                width=self.inner - indent,
            )
        self.space(self.gap / 3)

    def _separator(self, b: L.Separator) -> None:
        from PySide6.QtCore import QRectF

        h = self.gap * 2
        if b.style == "space":
            self.space(h)
            return
        dashed = b.style == "dashed"

        def draw(p, y):
            mid = y + h / 2 - 1
            if dashed:
                step = max(8, self.width // 48)
                for x0 in range(self.margin, self.margin + self.inner, step):
                    p.fillRect(QRectF(x0, mid, step * 0.6, 2), self.Qt.GlobalColor.black)
            else:
                p.fillRect(QRectF(self.margin, mid, self.inner, 2), self.Qt.GlobalColor.black)

        self.add(h, draw)

    def _qrcode(self, b: L.QRCode) -> None:
        from PySide6.QtCore import QRectF

        matrix = qr_matrix(b.data)
        n = len(matrix)
        module = max(3, min(6, int(self.inner * 0.45) // n))  # 80 mm: 6 dots = 0.75 mm modules
        side = module * (n + 8)  # quiet zone of 4 modules each side
        x0 = (self.width - n * module) // 2

        def draw(p, y):
            top = int(y) + 4 * module
            for r, row in enumerate(matrix):
                for c, dark in enumerate(row):
                    if dark:
                        p.fillRect(QRectF(x0 + c * module, top + r * module, module, module), self.Qt.GlobalColor.black)

        self.add(side, draw)
        if b.caption:
            self.add_text(b.caption, size="small", align="center")

    def _table(self, b: L.Table) -> None:
        if b.title:
            self.add_text(isolate_ltr_runs(b.title), bold=True, size="medium")
        weights = [c.weight for c in b.columns]
        total = sum(weights)
        widths = [self.inner * w / total for w in weights]
        self._table_row([c.title for c in b.columns], b.columns, widths, bold=True, size="small")
        self._rule(2)
        if not b.rows:
            self.add_text(b.empty_text, size="small", align="center")
        for row in b.rows:
            self._table_row(row, b.columns, widths, size="small")
        if b.footer:
            self._rule(1)
            self._table_row(b.footer, b.columns, widths, bold=True, size="small")
        self.space(self.gap)

    def _rule(self, thickness: int) -> None:
        from PySide6.QtCore import QRectF

        self.add(
            thickness + 2,
            lambda p, y: p.fillRect(QRectF(self.margin, y + 1, self.inner, thickness), self.Qt.GlobalColor.black),
        )

    def _table_row(self, cells, columns, widths, *, bold=False, size="normal") -> None:
        from PySide6.QtCore import QPointF

        placed = []
        right = self.margin + self.inner  # columns run from the right edge leftwards
        pad = self.gap / 2
        for text, col, w in zip(cells, columns, widths):
            x = right - w
            shown = isolate_ltr(text) if col.ltr else isolate_ltr_runs(text)
            align = "center" if col.numeric else "right"  # amounts centred, text and codes flush right
            lay, h = self.layout(shown, self.font(size, bold), w - pad, rtl=not col.ltr, align=align)
            placed.append((lay, x, h))
            right = x
        height = max(h for _, _, h in placed)

        def draw(p, y):
            for lay, x, _ in placed:
                lay.draw(p, QPointF(x, y))

        self.add(height, draw)

    def _checklist(self, b: L.Checklist) -> None:
        self.add_text(b.title, bold=True)
        for item in b.items:
            self.add_text("☐ " + isolate_ltr_runs(item))

    def _signatureboxes(self, b: L.SignatureBoxes) -> None:
        from PySide6.QtCore import QRectF

        for label in b.labels:
            self.add_text(label, size="small")
            h = self.px["normal"] * 3
            self.add(h + self.gap, lambda p, y, h=h: p.drawRect(QRectF(self.margin, y, self.inner, h)))

    def _barchart(self, b: L.BarChart) -> None:
        from PySide6.QtCore import QRectF

        self.add_text(b.title, bold=True)
        top = max((v for _, v in b.items), default=0) or 1
        texts = b.value_text or [str(v) for _, v in b.items]
        bar_h = self.px["small"]
        for (label, value), vt in zip(b.items, texts):
            self.add_text(f"{isolate_ltr_runs(label)} ({vt})", size="small")
            w = self.inner * value / top

            def draw(p, y, w=w):  # bars grow from the right edge, like the text
                p.fillRect(QRectF(self.margin + self.inner - w, y, w, bar_h * 0.7), self.Qt.GlobalColor.black)

            self.add(bar_h, draw)


_RENDER_LOCK = threading.Lock()


def render(doc: L.Document, dots: int = 576):
    """Render `doc` to a QImage of Format_Mono, `dots` wide (1 = black). Thread-safe: renders
    are serialised (a receipt takes milliseconds; the UI calls this from worker threads)."""
    ensure_gui()
    with _RENDER_LOCK:
        return _render(doc, dots)


def _render(doc: L.Document, dots: int):
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QImage, QPainter

    r = _Renderer(int(dots))
    r.space(r.gap)
    for block in doc.blocks:
        r.block(block)
    if doc.footer:
        r.add_text(doc.footer, size="small", align="center")
    r.space(r.gap * 2)
    height = int(sum(op.height for op in r.ops) + 0.999)
    img = QImage(r.width, max(1, height), QImage.Format.Format_Grayscale8)
    img.fill(255)
    p = QPainter(img)
    try:
        p.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
        p.setPen(Qt.GlobalColor.black)
        y = 0.0
        for op in r.ops:
            op.draw(p, y)
            y += op.height
    finally:
        p.end()
    return img.convertToFormat(
        QImage.Format.Format_Mono, Qt.ImageConversionFlag.ThresholdDither | Qt.ImageConversionFlag.MonoOnly
    )


def render_png(doc: L.Document, dots: int = 576) -> bytes:
    """`render(doc, dots)` as PNG bytes: a preview of exactly what the printer gets, for callers
    that must not touch Qt themselves (services, the self-test)."""
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice

    image = render(doc, dots)
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    try:
        if not image.save(buffer, "PNG"):
            raise RuntimeError("PNG encoding failed")  # a bug or a broken Qt install, not user input
    finally:
        buffer.close()
    return bytes(data.data())
