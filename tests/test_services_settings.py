"""Typed settings: declared once, converted in one place, bad values refused in Persian."""

from __future__ import annotations

import pytest

from desk_app.domain.errors import InvalidInput
from desk_app.services.context import Desk


def test_defaults_types_and_round_trip(home):
    with Desk.open(home) as desk:
        s = desk.settings
        assert (s.get("display_unit"), s.get("printer_paper"), s.get("cash_drawer"), s.get("office_code")) == (
            "rial",
            80,
            False,
            None,
        )
        assert not desk.is_initialised
        s.set_many({"printer_paper": "58", "cash_drawer": True, "display_unit": "toman"})
        s.set("printer_dots", None)
    with Desk.open(home) as desk:  # stored, not cached
        assert desk.settings.get("printer_paper") == 58 and desk.settings.get("cash_drawer") is True
        assert desk.settings.all()["display_unit"] == "toman" and desk.settings.get("printer_dots") is None


@pytest.mark.parametrize(
    "key, value, needle",
    [
        ("display_unit", "dollar", "display_unit"),
        ("printer_paper", "72", "printer_paper"),
        ("printer_paper", "wide", "عدد"),
        ("cash_drawer", "yes", "بله/خیر"),
    ],
)
def test_bad_values_are_refused(home, key, value, needle):
    with Desk.open(home) as desk:
        with pytest.raises(InvalidInput, match=needle):
            desk.settings.set(key, value)
        assert desk.settings.get(key) == desk.settings.all()[key]


def test_unknown_setting_is_a_bug(home):
    with Desk.open(home) as desk, pytest.raises(KeyError):
        desk.settings.get("device_token")
