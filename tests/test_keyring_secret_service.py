"""The device token and the backup passphrase in a real OS keyring (issue 9, fault 5).

A private D-Bus session (`dbus-run-session`) with gnome-keyring's Secret Service, its login keyring
created and unlocked non-interactively under the test's folder; the real `desk-app` enrols against
the real provincial server, sets the backup passphrase, syncs and backs up reading both secrets
back from the keyring, and `secret-tool` (libsecret, another client) finds them there. The rest of
the suite keeps `DESK_APP_NO_KEYRING=1` (tests/conftest.py); this test opts out of it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from desk_app.services.autobackup import _account as passphrase_account
from desk_app.sync.credentials import SERVICE, _keyring_account
from tests.helpers.server import ServerProcess
from tests.helpers.tools import require_tool

pytestmark = pytest.mark.timeout(180)

PASSPHRASE = "رمز پشتیبان دفتر ۴۵۱۲"
KEYRING_PASSWORD = "unlock-the-test-keyring"

SCRIPT = r"""
set -u
export HOME="$ROOT" XDG_DATA_HOME="$ROOT/xdg-data" XDG_RUNTIME_DIR="$ROOT/run"
export XDG_CONFIG_HOME="$ROOT/xdg-config"
unset DESK_APP_NO_KEYRING
mkdir -p "$XDG_DATA_HOME" "$XDG_CONFIG_HOME"
# the login keyring is created (first time) and unlocked with the password on standard input
eval "$(printf '%s' "$KEYRING_PASSWORD" | gnome-keyring-daemon --unlock --components=secrets)"
export GNOME_KEYRING_CONTROL
step() {
  name=$1; shift
  "$@" >"$ROOT/out/$name.out" 2>"$ROOT/out/$name.err" <"${STDIN:-/dev/null}"; echo $? >"$ROOT/out/$name.rc"
}
step init "$DESK" init --office 4512 --office-name "دفتر آزمایشی" --device 2 --server "$SERVER" \
  --token-file "$ROOT/token.txt"
printf '%s\n' "$PASSPHRASE" > "$ROOT/pass.txt"
STDIN="$ROOT/pass.txt" step passphrase "$DESK" backups passphrase
rm -f "$ROOT/pass.txt"
step sync "$DESK" sync --once --json
step backup "$DESK" backups run --json
step lookup_token secret-tool lookup service "$SERVICE" username "$TOKEN_ACCOUNT"
step lookup_pass secret-tool lookup service "$SERVICE" username "$PASS_ACCOUNT"
step selftest "$DESK" self-test
"""


def _result(out: Path, name: str) -> tuple[int, str, str]:
    return (
        int((out / f"{name}.rc").read_text()),
        (out / f"{name}.out").read_text(encoding="utf-8"),
        (out / f"{name}.err").read_text(encoding="utf-8"),
    )


def test_token_and_backup_passphrase_live_in_the_secret_service(tmp_path):
    for tool in ("dbus-run-session", "gnome-keyring-daemon", "secret-tool"):
        require_tool(tool, f"`{tool}` (Debian: dbus, gnome-keyring, libsecret-tools) for the Secret Service test")
    srv = ServerProcess(f"sqlite:///{tmp_path / 'provincial.db'}", cwd=tmp_path)
    token = srv.quick_setup({"4512": (2,)})[("4512", 2)]
    srv.start()
    root = tmp_path / "pc"
    (root / "out").mkdir(parents=True)
    (root / "run").mkdir(mode=0o700)
    home = root / "desk-home"
    (root / "token.txt").write_text(token)
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DBUS_", "GNOME_KEYRING"))},
        "ROOT": str(root),
        "DESK": str(Path(sys.executable).parent / "desk-app"),
        "DESK_APP_HOME": str(home),
        "SERVER": srv.url,
        "SERVICE": SERVICE,
        "TOKEN_ACCOUNT": _keyring_account(home),
        "PASS_ACCOUNT": passphrase_account(home),
        "PASSPHRASE": PASSPHRASE,
        "KEYRING_PASSWORD": KEYRING_PASSWORD,
    }
    try:
        subprocess.run(
            ["dbus-run-session", "--", "bash", "-c", SCRIPT], env=env, cwd=root, timeout=150, capture_output=True
        )
    finally:
        srv.stop()
    out = root / "out"

    code, _, err = _result(out, "init")
    assert code == 0, err
    code, _, err = _result(out, "passphrase")
    assert code == 0 and "انبار رمز سیستم" in err, err  # "kept in the system keyring"
    assert not (home / "device.token").exists() and not (home / "backup.passphrase").exists()
    assert not any(token.encode() in p.read_bytes() for p in home.rglob("*") if p.is_file())

    code, found, err = _result(out, "lookup_token")  # another client of the Secret Service sees it
    assert code == 0 and found == token, err
    code, found, err = _result(out, "lookup_pass")
    assert code == 0 and found == PASSPHRASE, err

    code, report, err = _result(out, "sync")  # the token is read back from the keyring
    assert code == 0 and json.loads(report)["online"], err
    code, written, err = _result(out, "backup")  # and so is the passphrase
    assert code == 0 and Path(json.loads(written)["file"]).is_file(), err
    code, checks, err = _result(out, "selftest")
    assert code == 0 and json.loads(checks)["credentials"]["store"] == "keyring:SecretService", (checks, err)
    # the keyring's own file lives in the test's folder, encrypted
    keyrings = list((root / "xdg-data" / "keyrings").glob("*.keyring"))
    assert keyrings and not any(token.encode() in k.read_bytes() for k in keyrings)
