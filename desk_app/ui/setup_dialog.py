"""First run: office, device, the first manager account, and enrolment now or later."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from desk_app.domain.errors import InvalidInput
from desk_app.ui.errors import describe_error, error_field
from desk_app.ui.jobs import JobRunner
from desk_app.ui.widgets import FieldForm, LtrLineEdit, MessageLabel


class SetupDialog(QDialog):
    """Collects what `setup.init_office` and `users.add_user` need, then runs them on the db thread."""

    def __init__(self, desk, runner: JobRunner, parent: QWidget | None = None):
        super().__init__(parent)
        self.desk = desk
        self.runner = runner
        self.setWindowTitle(self.tr("Pishkhan Desk: first set-up"))
        self.setMinimumWidth(520)
        layout = QVBoxLayout(self)
        intro = QLabel(
            self.tr(
                "This computer is not set up yet. Enter the office and this counter's "
                "device number, and create the manager's account."
            ),
            self,
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)

        self.form = FieldForm(self)
        self.office_code = LtrLineEdit(self, "4512")
        self.office_name = QLineEdit(self)
        self.device_no = LtrLineEdit(self, "1")
        self.username = LtrLineEdit(self, "manager")
        self.full_name = QLineEdit(self)
        self.password = LtrLineEdit(self)
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password2 = LtrLineEdit(self)
        self.password2.setEchoMode(QLineEdit.EchoMode.Password)
        self.form.add_field("office_code", self.tr("Office code"), self.office_code)
        self.form.add_field("office_name", self.tr("Office name"), self.office_name)
        self.form.add_field("device_no", self.tr("Device number"), self.device_no)
        self.form.add_field("username", self.tr("Manager username"), self.username)
        self.form.add_field("full_name", self.tr("Manager full name"), self.full_name)
        self.form.add_field("password", self.tr("Password"), self.password)
        self.form.add_field("password2", self.tr("Repeat password"), self.password2)

        self.offline = QRadioButton(self.tr("Work offline for now (enrol later from the settings)"), self)
        self.enrol = QRadioButton(self.tr("Enrol with the provincial server now"), self)
        self.offline.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.offline)
        group.addButton(self.enrol)
        self.form.form.addRow(self.offline)
        self.form.form.addRow(self.enrol)
        self.server_url = LtrLineEdit(self, "https://pishkhan.example.ir")
        self.token = LtrLineEdit(self)
        self.token.setEchoMode(QLineEdit.EchoMode.Password)
        self.form.add_field("server_url", self.tr("Server address"), self.server_url)
        self.form.add_field("token", self.tr("Device token"), self.token)
        self.enrol.toggled.connect(self._enrol_toggled)
        self._enrol_toggled(False)
        layout.addWidget(self.form)

        self.general = MessageLabel(self)
        layout.addWidget(self.general)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Set up"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("Cancel"))
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.office_code.setFocus()

    def _enrol_toggled(self, on: bool) -> None:
        self.server_url.setEnabled(on)
        self.token.setEnabled(on)

    def submit(self) -> None:
        self.form.clear_errors()
        self.general.clear_message()
        username = self.username.text().strip()
        password = self.password.text()
        if not username:
            self.form.set_error("username", self.tr("Enter a username."))
            return
        if len(password) < 6:
            self.form.set_error("password", self.tr("The password must have at least 6 characters."))
            return
        if password != self.password2.text():
            self.form.set_error("password2", self.tr("The two passwords differ."))
            return
        server = token = None
        if self.enrol.isChecked():
            server = self.server_url.text().strip()
            token = self.token.text().strip()
            if not server:
                self.form.set_error("server_url", self.tr("Enter the server address."))
                return
            if not token:
                self.form.set_error("token", self.tr("Enter the device token."))
                return
        office_code, office_name, device_no = self.office_code.text(), self.office_name.text(), self.device_no.text()
        full_name = self.full_name.text().strip() or None
        self.buttons.setEnabled(False)
        desk = self.desk

        def job():
            from desk_app.services import setup, users

            setup.init_office(desk, office_code, office_name, device_no, server_url=server, token=token)
            users.add_user(desk, username, "manager", password, full_name=full_name)

        self.runner.db(job, success=lambda _r: self.accept(), failure=self._failed)

    def _failed(self, exc: BaseException) -> None:
        self.buttons.setEnabled(True)
        text = describe_error(exc)
        field = error_field(exc) if isinstance(exc, InvalidInput) else None
        if field is not None:
            field = {"office": "office_code", "device": "device_no", "server": "server_url"}.get(field, field)
        if not self.form.set_error(field, text):
            self.general.show_error(text)
