"""Hypothesis on the real provincial server: generated forms and answers; whatever the client
accepts (freezes), the server accepts under the same version, and what the client refuses, sent
as typed, the server refuses too (DESIGN.md section 10: both sides, one set of versioned rules)."""

from __future__ import annotations

import copy
import itertools

import pytest
from hypothesis import HealthCheck, event, given, settings

from desk_app.domain.forms import AnswersError, freeze_answers, parse_form
from desk_app.domain.jalali import tehran_day, utc_now
from tests.helpers.server import ServerProcess, make_request_op
from tests.helpers.syncdata import CATALOG as SYNC_CATALOG
from tests.test_domain_forms_properties import form_and_answers

_versions = itertools.count(1)


@pytest.fixture(scope="module")
def province(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("province")
    srv = ServerProcess(f"sqlite:///{tmp / 'provincial.db'}", cwd=tmp)
    srv.token = srv.quick_setup({"4512": (2,)})[("4512", 2)]
    srv.start()
    from provincial_server.db import ServerDB

    srv.db = ServerDB(srv.db_url)
    client = srv.client(srv.token)
    srv.http = client
    yield srv
    client.close()
    srv.db.dispose()
    srv.stop()


def _load(province, schema: dict) -> tuple[str, dict]:
    from provincial_server.catalogs import load_catalog

    data = copy.deepcopy(SYNC_CATALOG)
    data["version"] = f"9999-hyp-{next(_versions)}"
    data["services"][0]["form"] = schema
    with province.db.write() as s:
        load_catalog(s, data)
    return data["version"], data["services"][0]


@settings(
    deadline=None, max_examples=60, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(case=form_and_answers())
def test_what_the_client_freezes_the_real_server_accepts(province, case):
    schema, raw = case
    form = parse_form(schema)
    version, service = _load(province, schema)
    now = utc_now()
    try:
        fields = freeze_answers(form, raw, on=tehran_day(now))
        accepted = True
    except AnswersError as exc:
        accepted, fields = False, dict(raw)
        refused = {e.field for e in exc.errors}
    op = make_request_op(
        "4512", 2, service=service, catalog_version=version, created_at=now, fields=fields, form_version=version
    )
    res = province.http.post("/api/v1/offices/4512/requests/batch", json={"items": [op]})
    assert res.status_code == 200, res.text
    [result] = res.json()["results"]
    if accepted:
        event("client froze: server created")
        assert result["result"] == "created", (schema, fields, result)
    else:
        event("client refused: server refused")
        assert result["result"] == "invalid", (schema, fields, result)
        code = result["code"] or ""
        if code.startswith("fields.") and code != "fields._":
            assert code[len("fields.") :] in refused | set(raw), (code, refused)
