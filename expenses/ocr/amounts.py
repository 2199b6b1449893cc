"""Amounts, totals and the per-rate tax breakdown, with arithmetic checks and repairs (R6.4)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from expenses.ocr.protocol import FieldReading
from expenses.ocr.text import Variant

# ---------------------------------------------------------------------------------------------
# Amounts

AMOUNT_RE = re.compile(
    r"(?P<yen>¥\s*)?(?P<num>\d{1,3}(?:\s?[,.]\s?\d{3})+(?!\d)|\d{1,3}(?: \d{3})+(?![\d,])|\d+)\s*(?P<suffix>円|-|ー|※|\*)?"
)


@dataclass(frozen=True)
class Amount:
    value: int
    marked: bool  # carried a ¥, 円, "-" or "※": certainly money
    start: int


def find_amounts(text: str) -> list[Amount]:
    out = []
    for match in AMOUNT_RE.finditer(text):
        raw = re.sub(r"[\s,.]", "", match.group("num"))
        if not raw or len(raw) > 9:
            continue
        grouped = bool(re.search(r"[,.]\d{3}", match.group("num")))
        marked = bool(match.group("yen") or match.group("suffix") in ("円", "※") or grouped)
        # A bare run after a "%" is the rate (10%対象), never an amount.
        before = text[max(0, match.start() - 1) : match.start()]
        after = text[match.end() : match.end() + 1]
        if (
            after == "%"
            or before in (":", "/")
            or after in ("/", ":", "年", "月", "日", "時", "分", "名", "点", "泊")
        ):
            continue
        out.append(Amount(int(raw), marked, match.start()))
    return out


TOTAL_KEYWORDS: tuple[tuple[str, float], ...] = (
    (r"[合百台会]\s*計", 1.0),
    (r"お?支払(?:い)?(?:金額|額|合計)", 1.0),
    (r"ご?請求(?:金)?額", 1.0),
    (r"領収金額", 1.0),
    (r"お?買上(?:げ)?(?:合計|金額)?", 0.9),
    (r"総額|税込(?:合計|金額)", 0.9),
    (r"運賃|料金合計", 0.6),
    (r"金\s*額", 0.8),
    (r"小\s*計", 0.4),
)
TOTAL_EXCLUDE = re.compile(
    r"預|釣|つり|対象|内税|消費税|税額|外税|税率|残高|ポイント|点数|値引|割引|券売|No\."
)


def _keyword_weight(text: str) -> float:
    best = 0.0
    for pattern, weight in TOTAL_KEYWORDS:
        if re.search(pattern, text):
            best = max(best, weight)
    return best


def total_candidates(var: Sequence[Variant]) -> dict[int, float]:
    scores: dict[int, float] = {}
    by_index: dict[int, list[Variant]] = {}
    for v in var:
        by_index.setdefault(v.index, []).append(v)
    for v in var:
        text = v.text
        if TOTAL_EXCLUDE.search(text):
            continue
        weight = _keyword_weight(text)
        amounts = [a for a in find_amounts(text) if a.value > 0]
        if weight and not amounts:
            # Value printed on the next line (large totals, forms).
            for nxt in by_index.get(v.index + 1, []):
                if not TOTAL_EXCLUDE.search(nxt.text) and not _keyword_weight(nxt.text):
                    for a in find_amounts(nxt.text):
                        if a.marked:
                            scores[a.value] = scores.get(a.value, 0) + 0.6 * weight * nxt.weight
            continue
        for a in amounts:
            bonus = 0.3 if a.marked else 0.0
            if weight:
                scores[a.value] = scores.get(a.value, 0) + (weight + bonus) * v.weight
            elif a.marked and re.search(r"¥\s*[\d,. ]+\s*(?:-|※)", text):
                # "¥12,930※" / "¥7,200-" alone on a line is the headline amount of a 領収書.
                scores[a.value] = scores.get(a.value, 0) + 0.7 * v.weight
    return scores


# ---------------------------------------------------------------------------------------------
# Tax breakdown

RATE_RE = re.compile(r"(?<!\d)(10|8)\s*[%％]")
TAXABLE_HINT = re.compile(r"対象|課税|税抜|税込|合計")
TAX_HINT = re.compile(r"内税|消費税|税額|外税|うち税|内消費")
INCLUSIVE_HINT = re.compile(r"内税|内消費税|うち消費税|うち税|\(内|税込|内訳税")
EXCLUSIVE_HINT = re.compile(r"外税|税抜|税別|本体")
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


def _add(bucket: dict[int, float], value: int, score: float) -> None:
    bucket[value] = bucket.get(value, 0.0) + score


def tax_evidence(var: Sequence[Variant]) -> TaxEvidence:
    ev = TaxEvidence({}, {}, {}, 0.0, 0.0, {}, {})
    for v in var:
        text = v.text
        if INCLUSIVE_HINT.search(text):
            ev.inclusive_votes += v.weight
        if EXCLUSIVE_HINT.search(text):
            ev.exclusive_votes += v.weight
        amounts = [a for a in find_amounts(text) if a.value > 0]
        rate_match = RATE_RE.search(text)
        if NONTAX_HINT.search(text) and amounts and not rate_match:
            _add(ev.non_taxable, amounts[-1].value, v.weight)
            continue
        if re.search(r"税抜金額|税抜合計|本体価格", text) and amounts and not rate_match:
            _add(ev.form_taxable, amounts[-1].value, v.weight)
            continue
        if rate_match:
            rate = int(rate_match.group(1))
            after = text[rate_match.end() :]
            tax_pos = TAX_HINT.search(after)
            if TAXABLE_HINT.search(text) or tax_pos:
                head = after[: tax_pos.start()] if tax_pos else after
                taxable = [a for a in find_amounts(head) if a.value > 0]
                if taxable and not (
                    TAX_HINT.search(text[: rate_match.start()]) and not TAXABLE_HINT.search(text)
                ):
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
        if TAX_HINT.search(text) and amounts and not re.search(r"合\s*計", text):
            _add(ev.unassigned_tax, amounts[-1].value, v.weight)
    return ev


# ---------------------------------------------------------------------------------------------
# Digit repair

CONFUSIONS: dict[str, str] = {
    "0": "9685",
    "9": "0",
    "6": "0858",
    "8": "0635",
    "3": "85",
    "5": "63",
    "1": "7",
    "7": "1",
    "2": "7",
    "4": "1",
}


def one_digit_edits(value: int) -> Iterable[int]:
    text = str(value)
    for i, ch in enumerate(text):
        for repl in CONFUSIONS.get(ch, ""):
            candidate = text[:i] + repl + text[i + 1 :]
            if candidate[0] != "0":
                yield int(candidate)


# ---------------------------------------------------------------------------------------------

# Field extractors


def extract_total(var: Sequence[Variant], breakdown_total: int | None) -> FieldReading[int]:
    scores = total_candidates(var)
    if breakdown_total:
        # The breakdown's own arithmetic is strong evidence (README consistency rule).
        scores[breakdown_total] = scores.get(breakdown_total, 0.0) + 1.2
    if not scores:
        return FieldReading(None, 0.0)
    ranked = sorted(scores.items(), key=lambda kv: (-kv[1], -kv[0]))
    value, score = ranked[0]
    runner_up = ranked[1][1] if len(ranked) > 1 else 0.0
    confidence = min(1.0, 0.45 + 0.25 * score) * (1.0 if score > 1.5 * runner_up else 0.75)
    if breakdown_total is not None:
        confidence = min(1.0, confidence + 0.15) if breakdown_total == value else confidence * 0.7
    return FieldReading(value, confidence)


def _best(bucket: dict[int, float]) -> tuple[int, float] | None:
    if not bucket:
        return None
    return max(bucket.items(), key=lambda kv: (kv[1], kv[0]))


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
) -> tuple[FieldReading[dict[str, dict[str, int]]], FieldReading[str], int | None]:
    """Per-rate taxable/tax, the basis, and the total the breakdown implies (or None)."""
    ev = tax_evidence(var)
    taxable: dict[int, dict[int, float]] = {r: dict(b) for r, b in ev.taxable.items()}
    if not taxable and ev.form_taxable:
        rates = list(ev.tax) or [10]
        taxable[rates[0]] = dict(ev.form_taxable)
    if not taxable:
        return FieldReading({}, 0.6), FieldReading(None, 0.6), None
    non_taxable = _best(ev.non_taxable)
    extra = non_taxable[0] if non_taxable else 0

    best_result: tuple[float, dict[str, dict[str, int]], str, int] | None = None
    for basis in ("inclusive", "exclusive"):
        option_fn = tax_inclusive_options if basis == "inclusive" else tax_exclusive_options
        result: dict[str, dict[str, int]] = {}
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
                pool.pop(tax_value, None)
            score += base_score * 0.1
            result[str(rate)] = {"taxable": base_value, "tax": tax_value}
        implied = _implied_total(result, basis, extra)
        if implied not in total_scores and total_scores:
            repaired = _repair_taxable(result, basis, extra, taxable, total_scores, option_fn)
            if repaired is not None:
                result, implied = repaired, _implied_total(repaired, basis, extra)
                score -= 0.3
        if implied in total_scores:
            score += 1.0 + 0.2 * total_scores[implied]
        score += 0.5 * (ev.inclusive_votes if basis == "inclusive" else ev.exclusive_votes)
        if best_result is None or score > best_result[0]:
            best_result = (score, result, basis, implied)
    assert best_result is not None
    score, result, basis, implied = best_result
    confidence = max(0.2, min(0.95, 0.35 + 0.15 * score))
    return FieldReading(result, confidence), FieldReading(basis, confidence), implied


def _implied_total(result: dict[str, dict[str, int]], basis: str, extra: int) -> int:
    implied = sum(v["taxable"] for v in result.values()) + extra
    if basis == "exclusive":
        implied += sum(v["tax"] for v in result.values())
    return implied


def _repair_taxable(
    result: dict[str, dict[str, int]],
    basis: str,
    extra: int,
    taxable: dict[int, dict[int, float]],
    total_scores: dict[int, float],
    option_fn: Callable[[int, int], set[int]],
) -> dict[str, dict[str, int]] | None:
    """Fix one misread taxable digit when exactly one edit makes the breakdown add up to the total."""
    best_total = max(total_scores.items(), key=lambda kv: kv[1])[0]
    fixes = []
    for rate, entry in result.items():
        text = str(entry["taxable"])
        for i in range(len(text)):
            for digit in "0123456789":
                if digit == text[i] or (i == 0 and digit == "0"):
                    continue
                value = int(text[:i] + digit + text[i + 1 :])
                trial = {**result, rate: {"taxable": value, "tax": min(option_fn(value, int(rate)))}}
                tax_seen = [t for t in option_fn(value, int(rate)) if t == entry["tax"]]
                if tax_seen:
                    trial[rate]["tax"] = entry["tax"]
                if _implied_total(trial, basis, extra) == best_total:
                    fixes.append(trial)
    return fixes[0] if len(fixes) == 1 else None
