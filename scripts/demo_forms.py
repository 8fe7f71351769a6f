"""Put the service forms into resources/catalog/demo-catalog.json (DESIGN.md section 10).

The forms of resources/catalog/forms-sample.json, with the urgent passport's reason added, and the
forms of the other demo services declared below: the fields their agencies really ask for at the
counter. Every form is checked by the domain (`parse_catalog`) before the file is written.

    .venv/bin/python scripts/demo_forms.py            # rewrite the demo catalog
"""

from __future__ import annotations

import copy
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from desk_app.domain.catalog import parse_catalog  # noqa: E402

CATALOG = ROOT / "resources" / "catalog" / "demo-catalog.json"
SAMPLE = ROOT / "resources" / "catalog" / "forms-sample.json"
VERSION = "1405-09-15"


def text(title, n=100, **kw):
    return {"type": "string", "title": title, "maxLength": n, **kw}


def long_text(title, n=1000):
    return {"type": "string", "title": title, "maxLength": n, "x-multiline": True}


def code(fmt, title, **kw):
    return {"type": "string", "format": fmt, "title": title, **kw}


def choice(title, **labels):
    return {"enum": list(labels), "title": title, "x-labels": labels}


def yes_no(title):
    return {"type": "boolean", "title": title}


def number(title, lo=0, hi=100):
    return {"type": "integer", "title": title, "minimum": lo, "maximum": hi}


def amount(title):
    return {"type": "integer", "x-kind": "amount", "title": title}


def when(field, value, *required):
    return {
        "if": {"properties": {field: {"const": value}}, "required": [field]},
        "then": {"required": list(required)},
    }


def minor(*required):
    return {
        "if": {"properties": {"birth_date": {"x-age-below": 18}}, "required": ["birth_date"]},
        "then": {"required": list(required)},
    }


def form(props, required, *, receipt=(), conditions=(), sections=None):
    f = {"type": "object", "properties": props, "required": list(required), "x-order": list(props)}
    if receipt:
        f["x-on-receipt"] = list(receipt)
    if conditions:
        f["allOf"] = list(conditions)
    if sections:
        f["x-sections"] = [{"title": t, "fields": names} for t, names in sections]
    return f


ID_CARD = {
    "father_name": text("نام پدر"),
    "birth_date": code("jalali-date", "تاریخ تولد"),
    "birth_certificate_serial": text("سری و سریال شناسنامه", 20, **{"x-kind": "code"}),
    "guardian_national_code": code("national-code", "کد ملی پدر یا سرپرست"),
}

FORMS = {
    "1102": form(
        {
            **ID_CARD,
            "loss_reason": choice("علت المثنی", lost="مفقودی", damaged="خرابی کارت", stolen="سرقت"),
            "police_report_no": text("شمارهٔ گزارش مفقودی (کلانتری)", 30, **{"x-kind": "code"}),
            "postal_code": code("postal-code", "کد پستی"),
        },
        ["father_name", "birth_date", "loss_reason", "postal_code"],
        receipt=["loss_reason"],
        conditions=[when("loss_reason", "stolen", "police_report_no"), minor("guardian_national_code")],
    ),
    "1103": form(
        {
            **ID_CARD,
            "old_card_serial": text("سریال کارت ملی قدیمی", 20, **{"x-kind": "code"}),
            "postal_code": code("postal-code", "کد پستی"),
        },
        ["father_name", "birth_date", "postal_code"],
        conditions=[minor("guardian_national_code")],
    ),
    "1104": form(
        {
            **ID_CARD,
            "change_reason": choice("علت تعویض", old="شناسنامهٔ قدیمی", full="پر شدن صفحات", photo="الصاق عکس"),
            "postal_code": code("postal-code", "کد پستی"),
            "address": long_text("نشانی پستی", 400),
        },
        ["father_name", "birth_date", "change_reason", "postal_code", "address"],
        receipt=["change_reason"],
        conditions=[minor("guardian_national_code")],
    ),
    "1105": form(
        {
            **ID_CARD,
            "affidavit_date": code("jalali-date", "تاریخ استشهادنامه"),
            "postal_code": code("postal-code", "کد پستی"),
            "address": long_text("نشانی پستی", 400),
        },
        ["father_name", "birth_date", "affidavit_date", "postal_code", "address"],
        conditions=[minor("guardian_national_code")],
    ),
    "1107": form(
        {
            "deceased_national_code": code("national-code", "کد ملی متوفی"),
            "death_date": code("jalali-date", "تاریخ فوت"),
            "death_place": text("محل فوت"),
            "death_certificate_no": text("شمارهٔ گواهی فوت", 30, **{"x-kind": "code"}),
            "relation": choice(
                "نسبت متقاضی با متوفی", child="فرزند", spouse="همسر", parent="پدر یا مادر", other="سایر"
            ),
        },
        ["deceased_national_code", "death_date", "death_place", "death_certificate_no", "relation"],
        receipt=["death_date"],
    ),
    "1108": form(
        {
            "event": choice("نوع واقعه", marriage="ازدواج", divorce="طلاق"),
            "spouse_national_code": code("national-code", "کد ملی همسر"),
            "event_date": code("jalali-date", "تاریخ واقعه"),
            "notary_no": text("شمارهٔ دفترخانه", 10, **{"x-kind": "code"}),
            "document_no": text("شمارهٔ سند", 30, **{"x-kind": "code"}),
        },
        ["event", "spouse_national_code", "event_date", "notary_no", "document_no"],
        receipt=["event"],
    ),
    "2102": form(
        {
            "old_passport_no": text("شمارهٔ گذرنامهٔ قبلی", 12, **{"x-kind": "code"}),
            "old_passport_expiry": code("jalali-date", "تاریخ انقضای گذرنامهٔ قبلی"),
            "passport_kind": choice("نوع گذرنامه", normal="عادی", urgent="فوری"),
            "urgent_reason": text("علت فوریت", 300),
            "birth_date": code("jalali-date", "تاریخ تولد"),
            "guardian_national_code": code("national-code", "کد ملی پدر یا سرپرست"),
            "postal_code": code("postal-code", "کد پستی محل سکونت"),
            "address": long_text("نشانی محل سکونت", 400),
        },
        ["old_passport_no", "old_passport_expiry", "passport_kind", "birth_date", "postal_code", "address"],
        receipt=["passport_kind"],
        conditions=[when("passport_kind", "urgent", "urgent_reason"), minor("guardian_national_code")],
    ),
    "2103": form(
        {
            "lost_passport_no": text("شمارهٔ گذرنامهٔ مفقودی", 12, **{"x-kind": "code"}),
            "police_report_no": text("شمارهٔ گواهی مفقودی کلانتری", 30, **{"x-kind": "code"}),
            "loss_date": code("jalali-date", "تاریخ مفقودی"),
            "postal_code": code("postal-code", "کد پستی"),
        },
        ["police_report_no", "loss_date", "postal_code"],
    ),
    "2104": form(
        {
            "birth_date": code("jalali-date", "تاریخ تولد"),
            "travel_companions": number("تعداد همراهان", 0, 20),
            "guardian_national_code": code("national-code", "کد ملی پدر یا سرپرست"),
            "emergency_mobile": code("mobile", "شمارهٔ همراه برای موارد ضروری"),
        },
        ["birth_date", "emergency_mobile"],
        conditions=[minor("guardian_national_code")],
    ),
    "3102": form(
        {
            "plate": code("ir-plate", "پلاک"),
            "vin": text("شمارهٔ شاسی (VIN)", 17, **{"x-kind": "code"}),
            "affidavit_date": code("jalali-date", "تاریخ استشهادنامه"),
        },
        ["plate", "vin", "affidavit_date"],
        receipt=["plate"],
    ),
    "3103": form(
        {
            "plate": code("ir-plate", "پلاک"),
            "vin": text("شمارهٔ شاسی (VIN)", 17, **{"x-kind": "code"}),
            "reason": choice("علت", lost="مفقودی", damaged="خرابی"),
        },
        ["plate", "vin", "reason"],
        receipt=["plate"],
    ),
    "3104": form(
        {
            "plate": text("پلاک موتورسیکلت", 12, **{"x-kind": "code"}),
            "buyer_national_code": code("national-code", "کد ملی خریدار"),
            "buyer_mobile": code("mobile", "شمارهٔ همراه خریدار"),
            "chassis_no": text("شمارهٔ تنه", 30, **{"x-kind": "code"}),
        },
        ["plate", "buyer_national_code", "chassis_no"],
        receipt=["plate"],
    ),
    "3105": form(
        {
            "birth_date": code("jalali-date", "تاریخ تولد", **{"x-age-at-least": 18}),
            "education_level": choice("تحصیلات", primary="ابتدایی", diploma="دیپلم", university="دانشگاهی"),
            "school": text("آموزشگاه رانندگی"),
            "blood_type": choice("گروه خونی", o="O", a="A", b="B", ab="AB"),
        },
        ["birth_date", "school", "blood_type"],
        receipt=["school"],
    ),
    "3106": form(
        {
            "licence_no": text("شمارهٔ گواهینامه", 20, **{"x-kind": "code"}),
            "licence_class": choice(
                "پایهٔ گواهینامه", third="پایه سوم", second="پایه دوم", first="پایه یکم", motorcycle="موتورسیکلت"
            ),
            "expiry_date": code("jalali-date", "تاریخ انقضا"),
            "medical_ok": yes_no("گواهی معاینهٔ پزشکی ارائه شد"),
        },
        ["licence_no", "licence_class", "expiry_date", "medical_ok"],
        receipt=["licence_class"],
    ),
    "4102": form(
        {
            "birth_date": code("jalali-date", "تاریخ تولد"),
            "dependent": choice("کفالت از", father="پدر", mother="مادر", sibling="خواهر یا برادر"),
            "dependent_national_code": code("national-code", "کد ملی تحت کفالت"),
            "dependent_age": number("سن تحت کفالت", 0, 120),
        },
        ["birth_date", "dependent", "dependent_national_code"],
        receipt=["dependent"],
    ),
    "4103": form(
        {
            "birth_date": code("jalali-date", "تاریخ تولد"),
            "education_level": choice(
                "آخرین مدرک تحصیلی",
                below="زیر دیپلم",
                diploma="دیپلم",
                bachelor="کارشناسی",
                master="کارشناسی ارشد و بالاتر",
            ),
            "preferred_date": code("jalali-date", "تاریخ اعزام درخواستی"),
        },
        ["birth_date", "education_level"],
        receipt=["preferred_date"],
    ),
    "4104": form(
        {
            "card_kind": choice("نوع کارت", end="پایان خدمت", exempt="معافیت"),
            "card_no": text("شمارهٔ کارت قبلی", 20, **{"x-kind": "code"}),
            "affidavit_date": code("jalali-date", "تاریخ استشهادنامه"),
        },
        ["card_kind", "affidavit_date"],
        receipt=["card_kind"],
    ),
    "4105": form(
        {
            "birth_date": code("jalali-date", "تاریخ تولد"),
            "condition": long_text("شرح بیماری یا معلولیت", 800),
            "commission_letter_no": text("شمارهٔ نامهٔ کمیسیون پزشکی", 30, **{"x-kind": "code"}),
        },
        ["birth_date", "condition"],
    ),
    "5101": form(
        {
            "father_name": text("نام پدر"),
            "birth_date": code("jalali-date", "تاریخ تولد"),
            "sana_mobile": code("mobile", "شمارهٔ همراه به نام متقاضی"),
            "postal_code": code("postal-code", "کد پستی"),
        },
        ["father_name", "birth_date", "sana_mobile", "postal_code"],
    ),
    "5102": form(
        {
            "sana_code": text("کد ثنا", 16, **{"x-kind": "code"}),
            "defendant_national_code": code("national-code", "کد ملی خوانده"),
            "claim_subject": text("خواسته", 200),
            "claim_amount": amount("بهای خواسته (ریال)"),
            "description": long_text("شرح دادخواست", 3000),
        },
        ["sana_code", "claim_subject", "description"],
        receipt=["claim_subject"],
    ),
    "5103": form(
        {
            "sana_code": text("کد ثنا", 16, **{"x-kind": "code"}),
            "accused_name": text("نام مشتکی‌عنه", 150),
            "crime_date": code("jalali-date", "تاریخ وقوع"),
            "description": long_text("شرح شکایت", 3000),
        },
        ["sana_code", "crime_date", "description"],
    ),
    "5104": form(
        {
            "father_name": text("نام پدر"),
            "birth_date": code("jalali-date", "تاریخ تولد"),
            "purpose": choice(
                "مورد استفاده", employment="استخدام", licence="پروانهٔ کسب", travel="سفر خارجی", other="سایر"
            ),
        },
        ["father_name", "birth_date", "purpose"],
        receipt=["purpose"],
    ),
    "6101": form(
        {
            "insurance_no": text("شمارهٔ بیمه", 10, **{"x-kind": "code"}),
            "months": number("تعداد ماه‌های پرداخت", 1, 12),
            "rate": choice("نرخ حق بیمه", r12="۱۲ درصد", r14="۱۴ درصد", r18="۱۸ درصد"),
        },
        ["insurance_no", "months", "rate"],
        receipt=["months"],
    ),
    "6102": form(
        {
            "insurance_no": text("شمارهٔ بیمه", 10, **{"x-kind": "code"}),
            "purpose": choice("مورد استفاده", loan="وام", retirement="بازنشستگی", other="سایر"),
        },
        ["insurance_no", "purpose"],
    ),
    "6103": form(
        {
            "village": text("روستا"),
            "occupation": choice("شغل", farmer="کشاورز", herder="دامدار", nomad="عشایر", rural="سایر مشاغل روستایی"),
            "birth_date": code("jalali-date", "تاریخ تولد", **{"x-age-at-least": 18}),
            "sheba": code("sheba", "شمارهٔ شبا"),
        },
        ["village", "occupation", "birth_date"],
        receipt=["occupation"],
    ),
    "7101": form(
        {
            "receiver_name": text("نام گیرنده", 150),
            "receiver_postal_code": code("postal-code", "کد پستی گیرنده"),
            "receiver_address": long_text("نشانی گیرنده", 400),
            "weight_grams": number("وزن (گرم)", 1, 2000),
        },
        ["receiver_name", "receiver_postal_code", "receiver_address", "weight_grams"],
        receipt=["receiver_postal_code"],
    ),
    "7102": form(
        {
            "receiver_name": text("نام گیرنده", 150),
            "receiver_mobile": code("mobile", "شمارهٔ همراه گیرنده"),
            "receiver_postal_code": code("postal-code", "کد پستی گیرنده"),
            "receiver_address": long_text("نشانی گیرنده", 400),
            "weight_grams": number("وزن (گرم)", 1, 2000),
        },
        ["receiver_name", "receiver_postal_code", "receiver_address", "weight_grams"],
        receipt=["receiver_postal_code"],
    ),
    "8101": form(
        {
            "bill_id": text("شناسهٔ قبض", 13, **{"x-kind": "code"}),
            "payment_id": text("شناسهٔ پرداخت", 13, **{"x-kind": "code"}),
            "bill_amount": amount("مبلغ قبض (ریال)"),
        },
        ["bill_id", "payment_id", "bill_amount"],
        receipt=["bill_id", "bill_amount"],
    ),
    "8102": form(
        {
            "bill_id": text("شناسهٔ قبض", 13, **{"x-kind": "code"}),
            "payment_id": text("شناسهٔ پرداخت", 13, **{"x-kind": "code"}),
            "bill_amount": amount("مبلغ قبض (ریال)"),
        },
        ["bill_id", "payment_id", "bill_amount"],
        receipt=["bill_id", "bill_amount"],
    ),
    "8103": form(
        {
            "subscription_no": text("شمارهٔ اشتراک گاز", 15, **{"x-kind": "code"}),
            "bill_amount": amount("مبلغ قبض (ریال)"),
        },
        ["subscription_no", "bill_amount"],
        receipt=["subscription_no", "bill_amount"],
    ),
    "9102": form(
        {
            "head_of_household": yes_no("متقاضی سرپرست خانوار است"),
            "household_size": number("تعداد اعضای خانوار", 1, 30),
            "head_national_code": code("national-code", "کد ملی سرپرست خانوار"),
            "card": code("card", "شمارهٔ کارت بانکی سرپرست"),
        },
        ["head_of_household", "household_size"],
        conditions=[when("head_of_household", False, "head_national_code")],
        receipt=["household_size"],
    ),
    "9201": form(
        {
            "village": text("روستا"),
            "land_area": number("مساحت زمین (مترمربع)", 1, 10_000_000),
            "crop": text("محصول اصلی"),
            "ownership": choice("نوع بهره‌برداری", owner="مالک", tenant="مستأجر", shared="مشاع"),
            "lease_end": code("jalali-date", "پایان اجاره"),
        },
        ["village", "land_area", "crop", "ownership"],
        conditions=[when("ownership", "tenant", "lease_end")],
        receipt=["crop"],
    ),
    "9203": form(
        {
            "farmer_card_no": text("شمارهٔ کارت کشاورزی", 20, **{"x-kind": "code"}),
            "fertilizer": choice("نوع کود", urea="اوره", phosphate="فسفات", potash="پتاس"),
            "bags": number("تعداد کیسه", 1, 500),
        },
        ["farmer_card_no", "fertilizer", "bags"],
        receipt=["fertilizer", "bags"],
    ),
    "9401": form(
        {
            "old_deed_no": text("شمارهٔ سند دفترچه‌ای", 30, **{"x-kind": "code"}),
            "main_plot": number("پلاک ثبتی اصلی", 0, 100000),
            "sub_plot": number("پلاک ثبتی فرعی", 0, 100000),
            "area": number("مساحت (مترمربع)", 1, 10_000_000),
            "property_postal_code": code("postal-code", "کد پستی ملک"),
        },
        ["old_deed_no", "main_plot", "sub_plot", "area", "property_postal_code"],
        receipt=["old_deed_no"],
    ),
    "9402": form(
        {
            "residence_kind": choice("نوع سکونت", owner="مالک", tenant="مستأجر", free="رایگان"),
            "postal_code": code("postal-code", "کد پستی محل سکونت"),
            "owner_national_code": code("national-code", "کد ملی مالک"),
        },
        ["residence_kind", "postal_code"],
        conditions=[when("residence_kind", "tenant", "owner_national_code")],
    ),
}


def urgent_passport(f: dict) -> dict:
    """The sample passport form plus the urgent passport's reason (asked for, and required, only then)."""
    f = copy.deepcopy(f)
    f["properties"]["urgent_reason"] = text("علت فوریت", 300)
    f["x-order"].insert(f["x-order"].index("passport_kind") + 1, "urgent_reason")
    f["allOf"].append(when("passport_kind", "urgent", "urgent_reason"))
    for section in f.get("x-sections", []):
        if "passport_kind" in section["fields"]:
            section["fields"].insert(section["fields"].index("passport_kind") + 1, "urgent_reason")
    return f


def main() -> int:
    data = json.loads(CATALOG.read_text(encoding="utf-8"))
    sample = {s["code"]: s["form"] for s in json.loads(SAMPLE.read_text(encoding="utf-8"))["services"]}
    sample["2101"] = urgent_passport(sample["2101"])
    forms = {**FORMS, **sample}
    data["version"] = VERSION
    for svc in data["services"]:
        if svc["code"] in forms:
            svc["form"] = forms[svc["code"]]
    parse_catalog(data)  # every form checked by the domain
    CATALOG.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    with_form = sum("form" in s for s in data["services"])
    print(f"{CATALOG.relative_to(ROOT)}: {with_form} of {len(data['services'])} services with a form")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
