"""Intake (پذیرش): register a citizen's request by keyboard, save, print the receipt, next.

Order of keys: national code, (names fill in for a known citizen), mobile, service search
(type, Up/Down, Enter), payment method, card reference, Enter or Ctrl+S saves. A second
Enter while saving does nothing: the save button and the shortcut are off until the
database thread answers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desk_app.domain.errors import InvalidInput
from desk_app.domain.identifiers import validate_national_code
from desk_app.domain.money import format_amount
from desk_app.domain.text import clean_code, normalize_text
from desk_app.services.intake import MAX_NAME, MAX_REF
from desk_app.ui.attach_panel import DocumentKeys
from desk_app.ui.context import UiContext
from desk_app.ui.errors import describe_error, error_field
from desk_app.ui.fee_model import FeeLinesModel
from desk_app.ui.form_view import FormPanel
from desk_app.ui.i18n import local_digits
from desk_app.ui.receipt_dialog import ReceiptFlow
from desk_app.ui.service_picker import SERVICE_ROLE, ServicePicker, picked_text
from desk_app.ui.widgets import (
    SHORTCUT_PROPERTY,
    FieldForm,
    LtrLineEdit,
    MessageLabel,
    give_shortcut,
    latin_letters,
    ltr,
    shortcut_text,
)

if TYPE_CHECKING:
    from desk_app.services.catalog import ServiceView

# service field names (InvalidInput.field) -> our field names
FIELD_ALIASES = {
    "service_code": "service",
    "payment_method": "payment_method",
    "payment_ref": "payment_ref",
    "mobile": "mobile",
    "national_code": "national_code",
    "first_name": "first_name",
    "last_name": "last_name",
    "card": "payment_ref",
}


class EscapeToClear:
    """Escape on intake: the first press closes the service list's search (or says what a second
    press does), a second press within 2 s is «مراجعهٔ جدید»: nothing typed goes by one stray key."""

    WINDOW_S = 2.0

    def __init__(self, page: IntakePage):
        self.page = page
        self.armed_at: float | None = None

    def pressed(self) -> None:
        import time

        page = self.page
        if page.picker.search.hasFocus() and page.picker.search.text() and page.service is None:
            page.picker.clear()
            return
        if not page.has_input():
            page.form.clear_errors()
            page.banner.clear_message()
            page.national_code.setFocus()
            return
        now = time.monotonic()
        if self.armed_at is not None and now - self.armed_at <= self.WINDOW_S:
            self.armed_at = None
            page.discard_and_clear()
            return
        self.armed_at = now
        page.banner.show_hint(QCoreApplication.translate("IntakePage", "Press Esc again to clear the form."))


class IntakePage(QWidget):
    registered = Signal(object)  # RequestView after the commit
    print_failed = Signal(str)
    printed = Signal(object)  # PrintResult

    def __init__(self, ctx: UiContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.service: ServiceView | None = None
        self.saving = False
        self.last_request = None
        self._autofilled = False
        self.draft_id: int | None = None

        outer = QVBoxLayout(self)
        columns = QHBoxLayout()
        outer.addLayout(columns, 1)
        # first column (the right one in RTL): who and what
        self.form = FieldForm(self)
        self.national_code = LtrLineEdit(self, local_digits("0012345678"))
        self.national_code.setMaxLength(14)
        self.first_name = QLineEdit(self)
        self.last_name = QLineEdit(self)
        self.mobile = LtrLineEdit(self, local_digits("09121234567"))
        # fields cap their length as you type (the service's limits)
        self.first_name.setMaxLength(MAX_NAME)
        self.last_name.setMaxLength(MAX_NAME)
        self.mobile.setMaxLength(16)  # +98 912 123 4567
        self.national_code.persian_digits_while_typing()
        self.mobile.persian_digits_while_typing()
        self.picker = ServicePicker(self)
        self.form.add_field("national_code", self.tr("National code"), self.national_code)
        self.form.add_field("first_name", self.tr("First name"), self.first_name)
        self.form.add_field("last_name", self.tr("Last name"), self.last_name)
        self.form.add_field("mobile", self.tr("Mobile"), self.mobile)
        self.form.add_field("service", self.tr("Service"), self.picker)
        # the service's message right under its search line, beside the field, not under the list
        picker_layout = self.picker.layout()
        if isinstance(picker_layout, QVBoxLayout):
            picker_layout.insertWidget(1, self.form.messages["service"])
        self.picker.list.setMinimumHeight(220)
        self.picker.list.setMaximumHeight(16777215)
        columns.addWidget(self.form, 3)
        # the service's own form (ui.form_view), below the citizen's fields
        self.form_panel = FormPanel(ctx, self)
        self.form.form.addRow(self.form_panel)

        # second column: money and papers
        side = QVBoxLayout()
        columns.addLayout(side, 2)
        self.fees = FeeLinesModel(self, unit=ctx.prefs.display_unit)
        self.fee_view = QTableView(self)
        self.fee_view.setObjectName("fee_view")
        self.fee_view.setModel(self.fees)
        self.fee_view.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.fee_view.verticalHeader().hide()
        self.fee_view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.fee_view.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.total_label = QLabel(self)
        self.total_label.setObjectName("total_label")
        font = self.total_label.font()
        font.setBold(True)
        font.setPointSize(font.pointSize() + 2)
        self.total_label.setFont(font)
        fees_box = QGroupBox(self.tr("Fees"), self)
        fees_layout = QVBoxLayout(fees_box)
        fees_layout.addWidget(self.fee_view)
        fees_layout.addWidget(self.total_label)
        side.addWidget(fees_box)
        self._fit_fee_view()

        self.docs_box = QGroupBox(self.tr("Required documents"), self)
        self.docs_layout = QVBoxLayout(self.docs_box)
        self.doc_checks: list[QCheckBox] = []
        side.addWidget(self.docs_box)

        self.pay_form = FieldForm(self)
        self.payment_method = QComboBox(self)
        self.payment_method.addItem(self.tr("Cash"), "cash")
        self.payment_method.addItem(self.tr("Card (POS)"), "card")
        self.payment_ref = LtrLineEdit(self, "123456")  # copied from the card machine slip, as printed there
        self.payment_ref.setMaxLength(MAX_REF)
        self.pay_form.add_field("payment_method", self.tr("Payment"), self.payment_method)
        self.pay_form.add_field("payment_ref", self.tr("Card reference"), self.payment_ref)
        # one lookup of field -> message for the whole page
        self.form.fields.update(self.pay_form.fields)
        self.form.messages.update(self.pay_form.messages)
        side.addWidget(self.pay_form)
        self.form_panel.before, self.form_panel.after = self.picker.list, self.payment_method  # tab order

        buttons = QHBoxLayout()
        self.save_button = QPushButton(self.tr("Save and print (Ctrl+S)"), self)
        self.save_button.setObjectName("save_button")
        self.save_button.setDefault(True)
        self.clear_button = QPushButton(self.tr("New citizen"), self)
        self.reprint_button = QPushButton(self.tr("Print receipt again"), self)
        self.reprint_button.setObjectName("reprint_button")
        self.reprint_button.hide()
        for button in (self.save_button, self.clear_button, self.reprint_button):
            button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # reachable by Tab (issue 13)
            buttons.addWidget(button)
        buttons.addStretch(1)
        side.addLayout(buttons)
        self.banner = MessageLabel(self)
        self.banner.setObjectName("intake_banner")
        side.addWidget(self.banner)
        # the receipt after each save: printed, or a sentence and the preview (ui.receipt_dialog)
        self.receipts = ReceiptFlow(ctx, self)
        self.receipts.printed.connect(self.printed)
        self.receipts.print_failed.connect(self.print_failed)
        self.receipts.print_failed.connect(lambda _text: self.reprint_button.setVisible(True))
        side.addWidget(self.receipts.status)
        # scanned documents of the receipt just saved: a key each (ui.attach_panel hooks `registered`)
        self.document_keys = DocumentKeys(ctx, self)
        side.addWidget(self.document_keys)
        side.addStretch(1)
        for edit in (self.national_code, self.mobile, self.payment_ref):
            edit.setMaximumWidth(260)

        self.national_code.textChanged.connect(self._national_code_changed)
        self.national_code.editingFinished.connect(self._national_code_done)
        self.picker.picked.connect(self._service_picked)
        self.payment_method.currentIndexChanged.connect(self._payment_changed)
        self.save_button.clicked.connect(self.save)
        self.clear_button.clicked.connect(self.discard_and_clear)
        self.reprint_button.clicked.connect(self.reprint_last)
        self.save_shortcut = QShortcut(QKeySequence("Ctrl+S"), self)
        self.save_shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.save_shortcut.activated.connect(self.save)
        self.save_button.setToolTip(self.tr("Shortcut: %1").replace("%1", shortcut_text("Ctrl+S")))
        self.save_button.setProperty(SHORTCUT_PROPERTY, "Ctrl+S")
        self.shortcuts = [
            give_shortcut(self, self.clear_button, "Ctrl+N", on_text=True),
            give_shortcut(self, self.reprint_button, "Ctrl+P", on_text=True),
        ]
        self.escape = EscapeToClear(self)
        self._live_checks()
        ctx.prefs_changed.connect(self._prefs_changed)
        self._payment_changed()
        self._show_total()

    # -- data ---------------------------------------------------------------------------------

    def load_catalog(self) -> None:
        desk = self.ctx.desk

        def job():
            from desk_app.services import catalog

            return catalog.list_services(desk, active_only=True)

        def loaded(services) -> None:
            self.picker.set_services(services)
            self.restore_draft()

        self.ctx.runner.db(job, success=loaded, failure=self._show_general_error)

    def _prefs_changed(self) -> None:
        self.fees.unit = self.ctx.prefs.display_unit
        self.fees.set_fees(self.service.fees if self.service else [])
        self._show_total()

    # -- live feedback --------------------------------------------------------------------------

    def _national_code_changed(self, text: str) -> None:
        message = self.form.messages["national_code"]
        try:
            digits = clean_code(text, "national_code")
        except InvalidInput as exc:
            message.show_error(exc.message)
            return
        if any(not (ch.isascii() and ch.isdigit()) for ch in digits):
            message.show_error(self.tr("A national code has only digits: remove the letters."))
            if self._autofilled:
                self._clear_citizen()
            return
        if len(digits) < 10:
            if digits:
                message.show_hint(
                    local_digits(self.tr("%n digit(s) typed; a national code has 10.", "", len(digits)))
                )  # %n is ASCII: one digit style in one sentence
            else:
                message.clear_message()
            if self._autofilled:
                self._clear_citizen()
            return
        self._check_national_code(final=True)

    def _national_code_done(self) -> None:
        if self.national_code.text().strip():
            self._check_national_code(final=True)

    def _check_national_code(self, final: bool) -> str | None:
        message = self.form.messages["national_code"]
        try:
            code = validate_national_code(self.national_code.text())
        except InvalidInput as exc:
            if final:
                message.show_error(exc.message)
            return None
        message.show_ok(self.tr("Valid national code"))
        self.form_panel.set_national_code(code)  # earlier answers of this citizen
        self._lookup_citizen(code)
        return code

    def _lookup_citizen(self, code: str) -> None:
        desk = self.ctx.desk

        def job():
            from desk_app.services import intake

            return intake.find_citizen(desk, code)

        def done(citizen) -> None:
            try:
                current = validate_national_code(self.national_code.text())
            except InvalidInput:
                return
            if citizen is None or current != code:
                return
            if not self.first_name.text().strip() or self._autofilled:
                self.first_name.setText(citizen.first_name or "")
                self.last_name.setText(citizen.last_name or "")
                self.mobile.setText(getattr(citizen, "mobile", None) or "")
                self._autofilled = True
                self.form.messages["national_code"].show_ok(self.tr("Known citizen: details filled in"))

        self.ctx.runner.db(job, success=done, failure=lambda exc: None)

    def _clear_citizen(self) -> None:
        for widget in (self.first_name, self.last_name, self.mobile):
            widget.clear()
        self._autofilled = False

    def _service_picked(self, service) -> None:
        self.service = service
        self.form.messages["service"].clear_message()
        self.fees.set_fees(service.fees)
        self._fit_fee_view()
        self._show_total()
        for check in self.doc_checks:
            check.deleteLater()
        self.doc_checks = []
        for title in getattr(service, "documents", ()) or ():
            check = QCheckBox(title, self.docs_box)
            check.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # Space ticks it
            self.docs_layout.addWidget(check)
            self.doc_checks.append(check)
        self._tab_order()
        self.payment_method.setFocus()
        self.form_panel.set_service(service.code, self._valid_code(), focus=True)  # its form, then its fields

    def _valid_code(self) -> str | None:
        try:
            return validate_national_code(self.national_code.text())
        except InvalidInput:
            return None

    def _fit_fee_view(self) -> None:
        """Show every fee line without a scroll bar."""
        rows = max(2, self.fees.rowCount())
        height = (
            self.fee_view.horizontalHeader().sizeHint().height()
            + rows * self.fee_view.verticalHeader().defaultSectionSize()
        )
        self.fee_view.setFixedHeight(height + 2 * self.fee_view.frameWidth())

    def _show_total(self) -> None:
        total = self.fees.total
        self.total_label.setText(
            self.tr("Total: %1").replace("%1", format_amount(total, self.ctx.prefs.display_unit))
            if self.service
            else self.tr("Choose a service to see its fees.")
        )

    def _payment_changed(self) -> None:
        card = self.payment_method.currentData() == "card"
        self.payment_ref.setEnabled(card)
        if not card:
            self.payment_ref.clear()
            self.form.messages["payment_ref"].clear_message()

    # -- keyboard -----------------------------------------------------------------------------

    def keyPressEvent(self, event) -> None:  # noqa: N802
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            focus = self.focusWidget()
            if isinstance(focus, QPushButton) and focus is not self.save_button:
                focus.click()  # Enter on «مراجعهٔ جدید» or on reprint does that, not a save
                return
            self.save()
            return
        if event.key() == Qt.Key.Key_Escape:
            self.escape.pressed()
            return
        super().keyPressEvent(event)

    def _tab_order(self) -> None:
        """Forward Tab: who, what, the documents, payment, then the buttons (issue 13)."""
        chain: list[QWidget] = [
            self.national_code,
            self.first_name,
            self.last_name,
            self.mobile,
            self.picker.search,
            self.picker.list,
            *self.doc_checks,
            self.payment_method,
            self.payment_ref,
            self.save_button,
            self.clear_button,
            self.reprint_button,
        ]
        for first, second in zip(chain, chain[1:], strict=False):
            QWidget.setTabOrder(first, second)

    def _live_checks(self) -> None:
        """An error goes as soon as its field is right; Latin names get a warning, not a refusal."""
        self._tab_order()
        self.picker.list.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        for name, edit in (("first_name", self.first_name), ("last_name", self.last_name)):
            edit.textChanged.connect(lambda _t, n=name: self._recheck_name(n))
        self.mobile.textChanged.connect(lambda _t: self._recheck("mobile"))
        self.payment_ref.textChanged.connect(lambda _t: self._recheck("payment_ref"))

    def _field_problem(self, name: str) -> str | None:
        if name in ("first_name", "last_name"):
            edit = self.first_name if name == "first_name" else self.last_name
            if not normalize_text(edit.text()):
                return self.tr("Enter the first name.") if name == "first_name" else self.tr("Enter the last name.")
            return None
        if name == "mobile":
            text = self.mobile.text().strip()
            if not text:
                return None
            from desk_app.domain.identifiers import validate_mobile

            try:
                validate_mobile(text)
            except InvalidInput as exc:
                return exc.message
            return None
        if name == "payment_ref":
            if self.payment_method.currentData() == "card" and not self.payment_ref.text().strip():
                return self.tr("Enter the card machine's reference number.")
        return None

    def _recheck(self, name: str) -> None:
        message = self.form.messages[name]
        if message.is_error and self._field_problem(name) is None:
            message.clear_message()

    def _recheck_name(self, name: str) -> None:
        self._recheck(name)
        message = self.form.messages[name]
        if message.is_error:
            return
        edit = self.first_name if name == "first_name" else self.last_name
        if latin_letters(edit.text()):
            message.show_hint(self.tr("Warning: Latin letters. Write the name in Persian as on the national card."))
        elif not message.is_error:
            message.clear_message()

    # -- saving -------------------------------------------------------------------------------

    def collect(self) -> dict | None:
        """The form's values, or None after showing what is wrong next to each field."""
        self.form.clear_errors()
        self.banner.clear_message()
        errors: list[tuple[str, str]] = []
        code = None
        try:
            letters = clean_code(self.national_code.text(), "national_code")
            if any(not (ch.isascii() and ch.isdigit()) for ch in letters):
                raise InvalidInput(self.tr("A national code has only digits: remove the letters."), "national_code")
            code = validate_national_code(self.national_code.text())
        except InvalidInput as exc:
            errors.append(("national_code", exc.message))
        first = normalize_text(self.first_name.text())
        last = normalize_text(self.last_name.text())
        if not first:
            errors.append(("first_name", self.tr("Enter the first name.")))
        if not last:
            errors.append(("last_name", self.tr("Enter the last name.")))
        mobile = self.mobile.text().strip() or None
        if mobile:
            from desk_app.domain.identifiers import validate_mobile

            try:
                mobile = validate_mobile(mobile)
            except InvalidInput as exc:
                errors.append(("mobile", exc.message))
        if self.service is None:
            errors.append(("service", self.tr("Choose a service.")))
        method = self.payment_method.currentData()
        ref = self.payment_ref.text().strip() or None
        if method == "card" and not ref:
            errors.append(("payment_ref", self.tr("Enter the card machine's reference number.")))
        form_ok = self.form_panel.check(focus=not errors)  # the service's form: every error at once
        if errors or self.service is None or not form_ok:  # no service is one of the errors
            for name, text in reversed(errors):  # focus ends on the first wrong field
                self.form.set_error(name, text)
            if len(errors) > 1:  # every bad field at once, and said so
                self.banner.show_error(local_digits(self.tr("%n field(s) to correct.", "", len(errors))))
            return None
        values = dict(
            national_code=code,
            first_name=first,
            last_name=last,
            mobile=mobile,
            service_code=self.service.code,
            payment_method=method,
            payment_ref=ref,
        )
        if self.form_panel.view is not None:
            values["fields"] = self.form_panel.answers()
        return values

    def save(self) -> None:
        if self.saving:
            return
        values = self.collect()
        if values is None:
            return
        self._set_saving(True)
        desk, clerk, draft_id = self.ctx.desk, self.ctx.username, self.draft_id

        def job():
            from desk_app.services import intake

            return intake.register_request(desk, clerk=clerk, draft_id=draft_id, **values)

        self.ctx.runner.db(job, success=self._saved, failure=self._save_failed)

    def _set_saving(self, on: bool) -> None:
        self.saving = on
        self.save_button.setEnabled(not on)
        self.save_shortcut.setEnabled(not on)

    def _saved(self, request) -> None:
        self._set_saving(False)
        self.draft_id = None  # the service discarded it with the save
        self.last_request = request
        self.clear_form()
        self.banner.show_ok(self.tr("Saved. Receipt number: %1").replace("%1", ltr(request.receipt_no)))
        self.reprint_button.setVisible(True)
        self.registered.emit(request)
        self.ctx.requests_changed.emit()
        self.receipts.after_save(request.receipt_no)

    def _save_failed(self, exc: BaseException) -> None:
        self._set_saving(False)
        if self.form_panel.show_exception(exc):  # a form field refused: shown next to it
            return
        text = describe_error(exc)
        field = FIELD_ALIASES.get(error_field(exc) or "", None)
        if not self.form.set_error(field, text):
            self.banner.show_error(text)

    def _show_general_error(self, exc: BaseException) -> None:
        self.banner.show_error(describe_error(exc))

    # -- printing -----------------------------------------------------------------------------

    def print_receipt(self, receipt_no: str) -> None:
        """Print in the background; the service decides original or copy (a copy once an
        original came out), so "print again" after a failed print still gives the original."""
        self.receipts.print_receipt(receipt_no)

    def reprint_last(self) -> None:
        if self.last_request is not None:
            self.print_receipt(self.last_request.receipt_no)

    # -- drafts: a half-typed form survives closing the app ------------------------------------

    def form_values(self) -> dict:
        return {
            "national_code": self.national_code.text(),
            "first_name": self.first_name.text(),
            "last_name": self.last_name.text(),
            "mobile": self.mobile.text(),
            "service_code": self.service.code if self.service else None,
            "payment_method": self.payment_method.currentData(),
            "payment_ref": self.payment_ref.text(),
            "fields": self.form_panel.draft_values(),
        }

    def has_input(self) -> bool:
        values = self.form_values()
        return any(values[k] for k in ("national_code", "first_name", "last_name", "mobile", "service_code"))

    def save_draft_now(self) -> None:
        """Keep the unfinished form in the clerk's shift (database thread; used on closing)."""
        if not self.has_input() or self.saving:
            return
        desk, clerk, data, draft_id = self.ctx.desk, self.ctx.username, self.form_values(), self.draft_id

        def job():
            from desk_app.services import shifts

            return shifts.save_draft(desk, clerk, data, draft_id)

        def done(new_id) -> None:
            self.draft_id = new_id

        self.ctx.runner.db(job, success=done, failure=self._show_general_error)

    def restore_draft(self) -> None:
        """Bring back the clerk's last unfinished form, if any."""
        desk, clerk = self.ctx.desk, self.ctx.username

        def job():
            from desk_app.services import shifts

            drafts = shifts.list_drafts(desk, clerk)
            return drafts[-1] if drafts else None

        self.ctx.runner.db(job, success=self._fill_draft, failure=self._show_general_error)

    def _fill_draft(self, draft) -> None:
        if draft is None or self.has_input():
            return
        self.draft_id, data = draft
        self.national_code.setText(data.get("national_code") or "")
        self.first_name.setText(data.get("first_name") or "")
        self.last_name.setText(data.get("last_name") or "")
        self.mobile.setText(data.get("mobile") or "")
        code = data.get("service_code")
        self.form_panel.keep_values(code, data.get("fields") or {})
        for row in range(self.picker.source.rowCount()):
            service = self.picker.source.index(row, 0).data(SERVICE_ROLE)
            if service.code == code:
                self.picker.search.setText(picked_text(service))
                self._service_picked(service)
                break
        index = self.payment_method.findData(data.get("payment_method") or "cash")
        self.payment_method.setCurrentIndex(max(0, index))
        self.payment_ref.setText(data.get("payment_ref") or "")
        self.banner.show_hint(self.tr("The unfinished form of last time was brought back."))

    def discard_and_clear(self) -> None:
        draft_id, self.draft_id = self.draft_id, None
        if draft_id is not None:
            desk = self.ctx.desk

            def job():
                from desk_app.services import shifts

                shifts.discard_draft(desk, draft_id)

            self.ctx.runner.db(job, failure=self._show_general_error)
        self.clear_form()
        self.banner.clear_message()

    def clear_form(self) -> None:
        for widget in (self.national_code, self.first_name, self.last_name, self.mobile, self.payment_ref):
            widget.clear()
        self._autofilled = False
        self.service = None
        self.picker.clear()
        self.form_panel.clear()
        self.fees.set_fees([])
        for check in self.doc_checks:
            check.deleteLater()
        self.doc_checks = []
        self.payment_method.setCurrentIndex(0)
        self.form.clear_errors()
        self._show_total()
        self.national_code.setFocus()
