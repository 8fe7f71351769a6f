"""A restore never lets two PCs print the same receipt number (issue 9, fault 1).

Two counter PCs of office 4700 (two data folders), enrolled with the real provincial server on
loopback, driven through the real `desk-app` commands. Restoring device 1's backup onto device 2's
PC used to succeed with exit 0, turn that PC into device 1, and let both PCs hand out
`4700-1-…-0004`. Now it is refused unless the manager confirms the old PC is retired, and even then
(and after any restore) no number is given before `hello` has confirmed the device and given its
last receipt number.
"""

from __future__ import annotations

import io
import json
import sys

import pytest

from desk_app.cli import main
from desk_app.domain.receipt import parse_receipt_no
from tests.helpers.deskdata import CATALOG, national_code
from tests.helpers.server import ServerProcess

pytestmark = pytest.mark.timeout(240)

PASS = "گذرواژهٔ پشتیبان ۱۲۳"
OFFICE = "4700"


class PC:
    """One counter PC: a data folder driven through `desk-app` (in this process, as `main`)."""

    def __init__(self, home, monkeypatch, capsys):
        self.home, self.monkeypatch, self.capsys = home, monkeypatch, capsys
        self.printed: list[str] = []  # every receipt number this PC handed out

    def run(self, *argv, stdin: str = "") -> tuple[int, str, str]:
        self.monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        code = main(["--home", str(self.home), *argv])
        out, err = self.capsys.readouterr()
        return code, out, err

    def set_up(self, device: int, server: str, token: str, tmp_path) -> None:
        token_file = tmp_path / f"token-{device}-{self.home.name}.txt"
        token_file.write_text(token)
        steps = [
            ("init", "--office", OFFICE, "--office-name", "دفتر ۴۷۰۰", "--device", str(device)),
            ("enrol", "--server", server, "--token-file", str(token_file)),
        ]
        for argv in steps:
            code, _, err = self.run(*argv)
            assert code == 0, err
        assert self.run("user", "add", "--username", "ali", "--role", "clerk", stdin="secret-123\n")[0] == 0
        catalog = tmp_path / "catalog.json"
        catalog.write_text(json.dumps(CATALOG, ensure_ascii=False), encoding="utf-8")
        assert self.run("catalog", "import", str(catalog))[0] == 0

    def add(self, n: int) -> tuple[int, str, str]:
        code, out, err = self.run(
            "request", "add", "--national-code", national_code(n), "--first-name", "محمد", "--last-name",
            "کریمی", "--service", CATALOG["services"][0]["code"], "--clerk", "ali", "--json",
        )  # fmt: skip
        if code == 0:
            self.printed.append(json.loads(out)["receipt_no"])
        return code, out, err

    def receipt(self, n: int) -> str:
        code, out, err = self.add(n)
        assert code == 0, err
        return json.loads(out)["receipt_no"]

    def sync(self) -> dict:
        code, out, err = self.run("sync", "--once", "--json")
        assert out, err
        return json.loads(out)


@pytest.fixture
def province(tmp_path):
    srv = ServerProcess(f"sqlite:///{tmp_path / 'provincial.db'}", cwd=tmp_path)
    srv.tokens = srv.quick_setup({OFFICE: (1, 2)})
    srv.start()
    yield srv
    srv.stop()


def _follows(receipt: str, last: str) -> bool:
    """`receipt` is the number right after `last` (same device and day), or a new day's first."""
    a, b = parse_receipt_no(receipt), parse_receipt_no(last)
    return (a.office, a.device) == (b.office, b.device) and (a.yymmdd > b.yymmdd or a.seq == b.seq + 1)


def test_restoring_another_devices_backup_never_prints_a_number_twice(province, tmp_path, monkeypatch, capsys):
    pc1 = PC(tmp_path / "pc1", monkeypatch, capsys)
    pc2 = PC(tmp_path / "pc2", monkeypatch, capsys)
    pc1.set_up(1, province.url, province.tokens[(OFFICE, 1)], tmp_path)
    pc2.set_up(2, province.url, province.tokens[(OFFICE, 2)], tmp_path)
    pc1.receipt(1), pc1.receipt(2)
    assert pc1.sync()["acked"] == 2
    backup = tmp_path / "usb" / "device-1.pdbak"
    assert pc1.run("backup", str(backup), stdin=PASS + "\n")[0] == 0
    pc1.receipt(3)
    pc2.receipt(4)
    assert pc1.sync()["acked"] == 1 and pc2.sync()["acked"] == 1

    # 1. device 1's backup on device 2's PC: refused, in Persian, nothing replaced
    for argv in (("restore", str(backup)), ("backups", "restore", str(backup))):
        code, out, err = pc2.run(*argv, "--json", stdin=PASS + "\n")
        assert (code, out) == (1, ""), err
        assert "دستگاه 1" in err and "دستگاه 2" in err and "--replace-device" in err and "چیزی بازیابی نشد" in err
    assert parse_receipt_no(pc2.receipt(5)).device == 2  # still device 2: its own numbers
    pc1.receipt(6)  # device 1 goes on as before
    assert pc2.sync()["acked"] == 1  # (a restore replaces the database: what was not sent is lost)

    # 2. the manager says device 1's PC is retired: restored, but no number yet, and told what to do
    code, out, err = pc2.run("restore", str(backup), "--replace-device", "--json", stdin=PASS + "\n")
    assert code == 0, err
    answer = json.loads(out)
    assert (answer["office_code"], answer["device_no"]) == (OFFICE, "1")
    assert answer["replaced"] == {"office": OFFICE, "device": "2"}
    assert answer["device_confirmed"] is False and answer["enrolled"] is False
    steps = "\n".join(answer["next_steps"])
    assert f"provincial-server device enrol --office {OFFICE} --device 1" in steps
    assert f"provincial-server device revoke --office {OFFICE} --device 2" in steps
    assert f"desk-app enrol --server {province.url}" in steps and "desk-app sync --once" in steps
    assert "provincial-server device enrol" in err  # said on the terminal too
    assert not (pc2.home / "device.token").exists()  # device 2's token is not this PC's any more

    code, out, err = pc2.add(7)  # the moment the PC printed 4700-1-…-0004 a second time
    assert (code, out) == (1, ""), out
    assert "سرور استان" in err and "provincial-server device enrol" in err
    pc1.receipt(8)  # the old PC's last work before the province retires it
    assert pc1.sync()["acked"] == 2

    # 3. the province enrols this PC as device 1 (the old PC's token is revoked), the PC enrols
    token_file = tmp_path / "new-device-1.txt"
    token_file.write_text(province.enrol(OFFICE, 1))
    code, _, err = pc2.run("enrol", "--server", province.url, "--token-file", str(token_file))
    assert code == 0, err
    code, _, err = pc2.add(9)  # enrolled, but hello has not confirmed yet: still no number
    assert code == 1 and "سرور استان" in err
    report = pc2.sync()
    assert report["online"], report
    last_of_device_1 = pc1.printed[-1]
    first_after = pc2.receipt(10)
    assert _follows(first_after, last_of_device_1), (first_after, last_of_device_1)
    assert pc2.sync()["acked"] == 1
    assert pc1.sync()["stopped_reason"]  # the retired PC's token no longer works

    printed = pc1.printed + pc2.printed
    assert len(printed) == len(set(printed)), printed
    on_server = [r["receipt_no"] for r in province.list_requests(OFFICE)]
    assert len(on_server) == len(set(on_server)) and set(printed) <= set(on_server)


def test_restore_on_the_same_device_numbers_after_the_servers_last_once_hello_confirms(
    province, tmp_path, monkeypatch, capsys
):
    """Disaster recovery of one PC: its own older backup. Offline, intake waits for the server;
    once `hello` answers, numbering continues after the server's last number, as before."""
    from desk_app.services.context import Desk

    pc = PC(tmp_path / "pc", monkeypatch, capsys)
    pc.set_up(2, province.url, province.tokens[(OFFICE, 2)], tmp_path)
    pc.receipt(1)
    backup = tmp_path / "b.pdbak"
    assert pc.run("backup", str(backup), stdin=PASS + "\n")[0] == 0
    later = [pc.receipt(2), pc.receipt(3)]
    assert pc.sync()["acked"] == 3

    province.stop()  # the disk died while the link was down
    code, out, err = pc.run("restore", str(backup), "--json", stdin=PASS + "\n")
    assert code == 0, err  # its own device: no confirmation asked
    answer = json.loads(out)
    assert answer["server_reached"] is False and answer["device_confirmed"] is False and answer["replaced"] is None
    assert "سرور استان اکنون پاسخ نداد" in err and "desk-app sync --once" in err
    code, out, err = pc.add(4)
    assert (code, out) == (1, "") and "همگام‌سازی" in err  # it would have printed …-0002 again

    province.start()  # back on a new port: the IT person puts the new address in
    with Desk.open(pc.home) as desk:
        desk.settings.set("server_url", province.url)
    assert pc.sync()["online"]
    nxt = pc.receipt(5)
    assert _follows(nxt, later[-1]), (nxt, later)
    assert len(pc.printed) == len(set(pc.printed))


def test_a_restore_onto_a_new_pc_waits_for_enrolment(province, tmp_path, monkeypatch, capsys):
    """A PC not set up yet takes the backup's device (nothing to refuse) but numbers nothing until
    it is enrolled as that device and the server has said hello."""
    old = PC(tmp_path / "old", monkeypatch, capsys)
    old.set_up(2, province.url, province.tokens[(OFFICE, 2)], tmp_path)
    old.receipt(1), old.receipt(2)
    assert old.sync()["acked"] == 2
    backup = tmp_path / "b.pdbak"
    assert old.run("backup", str(backup), stdin=PASS + "\n")[0] == 0
    new = PC(tmp_path / "new", monkeypatch, capsys)
    code, out, err = new.run("restore", str(backup), "--json", stdin=PASS + "\n")
    assert code == 0, err
    answer = json.loads(out)
    assert answer["enrolled"] is False and answer["replaced"] is None
    assert any(f"device enrol --office {OFFICE} --device 2" in s for s in answer["next_steps"])
    assert new.add(3)[0] == 1
    token_file = tmp_path / "t.txt"
    token_file.write_text(province.enrol(OFFICE, 2))  # revokes the old PC's token
    assert new.run("enrol", "--server", province.url, "--token-file", str(token_file))[0] == 0
    assert new.sync()["online"]
    assert _follows(new.receipt(4), old.printed[-1])
