"""Where the clerk reaches a request's scanned pages: on the intake page, a key per required
document of the receipt just registered (Alt+1…Alt+9, Alt+0 for another paper); on the requests
page, the selected request's pages (sizes, sent or not) and "Attach pages" (Ctrl+Shift+D).

A page needs its request in the store, so intake offers the keys right after the save (the
receipt stays on screen until the next save) and the requests page serves earlier ones. Both
panels hook themselves to their page's signals: the pages only create and place them.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QGridLayout, QGroupBox, QLabel, QListWidget, QPushButton, QVBoxLayout, QWidget

from desk_app.ui.context import UiContext
from desk_app.ui.errors import describe_error
from desk_app.ui.i18n import local_digits
from desk_app.ui.scan_dialog import ScanDialog, open_scan_dialog, size_text, state_text
from desk_app.ui.widgets import give_shortcut

MAX_KEYS = 9
COLUMNS = 3
MAX_CAPTION = 22  # characters of a document's name on its button (the whole name is the tooltip)
LIVE = {"registered", "submitted", "in_progress"}


def _pages_of(desk, receipt_no: str):
    from desk_app.services import attachments

    return attachments.required_documents(desk, receipt_no), attachments.list_pages(desk, receipt_no)


def count_text(pages: int) -> str:
    from PySide6.QtCore import QCoreApplication

    return QCoreApplication.translate("AttachPanel", "%1 page(s)").replace("%1", local_digits(str(pages)))


def page_word(number: int) -> str:
    from PySide6.QtCore import QCoreApplication

    return QCoreApplication.translate("AttachPanel", "page %1").replace("%1", local_digits(str(number)))


class DocumentKeys(QGroupBox):
    """Intake: one button (and Alt+digit) per required document of the receipt just saved."""

    def __init__(self, ctx: UiContext, page: QWidget):
        super().__init__(page)
        self.setObjectName("document_keys")
        self.ctx = ctx
        self.receipt_no: str | None = None
        self.documents: list[str] = []
        self.buttons: list[QPushButton] = []
        self.dialog: ScanDialog | None = None
        layout = QVBoxLayout(self)  # compact: the intake page must still fit a 768-pixel screen
        layout.setContentsMargins(4, 2, 4, 4)
        layout.setSpacing(2)
        self.hint = QLabel(self)  # only for a failure to read the pages
        self.hint.setWordWrap(True)
        self.hint.setStyleSheet("color: #b00020;")
        self.hint.hide()
        layout.addWidget(self.hint)
        self.grid = QGridLayout()
        self.grid.setSpacing(3)
        layout.addLayout(self.grid)
        self.keys: list[QShortcut] = []
        for number in range(MAX_KEYS + 1):  # Alt+0 is "another document"
            shortcut = QShortcut(QKeySequence(f"Alt+{number}"), page)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(lambda n=number: self.open_key(n))
            self.keys.append(shortcut)
        registered = getattr(page, "registered", None)
        if registered is not None:
            registered.connect(self.show_request)
        self.hide()

    def show_request(self, request) -> None:
        self.receipt_no = request.receipt_no
        receipt = "\u2066" + request.receipt_no + "\u2069"  # the receipt no. stays left-to-right
        self.setTitle(self.tr("Scanned documents of receipt %1").replace("%1", receipt))
        self.refresh()

    def refresh(self) -> None:
        receipt = self.receipt_no
        if receipt is None:
            return
        desk = self.ctx.desk
        self.ctx.runner.db(
            lambda: _pages_of(desk, receipt),
            success=lambda result: self._show(receipt, *result),
            failure=self._failed,
        )

    def _failed(self, exc: BaseException) -> None:
        self.hint.setText(describe_error(exc))
        self.hint.show()
        self.show()

    def _show(self, receipt: str, documents: list[str], pages: list) -> None:
        if receipt != self.receipt_no:
            return
        self.documents = documents[:MAX_KEYS]
        for button in self.buttons:
            button.deleteLater()
        self.buttons = []
        counts: dict[str | None, int] = {}
        for view in pages:
            counts[view.document] = counts.get(view.document, 0) + 1
        names: list[str | None] = [*self.documents, None]
        for i, name in enumerate(names):
            key = (i + 1) if name is not None else 0
            caption = name if name is not None else self.tr("Another document")
            have = counts.get(name, 0)
            short = caption if len(caption) <= MAX_CAPTION else caption[: MAX_CAPTION - 1].rstrip() + "…"
            text = f"Alt+{key}  {short}" + (f"  ({count_text(have)})" if have else "")
            button = QPushButton(text, self)
            button.setToolTip(caption)
            button.setObjectName(f"document_key_{key}")
            button.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
            button.setStyleSheet("text-align: right; padding: 2px 6px;" + (" color: #1b5e20;" if have else ""))
            button.clicked.connect(lambda _c=False, k=key: self.open_key(k))
            self.grid.addWidget(button, i // COLUMNS, i % COLUMNS)
            self.buttons.append(button)
        self.hint.hide()
        self.setToolTip(
            self.tr("Scan or attach each document: press its key. Pages are sent after the request.")
            if self.documents
            else self.tr("This service lists no documents; Alt+0 attaches any paper.")
        )
        self.show()

    def open_key(self, number: int) -> ScanDialog | None:
        if self.receipt_no is None or (self.dialog is not None and self.dialog.isVisible()):
            return None
        if number == 0:
            document = None
        elif number <= len(self.documents):
            document = self.documents[number - 1]
        else:
            return None
        self.dialog = open_scan_dialog(self.ctx, self.receipt_no, document, self.window(), on_closed=self.refresh)
        return self.dialog


class RequestPages(QWidget):
    """Requests page: the selected request's pages and the key to attach more."""

    def __init__(self, ctx: UiContext, page):
        super().__init__(page)
        self.setObjectName("request_pages")
        self.ctx = ctx
        self.page = page
        self.receipt_no: str | None = None
        self.dialog: ScanDialog | None = None
        self._reselect_receipt: str | None = None  # the request a closed dialog was about
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel(self.tr("Scanned pages"), self))
        self.list = QListWidget(self)
        self.list.setObjectName("request_pages_list")
        layout.addWidget(self.list, 1)
        self.summary = QLabel(self)
        self.summary.setObjectName("request_pages_summary")
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.attach_button = QPushButton(self.tr("Attach pages…"), self)
        self.attach_button.setObjectName("attach_button")
        self.attach_button.setEnabled(False)
        self.attach_button.clicked.connect(self.attach)
        layout.addWidget(self.attach_button)
        self.attach_key = give_shortcut(page, self.attach_button, "Ctrl+Shift+D", on_text=True)
        page.table.selectionModel().selectionChanged.connect(lambda *_: self.refresh())
        page.model.modelReset.connect(self.refresh)

    def refresh(self) -> None:
        row = self.page.selected()
        if row is None and self._reselect_receipt and self._reselect():
            return  # selecting it again refreshes
        self.receipt_no = row.receipt_no if row is not None else None
        self.attach_button.setEnabled(row is not None and str(row.status) in LIVE)
        self.list.clear()
        self.summary.clear()
        if row is None:
            return
        desk, receipt = self.ctx.desk, row.receipt_no
        self.ctx.runner.db(
            lambda: _pages_of(desk, receipt)[1],
            success=lambda pages: self._show(receipt, pages),
            failure=lambda exc: self.summary.setText(describe_error(exc)),
        )

    def _show(self, receipt: str, pages: list) -> None:
        if receipt != self.receipt_no:
            return
        self.list.clear()
        for view in pages:
            document = view.document or self.tr("Other document")
            self.list.addItem(
                f"{document}، {page_word(view.page_no)} — {size_text(view.bytes)} — {state_text(view.state)}"
            )
        if not pages:
            self.summary.setText(self.tr("No scanned pages."))
            return
        waiting = [v for v in pages if v.state != "sent"]
        total = size_text(sum(v.bytes for v in pages))
        text = self.tr("%1, %2").replace("%1", count_text(len(pages))).replace("%2", total)
        if waiting:
            text += " — " + self.tr("%1 waiting to send").replace("%1", count_text(len(waiting)))
        else:
            text += " — " + self.tr("all sent")
        self.summary.setText(text)

    def attach(self) -> ScanDialog | None:
        row = self.page.selected()
        if row is None or str(row.status) not in LIVE or (self.dialog is not None and self.dialog.isVisible()):
            return None
        receipt = row.receipt_no
        self.dialog = open_scan_dialog(self.ctx, receipt, None, self.window(), on_closed=lambda: self._closed(receipt))
        return self.dialog

    def _closed(self, receipt: str) -> None:
        """Back from the dialog: its request selected again (the list reloaded meanwhile) and its
        pages shown."""
        self._reselect_receipt = receipt
        if not self._reselect():
            self.refresh()

    def _reselect(self) -> bool:
        model, receipt = self.page.model, self._reselect_receipt
        for i in range(model.rowCount()):
            if model.row_at(i).receipt_no == receipt:
                self._reselect_receipt = None
                current = self.page.selected()
                if current is not None and current.receipt_no == receipt:
                    self.refresh()
                else:
                    self.page.select_row(i)
                return True
        return False
