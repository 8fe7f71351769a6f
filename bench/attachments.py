"""Scanned-document figures (printed): KB per compressed A4 text page and per ID-card photo, the
compression time per page, what Tesseract's Persian model still reads on each text page, and the
time to keep a page (file fsync + rename + rows). The aim for 2G links: an A4 text page at or
under 40 KB, still read back by `tesseract -l fas`.

    .venv/bin/python bench/attachments.py [--repeat 3] [--samples docs/screenshots] [--record]
    .venv/bin/python bench/attachments.py --transfer [--rate-bps 8000] [--rtt 0.4] [--record]

`--transfer`: the time to send a request's 3 pages (two A4 text pages and an ID-card photo, as
compressed above) to the real provincial server through the slow-link proxy (64 kbit/s each way,
400 ms round trips), against the bytes floor (the pages' bytes / the link rate). Aim: within 1.3x.

Text pages are rendered with QPainter and the bundled Vazirmatn font at 300 dpi, then "scanned"
(grey paper, light falloff, noise, dust, blur: tests/helpers/scanned.py) at three noise levels and
two type sizes; ID cards are synthetic colour photos. A page from SANE's `test` backend (its grid
picture, 200 mm square) is added when `scanimage` is installed. `--samples DIR` writes the
compressed text page (as PNG, for viewing) and the photo JPEG there.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from desk_app.services import imaging  # noqa: E402
from tests.helpers import scanned as S  # noqa: E402

TEXT_VARIANTS = (  # (label, point size, mm between paragraphs, paper grey, noise sigma)
    ("12 pt, light noise", 12.0, 2.5, 225, 8.0),
    ("12 pt, grey paper + noise", 12.0, 2.5, 215, 14.0),
    ("12 pt, dark paper + heavy noise", 12.0, 2.5, 195, 22.0),
    ("10 pt, tight paragraphs (~45 lines)", 10.0, 0.8, 215, 14.0),
    ("9 pt, tight paragraphs (~55 lines, densest)", 9.0, 0.5, 215, 14.0),
)


def cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def timed(fn, repeat: int):
    walls, cpus, result = [], [], None
    for _ in range(repeat):
        w, c = time.perf_counter(), cpu()
        result = fn()
        walls.append(time.perf_counter() - w)
        cpus.append(cpu() - c)
    return result, statistics.median(walls), statistics.median(cpus)


def ocr_words(page: imaging.Page, folder: Path) -> tuple[int, int]:
    from tests.helpers.attachdata import ocr_fas

    path = folder / ("ocr.tif" if page.content_type == "image/tiff" else "ocr.png")
    path.write_bytes(page.data)
    text = ocr_fas(path)
    return sum(1 for w in S.KEY_WORDS if w in text), len(S.KEY_WORDS)


def sane_page(folder: Path) -> tuple[object, float] | None:
    """One grid page from SANE's test backend at 200 dpi, or None without scanimage."""
    from shutil import which

    from PIL import Image

    if which("scanimage") is None:
        return None
    cfg = folder / "sane.d"
    cfg.mkdir(exist_ok=True)
    (cfg / "dll.conf").write_text("test\n")
    (cfg / "test.conf").write_text('number_of_devices 1\ntest-picture "Grid"\n')
    out = folder / "sane.pnm"
    started = time.perf_counter()
    subprocess.run(
        ["scanimage", "-d", "test", "--mode=Gray", "--resolution=200", "-x", "200", "-y", "200", "-o", str(out)],
        check=True,
        env={**os.environ, "SANE_CONFIG_DIR": str(cfg)},
    )
    return Image.open(out), time.perf_counter() - started


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3, help="compressions per page (median time)")
    ap.add_argument("--samples", type=Path, help="write the compressed text page (PNG) and photo (JPEG) here")
    ap.add_argument("--record", action="store_true", help="append the figures to bench/RESULTS.md")
    ap.add_argument("--transfer", action="store_true", help="time sending 3 pages over a slow link instead")
    ap.add_argument("--rate-bps", type=int, default=8000, help="--transfer: link bytes/s each way (8000 = 64 kbit/s)")
    ap.add_argument("--rtt", type=float, default=0.4, help="--transfer: round trip, seconds")
    args = ap.parse_args()
    if args.transfer:
        return transfer(args)
    load = os.getloadavg()[0]
    lines = [f"- load average at start {load:.1f} on {os.cpu_count()} CPUs; medians of {args.repeat} runs per page"]
    text_pages = []
    with tempfile.TemporaryDirectory(prefix="bench-attach-") as tmp:
        folder = Path(tmp)
        lines.append("- A4 text page, 300 dpi scan -> bi-level 200 dpi:")
        for label, points, gap, paper, noise in TEXT_VARIANTS:
            src = S.scanned(S.text_page(point_size=points, gap_mm=gap), paper=paper, noise=noise)
            page, wall, used = timed(lambda src=src: imaging.compress(src, dpi=300), args.repeat)
            found, total = ocr_words(page, folder)
            text_pages.append(page)
            lines.append(
                f"  - {label}: {page.kb:.1f} KB {page.content_type} ({page.kind}, mid-tones {page.midtones:.3f}), "
                f"{wall * 1000:.0f} ms wall ({used * 1000:.0f} ms CPU); Tesseract fas found {found}/{total} words"
            )
        lines.append("- ID-card photo, 300 dpi colour -> grey JPEG 200 dpi (quality 60):")
        photos = []
        for seed in (3, 11, 29):
            src = S.id_card_photo(seed=seed)
            page, wall, used = timed(lambda src=src: imaging.compress(src, dpi=300), args.repeat)
            photos.append(page)
            lines.append(
                f"  - seed {seed}: {page.kb:.1f} KB {page.content_type} ({page.kind}, mid-tones {page.midtones:.3f}), "
                f"{page.width}x{page.height}, {wall * 1000:.0f} ms wall ({used * 1000:.0f} ms CPU)"
            )
        phone = S.id_card_photo().resize((3000, 1892))  # a phone picture of the card: no resolution tag
        page, wall, used = timed(lambda: imaging.compress(phone), args.repeat)
        lines.append(
            f"  - phone-sized (3000x1892, no dpi): {page.kb:.1f} KB, {page.width}x{page.height}, "
            f"{wall * 1000:.0f} ms wall ({used * 1000:.0f} ms CPU)"
        )
        src = S.scanned(S.text_page())
        pdf = folder / "form.pdf"
        src.convert("RGB").save(pdf, "PDF", resolution=300)
        from desk_app.services import capture

        def from_pdf():
            info = capture.check_file(pdf, max_bytes=2**30)
            return [p.compress() for p in capture.iter_pages(info)][0]

        page, wall, used = timed(from_pdf, args.repeat)
        lines.append(
            f"- the same text page as a PDF page (pdfium draws it at 200 dpi, then compression): {page.kb:.1f} KB, "
            f"{wall * 1000:.0f} ms wall ({used * 1000:.0f} ms CPU)"
        )
        scan = sane_page(folder)
        if scan is not None:
            img, scan_s = scan
            page, wall, used = timed(lambda: imaging.compress(img, dpi=200), args.repeat)
            lines.append(
                f"- SANE test backend grid page (200 mm square, 200 dpi, scanimage {scan_s * 1000:.0f} ms): "
                f"{page.kb:.1f} KB {page.content_type}, compression {wall * 1000:.0f} ms wall"
            )
        lines.append(keep_figures(folder, text_pages[1], args.repeat))
        if args.samples:
            args.samples.mkdir(parents=True, exist_ok=True)
            png = args.samples / "attachment-text-page.png"
            imaging.decode(text_pages[1].data).convert("L").save(png, optimize=True)
            jpg = args.samples / "attachment-id-card.jpg"
            jpg.write_bytes(photos[0].data)
            (args.samples / "attachment-text-page-preview.png").write_bytes(text_pages[1].preview_png())
            lines.append(f"- samples written: {png}, {jpg} (the stored bytes), and the page's preview PNG")
    text = "\n".join(lines)
    print(text)
    if args.record:
        stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
        head = f"\n## bench/attachments.py — scanned pages ({stamp}, CPython {platform.python_version()})\n\n"
        cmd = f"`.venv/bin/python bench/attachments.py --repeat {args.repeat} --record`\n\n"
        with open(ROOT / "bench" / "RESULTS.md", "a", encoding="utf-8") as f:
            f.write(head + cmd + text + "\n")


def transfer(args) -> None:
    """3 pages of one request, sent by the sync engine's uploader through the throttled proxy."""
    from desk_app.services import attachments
    from desk_app.sync.uploads import Uploader, tus_for
    from tests.helpers.syncrig import OFFICE, Rig, Templates

    pages = [
        imaging.compress(S.scanned(S.text_page()), dpi=300),
        imaging.compress(S.scanned(S.text_page(point_size=10.0, gap_mm=0.8), seed=11), dpi=300),
        imaging.compress(S.id_card_photo(), dpi=300),
    ]
    need = sum(p.size for p in pages)
    floor = need / args.rate_bps
    lines = [
        f"- link: {args.rate_bps} B/s each way ({args.rate_bps * 8 / 1000:.0f} kbit/s), {args.rtt * 1000:.0f} ms "
        f"round trip (tests/helpers/chaos.py AimedProxy throttle); load average {os.getloadavg()[0]:.1f}",
        "- pages: " + ", ".join(f"{p.kb:.1f} KB {p.content_type}" for p in pages) + f" = {need} bytes; "
        f"bytes floor {floor:.2f} s",
    ]
    with tempfile.TemporaryDirectory(prefix="bench-transfer-") as tmp:
        base = Path(tmp)
        tpl = Templates(base / "templates")
        for run, label in enumerate(("pages of a request already on the server (uploader only)", "full sync")):
            rig = Rig(base / f"run{run}", tpl)
            try:
                receipt = rig.register(1)[0].receipt_no
                if run == 0:
                    rig.sync()  # the request goes first; its pages are timed alone below
                for i, page in enumerate(pages):
                    attachments.store_page(rig.desk, receipt, page, document=("فرم", "فرم", "کارت ملی")[i])
                rig.proxy.set_mode("throttle", rate_bps=args.rate_bps, latency_s=0.0)
                rig.proxy.one_way_s = args.rtt / 2
                rig.proxy.reset_counts()
                eng, transport = rig.engine(timeout=(10.0, 60.0))
                with transport:
                    started = time.perf_counter()
                    if run == 0:
                        tus = tus_for(transport)
                        assert tus is not None
                        done = Uploader(rig.db, tus, office=OFFICE).run()
                        linked = done.linked
                    else:
                        linked = eng.run_once().attachments_sent
                    wall = time.perf_counter() - started
                rate = eng.state().get("upload_rate_bps")
                lines.append(
                    f"- {label}: {wall:.2f} s for {linked} pages linked = {wall / floor:.2f}x the bytes floor; "
                    f"{rig.proxy.requests} HTTP requests, {rig.proxy.bytes_up} bytes up / {rig.proxy.bytes_down} down "
                    f"on the wire; measured upload_rate_bps {rate}"
                )
            finally:
                rig.close()
    text = "\n".join(lines)
    print(text)
    if args.record:
        stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
        head = (
            f"\n## bench/attachments.py --transfer — 3 pages over 2G ({stamp}, CPython {platform.python_version()})\n\n"
        )
        cmd = (
            f"`.venv/bin/python bench/attachments.py --transfer --rate-bps {args.rate_bps} --rtt {args.rtt} "
            "--record`\n\n"
        )
        with open(ROOT / "bench" / "RESULTS.md", "a", encoding="utf-8") as f:
            f.write(head + cmd + text + "\n")


def keep_figures(folder: Path, page: imaging.Page, repeat: int) -> str:
    """store_page: file (temp + fsync + rename + directory fsync), then the rows, in a real data folder."""
    from dataclasses import replace

    from desk_app.services import attachments
    from tests.helpers.deskdata import make_desk, register

    desk = make_desk(folder / "home")
    try:
        receipt = register(desk, 1).receipt_no
        walls = []
        for i in range(max(repeat, 5)):
            distinct = replace(page, data=page.data + bytes([i]))  # a new SHA-256 each time
            started = time.perf_counter()
            attachments.store_page(desk, receipt, distinct)
            walls.append(time.perf_counter() - started)
        return (
            f"- keeping a page (file + fsync + rename, then blob and attachment rows, WAL + synchronous=FULL): "
            f"median {statistics.median(walls) * 1000:.1f} ms wall, n={len(walls)} ({platform.system()})"
        )
    finally:
        desk.close()


if __name__ == "__main__":
    main()
