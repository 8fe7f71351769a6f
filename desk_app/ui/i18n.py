"""Language and direction, set once for the whole application (CONVENTIONS.md 7).

Source strings are English; Persian comes from `resources/translations/desk_fa.qm`, which is
built from the Qt Linguist file `desk_fa.ts` (`pyside6-lupdate` + `pyside6-lrelease`).
Persian is the default; English is selectable in the settings page and takes effect at the
next start, because the layout direction is decided once, before any widget exists.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QCoreApplication, QLocale, Qt, QTranslator
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication

from desk_app.paths import resources_dir
from desk_app.services.settings import OPTIONS

log = logging.getLogger("desk_app.ui")
_translators: list[QTranslator] = []  # installed by apply_language (one application per process)

LANGUAGES = OPTIONS["language"].choices or ()  # the setting `language` (desk_app.services.settings)
DEFAULT_LANGUAGE = OPTIONS["language"].default
FONT_FAMILY = "Vazirmatn"


def translations_dir():
    return resources_dir() / "translations"


def register_fonts() -> str:
    """Register the bundled Vazirmatn faces; return the family name to use."""
    family = None
    for path in sorted((resources_dir() / "fonts").glob("Vazirmatn-*.ttf")):
        font_id = QFontDatabase.addApplicationFont(str(path))
        if font_id < 0:
            log.warning("font not loaded: %s", path.name)
            continue
        families = QFontDatabase.applicationFontFamilies(font_id)
        if families and family is None:
            family = families[0]
    return family or FONT_FAMILY


def apply_language(app: QApplication, language: str | None) -> str:
    """Locale, layout direction, font and translator for `language` ("fa" or "en")."""
    chosen = language if language is not None and language in LANGUAGES else DEFAULT_LANGUAGE
    language = chosen
    if language == "fa":
        locale = QLocale(QLocale.Language.Persian, QLocale.Country.Iran)
        direction = Qt.LayoutDirection.RightToLeft
    else:
        locale = QLocale(QLocale.Language.English, QLocale.Country.UnitedStates)
        direction = Qt.LayoutDirection.LeftToRight
    QLocale.setDefault(locale)
    app.setLayoutDirection(direction)
    family = register_fonts()
    font = QFont(family)
    font.setPointSize(10)
    app.setFont(font)
    for old in _translators:
        QCoreApplication.removeTranslator(old)
    _translators.clear()
    if language == "fa":
        translator = QTranslator(app)
        qm = translations_dir() / "desk_fa.qm"
        if translator.load(str(qm)):
            QCoreApplication.installTranslator(translator)
            _translators.append(translator)
        else:
            log.warning("Persian translation not found: %s", qm)
        qt_own = qt_translator(app, "fa")
        if qt_own is not None:
            QCoreApplication.installTranslator(qt_own)
            _translators.append(qt_own)
        gaps = QTranslator(app)  # installed last, asked first: only the strings qtbase_fa lacks
        if gaps.load(str(translations_dir() / "qtbase_extra_fa.qm")):
            QCoreApplication.installTranslator(gaps)
            _translators.append(gaps)
    app.setProperty("desk_language", chosen)
    return chosen


def qt_translations_dirs() -> list[str]:
    """Where Qt's own translations are: PySide6's wheel first, then a copy shipped with us."""
    from PySide6.QtCore import QLibraryInfo

    return [QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath), str(translations_dir())]


def qt_translator(app: QApplication, language: str) -> QTranslator | None:
    """Qt's own strings (file dialogs, «لغو», «ذخیره», context menus of fields) from `qtbase_fa`."""
    for folder in qt_translations_dirs():
        translator = QTranslator(app)
        if translator.load(f"qtbase_{language}", folder):
            return translator
    log.warning("Qt's own Persian translation (qtbase_%s) not found", language)
    return None


def current_language() -> str:
    app = QCoreApplication.instance()
    value = app.property("desk_language") if app is not None else None
    return value if isinstance(value, str) and value in LANGUAGES else DEFAULT_LANGUAGE


def local_digits(text: str) -> str:
    """Digits in the script of the interface: Persian digits in Persian, ASCII in English."""
    from desk_app.domain.text import to_persian_digits

    return to_persian_digits(text) if current_language() == "fa" else text
