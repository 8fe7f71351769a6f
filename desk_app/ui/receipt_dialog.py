"""A receipt every time: what happens to the receipt after a save, and the receipt preview.

`ReceiptFlow` is used by the intake page (after each save, "print again") and the requests page
(reprint). After a save the clerk always gets a receipt or a sentence saying what to do:
- a printer is set up: the receipt is printed in the background; the line says where it went
  (the PDF file of a `pdf-dir:` printer), or that it failed, why, and opens the preview;
- no printer: said at once, with the manager to ask, and the preview opens to print from;
- `show_receipt_preview` on: the preview opens after every print as well.

`ReceiptPreviewDialog` shows the receipt exactly as the thermal printer gets it: the 1-bit image
of `printjobs.receipt_preview` (PNG bytes made by the services; the window never renders or
prints itself), with Print (the receipt printer), Print on another printer (an A5 page on a
system printer), Save as PDF and Close. It is not modal: the next citizen can be served.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QObject, Qt, Signal
from PySide6.QtGui import QKeySequence, QPixmap, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from desk_app.ui.context import UiContext
from desk_app.ui.errors import describe_error
from desk_app.ui.i18n import local_digits
from desk_app.ui.widgets import MessageLabel

LRI, PDI = "\u2066", "\u2069"


def ltr(text: str) -> str:
    """A code or path inside a Persian sentence, kept in its written order."""
    return f"{LRI}{text}{PDI}"


def manager_hint(ctx: UiContext) -> str:
    """Who to ask for a printer: the managers by name (or "the office manager")."""
    names = "، ".join(getattr(ctx, "managers", ()) or ())
    if names:
        return QCoreApplication.translate("ReceiptFlow", "ask the manager (%1) to choose one under Settings").replace(
            "%1", names
        )
    return QCoreApplication.translate("ReceiptFlow", "ask the office manager to choose one under Settings")


def no_printer_text(ctx: UiContext) -> str:
    if ctx.is_manager:
        return QCoreApplication.translate(
            "ReceiptFlow",
            "No receipt printer is set up: print the receipt from the preview, or choose a printer under "
            "Settings → Receipt printer.",
        )
    return QCoreApplication.translate(
        "ReceiptFlow", "No receipt printer is set up: print the receipt from the preview, or %1."
    ).replace("%1", manager_hint(ctx))


def printed_text(ctx: UiContext, result) -> str:
    if result.path and str(result.target).startswith(("pdf", "png")):
        text = QCoreApplication.translate("ReceiptFlow", "Receipt saved as PDF: %1").replace("%1", ltr(result.path))
    else:
        text = QCoreApplication.translate("ReceiptFlow", "Receipt printed.")
    if result.copy_no:
        text += " " + QCoreApplication.translate("ReceiptFlow", "(copy %1)").replace(
            "%1", local_digits(str(result.copy_no))
        )
    return text


class ReceiptFlow(QObject):
    """The receipt after a save or on "print again", for one page; `status` is its message line."""

    printed = Signal(object)  # printjobs.PrintResult
    print_failed = Signal(str)  # the Persian sentence shown
    preview_opened = Signal(object)  # the ReceiptPreviewDialog

    def __init__(self, ctx: UiContext, parent: QWidget, status: MessageLabel | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.page = parent
        if status is None:
            status = MessageLabel(parent)
            status.setObjectName("receipt_status")
        self.status = status  # the page's line for what happened to the receipt
        self.dialog: ReceiptPreviewDialog | None = None

    def after_save(self, receipt_no: str) -> None:
        """What the clerk gets right after a save: a receipt, or a sentence and the preview."""
        prefs = self.ctx.prefs
        if not prefs.auto_print:
            self.status.show_hint(self.tr("Automatic printing is off: print the receipt with «Print receipt again»."))
            if prefs.show_receipt_preview:
                self.show_preview(receipt_no)
            return
        if not prefs.printer_target:
            text = no_printer_text(self.ctx)
            self.status.show_error(text)
            self.print_failed.emit(text)
            self.show_preview(receipt_no, problem=text)
            return
        self.print_receipt(receipt_no, preview_after=bool(prefs.show_receipt_preview))

    def print_receipt(self, receipt_no: str, *, preview_after: bool = False) -> None:
        """Print on the receipt printer in the background (the service decides original or copy:
        "print again" after a failed print still gives the original)."""
        target = self.ctx.prefs.printer_target
        if not target:
            text = no_printer_text(self.ctx)
            self.status.show_error(text)
            self.print_failed.emit(text)
            self.show_preview(receipt_no, problem=text)
            return
        desk, paper, user = self.ctx.desk, self.ctx.prefs.printer_paper, self.ctx.username

        def job():
            from desk_app.services import printjobs

            return printjobs.print_receipt(desk, receipt_no, target, paper=paper, actor=user)

        def failed(exc: BaseException) -> None:
            text = self.tr("The request is saved, but the receipt did not print: %1").replace("%1", describe_error(exc))
            self.status.show_error(text)
            self.print_failed.emit(text)
            self.show_preview(receipt_no, problem=text)

        def done(result) -> None:
            self.status.show_ok(printed_text(self.ctx, result))
            self.printed.emit(result)
            if preview_after:
                self.show_preview(receipt_no, note=printed_text(self.ctx, result), copy_no=result.copy_no)

        self.status.show_hint(self.tr("Printing the receipt…"))
        self.ctx.runner.background(job, success=done, failure=failed)

    def show_preview(
        self, receipt_no: str, *, problem: str | None = None, note: str | None = None, copy_no: int | None = None
    ) -> None:
        """Render the receipt on the background pool, then open (or refill) the preview."""
        desk, paper = self.ctx.desk, self.ctx.prefs.printer_paper

        def job():
            from desk_app.services import printjobs

            return printjobs.receipt_preview(desk, receipt_no, copy_no=copy_no, paper=paper)

        def shown(preview) -> None:
            if self.dialog is not None:
                self.dialog.close()
            self.dialog = ReceiptPreviewDialog(self.ctx, preview, problem=problem, note=note, parent=self.page.window())
            if not problem:  # printed already: shown beside the work, the keys stay with the clerk's form
                self.dialog.setAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating, True)
            self.dialog.printed.connect(self.printed)
            self.dialog.printed.connect(lambda result: self.status.show_ok(printed_text(self.ctx, result)))
            self.dialog.finished.connect(lambda _r: self.page.window().activateWindow())  # keys back to the page
            self.dialog.show()
            self.dialog.raise_()
            if problem:  # the clerk has to act on it: print from here, save a PDF, or close
                self.dialog.activateWindow()
            else:  # some platforms activate a new window anyway: the form keeps the keys
                self.page.window().activateWindow()
            self.preview_opened.emit(self.dialog)

        def failed(exc: BaseException) -> None:
            self.status.show_error(
                (problem + "\n" if problem else "")
                + self.tr("The receipt preview could not be made: %1").replace("%1", describe_error(exc))
            )

        self.ctx.runner.background(job, success=shown, failure=failed)


class ReceiptPreviewDialog(QDialog):
    """The receipt as the printer gets it, and what to do with it."""

    printed = Signal(object)  # printjobs.PrintResult of a print or PDF made from here

    def __init__(self, ctx: UiContext, preview, problem: str | None = None, note: str | None = None, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.preview = preview
        self.setObjectName("receipt_preview")
        self.setWindowTitle(self.tr("Receipt %1").replace("%1", ltr(preview.receipt_no)))
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, False)
        layout = QVBoxLayout(self)
        self.headline = MessageLabel(self)
        self.headline.setObjectName("preview_headline")
        if problem:
            self.headline.show_error(problem)
        elif note:
            self.headline.show_ok(note)
        layout.addWidget(self.headline)
        kind = (
            self.tr("original")
            if not preview.copy_no
            else self.tr("copy %1").replace("%1", local_digits(str(preview.copy_no)))
        )
        self.caption = QLabel(
            self.tr("The receipt exactly as the thermal printer gets it (%1 dots wide), %2.")
            .replace("%1", local_digits(str(preview.dots)))
            .replace("%2", kind),
            self,
        )
        self.caption.setObjectName("preview_caption")
        self.caption.setWordWrap(True)
        layout.addWidget(self.caption)
        self.pixmap = QPixmap()
        self.pixmap.loadFromData(preview.png, "PNG")
        self.image = QLabel(self)
        self.image.setObjectName("preview_image")
        self.image.setPixmap(self.pixmap)  # 1:1, dot for pixel: nothing scaled away
        self.image.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        self.image.setStyleSheet("background: white;")
        self.scroll_area = QScrollArea(self)
        self.scroll_area.setWidget(self.image)
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setMinimumWidth(self.pixmap.width() + 30)
        layout.addWidget(self.scroll_area, 1)

        buttons = QHBoxLayout()
        self.print_button = QPushButton(self.tr("Print"), self)
        self.print_button.setObjectName("preview_print")
        self.print_button.setToolTip(self.tr("On the receipt printer (Ctrl+P)"))
        self.other_button = QPushButton(self.tr("Print on another printer…"), self)
        self.other_button.setObjectName("preview_other_printer")
        self.other_button.setToolTip(self.tr("An A5 page on a printer of this PC"))
        self.pdf_button = QPushButton(self.tr("Save as PDF…"), self)
        self.pdf_button.setObjectName("preview_pdf")
        self.pdf_button.setToolTip(self.tr("Save as PDF (Ctrl+Shift+S)"))
        self.close_button = QPushButton(self.tr("Close"), self)
        self.close_button.setObjectName("preview_close")
        self.close_button.setToolTip(self.tr("Close (Esc)"))
        for button in (self.print_button, self.other_button, self.pdf_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        layout.addLayout(buttons)
        self.message = MessageLabel(self)
        self.message.setObjectName("preview_message")
        layout.addWidget(self.message)

        has_printer = bool(ctx.prefs.printer_target)
        self.print_button.setVisible(has_printer)
        if not has_printer:
            self.other_button.setText(self.tr("Print on a printer of this PC…"))
            self.other_button.setToolTip(self.tr("An A5 page on a printer of this PC (Ctrl+P)"))
        self.print_button.clicked.connect(self.print_on_receipt_printer)
        self.other_button.clicked.connect(self.choose_printer)
        self.pdf_button.clicked.connect(self.choose_pdf)
        self.close_button.clicked.connect(self.reject)
        self.print_key = QShortcut(QKeySequence("Ctrl+P"), self)
        self.print_key.activated.connect(self._print_key)
        self.pdf_key = QShortcut(QKeySequence("Ctrl+Shift+S"), self)
        self.pdf_key.activated.connect(self.choose_pdf)
        default = self.print_button if has_printer else self.close_button
        default.setDefault(True)
        default.setFocus()
        screen = self.screen().availableGeometry() if self.screen() is not None else None
        height = min(760, screen.height() - 60) if screen is not None else 700
        self.resize(self.pixmap.width() + 80, max(420, height))

    # -- actions (each one a print job of the services, on the background pool) ----------------

    def _print_key(self) -> None:
        if self.print_button.isVisible():
            self.print_on_receipt_printer()
        else:
            self.choose_printer()

    def print_on_receipt_printer(self) -> None:
        self.print_to(self.ctx.prefs.printer_target)

    def choose_printer(self) -> None:
        """An ordinary printer of this PC (CUPS / Windows spooler): the receipt as an A5 page."""

        def job():
            from desk_app.services import printjobs

            return printjobs.system_printers()

        def listed(names: list[str]) -> None:
            if not names:
                self.message.show_error(
                    self.tr("No printer is installed on this PC: save the receipt as PDF, or %1.").replace(
                        "%1", manager_hint(self.ctx)
                    )
                )
                return
            name, ok = QInputDialog.getItem(
                self, self.tr("Print the receipt"), self.tr("Printer of this PC:"), names, 0, True
            )
            if ok and name.strip():
                self.print_to(f"printer:{name.strip()}", page=True)

        self.message.show_hint(self.tr("Looking for this PC's printers…"))
        self.ctx.runner.background(
            job, success=listed, failure=lambda exc: self.message.show_error(describe_error(exc))
        )

    def choose_pdf(self) -> None:
        from desk_app.ui.files import jalali_file_name, persian_file_dialog

        suggested = jalali_file_name(self.preview.receipt_no, "pdf")
        path = persian_file_dialog(self, self.tr("Save the receipt as PDF"), suggested, "PDF (*.pdf)")
        if path:
            self.save_pdf_to(path)

    def save_pdf_to(self, path: str) -> None:
        self.print_to(f"pdf:{path}")

    def print_to(self, target: str, *, page: bool = False) -> None:
        desk, paper, user = self.ctx.desk, self.ctx.prefs.printer_paper, self.ctx.username
        receipt_no = self.preview.receipt_no

        def job():
            from desk_app.services import printjobs

            return printjobs.print_receipt(desk, receipt_no, target, paper=paper, actor=user, page=page)

        def done(result) -> None:
            self._set_busy(False)
            text = printed_text(self.ctx, result)
            if result.copy_no == 0:
                text += " " + self.tr("A further print is marked as a copy.")
            self.message.show_ok(text)
            self.printed.emit(result)

        def failed(exc: BaseException) -> None:
            self._set_busy(False)
            self.message.show_error(self.tr("The receipt did not print: %1").replace("%1", describe_error(exc)))

        self._set_busy(True)
        self.message.show_hint(self.tr("Printing the receipt…"))
        self.ctx.runner.background(job, success=done, failure=failed)

    def _set_busy(self, busy: bool) -> None:
        for button in (self.print_button, self.other_button, self.pdf_button):
            button.setEnabled(not busy)

    def image_png_bytes(self) -> bytes:
        """The bytes shown (for tests that compare them with the printer's job)."""
        return self.preview.png
