"""The per-rate tax breakdown (10%対象 / 内消費税), its basis, and the arithmetic checks (R6.4)."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from expenses.ocr.amounts import find_amounts, one_digit_edits
from expenses.ocr.protocol import FieldReading
from expenses.ocr.text import Variant

# Only 10% and 8% exist, so "16%" / "19%" are a misread 10% (18% is left alone: it may be "(8%").
# 10% misread as 17%, 19%, or with its 1 read as a bracket or bar ("「0%対象"): there is no 0% rate.
# A bare "0%" is 10% with its 1 lost.
RATE_RE = re.compile(r"(?<!\d)(1[0-79]|[「|!\]lI]0|(?<![\d.,])0|8)\s*[%％]")
# "10%対象" with its 象 garbled ("16%対銀"): a rate mark then 対 is the taxable label.
TAXABLE_HINT = re.compile(r"対象|課税|税抜|税込|合計|[%％]\s*対")
# 消費税 garbled glyph by glyph: 消 → 清, 税 → 科 (the same 禾 on the left).
# 消 → 滑 too (the same 氵); and a 税 right before its rate in brackets: "消費税(10%)" garbled ahead.
TAX_HINT = re.compile(r"内税|消費税|税額|外税|うち税|内消費|[消清滑]費[税科]|費[税科]等|税\s*[(（]\s*(?:1\d|8)\s*[%％]")
INCLUSIVE_HINT = re.compile(r"内税|内消費税|うち消費税|うち税|\(内|税込|内訳税")
EXCLUSIVE_HINT = re.compile(r"外税|税抜|税別|本体")
# 税抜金額 with its 抜 misread ("税拓金額"); 税込金額 is the total, not the taxable amount.
FORM_TAXABLE = re.compile(r"税[^\s込]金額|税抜合計|本体価格")
MIN_TAXABLE = 10
NONTAX_HINT = re.compile(r"不課税|非課税|対象外")


def tax_inclusive_options(amount: int, rate: int) -> set[int]:
    """Acceptable printed tax contained in a tax-inclusive amount (R6.3/R6.4), integer maths only."""
    q, r = divmod(amount * rate, 100 + rate)
    return {q, q + (1 if 2 * r >= 100 + rate else 0), q + (1 if r else 0)}


def tax_exclusive_options(amount: int, rate: int) -> set[int]:
    q, r = divmod(amount * rate, 100)
    return {q, q + (1 if 2 * r >= 100 else 0), q + (1 if r else 0)}


@dataclass
class TaxEvidence:
    taxable: dict[int, dict[int, float]]  # rate -> value -> score
    tax: dict[int, dict[int, float]]
    unassigned_tax: dict[int, float]
    inclusive_votes: float
    exclusive_votes: float
    non_taxable: dict[int, float]
    form_taxable: dict[int, float]  # 税抜金額 on a form, rate given on the tax line
    inclusive_taxes: dict[int, float]  # "内消費税 ¥500" lines without a readable rate


def _add(bucket: dict[int, float], value: int, score: float) -> None:
    bucket[value] = bucket.get(value, 0.0) + score


def tax_evidence(var: Sequence[Variant]) -> TaxEvidence:
    ev = TaxEvidence({}, {}, {}, 0.0, 0.0, {}, {}, {})
    # The Latin reading keeps the digits but loses 対象; the Japanese reading of the same line has it.
    taxable_lines = {v.index for v in var if TAXABLE_HINT.search(v.text)}
    # Likewise the 消費税 label: the Latin reading of "消費税 ¥1,958" has the figure, not the label.
    tax_lines = {v.index for v in var if TAX_HINT.search(v.text)}
    total_lines = {v.index for v in var if re.search(r"合\s*計", v.text)}
    for v in var:
        text = v.text
        taxable_hint = v.index in taxable_lines
        if INCLUSIVE_HINT.search(text):
            ev.inclusive_votes += v.weight
        if EXCLUSIVE_HINT.search(text):
            ev.exclusive_votes += v.weight
        amounts = [a for a in find_amounts(text) if a.value > 0]
        rate_match = RATE_RE.search(text)
        if NONTAX_HINT.search(text) and amounts and not rate_match:
            _add(ev.non_taxable, amounts[-1].value, v.weight)
            continue
        form = FORM_TAXABLE.search(text)
        if form and not rate_match:
            # The figure right after the label: the rest of a form's row is the issuer's TEL etc.
            figures = [a for a in find_amounts(text[form.end() :]) if a.value > 0]
            if figures:
                _add(ev.form_taxable, figures[0].value, v.weight)
                continue
        if rate_match:
            rate = 8 if rate_match.group(1) == "8" else 10
            after = text[rate_match.end() :]
            tax_pos = TAX_HINT.search(after)
            if taxable_hint or tax_pos:
                head = after[: tax_pos.start()] if tax_pos else after
                found = [a for a in find_amounts(head) if a.value > 0]
                # Prefer ¥-marked figures: stray marks in the Latin reading turn into bare digits.
                taxable = [a for a in found if a.marked] or found
                if taxable and not (TAX_HINT.search(text[: rate_match.start()]) and not taxable_hint):
                    _add(ev.taxable.setdefault(rate, {}), taxable[0].value, v.weight)
                    if tax_pos:
                        tax = [a for a in find_amounts(after[tax_pos.start() :]) if a.value > 0]
                        if tax:
                            _add(ev.tax.setdefault(rate, {}), tax[0].value, v.weight)
                    continue
                if tax_pos or TAX_HINT.search(text):
                    # "外税10% ¥1,764" / "消費税額等(10%) 7,984": a tax figure for that rate.
                    if amounts:
                        _add(ev.tax.setdefault(rate, {}), amounts[-1].value, v.weight)
                    continue
            elif TAX_HINT.search(text) and amounts:
                _add(ev.tax.setdefault(rate, {}), amounts[-1].value, v.weight)
                continue
        if v.index in tax_lines and amounts and v.index not in total_lines:
            _add(ev.unassigned_tax, amounts[-1].value, v.weight)
            if INCLUSIVE_TAX_LINE.search(text):
                _add(ev.inclusive_taxes, amounts[-1].value, v.weight)
    # A taxable figure under ¥10 is a stray mark or a blank cell read as a digit: its tax rounds to
    # 0 or 1 and would "fit" any tax figure that small.
    ev.taxable = {rate: {v: s for v, s in found.items() if v >= MIN_TAXABLE} for rate, found in ev.taxable.items()}
    ev.taxable = {rate: found for rate, found in ev.taxable.items() if found}
    ev.form_taxable = {v: s for v, s in ev.form_taxable.items() if v >= MIN_TAXABLE}
    return ev


def _best(bucket: dict[int, float]) -> tuple[int, float] | None:
    if not bucket:
        return None
    return max(bucket.items(), key=lambda kv: (kv[1], kv[0]))


def _best_total(total_scores: dict[int, float]) -> int:
    """The best-supported total (ties to the larger: a dropped digit shrinks a figure)."""
    best = _best(total_scores)
    assert best is not None, "no total to choose from"
    return best[0]


def _fit(candidates: dict[int, float], options: set[int]) -> int | None:
    fits = [v for v in candidates if v in options]
    if fits:
        return max(fits, key=lambda v: candidates[v])
    for value in sorted(candidates, key=lambda v: -candidates[v]):
        repaired = [edit for edit in one_digit_edits(value) if edit in options]
        if len(repaired) == 1:
            return repaired[0]
    return None


def extract_tax(
    var: Sequence[Variant], total_scores: dict[int, float]
) -> tuple[FieldReading[dict[str, dict[str, int]]], FieldReading[str], int | None, bool]:
    """Per-rate taxable/tax, the basis, the total the breakdown implies (or None), and whether every
    rate's printed tax fits its taxable amount (the breakdown checks itself)."""
    ev = tax_evidence(var)
    taxable: dict[int, dict[int, float]] = {r: dict(b) for r, b in ev.taxable.items()}
    if not taxable and ev.form_taxable:
        rates = list(ev.tax) or [10]
        taxable[rates[0]] = dict(ev.form_taxable)
    if not taxable:
        inferred = _infer_rates(ev, total_scores, {a.value for v in var for a in find_amounts(v.text)})
        if inferred is None:
            return FieldReading({}, 0.6), FieldReading(None, 0.6), None, False
        basis, breakdown = inferred
        # The rate labels were unreadable: only the arithmetic vouches for them, so stay cautious.
        return FieldReading(breakdown, 0.5), FieldReading(basis, 0.5), _implied_total(breakdown, basis, 0), False
    non_taxable = _best(ev.non_taxable)
    extra = non_taxable[0] if non_taxable else 0

    best_result: tuple[float, dict[str, dict[str, int]], str, int] | None = None
    for basis in ("inclusive", "exclusive"):
        option_fn = tax_inclusive_options if basis == "inclusive" else tax_exclusive_options
        result: dict[str, dict[str, int]] = {}
        printed: set[str] = set()  # rates whose printed tax fits their taxable amount
        score = 0.0
        pool = dict(ev.unassigned_tax)
        for rate in sorted(taxable, reverse=True):
            base_value, base_score = _best(taxable[rate]) or (0, 0.0)
            candidates = {**pool, **ev.tax.get(rate, {})}
            tax_value = _fit(candidates, option_fn(base_value, rate))
            if tax_value is None:
                # The taxable figure may be the misread one: repair it against the printed tax.
                for alt in one_digit_edits(base_value):
                    fitted = _fit(candidates, option_fn(alt, rate))
                    if fitted is not None and alt in total_scores:
                        base_value, tax_value = alt, fitted
                        break
            if tax_value is None:
                tax_value = min(option_fn(base_value, rate))
                score -= 0.5
            else:
                score += 1.0
                printed.add(str(rate))
                pool.pop(tax_value, None)
            score += base_score * 0.1
            result[str(rate)] = {"taxable": base_value, "tax": tax_value}
        implied = _implied_total(result, basis, extra)
        if implied not in total_scores and total_scores:
            seen = {rate: {**ev.unassigned_tax, **ev.tax.get(int(rate), {})} for rate in result}
            repaired = _repair_taxable(result, basis, extra, printed, total_scores, option_fn, seen)
            if repaired is not None:
                result, implied = repaired, _implied_total(repaired, basis, extra)
                score -= 0.3
        if implied in total_scores:
            score += 1.0 + 0.2 * total_scores[implied]
        score += 0.5 * (ev.inclusive_votes if basis == "inclusive" else ev.exclusive_votes)
        if best_result is None or score > best_result[0]:
            best_result = (score, result, basis, implied, printed == set(result))
    assert best_result is not None
    score, result, basis, implied, checked = best_result
    if not checked and total_scores and implied not in total_scores:
        # Its tax does not fit and it does not add up: the taxable figure is a misreading ("(100M"
        # for "10%対象 ¥11,160", a form's blank 税抜金額 cell read as "1").
        total = _best_total(total_scores)
        refit = _refit_to_total(ev, [int(rate) for rate in result], total)
        if refit is not None:
            basis, result = refit
            return FieldReading(result, 0.5), FieldReading(basis, 0.5), total, True
        if implied * 2 < total:
            return FieldReading({}, 0.4), FieldReading(None, 0.4), None, False
    if checked and total_scores and implied not in total_scores:
        total = _best_total(total_scores)
        completed = _with_other_rate(ev, result, basis, total - extra)
        if completed is not None:
            # The other rate's label was unreadable: the arithmetic vouches for it, so stay cautious.
            return FieldReading(completed, 0.5), FieldReading(basis, 0.5), total, True
    confidence = max(0.2, min(0.95, 0.35 + 0.15 * score))
    return FieldReading(result, confidence), FieldReading(basis, confidence), implied, checked


def _with_other_rate(ev: TaxEvidence, result: Breakdown, basis: str, taxed: int) -> Breakdown | None:
    """The breakdown with the other rate added, when only one rate's line was read (its tax fits it)
    and the rest of the taxed total (`taxed`: the total less any 不課税 amount) carries a tax printed
    on the page at the other rate, exactly one way:
    "8%対象 ¥324 (内消費税 ¥24)" read, "10%対象 ¥950" garbled, "(内消費税 ¥86)" read; 1,274 − 324 = 950,
    and 10% included in 950 is 86."""
    if len(result) != 1:
        return None
    ((rate, entry),) = result.items()
    other = 8 if rate == "10" else 10
    rest = taxed - _implied_total(result, basis, 0)
    fits = []
    for tax in {**ev.unassigned_tax, **ev.tax.get(other, {})}:
        taxable = rest if basis == "inclusive" else rest - tax
        if tax != entry["tax"] and taxable >= MIN_TAXABLE and _fits_total(tax, rest, other, basis):
            fits.append({"taxable": taxable, "tax": tax})
    if len(fits) != 1:
        return None
    return {**result, str(other): fits[0]}


def _refit_to_total(ev: TaxEvidence, rates: list[int], total: int) -> tuple[str, Breakdown] | None:
    """One rate's breakdown on the total itself, when a tax printed for that rate fits the total
    exactly one way (included in it, or added to the rest of it, as the receipt's wording says)."""
    if len(rates) != 1:
        return None
    rate = rates[0]
    taxes = {**ev.unassigned_tax, **ev.tax.get(rate, {})}
    inclusive = ev.inclusive_votes >= ev.exclusive_votes
    basis = "inclusive" if inclusive else "exclusive"
    fits = [(tax, total if inclusive else total - tax) for tax in taxes if _fits_total(tax, total, rate, basis)]
    if len(fits) != 1:
        return None
    tax, taxable = fits[0]
    return basis, {str(rate): {"taxable": taxable, "tax": tax}}


def _fits_total(tax: int, total: int, rate: int, basis: str) -> bool:
    """Whether `tax` is what `rate` gives on a total that includes it, or on the rest of a total it
    was added to."""
    if not 0 < tax < total:
        return False
    if basis == "inclusive":
        return tax in tax_inclusive_options(total, rate)
    return tax in tax_exclusive_options(total - tax, rate)


def _implied_total(result: dict[str, dict[str, int]], basis: str, extra: int) -> int:
    implied = sum(v["taxable"] for v in result.values()) + extra
    if basis == "exclusive":
        implied += sum(v["tax"] for v in result.values())
    return implied


def _repair_taxable(
    result: dict[str, dict[str, int]],
    basis: str,
    extra: int,
    printed: set[str],
    total_scores: dict[int, float],
    option_fn: Callable[[int, int], set[int]],
    seen: dict[str, dict[int, float]],
) -> dict[str, dict[str, int]] | None:
    """Fix one misread taxable digit when exactly one edit makes the breakdown add up to the total.

    A taxable amount whose printed tax fits it is checked already: an edit that loses that fit would
    bend the breakdown to a misread total ("¥12,709※" for ¥12,700 with 内消費税 ¥1,154). An edit that
    another reading's tax for the rate (`seen`: tax -> score) fits keeps a fit: "10%対象 ¥1,919 内税
    ¥175" beside the Latin reading's ¥173 is ¥1,910 with ¥173 when that adds up."""
    best_total = _best_total(total_scores)
    fixes = []
    for rate, entry in result.items():
        text = str(entry["taxable"])
        for i in range(len(text)):
            for digit in "0123456789":
                if digit == text[i] or (i == 0 and digit == "0"):
                    continue
                value = int(text[:i] + digit + text[i + 1 :])
                trial = {**result, rate: {"taxable": value, "tax": min(option_fn(value, int(rate)))}}
                # The entry's own tax counts only if it was printed, not filled in for a missing one.
                kept = entry["tax"] if rate in printed else None
                tax_seen = [t for t in option_fn(value, int(rate)) if t == kept or t in seen[rate]]
                if tax_seen:
                    trial[rate]["tax"] = kept if kept in tax_seen else max(tax_seen, key=seen[rate].get)
                elif rate in printed:
                    continue
                if _implied_total(trial, basis, extra) == best_total:
                    fixes.append(trial)
    return fixes[0] if len(fixes) == 1 else None


INCLUSIVE_TAX_LINE = re.compile(r"内消費税|うち消費税|内税|\(内")


Breakdown = dict[str, dict[str, int]]


def _infer_rates(ev: TaxEvidence, total_scores: dict[int, float], printed: set[int]) -> tuple[str, Breakdown] | None:
    """(basis, breakdown) from the tax figures and the total when every rate label was unreadable.

    Only the arithmetic speaks for the rates here (R6.3/R6.4), so each inference is taken only when
    exactly one reading of the figures fits.
    """
    if not total_scores or not ev.unassigned_tax:
        return None
    total = _best_total(total_scores)
    return (
        _infer_two_rates_inclusive(ev, total, printed)
        or _infer_single_rate_inclusive(ev, total)
        or _infer_single_rate_exclusive(ev, total, printed)
    )


def _infer_two_rates_inclusive(ev: TaxEvidence, total: int, printed: set[int]) -> tuple[str, Breakdown] | None:
    """"10%対象 ¥1,910 (内税 ¥173) / 8%対象 ¥428 (内税 ¥31)" with both rates garbled: two included
    taxes, and a printed amount that splits the total so that each part gives one of them at one rate.

    Tried before a single rate: one of two taxes can fit a single rate on the whole total by chance.
    """
    taxes = sorted(ev.inclusive_taxes)
    if len(taxes) < 2:
        return None
    found = set()
    for part in printed:
        if not 0 < part < total:
            continue
        # The printed part may be either rate's; the rest of the total is the other's.
        for taxable10, taxable8 in ((part, total - part), (total - part, part)):
            for tax10, tax8 in itertools.permutations(taxes, 2):
                if tax10 in tax_inclusive_options(taxable10, 10) and tax8 in tax_inclusive_options(taxable8, 8):
                    found.add((taxable10, tax10, taxable8, tax8))
    if len(found) != 1:
        return None
    taxable10, tax10, taxable8, tax8 = found.pop()
    return "inclusive", {"10": {"taxable": taxable10, "tax": tax10}, "8": {"taxable": taxable8, "tax": tax8}}


def _infer_single_rate_inclusive(ev: TaxEvidence, total: int) -> tuple[str, Breakdown] | None:
    """From "(内消費税 ¥500)" when the "10%対象" beside it is unreadable.

    Only when the tax is exactly what one rate gives on the best-supported total, and no other rate
    fits: a garbled label ("1O%対家", "%対") must not cost the whole breakdown. Failing that, when
    exactly one edit of a confusable digit of a tax makes it fit one rate.
    """
    for tax in sorted(ev.inclusive_taxes, key=lambda t: -ev.inclusive_taxes[t]):
        rates = [rate for rate in (10, 8) if _fits_total(tax, total, rate, "inclusive")]
        if len(rates) == 1:
            return "inclusive", {str(rates[0]): {"taxable": total, "tax": tax}}
    # The tax's own digits misread ("¥453" for ¥463 on ¥5,100): one confusable digit off, one way.
    repairs = {
        (edit, rate)
        for tax in ev.inclusive_taxes
        for edit in one_digit_edits(tax)
        for rate in (10, 8)
        if _fits_total(edit, total, rate, "inclusive")
    }
    if len(repairs) == 1:
        ((tax, rate),) = repairs
        return "inclusive", {str(rate): {"taxable": total, "tax": tax}}
    return None


def _infer_single_rate_exclusive(ev: TaxEvidence, total: int, printed: set[int]) -> tuple[str, Breakdown] | None:
    """From "小計 ¥19,580 / 消費税 ¥1,958 / 合計 ¥21,538" when the rate label is unreadable: a
    tax-exclusive subtotal printed on the receipt, plus a tax figure exactly one rate gives on it,
    makes the total.

    Never on a receipt that says its tax is included: there, total − tax is the same arithmetic,
    but the breakdown is stated on the tax-inclusive amount.
    """
    if ev.inclusive_votes:
        return None
    for tax in sorted(ev.unassigned_tax, key=lambda t: -ev.unassigned_tax[t]):
        base = total - tax
        rates = [rate for rate in (10, 8) if _fits_total(tax, total, rate, "exclusive")]
        if len(rates) == 1 and tax < base and base in printed:
            return "exclusive", {str(rates[0]): {"taxable": base, "tax": tax}}
    return None


def infer_form_breakdown(printed: set[int], total: int) -> Breakdown | None:
    """A 領収書 form's 内訳 box (税抜金額 / 消費税額等) whose labels were unreadable: two of its printed
    figures, an amount and the tax exactly one rate gives on it, that together make the total.

    Only for the figures of that box: elsewhere a pair adding up this way may be a coincidence.
    """
    found = {
        (base, rate)
        for base in printed
        if 0 < total - base < base and total - base in printed
        for rate in (10, 8)
        if total - base in tax_exclusive_options(base, rate)
    }
    if len(found) != 1:
        return None
    base, rate = found.pop()
    return {str(rate): {"taxable": base, "tax": total - base}}
