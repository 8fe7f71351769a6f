"""The Persian translation is complete and current, and the app comes up Persian and RTL."""

from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLocale, Qt
from PySide6.QtWidgets import QApplication

ROOT = Path(__file__).resolve().parent.parent
TS = ROOT / "resources" / "translations" / "desk_fa.ts"
QM = ROOT / "resources" / "translations" / "desk_fa.qm"
BIN = Path(sys.executable).parent


def _sources(ts: Path) -> set[tuple[str, str]]:
    tree = ET.parse(ts)
    return {(ctx.find("name").text, m.find("source").text) for ctx in tree.iter("context") for m in ctx.iter("message")}


def test_every_message_is_translated():
    sys.path.insert(0, str(TS.parent))
    try:
        import update
    finally:
        sys.path.pop(0)
    assert update.unfinished(TS) == []
    assert len(_sources(TS)) > 200


def test_translation_file_covers_the_code(tmp_path):
    """lupdate over the current code finds no string that desk_fa.ts lacks."""
    fresh = tmp_path / "fresh.ts"
    sources = sorted(str(p) for p in (ROOT / "desk_app" / "ui").glob("*.py"))
    subprocess.run([str(BIN / "pyside6-lupdate"), *sources, "-ts", str(fresh)], check=True, capture_output=True)
    missing = _sources(fresh) - _sources(TS)
    assert not missing, f"run resources/translations/update.py; new strings: {sorted(missing)[:10]}"


def test_compiled_translation_is_current(tmp_path):
    out = tmp_path / "desk_fa.qm"
    subprocess.run([str(BIN / "pyside6-lrelease"), str(TS), "-qm", str(out)], check=True, capture_output=True)
    assert QM.read_bytes() == out.read_bytes(), "desk_fa.qm is older than desk_fa.ts: run update.py"


def test_app_is_persian_and_right_to_left_by_default(qapp):
    from desk_app.ui.app import setup_application
    from desk_app.ui.i18n import apply_language

    app = setup_application()
    try:
        assert QApplication.layoutDirection() == Qt.LayoutDirection.RightToLeft
        assert QLocale().language() == QLocale.Language.Persian
        assert QCoreApplication.translate("MainWindow", "Intake") == "پذیرش"
        assert "Vazirmatn" in app.font().family()
        apply_language(app, "en")
        assert QApplication.layoutDirection() == Qt.LayoutDirection.LeftToRight
        assert QCoreApplication.translate("MainWindow", "Intake") == "Intake"
    finally:
        apply_language(app, "fa")
