"""The web console over real HTTP on the real server (SQLite and PostgreSQL): staff sign in,
agency staff answer only their agency's requests, every bad input gets a clear Persian answer
and changes nothing (DESIGN.md section 12)."""

from __future__ import annotations

import threading

import httpx
import pytest
from sqlalchemy import delete, func, select

from desk_app.domain.jalali import format_jalali_date, today_tehran
from provincial_server.console.tables import LoginThrottle, Staff, StaffAudit
from provincial_server.db import ServerDB, ServerRequest, StatusHistory
from tests.helpers.console import (
    JUDICIARY,
    PASSWORD,
    POLICE,
    ConsoleUser,
    alerts,
    csrf_of,
    link_of,
    request_links,
    seed_staff,
    upload_requests,
)


@pytest.fixture(scope="module")
def srv(live_server):
    seed_staff(live_server.db_url)
    return live_server


@pytest.fixture(scope="module")
def sdb(srv):
    db = ServerDB(srv.db_url)
    yield db
    db.dispose()


@pytest.fixture
def office(srv):
    code, tokens = srv.new_office()
    return code, tokens[2]


@pytest.fixture
def users(srv):
    made: list[ConsoleUser] = []

    def make(name: str | None = None) -> ConsoleUser:
        u = ConsoleUser(srv.url)
        if name:
            u.login(name)
        made.append(u)
        return u

    yield make
    for u in made:
        u.close()


def status_of(sdb, payload) -> str:
    with sdb.read() as s:
        return s.get(ServerRequest, (payload["office"], payload["request_id"])).status


def feed(srv, office, token) -> list[dict]:
    with srv.client(token) as c:
        r = c.get(f"/api/v1/offices/{office}/changes", params={"limit": 1000})
        assert r.status_code == 200, r.text
        return r.json()["changes"]


# ---------------------------------------------------------------- staff and sign-in


def test_staff_add_reads_the_password_from_stdin_and_refuses_bad_input(srv, sdb):
    ok = srv.admin(
        "staff",
        "add",
        "--username",
        "Clerk.Two",
        "--role",
        "agency",
        "--agency",
        POLICE["agency"],
        input=PASSWORD + "\n",
    )
    assert "clerk.two" in ok.stderr
    with sdb.read() as s:
        row = s.get(Staff, "clerk.two")
        assert row.role == "agency" and row.agency == POLICE["agency"]
        assert row.password_hash.startswith("scrypt$") and PASSWORD not in row.password_hash
    cases = {
        ("--username", "clerk.two", "--role", "province"): "پیش‌تر افزوده شده",
        ("--username", "x1", "--role", "agency", "--agency", "اداره‌ی ناموجود"): "در فهرست خدمات نیست",
        ("--username", "x2", "--role", "agency"): "--agency",
        ("--username", "x3", "--role", "province", "--agency", POLICE["agency"]): "--agency را ندهید",
        ("--username", "نام فارسی", "--role", "province"): "نام کاربری",
    }
    for args, said in cases.items():
        bad = srv.admin("staff", "add", *args, input=PASSWORD + "\n", check=False)
        assert bad.returncode == 1 and said in bad.stderr, (args, bad.stderr)
    short = srv.admin("staff", "add", "--username", "x4", "--role", "province", input="short\n", check=False)
    assert short.returncode == 1 and "دست‌کم" in short.stderr
    # the added user signs in with that password
    u = ConsoleUser(srv.url).login("clerk.two")
    assert u.get("/console/requests").status_code == 200
    u.close()


def test_session_cookie_is_httponly_strict_and_secure_behind_tls(srv, users):
    u = users()
    r = u.try_login("police1", PASSWORD)
    assert r.status_code == 303 and r.headers["location"] == "/console/requests"
    cookie = next(c for c in r.headers.get_list("set-cookie") if c.startswith("pk_console="))
    low = cookie.lower()
    assert "httponly" in low and "samesite=strict" in low and "path=/console" in low and "secure" not in low
    # behind a TLS proxy on the same host (uvicorn trusts X-Forwarded-Proto from 127.0.0.1)
    with httpx.Client(base_url=srv.url, headers={"X-Forwarded-Proto": "https"}) as tls:
        form = tls.get("/console/login")
        assert "secure" in form.headers["set-cookie"].lower()  # the login form's CSRF cookie too
        token = csrf_of(form.text)
        r = tls.post(
            "/console/login",
            data={"username": "police1", "password": PASSWORD, "csrf": token},
            headers={"Cookie": f"pk_console_login={token}"},  # httpx keeps Secure cookies off plain http
        )
    cookie = next(c for c in r.headers.get_list("set-cookie") if c.startswith("pk_console="))
    assert "secure" in cookie.lower()
    page = u.get("/console/requests")
    assert page.headers["content-security-policy"].startswith("default-src 'none'")
    assert page.headers["x-frame-options"] == "DENY" and page.headers["cache-control"] == "no-store"
    assert '<html lang="fa" dir="rtl">' in page.text


def test_wrong_password_many_times_locks_that_user_not_others(srv, sdb, users):
    from provincial_server.console.staff import add_staff

    add_staff(sdb, "guessed", "province", None, PASSWORD)
    u = users()
    try:
        for _ in range(4):
            r = u.try_login("guessed", "wrong password!")
            assert r.status_code == 401 and "نادرست" in alerts(r.text)[0]
            assert "guessed" in r.text  # the username stays in the box
        r = u.try_login("guessed", "wrong password!")
        assert r.status_code == 401
        r = u.try_login("guessed", PASSWORD)  # locked now: even the right password waits
        assert r.status_code == 429 and "دقیقه" in alerts(r.text)[0]
        assert "pk_console=" not in r.headers.get("set-cookie", "")
        other = users()
        assert other.try_login("prov", PASSWORD).status_code == 303  # another user is not locked
        with sdb.read() as s:
            actions = list(s.scalars(select(StaffAudit.action).where(StaffAudit.username == "guessed")))
        assert actions.count("login_failed") == 5 and "login_locked" in actions
    finally:
        with sdb.write() as s:
            s.execute(delete(LoginThrottle))


def test_many_wrong_logins_from_one_address_lock_the_address(srv, sdb, users):
    u = users()
    try:
        codes = [u.try_login(f"nobody{i}", "wrong password!").status_code for i in range(31)]
        assert codes[:29] == [401] * 29 and codes[-1] == 429
        assert u.try_login("prov", PASSWORD).status_code == 429  # from this address, nobody for a while
    finally:
        with sdb.write() as s:
            s.execute(delete(LoginThrottle))


def test_login_form_without_its_csrf_cookie_is_refused(srv):
    with httpx.Client(base_url=srv.url) as c:
        r = c.post("/console/login", data={"username": "prov", "password": PASSWORD, "csrf": "forged"})
    assert r.status_code == 403 and "فرم" in alerts(r.text)[0]


def test_without_a_session_every_page_sends_to_login(srv, office):
    code, token = office
    p = upload_requests(srv, code, token, [POLICE])[0]
    link = link_of(p)
    with httpx.Client(base_url=srv.url, follow_redirects=False) as c:
        for path in (
            "/console/",
            "/console/requests",
            link,
            f"{link}/files/{'0' * 64}",
            "/console/offices",
            "/console/offices.csv",
            "/console/stats",
            "/console/stats.csv",
        ):
            r = c.get(path)
            assert r.status_code == 303 and r.headers["location"] == "/console/login", path
        for action in ("take", "complete", "reject"):
            r = c.post(f"{link}/{action}", data={"expected": "submitted", "csrf": "x"})
            assert r.status_code == 303 and r.headers["location"] == "/console/login"
        c.cookies.set("pk_console", "forged-token", path="/console")
        assert c.get("/console/requests").headers["location"] == "/console/login"


def test_logout_ends_the_session_on_the_server(srv, users):
    u = users("police1")
    stolen = u.http.cookies.get("pk_console")
    page = u.get("/console/requests")
    r = u.post_form("/console/logout", {}, csrf_from=page)
    assert r.status_code == 303 and r.headers["location"] == "/console/login"
    with httpx.Client(base_url=srv.url, follow_redirects=False) as c:
        c.cookies.set("pk_console", stolen, path="/console")  # the old cookie, kept by someone
        assert c.get("/console/requests").headers["location"] == "/console/login"


# ---------------------------------------------------------------- CSRF and another user's session


def test_missing_forged_or_other_users_csrf_changes_nothing(srv, sdb, office, users):
    code, token = office
    p = upload_requests(srv, code, token, [POLICE])[0]
    link = link_of(p)
    a, b = users("police1"), users("police2")
    b_token = csrf_of(b.get(link).text)
    for data in (
        {"expected": "submitted"},
        {"expected": "submitted", "csrf": "forged"},
        {"expected": "submitted", "csrf": b_token},
    ):  # B's token with A's cookie
        r = a.post_form(f"{link}/complete", data)
        assert r.status_code == 403 and "فرم" in alerts(r.text)[0], data
    assert status_of(sdb, p) == "submitted"
    # a cross-site form cannot log anyone out either
    assert a.post_form("/console/logout", {"csrf": b_token}).status_code == 403
    assert a.get("/console/requests").status_code == 200


# ---------------------------------------------------------------- agency scope


def test_an_agency_never_sees_or_acts_on_another_agencys_request(srv, sdb, office, users):
    code, token = office
    mine, theirs = upload_requests(srv, code, token, [POLICE, JUDICIARY])
    police = users("police1")
    listed = request_links(police.get("/console/requests", params={"office": code}).text)
    assert link_of(mine) in listed and link_of(theirs) not in listed
    foreign = link_of(theirs)
    assert police.get(foreign).status_code == 404
    assert "پیدا نشد" in police.get(foreign).text
    page = police.get(link_of(mine))
    for action in ("take", "complete", "reject"):
        r = police.post_form(f"{foreign}/{action}", {"expected": "submitted", "note": "x"}, csrf_from=page)
        assert r.status_code == 404, action
    assert police.get(f"{foreign}/files/{'a' * 64}").status_code == 404
    r = police.get("/console/requests", params={"service": JUDICIARY["code"], "office": code})
    assert link_of(theirs) not in r.text and "از خدمات دستگاه شما نیست" in alerts(r.text)[0]
    # ids that do not exist or are not ids answer the same 404
    for bad in (
        f"/console/requests/{code}/00000000-0000-4000-8000-000000000000",
        f"/console/requests/{code}/not-an-id",
        f"/console/requests/99999/{mine['request_id']}",
    ):
        assert police.get(bad).status_code == 404, bad
    assert status_of(sdb, theirs) == "submitted"
    judge = users("judge1")
    assert judge.get(foreign).status_code == 200 and judge.get(link_of(mine)).status_code == 404
    # roles: agency staff do not see the province's pages, nor the province the worklist
    for path in ("/console/offices", "/console/offices.csv", "/console/stats", "/console/stats.csv"):
        assert police.get(path).status_code == 403, path
    prov = users("prov")
    for path in ("/console/requests", link_of(mine), f"{link_of(mine)}/files/{'a' * 64}"):
        assert prov.get(path).status_code == 403, path
    r = prov.post_form(f"{link_of(mine)}/complete", {"expected": "submitted"}, csrf_from=prov.get("/console/offices"))
    assert r.status_code == 403 and status_of(sdb, mine) == "submitted"


# ---------------------------------------------------------------- actions


def test_take_then_complete_reaches_the_desks_feed_with_who_and_when(srv, sdb, office, users):
    code, token = office
    p = upload_requests(srv, code, token, [POLICE])[0]
    link = link_of(p)
    u = users("police1")
    r = u.act(link, "take")
    assert r.status_code == 303 and r.headers["location"] == f"{link}?done=take"
    page = u.get(r.headers["location"])
    assert "در دست اقدام" in alerts(page.text)[0]
    assert f'action="{link}/take"' not in page.text  # taken: no second take button
    r = u.act(link, "complete", "گذرنامه آماده‌ی تحویل است")
    assert r.status_code == 303
    changes = [c for c in feed(srv, code, token) if c["request_id"] == p["request_id"]]
    assert [c["status"] for c in changes] == ["submitted", "in_progress", "completed"]
    assert changes[-1]["note"] == "گذرنامه آماده‌ی تحویل است"
    with sdb.read() as s:
        actors = list(
            s.scalars(
                select(StatusHistory.actor)
                .where(StatusHistory.request_id == p["request_id"])
                .order_by(StatusHistory.at)
            )
        )
        audit = list(s.scalars(select(StaffAudit.action).where(StaffAudit.request_id == p["request_id"])))
    assert actors[-2:] == ["console:police1", "console:police1"]
    assert {"view", "take", "complete"} <= set(audit)
    page = u.get(link)
    assert "police1" in page.text and "گذرنامه آماده‌ی تحویل است" in page.text
    assert 'name="expected"' not in page.text  # final: no action left


def test_two_staff_completing_at_once_one_wins_the_other_is_told(srv, sdb, office, users):
    code, token = office
    p = upload_requests(srv, code, token, [POLICE])[0]
    link = link_of(p)
    a, b = users("police1"), users("police2")
    pages = {a: a.get(link), b: b.get(link)}  # both saw it "submitted"
    barrier = threading.Barrier(2)
    answers = {}

    def press(u):
        barrier.wait()
        answers[u] = u.act(link, "complete", f"by {u is a}", page=pages[u])

    threads = [threading.Thread(target=press, args=(u,)) for u in (a, b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    codes = sorted(r.status_code for r in answers.values())
    assert codes == [303, 409]
    loser = next(r for r in answers.values() if r.status_code == 409)
    assert "کس دیگری پیش از شما" in alerts(loser.text)[0]
    completed = [c for c in feed(srv, code, token) if c["request_id"] == p["request_id"] and c["status"] == "completed"]
    assert len(completed) == 1
    with sdb.read() as s:
        n = s.scalar(
            select(func.count())
            .select_from(StatusHistory)
            .where(StatusHistory.request_id == p["request_id"], StatusHistory.to_status == "completed")
        )
    assert n == 1
    # the loser's stale page cannot reject it afterwards either
    r = b.act(link, "reject", "دیر رسید", page=pages[b])
    assert r.status_code == 409 and status_of(sdb, p) == "completed"


def test_reject_needs_a_reason(srv, sdb, office, users):
    code, token = office
    p = upload_requests(srv, code, token, [POLICE])[0]
    u = users("police1")
    for reason in ("", "   ", "\u200f\u202e\u2066"):  # nothing, spaces, only invisible controls
        r = u.act(link_of(p), "reject", reason)
        assert r.status_code == 422 and "دلیل" in alerts(r.text)[0], repr(reason)
    assert status_of(sdb, p) == "submitted"
    r = u.act(link_of(p), "reject", "تصویر کارت ملی خوانا نیست")
    assert r.status_code == 303 and status_of(sdb, p) == "rejected"
    change = [c for c in feed(srv, code, token) if c["request_id"] == p["request_id"]][-1]
    assert (change["status"], change["note"]) == ("rejected", "تصویر کارت ملی خوانا نیست")


def test_a_10000_character_note_is_refused_and_kept_in_the_box(srv, sdb, office, users):
    code, token = office
    p = upload_requests(srv, code, token, [POLICE])[0]
    u = users("police1")
    note = ("یادداشت بلند " * 800)[:10_000]
    r = u.act(link_of(p), "complete", note)
    assert r.status_code == 422
    assert "حداکثر ۱٬۰۰۰ نویسه" in alerts(r.text)[0]
    assert note.strip() in r.text  # what was typed is not lost
    assert status_of(sdb, p) == "submitted"
    r = u.act(link_of(p), "complete", "ی" * 1000)  # the most a note may hold
    assert r.status_code == 303
    assert [c for c in feed(srv, code, token) if c["request_id"] == p["request_id"]][-1]["note"] == "ی" * 1000


def test_bidi_controls_in_a_note_are_removed_before_the_desk_sees_it(srv, sdb, office, users):
    code, token = office
    p = upload_requests(srv, code, token, [POLICE])[0]
    u = users("police1")
    r = u.act(link_of(p), "complete", "\u202eتحویل\u202c در باجه\u2066 ۳\u2069\u200b")
    assert r.status_code == 303
    note = [c for c in feed(srv, code, token) if c["request_id"] == p["request_id"]][-1]["note"]
    assert note == "تحویل در باجه ۳"
    assert "\u202e" not in u.get(link_of(p)).text


def test_an_unknown_action_or_a_huge_form_changes_nothing(srv, sdb, office, users):
    code, token = office
    p = upload_requests(srv, code, token, [POLICE])[0]
    u = users("police1")
    page = u.get(link_of(p))
    assert u.post_form(f"{link_of(p)}/cancel", {"expected": "submitted"}, csrf_from=page).status_code == 404
    r = u.post_form(f"{link_of(p)}/complete", {"expected": "submitted", "note": "x" * 300_000}, csrf_from=page)
    assert r.status_code == 413
    assert status_of(sdb, p) == "submitted"


# ---------------------------------------------------------------- worklist


def test_worklist_filters_and_keyset_pages(srv, sdb, office, users):
    code, token = office
    other_code, other_token = srv.new_office()
    mine = upload_requests(srv, code, token, [POLICE] * 57)
    upload_requests(srv, other_code, other_token[2], [POLICE] * 3)
    u = users("police1")
    seen, url, params, pages = [], "/console/requests", {"office": code}, 0
    while True:
        r = u.get(url, params=params)
        assert r.status_code == 200
        seen += request_links(r.text)
        pages += 1
        nxt = [part for part in r.text.split('rel="next" href="')[1:]]
        if not nxt:
            break
        url, params = nxt[0].split('"')[0].replace("&amp;", "&"), None
    assert pages == 2 and len(seen) == 57 == len(set(seen))
    assert set(seen) == {link_of(p) for p in mine}
    with sdb.read() as s:  # oldest first: the order they reached the province
        order = s.execute(
            select(ServerRequest.office, ServerRequest.request_id)
            .where(ServerRequest.office == code)
            .order_by(ServerRequest.received_at, ServerRequest.request_id)
        ).all()
    assert seen == [f"/console/requests/{o}/{i}" for o, i in order]
    today = format_jalali_date(today_tehran(), persian=False)
    r = u.get("/console/requests", params={"office": code, "from": today, "to": today})
    assert len(request_links(r.text)) == 50
    r = u.get("/console/requests", params={"office": code, "to": "1400/01/01"})
    assert request_links(r.text) == [] and "درخواستی با این شرط‌ها نیست" in r.text
    r = u.get("/console/requests", params={"office": code, "status": "completed"})
    assert request_links(r.text) == []
    r = u.get(
        "/console/requests", params={"from": "1405/13/40", "office": "۴۵x", "status": "nonsense", "after": "garbage"}
    )
    assert r.status_code == 200
    said = " ".join(alerts(r.text))
    assert "از تاریخ" in said and "کد دفتر" in said and "وضعیت ناشناخته" in said and "نشانگر" in said
    r = u.get("/console/requests", params={"office": "۱" + code[1:] if code.startswith("1") else code})
    assert len(request_links(r.text)) == 50  # Persian digits in the office box are fine
