"""QR codes as a plain module matrix (the `qrcode` package), drawn by each renderer itself."""

from __future__ import annotations

import functools

import qrcode
from qrcode.constants import ERROR_CORRECT_M


@functools.lru_cache(maxsize=64)
def qr_matrix(data: str) -> tuple[tuple[bool, ...], ...]:
    """Modules of the QR code for `data`, True = dark, without the quiet zone."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=0, box_size=1)
    code.add_data(data.encode("utf-8"))
    code.make(fit=True)
    return tuple(tuple(bool(m) for m in row) for row in code.get_matrix())
