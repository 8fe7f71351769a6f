"""Each scanned page to the smallest faithful form for a 2G link, at about 200 dpi.

Text documents (forms, birth certificates, letters) become bi-level: CCITT G4 TIFF, or PNG when
that is smaller. Photos and ID cards become a grey JPEG. The kind is chosen by content: once the
paper's own tone (grey paper, uneven light) is taken out, a text page is paper and ink with few
tones in between, while a photo is mostly in between; the caller may force either kind.

Bi-level pages are thresholded against a local estimate of the paper (a max filter over ~7 mm,
floored near the page's paper level so a large black area stays black), with Otsu's threshold
on the ink contrast of a lightly smoothed page (sensor noise must not become specks, which cost
G4 bytes and help no reader). Pure Pillow: no numpy in the bundle. No I/O here; `Page.data` is the file.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from typing import Any, SupportsFloat, SupportsIndex

from PIL import Image, ImageChops, ImageFilter, ImageOps

TARGET_DPI = 200
TEXT, PHOTO = "text", "photo"
KINDS = (TEXT, PHOTO)
MIDTONE_PHOTO = 0.08  # share of mid-tone pixels from which a page is a photo
MIDTONE_BAND = (40, 170)  # ink contrast (0 = paper) counted as mid-tone
NO_PAPER = 128  # a page whose lightest 5 % is darker than this shows no paper
SMOOTH_RADIUS = 0.7  # px at 200 dpi: sensor noise never reaches the threshold as specks
MIN_INK = 40  # a threshold never below this contrast: a blank page stays white, not noise
JPEG_QUALITY = 60
PREVIEW_PX = 256
PHOTO_MAX_SIDE = 1600  # long side of a photo whose resolution is unknown (a phone picture)
A4_LONG_MM = 297.0
MAX_PIXELS = 80_000_000  # larger inputs are refused before decoding (desk_app.services.capture)
PLAUSIBLE_DPI = (100, 2400)  # outside this, a file's dpi tag is ignored (phones write 72)

CONTENT_TYPES = {"TIFF": "image/tiff", "PNG": "image/png", "JPEG": "image/jpeg"}


@dataclass(frozen=True)
class Page:
    """One compressed page: `data` is what is stored and sent; the rest describes it."""

    data: bytes
    content_type: str
    kind: str
    width: int
    height: int
    dpi: int
    midtones: float  # the share that chose the kind (for the bench and the log)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    @property
    def size(self) -> int:
        return len(self.data)

    @property
    def kb(self) -> float:
        return round(len(self.data) / 1024, 1)

    def preview_png(self, max_px: int = PREVIEW_PX) -> bytes:
        return preview_png(self.data, max_px)

    def to_json(self) -> dict[str, Any]:
        return {
            "sha256": self.sha256,
            "bytes": self.size,
            "kb": self.kb,
            "content_type": self.content_type,
            "kind": self.kind,
            "width": self.width,
            "height": self.height,
            "dpi": self.dpi,
        }


def plausible_dpi(value: object) -> float | None:
    """A resolution tag worth believing (a number, an (x, y) pair or a TIFF rational), else None."""
    try:
        first = value[0] if isinstance(value, tuple | list) else value
        if not isinstance(first, SupportsFloat | SupportsIndex | str | bytes):
            return None
        dpi = float(first)
    except (TypeError, ValueError, IndexError):
        return None
    return dpi if PLAUSIBLE_DPI[0] <= dpi <= PLAUSIBLE_DPI[1] else None


def to_gray(img: Image.Image) -> Image.Image:
    """An 'L' image of any input mode: transparency flattened onto white paper, 16-bit scaled."""
    if img.mode in ("I;16", "I;16B", "I;16L", "I"):
        high = img.getextrema()[1]  # one band: (low, high)
        scale = 1 / 256 if img.mode != "I" or (isinstance(high, int | float) and high > 255) else 1
        return img.convert("I").point(lambda v: v * scale).convert("L")
    if img.mode == "F":
        return img.convert("L")
    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        paper = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(paper, rgba).convert("L")
    return img.convert("L")


def _resize(gray: Image.Image, factor: float) -> Image.Image:
    if factor >= 0.97:  # never upscale; a few per cent smaller is not worth a resample
        return gray
    size = (max(1, round(gray.width * factor)), max(1, round(gray.height * factor)))
    return gray.resize(size, Image.Resampling.BOX)  # area average: also averages sensor noise


def _background(gray: Image.Image) -> Image.Image:
    """The paper's tone at each pixel: the lightest value around it (~7 mm at 200 dpi), smoothed,
    but never far below the page's paper level (so a large dark area is ink, not paper)."""
    step = max(1, min(8, min(gray.size) // 16))
    small = gray.reduce(step) if step > 1 else gray
    small = small.filter(ImageFilter.MaxFilter(7)).filter(ImageFilter.GaussianBlur(2))
    paper = _percentile(gray.histogram(), 0.95)
    if paper < NO_PAPER:  # no paper to be seen (a black page): judge against white
        return Image.new("L", gray.size, 255)
    floor = paper - 64
    small = small.point(lambda v: max(v, floor))
    return small.resize(gray.size, Image.Resampling.BILINEAR)


def _percentile(hist: list[int], q: float) -> int:
    target, seen = sum(hist) * q, 0
    for value, count in enumerate(hist):
        seen += count
        if seen >= target:
            return value
    return 255


def otsu(hist: list[int]) -> int:
    """Otsu's threshold of a 256-bin histogram (the value that best splits it in two classes)."""
    total = sum(hist)
    sum_all = sum(i * h for i, h in enumerate(hist))
    w_low = sum_low = 0
    best, threshold = -1.0, 0
    for i, h in enumerate(hist):
        w_low += h
        if w_low == 0:
            continue
        w_high = total - w_low
        if w_high == 0:
            break
        sum_low += i * h
        m_low, m_high = sum_low / w_low, (sum_all - sum_low) / w_high
        between = w_low * w_high * (m_low - m_high) ** 2
        if between > best:
            best, threshold = between, i
    return threshold


def ink_contrast(gray: Image.Image) -> Image.Image:
    """0 where the paper is, up to 255 for ink much darker than the paper around it."""
    return ImageChops.subtract(_background(gray), gray)


def midtone_share(ink: Image.Image) -> float:
    hist = ink.histogram()
    low, high = MIDTONE_BAND
    return sum(hist[low:high]) / max(1, sum(hist))


def classify(gray: Image.Image) -> tuple[str, float]:
    """(kind, mid-tone share) of a grey page at about the target resolution."""
    share = midtone_share(ink_contrast(gray))
    return (PHOTO if share >= MIDTONE_PHOTO else TEXT), share


def bilevel(gray: Image.Image, ink: Image.Image | None = None) -> Image.Image:
    """A '1' image: black where the ink contrast passes Otsu's threshold (at least MIN_INK)."""
    ink = ink if ink is not None else ink_contrast(gray)
    threshold = max(otsu(ink.histogram()), MIN_INK)
    return ink.point(lambda v: 0 if v > threshold else 255, mode="1")


def encode_bilevel(bw: Image.Image, dpi: int) -> tuple[bytes, str]:
    """The smaller of CCITT G4 TIFF and PNG for a '1' image: (bytes, content type)."""
    g4, png = io.BytesIO(), io.BytesIO()
    bw.save(g4, "TIFF", compression="group4", dpi=(dpi, dpi))
    bw.save(png, "PNG", optimize=True, dpi=(dpi, dpi))
    if len(png.getvalue()) < len(g4.getvalue()):
        return png.getvalue(), CONTENT_TYPES["PNG"]
    return g4.getvalue(), CONTENT_TYPES["TIFF"]


def encode_gray_jpeg(gray: Image.Image, dpi: int, quality: int = JPEG_QUALITY) -> bytes:
    out = io.BytesIO()
    gray.save(out, "JPEG", quality=quality, optimize=True, progressive=True, dpi=(dpi, dpi))
    return out.getvalue()


def compress(img: Image.Image, *, dpi: float | None = None, kind: str | None = None) -> Page:
    """Compress one page. `dpi` is the source resolution when known (a scanner's, a PDF render's,
    a believable file tag), else the page is taken to be A4 for text and a phone photo otherwise;
    `kind` forces `TEXT` or `PHOTO`, None chooses by content."""
    if kind is not None and kind not in KINDS:
        raise ValueError(f"unknown page kind {kind!r}")
    gray = to_gray(img)
    source = plausible_dpi(dpi) if dpi is not None else None
    if source is not None:
        factor = TARGET_DPI / source
        out_dpi = TARGET_DPI if factor < 0.97 else round(source)
    else:
        long_side = max(gray.size)
        estimated = long_side / (A4_LONG_MM / 25.4)
        factor = TARGET_DPI / estimated if estimated > TARGET_DPI else 1.0
        out_dpi = TARGET_DPI if factor < 0.97 else max(1, round(estimated))
    gray = _resize(gray, factor)
    smooth = gray.filter(ImageFilter.GaussianBlur(SMOOTH_RADIUS))
    ink = ink_contrast(smooth)
    share = midtone_share(ink)
    chosen = kind or (PHOTO if share >= MIDTONE_PHOTO else TEXT)
    if chosen == TEXT:
        data, content_type = encode_bilevel(bilevel(smooth, ink), out_dpi)
    else:
        if source is None and max(gray.size) > PHOTO_MAX_SIDE:
            gray = _resize(gray, PHOTO_MAX_SIDE / max(gray.size))
        data, content_type = encode_gray_jpeg(gray, out_dpi), CONTENT_TYPES["JPEG"]
    return Page(data, content_type, chosen, gray.width, gray.height, out_dpi, round(share, 4))


def decode(data: bytes) -> Image.Image:
    """A stored page back as an image (fully loaded)."""
    img = Image.open(io.BytesIO(data))
    img.load()
    return img


def preview_png(data: bytes, max_px: int = PREVIEW_PX) -> bytes:
    """A small grey PNG of a stored page, at most `max_px` on its long side (the UI's thumbnail)."""
    img = decode(data).convert("L")
    img.thumbnail((max_px, max_px), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    ImageOps.autocontrast(img, cutoff=0).save(out, "PNG", optimize=True)
    return out.getvalue()
