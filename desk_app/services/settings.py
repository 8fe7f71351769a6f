"""Every setting declared once, with its type and default (Picard's options.py idea).

Values live as TEXT in the `settings` table; this module is the only place that converts them.
The device token is NOT a setting: it lives in the keyring or a private file (desk_app.sync.credentials).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from desk_app.domain.errors import InvalidInput
from desk_app.store.models import Setting


@dataclass(frozen=True)
class Option:
    type: type
    default: Any
    choices: tuple | None = None


OPTIONS: dict[str, Option] = {
    "office_code": Option(str, None),
    "office_name": Option(str, ""),
    "device_no": Option(int, None),
    "server_url": Option(str, None),
    "ca_file": Option(str, None),
    "display_unit": Option(str, "rial", ("rial", "toman")),
    "printer_target": Option(str, None),
    "printer_paper": Option(int, 80, (80, 58)),
    "printer_dots": Option(int, None),
    "cash_drawer": Option(bool, False),
    "print_form_after_intake": Option(bool, False),
    "clock_skew_warn_s": Option(int, 300),
    "sync_interval_s": Option(int, 60),
    # desktop app (desk_app.ui): language at next start, print the receipt right after intake
    "language": Option(str, "fa", ("fa", "en")),
    "auto_print": Option(bool, True),
}


def _decode(opt: Option, raw: str | None) -> Any:
    if raw is None:
        return opt.default
    if opt.type is bool:
        return raw == "1"
    if opt.type is int:
        return int(raw)
    return raw


def _encode(key: str, opt: Option, value: Any) -> str | None:
    if value is None:
        return None
    if opt.type is bool:
        if not isinstance(value, bool):
            raise InvalidInput(f"مقدار «{key}» باید بله/خیر باشد.", key)
        return "1" if value else "0"
    if opt.type is int:
        try:
            value = int(str(value).strip())
        except ValueError:
            raise InvalidInput(f"مقدار «{key}» باید عدد باشد.", key) from None
    if opt.choices and value not in opt.choices:
        raise InvalidInput(f"مقدار «{key}» باید یکی از {', '.join(map(str, opt.choices))} باشد.", key)
    return str(value)


def _option(key: str) -> Option:
    try:
        return OPTIONS[key]
    except KeyError:
        raise KeyError(f"unknown setting {key!r}") from None  # a bug, not user input


class Settings:
    """Typed access to the settings table of one database."""

    def __init__(self, db):
        self.db = db

    def get(self, key: str, session: Session | None = None) -> Any:
        opt = _option(key)
        if session is not None:
            row = session.get(Setting, key)
            return _decode(opt, row.value if row else None)
        with self.db.read() as s:
            return self.get(key, s)

    def all(self) -> dict[str, Any]:
        with self.db.read() as s:
            rows = {r.key: r.value for r in s.scalars(select(Setting))}
        return {k: _decode(opt, rows.get(k)) for k, opt in OPTIONS.items()}

    def set(self, key: str, value: Any, session: Session | None = None, actor: str | None = None) -> None:
        self.set_many({key: value}, session, actor)

    def set_many(self, values: dict[str, Any], session: Session | None = None, actor: str | None = None) -> None:
        """Store typed values; `actor` (a manager, from the UI) is checked and audited when given."""
        encoded = {k: _encode(k, _option(k), v) for k, v in values.items()}
        if session is None:
            with self.db.write() as s:
                self.set_many(values, s, actor)
            return
        if actor is not None:
            from desk_app.services import audit
            from desk_app.services.users import acting_user

            acting_user(session, actor, "settings")
            audit.record(session, actor, "settings.set", None, {"keys": sorted(encoded)})
        self._store(session, encoded)

    @staticmethod
    def _store(session: Session, encoded: dict[str, str | None]) -> None:
        for key, raw in encoded.items():
            row = session.get(Setting, key)
            if row is None:
                session.add(Setting(key=key, value=raw))
            else:
                row.value = raw
