"""Roles and permissions, and the canonical payload bytes shared by client and server."""

from __future__ import annotations

import hashlib
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desk_app.domain.canonical import canonical_json, payload_sha256
from desk_app.domain.errors import InvalidInput, PermissionDenied
from desk_app.domain.roles import ACTIONS, Role, can, parse_role, require

DESIGN_ACTIONS = {
    "register",
    "cancel",
    "refund",
    "close_own_shift",
    "close_any_shift",
    "manage_users",
    "daily_report",
    "settings",
    "catalog_import",
    "backup",
    "purge_attachments",
}


def test_actions_and_roles():
    assert ACTIONS == DESIGN_ACTIONS
    assert [r.value for r in Role] == ["clerk", "manager"]


@pytest.mark.parametrize("action", sorted(DESIGN_ACTIONS))
def test_manager_may_do_everything(action):
    require(Role.MANAGER, action)
    require("manager", action)


@pytest.mark.parametrize("action", ["register", "cancel", "refund", "close_own_shift"])
def test_clerk_counter_work(action):
    require(Role.CLERK, action)


@pytest.mark.parametrize(
    "action",
    ["manage_users", "daily_report", "settings", "catalog_import", "backup", "purge_attachments", "close_any_shift"],
)
def test_clerk_is_refused_manager_work_in_persian(action):
    with pytest.raises(PermissionDenied) as info:
        require("clerk", action)
    assert "اجازه" in str(info.value) and info.value.action == action


def test_unknown_role_and_action():
    assert not can("admin", "register")
    with pytest.raises(PermissionDenied):
        require("root", "register")
    with pytest.raises(ValueError):  # an unknown action is a bug in the caller
        require("manager", "format_disk")
    assert parse_role(" Manager ") is Role.MANAGER
    with pytest.raises(InvalidInput):
        parse_role("admin")


PAYLOAD = {
    "request_id": "3f1c",
    "total": 12850000,
    "citizen": {"last_name": "رضایی", "first_name": "علی"},
    "fees": [{"kind": "government", "amount": 12000000}],
    "server_ref": None,
    "ok": True,
}
EXPECTED = (
    '{"citizen":{"first_name":"علی","last_name":"رضایی"},"fees":[{"amount":12000000,"kind":"government"}],'
    '"ok":true,"request_id":"3f1c","server_ref":null,"total":12850000}'
).encode()


def test_canonical_json_bytes_are_exactly_the_design_ones():
    assert canonical_json(PAYLOAD) == EXPECTED
    assert payload_sha256(PAYLOAD) == hashlib.sha256(EXPECTED).hexdigest()
    assert payload_sha256(EXPECTED) == hashlib.sha256(EXPECTED).hexdigest()  # bytes hashed as they are
    assert payload_sha256(bytearray(EXPECTED)) == payload_sha256(EXPECTED)
    assert "علی".encode() in canonical_json(PAYLOAD)  # UTF-8, not \u escapes


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**13), 10**13) | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=15,
)


@settings(deadline=None, max_examples=60)
@given(st.dictionaries(st.text(max_size=8), json_values, max_size=6))
def test_hash_ignores_key_order_and_survives_a_round_trip(payload):
    shuffled = dict(reversed(list(payload.items())))
    assert canonical_json(shuffled) == canonical_json(payload)
    again = json.loads(canonical_json(payload).decode("utf-8"))
    assert payload_sha256(again) == payload_sha256(payload)
