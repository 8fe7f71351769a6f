"""Every setting declared once, with its type and default (Picard's options.py idea).

Values live as TEXT in the `settings` table; this module is the only place that converts them and
the only place that states a default. Every reader goes through it: `Settings.get/all` (services,
CLI), `Values` (the window's cache is a `Values`, see desk_app.ui.context) and `peek(home)` (the
few milliseconds before the window shows). tests/test_settings_declared.py fails when a declared
setting is read nowhere or a default is restated elsewhere.

Importing this module costs no SQLAlchemy (the store is imported when a `Settings` is used), so
`peek` runs before the database layer is loaded. The device token is NOT a setting: it lives in
the keyring or a private file (desk_app.sync.credentials).
"""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from desk_app.domain.errors import InvalidInput
from desk_app.sync.backoff import PERIOD_S, SKEW_WARN_S

if TYPE_CHECKING:
    from sqlalchemy import Select
    from sqlalchemy.orm import Session

    from desk_app.store.engine import Database

DB_NAME = "desk.sqlite3"  # the data folder's database (desk_app.services.context uses it too)
PEEK_TIMEOUT_S = 0.2  # a database held by a writer right now: open the window without the peek


@dataclass(frozen=True)
class Option:
    type: type
    default: Any
    choices: tuple[Any, ...] | None = None
    doc: str = ""


OPTIONS: dict[str, Option] = {
    "office_code": Option(str, None, doc="set-up; receipt numbers, sync, window title"),
    "office_name": Option(str, "", doc="set-up; receipts, reports, window title"),
    "device_no": Option(int, None, doc="set-up; receipt numbers, sync"),
    "server_url": Option(str, None, doc="enrolment; every call to the provincial server"),
    "ca_file": Option(str, None, doc="PEM file of the server's CA, when not a public one"),
    "display_unit": Option(str, "rial", ("rial", "toman"), doc="amounts on screens and papers"),
    "printer_target": Option(str, None, doc="the receipt printer (desk_app.services.printjobs targets)"),
    "printer_paper": Option(int, 80, (80, 58), doc="receipt paper width in mm"),
    "printer_dots": Option(int, None, doc="dots per line when the model differs from its paper's"),
    "cash_drawer": Option(bool, False, doc="kick the drawer after an original cash receipt"),
    "clock_skew_warn_s": Option(int, int(SKEW_WARN_S), doc="warn when the PC clock is this far from the server's"),
    "sync_interval_s": Option(int, int(PERIOD_S), doc="seconds between successful syncs (window, `sync` loop)"),
    "language": Option(str, "fa", ("fa", "en"), doc="window language, applied at the next start"),
    "auto_print": Option(bool, True, doc="print the receipt right after an intake is saved"),
    # scanned documents (desk_app.services.attachments): caps that refuse bad input before it is read
    "attachment_max_file_mb": Option(int, 50, doc="an input image or PDF larger than this is refused unread"),
    "attachment_max_page_kb": Option(int, 1024, doc="one compressed page"),
    "attachment_max_request_mb": Option(int, 20, doc="all compressed pages of one request"),
    "attachment_max_pages": Option(int, 40, doc="pages of one request (a 300-page PDF is refused at once)"),
    "attachment_reserve_mb": Option(int, 200, doc="free disk a scan or import leaves for registrations"),
    "scanner_device": Option(str, None, doc="SANE/WIA device `scan` uses when none is named"),
    "show_receipt_preview": Option(
        bool, False, doc="show the receipt on screen after every save (it shows anyway without a printer)"
    ),
    "lock_after_idle_s": Option(int, 600, doc="lock the window after this many seconds without input; 0 = never"),
}


@functools.cache
def _value_statement() -> Select[str | None]:
    """`SELECT value FROM settings WHERE key = :key`, built on first use and then reused (intake reads
    office and device in every transaction; building a select cost more than running it). Not at
    import: importing this module loads no SQLAlchemy."""
    from sqlalchemy import bindparam, select

    from desk_app.store.models import Setting

    return select(Setting.value).where(Setting.key == bindparam("key"))


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


def decode_rows(rows: Mapping[str, str | None]) -> Values:
    """Stored TEXT values (unknown keys ignored, missing ones at their default) as typed `Values`."""
    return Values({k: _decode(opt, rows.get(k)) for k, opt in OPTIONS.items()})


class Values(Mapping[str, Any]):
    """A read-only snapshot of every declared setting: `values["display_unit"]` or
    `values.display_unit`. Made from OPTIONS, so it has no defaults of its own."""

    __slots__ = ("_data",)

    def __init__(self, values: Mapping[str, Any] | None = None):
        given = dict(values or {})
        for key in given:
            _option(key)
        self._data = {k: given.get(k, opt.default) for k, opt in OPTIONS.items()}

    def __getitem__(self, key: str) -> Any:
        return self._data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):  # copy/pickle probing before _data exists
            raise AttributeError(name)
        try:
            return self._data[name]
        except KeyError:
            raise AttributeError(name) from None

    def __repr__(self) -> str:
        return f"Values({self._data!r})"


class Settings:
    """Typed access to the settings table of one database."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def get(self, key: str, session: Session | None = None) -> Any:
        opt = _option(key)
        if session is not None:
            return _decode(opt, session.scalar(_value_statement(), {"key": key}))
        with self.db.read() as s:
            return self.get(key, s)

    def all(self) -> Values:
        from sqlalchemy import select

        from desk_app.store.models import Setting

        with self.db.read() as s:
            return decode_rows({r.key: r.value for r in s.scalars(select(Setting))})

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
        from desk_app.store.models import Setting

        for key, raw in encoded.items():
            row = session.get(Setting, key)
            if row is None:
                session.add(Setting(key=key, value=raw))
            else:
                row.value = raw


def peek(home: Path | str) -> Values | None:
    """The settings of a data folder read before the database layer is loaded (the window's first
    frame: office title, language): read-only, the standard library's sqlite3, a short busy wait
    and no migration. None when there is no database yet or it cannot be read right now; the
    caller then waits for the real open."""
    path = Path(home) / DB_NAME
    if not path.is_file():
        return None
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=PEEK_TIMEOUT_S)
        try:
            rows = dict(conn.execute("SELECT key, value FROM settings").fetchall())
        finally:
            conn.close()
        return decode_rows(rows)
    except (sqlite3.Error, ValueError):
        return None
