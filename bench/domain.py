"""Domain figures (printed): how fast the pure rules run, per call, on typical counter input.

The normaliser and the folded key run on every keystroke of a search box and on every row of a
CSV import; validators on every intake. Figures only, no assertions.

    .venv/bin/python bench/domain.py [--n 100000]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from desk_app.domain.canonical import payload_sha256  # noqa: E402
from desk_app.domain.catalog import parse_catalog  # noqa: E402
from desk_app.domain.identifiers import national_code_check_digit, validate_mobile, validate_national_code  # noqa: E402
from desk_app.domain.money import amount_in_words, format_amount  # noqa: E402
from desk_app.domain.text import normalize_text, search_key, to_persian_digits  # noqa: E402

NAMES = ["علي‌رضا", "محمّد  كريمى", "فاطمۀ زهرا", "ﻛﺮﻳﻢ", "آزاده\u200f", "سیدمهدی حسینی‌نژاد", "Ali Rezaei"]


def per_call(fn, items, n: int) -> float:
    k = len(items)
    t = time.perf_counter()
    for i in range(n):
        fn(items[i % k])
    return (time.perf_counter() - t) / n * 1e6


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=100_000)
    n = ap.parse_args().n
    rnd = random.Random(1405)
    codes = []
    for _ in range(1000):
        d9 = "".join(rnd.choice("0123456789") for _ in range(9))
        code = d9 + str(national_code_check_digit(d9))
        codes.append(to_persian_digits(code[:3]) + "-" + code[3:])
    mobiles = ["+98 912 " + str(rnd.randint(1000000, 9999999)) for _ in range(1000)]
    amounts = [rnd.randint(0, 10**10) for _ in range(1000)]
    payload = {
        "request_id": "x" * 36,
        "citizen": {"first_name": "علی", "last_name": "رضایی"},
        "fees": [{"kind": "government", "amount": 12000000}],
        "total": 12000000,
    }
    catalog = json.loads((ROOT / "resources/catalog/demo-catalog.json").read_text(encoding="utf-8"))

    def national(code):
        try:
            validate_national_code(code)
        except ValueError:
            pass

    rows = [
        ("normalize_text (names)", per_call(normalize_text, NAMES, n)),
        ("search_key (names)", per_call(search_key, NAMES, n)),
        ("validate_national_code (mixed digits)", per_call(national, codes, n)),
        ("validate_mobile (+98 form)", per_call(validate_mobile, mobiles, n)),
        ("format_amount", per_call(format_amount, amounts, n)),
        ("amount_in_words", per_call(amount_in_words, amounts, n)),
        ("payload_sha256 (small request)", per_call(payload_sha256, [payload], n)),
        (
            f"parse_catalog (demo, {len(catalog['services'])} services)",
            per_call(parse_catalog, [catalog], max(n // 100, 10)),
        ),
    ]
    print(f"domain per-call cost, n={n}, Python {sys.version.split()[0]}")
    for name, us in rows:
        print(f"  {name:44s} {us:10.2f} µs")


if __name__ == "__main__":
    main()
