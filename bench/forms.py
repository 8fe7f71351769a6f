"""Service form figures (printed): checking a 30-field form definition, validating and freezing
its answers, per call. Intake freezes once per request, the UI validates as the clerk leaves
each field, and the server validates every request it ingests, so these run often.

    .venv/bin/python bench/forms.py [--n 2000] [--record]

The form: the passport sample's 11 fields (a guardian under 18, a spouse's consent when married)
plus 19 more of every kind (codes of each format, numbers, amounts, choices, yes/no, long text),
three of them behind conditions. The answers are typed as a clerk would (Persian digits,
dashes in codes, labels for choices). Figures only, no assertions.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import statistics
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from desk_app.domain.forms import (  # noqa: E402
    form_fields,
    freeze_answers,
    normalize_answers,
    parse_form,
    validate_answers,
    visible_fields,
)
from desk_app.domain.identifiers import national_code_check_digit  # noqa: E402

ON = date(2026, 11, 29)
FA = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")


def thirty_field_form() -> tuple[dict, dict]:
    samples = json.loads((ROOT / "resources" / "catalog" / "forms-sample.json").read_text(encoding="utf-8"))
    form = next(s["form"] for s in samples["services"] if s["code"] == "2101")
    form = json.loads(json.dumps(form))
    props = form["properties"]
    nc = "012345678" + str(national_code_check_digit("012345678"))
    extra = {
        "plate": ({"type": "string", "format": "ir-plate", "title": "پلاک"}, "۱۲ ب ۳۴۵ ایران ۶۷"),
        "buyer_national_code": (
            {"type": "string", "format": "national-code", "title": "کد ملی خریدار"},
            nc.translate(FA),
        ),
        "work_mobile": ({"type": "string", "format": "mobile", "title": "همراه محل کار"}, "+98 914 123 4567"),
        "work_postal_code": ({"type": "string", "format": "postal-code", "title": "کد پستی محل کار"}, "57167-73985"),
        "issue_date": ({"type": "string", "format": "jalali-date", "title": "تاریخ صدور"}, "۱۴۰۳/۱۲/۳۰"),
        "chassis_no": ({"type": "string", "x-kind": "code", "title": "شاسی", "pattern": "^[A-Z0-9]{6,20}$"}, "nas4111"),
        "children": ({"type": "integer", "title": "تعداد فرزندان", "minimum": 0, "maximum": 20}, "۳"),
        "income": ({"type": "integer", "x-kind": "amount", "title": "درآمد ماهانه"}, "۱۲۰٬۰۰۰٬۰۰۰"),
        "job": ({"type": "string", "title": "شغل", "maxLength": 80}, "كارمند"),
        "employer": ({"type": "string", "title": "کارفرما", "maxLength": 120}, "شرکت  پست"),
        "education": (
            {
                "enum": ["none", "diploma", "bachelor", "master"],
                "title": "تحصیلات",
                "x-labels": {"none": "بی‌سواد", "diploma": "دیپلم", "bachelor": "کارشناسی", "master": "ارشد"},
            },
            "کارشناسی",
        ),
        "province": ({"enum": [f"p{i}" for i in range(31)], "title": "استان"}, "p17"),
        "has_car": ({"type": "boolean", "title": "خودرو دارد"}, "بله"),
        "insured": ({"type": "boolean", "title": "بیمه دارد"}, "خیر"),
        "insurer": ({"type": "string", "title": "بیمه‌گر", "maxLength": 60}, "تأمین اجتماعی"),
        "car_model": ({"type": "string", "title": "مدل خودرو", "maxLength": 60}, "پژو ۴۰۵"),
        "notes": ({"type": "string", "title": "توضیحات", "maxLength": 1000}, "متقاضی\nدر نوبت دوم"),
        "height_cm": ({"type": "integer", "title": "قد", "minimum": 50, "maximum": 250}, "175"),
        "eye_colour": ({"type": "string", "title": "رنگ چشم", "maxLength": 20}, "قهوه‌ای"),
    }
    raw = {
        "father_name": "علي",
        "birth_date": "۱۳۷۰/۰۵/۰۵",
        "birth_place": "تبريز",
        "passport_kind": "فوری",
        "marital_status": "متأهل",
        "spouse_consent": "بله",
        "postal_code": "۵۱۶۶۶-۱۵۷۳۱",
        "address": "تبریز، خیابان امام\nکوچهٔ ۵",
        "emergency_mobile": "09121234567",
    }
    for name, (definition, value) in extra.items():
        props[name] = definition
        raw[name] = value
    form["allOf"] += [
        {
            "if": {"properties": {"has_car": {"const": True}}, "required": ["has_car"]},
            "then": {"required": ["car_model"]},
        },
        {
            "if": {"properties": {"insured": {"const": True}}, "required": ["insured"]},
            "then": {"required": ["insurer"]},
        },
    ]
    assert len(props) == 30, len(props)
    return form, raw


def per_call_us(fn, n: int) -> tuple[float, float, float]:
    """(median wall, p99 wall, mean CPU) microseconds per call over n calls, in batches of 10."""
    samples = []
    cpu0 = time.process_time()
    for _ in range(max(n // 10, 1)):
        t = time.perf_counter()
        for _ in range(10):
            fn()
        samples.append((time.perf_counter() - t) / 10 * 1e6)
    cpu = (time.process_time() - cpu0) / (len(samples) * 10) * 1e6
    samples.sort()
    return statistics.median(samples), samples[min(len(samples) - 1, math.ceil(len(samples) * 0.99) - 1)], cpu


def intake_ms(schema: dict, raw: dict, n: int) -> tuple[tuple[float, float], tuple[float, float]]:
    """register_request on a real data folder (SQLite file, WAL, synchronous=FULL): (median, p99) ms
    per request for the service with the 30-field form and for one without a form."""
    import tempfile

    from desk_app.services import catalog, intake, setup, users
    from desk_app.services.context import Desk

    data = {
        "version": "1405-09-30",
        "services": [
            {
                "code": code,
                "title": title,
                "agency": "آزمایشی",
                "active": True,
                "fees": [{"kind": "government", "amount": 12_000_000}, {"kind": "office", "amount": 850_000}],
                **({"form": schema} if code == "2101" else {}),
            }
            for code, title in (("2101", "صدور گذرنامه"), ("1101", "کارت هوشمند ملی"))
        ],
    }
    out = []
    with tempfile.TemporaryDirectory(dir=ROOT.parent) as tmp:
        desk = Desk.open(Path(tmp) / "home")
        try:
            setup.init_office(desk, "4512", "دفتر", 2)
            users.add_user(desk, "ali", "clerk", "secret-123", "علی")
            catalog.import_catalog(desk, data)
            for code, fields in (("2101", raw), ("1101", None)):
                times = []
                for i in range(n):
                    nc = f"{(i * 7919 + 1234567) % 10**9:09d}"
                    nc += str(national_code_check_digit(nc))
                    t = time.perf_counter()
                    intake.register_request(
                        desk,
                        clerk="ali",
                        national_code=nc,
                        first_name="مریم",
                        last_name="احمدی",
                        service_code=code,
                        fields=fields,
                    )
                    times.append((time.perf_counter() - t) * 1000)
                times.sort()
                out.append((statistics.median(times), times[min(len(times) - 1, math.ceil(len(times) * 0.99) - 1)]))
        finally:
            desk.close()
    return out[0], out[1]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--record", action="store_true", help="append the figures to bench/RESULTS.md")
    ap.add_argument("--intake", type=int, default=200, help="requests registered per service for the intake figure")
    n = ap.parse_args().n
    record = ap.parse_args().record
    schema, raw = thirty_field_form()
    form = parse_form(schema)
    frozen = freeze_answers(form, raw, on=ON)
    bad = dict(raw, postal_code="123", passport_kind="express", father_name="ب" * 10_000, other="x")
    figures = [
        ("check the 30-field definition (parse_form)", per_call_us(lambda: parse_form(schema), max(n // 10, 100))),
        ("normalize_answers, typed answers", per_call_us(lambda: normalize_answers(form, raw), n)),
        ("visible_fields, typed answers", per_call_us(lambda: visible_fields(form, raw, on=ON), n)),
        ("validate_answers, typed good answers", per_call_us(lambda: validate_answers(form, raw, on=ON), n)),
        ("validate_answers, 4 bad fields", per_call_us(lambda: validate_answers(form, bad, on=ON), n)),
        ("freeze_answers, typed answers", per_call_us(lambda: freeze_answers(form, raw, on=ON), n)),
        ("freeze_answers, already frozen (the server)", per_call_us(lambda: freeze_answers(form, frozen, on=ON), n)),
        (
            "freeze_answers, form given as a dict (cached)",
            per_call_us(lambda: freeze_answers(schema, frozen, on=ON), n),
        ),
    ]
    n_intake = ap.parse_args().intake
    with_form, without = intake_ms(schema, raw, n_intake) if n_intake else ((0.0, 0.0), (0.0, 0.0))
    load = os.getloadavg()[0]
    lines = [
        f"- {len(form_fields(form))} fields, {len(frozen)} frozen answers; load average at start {load:.1f} on "
        f"{os.cpu_count()} CPUs",
    ]
    for label, (median, p99, cpu) in figures:
        lines.append(f"- {label}: median {median:,.0f} µs wall per call ({cpu:,.0f} µs CPU), p99 {p99:,.0f} µs")
    if n_intake:
        lines.append(
            f"- intake (register_request on a real SQLite data folder, {n_intake} requests each): with the 30-field "
            f"form median {with_form[0]:.1f} ms, p99 {with_form[1]:.1f} ms; a service without a form median "
            f"{without[0]:.1f} ms, p99 {without[1]:.1f} ms"
        )
    print("\n".join(lines))
    if record:
        stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
        head = f"\n\n## bench/forms.py — service forms ({stamp}, CPython {platform.python_version()})\n\n"
        cmd = f"`.venv/bin/python bench/forms.py --n {n} --intake {n_intake} --record`\n\n"
        with open(ROOT / "bench" / "RESULTS.md", "a", encoding="utf-8") as f:
            f.write(head + cmd + "\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
