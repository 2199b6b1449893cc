"""`{% transit_line line %}`: route, 往復, 定期区間控除 and 帳簿のみ保存 under a claim line; nothing for others."""

from django import template

from expenses.rules.special_cases import BOOK_ONLY_PREFIX
from expenses.transit_models import TransitDetail

register = template.Library()


@register.inclusion_tag("expenses/transit/_detail_tag.html", takes_context=True)
def transit_line(context, line) -> dict:
    # One query per claim page, not per line: all details of the claim are loaded on the first call.
    cache = context.render_context.setdefault("transit_details", {})
    claim_id = line.claim_id
    if claim_id not in cache:
        cache[claim_id] = {d.line_id: d for d in TransitDetail.objects.filter(line__claim_id=claim_id)}
    return {
        "detail": cache[claim_id].get(line.pk),
        # The claim page already prints 「領収書なし: 帳簿のみ保存（…）」 from the line: do not repeat it.
        "show_note": not (line.no_receipt_reason or "").startswith(BOOK_ONLY_PREFIX),
    }
