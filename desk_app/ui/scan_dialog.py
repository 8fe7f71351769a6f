"""The scan dialog: a request's document pages from a scanner (SANE / WIA) or from image/PDF files.

Every page is kept the moment it is captured (`desk_app.services.attachments` stores it, file
first, then its row): a scanner that vanishes at sheet 3, a full disk or a closed window loses
nothing already shown here. "Done" only closes the dialog; "Delete page" takes a wrongly
scanned, still unsent page off the request. Scanners are listed, scans and imports run, and
previews are made on worker threads: the window never waits for a device.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QObject, QSize, Qt, QTranslator, Signal
from PySide6.QtGui import QIcon, QImage, QKeySequence, QPixmap, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desk_app.ui.context import UiContext
from desk_app.ui.errors import describe_error
from desk_app.ui.i18n import current_language, local_digits
from desk_app.ui.widgets import MessageLabel

if TYPE_CHECKING:
    from desk_app.services.attachments import AttachmentView

log = logging.getLogger("desk_app.ui")

VIEW_ROLE = Qt.ItemDataRole.UserRole + 1
THUMB_PX = 150
PREVIEW_PX = 640
FILE_FILTER = "*.pdf *.jpg *.jpeg *.png *.tif *.tiff *.bmp *.webp"
_qt_translators: list[QTranslator] = []


# --- words shared with the requests page and the status bar -------------------------------------


def size_text(size: int) -> str:
    """«۴۸ کیلوبایت» under a megabyte, «۱٫۲ مگابایت» above (Persian digits in Persian)."""
    if size < 1024 * 1024:
        kb = size / 1024
        number = f"{kb:.1f}" if 0 < kb < 10 else f"{round(kb)}"
        unit = QCoreApplication.translate("ScanDialog", "%1 KB")
    else:
        number = f"{size / 2**20:.1f}"
        unit = QCoreApplication.translate("ScanDialog", "%1 MB")
    if current_language() == "fa":
        number = number.replace(".", "٫")
    return unit.replace("%1", local_digits(number))


def kind_text(kind: str) -> str:
    from desk_app.services import imaging

    if kind == imaging.TEXT:
        return QCoreApplication.translate("ScanDialog", "text, black and white")
    if kind == imaging.PHOTO:
        return QCoreApplication.translate("ScanDialog", "photo, grey")
    return kind


def state_text(state: str) -> str:
    return (
        QCoreApplication.translate("ScanDialog", "sent")
        if state == "sent"
        else QCoreApplication.translate("ScanDialog", "waiting to send")
    )


def install_qt_translation() -> None:
    """Qt's own words (the file dialog's buttons and columns) in Persian, from qtbase_fa.qm when
    the Qt installation has it; once per process."""
    if _qt_translators or current_language() != "fa":
        return
    app = QCoreApplication.instance()
    translator = QTranslator(app)
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if translator.load("qtbase_fa", folder):
        QCoreApplication.installTranslator(translator)
        _qt_translators.append(translator)
    else:
        log.info("qtbase_fa.qm not found in %s: the file dialog keeps Qt's English words", folder)


# --- jobs (worker threads; they never touch a widget) ------------------------------------------


@dataclass
class Refused:
    """A capture that did not start (no scanner, scanner error): its Persian message."""

    message: str


def _list_devices(scanner) -> list | Refused:
    from desk_app.services.scanner import ScannerError, default_scanner

    try:
        return list((scanner or default_scanner()).devices())
    except ScannerError as exc:
        return Refused(exc.message)


def _existing(desk, receipt_no: str) -> tuple[list[str], list[tuple[AttachmentView, bytes | None]]]:
    from desk_app.services import attachments

    documents = attachments.required_documents(desk, receipt_no)
    pages = [(view, _thumb(desk, view.sha256)) for view in attachments.list_pages(desk, receipt_no)]
    return documents, pages


def _thumb(desk, sha256: str, max_px: int = THUMB_PX) -> bytes | None:
    from desk_app.domain.errors import InvalidInput
    from desk_app.services import attachments
    from desk_app.services.errors import StoreError

    try:
        return attachments.preview(desk, sha256, max_px)
    except (InvalidInput, StoreError):  # a purged (sent, old) or damaged file: listed without a picture
        return None


class _Bridge(QObject):
    """Pages stored by a worker, handed to the dialog on the main thread (a queued signal)."""

    page = Signal(object, object)  # AttachmentView, PNG thumbnail bytes | None


# --- the dialog --------------------------------------------------------------------------------


class ScanDialog(QDialog):
    """Pages of one request: scan or import them for a document, see each with its size, delete."""

    pages_changed = Signal()  # a page was stored or deleted

    def __init__(
        self,
        ctx: UiContext,
        receipt_no: str,
        document: str | None = None,
        parent: QWidget | None = None,
        scanner=None,
    ):
        super().__init__(parent)
        self.ctx = ctx
        self.receipt_no = receipt_no
        self.scanner = scanner  # None: the platform's (SANE through scanimage, or WIA)
        self.wanted_document = document
        self.busy = False
        self.changed = False
        self.cancel = threading.Event()
        self.file_dialog: QFileDialog | None = None
        self.bridge = _Bridge(self)
        self.bridge.page.connect(self._page_stored)
        self.setWindowTitle(self.tr("Documents of request %1").replace("%1", receipt_no))
        self.setMinimumSize(900, 600)

        layout = QVBoxLayout(self)
        self.header = QLabel(self.windowTitle().replace(receipt_no, "\u2066" + receipt_no + "\u2069"), self)
        self.header.setObjectName("scan_header")
        font = self.header.font()
        font.setBold(True)
        font.setPointSize(font.pointSize() + 2)
        self.header.setFont(font)
        layout.addWidget(self.header)
        top = QFormLayout()
        self.document = QComboBox(self)
        self.document.setObjectName("scan_document")
        self.document.setMinimumWidth(320)
        top.addRow(self.tr("Document"), self.document)
        source = QHBoxLayout()
        self.device = QComboBox(self)
        self.device.setObjectName("scan_device")
        self.device.setMinimumWidth(320)
        self.refresh_button = QPushButton(self.tr("Look for scanners again"), self)
        source.addWidget(self.device, 1)
        source.addWidget(self.refresh_button)
        top.addRow(self.tr("Scanner"), source)
        options = QHBoxLayout()
        self.kind = QComboBox(self)
        self.kind.setObjectName("scan_kind")
        self.kind.addItem(self.tr("Automatic"), None)
        self.kind.addItem(self.tr("Text (black and white, smallest)"), "text")
        self.kind.addItem(self.tr("Photo or ID card (grey)"), "photo")
        self.feeder = QCheckBox(self.tr("Every sheet in the feeder"), self)
        options.addWidget(self.kind)
        options.addWidget(self.feeder)
        options.addStretch(1)
        top.addRow(self.tr("Kind of page"), options)
        layout.addLayout(top)

        actions = QHBoxLayout()
        self.scan_button = QPushButton(self.tr("Scan (F5)"), self)
        self.scan_button.setObjectName("scan_button")
        self.file_button = QPushButton(self.tr("From file… (Ctrl+O)"), self)
        self.file_button.setObjectName("file_button")
        self.stop_button = QPushButton(self.tr("Stop (Esc)"), self)
        self.stop_button.setObjectName("stop_button")
        self.stop_button.setEnabled(False)
        for button in (self.scan_button, self.file_button, self.stop_button):
            actions.addWidget(button)
        actions.addStretch(1)
        layout.addLayout(actions)
        self.message = MessageLabel(self)
        self.message.setObjectName("scan_message")
        layout.addWidget(self.message)

        body = QHBoxLayout()
        self.pages = QListWidget(self)
        self.pages.setObjectName("scan_pages")
        self.pages.setViewMode(QListView.ViewMode.IconMode)
        self.pages.setIconSize(QSize(THUMB_PX, THUMB_PX))
        self.pages.setGridSize(QSize(THUMB_PX + 40, THUMB_PX + 70))
        self.pages.setResizeMode(QListView.ResizeMode.Adjust)
        self.pages.setMovement(QListView.Movement.Static)
        self.pages.setWordWrap(True)
        body.addWidget(self.pages, 3)
        side = QVBoxLayout()
        self.preview = QLabel(self)
        self.preview.setObjectName("scan_preview")
        self.preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.preview.setMinimumSize(300, 360)
        self.preview.setStyleSheet("background: #f2f2f2; border: 1px solid #ccc;")
        self.page_info = QLabel(self)
        self.page_info.setObjectName("scan_page_info")
        self.page_info.setWordWrap(True)
        self.delete_button = QPushButton(self.tr("Delete page (Del)"), self)
        self.delete_button.setObjectName("delete_page_button")
        self.delete_button.setEnabled(False)
        side.addWidget(self.preview, 1)
        side.addWidget(self.page_info)
        side.addWidget(self.delete_button)
        body.addLayout(side, 2)
        layout.addLayout(body, 1)

        bottom = QHBoxLayout()
        self.totals = QLabel(self)
        self.totals.setObjectName("scan_totals")
        self.done_button = QPushButton(self.tr("Done (Ctrl+Enter)"), self)
        self.done_button.setObjectName("done_button")
        bottom.addWidget(self.totals, 1)
        bottom.addWidget(self.done_button)
        layout.addLayout(bottom)
        note = QLabel(self.tr("Each page is kept with the request as soon as it is scanned."), self)
        note.setStyleSheet("color: #555;")
        layout.addWidget(note)

        for button in (self.refresh_button, self.file_button, self.stop_button, self.delete_button, self.done_button):
            button.setAutoDefault(False)
        self.scan_button.setDefault(True)
        self.scan_button.clicked.connect(self.scan)
        self.file_button.clicked.connect(self.choose_files)
        self.stop_button.clicked.connect(self.stop)
        self.delete_button.clicked.connect(self.delete_selected)
        self.done_button.clicked.connect(self.accept)
        self.refresh_button.clicked.connect(self.list_devices)
        self.pages.currentItemChanged.connect(lambda *_: self._show_selected())
        self._keys: list[QShortcut] = []
        for keys, slot in (
            ("F5", self.scan),
            ("Ctrl+O", self.choose_files),
            ("Del", self.delete_selected),
            ("Ctrl+Return", self.accept),
            ("Ctrl+Enter", self.accept),
        ):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.activated.connect(slot)
            self._keys.append(shortcut)
        self._set_busy(False)
        self._show_totals()
        self.load()
        self.list_devices()

    # -- loading ---------------------------------------------------------------------------------

    def load(self) -> None:
        """The service's required documents and the pages the request already has."""
        desk, receipt = self.ctx.desk, self.receipt_no
        self.ctx.runner.db(lambda: _existing(desk, receipt), success=self._loaded, failure=self._failed)

    def _loaded(self, result) -> None:
        documents, pages = result
        self.document.clear()
        for name in documents:
            self.document.addItem(name, name)
        self.document.addItem(self.tr("Other document"), None)
        wanted = self.wanted_document
        index = self.document.findData(wanted) if wanted else -1
        if wanted and index < 0:  # a free-text document name the service does not list
            self.document.insertItem(0, wanted, wanted)
            index = 0
        self.document.setCurrentIndex(max(0, index))
        self.pages.clear()
        for view, png in pages:
            self._add_page(view, png)
        self._show_totals()

    def list_devices(self) -> None:
        """Ask for the scanners on a worker (a network scanner may take seconds to answer)."""
        self.device.clear()
        self.device.addItem(self.tr("Looking for scanners…"), None)
        self.device.setEnabled(False)
        self.refresh_button.setEnabled(False)
        scanner = self.scanner
        self.ctx.runner.background(lambda: _list_devices(scanner), success=self._devices, failure=self._failed)

    def _devices(self, found) -> None:
        self.device.clear()
        self.refresh_button.setEnabled(True)
        if isinstance(found, Refused) or not found:
            self.device.addItem(self.tr("No scanner found"), None)
            self.device.setEnabled(False)
            text = found.message if isinstance(found, Refused) else self.tr("No scanner was found.")
            self.message.show_hint(text + " " + self.tr("Pages can still be added from files (Ctrl+O)."))
            self._set_busy(self.busy)
            if not self.busy:
                self.file_button.setFocus()
            return
        self.message.clear_message()
        preferred = getattr(self.ctx.prefs, "scanner_device", None) if self.ctx.prefs is not None else None
        for device in found:
            label = " ".join(p for p in (device.vendor, device.model) if p) or device.name
            self.device.addItem(f"{label} ({device.name})", device.name)
        self.device.setEnabled(True)
        index = self.device.findData(preferred) if preferred else -1
        self.device.setCurrentIndex(max(0, index))
        self._set_busy(self.busy)
        if not self.busy:
            self.scan_button.setFocus()

    # -- capturing -------------------------------------------------------------------------------

    def current_document(self) -> str | None:
        return self.document.currentData()

    def scan(self) -> None:
        device = self.device.currentData()
        if self.busy or not device:
            return
        from desk_app.services import attachments

        desk, receipt, clerk = self.ctx.desk, self.receipt_no, self.ctx.username or None
        document, kind, feeder = self.current_document(), self.kind.currentData(), self.feeder.isChecked()
        scanner = self.scanner
        self._start(self.tr("Scanning…"))  # a fresh stop signal, before the job takes it
        cancel, bridge = self.cancel, self.bridge

        def job():
            from desk_app.services.scanner import ScannerError, default_scanner

            try:
                return attachments.scan(
                    desk,
                    receipt,
                    scanner=scanner or default_scanner(),
                    device=device,
                    document=document,
                    kind=kind,
                    feeder=feeder,
                    clerk=clerk,
                    cancel=cancel,
                    on_page=lambda view, page: bridge.page.emit(view, page.preview_png(THUMB_PX)),
                )
            except ScannerError as exc:
                return Refused(exc.message)

        self.ctx.runner.background(job, success=self._captured, failure=self._capture_failed)

    def choose_files(self) -> None:
        """A Persian (Qt's own, not the system's) file dialog, opened without blocking."""
        if self.busy:
            return
        install_qt_translation()
        dialog = QFileDialog(self, self.tr("Choose image or PDF files"))
        dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
        dialog.setFileMode(QFileDialog.FileMode.ExistingFiles)
        dialog.setNameFilters([self.tr("Images and PDF (%1)").replace("%1", FILE_FILTER), self.tr("All files (*)")])
        dialog.filesSelected.connect(self.import_files)
        dialog.finished.connect(lambda _code: self.activateWindow())  # the keys work here again
        self.file_dialog = dialog
        dialog.open()

    def import_files(self, paths) -> None:
        paths = [str(p) for p in paths]
        if self.busy or not paths:
            return
        from desk_app.services import attachments

        desk, receipt, clerk = self.ctx.desk, self.receipt_no, self.ctx.username or None
        document, kind, bridge = self.current_document(), self.kind.currentData(), self.bridge

        def job():
            return attachments.attach_files(
                desk,
                receipt,
                paths,
                document=document,
                kind=kind,
                clerk=clerk,
                on_page=lambda view: bridge.page.emit(view, _thumb(desk, view.sha256)),
            )

        self._start(self.tr("Reading the files…"))
        self.ctx.runner.background(job, success=self._captured, failure=self._capture_failed)

    def stop(self) -> None:
        """Stop the running scan (the pages already through stay)."""
        if self.busy:
            self.cancel.set()
            self.message.show_hint(self.tr("Stopping the scanner…"))

    def _start(self, text: str) -> None:
        self.cancel = threading.Event()
        self._set_busy(True)
        self.message.show_hint(text)

    def _page_stored(self, view, png) -> None:
        self.changed = True
        if view.new:
            self._add_page(view, png)
        self._show_totals()
        self.ctx.requests_changed.emit()  # the status bar's queued bytes, the requests page

    def _captured(self, result) -> None:
        self._set_busy(False)
        if isinstance(result, Refused):
            self.message.show_error(result.message + " " + self.tr("No page was stored."))
            return
        again = len(result.pages) - result.stored
        if result.error:
            self.message.show_error(result.error)
        elif result.stored:
            text = self.tr("%1 page(s) kept with the request.").replace("%1", local_digits(str(result.stored)))
            if again:
                text += " " + self.tr("%1 page(s) were already attached.").replace("%1", local_digits(str(again)))
            self.message.show_ok(text)
        elif again:
            self.message.show_hint(self.tr("These pages were already attached to this request."))
        else:
            self.message.show_hint(self.tr("No page came from the scanner."))
        if result.stored:
            self.pages_changed.emit()
        self.pages.setFocus()

    def _capture_failed(self, exc: BaseException) -> None:
        self._set_busy(False)
        self.message.show_error(describe_error(exc))

    def _failed(self, exc: BaseException) -> None:
        self.message.show_error(describe_error(exc))

    # -- pages -----------------------------------------------------------------------------------

    def _add_page(self, view, png: bytes | None) -> None:
        document = view.document or self.tr("Other document")
        number = self.tr("page %1").replace("%1", local_digits(str(view.page_no)))
        text = f"{document}، {number}\n{size_text(view.bytes)} · {kind_text(view.kind)}"
        item = QListWidgetItem(text)
        item.setData(VIEW_ROLE, view)
        item.setToolTip(f"{document} — {state_text(view.state)}")
        image = QImage.fromData(png) if png else QImage()
        if not image.isNull():
            item.setIcon(QIcon(QPixmap.fromImage(image)))
        self.pages.addItem(item)
        self.pages.setCurrentItem(item)

    def page_views(self) -> list:
        return [self.pages.item(i).data(VIEW_ROLE) for i in range(self.pages.count())]

    def _show_totals(self) -> None:
        views = self.page_views()
        count = local_digits(str(len(views)))
        self.totals.setText(
            self.tr("%1 page(s), %2").replace("%1", count).replace("%2", size_text(sum(v.bytes for v in views)))
        )

    def _show_selected(self) -> None:
        item = self.pages.currentItem()
        view = item.data(VIEW_ROLE) if item is not None else None
        self.delete_button.setEnabled(view is not None and view.state != "sent" and not self.busy)
        if view is None:
            self.preview.clear()
            self.page_info.clear()
            return
        self.page_info.setText(
            self.tr("Page %1 of «%2»: %3, %4, %5.")
            .replace("%1", local_digits(str(view.page_no)))
            .replace("%2", view.document or self.tr("Other document"))
            .replace("%3", size_text(view.bytes))
            .replace("%4", kind_text(view.kind))
            .replace("%5", state_text(view.state))
        )
        icon = item.icon()
        if not icon.isNull():  # the thumbnail at once, the sharper preview when it is made
            self.preview.setPixmap(icon.pixmap(QSize(THUMB_PX, THUMB_PX)).scaled(self._preview_size(), *_SMOOTH))
        desk, sha = self.ctx.desk, view.sha256
        self.ctx.runner.background(
            lambda: _thumb(desk, sha, PREVIEW_PX), success=lambda png: self._big_preview(sha, png), failure=self._failed
        )

    def _preview_size(self) -> QSize:
        return self.preview.size() - QSize(8, 8)

    def _big_preview(self, sha: str, png: bytes | None) -> None:
        item = self.pages.currentItem()
        view = item.data(VIEW_ROLE) if item is not None else None
        if view is None or view.sha256 != sha or not png:
            return
        image = QImage.fromData(png)
        if not image.isNull():
            self.preview.setPixmap(QPixmap.fromImage(image).scaled(self._preview_size(), *_SMOOTH))

    def delete_selected(self) -> None:
        item = self.pages.currentItem()
        view = item.data(VIEW_ROLE) if item is not None else None
        if view is None or self.busy or view.state == "sent":
            return
        from desk_app.services import attachments

        desk, receipt, actor = self.ctx.desk, self.receipt_no, self.ctx.username or None

        def done(_none) -> None:
            for i in range(self.pages.count()):
                if self.pages.item(i).data(VIEW_ROLE).sha256 == view.sha256:
                    self.pages.takeItem(i)
                    break
            self.changed = True
            self._show_totals()
            self._show_selected()
            self.message.show_ok(self.tr("The page was taken off the request."))
            self.pages_changed.emit()
            self.ctx.requests_changed.emit()

        self.ctx.runner.db(
            lambda: attachments.remove_page(desk, receipt, view.sha256, actor=actor), success=done, failure=self._failed
        )

    # -- state -------------------------------------------------------------------------------------

    def _set_busy(self, on: bool) -> None:
        self.busy = on
        has_device = bool(self.device.currentData())
        self.scan_button.setEnabled(not on and has_device)
        self.scan_button.setDefault(has_device)
        self.file_button.setEnabled(not on)
        self.file_button.setDefault(not has_device)
        self.stop_button.setEnabled(on)
        self.done_button.setEnabled(not on)
        self.document.setEnabled(not on)
        self.kind.setEnabled(not on)
        self.feeder.setEnabled(not on)
        item = self.pages.currentItem()
        view = item.data(VIEW_ROLE) if item is not None else None
        self.delete_button.setEnabled(not on and view is not None and view.state != "sent")

    def accept(self) -> None:
        if not self.busy:
            super().accept()

    def reject(self) -> None:
        """Esc stops a running scan; otherwise it closes (every page is already kept)."""
        if self.busy:
            self.stop()
            return
        super().reject()


_SMOOTH = (Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation)


def open_scan_dialog(
    ctx: UiContext,
    receipt_no: str,
    document: str | None = None,
    parent: QWidget | None = None,
    on_closed: Callable[[], None] | None = None,
) -> ScanDialog:
    """Show the dialog window-modal without blocking the event loop (tests drive it by keys)."""
    dialog = ScanDialog(ctx, receipt_no, document, parent)
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    if on_closed is not None:
        dialog.finished.connect(lambda _code: on_closed())
    dialog.open()
    return dialog
