"""Guard against PySide6 6.12.0's `none_dealloc` abort on Python 3.11 (DESIGN.md section 7)."""

from __future__ import annotations

import sys

from PySide6.QtCore import QLineF
from PySide6.QtGui import QGuiApplication, QImage, QPainter


def test_void_qt_calls_keep_none_refcount(qapp):
    assert QGuiApplication.instance() is not None
    image = QImage(64, 64, QImage.Format.Format_RGB32)
    painter = QPainter(image)
    line = QLineF(0, 0, 63, 63)
    before = sys.getrefcount(None)
    for _ in range(100_000):
        painter.drawLine(line)
    painter.end()
    after = sys.getrefcount(None)
    # A leak of one reference per call would lose 100,000; allow small noise from the interpreter.
    assert after >= before - 100, f"refcount of None fell from {before} to {after}"
