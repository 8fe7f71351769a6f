"""ESC/POS bytes of a rendered receipt: python-escpos `image(impl="bitImageRaster")` (GS v 0,
split into blocks of at most 960 rows), then feed and cut, and an optional cash-drawer kick."""

from __future__ import annotations

import contextlib
import copy
import logging
import os
import sys
import tempfile
import threading
from pathlib import Path
from types import ModuleType

from desk_app.paths import cache_dir
from printing.qtsupport import qimage_to_pil

log = logging.getLogger("printing")

FRAGMENT_ROWS = 960
ESC_INIT = b"\x1b@"


_import_lock = threading.Lock()


def escpos_printers() -> ModuleType:
    """python-escpos's `escpos.printer`, imported so that it leaves nothing in the temporary folder.

    At import python-escpos calls `mkdtemp()` for its capabilities cache (even when
    `ESCPOS_CAPABILITIES_PICKLE_DIR` names another folder), so each start of the app that
    printed left an empty folder in the system temporary folder. We point the cache at our
    cache folder (an `ESCPOS_CAPABILITIES_PICKLE_DIR` already set wins) and let that `mkdtemp`
    happen inside a folder of ours, removed right after."""
    with _import_lock:
        if "escpos.printer" not in sys.modules:
            _import_escpos()
    return sys.modules["escpos.printer"]


def _import_escpos() -> None:
    folder = Path(os.environ.get("ESCPOS_CAPABILITIES_PICKLE_DIR") or cache_dir() / "escpos")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        scratch = Path(tempfile.mkdtemp(prefix=".import-", dir=folder))
    except OSError as exc:  # python-escpos then uses the temporary folder, as it would anyway
        log.debug("no cache folder for python-escpos: %s", exc)
        import escpos.printer  # noqa: F401

        return
    os.environ["ESCPOS_CAPABILITIES_PICKLE_DIR"] = str(folder)
    saved, tempfile.tempdir = tempfile.tempdir, str(scratch)
    try:
        import escpos.printer  # noqa: F401
    finally:
        tempfile.tempdir = saved
        for leftover in scratch.iterdir():  # python-escpos's empty folder; keep anything else
            with contextlib.suppress(OSError):
                leftover.rmdir()
        with contextlib.suppress(OSError):
            scratch.rmdir()


def _dummy(width: int):
    """A python-escpos printer that only collects bytes, with the paper width in its profile
    (the default profile leaves it unknown, and python-escpos then prints a note on stdout)."""
    p = escpos_printers().Dummy()
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
