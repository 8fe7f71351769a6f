"""Users (کاربران, manager): list, add a clerk, reset a password, deactivate / activate."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desk_app.ui.context import UiContext
from desk_app.ui.errors import describe_error
from desk_app.ui.table_model import ITEM_ROLE, ItemsTableModel
from desk_app.ui.widgets import FieldForm, LtrLineEdit, MessageLabel, RowKeys, button_action, give_shortcut, ltr


class UsersModel(ItemsTableModel):
    @property
    def users(self) -> list:
        return self.items

    def set_users(self, users) -> None:
        self.set_items(users)

    def headers(self) -> tuple[str, ...]:
        return (self.tr("Username"), self.tr("Full name"), self.tr("Role"), self.tr("Active"))

    def cell(self, user, column: int):
        if column == 0:
            return user.username
        if column == 1:
            return user.full_name
        if column == 2:
            return self.tr("Manager") if user.role == "manager" else self.tr("Clerk")
        return self.tr("Yes") if user.active else self.tr("No")


class PasswordDialog(QDialog):
    """New user (username, full name, role, password) or a new password for an existing one."""

    def __init__(self, parent: QWidget | None = None, username: str | None = None):
        super().__init__(parent)
        self.new_user = username is None
        self.setWindowTitle(self.tr("New user") if self.new_user else self.tr("New password"))
        self.setMinimumWidth(420)  # an error under a field wraps onto lines, not cut off
        layout = QVBoxLayout(self)
        self.form = FieldForm(self)
        self.username = LtrLineEdit(self)
        self.full_name = QLineEdit(self)
        self.role = QComboBox(self)
        self.role.addItem(self.tr("Clerk"), "clerk")
        self.role.addItem(self.tr("Manager"), "manager")
        if self.new_user:
            self.form.add_field("username", self.tr("Username"), self.username)
            self.form.add_field("full_name", self.tr("Full name"), self.full_name)
            self.form.add_field("role", self.tr("Role"), self.role)
        else:
            self.username.setText(username)
        self.password = LtrLineEdit(self)
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.form.add_field("password", self.tr("Password"), self.password)
        layout.addWidget(self.form)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Save"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("Cancel"))
        self.buttons.accepted.connect(self._check)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.values: dict | None = None

    def _check(self) -> None:
        self.form.clear_errors()
        if self.new_user and not self.username.text().strip():
            self.form.set_error("username", self.tr("Enter a username."))
            return
        if len(self.password.text()) < 6:
            self.form.set_error("password", self.tr("The password must have at least 6 characters."))
            return
        self.values = {
            "username": self.username.text().strip(),
            "full_name": self.full_name.text().strip() or None,
            "role": self.role.currentData(),
            "password": self.password.text(),
        }
        self.accept()


class UsersPage(QWidget):
    def __init__(self, ctx: UiContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        layout = QVBoxLayout(self)
        self.model = UsersModel(self)
        self.table = QTableView(self)
        self.table.setObjectName("users_table")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        layout.addWidget(self.table, 1)
        buttons = QHBoxLayout()
        self.add_button = QPushButton(self.tr("Add user…"), self)
        self.reset_button = QPushButton(self.tr("Reset password…"), self)
        self.active_button = QPushButton(self.tr("Deactivate / activate"), self)
        for button in (self.add_button, self.reset_button, self.active_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.message = MessageLabel(self)
        self.message.setObjectName("users_message")
        layout.addWidget(self.message)
        self.add_button.clicked.connect(self._add_dialog)
        self.reset_button.clicked.connect(self._reset_dialog)
        self.active_button.clicked.connect(self.toggle_active)
        # one Tab stop; Enter on a user: a new password; Menu / Shift+F10: the user's actions
        self.row_keys = RowKeys(self.table, self._reset_dialog, self.row_actions)
        self.shortcuts = [
            give_shortcut(self, self.add_button, "Ctrl+N", on_text=True),
            give_shortcut(self, self.reset_button, "Ctrl+E"),
            give_shortcut(self, self.active_button, "Ctrl+D"),
        ]

    def row_actions(self) -> list:
        return [button_action(b, self) for b in (self.reset_button, self.active_button)]

    def keyPressEvent(self, event) -> None:  # noqa: N802
        from PySide6.QtCore import Qt

        if event.key() == Qt.Key.Key_Escape:
            self.table.clearSelection()
            self.message.clear_message()
            return
        super().keyPressEvent(event)

    def refresh(self) -> None:
        desk = self.ctx.desk

        def job():
            from desk_app.services import users

            return users.list_users(desk)

        self.ctx.runner.db(job, success=self.model.set_users, failure=self._error)

    def _error(self, exc: BaseException) -> None:
        self.message.show_error(describe_error(exc))

    def selected(self):
        rows = self.table.selectionModel().selectedRows()
        return rows[0].data(ITEM_ROLE) if rows else None

    def _add_dialog(self) -> None:
        dialog = PasswordDialog(self)
        if dialog.exec() == QDialog.DialogCode.Accepted and dialog.values:
            self.add_user(**dialog.values)

    def add_user(self, username: str, password: str, role: str = "clerk", full_name: str | None = None) -> None:
        desk, actor = self.ctx.desk, self.ctx.username

        def job():
            from desk_app.services import users

            return users.add_user(desk, username, role, password, full_name=full_name, actor=actor)

        def done(_user) -> None:
            self.message.show_ok(self.tr("User %1 was added.").replace("%1", ltr(username)))
            self.refresh()

        self.ctx.runner.db(job, success=done, failure=self._error)

    def _reset_dialog(self) -> None:
        user = self.selected()
        if user is None:
            self.message.show_error(self.tr("Choose a user first."))
            return
        dialog = PasswordDialog(self, username=user.username)
        if dialog.exec() == QDialog.DialogCode.Accepted and dialog.values:
            self.reset_password(user.username, dialog.values["password"])

    def reset_password(self, username: str, password: str) -> None:
        desk, actor = self.ctx.desk, self.ctx.username

        def job():
            from desk_app.services import users

            return users.reset_password(desk, username, password, actor=actor)

        self.ctx.runner.db(
            job, success=lambda _r: self.message.show_ok(self.tr("The password was changed.")), failure=self._error
        )

    def toggle_active(self) -> None:
        user = self.selected()
        if user is None:
            self.message.show_error(self.tr("Choose a user first."))
            return
        self.set_active(user.username, not user.active)

    def set_active(self, username: str, active: bool) -> None:
        desk, actor = self.ctx.desk, self.ctx.username

        def job():
            from desk_app.services import users

            return users.set_active(desk, username, active, actor=actor)

        def done(_user) -> None:
            self.message.show_ok(self.tr("Saved."))
            self.refresh()

        self.ctx.runner.db(job, success=done, failure=self._error)
