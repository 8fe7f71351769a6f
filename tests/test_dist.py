"""The PyInstaller bundle (`make dist`): built and run only on request, it takes minutes.

Opt in with PISHKHAN_TEST_DIST=1. The bundle is built into a temporary folder, then its own
`self-test` runs (database + offscreen receipt) and a fresh data folder is set up with it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        os.environ.get("PISHKHAN_TEST_DIST") != "1",
        reason="opt-in: set PISHKHAN_TEST_DIST=1 to build the PyInstaller bundle (minutes)",
    ),
]


@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> Path:
    pyinstaller = Path(sys.executable).with_name("pyinstaller")
    if not pyinstaller.exists():
        pytest.fail("PISHKHAN_TEST_DIST=1 but PyInstaller is not installed (pip install -e '.[dist]')")
    work = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [
            str(pyinstaller),
            "--noconfirm",
            "--clean",
            "--distpath",
            str(work / "dist"),
            "--workpath",
            str(work / "build"),
            str(ROOT / "build.spec"),
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
        timeout=1800,
    )
    exe = work / "dist" / "desk-app" / ("desk-app.exe" if sys.platform == "win32" else "desk-app")
    assert exe.exists()
    return exe


def _run(exe: Path, home: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    env.update(QT_QPA_PLATFORM="offscreen", DESK_APP_HOME=str(home), PYTHONIOENCODING="utf-8")
    return subprocess.run(
        [str(exe), *args], env=env, capture_output=True, text=True, encoding="utf-8", timeout=300, cwd=home
    )


@pytest.mark.timeout(2400)
def test_bundle_self_test(bundle, home):
    proc = _run(bundle, home, "self-test")
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.timeout(2400)
def test_bundle_carries_its_data(bundle):
    internal = bundle.parent / "_internal"
    base = internal if internal.is_dir() else bundle.parent
    for rel in [
        "resources/fonts/Vazirmatn-Regular.ttf",
        "resources/fonts/OFL.txt",
        "resources/catalog/demo-catalog.json",
        "escpos/capabilities.json",
        "tzdata/zoneinfo/Asia/Tehran",
        "desk_app/store/migrations/env.py",
    ]:
        assert (base / rel).exists(), rel
    assert list(base.rglob("libqoffscreen*")) or list(base.rglob("qoffscreen*.dll"))
    assert not (base / "provincial_server").exists()


@pytest.mark.timeout(2400)
def test_bundle_sets_up_an_office(bundle, home):
    """Migrations run from the bundle's files; Tehran dates work without a system tz database."""
    assert (
        _run(bundle, home, "init", "--office", "4512", "--office-name", "دفتر آزمایشی", "--device", "1").returncode == 0
    )
    proc = _run(bundle, home, "catalog", "import", str(ROOT / "resources" / "catalog" / "demo-catalog.json"))
    assert proc.returncode == 0, proc.stderr
    listed = _run(bundle, home, "catalog", "list", "--json")
    assert listed.returncode == 0 and "1101" in listed.stdout
