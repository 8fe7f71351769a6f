"""Pages from files: JPEG, PNG, TIFF (every frame), BMP, WebP, and PDF (one page per PDF page).

The kind of a file is found from its first bytes, never from its name; the size cap is checked
from the file system before a byte is read; a PDF's page count (and whether it is encrypted) is
known before any page is drawn, so a 300-page PDF is refused at once. Every refusal is an
`InvalidInput` with a Persian message that names the file. PDF pages are drawn at the target
resolution with pdfium (pypdfium2, which pdfplumber also uses).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

from desk_app.domain.errors import InvalidInput
from desk_app.domain.text import to_persian_digits
from desk_app.services import imaging

log = logging.getLogger("desk_app.services")

SNIFF_BYTES = 1024
# format name -> Pillow's name for it (PDF is drawn by pdfium)
PILLOW_FORMATS = {"jpeg": "JPEG", "png": "PNG", "tiff": "TIFF", "bmp": "BMP", "webp": "WEBP"}
FORMATS = (*PILLOW_FORMATS, "pdf")
_PDF_POINTS_PER_INCH = 72
_PDFIUM_PASSWORD_ERROR = 4  # FPDF_ERR_PASSWORD
_pdfium_lock = threading.Lock()  # pdfium is not thread-safe


def fa_number(n: int | float) -> str:
    """Persian digits, with the Persian decimal separator."""
    return to_persian_digits(str(n)).replace(".", "٫")


def _name(path: Path) -> str:
    return path.name[:80]


@dataclass
class SourcePage:
    """A page before compression: the decoded image and its resolution when known."""

    image: Image.Image
    dpi: float | None
    origin: str  # "file.pdf:3", for the log and messages

    def compress(self, kind: str | None = None) -> imaging.Page:
        return imaging.compress(self.image, dpi=self.dpi, kind=kind)


def sniff(head: bytes) -> str | None:
    """The format of a file from its first bytes ("jpeg", "png", "tiff", "bmp", "webp", "pdf")."""
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return "tiff"
    if head.startswith(b"BM") and len(head) >= 26:
        return "bmp"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if b"%PDF-" in head[:SNIFF_BYTES]:  # a PDF header may follow some junk (the spec allows 1 KB)
        return "pdf"
    return None


@dataclass(frozen=True)
class FileInfo:
    """A checked input file: its format and how many pages it holds."""

    path: Path
    format: str
    size: int
    pages: int


def check_file(path: Path | str, *, max_bytes: int) -> FileInfo:
    """Refuse what is not a readable page file, reading no more than its first kilobyte and the
    header of its format: missing, empty, too large (from its size on disk), not an image or PDF,
    an encrypted PDF, an image too large to decode."""
    path = Path(path)
    try:
        st = path.stat()
    except FileNotFoundError:
        raise InvalidInput(f"فایل «{_name(path)}» پیدا نشد.", "file") from None
    if not path.is_file():
        raise InvalidInput(f"«{_name(path)}» فایل نیست.", "file")
    if st.st_size == 0:
        raise InvalidInput(f"فایل «{_name(path)}» خالی است (۰ بایت)؛ چیزی افزوده نشد.", "file")
    if st.st_size > max_bytes:
        raise InvalidInput(
            f"فایل «{_name(path)}» {fa_number(round(st.st_size / 2**20))} مگابایت است؛ بیشترین اندازهٔ پذیرفته "
            f"{fa_number(max_bytes // 2**20)} مگابایت است. صفحه را با وضوح کمتر اسکن کنید.",
            "file",
        )
    with open(path, "rb") as fh:
        head = fh.read(SNIFF_BYTES)
    fmt = sniff(head)
    if fmt is None:
        raise InvalidInput(
            f"فایل «{_name(path)}» تصویر (JPEG، PNG، TIFF، BMP، WebP) یا PDF نیست؛ چیزی افزوده نشد.", "file"
        )
    pages = _count_pdf(path) if fmt == "pdf" else _check_image(path, fmt)
    if pages == 0:
        raise InvalidInput(f"فایل «{_name(path)}» هیچ صفحه‌ای ندارد.", "file")
    return FileInfo(path, fmt, st.st_size, pages)


def _open_image(path: Path, fmt: str) -> Image.Image:
    try:
        img = Image.open(path, formats=[PILLOW_FORMATS[fmt]])
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        log.info("unreadable %s file: %s", fmt, type(exc).__name__)
        raise InvalidInput(f"فایل «{_name(path)}» تصویر سالمی نیست (سرآیند آن خوانده نشد).", "file") from None
    if img.width * img.height > imaging.MAX_PIXELS or img.width < 1 or img.height < 1:
        img.close()
        raise InvalidInput(
            f"تصویر «{_name(path)}» ({fa_number(img.width)}×{fa_number(img.height)} نقطه) بزرگ‌تر از آن است "
            "که خوانده شود؛ با وضوح ۲۰۰ تا ۳۰۰ نقطه در اینچ اسکن کنید.",
            "file",
        )
    return img


def _check_image(path: Path, fmt: str) -> int:
    """Frames of an image (a multi-page TIFF has several), from its headers only."""
    with _open_image(path, fmt) as img:
        return int(getattr(img, "n_frames", 1) or 1)


def _pdf_error(path: Path, exc: Exception) -> InvalidInput:
    if getattr(exc, "err_code", None) == _PDFIUM_PASSWORD_ERROR:
        return InvalidInput(
            f"فایل PDF «{_name(path)}» رمزدار است و بی‌رمز باز نمی‌شود؛ نسخهٔ بی‌رمز آن را بدهید یا برگه‌ها را اسکن کنید.",
            "file",
        )
    return InvalidInput(f"فایل PDF «{_name(path)}» خراب است یا خوانده نمی‌شود.", "file")


def _count_pdf(path: Path) -> int:
    import pypdfium2 as pdfium

    with _pdfium_lock:
        try:
            doc = pdfium.PdfDocument(str(path))
        except pdfium.PdfiumError as exc:
            raise _pdf_error(path, exc) from None
        try:
            return len(doc)
        finally:
            doc.close()


def iter_pages(info: FileInfo) -> Iterator[SourcePage]:
    """The pages of a checked file, one decoded at a time. A file that turns out damaged while
    decoding (a truncated JPEG is only found out then) raises `InvalidInput`."""
    if info.format == "pdf":
        yield from _pdf_pages(info.path)
        return
    with _open_image(info.path, info.format) as img:
        for index in range(info.pages):
            try:
                img.seek(index)
                frame = ImageOps.exif_transpose(img)  # phone photos: upright as the citizen held them
                frame.load()
            except (OSError, SyntaxError, ValueError, EOFError) as exc:
                log.info("damaged %s file: %s", info.format, exc)
                raise InvalidInput(
                    f"فایل «{_name(info.path)}» ناقص یا خراب است (تصویر تا پایان خوانده نشد)؛ فایل سالم را بدهید.",
                    "file",
                ) from None
            dpi = imaging.plausible_dpi(img.info.get("dpi"))
            yield SourcePage(frame.copy(), dpi, f"{_name(info.path)}:{index + 1}")


def _pdf_pages(path: Path) -> Iterator[SourcePage]:
    import pypdfium2 as pdfium

    with _pdfium_lock:
        try:
            doc = pdfium.PdfDocument(str(path))
        except pdfium.PdfiumError as exc:
            raise _pdf_error(path, exc) from None
    try:
        for index in range(len(doc)):
            with _pdfium_lock:
                try:
                    page = doc[index]
                    w_pt, h_pt = page.get_size()
                    scale = imaging.TARGET_DPI / _PDF_POINTS_PER_INCH
                    pixels = w_pt * h_pt * scale * scale
                    if pixels > imaging.MAX_PIXELS:  # a poster-sized page: draw it smaller
                        scale *= (imaging.MAX_PIXELS / pixels) ** 0.5
                    bitmap = page.render(scale=scale, grayscale=True)
                    image = bitmap.to_pil().convert("L")
                    page.close()
                except pdfium.PdfiumError as exc:
                    raise _pdf_error(path, exc) from None
            yield SourcePage(image, scale * _PDF_POINTS_PER_INCH, f"{_name(path)}:{index + 1}")
    finally:
        with _pdfium_lock:
            doc.close()


def self_check() -> dict[str, bool]:
    """What scanned pages need from the installed program (`desk-app self-test`): Pillow with
    libtiff's CCITT G4 and JPEG, and pdfium to draw PDF pages. {"g4": bool, "jpeg": bool, "pdf": bool}."""
    import io

    import pypdfium2 as pdfium

    page = Image.new("L", (64, 64), 255)
    page.paste(0, (8, 8, 40, 40))
    bw = imaging.bilevel(page)
    g4 = io.BytesIO()
    bw.save(g4, "TIFF", compression="group4")
    checks = {"g4": imaging.decode(g4.getvalue()).getextrema() == (0, 255)}
    checks["jpeg"] = imaging.decode(imaging.encode_gray_jpeg(page, 200)).size == (64, 64)
    with _pdfium_lock:
        doc = pdfium.PdfDocument.new()
        try:
            doc.new_page(72, 72)
            out = io.BytesIO()
            doc.save(out)
        finally:
            doc.close()
        doc = pdfium.PdfDocument(out.getvalue())
        try:
            checks["pdf"] = doc[0].render(scale=1).to_pil().size == (72, 72)
        finally:
            doc.close()
    return checks
