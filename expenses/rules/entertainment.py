"""交際費 vs 会議費: the per-person rule (domain.md R8)."""

import enum
from dataclasses import dataclass


class EntertainmentOutcome(enum.StrEnum):
    MEETING_EXPENSE_OK = "meeting_ok"  # ≤ limit with outside attendees: excluded from 交際費 (R8.1)
    ENTERTAINMENT = "entertainment"  # over the limit: the whole amount is 交際費 (R8.3)
    INTERNAL_ONLY = "internal_only"  # 社内飲食: always 交際費 (R8.4)


@dataclass(frozen=True)
class PerPersonResult:
    per_person: int
    limit: int
    outcome: EntertainmentOutcome


def per_person_amount(total: int, participants: int) -> int:
    """R8.2: total ÷ participants, rounded up so the test never passes by truncation."""
    if participants <= 0:
        raise ValueError("participants must be positive")
    q, r = divmod(total, participants)
    return q + (1 if r else 0)


def judge_per_person(total: int, participants: int, *, includes_external: bool, limit: int) -> PerPersonResult:
    per_person = per_person_amount(total, participants)
    if not includes_external:
        outcome = EntertainmentOutcome.INTERNAL_ONLY
    elif per_person <= limit:
        outcome = EntertainmentOutcome.MEETING_EXPENSE_OK
    else:
        outcome = EntertainmentOutcome.ENTERTAINMENT
    return PerPersonResult(per_person, limit, outcome)
