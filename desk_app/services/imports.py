"""CSV import of requests (`desk-app request import FILE.csv --clerk U`, DESIGN.md section 8):
idempotent, and honest about what it committed.

The file is known by the SHA-256 of its bytes, a row by its line number and the SHA-256 of its
cells. `intake.register_many` writes that key (`import_rows`) in the transaction of the request the
row made, so:
- a run of a file that was (partly) imported before reports those rows as `already_imported`,
  with their receipt numbers, and registers only the others: no row is ever registered twice;
- a run that stops early (full disk, locked or broken database, Ctrl-C) reports exactly the rows
  that were committed (a batch commits whole or not at all) and where it stopped; after a kill
  nothing can be said, and the next run of the same file reports what the killed one committed.

A corrected file is another file (another hash): put only the corrected rows in it.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from desk_app.domain.canonical import payload_sha256
from desk_app.domain.errors import InvalidInput
from desk_app.domain.forms import AnswersError
from desk_app.services import intake
from desk_app.services.requests import RequestView
from desk_app.store.errors import StoreError

if TYPE_CHECKING:
    from desk_app.services.context import Desk

CSV_COLUMNS = ("national_code", "first_name", "last_name", "mobile", "service", "payment", "payment_ref")
FIELD_PREFIX = "field."  # a column `field.NAME` carries the answer to the service form's field NAME
MAX_CSV_BYTES = 50 * 1024 * 1024
BATCH = 100  # requests per transaction: one disk sync per batch

STOP_REASONS_FA = {
    "full": "فضای دیسک پر شد",
    "locked": "پایگاه داده در دست برنامهٔ دیگری ماند",
    "readonly": "پایگاه داده فقط‌خواندنی شد",
    "io": "خواندن یا نوشتن دیسک خطا داد",
    "corrupt": "فایل پایگاه داده خراب است",
    "cantopen": "فایل پایگاه داده باز نشد",
    "interrupted": "کاربر آن را متوقف کرد",
}


@dataclass(frozen=True)
class RowError:
    line: int
    field: str | None
    message: str

    def to_json(self) -> dict[str, Any]:
        return {"line": self.line, "field": self.field, "message": self.message}


@dataclass(frozen=True)
class Stopped:
    """Why and where an import stopped before its last row; nothing from `line` on was saved."""

    reason: str  # a StoreError kind, or "interrupted"
    message: str  # Persian: why, and that nothing from `line` on was saved
    line: int  # the first line not registered
    remaining: int  # rows from `line` on that were not registered

    def to_json(self) -> dict[str, Any]:
        return {"reason": self.reason, "message": self.message, "line": self.line, "remaining": self.remaining}


@dataclass
class ImportReport:
    """What one run did, row by row; `created` and `already_imported` are (line, request)."""

    file_sha256: str
    rows: int = 0
    created: list[tuple[int, RequestView]] = field(default_factory=list)
    already_imported: list[tuple[int, RequestView]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    stopped: Stopped | None = None

    def to_json(self) -> dict[str, Any]:
        """`{"created": [...], "errors": [{"line", "field", "message"}]}` of DESIGN.md section 8, and
        `already_imported` (request objects of rows an earlier run registered), `stopped` (null,
        or where and why this run stopped), `rows` and `file_sha256`. Request objects carry `line`."""
        return {
            "created": [{**r.to_json(), "line": line} for line, r in self.created],
            "errors": [e.to_json() for e in sorted(self.errors, key=lambda e: e.line)],
            "already_imported": [{**r.to_json(), "line": line} for line, r in self.already_imported],
            "stopped": self.stopped.to_json() if self.stopped else None,
            "rows": self.rows,
            "file_sha256": self.file_sha256,
        }

    def summary_fa(self) -> str:
        """One Persian paragraph for standard error: what is saved, what is not, what to do."""
        parts = [f"{len(self.created)} درخواست ثبت شد"]
        if self.already_imported:
            parts.append(f"{len(self.already_imported)} سطر پیش‌تر از همین فایل ثبت شده بود و دوباره ثبت نشد")
        if self.errors:
            parts.append(f"{len(self.errors)} سطر ایراد داشت")
        text = "، ".join(parts) + "."
        if self.stopped is not None:
            s = self.stopped
            reason = STOP_REASONS_FA.get(s.reason, "پایگاه داده خطا داد")
            text += (
                f"\nورود فایل در سطر {s.line} متوقف شد ({reason}). همهٔ درخواست‌های بالا ذخیره شده‌اند؛"
                f" از سطر {s.line} به بعد ({s.remaining} سطر) چیزی ثبت نشد."
                " پس از رفع مشکل همین فایل را دوباره وارد کنید: سطرهای ثبت‌شده دوباره ثبت نمی‌شوند."
            )
        elif self.errors:
            text += " سطرهای ایراددار را درست کنید و فقط همان‌ها را در فایل تازه‌ای وارد کنید."
        return text


@dataclass(frozen=True)
class _Row:
    line: int
    cells: dict[str, str]


def read_file(path: Path | str) -> bytes:
    path = Path(path)
    try:
        if path.stat().st_size > MAX_CSV_BYTES:
            raise InvalidInput("فایل CSV بیش از اندازه بزرگ است.", "file")
        return path.read_bytes()
    except FileNotFoundError:
        raise InvalidInput(f"فایل «{path.name}» پیدا نشد.", "file") from None
    except IsADirectoryError:
        raise InvalidInput(f"«{path.name}» پوشه است، نه فایل.", "file") from None


def parse_rows(raw: bytes) -> Iterator[_Row | RowError]:
    """The data rows of a UTF-8 CSV file (a BOM is fine) by line; header problems raise InvalidInput."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput("فایل CSV باید با کدگذاری UTF-8 باشد.", "file") from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise InvalidInput("فایل CSV خالی است.", "file") from None
    except csv.Error:
        raise InvalidInput("سطر عنوان فایل CSV خوانا نیست.", "file") from None
    header = [h.strip() if h.strip().lower().startswith(FIELD_PREFIX) else h.strip().lower() for h in header]
    header = [FIELD_PREFIX + h[len(FIELD_PREFIX) :] if h.lower().startswith(FIELD_PREFIX) else h for h in header]
    doubled = sorted({h for h in header if h and header.count(h) > 1})
    if doubled:
        raise InvalidInput(f"سطر عنوان فایل CSV این ستون‌ها را دو بار دارد: {','.join(doubled)}", "file")
    bad = [h for h in header if h.startswith(FIELD_PREFIX) and not h[len(FIELD_PREFIX) :]]
    if bad:
        raise InvalidInput("ستون field. بدون نام فیلد است؛ نام ستون باید field.NAME باشد.", "file")
    missing = [c for c in CSV_COLUMNS if c not in header]
    if missing:
        raise InvalidInput(
            f"سطر عنوان فایل CSV باید این ستون‌ها را داشته باشد: {','.join(CSV_COLUMNS)} (نیست: {','.join(missing)})",
            "file",
        )
    line = reader.line_num
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error:
            yield RowError(reader.line_num, "row", "سطر CSV خوانا نیست.")
            continue
        start, line = line + 1, reader.line_num
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(header):
            yield RowError(start, "row", f"این سطر {len(cells)} ستون دارد، نه {len(header)}.")
            continue
        yield _Row(start, dict(zip(header, cells)))


def form_of(row: _Row) -> dict[str, Any]:
    """The `intake` form of a CSV row (the keyword arguments of `register_request`)."""
    cells = row.cells
    return {
        "national_code": cells["national_code"],
        "first_name": cells["first_name"],
        "last_name": cells["last_name"],
        "mobile": cells["mobile"] or None,
        "service_code": cells["service"],
        "payment_method": cells["payment"] or "cash",
        "payment_ref": cells["payment_ref"] or None,
        "fields": {k[len(FIELD_PREFIX) :]: v for k, v in cells.items() if k.startswith(FIELD_PREFIX) and v.strip()},
    }


def import_csv(desk: Desk, path: Path | str, clerk: str, *, batch: int = BATCH) -> ImportReport:
    """Register the rows of a CSV file as `clerk` (see the module docstring). An unknown or inactive
    clerk and a bad file (missing, not UTF-8, wrong header) raise before anything is written; a
    failure of the store half-way is `report.stopped`, with everything committed before it reported."""
    raw = read_file(path)
    sha = hashlib.sha256(raw).hexdigest()
    report = ImportReport(sha)
    rows: list[_Row] = []
    for item in parse_rows(raw):
        if isinstance(item, RowError):
            report.errors.append(item)
        else:
            rows.append(item)
    report.rows = len(rows) + len(report.errors)
    keys = [intake.ImportKey(sha, r.line, payload_sha256(r.cells)) for r in rows]
    done = 0
    try:
        for index, result in intake.register_many(desk, clerk, [form_of(r) for r in rows], batch=batch, keys=keys):
            line = rows[index].line
            if isinstance(result, AnswersError):  # one error per bad field, named by its column
                report.errors.extend(RowError(line, FIELD_PREFIX + e.field, e.message) for e in result.errors)
            elif isinstance(result, InvalidInput):
                report.errors.append(RowError(line, result.field, result.message))
            elif isinstance(result, intake.AlreadyImported):
                report.already_imported.append((line, result.request))
            else:
                report.created.append((line, result))
            done = index + 1
    except StoreError as exc:
        report.stopped = _stopped(desk, report, exc.kind, rows[done:], keys[done:])
    except KeyboardInterrupt:
        report.stopped = _stopped(desk, report, "interrupted", rows[done:], keys[done:])
    return report


def _stopped(
    desk: Desk, report: ImportReport, reason: str, left: list[_Row], keys: list[intake.ImportKey]
) -> Stopped | None:
    """Where the run stopped. The store is asked which of the rows not reported were committed
    after all (a commit that succeeded just before the failure or the interrupt): those are
    reported as created, so the report is exactly what is on disk."""
    try:
        committed = intake.imported(desk, keys)
    except StoreError:  # the store cannot even be read: what was reported is all we know
        committed = {}
    still_left = []
    for row, key in zip(left, keys):
        if key in committed:
            report.created.append((row.line, committed[key]))
        else:
            still_left.append(row)
    if not still_left:
        return None
    line = still_left[0].line
    why = STOP_REASONS_FA.get(reason, "پایگاه داده خطا داد")
    return Stopped(
        reason, f"{why}؛ سطرهای پیش از سطر {line} ذخیره شده‌اند و از این سطر به بعد چیزی ثبت نشد.", line, len(still_left)
    )
