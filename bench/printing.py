"""Printing figures (printed; appended to bench/RESULTS.md with --record):

1. a receipt rendered to ESC/POS bytes (80 mm, 576 dots; and 58 mm), per receipt, warm;
2. a receipt rendered to an A5 PDF, per receipt, warm;
3. a daily report of N requests (default 5,000, over 170 services) to an A4 PDF, and its CSV;
4. a receipt sent to a network printer (a loopback TCP socket answering DLE EOT), end to end.

Aims (the brief): receipt < 50 ms each way, 5,000-request report < 3 s.

    .venv/bin/python bench/printing.py [--receipts 50] [--requests 5000] [--record]
"""

from __future__ import annotations

import argparse
import os
import platform
import socket
import statistics
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from printing.backends import Timeouts  # noqa: E402
from printing.pdf import render_daily_report_pdf, render_receipt_pdf  # noqa: E402
from printing.reports import write_daily_csv  # noqa: E402
from printing.targets import print_receipt_to, receipt_bytes  # noqa: E402
from tests.helpers import printing_samples as S  # noqa: E402


def timed(fn, n: int) -> tuple[float, float, float]:
    """(median wall ms, max wall ms, median CPU ms of this process) of n warm runs. The CPU
    figure does not grow when other work shares the machine; the wall figure does."""
    fn()  # warm: fonts, QGuiApplication, caches
    runs, cpu = [], []
    for _ in range(n):
        t, c = time.perf_counter(), time.process_time()
        fn()
        runs.append((time.perf_counter() - t) * 1000)
        cpu.append((time.process_time() - c) * 1000)
    return statistics.median(runs), max(runs), statistics.median(cpu)


class _Printer:
    """Loopback TCP printer answering every DLE EOT with 0x12 (all well)."""

    def __init__(self):
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        threading.Thread(target=self._loop, daemon=True).start()

    def _loop(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            try:
                with conn:  # answers DLE EOT seen anywhere (image bytes too: extra answers are harmless)
                    tail = b""
                    while chunk := conn.recv(65536):
                        data = tail + chunk
                        conn.sendall(b"\x12" * data.count(b"\x10\x04"))
                        tail = data[-1:] if data.endswith(b"\x10") else b""
            except OSError:
                continue


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--receipts", type=int, default=50)
    ap.add_argument("--requests", type=int, default=5000)
    ap.add_argument("--record", action="store_true", help="append the figures to bench/RESULTS.md")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-printing-"))
    data = S.receipt()
    lines = []

    def say(text: str) -> None:
        print(text, flush=True)
        lines.append(text)

    t0 = time.perf_counter()
    receipt_bytes(data)
    say(f"load average at start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs (other work slows every figure)")
    say(f"first receipt (QGuiApplication + fonts + render): {(time.perf_counter() - t0) * 1000:.0f} ms")
    med, worst, cpu = timed(lambda: receipt_bytes(data, paper=80), args.receipts)
    size = len(receipt_bytes(data, paper=80))
    say(
        f"receipt -> ESC/POS 80 mm: median {med:.1f} ms wall ({cpu:.1f} ms CPU), max {worst:.1f} ms "
        f"({size / 1024:.0f} KiB job)"
    )
    med, worst, cpu = timed(lambda: receipt_bytes(data, paper=58), args.receipts)
    say(f"receipt -> ESC/POS 58 mm: median {med:.1f} ms wall ({cpu:.1f} ms CPU), max {worst:.1f} ms")
    med, worst, cpu = timed(lambda: render_receipt_pdf(data, tmp / "r.pdf"), args.receipts)
    say(f"receipt -> A5 PDF: median {med:.1f} ms wall ({cpu:.1f} ms CPU), max {worst:.1f} ms")

    printer = _Printer()
    target = f"escpos-net:127.0.0.1:{printer.port}"
    med, worst, cpu = timed(
        lambda: print_receipt_to(target, data, timeouts=Timeouts(status=2)), max(5, args.receipts // 5)
    )
    say(
        f"receipt -> loopback network printer (status + job + status): median {med:.1f} ms wall "
        f"({cpu:.1f} ms CPU), max {worst:.1f} ms"
    )

    report = S.daily(requests=args.requests, services=170, cancellations=60)
    t, c = time.perf_counter(), time.process_time()
    out = render_daily_report_pdf(report, tmp / "d.pdf")
    pdf_s, pdf_cpu = time.perf_counter() - t, time.process_time() - c
    import pdfplumber

    with pdfplumber.open(out) as pdf:
        pages = len(pdf.pages)
    say(
        f"daily report, {args.requests} requests / 170 services -> A4 PDF: {pdf_s:.2f} s wall ({pdf_cpu:.2f} s CPU), {pages} pages, "  # noqa: E501
        f"{out.stat().st_size / 1024:.0f} KiB"
    )
    t = time.perf_counter()
    write_daily_csv(report, tmp / "d.csv")
    say(f"daily report CSV: {(time.perf_counter() - t) * 1000:.1f} ms")

    if args.record:
        stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
        with open(ROOT / "bench" / "RESULTS.md", "a", encoding="utf-8") as f:
            f.write(
                f"\n## printing ({stamp}, {platform.python_implementation()} {platform.python_version()}, "
                f"{os.cpu_count()} CPUs)\n\n`.venv/bin/python bench/printing.py --record`\n\n"
            )
            f.writelines(f"- {x}\n" for x in lines)
    return 0


if __name__ == "__main__":
    sys.exit(main())
