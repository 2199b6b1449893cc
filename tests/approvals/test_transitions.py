from approvals.transitions import ALLOWED_TRANSITIONS, EDITABLE_STATUSES, Actor, ClaimStatus, is_allowed


def test_applicant_submits_a_draft() -> None:
    assert is_allowed(ClaimStatus.DRAFT, ClaimStatus.SUBMITTED, Actor.APPLICANT)


def test_nobody_approves_a_draft_directly() -> None:
    assert not any(is_allowed(ClaimStatus.DRAFT, ClaimStatus.APPROVED, actor) for actor in Actor)


def test_only_the_system_marks_a_claim_approved() -> None:
    assert ALLOWED_TRANSITIONS[(ClaimStatus.SUBMITTED, ClaimStatus.APPROVED)] == frozenset({Actor.SYSTEM})


def test_terminal_states_have_no_way_out() -> None:
    for terminal in (ClaimStatus.REJECTED, ClaimStatus.WITHDRAWN):
        assert not [pair for pair in ALLOWED_TRANSITIONS if pair[0] == terminal]


def test_only_draft_and_returned_are_editable() -> None:
    assert EDITABLE_STATUSES == {ClaimStatus.DRAFT, ClaimStatus.RETURNED}
