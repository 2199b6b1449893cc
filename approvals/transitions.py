"""The claim lifecycle: statuses and who may move a claim between them. Pure data, no DB."""

import enum

from django.db import models
from django.utils.translation import gettext_lazy as _


class ClaimStatus(models.TextChoices):
    DRAFT = "draft", _("下書き")
    SUBMITTED = "submitted", _("申請中")
    RETURNED = "returned", _("差戻し")
    WITHDRAWN = "withdrawn", _("取下げ")
    REJECTED = "rejected", _("否認")
    APPROVED = "approved", _("承認済み")
    PAID = "paid", _("支払済み")


class Actor(enum.StrEnum):
    APPLICANT = "applicant"
    DELEGATE = "delegate"
    APPROVER = "approver"
    ACCOUNTING = "accounting"
    SYSTEM = "system"


S = ClaimStatus
ALLOWED_TRANSITIONS: dict[tuple[ClaimStatus, ClaimStatus], frozenset[Actor]] = {
    (S.DRAFT, S.SUBMITTED): frozenset({Actor.APPLICANT, Actor.DELEGATE}),
    (S.SUBMITTED, S.WITHDRAWN): frozenset({Actor.APPLICANT}),
    (S.SUBMITTED, S.RETURNED): frozenset({Actor.APPROVER, Actor.ACCOUNTING}),
    (S.SUBMITTED, S.REJECTED): frozenset({Actor.APPROVER, Actor.ACCOUNTING}),
    (S.SUBMITTED, S.APPROVED): frozenset({Actor.SYSTEM}),
    (S.RETURNED, S.SUBMITTED): frozenset({Actor.APPLICANT, Actor.DELEGATE}),
    (S.APPROVED, S.RETURNED): frozenset({Actor.ACCOUNTING}),
    (S.APPROVED, S.PAID): frozenset({Actor.ACCOUNTING}),  # the payment batch it is in was marked paid
}

EDITABLE_STATUSES = frozenset({S.DRAFT, S.RETURNED})


def is_allowed(source: str, target: str, actor: Actor) -> bool:
    return actor in ALLOWED_TRANSITIONS.get((ClaimStatus(source), ClaimStatus(target)), frozenset())
