"""A full disk refuses the page with a clear Persian message and keeps everything already there.

The data folder lives on a real small file system: a 4 MB tmpfs mounted (as root) under the
test's tmp_path, filled up with a ballast file. Without root (a laptop) the test is skipped; under
CI=true, which runs as root, it must run."""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from desk_app.services import attachments as A
from desk_app.store.errors import StoreError
from tests.helpers.deskdata import make_desk, register
from tests.helpers.tools import missing

APP = [sys.executable, "-m", "desk_app"]


def _mount(tmp_path, options: str) -> Path:
    if os.name != "posix" or os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root (CI runs as root)")
    mount = tmp_path / "small"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"{options},mode=0700", "tmpfs", str(mount)], capture_output=True
    )
    if done.returncode != 0:
        missing(f"mount -t tmpfs as root: {done.stderr.decode(errors='replace').strip()}")
    return mount


@pytest.fixture
def small_disk(tmp_path):
    """A 4 MB file system."""
    mount = _mount(tmp_path, "size=4m")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


@pytest.fixture
def few_inodes(tmp_path):
    """A file system with room for bytes but for only 200 files (full by file count, as a disk
    full of small files is): the free-space check passes, the write itself meets ENOSPC."""
    mount = _mount(tmp_path, "size=8m,nr_inodes=200")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def fill(folder: Path, leave: int) -> Path:
    """Write a ballast file until the file system has about `leave` bytes free."""
    ballast = folder / "ballast"
    with open(ballast, "wb") as fh:
        while True:
            free = os.statvfs(folder).f_bavail * os.statvfs(folder).f_frsize
            if free <= leave:
                break
            try:
                fh.write(b"\0" * min(64 * 1024, free - leave))
                fh.flush()
            except OSError as exc:
                assert exc.errno == errno.ENOSPC
                break
    return ballast


def use_up_inodes(folder: Path) -> list[Path]:
    made = []
    (folder / "ballast.d").mkdir()
    while True:
        path = folder / "ballast.d" / f"f{len(made)}"
        try:
            path.touch()
        except OSError as exc:
            assert exc.errno == errno.ENOSPC
            return made
        made.append(path)


def _keeps(desk, home, receipt, kept) -> None:
    assert [p.sha256 for p in A.list_pages(desk, receipt)] == [kept.sha256]
    assert A.verify(desk) == [] and A.read_page(desk, kept.sha256)  # the earlier page is intact
    assert list((A.attachments_dir(home) / A.TMP).iterdir()) == []  # no half-written temporary file


def test_full_disk_refuses_and_keeps_what_is_there(small_disk, samples):
    home = small_disk / "home"
    desk = make_desk(home)
    try:
        desk.settings.set("attachment_reserve_mb", 0)
        receipt = register(desk, 1).receipt_no
        first = A.attach_files(desk, receipt, [samples["card_jpg"]], document="کارت ملی")
        assert first.complete and first.stored == 1
        ballast = fill(small_disk, leave=8 * 1024)  # less than the ~25 KB text page needs
        result = A.attach_files(desk, receipt, [samples["text_png"]])
        assert not result.complete and result.error_kind == "full" and result.stored == 0
        assert "فضای خالی دیسک" in result.error and "هیچ صفحه‌ای" in result.error
        _keeps(desk, home, receipt, first.pages[0])
        ballast.unlink()
        again = A.attach_files(desk, receipt, [samples["text_png"]])
        assert again.complete and again.stored == 1  # space freed: it goes in
    finally:
        desk.close()


def test_write_that_meets_enospc(few_inodes, samples):
    home = few_inodes / "home"
    desk = make_desk(home)
    try:
        desk.settings.set("attachment_reserve_mb", 0)
        receipt = register(desk, 1).receipt_no
        first = A.attach_files(desk, receipt, [samples["card_jpg"]])
        ballast = use_up_inodes(few_inodes)
        result = A.attach_files(desk, receipt, [samples["text_png"]])
        assert result.error_kind == "full" and "فضای دیسک پر است" in result.error and result.stored == 0
        _keeps(desk, home, receipt, first.pages[0])
        for path in ballast[:20]:
            path.unlink()
        assert A.attach_files(desk, receipt, [samples["text_png"]]).stored == 1
    finally:
        desk.close()


def test_reserve_keeps_room_for_registrations(small_disk, samples):
    """With the default reserve (200 MB) nothing fits on a 4 MB disk: refused before any write,
    and a registration still goes through afterwards."""
    home = small_disk / "home"
    desk = make_desk(home)
    try:
        receipt = register(desk, 1).receipt_no
        with pytest.raises(StoreError) as info:
            A.store_page(desk, receipt, A.imaging.compress(A.imaging.Image.new("L", (400, 400), 250)))
        assert info.value.kind == "full" and "کنار گذاشته" in info.value.message
        assert A.list_pages(desk, receipt) == [] and not any(A.attachments_dir(home).rglob("*.part"))
        assert register(desk, 2).receipt_no  # the database still has its room
    finally:
        desk.close()


def test_cli_full_disk_exit_code(small_disk, samples):
    home = small_disk / "home"
    desk = make_desk(home)
    receipt = register(desk, 1).receipt_no
    desk.settings.set("attachment_reserve_mb", 0)
    desk.close()
    fill(small_disk, leave=96 * 1024)  # room for the database's journal files and about one page
    done = subprocess.run(
        [*APP, "--home", str(home), "attach", receipt, str(samples["pdf"]), str(samples["card_jpg"]), "--json"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 3, done.stderr
    assert "دیسک" in done.stderr and "فضا آزاد کنید" in done.stderr
    out = json.loads(done.stdout)
    assert out["complete"] is False and out["stored"] < 3
    listed = subprocess.run(
        [*APP, "--home", str(home), "attachment", "list", receipt, "--json"], capture_output=True, text=True
    )
    assert [p["sha256"] for p in json.loads(listed.stdout)] == [p["sha256"] for p in out["pages"]]


def test_scan_refused_on_a_full_disk_before_the_scanner_starts(small_disk, sane_test):
    sane_test(test_picture="Grid")
    from desk_app.services.scanner import SaneScanner

    home = small_disk / "home"
    desk = make_desk(home)
    try:
        receipt = register(desk, 1).receipt_no
        scanner = SaneScanner()
        with pytest.raises(StoreError) as info:
            A.scan(desk, receipt, scanner=scanner)
        assert info.value.kind == "full" and scanner.process is None  # scanimage never started
        assert A.list_pages(desk, receipt) == []
    finally:
        desk.close()
