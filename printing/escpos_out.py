"""ESC/POS bytes of a rendered receipt: python-escpos `image(impl="bitImageRaster")` (GS v 0,
split into blocks of at most 960 rows), then feed and cut, and an optional cash-drawer kick."""

from __future__ import annotations

import copy

from escpos.printer import Dummy

from printing.qtsupport import qimage_to_pil

FRAGMENT_ROWS = 960
ESC_INIT = b"\x1b@"


def _dummy(width: int) -> Dummy:
    """A python-escpos printer that only collects bytes, with the paper width in its profile
    (the default profile leaves it unknown, and python-escpos then prints a note on stdout)."""
    p = Dummy()
    data = copy.deepcopy(p.profile.profile_data)
    data.setdefault("media", {}).setdefault("width", {})["pixels"] = width
    p.profile.profile_data = data
    return p


def to_escpos_bytes(image, cut: bool = True, drawer: bool = False) -> bytes:
    """`image` (QImage or PIL) -> the bytes of one print job: init, raster image, cut, drawer."""
    pil = image if hasattr(image, "getpixel") else qimage_to_pil(image)
    p = _dummy(pil.width)
    p._raw(ESC_INIT)
    # split here rather than in python-escpos, which converts the whole image once more before
    # splitting it; the blocks are the same: at most FRAGMENT_ROWS rows each, top to bottom
    for top in range(0, pil.height, FRAGMENT_ROWS):
        block = pil.crop((0, top, pil.width, min(pil.height, top + FRAGMENT_ROWS)))
        p.image(block, impl="bitImageRaster", fragment_height=FRAGMENT_ROWS)
    if cut:
        p.cut()
    if drawer:
        p.cashdraw(2)
    return p.output
