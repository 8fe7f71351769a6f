"""The request lifecycle (DESIGN.md section 2, Request status) and the outbox states."""

from __future__ import annotations

import itertools

import pytest

from desk_app.domain.errors import InvalidInput, InvalidTransition
from desk_app.domain.status import (
    FINAL_STATUSES,
    STATUS_LABELS_FA,
    OutboxState,
    Status,
    can_transition,
    check_transition,
    parse_status,
)

R, S, P, C, J, X = "registered", "submitted", "in_progress", "completed", "rejected", "cancelled"
ALLOWED = {
    (R, S),
    (R, P),
    (R, C),
    (R, J),
    (R, X),  # the feed may skip states it carries
    (S, P),
    (S, C),
    (S, J),
    (S, X),
    (P, C),
    (P, J),
    (P, X),
}


def test_names_are_the_design_ones():
    assert [s.value for s in Status] == [R, S, P, C, J, X]
    assert FINAL_STATUSES == {Status.COMPLETED, Status.REJECTED, Status.CANCELLED}
    assert [o.value for o in OutboxState] == ["pending", "sending", "acked", "attention", "withdrawn"]
    assert Status.IN_PROGRESS == "in_progress"  # a StrEnum compares with the stored text


@pytest.mark.parametrize("old, new", list(itertools.product(Status, Status)))
def test_every_pair(old, new):
    if old == new or (old.value, new.value) in ALLOWED:
        check_transition(old, new)
        assert can_transition(old, new)
        return
    assert not can_transition(old, new)
    with pytest.raises(InvalidTransition) as info:
        check_transition(old.value, new.value)
    err = info.value
    assert isinstance(err, InvalidInput) and isinstance(err, ValueError)
    assert err.old == old.value and err.new == new.value and err.field == "status"
    assert STATUS_LABELS_FA[old] in err.message  # the user sees the state in Persian


def test_final_states_never_change_and_backwards_is_refused():
    for final in FINAL_STATUSES:
        for other in set(Status) - {final}:
            assert not can_transition(final, other)
    assert not can_transition(Status.IN_PROGRESS, Status.SUBMITTED)
    assert not can_transition(Status.SUBMITTED, Status.REGISTERED)


def test_labels_and_parse():
    assert set(STATUS_LABELS_FA) == set(Status)
    assert all(any("\u0600" <= ch <= "\u06ff" for ch in label) for label in STATUS_LABELS_FA.values())
    assert parse_status(" In_Progress ") is Status.IN_PROGRESS
    with pytest.raises(InvalidInput):
        parse_status("done")
    with pytest.raises(InvalidInput):
        check_transition("registered", "done")
