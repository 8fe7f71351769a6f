"""Pages for the upload tests and the chaos run: real JPEG files of a chosen size, made in
microseconds (a tiny picture plus comment segments of random bytes, so no two are alike and
none compresses), kept with a request through the services' own `store_page`."""

from __future__ import annotations

import io
import random
from functools import lru_cache

from PIL import Image

from desk_app.services import attachments, imaging


@lru_cache(maxsize=1)
def _tiny_jpeg() -> bytes:
    buf = io.BytesIO()
    Image.new("L", (16, 16), 200).save(buf, "JPEG")
    return buf.getvalue()


def jpeg_of_size(size: int, seed: int) -> bytes:
    """A valid JPEG of exactly `size` bytes (at least ~700)."""
    base = _tiny_jpeg()
    rng = random.Random(seed)
    room = size - len(base)
    segments = []
    while room > 4:
        n = min(65535, room) - 2  # payload of one COM segment (its length field counts itself)
        n = max(0, n)
        if room - (n + 4) in (1, 2, 3):
            n -= 4
        segments.append(b"\xff\xfe" + (n + 2).to_bytes(2, "big") + rng.randbytes(n))
        room -= n + 4
    data = base[:2] + b"".join(segments) + base[2:]
    return data + b"\x00" * (size - len(data)) if len(data) < size else data


def page(size: int, seed: int) -> imaging.Page:
    return imaging.Page(jpeg_of_size(size, seed), "image/jpeg", "photo", 16, 16, 200, 0.0)


def attach(desk, receipt_no: str, size: int, seed: int, document: str | None = None):
    return attachments.store_page(desk, receipt_no, page(size, seed), document=document)
