"""The console's HTTP routes under /console/ (DESIGN.md section 12).

Every page needs a valid session; every POST a CSRF token that matches the session's (the login
form's is a double-submit cookie). Agency pages answer 404 alike for a request that does not
exist and for one of another agency; role pages answer 403 to the other role.
"""

from __future__ import annotations

import io
import logging
import secrets
from datetime import timedelta
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, Response
from starlette.concurrency import run_in_threadpool

from desk_app.domain.errors import InvalidInput
from desk_app.domain.jalali import format_jalali_date, parse_jalali_date, today_tehran, utc_now
from provincial_server.console import province, staff, web, work
from provincial_server.console.scope import scope_of
from provincial_server.console.tables import Staff
from provincial_server.db import Attachment, ServerDB
from provincial_server.storage import FolderStore

log = logging.getLogger("provincial_server.console")
P = web.PREFIX
FONTS = Path(__file__).resolve().parents[2] / "resources" / "fonts"
STATIC = Path(__file__).with_name("static")
SHOWN_TYPES = {"image/jpeg", "image/png"}  # shown as they are; TIFF is turned into PNG
MAX_TIFF_PIXELS = 40_000_000


class _Answer(Exception):
    """A finished answer from deep inside a handler (login page, 403, 404)."""

    def __init__(self, response: Response):
        self.response = response


def register(app: FastAPI, db: ServerDB, files_dir: str | Path) -> None:
    store = FolderStore(files_dir)

    @app.exception_handler(_Answer)
    async def _answer(_request, exc: _Answer):
        return exc.response

    def signed(s, request: Request, role: str | None = None) -> web.Signed:
        who = web.session_of(s, request)
        if who is None:
            raise _Answer(web.redirect("/login"))
        if role and who.staff.role != role:
            raise _Answer(web.render("error.html", 403, who=who, title="دسترسی ندارید", message=_role_message(role)))
        return who

    def not_found(who) -> _Answer:
        return _Answer(
            web.render(
                "error.html",
                404,
                who=who,
                title="درخواست پیدا نشد",
                message="چنین درخواستی در کارتابل دستگاه شما نیست.",
            )
        )

    async def check_csrf(request: Request, s_who: web.Signed) -> dict[str, str]:
        try:
            form = await web.read_form(request)
        except web.FormTooLarge:
            raise _Answer(
                web.render("error.html", 413, who=s_who, title="فرم بزرگ است", message="متن فرم بیش از اندازه است.")
            ) from None
        if not web.csrf_ok(s_who.csrf, form.get("csrf")):
            raise _Answer(web.render("error.html", 403, who=s_who, title="فرم نامعتبر", message=_CSRF_MESSAGE))
        return form

    # ------------------------------------------------------------ static

    @app.get(P + "/static/{name}", include_in_schema=False)
    async def static(name: str):
        if name in {"Vazirmatn-Regular.ttf", "Vazirmatn-Bold.ttf", "Vazirmatn-Medium.ttf"}:
            path = FONTS / name
        elif name == "console.css":
            path = STATIC / name
        else:
            return web.secure(Response(status_code=404))
        resp = FileResponse(path, headers={"Cache-Control": "public, max-age=86400"})
        return web.secure(resp)

    # ------------------------------------------------------------ sign in and out

    @app.get(P, include_in_schema=False)
    @app.get(P + "/", include_in_schema=False)
    async def home(request: Request):
        def w():
            with db.write() as s:
                return web.session_of(s, request)

        who = await run_in_threadpool(w)
        if who is None:
            return web.redirect("/login")
        return web.redirect("/requests" if who.staff.role == "agency" else "/offices")

    def login_page(request: Request, status: int = 200, error: str | None = None, username: str = "") -> Response:
        token = secrets.token_urlsafe(24)
        resp = web.render("login.html", status, csrf=token, error=error, username=username)
        resp.set_cookie(
            web.LOGIN_CSRF_COOKIE,
            token,
            max_age=3600,
            path=P,
            httponly=True,
            samesite="strict",
            secure=web.is_tls(request),
        )
        return resp

    @app.get(P + "/login", include_in_schema=False)
    async def login_form(request: Request):
        return login_page(request)

    @app.post(P + "/login", include_in_schema=False)
    async def login(request: Request):
        try:
            form = await web.read_form(request)
        except web.FormTooLarge:
            return login_page(request, 413, "فرم بیش از اندازه بزرگ است.")
        if not web.csrf_ok(request.cookies.get(web.LOGIN_CSRF_COOKIE), form.get("csrf")):
            return login_page(request, 403, _CSRF_MESSAGE)
        raw_user, password = form.get("username", ""), form.get("password", "")
        ip = web.client_ip(request)
        try:
            username = staff.clean_username(raw_user)
        except staff.StaffError:
            username = ""
        keys = [f"ip:{ip}"] + ([f"user:{username}"] if username else [])

        def before():
            with db.write() as s:
                locked = staff.throttle_check(s, keys)
                if locked:
                    web.audit(s, request, username or "?", "login_locked")
                    return locked, None
                row = s.get(Staff, username) if username else None
                return None, (row.password_hash if row is not None and row.disabled_at is None else None)

        locked, stored = await run_in_threadpool(before)
        if locked:
            minutes = max(1, round(locked.seconds / 60))
            return login_page(
                request, 429, f"چند بار پیاپی ورود نادرست بود؛ {web.fa(minutes)} دقیقه‌ی دیگر دوباره بکوشید.", raw_user
            )
        ok = await run_in_threadpool(staff.verify_password, password[: staff.MAX_PASSWORD], stored)

        def after():
            with db.write() as s:
                if not ok:
                    fails = [(f"ip:{ip}", staff.IP_FAILURES)]
                    if username:
                        fails.append((f"user:{username}", staff.USER_FAILURES))
                    staff.throttle_fail(s, fails)
                    web.audit(s, request, username or "?", "login_failed")
                    return None
                staff.throttle_clear(s, f"user:{username}")
                row = s.get(Staff, username)
                if row is None:  # removed between the two transactions
                    return None
                token, _sess = web.open_session(s, row)
                web.audit(s, request, username, "login")
                return token, row.role

        got = await run_in_threadpool(after)
        if got is None:
            return login_page(request, 401, "نام کاربری یا گذرواژه نادرست است.", raw_user)
        token, role = got
        resp = web.redirect("/requests" if role == "agency" else "/offices")
        web.set_session_cookie(resp, request, token)
        resp.delete_cookie(web.LOGIN_CSRF_COOKIE, path=P)
        return resp

    @app.post(P + "/logout", include_in_schema=False)
    async def logout(request: Request):
        def who_of():
            with db.write() as s:
                return signed(s, request)

        who = await run_in_threadpool(who_of)
        await check_csrf(request, who)

        def w():
            with db.write() as s:
                row = s.get(type(who.session), who.session.token_sha256)
                if row is not None:
                    row.ended_at = utc_now()
                web.audit(s, request, who.username, "logout")

        await run_in_threadpool(w)
        resp = web.redirect("/login")
        resp.delete_cookie(web.COOKIE, path=P)
        return resp

    # ------------------------------------------------------------ agency: worklist and requests

    @app.get(P + "/requests", include_in_schema=False)
    async def worklist(request: Request):
        q = request.query_params
        errors: list[str] = []
        f = work.Filters(status=q.get("status") or "submitted")
        if f.status not in work.STATUS_FILTERS:
            errors.append("وضعیت ناشناخته است؛ درخواست‌های «ارسال‌شده» نشان داده شد.")
            f.status = "submitted"
        office = (q.get("office") or "").strip()
        if office:
            from desk_app.domain.text import normalize_digits

            office = normalize_digits(office)
            if work.OFFICE_RE.match(office):
                f.office = office
            else:
                errors.append("کد دفتر باید عدد باشد (مثلاً ۴۵۱۲).")
        for key, label in (("from", "از تاریخ"), ("to", "تا تاریخ")):
            text = (q.get(key) or "").strip()
            if text:
                try:
                    setattr(f, "day_from" if key == "from" else "day_to", parse_jalali_date(text))
                except InvalidInput as exc:
                    errors.append(f"{label}: {exc}")

        def w():
            with db.write() as s:  # the session's short write (seen_at), then a read for the page
                who = signed(s, request, "agency")
            with db.read() as s:
                scope = scope_of(s, who.staff.agency or "")
                service = (q.get("service") or "").strip()
                if service:
                    if service in scope.versions_of:
                        f.service = service
                    else:
                        errors.append("این خدمت از خدمات دستگاه شما نیست.")
                try:
                    page = work.worklist(s, scope, f, q.get("after"))
                except ValueError:
                    errors.append("نشانگر صفحه نامعتبر است؛ از صفحه‌ی نخست نشان داده شد.")
                    page = work.worklist(s, scope, f, None)
                return who, scope, page

        who, scope, page = await run_in_threadpool(w)
        base = {k: v for k, v in q.items() if k != "after" and v}
        return web.render(
            "worklist.html",
            who=who,
            scope=scope,
            page=page,
            f=f,
            errors=errors,
            statuses=work.STATUS_FILTERS,
            form={
                "office": q.get("office", ""),
                "from": q.get("from", ""),
                "to": q.get("to", ""),
                "service": f.service or "",
            },
            first=bool(q.get("after")),
            base_query=base,
            statuses_fa={"all": "همه"},
        )

    def load_detail(s, request, office, request_id):
        who = signed(s, request, "agency")
        scope = scope_of(s, who.staff.agency or "")
        req = work.find(s, scope, office, request_id)
        if req is None:
            raise not_found(who)
        web.audit(s, request, who.username, "view", office=office, request_id=request_id)
        return who, work.detail(s, scope, req)

    @app.get(P + "/requests/{office}/{request_id}", include_in_schema=False)
    async def request_page(request: Request, office: str, request_id: str):
        def w():
            with db.write() as s:
                return load_detail(s, request, office, request_id)

        who, d = await run_in_threadpool(w)
        done = request.query_params.get("done")
        return web.render("request.html", who=who, d=d, done=_DONE.get(done or ""), error=None, note="")

    @app.post(P + "/requests/{office}/{request_id}/{action}", include_in_schema=False)
    async def request_action(request: Request, office: str, request_id: str, action: str):
        def who_of():
            with db.write() as s:
                return signed(s, request, "agency")

        who = await run_in_threadpool(who_of)
        form = await check_csrf(request, who)
        note = form.get("note", "")

        def w():
            with db.write() as s:
                scope = scope_of(s, who.staff.agency or "")
                seq = work.act(s, scope, who.username, office, request_id, action, form.get("expected", ""), note)
                web.audit(s, request, who.username, action, office=office, request_id=request_id, detail=note or None)
                return seq

        try:
            await run_in_threadpool(w)
        except work.NotFound:
            raise not_found(who) from None
        except work.ActionRefused as exc:
            refused = exc
        else:
            log.info("console %s office=%s request=%s by=%s", action, office, request_id, who.username)
            return web.redirect(f"/requests/{office}/{request_id}?done={action}")

        def again():
            with db.write() as s:
                web.audit(
                    s,
                    request,
                    who.username,
                    f"{action}_refused",
                    office=office,
                    request_id=request_id,
                    detail=refused.message,
                )
                return load_detail(s, request, office, request_id)

        who2, d = await run_in_threadpool(again)
        return web.render(
            "request.html",
            refused.status,
            who=who2,
            d=d,
            done=None,
            error=refused.message,
            note=note,
            failed_action=action,
        )

    @app.get(P + "/requests/{office}/{request_id}/files/{sha256}", include_in_schema=False)
    async def attachment_file(request: Request, office: str, request_id: str, sha256: str):
        def w():
            with db.write() as s:
                who = signed(s, request, "agency")
                scope = scope_of(s, who.staff.agency or "")
                req = work.find(s, scope, office, request_id)
                row = s.get(Attachment, (office, request_id, sha256)) if req is not None else None
                if row is None:
                    raise not_found(who)
                web.audit(s, request, who.username, "view_file", office=office, request_id=request_id, detail=sha256)
                return row.content_type

        content_type = await run_in_threadpool(w)
        try:
            fh = store.open_read(office, sha256)
        except (OSError, ValueError):
            return web.render(
                "error.html", 404, who=None, title="پرونده نیست", message="پرونده‌ی این برگه روی سرور پیدا نشد."
            )
        with fh:
            data = await run_in_threadpool(fh.read)
        if content_type == "image/tiff":
            data, content_type = await run_in_threadpool(_tiff_to_png, data)
        elif content_type not in SHOWN_TYPES and content_type != "application/pdf":
            content_type = "application/octet-stream"
        disposition = "attachment" if content_type == "application/octet-stream" else "inline"
        return web.secure(
            Response(
                data,
                media_type=content_type,
                headers={
                    "Content-Disposition": f'{disposition}; filename="{sha256[:12]}"',
                    "Cache-Control": "private, no-store",
                },
            )
        )

    # ------------------------------------------------------------ province

    @app.get(P + "/offices", include_in_schema=False)
    @app.get(P + "/offices.csv", include_in_schema=False)
    async def offices(request: Request):
        sort = request.query_params.get("sort") or "stale"
        sort = sort if sort in province.SORTS else "stale"
        descending = request.query_params.get("dir") == "desc"
        as_csv = request.url.path.endswith(".csv")

        def w():
            with db.write() as s:
                who = signed(s, request, "province")
                if as_csv:
                    web.audit(s, request, who.username, "export_offices")
            with db.read() as s:
                return who, province.offices(s, sort, descending)

        who, rows = await run_in_threadpool(w)
        if as_csv:
            return _csv(province.offices_csv(rows), "offices.csv")
        stale = sum(1 for r in rows if r.stale)
        return web.render(
            "offices.html", who=who, rows=rows, sort=sort, descending=descending, stale=stale, printer_fa=PRINTER_FA
        )

    @app.get(P + "/stats", include_in_schema=False)
    @app.get(P + "/stats.csv", include_in_schema=False)
    async def stats(request: Request):
        q = request.query_params
        errors = []
        day_to = today_tehran()
        day_from = day_to - timedelta(days=13)
        for key in ("from", "to"):
            text = (q.get(key) or "").strip()
            if text:
                try:
                    if key == "from":
                        day_from = parse_jalali_date(text)
                    else:
                        day_to = parse_jalali_date(text)
                except InvalidInput as exc:
                    errors.append(str(exc))
        if day_to < day_from:
            errors.append("«تا تاریخ» پیش از «از تاریخ» است؛ جابه‌جا شد.")
            day_from, day_to = day_to, day_from
        if (day_to - day_from).days > 366:
            errors.append("بازه حداکثر یک سال است؛ یک سالِ پایانی نشان داده شد.")
            day_from = day_to - timedelta(days=366)
        as_csv = request.url.path.endswith(".csv")

        def w():
            with db.write() as s:
                who = signed(s, request, "province")
                if as_csv:
                    web.audit(s, request, who.username, "export_stats", detail=f"{day_from}..{day_to}")
            with db.read() as s:
                return who, province.day_counts(s, day_from, day_to)

        who, dc = await run_in_threadpool(w)
        if as_csv:
            return _csv(province.day_counts_csv(dc), f"requests-{day_from}-{day_to}.csv")
        return web.render(
            "stats.html",
            who=who,
            dc=dc,
            chart=province.chart_svg(dc),
            errors=errors,
            form={"from": format_jalali_date(day_from, persian=False), "to": format_jalali_date(day_to, persian=False)},
        )


def _csv(text: str, filename: str) -> Response:
    return web.secure(
        Response(
            text.encode("utf-8"),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )
    )


def _tiff_to_png(data: bytes) -> tuple[bytes, str]:
    from PIL import Image

    Image.MAX_IMAGE_PIXELS = MAX_TIFF_PIXELS
    with Image.open(io.BytesIO(data)) as im:
        out = io.BytesIO()
        im.convert("L" if im.mode in {"1", "L"} else "RGB").save(out, "PNG", optimize=False)
    return out.getvalue(), "image/png"


def _role_message(role: str) -> str:
    if role == "agency":
        return "این صفحه برای کارمندان دستگاه‌هاست؛ کارشناس استان صفحه‌ی دفترها و آمار را می‌بیند."
    return "این صفحه برای کارشناسان استان است؛ کارتابل دستگاه شما در صفحه‌ی درخواست‌هاست."


# What a desk may report of its printer (section 12's `printer_state`); other values are shown as sent.
PRINTER_FA = {
    "ok": "آماده",
    "ready": "آماده",
    "offline": "خاموش یا جدا",
    "error": "خطا",
    "paper_out": "کاغذ تمام",
    "no_paper": "کاغذ تمام",
    "none": "بدون چاپگر",
    "not_configured": "تنظیم‌نشده",
    "pdf": "پرونده‌ی PDF",
}

_CSRF_MESSAGE = "فرم منقضی شده یا از این صفحه نیامده است؛ صفحه را دوباره باز کنید و دوباره بفرستید."
_DONE = {
    "take": "درخواست را برداشتید؛ وضعیت آن «در دست اقدام» شد و به دفتر پیشخوان می‌رسد.",
    "complete": "درخواست انجام‌شده ثبت شد؛ دفتر پیشخوان و شهروند باخبر می‌شوند.",
    "reject": "درخواست رد شد؛ دلیل به دفتر پیشخوان و شهروند می‌رسد.",
}
