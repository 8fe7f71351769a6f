"""Sample "scans" for the attachment tests and bench: an A4 page of Persian text rendered with
Qt's QPainter and the bundled Vazirmatn font at 300 dpi, then made to look scanned (grey paper,
light falling off to one corner, sensor noise, dust, a little blur), and a synthetic ID-card
photo (colour, a face-like gradient, Persian text). Both are PIL images; the words on the page
are known, for OCR checks. Deterministic for a seed.
"""

from __future__ import annotations

import random

from PIL import Image, ImageChops, ImageDraw, ImageFilter

A4_MM = (210, 297)
CARD_MM = (85.6, 54.0)

# Words Tesseract's fas model must find back on the compressed page (all in PARAGRAPHS).
KEY_WORDS = ("درخواست", "شناسنامه", "گذرنامه", "پیشخوان", "استان", "مدارک", "شهروند", "دفتر", "ارومیه", "نشانی")

PARAGRAPHS = (
    "بسمه تعالی",
    "فرم درخواست صدور گذرنامه عادی",
    "اینجانب شهروند ساکن استان آذربایجان غربی درخواست صدور گذرنامه را دارم و مدارک لازم را "
    "همراه این فرم به دفتر پیشخوان خدمات دولت تحویل می‌دهم.",
    "مدارک تحویلی: اصل و تصویر شناسنامه، اصل و تصویر کارت ملی هوشمند، دو قطعه عکس رنگی "
    "با زمینه سفید، و رسید پرداخت هزینه‌های دولتی.",
    "متقاضی تأیید می‌کند که همه اطلاعات این فرم درست است و هر تغییر در نشانی یا شماره تلفن "
    "همراه را به دفتر پیشخوان اطلاع خواهد داد.",
    "کارمند دفتر پس از بررسی مدارک، درخواست را در سامانه ثبت می‌کند و رسید آن را به شهروند "
    "می‌دهد؛ پیگیری درخواست با شماره رسید و کد رهگیری انجام می‌شود.",
    "دفتر پیشخوان مسئول نگهداری امن تصویر مدارک تا ارسال آن به استان است و پس از ارسال، "
    "تصویر مدارک فقط برای پیگیری همان درخواست به کار می‌رود.",
    "نشانی دفتر: ارومیه، خیابان امام، نبش کوچه گلستان، طبقه همکف. ساعات کار: شنبه تا "
    "چهارشنبه از هشت صبح تا چهار بعدازظهر.",
    "امضای متقاضی و تاریخ",
)


def px(mm: float, dpi: int) -> int:
    return round(mm / 25.4 * dpi)


def _paint(size: tuple[int, int], dpi: int, draw):
    """A QImage of `size` painted by `draw(painter)`, right-to-left, antialiased."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QImage, QPainter

    from printing.qtsupport import ensure_gui

    ensure_gui()
    image = QImage(size[0], size[1], QImage.Format.Format_RGB32)
    image.fill(Qt.GlobalColor.white)
    image.setDotsPerMeterX(round(dpi / 0.0254))
    image.setDotsPerMeterY(round(dpi / 0.0254))
    painter = QPainter(image)
    try:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        painter.setLayoutDirection(Qt.LayoutDirection.RightToLeft)
        draw(painter)
    finally:
        painter.end()
    return image


def _rgb(image) -> Image.Image:
    from PySide6.QtGui import QImage

    rgb = image.convertToFormat(QImage.Format.Format_RGB888)
    w, h, bpl = rgb.width(), rgb.height(), rgb.bytesPerLine()
    return Image.frombuffer("RGB", (w, h), bytes(rgb.constBits())[: bpl * h], "raw", "RGB", bpl, 1).copy()


def text_page(dpi: int = 300, point_size: float = 12.0, gap_mm: float = 2.5) -> Image.Image:
    """A clean A4 page ('L') filled top to bottom with the Persian paragraphs (12 pt, 2.5 mm between
    paragraphs unless told), right-aligned as Persian is."""
    from PySide6.QtCore import QRect, Qt
    from PySide6.QtGui import QFont

    w, h = px(A4_MM[0], dpi), px(A4_MM[1], dpi)
    margin = px(20, dpi)

    def draw(painter):
        font = QFont("Vazirmatn")
        font.setPointSizeF(point_size)
        painter.setFont(font)
        painter.setPen(Qt.GlobalColor.black)
        y = margin
        flags = int(Qt.AlignmentFlag.AlignRight) | int(Qt.AlignmentFlag.AlignAbsolute) | int(Qt.TextFlag.TextWordWrap)
        while True:
            for para in PARAGRAPHS:
                rect = QRect(margin, y, w - 2 * margin, h - margin - y)
                used = painter.boundingRect(rect, flags, para)
                if used.bottom() > h - margin:
                    return
                painter.drawText(rect, flags, para)
                y = used.bottom() + px(gap_mm, dpi)

    page = _rgb(_paint((w, h), dpi, draw)).convert("L")
    page.info["dpi"] = (dpi, dpi)
    return page


def scanned(page: Image.Image, *, paper: int = 215, noise: float = 14.0, seed: int = 7) -> Image.Image:
    """`page` as a cheap scanner sees it: ink not quite black, grey paper darkening by 30 levels
    towards one corner, Gaussian sensor noise, dust specks and a little blur."""
    gray = page.convert("L")
    w, h = gray.size
    toned = gray.point(lambda v: 35 + v * (paper - 35) // 255)
    gradient = Image.linear_gradient("L").resize((w, h)).point(lambda v: v * 30 // 255)
    toned = ImageChops.subtract(toned, gradient)
    noisy = ImageChops.add(toned, Image.effect_noise((w, h), noise), scale=1.0, offset=-128)
    rng = random.Random(seed)
    dust = ImageDraw.Draw(noisy)
    for _ in range(60):
        x, y, r = rng.randrange(w), rng.randrange(h), rng.choice((1, 1, 2, 3))
        dust.ellipse((x - r, y - r, x + r, y + r), fill=rng.randrange(40, 120))
    out = noisy.filter(ImageFilter.GaussianBlur(0.6))
    out.info["dpi"] = page.info.get("dpi", (300, 300))
    return out


def id_card_photo(dpi: int = 300, seed: int = 3) -> Image.Image:
    """A colour photo of an ID card (RGB): tinted background with waves, a face-like radial
    gradient in a frame, five lines of Persian text, light noise."""
    from PySide6.QtCore import QPointF, QRect, Qt
    from PySide6.QtGui import QBrush, QColor, QFont, QLinearGradient, QPen, QRadialGradient

    w, h = px(CARD_MM[0], dpi), px(CARD_MM[1], dpi)
    rng = random.Random(seed)

    def draw(painter):
        bg = QLinearGradient(0, 0, w, h)
        bg.setColorAt(0, QColor(196, 222, 236))
        bg.setColorAt(1, QColor(232, 214, 186))
        painter.fillRect(0, 0, w, h, QBrush(bg))
        painter.setPen(QPen(QColor(150, 180, 200), 3))
        for i in range(0, w, 24):  # guilloche-like waves
            painter.drawArc(QRect(i - 80, rng.randrange(-40, 40) + h // 3, 160, 160), 0, 180 * 16)
        face = QRadialGradient(QPointF(w * 0.22, h * 0.48), h * 0.32)
        face.setColorAt(0.0, QColor(236, 196, 160))
        face.setColorAt(0.55, QColor(200, 150, 115))
        face.setColorAt(0.8, QColor(90, 60, 45))
        face.setColorAt(1.0, QColor(60, 70, 90))
        painter.fillRect(QRect(int(w * 0.05), int(h * 0.15), int(w * 0.34), int(h * 0.7)), QBrush(face))
        painter.setPen(Qt.GlobalColor.black)
        font = QFont("Vazirmatn")
        font.setPixelSize(px(3.2, dpi))
        painter.setFont(font)
        lines = ("جمهوری اسلامی ایران", "کارت شناسایی ملی", "نام: محمد", "نام خانوادگی: کریمی", "شماره ملی: 0012345679")
        for i, line in enumerate(lines):
            box = QRect(int(w * 0.42), int(h * (0.1 + i * 0.16)), int(w * 0.54), px(5, dpi))
            painter.drawText(box, int(Qt.AlignmentFlag.AlignRight) | int(Qt.AlignmentFlag.AlignAbsolute), line)

    rgb = _rgb(_paint((w, h), dpi, draw))
    noise = Image.effect_noise((w, h), 6).convert("RGB")
    photo = ImageChops.add(rgb, noise, scale=1.0, offset=-128).filter(ImageFilter.GaussianBlur(0.5))
    photo.info["dpi"] = (dpi, dpi)
    return photo
