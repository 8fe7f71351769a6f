"""Sample printing data for the printing tests and the bench (plain dataclasses, no store)."""

from __future__ import annotations

import datetime as dt
import random

from printing.data import CancellationRow, DailyReportData, FormData, ReceiptData, Row, ShiftRow

RECEIPT_NO = "4512-2-050908-0042"
REQUEST_ID = "3f2b8c1e-9d4a-4b7e-8f00-123456789abc"
UTC = dt.UTC


def receipt(**changes) -> ReceiptData:
    data = dict(
        office_code="4512",
        office_name="دفتر پیشخوان خدمات دولت ارومیه ۲۳",
        receipt_no=RECEIPT_NO,
        request_id=REQUEST_ID,
        created_at=dt.datetime(2026, 11, 29, 11, 0, tzinfo=UTC),
        clerk_name="مریم احمدی",
        citizen_name="علی‌رضا محمدی‌نژاد",
        national_code_masked="123***7890",
        service_code="2101",
        service_title="صدور گذرنامه (۱۲۳)",
        fees=[("government", 12_000_000), ("office", 850_000)],
        total=12_850_000,
        payment_method="card",
        payment_ref="IR-778899-01",
        server_ref=None,
        pending_sync=True,
        copy_no=0,
    )
    data.update(changes)
    return ReceiptData(**data)


def form(**changes) -> FormData:
    data = dict(
        receipt=receipt(),
        documents=["کارت ملی", "شناسنامه", "عکس ۴×۶ (۲ قطعه)"],
        mobile="09121234567",
        national_code="1234567890",
        first_name="علی‌رضا",
        last_name="محمدی‌نژاد",
        agency="پلیس گذرنامه",
    )
    data.update(changes)
    return FormData(**data)


TITLES = [
    "صدور گذرنامه",
    "تعویض کارت ملی هوشمند",
    "گواهینامه رانندگی (پایه ۲)",
    "ثبت‌نام یارانه",
    "خدمات پستی EMS",
    "صدور المثنی شناسنامه",
    "پرداخت قبض گاز",
    "Visa Iran 2026 تمدید",
]


def daily(requests: int = 5000, services: int = 40, cancellations: int = 12, seed: int = 1) -> DailyReportData:
    """A day with `requests` requests spread over `services` services (0 gives an empty day)."""
    rnd = random.Random(seed)
    per_service, left = [], requests
    for i in range(services if requests else 0):
        c = left if i == services - 1 else min(left, rnd.randint(0, 2 * requests // services))
        left -= c
        per_service.append(Row(f"{2100 + i}", f"{TITLES[i % len(TITLES)]} {i}", c, c * 850_000))
    at = dt.datetime(2026, 11, 29, 5, 0, tzinfo=UTC)
    cancel = [
        CancellationRow(f"4512-2-050908-{i:04d}", "مریم احمدی", "انصراف متقاضی (شخصی)", 850_000, at)
        for i in range(cancellations if requests else 0)
    ]
    half = requests // 2
    return DailyReportData(
        office_code="4512",
        office_name="دفتر پیشخوان ارومیه ۲۳",
        day=dt.date(2026, 11, 29),
        generated_at=dt.datetime(2026, 11, 29, 14, 0, tzinfo=UTC),
        requests_count=requests,
        total_amount=sum(r.amount for r in per_service),
        per_service=per_service,
        per_clerk=[
            Row("maryam", "مریم احمدی", half, half * 850_000, 850_000 * len(cancel)),
            Row("ali", "علی رضایی", requests - half, (requests - half) * 850_000),
        ]
        if requests
        else [],
        per_payment=[
            Row("cash", "cash", half, half * 850_000),
            Row("card", "card", requests - half, (requests - half) * 850_000),
        ]
        if requests
        else [],
        cancellations=cancel,
        refunds_total=850_000 * len(cancel),
        reprints=7 if requests else 0,
        pending_sync=31 if requests else 0,
        shifts=[
            ShiftRow(
                "s1", "مریم احمدی", at, at + dt.timedelta(hours=8), 1_000_000, {"cash": 5_000_000}, {"cash": 4_950_000}
            )
        ]
        if requests
        else [],
    )
