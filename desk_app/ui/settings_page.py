"""Settings (تنظیمات): server, CA file and enrolment, office/device, printer, paper, auto-print, unit,
language, and (manager) the backup passphrase and restoring a backup.

Everything is written through `desk_app.services.settings` (typed, declared once); the device
token goes to the credential store via `setup.init_office`, and the backup passphrase via
`autobackup.set_passphrase`, never to the settings table.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desk_app.ui.context import UiContext, join_target, load_prefs, save_prefs, split_target
from desk_app.ui.errors import describe_error, error_field
from desk_app.ui.files import documents_folder, persian_file_dialog
from desk_app.ui.i18n import local_digits
from desk_app.ui.widgets import FieldForm, LtrLineEdit, MessageLabel, give_shortcut


class SettingsPage(QWidget):
    enrolled = Signal()
    restored = Signal(object, str)  # autobackup.RestoreOutcome, its Persian summary: log in again
    backup_state_changed = Signal(bool)  # a backup passphrase is set (automatic backups are made)

    def __init__(self, ctx: UiContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        manager = ctx.is_manager
        layout = QVBoxLayout(self)
        # a clerk sees the settings but may not change them: say so, and who to ask
        self.readonly_note = QLabel(self)
        self.readonly_note.setObjectName("settings_readonly_note")
        self.readonly_note.setWordWrap(True)
        self.readonly_note.setStyleSheet("color: #8a6d00; font-weight: bold;")
        self.readonly_note.setVisible(not manager)
        layout.addWidget(self.readonly_note)

        office_box = QGroupBox(self.tr("Office and server"), self)
        office_layout = QVBoxLayout(office_box)
        self.office_label = QLabel(office_box)
        self.office_label.setObjectName("office_label")
        office_layout.addWidget(self.office_label)
        self.server_form = FieldForm(office_box)
        self.server_url = LtrLineEdit(office_box, "https://pishkhan.example.ir")
        self.token = LtrLineEdit(office_box)
        self.token.setEchoMode(QLineEdit.EchoMode.Password)
        self.server_form.add_field("server_url", self.tr("Server address"), self.server_url)
        self.server_form.add_field("token", self.tr("Device token"), self.token)
        ca_row = QWidget(office_box)
        ca_layout = QHBoxLayout(ca_row)
        ca_layout.setContentsMargins(0, 0, 0, 0)
        self.ca_file = LtrLineEdit(ca_row, self.tr("(system certificates)"))
        self.ca_file.setObjectName("ca_file")
        self.ca_browse = QPushButton(self.tr("Choose…"), ca_row)
        ca_layout.addWidget(self.ca_file, 1)
        ca_layout.addWidget(self.ca_browse)
        self.server_form.add_field("ca_file", self.tr("Server CA file (PEM)"), ca_row)
        office_layout.addWidget(self.server_form)
        self.enrol_button = QPushButton(self.tr("Enrol with the server"), office_box)
        office_layout.addWidget(self.enrol_button)
        office_box.setEnabled(manager)
        layout.addWidget(office_box)

        printer_box = QGroupBox(self.tr("Receipt printer"), self)
        printer_layout = QVBoxLayout(printer_box)
        self.printer_form = FieldForm(printer_box)
        self.printer_type = QComboBox(printer_box)
        for label, value in (
            (self.tr("No printer"), ""),
            (self.tr("Network (ESC/POS, port 9100)"), "escpos-net"),
            (self.tr("USB (ESC/POS)"), "escpos-usb"),
            (self.tr("Serial port (ESC/POS)"), "escpos-serial"),
            (self.tr("File or device (ESC/POS)"), "escpos-file"),
            (self.tr("System printer"), "printer"),
            (self.tr("PDF files in a folder (one file per receipt)"), "pdf-dir"),
        ):
            self.printer_type.addItem(label, value)
        address_row = QWidget(printer_box)
        address_layout = QHBoxLayout(address_row)
        address_layout.setContentsMargins(0, 0, 0, 0)
        self.printer_address = LtrLineEdit(address_row)
        self.folder_browse = QPushButton(self.tr("Choose folder…"), address_row)
        self.folder_browse.setObjectName("printer_folder_browse")
        address_layout.addWidget(self.printer_address, 1)
        address_layout.addWidget(self.folder_browse)
        self.paper = QComboBox(printer_box)
        self.paper.addItem(self.tr("80 mm"), 80)
        self.paper.addItem(self.tr("58 mm"), 58)
        self.auto_print = QCheckBox(self.tr("Print the receipt right after saving"), printer_box)
        self.show_preview = QCheckBox(
            self.tr("Show the receipt on screen after each save (it shows anyway without a printer)"), printer_box
        )
        self.show_preview.setObjectName("show_receipt_preview")
        self.cash_drawer = QCheckBox(self.tr("Open the cash drawer after a cash payment"), printer_box)
        self.printer_form.add_field("printer_type", self.tr("Printer type"), self.printer_type)
        self.address_message = self.printer_form.add_field("printer_address", self.tr("Address"), address_row)
        address_row.setObjectName("printer_address_row")
        self.address_row = address_row
        self.printer_form.fields["printer_address"] = self.printer_address  # errors focus the line edit
        self.printer_address.setObjectName("printer_address")
        holder = self.address_message.parentWidget()
        caption = self.printer_form.form.labelForField(holder) if holder is not None else None
        self.address_caption: QLabel | None = caption if isinstance(caption, QLabel) else None
        self.printer_form.add_field("paper", self.tr("Paper width"), self.paper)
        printer_layout.addWidget(self.printer_form)
        printer_layout.addWidget(self.auto_print)
        printer_layout.addWidget(self.show_preview)
        printer_layout.addWidget(self.cash_drawer)
        self.test_button = QPushButton(self.tr("Print a test page"), printer_box)
        printer_layout.addWidget(self.test_button)
        layout.addWidget(printer_box)
        self.printer_box = printer_box

        display_box = QGroupBox(self.tr("Display"), self)
        display_layout = QVBoxLayout(display_box)
        self.display_form = FieldForm(display_box)
        self.unit = QComboBox(display_box)
        self.unit.addItem(self.tr("Rial"), "rial")
        self.unit.addItem(self.tr("Toman"), "toman")
        self.language = QComboBox(display_box)
        self.language.addItem("فارسی", "fa")
        self.language.addItem("English", "en")
        self.lock_minutes = QSpinBox(display_box)
        self.lock_minutes.setObjectName("lock_minutes")
        self.lock_minutes.setRange(0, 240)
        self.lock_minutes.setSpecialValueText(self.tr("never"))
        self.lock_minutes.setSuffix(self.tr(" min"))
        self.display_form.add_field("display_unit", self.tr("Amounts in"), self.unit)
        self.display_form.add_field("language", self.tr("Language (after restart)"), self.language)
        self.display_form.add_field(
            "lock_after_idle_s", self.tr("Lock the window after this long without use"), self.lock_minutes
        )
        display_layout.addWidget(self.display_form)
        layout.addWidget(display_box)

        backup_box = QGroupBox(self.tr("Backups"), self)
        backup_layout = QVBoxLayout(backup_box)
        self.backup_state = QLabel(backup_box)
        self.backup_state.setObjectName("backup_state")
        self.backup_state.setWordWrap(True)
        backup_layout.addWidget(self.backup_state)
        self.backup_form = FieldForm(backup_box)
        self.passphrase = LtrLineEdit(backup_box)
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase_again = LtrLineEdit(backup_box)
        self.passphrase_again.setEchoMode(QLineEdit.EchoMode.Password)
        self.backup_form.add_field("passphrase", self.tr("Backup passphrase (at least 8 characters)"), self.passphrase)
        self.backup_form.add_field("passphrase_again", self.tr("Repeat the passphrase"), self.passphrase_again)
        backup_layout.addWidget(self.backup_form)
        self.passphrase_button = QPushButton(self.tr("Set the backup passphrase"), backup_box)
        self.passphrase_button.setObjectName("passphrase_button")
        backup_layout.addWidget(self.passphrase_button)
        self.restore_button = QPushButton(self.tr("Restore from a backup…"), backup_box)
        self.restore_button.setObjectName("restore_button")
        backup_layout.addWidget(self.restore_button)
        self.replace_box: QMessageBox | None = None
        layout.addWidget(backup_box)
        backup_box.setVisible(manager)  # the passphrase opens every backup: managers only
        self.backup_box = backup_box

        buttons = QHBoxLayout()
        self.save_button = QPushButton(self.tr("Save settings"), self)
        self.save_button.setObjectName("settings_save")
        buttons.addWidget(self.save_button)
        # what the last action did, beside its button: seen without scrolling the page
        self.message = MessageLabel(self)
        self.message.setObjectName("settings_message")
        buttons.addWidget(self.message, 1)
        layout.addLayout(buttons)
        layout.addStretch(1)
        display_box.setEnabled(manager)
        for widget in (
            self.printer_type,
            self.printer_address,
            self.folder_browse,
            self.paper,
            self.auto_print,
            self.show_preview,
            self.cash_drawer,
        ):
            widget.setEnabled(manager)  # the test page stays: a clerk may check the printer
        self.save_button.setEnabled(manager)
        self.printer_type.currentIndexChanged.connect(lambda _i: self._printer_type_changed())
        self.folder_browse.clicked.connect(self.choose_receipt_folder)

        self.enrol_button.clicked.connect(self.enrol)
        self.save_button.clicked.connect(self.save)
        self.shortcuts = [  # said in each button's tooltip (issue 13)
            give_shortcut(self, self.save_button, "Ctrl+S", on_text=True),
            give_shortcut(self, self.test_button, "Ctrl+P"),
            give_shortcut(self, self.enrol_button, "Ctrl+E"),
            give_shortcut(self, self.ca_browse, "Ctrl+Shift+O"),
            give_shortcut(self, self.folder_browse, "Ctrl+Shift+F"),
            give_shortcut(self, self.passphrase_button, "Ctrl+Shift+B"),
            give_shortcut(self, self.restore_button, "Ctrl+Shift+R"),
        ]
        self.test_button.clicked.connect(self.test_print)
        self.ca_browse.clicked.connect(self.choose_ca_file)
        self.passphrase_button.clicked.connect(self.set_passphrase)
        self.restore_button.clicked.connect(self.choose_restore)
        ctx.prefs_changed.connect(self.show_prefs)
        self.show_prefs()
        self._printer_type_changed()
        if manager:
            self.show_backup_state()

    def show_prefs(self) -> None:
        prefs = self.ctx.prefs
        self.office_label.setText(
            self.tr("%1 (office code %2), device %3")
            .replace("%1", prefs.office_name or "—")
            .replace("%2", local_digits(prefs.office_code or "—"))
            .replace("%3", local_digits(str(prefs.device_no or "—")))
        )
        self.server_url.setText(prefs.server_url or "")
        self.ca_file.setText(prefs.ca_file or "")
        kind, address = split_target(prefs.printer_target)
        if kind == "pdf":  # a round-1 "PDF file" printer: its folder gets one file per receipt now
            kind, address = "pdf-dir", str(Path(address).parent)
        self.printer_type.setCurrentIndex(max(0, self.printer_type.findData(kind)))
        self.printer_address.setText(address)
        self.paper.setCurrentIndex(max(0, self.paper.findData(prefs.printer_paper)))
        self.auto_print.setChecked(bool(prefs.auto_print))
        self.show_preview.setChecked(bool(prefs.show_receipt_preview))
        self.cash_drawer.setChecked(bool(prefs.cash_drawer))
        self.unit.setCurrentIndex(max(0, self.unit.findData(prefs.display_unit)))
        self.language.setCurrentIndex(max(0, self.language.findData(prefs.language)))
        self.lock_minutes.setValue((int(prefs.lock_after_idle_s or 0) + 59) // 60)
        self.show_readonly_note()

    def show_readonly_note(self) -> None:
        """A clerk's page is read-only: the line says so, and names the manager to ask."""
        if self.ctx.is_manager:
            return
        names = "، ".join(self.ctx.managers)
        printer = self.printer_type.currentText()
        if names:
            text = self.tr(
                "Only a manager can change these settings. To set up or change the receipt printer (now: %1), ask %2."
            ).replace("%2", names)
        else:
            text = self.tr(
                "Only a manager can change these settings. To set up or change the receipt printer "
                "(now: %1), ask the office manager."
            )
        self.readonly_note.setText(text.replace("%1", printer) + " " + self.tr("You may print a test page."))

    # the address field per printer type: an example that cannot pass for a real address
    def _printer_type_changed(self) -> None:
        kind = self.printer_type.currentData() or ""
        examples = {
            "escpos-net": ("HOST:9100", self.tr("The printer's IP address or name and port, e.g. HOST:9100.")),
            "escpos-usb": ("VID:PID", self.tr("The USB vendor and product id in hex, as VID:PID.")),
            "escpos-serial": ("COM3  /dev/ttyUSB0", self.tr("The serial port (COM3 on Windows).")),
            "escpos-file": ("/dev/usb/lp0", self.tr("A device file the printer is attached to.")),
            "printer": ("PRINTER-NAME", self.tr("The name of the printer in the system's printer list.")),
            "pdf-dir": ("", self.tr("Every receipt becomes a new PDF file in this folder; none is written over.")),
        }
        placeholder, hint = examples.get(kind, ("", ""))
        self.printer_address.setPlaceholderText(placeholder)
        has_address = bool(kind)
        self.address_row.setVisible(has_address)
        if self.address_caption is not None:
            self.address_caption.setVisible(has_address)
            self.address_caption.setText(self.tr("Folder") if kind == "pdf-dir" else self.tr("Address"))
        self.folder_browse.setVisible(kind == "pdf-dir")
        self.paper.setEnabled(self.ctx.is_manager and kind != "pdf-dir")  # an A5 page, whatever the roll
        if not self.address_message.is_error:
            if hint and has_address:
                self.address_message.show_hint(hint)
            else:
                self.address_message.clear_message()

    def _missing_address_text(self) -> str:
        if self.printer_type.currentData() == "pdf-dir":
            return self.tr("Choose the folder for the receipts' PDF files.")
        if not self.printer_type.currentData():
            return self.tr("Choose a printer type first.")
        return self.tr("Enter the printer's address.")

    def choose_receipt_folder(self) -> None:
        folder = persian_file_dialog(
            self,
            self.tr("Folder for the receipts' PDF files"),
            mode="folder",
            folder=self.printer_address.text() or documents_folder(),
        )
        if folder:
            self.printer_address.setText(folder)

    def values(self) -> dict:
        return {
            "printer_target": join_target(self.printer_type.currentData(), self.printer_address.text()),
            "printer_paper": self.paper.currentData(),
            "auto_print": self.auto_print.isChecked(),
            "show_receipt_preview": self.show_preview.isChecked(),
            "cash_drawer": self.cash_drawer.isChecked(),
            "display_unit": self.unit.currentData(),
            "language": self.language.currentData(),
            "lock_after_idle_s": self.lock_minutes.value() * 60,
            "ca_file": self.ca_file.text().strip() or None,
        }

    def save(self) -> None:
        self.printer_form.clear_errors()
        self._printer_type_changed()
        self.message.clear_message()
        values = self.values()
        if self.printer_type.currentData() and not values["printer_target"]:
            self.printer_form.set_error("printer_address", self._missing_address_text())
            return
        self.server_form.clear_errors()
        if values["ca_file"] and not _looks_like_pem(values["ca_file"]):
            self.server_form.set_error("ca_file", self.tr("This is not a readable PEM certificate file."))
            return
        desk = self.ctx.desk

        before = self.ctx.prefs

        def done(prefs) -> None:
            changed = [key for key in values if before[key] != prefs[key]]
            self.ctx.set_prefs(prefs)
            text = self.tr("Settings saved.") if changed else self.tr("Settings saved (nothing had changed).")
            self.message.show_ok(text)
            status = getattr(self.window(), "statusBar", None)
            if callable(status):
                status().showMessage(text, 10_000)

        def failed(exc: BaseException) -> None:
            if not self.display_form.set_error(error_field(exc), describe_error(exc)):
                self.message.show_error(describe_error(exc))

        user = self.ctx.username or None
        self.ctx.runner.db(lambda: save_prefs(desk, values, actor=user), success=done, failure=failed)

    def enrol(self) -> None:
        self.server_form.clear_errors()
        url, token = self.server_url.text().strip(), self.token.text().strip()
        if not url:
            self.server_form.set_error("server_url", self.tr("Enter the server address."))
            return
        if not token:
            self.server_form.set_error("token", self.tr("Enter the device token."))
            return
        desk, user = self.ctx.desk, self.ctx.username or None

        def job():
            from desk_app.services import sync

            # a hello with the new token first (network: the background pool, not the DB thread)
            enrolment = sync.enrol(desk, url, token, actor=user)
            return enrolment, load_prefs(desk)

        def done(result) -> None:
            enrolment, new_prefs = result
            self.token.clear()
            self.ctx.set_prefs(new_prefs)
            if enrolment.reachable:
                self.message.show_ok(self.tr("Enrolled. Syncing now…"))
            else:
                self.message.show_hint(enrolment.note or "")
            self.enrolled.emit()

        def failed(exc: BaseException) -> None:
            field = {"server": "server_url"}.get(error_field(exc) or "", error_field(exc))
            if not self.server_form.set_error(field, describe_error(exc)):
                self.message.show_error(describe_error(exc))

        self.message.show_hint(self.tr("Asking the provincial server…"))
        self.ctx.runner.background(job, success=done, failure=failed)

    def test_print(self) -> None:
        target = join_target(self.printer_type.currentData(), self.printer_address.text())
        if not target:
            self.printer_form.set_error("printer_address", self._missing_address_text())
            return
        desk, paper = self.ctx.desk, self.paper.currentData()

        def job():
            from desk_app.services import printjobs

            return printjobs.print_test_page(desk, target, paper=paper)

        self.message.show_hint(self.tr("Printing…"))
        self.ctx.runner.background(
            job,
            success=lambda _r: self.message.show_ok(self.tr("The test page was sent.")),
            failure=lambda exc: self.message.show_error(describe_error(exc)),
        )

    def choose_ca_file(self) -> None:
        current = Path(self.ca_file.text()).parent if self.ca_file.text() else None
        path = persian_file_dialog(
            self,
            self.tr("Server CA file"),
            "",
            self.tr("Certificates (*.pem *.crt *.cer);;All files (*)"),
            mode="open",
            folder=current,
        )
        if path:
            self.ca_file.setText(path)

    def show_backup_state(self) -> None:
        home = self.ctx.desk.home

        def job() -> bool:
            from desk_app.services import autobackup

            return autobackup.has_passphrase(home)

        self.ctx.runner.background(job, success=self._backup_state_shown, failure=lambda _exc: None)

    def _backup_state_shown(self, has_passphrase: bool) -> None:
        self.backup_state_changed.emit(has_passphrase)
        self.backup_state.setText(
            self.tr("A backup passphrase is set: a backup is made every day and at each shift close.")
            if has_passphrase
            else self.tr("No backup passphrase yet: no automatic backup is made until you set one.")
        )

    def set_passphrase(self) -> None:
        """Store the manager's backup passphrase (twice, at least 8 characters) off the UI thread."""
        from desk_app.services.backup_crypto import MIN_PASSPHRASE

        self.backup_form.clear_errors()
        first, again = self.passphrase.text(), self.passphrase_again.text()
        if len(first.strip()) < MIN_PASSPHRASE:
            self.backup_form.set_error(
                "passphrase", self.tr("At least %1 characters.").replace("%1", local_digits(str(MIN_PASSPHRASE)))
            )
            return
        if first != again:
            self.backup_form.set_error("passphrase_again", self.tr("The two passphrases differ."))
            return
        home = self.ctx.desk.home

        def job() -> str:
            from desk_app.services import autobackup

            return autobackup.set_passphrase(home, first)

        def done(_where: str) -> None:
            self.passphrase.clear()
            self.passphrase_again.clear()
            self._backup_state_shown(True)
            self.message.show_ok(
                self.tr(
                    "Backup passphrase saved. Keep a copy somewhere safe off this PC: "
                    "without it no backup can be opened."
                )
            )

        def failed(exc: BaseException) -> None:
            if not self.backup_form.set_error(error_field(exc), describe_error(exc)):
                self.message.show_error(describe_error(exc))

        self.ctx.runner.background(job, success=done, failure=failed)

    # ------------------------------------------------------------------ restore

    def choose_restore(self) -> None:
        """Pick a backup file and type its passphrase, then `restore_file`."""
        from desk_app.services.autobackup import backups_dir

        path = persian_file_dialog(
            self,
            self.tr("Restore from a backup"),
            "",
            self.tr("Backups (*.pdbak);;All files (*)"),
            mode="open",
            folder=backups_dir(self.ctx.desk.home),
        )
        if not path:
            return
        passphrase, ok = QInputDialog.getText(
            self, self.tr("Backup passphrase"), self.tr("The passphrase of this backup:"), QLineEdit.EchoMode.Password
        )
        if ok and passphrase:
            self.restore_file(path, passphrase)

    def restore_file(self, path: str, passphrase: str, replace_device: bool = False) -> None:
        """Restore through `autobackup.restore_encrypted` (the CLI's path) on the database thread; a
        backup of another device first asks the manager whether its PC is retired."""
        home = self.ctx.desk.home

        def job():
            from desk_app.services import autobackup

            return autobackup.restore_encrypted(home, path, passphrase, replace_device=replace_device)

        def failed(exc: BaseException) -> None:
            from desk_app.services.backup import OtherDevice

            self.restore_button.setEnabled(True)
            if isinstance(exc, OtherDevice) and not replace_device:
                self.message.clear_message()
                self.ask_replace_device(exc, path, passphrase)
                return
            self.message.show_error(describe_error(exc))

        self.restore_button.setEnabled(False)
        self.message.show_hint(self.tr("Restoring the backup…"))
        self.ctx.runner.db(job, success=self._restored, failure=failed)

    def ask_replace_device(self, exc, path: str, passphrase: str) -> None:
        """The manager must say the PC of the backup is retired before this PC becomes that device."""
        text = (
            self.tr(
                "This backup is of device %1 of office %2, but this PC is device %3 of office %4.\n\n"
                "Restoring it makes this PC device %1. If the PC of device %1 still works, both would give "
                "the same receipt numbers to different citizens.\n\n"
                "Restore it only if the PC of device %1 is retired (broken, lost or replaced). This PC then "
                "gives no receipt number until the province has enrolled it as device %1 (which revokes the "
                "old PC's token) and you have entered the new token under Settings."
            )
            .replace("%1", local_digits(str(exc.backup_device)))
            .replace("%2", local_digits(str(exc.backup_office)))
            .replace("%3", local_digits(str(exc.device)))
            .replace("%4", local_digits(str(exc.office)))
        )
        box = QMessageBox(QMessageBox.Icon.Warning, self.tr("A backup of another device"), text, parent=self)
        box.setObjectName("replace_device_box")
        replace = box.addButton(self.tr("The old PC is retired: replace it"), QMessageBox.ButtonRole.AcceptRole)
        keep = box.addButton(self.tr("Do not restore"), QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(keep)
        box.setEscapeButton(keep)

        def answered(_result: int) -> None:
            self.replace_box = None
            if box.clickedButton() is replace:
                self.restore_file(path, passphrase, replace_device=True)
            else:
                self.message.show_hint(self.tr("Nothing was restored."))

        box.finished.connect(answered)
        self.replace_box = box
        box.open()

    def _restored(self, outcome) -> None:
        """Say what was restored and, as rich text, what must happen before numbering: each command
        on its own left-to-right line, so the bidi algorithm cannot reorder its dashes and digits."""
        from html import escape

        r = outcome.result
        head = (
            self.tr("The backup was restored: %1 requests (office %2, device %3).")
            .replace("%1", local_digits(str(r.requests)))
            .replace("%2", local_digits(str(r.office_code)))
            .replace("%3", local_digits(str(r.device_no)))
        )
        rtl = self.layoutDirection() == Qt.LayoutDirection.RightToLeft

        def para(text: str) -> str:  # every paragraph says its direction: Qt carries the last one on
            return f'<p dir="{"rtl" if rtl else "ltr"}">{escape(text)}</p>'

        parts = [para(head)]
        if outcome.note:
            parts.append(para(outcome.note))
        if outcome.next_steps:
            parts.append(para(self.tr("This PC gives no receipt number until:")))
            for i, step in enumerate(outcome.next_steps, 1):
                parts.append(para(f"{local_digits(str(i))}. {step.where} ({step.why}):"))
                parts.append(f'<p dir="ltr" align="left"><code>{escape(step.command)}</code></p>')
        elif outcome.confirmed:
            parts.append(para(self.tr("Numbering goes on after the last receipt number the provincial server knows.")))
        self.restore_button.setEnabled(True)
        self.restored.emit(outcome, "".join(parts))


def _looks_like_pem(path: str) -> bool:
    try:
        with open(Path(path), "rb") as fh:
            return b"-----BEGIN CERTIFICATE-----" in fh.read(1 << 20)
    except OSError:
        return False
