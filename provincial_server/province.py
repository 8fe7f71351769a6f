"""The province's view of its desks (DESIGN.md section 12): what each desk reports with `hello`,
and the queries the console's pages read.

Only the desk knows its backlog, so the figures are its own word: `X-Desk-Status` on `GET /hello`
(`desk_app.sync.protocol.HEADER_DESK_STATUS`). `parse_desk_status` keeps each field that is valid
and drops the others one by one (a bad figure never costs the good ones, and never the hello);
`record_heartbeat` upserts `DeviceStatus` (latest per device) and appends a `Heartbeat` at most
once per `HEARTBEAT_EVERY` a device, pruning that device's history older than `KEEP_HISTORY`.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from desk_app.domain.jalali import as_utc
from desk_app.sync import protocol
from provincial_server import catalogs, texts
from provincial_server.db import Device, DeviceStatus, Heartbeat, Office, ServerRequest, utcnow

HEARTBEAT_EVERY = timedelta(minutes=5)  # a desk says hello every minute and after each intake
KEEP_HISTORY = timedelta(days=8)
STALE_AFTER = timedelta(days=1)

_VERSION_RE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z.+_-]{0,31}\Z")
_TOKEN_RE = re.compile(r"^[a-z][a-z0-9_-]{0,31}\Z")
_LIMITS = {
    "pending": 10_000_000,
    "oldest_pending_s": 20 * 365 * 86400,
    "attachment_bytes_pending": 2**53,
}


# ---------------------------------------------------------------- the report in hello


def parse_desk_status(raw: str | None) -> dict[str, Any] | None:
    """The valid fields of an `X-Desk-Status` header; None when there is no report at all (no
    header, not a JSON object, too long). A field that is absent or bad is left out."""
    if not raw or len(raw) > protocol.MAX_DESK_STATUS_BYTES:
        return None
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):
        return None
    if not isinstance(data, dict):
        return None
    out: dict[str, Any] = {}
    version = data.get("app_version")
    if isinstance(version, str) and _VERSION_RE.match(version):
        out["app_version"] = version
    for name, limit in _LIMITS.items():
        value = data.get(name)
        if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= limit:
            out[name] = value
    printer = data.get("printer_state")
    if isinstance(printer, str) and _TOKEN_RE.match(printer):
        out["printer_state"] = printer
    error = data.get("last_error")
    if isinstance(error, str):
        error = texts.clean(" ".join(error[: protocol.MAX_DESK_ERROR * 2].split()))
        if error:
            out["last_error"] = error[: protocol.MAX_DESK_ERROR]
    return out


def record_heartbeat(s: Session, office: str, device: int, report: dict[str, Any], now: datetime | None = None) -> None:
    """Upsert the device's `DeviceStatus` with `report` (fields it lacks become unknown) and
    append to its history at most once per `HEARTBEAT_EVERY`."""
    now = now or utcnow()
    fields = {name: report.get(name) for name in protocol.DESK_STATUS_FIELDS}
    values = {"office": office, "device": device, "reported_at": now, **fields}
    insert = pg_insert if s.get_bind().dialect.name == "postgresql" else sqlite_insert
    stmt = insert(DeviceStatus).values(**values)
    s.execute(
        stmt.on_conflict_do_update(
            index_elements=["office", "device"],
            set_={k: stmt.excluded[k] for k in values if k not in ("office", "device")},
        )
    )
    H = Heartbeat
    last = s.scalar(select(func.max(H.at)).where(H.office == office, H.device == device))
    if last is None or as_utc(last) <= now - HEARTBEAT_EVERY:
        s.execute(insert(H).values(office=office, device=device, at=now, **fields).on_conflict_do_nothing())
        s.execute(delete(H).where(H.office == office, H.device == device, H.at < now - KEEP_HISTORY))


# ---------------------------------------------------------------- the console's queries


@dataclass
class DeviceRow:
    device: int
    revoked: bool
    last_seen_at: datetime | None  # the last authenticated call of any kind (server clock)
    reported_at: datetime | None  # the last hello that carried a report
    app_version: str | None = None
    pending: int | None = None
    oldest_pending_s: int | None = None  # as the desk reported it at `reported_at`
    oldest_pending_age_s: int | None = None  # the same, aged to `now`: a silent desk's backlog keeps ageing
    attachment_bytes_pending: int | None = None
    printer_state: str | None = None
    last_error: str | None = None


@dataclass
class OfficeRow:
    code: str
    name: str
    last_seen_at: datetime | None  # the latest of its devices'
    last_seen_age_s: int | None  # seconds before `now`; None: never seen
    stale: bool  # never seen, or not for STALE_AFTER
    pending: int  # the sum of its devices' reports
    oldest_pending_age_s: int | None
    attachment_bytes_pending: int
    versions: list[str] = field(default_factory=list)
    printer_states: list[str] = field(default_factory=list)
    devices: list[DeviceRow] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def offices_overview(session: Session, now: datetime, *, stale_after: timedelta = STALE_AFTER) -> list[OfficeRow]:
    """Every office with its devices' last seen, backlog and its age, versions and printer states;
    the stale ones first (never seen, then the longest silent), then by office code."""
    now = as_utc(now)
    rows = session.execute(
        select(Office.code, Office.name, Device, DeviceStatus)
        .outerjoin(Device, Device.office == Office.code)
        .outerjoin(DeviceStatus, (DeviceStatus.office == Device.office) & (DeviceStatus.device == Device.device))
        .order_by(Office.code, Device.device)
    ).all()
    offices: dict[str, OfficeRow] = {}
    for code, name, dev, st in rows:
        office = offices.get(code)
        if office is None:
            office = offices[code] = OfficeRow(
                code=code,
                name=texts.clean(name) or "",
                last_seen_at=None,
                last_seen_age_s=None,
                stale=True,
                pending=0,
                oldest_pending_age_s=None,
                attachment_bytes_pending=0,
            )
        if dev is None:
            continue
        office.devices.append(_device_row(dev, st, now))
    for office in offices.values():
        _sum_up(office, now, stale_after)
    never = datetime.min.replace(tzinfo=now.tzinfo)
    return sorted(
        offices.values(),
        key=lambda o: (not o.stale, o.last_seen_at is not None, o.last_seen_at or never, o.code),
    )


def _device_row(dev: Device, st: DeviceStatus | None, now: datetime) -> DeviceRow:
    row = DeviceRow(
        device=dev.device,
        revoked=dev.token_sha256 is None,
        last_seen_at=as_utc(dev.last_seen_at) if dev.last_seen_at else None,
        reported_at=as_utc(st.reported_at) if st is not None else None,
    )
    if st is None:
        return row
    row.app_version = st.app_version
    row.pending = st.pending
    row.oldest_pending_s = st.oldest_pending_s
    if st.oldest_pending_s is not None and st.pending and row.reported_at is not None:
        row.oldest_pending_age_s = st.oldest_pending_s + max(0, int((now - row.reported_at).total_seconds()))
    row.attachment_bytes_pending = st.attachment_bytes_pending
    row.printer_state = st.printer_state
    row.last_error = texts.clean(st.last_error)
    return row


def _sum_up(office: OfficeRow, now: datetime, stale_after: timedelta) -> None:
    live = [d for d in office.devices if not d.revoked]
    seen = [d.last_seen_at for d in live if d.last_seen_at is not None]
    office.last_seen_at = max(seen) if seen else None
    if office.last_seen_at is not None:
        office.last_seen_age_s = max(0, int((now - office.last_seen_at).total_seconds()))
    office.stale = office.last_seen_at is None or now - office.last_seen_at > stale_after
    office.pending = sum(d.pending or 0 for d in live)
    ages = [d.oldest_pending_age_s for d in live if d.oldest_pending_age_s is not None]
    office.oldest_pending_age_s = max(ages) if ages else None
    office.attachment_bytes_pending = sum(d.attachment_bytes_pending or 0 for d in live)
    office.versions = sorted({d.app_version for d in live if d.app_version})
    office.printer_states = sorted({d.printer_state for d in live if d.printer_state})


@dataclass(frozen=True)
class ServiceDay:
    day: str  # ISO date of the Tehran civil day
    service_code: str
    title: str | None  # from the current catalog
    requests: int
    cancelled: int
    total: int  # rials


def requests_per_service_per_day(session: Session, start: date, end: date) -> list[ServiceDay]:
    """Requests received per Tehran day and service, `start` to `end` inclusive, by day then code."""
    R = ServerRequest
    rows = session.execute(
        select(
            R.tehran_day,
            R.service_code,
            func.count(),
            func.count().filter(R.status == "cancelled"),
            func.coalesce(func.sum(R.total), 0),
        )
        .where(R.tehran_day >= start.isoformat(), R.tehran_day <= end.isoformat())
        .group_by(R.tehran_day, R.service_code)
        .order_by(R.tehran_day, R.service_code)
    ).all()
    current = catalogs.current(session)
    catalog = catalogs.get_version(session, current.version) if current is not None else None
    titles: dict[str, str] = {}
    if catalog is not None:
        titles = {svc.code: svc.title for svc in catalog.services}
    return [
        ServiceDay(day=d, service_code=c, title=titles.get(c), requests=n, cancelled=x, total=int(t))
        for d, c, n, x, t in rows
    ]
