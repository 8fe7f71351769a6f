"""The province's pages: every office with what its desks last reported, and requests per
service per day (a table, a server-drawn SVG chart, CSV)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desk_app.domain.jalali import as_utc, format_jalali_date, utc_now
from desk_app.domain.text import normalize_text
from provincial_server.console.scope import service_titles
from provincial_server.db import Device, DeviceStatus, Office, ServerRequest

STALE_AFTER = timedelta(days=1)
SORTS = ("stale", "office", "last_seen", "pending", "oldest", "version")


@dataclass
class OfficeView:
    code: str
    name: str
    devices: int = 0
    last_seen: datetime | None = None
    reported_at: datetime | None = None
    pending: int | None = None
    oldest_s: int | None = None  # the oldest pending item's age now (reported age + time since)
    versions: list[str] = field(default_factory=list)
    printers: list[str] = field(default_factory=list)
    last_error: str | None = None

    @property
    def stale(self) -> bool:
        return self.last_seen is None or utc_now() - self.last_seen > STALE_AFTER

    @property
    def silent_s(self) -> float | None:
        return None if self.last_seen is None else (utc_now() - self.last_seen).total_seconds()


def offices(s: Session, sort: str = "stale", descending: bool = False) -> list[OfficeView]:
    now = utc_now()
    views = {code: OfficeView(code, normalize_text(name)) for code, name in s.execute(select(Office.code, Office.name))}
    for office, seen in s.execute(select(Device.office, Device.last_seen_at).where(Device.revoked_at.is_(None))):
        v = views.get(office)
        if v is None:
            continue
        v.devices += 1
        if seen is not None and (v.last_seen is None or as_utc(seen) > v.last_seen):
            v.last_seen = as_utc(seen)
    for st in s.scalars(select(DeviceStatus)):
        v = views.get(st.office)
        if v is None:
            continue
        at = as_utc(st.reported_at)
        if v.reported_at is None or at > v.reported_at:
            v.reported_at = at
            v.last_error = normalize_text(st.last_error) if st.last_error else None
        if st.pending is not None:
            v.pending = (v.pending or 0) + st.pending
            if st.pending and st.oldest_pending_s is not None:
                age = st.oldest_pending_s + max(0, int((now - at).total_seconds()))
                v.oldest_s = max(v.oldest_s or 0, age)
        if st.app_version and st.app_version not in v.versions:
            v.versions.append(st.app_version)
        if st.printer_state and st.printer_state not in v.printers:
            v.printers.append(st.printer_state)
    rows = list(views.values())
    for v in rows:
        v.versions.sort()
    never = datetime.min.replace(tzinfo=now.tzinfo)
    keys = {
        "stale": lambda v: (v.last_seen or never, v.code),
        "office": lambda v: v.code,
        "last_seen": lambda v: (v.last_seen or never, v.code),
        "pending": lambda v: (v.pending or 0, v.code),
        "oldest": lambda v: (v.oldest_s or 0, v.code),
        "version": lambda v: (v.versions[0] if v.versions else "", v.code),
    }
    rows.sort(key=keys.get(sort, keys["stale"]), reverse=descending)
    return rows


def offices_csv(rows: list[OfficeView]) -> str:
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(
        [
            "office",
            "name",
            "devices",
            "last_seen_utc",
            "stale",
            "pending",
            "oldest_pending_s",
            "app_versions",
            "printer_states",
            "last_error",
        ]
    )
    for v in rows:
        w.writerow(
            [
                v.code,
                v.name,
                v.devices,
                v.last_seen.isoformat() if v.last_seen else "",
                int(v.stale),
                "" if v.pending is None else v.pending,
                "" if v.oldest_s is None else v.oldest_s,
                " ".join(v.versions),
                " ".join(v.printers),
                v.last_error or "",
            ]
        )
    return "\ufeff" + out.getvalue()  # a BOM: spreadsheet programs then read the Persian names right


# ---------------------------------------------------------------- requests per service per day


@dataclass
class DayCounts:
    days: list[date]
    services: list[tuple[str, str]]  # (code, title), busiest first
    counts: dict[tuple[date, str], int]

    def day_total(self, d: date) -> int:
        return sum(self.counts.get((d, c), 0) for c, _ in self.services)

    def service_total(self, code: str) -> int:
        return sum(self.counts.get((d, code), 0) for d in self.days)


def day_counts(s: Session, day_from: date, day_to: date) -> DayCounts:
    R = ServerRequest
    rows = s.execute(
        select(R.tehran_day, R.service_code, func.count())
        .where(R.tehran_day >= day_from.isoformat(), R.tehran_day <= day_to.isoformat())
        .group_by(R.tehran_day, R.service_code)
    ).all()
    counts = {(date.fromisoformat(d), code): n for d, code, n in rows}
    titles = service_titles(s)
    totals: dict[str, int] = {}
    for (_d, code), n in counts.items():
        totals[code] = totals.get(code, 0) + n
    services = [(c, titles.get(c, c)) for c in sorted(totals, key=lambda c: (-totals[c], c))]
    days = [day_from + timedelta(days=i) for i in range((day_to - day_from).days + 1)]
    return DayCounts(days, services, counts)


def day_counts_csv(dc: DayCounts) -> str:
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(["date", "jalali_date", "service_code", "service_title", "requests"])
    for d in dc.days:
        for code, title in dc.services:
            n = dc.counts.get((d, code), 0)
            if n:
                w.writerow([d.isoformat(), format_jalali_date(d, persian=False), code, title, n])
    return "\ufeff" + out.getvalue()


PALETTE = ["#1f6f8b", "#e07a1f", "#3c8d40", "#b03a48", "#6b5ca5", "#8c6d31", "#2a9d8f", "#d4a017", "#5b6770", "#c2185b"]


def chart_svg(dc: DayCounts, width: int = 900, height: int = 280) -> dict:
    """Stacked bars, one a day, one colour a service (the first nine; the rest as «سایر»).
    Returns the shapes for the template to draw; time runs right to left, as the page reads."""
    step = max(1, -(-max([dc.day_total(d) for d in dc.days] + [1]) // 4))  # ceil(max / 4): whole ticks
    top = step * 4
    shown = dc.services[:9]
    rest = [c for c, _ in dc.services[9:]]
    legend = [(PALETTE[i], title) for i, (_c, title) in enumerate(shown)]
    if rest:
        legend.append((PALETTE[9], "سایر"))
    left, right, bottom, head = 48, 8, 28, 10
    plot_w, plot_h = width - left - right, height - bottom - head
    n = max(1, len(dc.days))
    slot = plot_w / n
    bar = max(2.0, slot * 0.7)
    bars, labels = [], []
    for i, d in enumerate(dc.days):
        x = left + plot_w - (i + 1) * slot + (slot - bar) / 2  # time runs right to left
        y = float(head + plot_h)
        parts = [(PALETTE[k], dc.counts.get((d, c), 0)) for k, (c, _t) in enumerate(shown)]
        if rest:
            parts.append((PALETTE[9], sum(dc.counts.get((d, c), 0) for c in rest)))
        for colour, n_ in parts:
            if not n_:
                continue
            h = plot_h * n_ / top
            y -= h
            bars.append(
                {
                    "x": round(x, 1),
                    "y": round(y, 1),
                    "w": round(bar, 1),
                    "h": round(h, 1),
                    "fill": colour,
                    "title": f"{format_jalali_date(d)}: {n_}",
                }
            )
        if n <= 31 or i % max(1, n // 15) == 0:
            labels.append({"x": round(x + bar / 2, 1), "text": format_jalali_date(d)[5:]})
    ticks = []
    for k in range(5):
        value = step * k
        ticks.append({"y": round(head + plot_h - plot_h * value / top, 1), "text": value})
    return {
        "width": width,
        "height": height,
        "bars": bars,
        "labels": labels,
        "ticks": ticks,
        "legend": legend,
        "left": left,
        "base": head + plot_h,
        "right": width - right,
    }
