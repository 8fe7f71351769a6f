"""The short version of bench/ui.py: the requests list over many requests loads windows, not all."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.ui_helpers import idle, log_in

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
import ui as bench  # noqa: E402

pytestmark = pytest.mark.timeout(120)


def test_list_reads_windows_of_a_big_table(launcher, qtbot, home, qtmodeltester):
    bench.make_home(home)
    bench.bulk_requests(home, 6_000, batch=3_000)
    window = log_in(qtbot, launcher(prepare=False), "clerk")
    page = window.requests
    model = page.model
    page.apply_filters()
    idle(qtbot, window.ctx.runner)
    assert model.count == 6_000
    assert model.rowCount() == model.page_size  # one window, not 6,000 rows
    for _ in range(3):
        page.table.scrollToBottom()
        qtbot.waitUntil(lambda: window.ctx.runner.pending == 0 and not model.loading, timeout=10_000)
    assert model.page_size < model.rowCount() < model.count
    seqs = [model.row_at(i).seq for i in range(model.rowCount())]
    assert seqs == list(range(6_000, 6_000 - len(seqs), -1))  # keyset pages: newest first, none skipped or twice
    qtmodeltester.check(model)

    page.search.setText("مریم")
    page.apply_filters()
    idle(qtbot, window.ctx.runner)
    assert 0 < model.count < 6_000
    assert all("مریم" in (model.row_at(i).first_name + model.row_at(i).last_name) for i in range(model.rowCount()))
