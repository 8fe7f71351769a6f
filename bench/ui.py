"""Desktop app figures (printed, and appended to bench/RESULTS.md with --record):

1. process start -> login window shown, beside a bare PySide6 window started the same way;
2. the requests page over N requests (default 1,000,000): open (count + first page) and searches;
3. peak memory (max RSS) of the process that opened that page and scrolled it;
4. the longest event-loop stall while the window syncs M queued requests (default 10,000)
   with the real provincial server on loopback.

    .venv/bin/python bench/ui.py [--requests 1000000] [--sync 10000] [--record]

The data are written straight into the store (bulk inserts), the same rows intake writes,
because a million intakes one by one would take an hour of fsyncs.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PY = sys.executable

FIRST = ["علی", "محمد", "فاطمه", "زهرا", "حسین", "مریم", "رضا", "سارا", "مهدی", "نرگس"]
LAST = ["رضایی", "محمدی", "حسینی", "احمدی", "کریمی", "موسوی", "جعفری", "قاسمی", "صادقی", "رحیمی"]


# ------------------------------------------------------------------------------- data


def make_home(home: Path, *, server_url: str | None = None, token: str | None = None) -> None:
    from desk_app.paths import resources_dir
    from desk_app.services import catalog, setup, users
    from desk_app.services.context import Desk

    with Desk.open(home) as desk:
        setup.init_office(desk, "4512", "دفتر پیشخوان ۴۵۱۲", 2, server_url=server_url, token=token)
        users.add_user(desk, "clerk", "clerk", "secret-123", full_name="زهرا احمدی")
        catalog.import_catalog(desk, resources_dir() / "catalog" / "demo-catalog.json")


def bulk_requests(home: Path, count: int, *, outbox: bool = False, batch: int = 20_000) -> float:
    """`count` registered requests over the last days (with pending outbox ops when `outbox`)."""
    from sqlalchemy import insert

    from desk_app.domain.canonical import canonical_json, payload_sha256
    from desk_app.domain.jalali import format_utc, jalali_yymmdd, tehran_day, utc_now
    from desk_app.domain.text import search_key
    from desk_app.services import catalog
    from desk_app.services.context import Desk
    from desk_app.store.models import OutboxOp, Request
    from tests.helpers.syncdata import national_code  # valid made-up codes

    started = time.perf_counter()
    rng = random.Random(7)
    with Desk.open(home) as desk:
        services = [s for s in catalog.list_services(desk, active_only=True)]
        now = utc_now()
        per_day = max(1, count // 300) if not outbox else count + 1
        made = 0
        while made < count:
            rows, ops = [], []
            for i in range(made, min(count, made + batch)):
                created = now - timedelta(days=(count - 1 - i) // per_day, seconds=(count - i) % 3600)
                day = tehran_day(created)
                seq = i % per_day + 1
                receipt = f"4512-2-{jalali_yymmdd(day)}-{seq:04d}"
                service = services[rng.randrange(len(services))]
                first, last = FIRST[rng.randrange(10)], LAST[rng.randrange(10)] + ("" if i % 3 else "‌زاده")
                code = national_code(i)
                at = format_utc(created)
                rid = str(uuid.UUID(int=rng.getrandbits(128), version=4))
                rows.append(
                    dict(
                        request_id=rid,
                        receipt_no=receipt,
                        office="4512",
                        device="2",
                        created_at=at,
                        tehran_day=day.isoformat(),
                        national_code=code,
                        first_name=first,
                        last_name=last,
                        first_key=search_key(first),
                        last_key=search_key(last),
                        mobile=None,
                        service_code=service.code,
                        service_title=service.title,
                        catalog_version=service.catalog_version,
                        fees_json=json.dumps(service.fees),
                        total=service.total,
                        payment_method="cash",
                        clerk_username="clerk",
                        status="registered",
                        clock_skew_s=0,
                        reprint_count=0,
                        updated_at=at,
                    )
                )
                if outbox:
                    payload = {
                        "request_id": rid,
                        "receipt_no": receipt,
                        "office": "4512",
                        "device": 2,
                        "created_at": at,
                        "clock_skew_s": 0,
                        "clerk": {"username": "clerk", "full_name": "زهرا احمدی"},
                        "shift_id": None,
                        "citizen": {"national_code": code, "first_name": first, "last_name": last, "mobile": None},
                        "service_code": service.code,
                        "catalog_version": service.catalog_version,
                        "fees": service.fees,
                        "total": service.total,
                        "payment": {"method": "cash", "ref": None},
                    }
                    data = canonical_json(payload)
                    ops.append(
                        dict(
                            op_id=str(uuid.uuid4()),
                            kind="request",
                            request_id=rid,
                            receipt_no=receipt,
                            payload=data,
                            payload_sha256=payload_sha256(data),
                            state="pending",
                            attempts=0,
                            created_at=at,
                        )
                    )
            with desk.db.write() as s:
                s.execute(insert(Request), rows)
                if ops:
                    s.execute(insert(OutboxOp), ops)
            made += len(rows)
    return time.perf_counter() - started


# ------------------------------------------------------------------------------- 1. start-up

CHILD_BARE = """
import sys, time
from PySide6.QtWidgets import QApplication, QWidget
app = QApplication([])
w = QWidget(); w.resize(400, 300); w.show()
app.processEvents()
print("shown", flush=True)
"""


def child_login(home: str) -> None:
    """What `run_gui` does up to the login window (the database opens behind it)."""
    from desk_app.ui.app import Launcher, peek_settings, setup_application

    peek = peek_settings(Path(home))
    app = setup_application()
    launcher = Launcher(None)
    launcher.launch_opening(Path(home), peek)
    app.processEvents()
    assert launcher.login_dialog.isVisible()
    print("shown", flush=True)
    while launcher.runner.pending:
        app.processEvents()
        time.sleep(0.01)
    launcher.shutdown()


def time_child(args: list[str], runs: int = 3) -> float:
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        proc = subprocess.Popen(
            args, stdout=subprocess.PIPE, text=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}
        )
        line = proc.stdout.readline()
        elapsed = time.perf_counter() - started
        proc.wait(timeout=60)
        if line.strip() != "shown":
            raise RuntimeError(f"{args} did not show its window")
        best = min(best, elapsed)
    return best


# ------------------------------------------------------------------------------- 2./3. the big list


def wait_for(app, predicate, timeout: float = 120.0) -> None:
    deadline = time.perf_counter() + timeout
    while not predicate():
        app.processEvents()
        time.sleep(0.0005)
        if time.perf_counter() > deadline:
            raise TimeoutError("the page did not answer")


def _clerk_context(home: str):
    """The app set up as the window does, logged in as the bench's clerk: (app, desk, runner, ctx)."""
    from desk_app.services import users
    from desk_app.services.context import Desk
    from desk_app.ui.app import setup_application
    from desk_app.ui.context import UiContext, load_prefs
    from desk_app.ui.jobs import JobRunner

    app = setup_application()
    if os.environ.get("BENCH_SWITCH_INTERVAL_MS"):  # A/B against the app's own setting
        sys.setswitchinterval(float(os.environ["BENCH_SWITCH_INTERVAL_MS"]) / 1000)
    desk = Desk.open(home)
    runner = JobRunner()
    return app, desk, runner, UiContext(desk, runner, users.login(desk, "clerk", "secret-123"), load_prefs(desk))


def child_requests(home: str) -> None:
    """Open the requests page and search it; print JSON figures."""
    from desk_app.ui.requests_page import RequestsPage

    app, desk, runner, ctx = _clerk_context(home)
    page = RequestsPage(ctx)
    page.resize(1200, 800)
    page.show()
    figures = {}

    def timed(name: str, action) -> None:
        started = time.perf_counter()
        action()
        wait_for(app, lambda: runner.pending == 0 and not page.model.loading)
        app.processEvents()
        figures[name] = round((time.perf_counter() - started) * 1000, 1)

    timed("open_ms", page.apply_filters)
    figures["count"] = page.model.count
    row = page.model.row_at(0)
    for name, text in (
        ("search_receipt_ms", row.receipt_no),
        ("search_national_code_ms", row.national_code),
        ("search_name_ms", "مریم"),
        ("search_last_name_ms", "کریمی‌زاده"),
    ):
        page.search.setText(text)
        timed(name, page.apply_filters)
        figures[name.replace("_ms", "_hits")] = page.model.count
    page.search.clear()
    timed("clear_search_ms", page.apply_filters)
    from datetime import timedelta

    from desk_app.domain.jalali import format_jalali_date, parse_utc, tehran_day

    newest = tehran_day(parse_utc(row.created_at))
    for name, days in (("range_7_days_ms", 6), ("range_90_days_ms", 89)):  # a short and a long range
        page.date_from.setText(format_jalali_date(newest - timedelta(days=days)))
        page.date_to.setText(format_jalali_date(newest))
        timed(name, page.apply_filters)
        figures[name.replace("_ms", "_hits")] = page.model.count
    page.date_from.clear()
    page.date_to.clear()
    timed("clear_range_ms", page.apply_filters)

    def scroll():
        for _ in range(20):
            page.table.scrollToBottom()
            wait_for(app, lambda: runner.pending == 0 and not page.model.loading)
            app.processEvents()

    timed("scroll_20_pages_ms", scroll)
    figures["rows_loaded"] = page.model.rowCount()
    figures["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    runner.shutdown()
    desk.close()
    print(json.dumps(figures), flush=True)


# ------------------------------------------------------------------------------- 4. stall during sync


def child_sync(home: str) -> None:
    from PySide6.QtCore import QElapsedTimer, QTimer

    from desk_app.ui.main_window import MainWindow

    app, desk, runner, ctx = _clerk_context(home)
    window = MainWindow(ctx, sync_start_delay_s=3600)
    window.show()
    window.start()
    wait_for(app, lambda: runner.pending == 0)
    from desk_app.ui.app import settle_garbage_collector

    settle_garbage_collector()  # as Launcher.show_window does
    clock = QElapsedTimer()
    gaps = []
    last = [0]
    tick = QTimer()
    tick.setInterval(5)

    def on_tick() -> None:
        now = clock.elapsed()
        gaps.append(now - last[0])
        last[0] = now

    tick.timeout.connect(on_tick)
    reports = []
    window.sync.synced.connect(reports.append)
    import gc

    gc_pauses = []
    gc_start = [0.0]
    by_gen: dict[int, float] = {}

    def on_gc(phase, info) -> None:
        if phase == "start":
            gc_start[0] = time.perf_counter()
        else:
            gc_pauses.append((time.perf_counter() - gc_start[0]) * 1000)
            gen = info.get("generation")
            by_gen[gen] = max(by_gen.get(gen, 0.0), gc_pauses[-1])

    gc.callbacks.append(on_gc)
    clock.start()
    tick.start()
    # baseline: the same ticks with nothing running, to see what the machine itself adds
    started = time.perf_counter()
    wait_for(app, lambda: time.perf_counter() - started > 5)
    baseline = sorted(gaps)
    gaps.clear()
    started = time.perf_counter()
    window.sync.sync_now()
    # until the refreshes the sync set off (list, counts, status bar) have landed on the window too
    wait_for(app, lambda: reports and not window.sync.running and runner.pending == 0, timeout=600)
    elapsed = time.perf_counter() - started
    tick.stop()
    report = reports[-1]
    gaps.sort()
    print(
        json.dumps(
            {
                "sync_s": round(elapsed, 2),
                "acked": report.acked,
                "pending": report.pending,
                "online": report.online,
                "max_stall_ms": gaps[-1] if gaps else None,
                "p99_tick_ms": gaps[int(len(gaps) * 0.99)] if gaps else None,
                "ticks": len(gaps),
                "idle_max_stall_ms": baseline[-1] if baseline else None,
                "idle_p99_tick_ms": baseline[int(len(baseline) * 0.99)] if baseline else None,
                "max_gc_pause_ms": round(max(gc_pauses, default=0), 1),
                "gc_runs": len(gc_pauses),
                "max_gc_pause_ms_by_generation": {g: round(v, 1) for g, v in sorted(by_gen.items())},
                "switch_interval_ms": round(sys.getswitchinterval() * 1000, 1),
            }
        ),
        flush=True,
    )
    runner.shutdown()
    desk.close()


# ------------------------------------------------------------------------------- 5. one registration by keyboard

KLM_KEY_S = 0.28  # Keystroke-Level Model: an average skilled typist's time per key (Card, Moran, Newell)
KLM_MENTAL_S = 1.35  # one "mental" operator: deciding the next field


def child_keyboard(home: str) -> None:
    """One registration with keys only, sent to whatever widget has the focus: the keys counted,
    the seconds the window took for them (key handling, the citizen look-up, the save), and the
    KLM estimate of a clerk's seconds for the same keys."""
    from PySide6.QtCore import QEvent, Qt
    from PySide6.QtGui import QKeyEvent
    from PySide6.QtWidgets import QApplication

    from desk_app.ui.main_window import MainWindow

    app, desk, runner, ctx = _clerk_context(home)
    window = MainWindow(ctx, sync_start_delay_s=3600)
    window.resize(1366, 728)
    window.show()
    window.activateWindow()
    window.start()
    wait_for(app, lambda: runner.pending == 0)
    window.intake.national_code.setFocus()
    app.processEvents()
    keys = 0

    def key(code, text: str = "", mods=Qt.KeyboardModifier.NoModifier) -> None:
        nonlocal keys
        target = QApplication.focusWidget()
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(target, QKeyEvent(kind, code, mods, text))
        keys += 1
        app.processEvents()

    def type_text(text: str) -> None:
        for ch in text:
            key(ord(ch) if ch.isascii() else Qt.Key.Key_unknown, ch)

    saved = []
    window.intake.registered.connect(saved.append)
    started = time.perf_counter()
    fields = [("0013542419", True), ("مریم", True), ("کریمی", True), ("09121234567", True), ("2101", False)]
    for text, tab in fields:
        type_text(text)
        wait_for(app, lambda: runner.pending == 0)
        if tab:
            key(Qt.Key.Key_Tab)
    key(Qt.Key.Key_Return)  # picks the service; the focus goes to the payment
    key(Qt.Key.Key_Return)  # saves
    wait_for(app, lambda: bool(saved) and runner.pending == 0)
    machine_s = time.perf_counter() - started
    print(
        json.dumps(
            {
                "keystrokes": keys,
                "window_s": round(machine_s, 3),
                "klm_clerk_s": round(keys * KLM_KEY_S + len(fields) * KLM_MENTAL_S, 1),
                "receipt_no": saved[0].receipt_no,
            }
        ),
        flush=True,
    )
    window._force_close = True
    window.close()
    runner.shutdown()
    desk.close()


def start_server(tmp: Path) -> tuple[subprocess.Popen, str, str]:
    exe = Path(PY).parent / "provincial-server"
    base = [str(exe)] if exe.exists() else [PY, "-m", "provincial_server.cli"]
    db = ["--db", f"sqlite:///{tmp / 'provincial.db'}"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    run = lambda *a: subprocess.run(base + db + list(a), check=True, capture_output=True, text=True, env=env)  # noqa: E731
    run("office", "add", "--code", "4512", "--name", "دفتر پیشخوان ۴۵۱۲")
    run("catalog", "load", str(ROOT / "resources" / "catalog" / "demo-catalog.json"))
    token = run("device", "enrol", "--office", "4512", "--device", "2").stdout.strip()
    proc = subprocess.Popen(
        base + db + ["serve", "--host", "127.0.0.1", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    line = proc.stdout.readline().strip()
    if not line.startswith("listening "):
        proc.kill()
        raise RuntimeError("provincial server did not start")
    return proc, line.split(" ", 1)[1], token


def run_json(args: list[str]) -> dict:
    out = subprocess.run(
        args, check=True, capture_output=True, text=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=1_000_000)
    parser.add_argument("--sync", type=int, default=10_000)
    parser.add_argument("--record", action="store_true", help="append the figures to bench/RESULTS.md")
    parser.add_argument("--keyboard", action="store_true", help="only: one registration by keyboard (issue 13)")
    parser.add_argument("--child", choices=["login", "requests", "sync", "keyboard"])
    parser.add_argument("--home")
    parser.add_argument("--big-home", help="reuse (or keep) the data folder with the N requests here")
    args = parser.parse_args()
    if args.child == "login":
        child_login(args.home)
        return 0
    if args.child == "requests":
        child_requests(args.home)
        return 0
    if args.child == "sync":
        child_sync(args.home)
        return 0
    if args.child == "keyboard":
        child_keyboard(args.home)
        return 0
    if args.keyboard:
        with tempfile.TemporaryDirectory(prefix="desk-bench-") as tmp:
            home = Path(tmp) / "small"
            make_home(home)
            runs = [run_json([PY, __file__, "--child", "keyboard", "--home", str(home)]) for _ in range(3)]
        print("one registration by keyboard:", json.dumps(runs, ensure_ascii=False), flush=True)
        if args.record:
            with open(ROOT / "bench" / "RESULTS.md", "a", encoding="utf-8") as f:
                f.write(
                    f"\n## bench/ui.py --keyboard — {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}\n\n"
                    f"`.venv/bin/python bench/ui.py --keyboard --record` ({os.cpu_count()} cores, load average "
                    f"{os.getloadavg()[0]:.1f}), 3 runs:\n\n"
                    f"```\n{json.dumps(runs, ensure_ascii=False, indent=1)}\n```\n"
                )
        return 0

    figures: dict[str, object] = {}
    with tempfile.TemporaryDirectory(prefix="desk-bench-") as tmp:
        tmp = Path(tmp)
        small = tmp / "small"
        make_home(small)
        figures["bare_window_s"] = round(time_child([PY, "-c", CHILD_BARE]), 3)
        figures["login_window_s"] = round(time_child([PY, __file__, "--child", "login", "--home", str(small)]), 3)
        print(
            f"start-up: bare PySide6 window {figures['bare_window_s']} s, login window {figures['login_window_s']} s",
            flush=True,
        )

        if args.requests:
            big = Path(args.big_home) if args.big_home else tmp / "big"
            if not (big / "desk.sqlite3").exists():
                make_home(big)
                figures["generate_s"] = round(bulk_requests(big, args.requests), 1)
                print(f"generated {args.requests:,} requests in {figures['generate_s']} s", flush=True)
            page = run_json([PY, __file__, "--child", "requests", "--home", str(big)])
            figures.update({f"list_{k}": v for k, v in page.items()})
            print("requests page:", json.dumps(page), flush=True)

        if args.sync:
            proc, url, token = start_server(tmp)
            try:
                home = tmp / "sync"
                make_home(home, server_url=url, token=token)
                bulk_requests(home, args.sync, outbox=True, batch=5_000)
                sync = run_json([PY, __file__, "--child", "sync", "--home", str(home)])
            finally:
                proc.terminate()
                proc.wait(timeout=30)
            figures.update({f"sync_{k}": v for k, v in sync.items()})
            print("sync in the window:", json.dumps(sync), flush=True)

    if args.record:
        line = (
            f"\n## bench/ui.py — {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}\n\n"
            f"`.venv/bin/python bench/ui.py --requests {args.requests} --sync {args.sync} --record` "
            f"({os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f})\n\n```\n{json.dumps(figures, ensure_ascii=False, indent=1)}\n```\n"  # noqa: E501
        )
        with open(ROOT / "bench" / "RESULTS.md", "a", encoding="utf-8") as f:
            f.write(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
