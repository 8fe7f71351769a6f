"""Login: username and password; a wrong password is said next to the password field."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QLineEdit, QVBoxLayout, QWidget

from desk_app.ui.errors import describe_error
from desk_app.ui.jobs import JobRunner
from desk_app.ui.widgets import FieldForm, LtrLineEdit


class LoginDialog(QDialog):
    """On success `self.user` holds the `UserView` of `users.login`."""

    def __init__(self, desk, runner: JobRunner, office_title: str = "", parent: QWidget | None = None):
        super().__init__(parent)
        self.desk = desk
        self.runner = runner
        self.user = None
        self.setWindowTitle(self.tr("Pishkhan Desk: log in"))
        self.setMinimumWidth(380)
        layout = QVBoxLayout(self)
        if office_title:
            title = QLabel(office_title, self)
            title.setObjectName("office_title")
            layout.addWidget(title)
        self.form = FieldForm(self)
        self.username = LtrLineEdit(self)
        self.password = LtrLineEdit(self)
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.form.add_field("username", self.tr("Username"), self.username)
        self.form.add_field("password", self.tr("Password"), self.password)
        layout.addWidget(self.form)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Log in"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("Exit"))
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.username.setFocus()

    def submit(self) -> None:
        self.form.clear_errors()
        username = self.username.text().strip()
        password = self.password.text()
        if not username:
            self.form.set_error("username", self.tr("Enter your username."))
            return
        if not password:
            self.form.set_error("password", self.tr("Enter your password."))
            return
        self.buttons.setEnabled(False)
        desk = self.desk

        def job():
            from desk_app.services import users

            return users.login(desk, username, password)

        self.runner.db(job, success=self._logged_in, failure=self._failed)

    def _logged_in(self, user) -> None:
        self.user = user
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self.buttons.setEnabled(True)
        self.password.selectAll()
        # a wrong username or password is one message, next to the password field
        self.form.set_error("password", describe_error(exc))
