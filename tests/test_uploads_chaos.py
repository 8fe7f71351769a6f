"""A short chaos run of the page uploads (the long one is `bench/chaos.py --attachments`): requests
with 1-3 pages each registered while real `desk-app sync --once` processes are SIGKILLed (mostly
mid-upload), the server SIGKILLed once, 20% of the office API's answers dropped after the server
acted, over a slow link. Afterwards every page is linked once, byte for byte, and few bytes went
twice."""

from __future__ import annotations

import pytest

from tests.helpers.syncrig import templates
from tests.helpers.uploadrig import run_attachment_chaos


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_short_upload_chaos_loses_duplicates_and_corrupts_nothing(tmp_path, tmp_path_factory):
    result = run_attachment_chaos(
        tmp_path, templates(tmp_path_factory), requests=30, client_kills=4, server_kills=1, drop_rate=0.2, seed=5
    )
    print(result)
    assert result["requests"] == 30 and result["pages"] >= 30
    assert result["client_kills"] >= 3 and result["server_kills"] == 1
    assert result["dropped_answers"] >= 1
    assert (result["lost"], result["duplicated"], result["corrupted"], result["unsent"]) == (0, 0, 0, 0), result
    assert result["sha256_uploaded_twice"] == 0
    assert result["resent_share"] < 0.5, result
