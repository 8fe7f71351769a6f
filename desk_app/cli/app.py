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

        from desk_app.paths import resources_dir
        from desk_app.ui.app import setup_application

        app = setup_application([])
        checks["font"] = app.font().family()
        checks["translation"] = (resources_dir() / "translations" / "desk_fa.qm").is_file()
        checks["layout_rtl"] = app.isRightToLeft()

        from desk_app.services.printjobs import sample_receipt_png

        png = sample_receipt_png(paper=80)
        width, height = _png_size(png)
        checks["receipt_px"] = [width, height]
        from desk_app.services.setup import credential_store

        credentials = credential_store()  # keyring bundled? where the token would go
        checks["credentials"] = credentials
        from desk_app.services.capture import self_check

        scanned = self_check()  # G4 TIFF, JPEG and pdfium in this build
        checks["scanned_pages"] = scanned
        ok = (
            credentials["keyring_module"]
            and all(scanned.values())
            and width == 576
            and height > 100
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


def _png_size(png: bytes) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk (the self-test reads the bytes, not Qt)."""
    if png[:8] != b"\x89PNG\r\n\x1a\n" or png[12:16] != b"IHDR":
        return 0, 0
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
