"""Debian's Chromium driven by Selenium through Debian's chromium-driver, headless.

`chromium(tmp)` skips (or fails under CI=true) when either is missing. Nothing else is
downloaded: Selenium Manager is bypassed by naming the driver and the browser."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from tests.helpers.tools import missing

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
DRIVER_CANDIDATES = ("/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver")


def _first(paths, name) -> str | None:
    for p in paths:
        if Path(p).exists():
            return p
    return shutil.which(name)


@contextlib.contextmanager
def chromium(tmp: Path, width: int = 1366, height: int = 900, *, short_base: Path | None = None) -> Iterator:
    """A headless Chromium WebDriver with its profile under `tmp`, quit and cleaned up after.

    Chromium's singleton socket must have a path under 108 bytes, which pytest's folders exceed:
    its temporary folder is a short one made in `short_base` (pytest's basetemp; else TMPDIR),
    removed afterwards."""
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        missing("the selenium package (test extras)")
    browser = _first(CHROMIUM_CANDIDATES, "chromium")
    driver = _first(DRIVER_CANDIDATES, "chromedriver")
    if not browser or not driver:
        missing("chromium and chromium-driver (Debian packages)")
    opts = webdriver.ChromeOptions()
    opts.binary_location = browser
    for arg in (
        "--headless=new",
        "--no-sandbox",  # root in a container
        "--disable-gpu",
        "--disable-dev-shm-usage",
        f"--window-size={width},{height}",
        f"--user-data-dir={tmp / 'chromium-profile'}",
        "--lang=fa-IR",
        "--force-device-scale-factor=1",
        "--hide-scrollbars",
    ):
        opts.add_argument(arg)
    base = str(short_base or os.environ.get("TMPDIR") or tmp)
    if len(base) > 40:  # the socket's path adds ~60 bytes: deep pytest folders overflow 108
        base = "/tmp" if os.path.isdir("/tmp") else base  # removed again below
    short = tempfile.mkdtemp(prefix="cr", dir=base)
    env = {**os.environ, "TMPDIR": short}
    service = Service(executable_path=driver, log_output=str(tmp / "chromedriver.log"), env=env)
    try:
        drv = webdriver.Chrome(service=service, options=opts)
        try:
            yield drv
        finally:
            drv.quit()
    finally:
        shutil.rmtree(short, ignore_errors=True)


def full_page_screenshot(drv, path: Path, width: int = 1366, min_height: int = 768) -> None:
    """The whole page at `width` CSS pixels, once its images are loaded (the viewport is set
    through DevTools: a headless window's outer size is not its viewport)."""
    drv.execute_script("return document.fonts.ready")
    for _ in range(50):
        if drv.execute_script("return Array.from(document.images).every(i => i.complete)"):
            break
        time.sleep(0.1)
    metrics = {"width": width, "height": min_height, "deviceScaleFactor": 1, "mobile": False}
    drv.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", metrics)
    height = drv.execute_script("return Math.max(document.documentElement.scrollHeight, document.body.scrollHeight)")
    drv.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {**metrics, "height": max(min_height, int(height))})
    path.parent.mkdir(parents=True, exist_ok=True)
    drv.save_screenshot(str(path))
    drv.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def window_screenshot(drv, path: Path, width: int = 1366, height: int = 768) -> None:
    """What a 1366x768 screen shows of the page (the top of a long list)."""
    drv.execute_script("return document.fonts.ready")
    metrics = {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False}
    drv.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", metrics)
    path.parent.mkdir(parents=True, exist_ok=True)
    drv.save_screenshot(str(path))
    drv.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
