"""Duplicate suspicion (a warning, never a block): same file, near-identical image, or same date+amount+vendor."""

from collections import defaultdict
from functools import reduce
from operator import or_

from django.db.models import Q
from django.utils.translation import gettext as _

from approvals.transitions import ClaimStatus
from expenses.models import Claim, ClaimLine, Receipt

IGNORED_STATUSES = (ClaimStatus.WITHDRAWN, ClaimStatus.REJECTED)


def duplicate_warnings(claim: Claim, lines: list[ClaimLine]) -> dict[int, list[str]]:
    """Warnings per line id, in a constant number of queries whatever the number of lines."""
    warnings: dict[int, list[str]] = defaultdict(list)
    receipts = [r for line in lines for r in line.receipts.all() if r.is_current]
    if receipts:
        by_sha = {r.sha256: r for r in receipts}
        by_phash = {r.phash: r for r in receipts if r.phash}
        others = (
            Receipt.objects.filter(Q(sha256__in=list(by_sha)) | Q(phash__in=list(by_phash)))
            .filter(deleted_at__isnull=True, replaced_at__isnull=True)
            .exclude(pk__in=[r.pk for r in receipts])
            .exclude(claim__status__in=IGNORED_STATUSES)
            .select_related("claim")
        )
        for other in others:
            mine = by_sha.get(other.sha256)
            if mine is not None:
                warnings[mine.line_id].append(
                    _("同じファイルの領収書が %(number)s にも添付されています。") % {"number": other.claim.number})
                continue
            mine = by_phash.get(other.phash)
            if mine is not None:
                warnings[mine.line_id].append(
                    _("よく似た領収書画像が %(number)s にも添付されています。") % {"number": other.claim.number})
    keyed = [line for line in lines if line.expense_date and line.amount and line.vendor]
    if keyed:
        condition = reduce(or_, (Q(expense_date=line.expense_date, amount=line.amount, vendor__iexact=line.vendor)
                                 for line in keyed))
        matches = (ClaimLine.objects.filter(condition).exclude(claim=claim)
                   .exclude(claim__status__in=IGNORED_STATUSES).select_related("claim"))
        for other in matches:
            for line in keyed:
                if (line.expense_date, line.amount, line.vendor.lower()) == (
                        other.expense_date, other.amount, other.vendor.lower()):
                    warnings[line.pk].append(
                        _("同じ日付・金額・支払先の明細が %(number)s にあります。") % {"number": other.claim.number})
    return {line_id: sorted(set(items)) for line_id, items in warnings.items()}
