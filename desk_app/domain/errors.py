"""Errors of the domain layer: user mistakes carry a Persian message, bugs stay plain exceptions."""

from __future__ import annotations


class InvalidInput(ValueError):
    """Something the user typed or imported breaks a rule.

    `message` is Persian and safe to show (it never repeats a national code or password);
    `field` is the English field name (`"national_code"`, `"amount"`, ...) or None.
    """

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return self.message


class InvalidTransition(InvalidInput):
    """A request status change that the lifecycle forbids (backwards, or out of a final state)."""

    def __init__(self, message: str, old: str | None = None, new: str | None = None) -> None:
        super().__init__(message, field="status")
        self.old = old
        self.new = new


class PermissionDenied(Exception):
    """The user's role does not allow the action; the message is Persian."""

    def __init__(self, message: str, role: str | None = None, action: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.role = role
        self.action = action

    def __str__(self) -> str:
        return self.message


def loaded_classes(dotted_names: tuple[str, ...]) -> tuple[type[BaseException], ...]:
    """The exception classes named `module.Class` whose module is already imported.

    An error boundary (the CLI's, the window's) recognises known errors of layers it must not
    import itself (printing pulls Qt in, sync pulls requests in): such an error can only have been
    raised if its module was loaded, so looking in `sys.modules` is enough.
    """
    import sys

    found: list[type[BaseException]] = []
    for dotted in dotted_names:
        module_name, _, cls_name = dotted.rpartition(".")
        module = sys.modules.get(module_name)
        cls = getattr(module, cls_name, None) if module else None
        if isinstance(cls, type) and issubclass(cls, BaseException):
            found.append(cls)
    return tuple(found)
