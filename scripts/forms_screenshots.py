"""Write docs/screenshots/forms-a4.png (page 1 of a passport request's A4 form) and
docs/screenshots/forms-receipt.png (its thermal receipt), from a scratch data folder.

    QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/forms_screenshots.py
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> int:
    from desk_app.services import catalog, intake, printjobs, setup, users
    from desk_app.services.context import Desk

    out = ROOT / "docs" / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=ROOT.parent) as tmp:
        desk = Desk.open(Path(tmp) / "home")
        try:
            setup.init_office(desk, "4512", "دفتر پیشخوان خدمات دولت ارومیه", 2)
            users.add_user(desk, "ali", "clerk", "secret-123", "علی رضایی")
            catalog.import_catalog(desk, ROOT / "resources" / "catalog" / "demo-catalog.json")
            r = intake.register_request(
                desk,
                clerk="ali",
                national_code="0012424862",
                first_name="مریم",
                last_name="احمدی",
                mobile="09141234567",
                service_code="2101",
                fields={
                    "father_name": "حسن",
                    "birth_date": "۱۳۷۰/۰۱/۰۲",
                    "birth_place": "ارومیه",
                    "passport_kind": "urgent",
                    "urgent_reason": "سفر درمانی برای عمل جراحی قلب در بیمارستان تخصصی؛ نامهٔ پزشک معالج پیوست است",
                    "marital_status": "married",
                    "postal_code": "5715893641",
                    "address": "ارومیه، خیابان امام، کوچهٔ بهار، پلاک ۱۲، واحد ۳",
                },
            )
            pdf = Path(tmp) / "form.pdf"
            printjobs.print_form(desk, r.receipt_no, f"pdf:{pdf}")
            subprocess.run(
                ["pdftoppm", "-r", "110", "-png", "-singlefile", "-f", "1", str(pdf), str(out / "forms-a4")], check=True
            )
            (out / "forms-receipt.png").write_bytes(printjobs.receipt_png(desk, r.receipt_no))
        finally:
            desk.close()
    print(out / "forms-a4.png", out / "forms-receipt.png")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
