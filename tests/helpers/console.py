"""The web console as its staff use it, over real HTTP against the real server.

    who = ConsoleUser(srv.url).login("police1", PASSWORD)     # GET the login form, POST it
    page = who.get("/console/requests")                        # an httpx response
    who.post_form(url, {"note": "..."}, csrf_from=page)         # CSRF token taken from that page

`seed_staff` adds the console's users in this process (scrypt costs ~0.1 s a user) and
`upload_requests` sends requests as a desk would, through the batch API.
"""

from __future__ import annotations

import re
from pathlib import Path

import httpx

from provincial_server.console.staff import add_staff
from provincial_server.db import ServerDB
from tests.helpers.server import CATALOG, make_request_op

PASSWORD = "a long enough password"
POLICE = CATALOG["services"][0]  # 2101, پلیس گذرنامه
JUDICIARY = CATALOG["services"][1]  # 3001, قوه قضاییه

_CSRF_RE = re.compile(r'name="csrf" value="([^"]+)"')
_LINK_RE = re.compile(r'href="(/console/requests/[0-9]+/[0-9a-f-]{36})"')
_ALERT_RE = re.compile(r'role="(?:alert|status)">([^<]+)<')


def csrf_of(html: str) -> str:
    m = _CSRF_RE.search(html)
    assert m, "no CSRF token on the page"
    return m.group(1)


def request_links(html: str) -> list[str]:
    return _LINK_RE.findall(html)


def alerts(html: str) -> list[str]:
    return [a.strip() for a in _ALERT_RE.findall(html)]


class ConsoleUser:
    def __init__(self, base_url: str, **kw):
        self.http = httpx.Client(base_url=base_url, follow_redirects=False, timeout=30, **kw)

    def login(self, username: str, password: str = PASSWORD, *, expect: int = 303) -> ConsoleUser:
        r = self.try_login(username, password)
        assert r.status_code == expect, (r.status_code, alerts(r.text))
        return self

    def try_login(self, username: str, password: str) -> httpx.Response:
        form = self.http.get("/console/login")
        return self.http.post(
            "/console/login", data={"username": username, "password": password, "csrf": csrf_of(form.text)}
        )

    def get(self, path: str, **kw) -> httpx.Response:
        return self.http.get(path, **kw)

    def post_form(self, path: str, data: dict, *, csrf_from: httpx.Response | str | None = None) -> httpx.Response:
        body = dict(data)
        if csrf_from is not None and "csrf" not in body:
            body["csrf"] = csrf_of(csrf_from if isinstance(csrf_from, str) else csrf_from.text)
        return self.http.post(path, data=body)

    def act(self, link: str, action: str, note: str = "", *, page: httpx.Response | None = None) -> httpx.Response:
        """Press an action's button on the request page as it is now (or as it was in `page`)."""
        page = page or self.get(link)
        assert page.status_code == 200, page.status_code
        assert f'action="{link}/{action}"' in page.text, f"no {action} button on the page"
        expected = re.search(r'name="expected" value="([a-z_]+)"', page.text)
        assert expected
        return self.post_form(f"{link}/{action}", {"expected": expected.group(1), "note": note}, csrf_from=page)

    def close(self) -> None:
        self.http.close()


def seed_staff(db_url: str) -> None:
    db = ServerDB(db_url)
    try:
        db.init()
        for name, role, agency in (
            ("police1", "agency", POLICE["agency"]),
            ("police2", "agency", POLICE["agency"]),
            ("judge1", "agency", JUDICIARY["agency"]),
            ("prov", "province", None),
        ):
            add_staff(db, name, role, agency, PASSWORD)
    finally:
        db.dispose()


def upload_requests(srv, office: str, token: str, services: list[dict], **kw) -> list[dict]:
    """Requests as a desk sends them (the batch API); returns the operations' payloads."""
    ops = [make_request_op(office, 2, service=svc, n=i + 1, **kw) for i, svc in enumerate(services)]
    with srv.client(token) as c:
        for start in range(0, len(ops), 200):
            r = c.post(f"/api/v1/offices/{office}/requests/batch", json={"items": ops[start : start + 200]})
            assert r.status_code == 200, r.text
            assert {x["result"] for x in r.json()["results"]} == {"created"}, r.json()
    return [op["payload"] for op in ops]


def link_of(payload: dict) -> str:
    return f"/console/requests/{payload['office']}/{payload['request_id']}"


def files_dir(srv) -> Path:
    from provincial_server.console import files_dir as rule

    path = Path(rule(srv.db_url))
    return path if path.is_absolute() else srv.cwd / path
