"""`desk-app self-test`: what `make dist` runs inside the bundle, here on the source tree."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.timeout(120)
def test_self_test_opens_a_database_and_renders_a_receipt(home):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(
        [sys.executable, "-m", "desk_app", "--json", "self-test"],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["ok"] and result["layout_rtl"] and result["translation"]
    assert result["receipt_px"][0] == 576 and result["receipt_px"][1] > 400
    assert result["scanned_pages"] == {"g4": True, "jpeg": True, "pdf": True}
    assert not any(home.iterdir())  # a throw-away folder: the user's data folder is untouched
