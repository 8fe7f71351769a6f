"""The short version of bench/intake.py: it runs, its searches find the right rows, it prints figures."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_bench_intake_short(capsys, tmp_path):
    spec = importlib.util.spec_from_file_location("bench_intake", ROOT / "bench" / "intake.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    assert bench.main(["--rows", "3000", "--intake", "5", "--searches", "5", "--folder", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    for label in (
        "intake through the service",
        "bare sqlite3",
        "intake / bare",
        "search receipt_no",
        "search national_code",
        "search name_prefix_page",
        "search name_prefix_count",
    ):
        assert label in out and "median" in out.split(label, 1)[1].splitlines()[0]
    assert "3,000 requests" in out


def test_bench_search_short(capsys, tmp_path):
    spec = importlib.util.spec_from_file_location("bench_search", ROOT / "bench" / "search.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    assert bench.main(["--rows", "3000", "--searches", "3", "--intake", "3", "--folder", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "migration to head over 3,000 requests" in out
    for label in ("full_name", "word_inside_name", "receipt_suffix_dashed", "tracking_code", "common_name"):
        assert f"search {label} (median" in out and f"search {label} count: median" in out
    assert "intake with / without, medians" in out
