"""A tracking code (server_ref, کد رهگیری) that arrives through a real sync with the provincial
server is found by the requests search at once: the index follows the row the sync engine updates."""

from __future__ import annotations

import pytest

from desk_app.services import requests
from tests.helpers.syncrig import Rig, templates

pytestmark = pytest.mark.timeout(120)


def test_tracking_codes_from_the_province_are_searchable(tmp_path, tmp_path_factory):
    rig = Rig(tmp_path, templates(tmp_path_factory))
    try:
        made = rig.register(3)
        assert rig.server_rows() == [] and all(r.server_ref is None for r in made)
        result = rig.sync()
        assert result.acked == 3
        refs = {rid: ref for rid, _receipt, ref, _status in rig.server_rows()}
        assert len(refs) == 3 and all(refs.values())
        for r in made:
            ref = refs[r.request_id]
            assert [x.request_id for x in requests.list_requests(rig.desk, query=ref)] == [r.request_id]
            assert r.request_id in {x.request_id for x in requests.list_requests(rig.desk, query=ref[-6:])}
            assert requests.count_requests(rig.desk, query=ref) == 1
    finally:
        rig.close()
