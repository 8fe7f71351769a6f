"""Search that finds people, over N requests (default 1,000,000), and what its index costs.

1. Migration: a store at revision 0003 holding N generated requests (names, receipt numbers, a
   tracking code on two rows of three) is brought to head, which builds the FTS5 trigram index.
2. Searches through `requests.list_requests` (first page of 100) and `requests.count_requests`, each
   on rows sampled over the whole store, every returned row checked against the rule it was found by:
   full name in either order, a word inside a name, a 2-letter prefix, receipt-number suffixes
   (yymmdd-seq dashed, digits only, Persian digits; the daily seq alone), tracking code (whole and its
   last 6 digits), national code, a common name (first page), and names with a day or a status.
3. Intake with and without the index: `intake.register_request` alternately on two copies of the
   big store, one with the index and its triggers dropped.

    .venv/bin/python bench/search.py [--rows 1000000] [--searches 30] [--intake 200] [--folder DIR]
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import intake as base  # noqa: E402  (bench/intake.py: the generator and the figure helpers)

from desk_app.domain.text import search_key, to_persian_digits  # noqa: E402

PREVIOUS_HEAD = "0003"


def make_old_store(path: Path, rows: int) -> float:
    """A store at the revision before the index, with `rows` requests; seconds to generate."""
    from desk_app.store import migrate
    from desk_app.store.engine import open_database

    db = open_database(path, migrate=False)
    migrate.upgrade(db, PREVIOUS_HEAD)
    db.close()
    started = time.perf_counter()
    base.generate(SimpleNamespace(db=SimpleNamespace(path=path)), rows)
    return time.perf_counter() - started


def migrate_store(path: Path) -> tuple[float, float]:
    """(wall, CPU) seconds of bringing the store to head, as the app does at start-up."""
    from desk_app.store import migrate
    from desk_app.store.engine import open_database

    db = open_database(path, migrate=False)
    w, c = time.perf_counter(), time.process_time()
    migrate.upgrade(db)
    w, c = time.perf_counter() - w, time.process_time() - c
    assert migrate.current_revision(db) == migrate.HEAD
    db.close()
    return w, c


def _samples(path: Path, k: int = 500) -> list[tuple]:
    con = sqlite3.connect(path)
    try:
        n = con.execute("SELECT max(seq) FROM requests").fetchone()[0]
        return con.execute(
            "SELECT first_name, last_name, receipt_no, server_ref, national_code, tehran_day FROM requests"
            " WHERE seq % ? = 0 AND server_ref IS NOT NULL",
            (max(1, n // k),),
        ).fetchall()
    finally:
        con.close()


def _keys(r) -> tuple[str, str]:
    return search_key(r.first_name), search_key(r.last_name)


def _has_words(r, *words: str) -> bool:
    return all(any(w in k for k in _keys(r)) for w in words)


def _ends(r, digits: str) -> bool:
    return r.receipt_no.replace("-", "").endswith(digits) or (r.server_ref or "").endswith(digits)


def searches(sample: tuple) -> dict[str, tuple[dict, object]]:
    """name -> (list_requests keyword arguments, check of one returned row)."""
    first, last, receipt, ref, code, day = sample
    f, last_key = search_key(first), search_key(last)
    middle = last_key[1:4] if len(last_key) >= 5 else last_key[-3:]
    day_seq = "-".join(receipt.split("-")[2:])  # 050911-0003
    return {
        "full_name": ({"query": f"{first} {last}"}, lambda r: _has_words(r, f, last_key)),
        "full_name_reversed": ({"query": f"{last} {first}"}, lambda r: _has_words(r, f, last_key)),
        "word_inside_name": ({"query": middle}, lambda r: _has_words(r, middle)),
        "two_letter_prefix": ({"query": f[:2]}, lambda r: any(k.startswith(f[:2]) for k in _keys(r))),
        "receipt_suffix_dashed": ({"query": day_seq}, lambda r: r.receipt_no.endswith(day_seq)),
        "receipt_suffix_digits": ({"query": day_seq.replace("-", "")}, lambda r: _ends(r, day_seq.replace("-", ""))),
        "receipt_suffix_persian": ({"query": to_persian_digits(day_seq)}, lambda r: r.receipt_no.endswith(day_seq)),
        "receipt_daily_seq": ({"query": receipt[-4:]}, lambda r: _ends(r, receipt[-4:])),
        "tracking_code": ({"query": ref}, lambda r: r.server_ref == ref),
        "tracking_code_end": ({"query": ref[-6:]}, lambda r: _ends(r, ref[-6:])),
        "national_code": ({"query": code}, lambda r: r.national_code == code),
        "common_name": ({"query": "محمد"}, lambda r: _has_words(r, "محمد")),
        "full_name_one_day": (
            {"query": f"{first} {last}", "day": day},
            lambda r: r.tehran_day == day and _has_words(r, f, last_key),
        ),
        "common_name_status": ({"query": "محمد", "status": "completed"}, lambda r: r.status == "completed"),
        "word_day_range": (
            {"query": middle, "day_from": day[:8] + "01", "day_to": day[:8] + "28"},
            lambda r: _has_words(r, middle) and day[:8] + "01" <= r.tehran_day <= day[:8] + "28",
        ),
    }


def bench_searches(desk, path: Path, n: int) -> dict[str, dict]:
    from desk_app.services import requests

    rng = random.Random(5)
    picks = [rng.choice(_samples(path)) for _ in range(n)]
    out: dict[str, dict] = {}
    for name in searches(picks[0]):
        page_t, page_c, count_t, count_c, hits = [], [], [], [], []
        for p in picks:
            kwargs, check = searches(p)[name]
            rows, wall, cpu = base.timed(lambda kw=kwargs: requests.list_requests(desk, limit=100, **kw))
            page_t.append(wall)
            page_c.append(cpu)
            assert rows and all(check(r) for r in rows), (name, kwargs)
            count, wall, cpu = base.timed(lambda kw=kwargs: requests.count_requests(desk, **kw))
            count_t.append(wall)
            count_c.append(cpu)
            assert count >= len(rows), (name, kwargs)
            hits.append(count)
        out[name] = {"page": (page_t, page_c), "count": (count_t, count_c), "hits": statistics.median(hits)}
    return out


def _ready_desk(home: Path):
    """The big store as a working office: settings, a clerk, the demo catalog."""
    from desk_app.services import catalog, setup, users
    from desk_app.services.context import Desk

    desk = Desk.open(home)  # the generated rows are office 4512, device 2 (init_office refuses a store with rows)
    desk.settings.set_many(
        {"office_code": setup.clean_office_code("4512"), "office_name": "دفتر", "device_no": setup.clean_device_no(2)}
    )
    users.add_user(desk, "clerk", "clerk", "secret-123", "زهرا احمدی")
    catalog.import_catalog(desk, ROOT / "resources" / "catalog" / "demo-catalog.json")
    return desk


def bench_intake(folder: Path, big: Path, n: int) -> dict:
    """register_request alternately on a copy of the big store with the index and on one without."""
    from desk_app.services import catalog, intake

    homes = {"with": folder / "intake-with", "without": folder / "intake-without"}
    for home in homes.values():
        shutil.rmtree(home, ignore_errors=True)
        home.mkdir(parents=True)
        shutil.copyfile(big, home / "desk.sqlite3")
    con = sqlite3.connect(homes["without"] / "desk.sqlite3")
    for trigger in ("requests_search_insert", "requests_search_delete", "requests_search_update"):
        con.execute(f"DROP TRIGGER {trigger}")
    con.execute("DROP TABLE requests_search")
    con.commit()
    con.close()
    desks = {k: _ready_desk(h) for k, h in homes.items()}
    code = next(
        s.code
        for s in catalog.list_services(desks["with"], active_only=True)
        if catalog.service_form(desks["with"], s.code) is None
    )
    rng = random.Random(1)
    times: dict[str, tuple[list, list]] = {k: ([], []) for k in desks}
    for i in range(n):
        first, last = rng.choice(base.FIRST), rng.choice(base.LAST)
        for kind, desk in desks.items():
            _, wall, cpu = base.timed(
                intake.register_request,
                desk,
                clerk="clerk",
                national_code=base.national_code(2_000_000 + i),
                first_name=first,
                last_name=last,
                service_code=code,
            )
            times[kind][0].append(wall)
            times[kind][1].append(cpu)
    from desk_app.services import requests

    found = requests.count_requests(desks["with"], query=f"{base.FIRST[0]} {base.LAST[0]}")
    for desk in desks.values():
        desk.close()
    for home in homes.values():
        shutil.rmtree(home, ignore_errors=True)
    return {"times": times, "found_after": found}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--searches", type=int, default=30)
    ap.add_argument("--intake", type=int, default=200)
    ap.add_argument("--folder", type=Path, help="keep the generated revision-0003 store here and reuse it")
    args = ap.parse_args(argv)
    from desk_app.services.context import Desk

    with tempfile.TemporaryDirectory(prefix="bench-search-") as tmp:
        folder = args.folder or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        old = folder / f"rev{PREVIOUS_HEAD}-{args.rows}.sqlite3"
        print(f"load average at start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
        if not old.exists():
            seconds = make_old_store(old.with_suffix(".part"), args.rows)
            old.with_suffix(".part").rename(old)
            print(f"{args.rows:,} requests generated at revision {PREVIOUS_HEAD} in {seconds:.1f} s")
        home = folder / "search"
        shutil.rmtree(home, ignore_errors=True)
        home.mkdir(parents=True)
        shutil.copyfile(old, home / "desk.sqlite3")
        wall, cpu = migrate_store(home / "desk.sqlite3")
        size = (home / "desk.sqlite3").stat().st_size / 2**20
        print(
            f"migration to head over {args.rows:,} requests (builds the search index): {wall:.1f} s wall,"
            f" {cpu:.1f} s CPU; store {old.stat().st_size / 2**20:.0f} MiB -> {size:.0f} MiB"
        )
        with Desk.open(home) as desk:
            results = bench_searches(desk, home / "desk.sqlite3", args.searches)
        for name, r in results.items():
            print(f"search {name} (median {r['hits']:,.0f} hits): page {base.fmt(*r['page'])}")
            print(f"search {name} count: {base.fmt(*r['count'])}")
        if args.intake:
            res = bench_intake(folder, home / "desk.sqlite3", args.intake)
            w, wo = res["times"]["with"], res["times"]["without"]
            print(f"intake on the big store, with the index: {base.fmt(*w)}")
            print(f"intake on the big store, without it: {base.fmt(*wo)}")
            print(
                f"intake with / without, medians: {statistics.median(w[0]) / statistics.median(wo[0]):.2f}x wall,"
                f" {statistics.median(w[1]) / statistics.median(wo[1]):.2f}x CPU"
                f" (+{(statistics.median(w[1]) - statistics.median(wo[1])) * 1000:.2f} ms CPU)"
            )
        shutil.rmtree(home, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
