"""The console in a real browser (Debian's Chromium under Selenium): agency staff sign in, open
the worklist, complete a request, and the counter desk's `sync --once` then shows it completed."""

from __future__ import annotations

import json

import pytest
from selenium.webdriver.common.by import By

from tests.helpers.browser import chromium
from tests.helpers.console import PASSWORD, POLICE
from tests.helpers.syncrig import Rig, templates


@pytest.fixture
def rig(tmp_path, tmp_path_factory):
    r = Rig(tmp_path / "rig", templates(tmp_path_factory))
    yield r
    r.close()


@pytest.fixture
def browser(tmp_path, tmp_path_factory):
    with chromium(tmp_path, short_base=tmp_path_factory.getbasetemp()) as drv:
        yield drv


def test_agency_staff_complete_a_request_in_the_browser_and_the_desk_sees_it(rig, browser):
    from provincial_server.console.staff import add_staff
    from provincial_server.db import ServerDB

    db = ServerDB(rig.srv.db_url)
    add_staff(db, "police1", "agency", POLICE["agency"], PASSWORD)
    db.dispose()
    receipt = rig.register(1)[0]
    receipt_no = receipt.receipt_no if hasattr(receipt, "receipt_no") else receipt["receipt_no"]
    first = rig.desk_app("sync", "--once", "--json")
    assert first.returncode == 0, first.stderr

    b = browser
    b.get(rig.srv.url + "/console/")
    assert b.find_element(By.TAG_NAME, "html").get_attribute("dir") == "rtl"
    b.find_element(By.NAME, "username").send_keys("police1")
    b.find_element(By.NAME, "password").send_keys("not the password")
    b.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    assert "نادرست" in b.find_element(By.CSS_SELECTOR, "[role=alert]").text
    b.find_element(By.NAME, "password").send_keys(PASSWORD)
    b.find_element(By.CSS_SELECTOR, "form.stack button[type=submit]").click()
    assert b.current_url.endswith("/console/requests")
    assert "کارتابل" in b.find_element(By.TAG_NAME, "h1").text
    row = next(tr for tr in b.find_elements(By.CSS_SELECTOR, "table.list tbody tr") if receipt_no in tr.text)
    assert "ارسال‌شده" in row.text
    row.find_element(By.CSS_SELECTOR, "a").click()
    assert receipt_no in b.page_source and "محمد کریمی" in b.page_source
    b.find_element(By.CSS_SELECTOR, "form[action$='/complete'] textarea").send_keys("آماده‌ی تحویل در دفتر")
    b.find_element(By.CSS_SELECTOR, "form[action$='/complete'] button").click()
    assert "انجام‌شده ثبت شد" in b.find_element(By.CSS_SELECTOR, "[role=status]").text
    assert "انجام‌شده" in b.find_element(By.CSS_SELECTOR, "h1 .badge").text

    again = rig.desk_app("sync", "--once", "--json")
    assert again.returncode == 0, again.stderr
    listed = rig.desk_app("request", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    mine = next(r for r in json.loads(listed.stdout) if r["receipt_no"] == receipt_no)
    assert mine["status"] == "completed"
