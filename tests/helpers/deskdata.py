"""Shared set-up for Foundation tests: an initialised data folder with users and a small catalog."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from desk_app.domain.identifiers import national_code_check_digit

CATALOG = {
    "version": "1405-09-01",
    "services": [
        {
            "code": "2101",
            "title": "صدور گذرنامه",
            "agency": "پلیس گذرنامه",
            "fees": [{"kind": "government", "amount": 12000000}, {"kind": "office", "amount": 850000}],
            "documents": ["کارت ملی", "شناسنامه"],
            "active": True,
        },
        {
            "code": "1101",
            "title": "ثبت‌نام کارت هوشمند ملی",
            "agency": "ثبت احوال",
            "fees": [{"kind": "government", "amount": 3500000}, {"kind": "office", "amount": 650000}],
            "documents": ["شناسنامه"],
            "active": True,
        },
        {
            "code": "3001",
            "title": "خدمت غیرفعال",
            "agency": "آزمایشی",
            "fees": [{"kind": "office", "amount": 100000}],
            "documents": [],
            "active": False,
        },
    ],
}
PASSWORD = "secret-123"


def national_code(n: int) -> str:
    """A valid national code made from the number n (distinct n -> distinct codes)."""
    first9 = f"{(n * 7919 + 1234567) % 10**9:09d}"
    if first9[3:9] == "000000":
        first9 = first9[:8] + "1"
    code = first9 + str(national_code_check_digit(first9))
    if len(set(code)) == 1:
        return national_code(n + 1)
    return code


def random_code(rng: random.Random) -> str:
    return national_code(rng.randrange(10**8))


_TEMPLATES: dict[tuple, Path] = {}


def make_desk(home: Path, *, office="4512", device=2, catalog=True):
    """Open `home`, initialised: office, clerk `ali`, clerk `sara`, manager `boss`, the catalog.

    The first call builds the folder for real (scrypt, migrations, catalog import); later calls
    copy that database file, which is the same state and keeps the suite fast.
    """
    import shutil

    from desk_app.services.context import Desk, database_path
    from tests.helpers.scratch import scratch_dir

    key = (office, device, catalog)
    if key not in _TEMPLATES:
        folder = scratch_dir("desk-template")
        _build(folder, office, device, catalog).close()
        _TEMPLATES[key] = database_path(folder)
    Path(home).mkdir(parents=True, exist_ok=True)
    shutil.copyfile(_TEMPLATES[key], database_path(home))
    return Desk.open(home)


def _build(home: Path, office, device, catalog):
    from desk_app.services import catalog as catalog_svc
    from desk_app.services import setup, users
    from desk_app.services.context import Desk

    desk = Desk.open(home)
    setup.init_office(desk, office, "دفتر پیشخوان آزمایشی", device)
    users.add_user(desk, "ali", "clerk", PASSWORD, "علی رضایی")
    users.add_user(desk, "sara", "clerk", PASSWORD, "سارا محمدی")
    users.add_user(desk, "boss", "manager", PASSWORD, "مدیر دفتر")
    if catalog:
        catalog_svc.import_catalog(desk, CATALOG)
    return desk


def register(desk, n: int = 1, **kw):
    from desk_app.services import intake

    args = dict(clerk="ali", national_code=national_code(n), first_name="محمد", last_name="کریمی", service_code="2101")
    args.update(kw)
    return intake.register_request(desk, **args)


@pytest.fixture
def desk(home):
    """`make_desk(home)`, closed after the test (import it into a test module to use it)."""
    d = make_desk(home)
    yield d
    d.close()
