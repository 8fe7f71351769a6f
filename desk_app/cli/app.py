"""`desk-app gui` (the default command) and `desk-app self-test`."""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

from desk_app.cli import EXIT_ENV, add_json_flag, home_of


def register(subparsers) -> None:
    p = subparsers.add_parser("gui", help="the desktop app (default)")
    p.set_defaults(handler=_gui)
    p = subparsers.add_parser("self-test", help="open a database and render a receipt offscreen")
    add_json_flag(p)
    p.set_defaults(handler=_self_test)


def _gui(args: argparse.Namespace, out) -> int:
    from desk_app.ui.app import run_gui

    return run_gui(home_of(args))


def _self_test(args: argparse.Namespace, out) -> int:
    """Checks that the installed (or frozen) app has its parts: database + migrations, fonts,
    translations, Qt widgets, and the receipt renderer. Uses a throw-away data folder."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    checks: dict[str, object] = {}
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="desk-self-test-") as tmp:
        from desk_app.services.context import Desk

        desk = Desk.open(Path(tmp))
        checks["database"] = "ok"
        desk.close()

        from desk_app.ui.app import setup_application
        from desk_app.ui.i18n import translations_dir

        app = setup_application([])
        checks["font"] = app.font().family()
        checks["translation"] = (translations_dir() / "desk_fa.qm").is_file()
        checks["layout_rtl"] = app.isRightToLeft()

        import datetime as dt

        from printing.data import ReceiptData
        from printing.receipt import build_receipt
        from printing.thermal import render

        data = ReceiptData(
            office_code="4512",
            office_name="دفتر پیشخوان آزمایشی",
            receipt_no="4512-1-050908-0001",
            request_id="00000000-0000-4000-8000-000000000000",
            created_at=dt.datetime(2026, 11, 29, 8, 0, tzinfo=dt.UTC),
            clerk_name="آزمون",
            citizen_name="علی رضایی",
            national_code_masked="001***5678",
            service_code="2101",
            service_title="صدور گذرنامه",
            fees=[("government", 12000000), ("office", 850000)],
            total=12850000,
            payment_method="cash",
            payment_ref=None,
            server_ref=None,
            pending_sync=True,
            copy_no=0,
        )
        image = render(build_receipt(data), 576)
        checks["receipt_px"] = [image.width(), image.height()]
        from desk_app.services.setup import credential_store

        checks["credentials"] = credential_store()  # keyring bundled? where the token would go
        ok = (
            checks["credentials"]["keyring_module"]
            and image.width() == 576
            and image.height() > 100
            and checks["translation"]
            and "Vazirmatn" in str(checks["font"])
        )
    checks["ok"] = ok
    checks["seconds"] = round(time.perf_counter() - started, 3)
    out.result(checks, json.dumps(checks, ensure_ascii=False))
    if not ok:
        out.error("آزمون خودکار برنامه ناموفق بود: " + json.dumps(checks, ensure_ascii=False))
        return EXIT_ENV
    return 0
