"""A short chaos run (the long one is bench/chaos.py): ~200 requests registered while real
`desk-app sync --once` processes are SIGKILLed at random moments, the real server is SIGKILLed
mid-sync twice, and 20% of batch answers are dropped after the server committed.
Afterwards: 0 lost, 0 duplicated, 0 stuck, and both sides agree on every server_ref and status."""

from __future__ import annotations

import pytest

from tests.helpers.syncrig import run_chaos, templates


@pytest.mark.slow
@pytest.mark.timeout(240)
def test_short_chaos_run_loses_and_duplicates_nothing(tmp_path, tmp_path_factory):
    result = run_chaos(
        tmp_path, templates(tmp_path_factory), requests=200, client_kills=10, server_kills=2, drop_rate=0.2, seed=11
    )
    print(result)
    assert result["requests"] == 200
    assert result["client_kills"] >= 8 and result["server_kills"] == 2
    assert result["dropped_answers"] >= 1
    assert (result["lost"], result["duplicated"], result["stuck"], result["mismatched"]) == (0, 0, 0, 0), result
    assert result["server_rows"] == 200
