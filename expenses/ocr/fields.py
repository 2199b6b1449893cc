"""Pure text -> receipt fields. No I/O: every function takes OCR lines and returns values.

Each extractor returns a FieldReading whose confidence reflects the OCR confidence, how specific the
evidence was (a keyword next to the value, a valid check digit) and whether the receipt's own
arithmetic agrees (domain.md R6.4).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from expenses.ocr.protocol import FieldReading, ReceiptReading

# ---------------------------------------------------------------------------------------------
# Lines


@dataclass(frozen=True)
class OcrLine:
    """One printed line. `alt_text` is a second reading tuned for digits (Latin model), if any."""

    text: str
    alt_text: str | None = None
    top: int = 0
    left: int = 0
    height: int = 0
    width: int = 0
    conf: float = 0.9


def lines_from_text(text: str) -> list[OcrLine]:
    """Lines for plain text (tests, the fake parser): no layout, average confidence."""
    return [
        OcrLine(text=line, top=i * 10, height=10) for i, line in enumerate(text.splitlines()) if line.strip()
    ]


_CJK = "\u3040-\u30ff\u4e00-\u9fff\u3005"


def normalize(text: str) -> str:
    """NFKC (full-width digits and letters to ASCII) and the yen sign variants to one character."""
    text = unicodedata.normalize("NFKC", text)
    text = text.replace("\\", "¥").replace("￥", "¥").replace("羊", "¥")
    # OCR inserts spaces between CJK characters ("登録 番号"); they carry no meaning.
    text = re.sub(rf"(?<=[{_CJK}])\s+(?=[{_CJK}])", "", text)
    # "1.650", "11,.160", "2, 460": thousands separators misread; normalise to a comma.
    text = re.sub(r"(?<=\d)\s?[,.]{1,2}\s?(?=\d{3}(?!\d))", ",", text)
    return re.sub(r"¥\s+(?=\d)", "¥", text)


# Characters OCR confuses with digits, used only inside digit-looking runs.
DIGIT_LOOKALIKES = str.maketrans(
    {
        "O": "0",
        "o": "0",
        "D": "0",
        "Q": "0",
        "〇": "0",
        "U": "0",
        "I": "1",
        "l": "1",
        "|": "1",
        "i": "1",
        "!": "1",
        "]": "1",
        "[": "1",
        "L": "1",
        "Z": "2",
        "z": "2",
        "S": "5",
        "s": "5",
        "G": "6",
        "b": "6",
        "B": "8",
        "g": "9",
        "q": "9",
    }
)

_RUN = r"[0-9OoDQIl|i!SsBZzGbgq]"


def digits_only(text: str) -> str:
    return re.sub(r"\D", "", text.translate(DIGIT_LOOKALIKES))


def merge_digit_runs(primary: str, digits_from: str) -> str:
    """Replace each digit run in `primary` by the run at the same position in `digits_from`.

    The Japanese model reads layout words (年, 合計) well but confuses 0 with 9; the Latin model reads
    digits well but not kanji. Only merges when both readings have the same number of runs.
    """
    runs_primary = list(re.finditer(r"\d+", primary))
    runs_other = re.findall(r"\d+", digits_from)
    if not runs_primary or not runs_other:
        return primary
    replacement: dict[int, str] = {}
    if len(runs_primary) == len(runs_other):
        pairs = list(zip(range(len(runs_primary)), runs_other, strict=True))
    else:
        # Amounts sit at the right end of a line: align the two readings from the right.
        offset = len(runs_primary) - len(runs_other)
        pairs = [
            (i + offset, other) for i, other in enumerate(runs_other) if 0 <= i + offset < len(runs_primary)
        ]
    for index, other in pairs:
        if len(other) == len(runs_primary[index].group()) or len(runs_primary) == len(runs_other):
            replacement[index] = other
    out, last = [], 0
    for index, match in enumerate(runs_primary):
        out.append(primary[last : match.start()])
        out.append(replacement.get(index, match.group()))
        last = match.end()
    out.append(primary[last:])
    return "".join(out)


@dataclass(frozen=True)
class Variant:
    """One reading of one line, with a weight saying how much we trust its digits."""

    index: int
    text: str
    weight: float
    line: OcrLine


def variants(lines: Sequence[OcrLine]) -> list[Variant]:
    out: list[Variant] = []
    for index, line in enumerate(lines):
        primary = normalize(line.text)
        if line.alt_text:
            alt = normalize(line.alt_text)
            merged = merge_digit_runs(primary, alt)
            if merged != primary:
                out.append(Variant(index, merged, 1.0, line))
            out.append(Variant(index, primary, 0.7, line))
            out.append(Variant(index, alt, 0.85, line))
        else:
            out.append(Variant(index, primary, 0.8, line))
    return out


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


def _valid_check_digit(digits: str) -> bool:
    """domain.md R1.3: first digit = 9 - (Σ P_n × Q_n mod 9) over the 12-digit base from the right."""
    if len(digits) != 13 or not digits.isdigit() or digits[0] == "0":
        return False
    base = digits[1:]
    total = sum(int(d) * (2 if n % 2 == 0 else 1) for n, d in enumerate(reversed(base), start=1))
    return int(digits[0]) == 9 - total % 9


def valid_registration_number(value: str) -> bool:
    value = normalize(value).upper().replace(" ", "").replace("-", "")
    return bool(re.fullmatch(r"T\d{13}", value)) and _valid_check_digit(value[1:])


def _check_digit_repairs(digits: str) -> list[str]:
    out = []
    for i, ch in enumerate(digits):
        for repl in CONFUSIONS.get(ch, "") + ("" if ch in "0123456789" else "0123456789"):
            candidate = digits[:i] + repl + digits[i + 1 :]
            if _valid_check_digit(candidate):
                out.append(candidate)
    return out


REG_RUN_RE = re.compile(
    rf"(?P<prefix>[TtㅜтΤ丁『「71|]?)\s*[:：]?\s*(?P<run>{_RUN}(?:[\s-]?{_RUN}){{11,14}})"
)


def _registration_observations(text: str) -> list[tuple[str, float]]:
    """13-digit readings in one line of text, with a weight per reading."""
    out: list[tuple[str, float]] = []
    keyword = bool(re.search(r"登録|番号|録番|T\s*\d", text))
    for match in REG_RUN_RE.finditer(text):
        run = digits_only(match.group("run"))
        base = (1.5 if keyword else 0.6) * (1.2 if match.group("prefix") in ("T", "t") else 1.0)
        if len(run) == 13:
            out.append((run, base))
        elif len(run) == 14:
            if run[0] in "17":
                out.append((run[1:], 0.9 * base))  # the "T" read as 1 or 7
            out.append((run[:13], 0.2 * base))
    return out


def _neighbours(digits: str) -> set[str]:
    """The reading, its one- and two-confusion repairs and its one-digit arbitrary repairs."""
    out = {digits}
    for i, ch in enumerate(digits):
        for repl in "0123456789":
            if repl != ch:
                out.add(digits[:i] + repl + digits[i + 1 :])
        for repl in CONFUSIONS.get(ch, ""):
            once = digits[:i] + repl + digits[i + 1 :]
            for j in range(i + 1, len(digits)):
                for repl2 in CONFUSIONS.get(digits[j], ""):
                    out.add(once[:j] + repl2 + once[j + 1 :])
    return out


def registration_candidates(var: Sequence[Variant]) -> dict[str, float]:
    """Decode the number from every reading of every line at once, constrained by the check digit.

    Each reading votes for valid numbers near it (fewer differing digits = stronger vote), so two
    imperfect readings (Japanese and Latin model) can agree on a number neither read exactly.
    """
    observations: list[tuple[str, float]] = []
    for v in var:
        observations.extend(
            (digits, weight * v.weight) for digits, weight in _registration_observations(v.text)
        )
    if not observations:
        return {}
    candidates = {c for digits, _ in observations for c in _neighbours(digits) if _valid_check_digit(c)}
    scores: dict[str, float] = {}
    for candidate in candidates:
        score = 0.0
        for digits, weight in observations:
            distance = sum(a != b for a, b in zip(candidate, digits, strict=True))
            score += weight * (0.3**distance)
        scores[candidate] = score
    return scores


def extract_registration_number(var: Sequence[Variant]) -> FieldReading[str]:
    scores = registration_candidates(var)
    if not scores:
        return FieldReading(None, 0.7 if any(not re.search(r"登録番号", v.text) for v in var) else 0.3)
    ranked = sorted(scores.items(), key=lambda kv: -kv[1])
    value, score = ranked[0]
    runner_up = ranked[1][1] if len(ranked) > 1 else 0.0
    confidence = min(0.98, 0.4 + 0.3 * score) * (1.0 if score >= 2 * runner_up else 0.7)
    return FieldReading("T" + value, confidence)


# Dates

ERA_START = {"令和": 2018, "和": 2018, "平成": 1988, "R": 2018, "H": 1988}
DATE_PATTERNS = (
    re.compile(
        r"(?P<era>令和|平成|(?<=[^\s\d])和)[^\d\s年]?\s*(?P<y>元|\d{1,2})\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*日?"
    ),
    re.compile(r"(?P<y>[12]\d{3})\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*日?"),
    re.compile(r"(?<!\d)(?P<y>[12]\d{3})\s*[/\-.]\s*(?P<m>\d{1,2})\s*[/\-.]\s*(?P<d>\d{1,2})(?!\d)"),
    re.compile(
        r"(?<![\d.])(?P<era>[RH])\s*(?P<y>\d{1,2})\s*[/\-.]\s*(?P<m>\d{1,2})\s*[/\-.]\s*(?P<d>\d{1,2})(?!\d)"
    ),
    re.compile(r"(?<![\d/\-.])(?P<y>\d{2})\s*[/.]\s*(?P<m>\d{1,2})\s*[/.]\s*(?P<d>\d{1,2})(?![\d/.])"),
)
DATE_PREFER = re.compile(r"発行|日付|領収日|年月日|取引|精算|降車|date", re.IGNORECASE)
DATE_AVOID = re.compile(r"期間|[~〜～]|チェックイン|到着|有効|期限|生年|乗車日から|From", re.IGNORECASE)


def _to_date(era: str | None, y: str, m: str, d: str) -> date | None:
    try:
        year = 1 if y == "元" else int(y)
        if era:
            year += ERA_START[era]
        elif year < 100:
            year += 2000
        return date(year, int(m), int(d))
    except ValueError:
        return None


def _plausible(value: date, today: date | None) -> bool:
    today = today or date.today()
    return date(today.year - 10, 1, 1) <= value <= date(today.year + 1, 12, 31)


def _is_subsequence(needle: str, haystack: str) -> bool:
    it = iter(haystack)
    return all(ch in it for ch in needle)


def date_candidates(var: Sequence[Variant], today: date | None = None) -> dict[date, float]:
    scores: dict[date, float] = {}
    for v in var:
        text = v.text
        weight = (
            v.weight * (1.5 if DATE_PREFER.search(text) else 1.0) * (0.3 if DATE_AVOID.search(text) else 1.0)
        )
        # The Latin model mangles 年月日 but keeps digits: a date whose digits appear in order in its
        # reading is confirmed, which settles 0/9 confusions that a calendar check cannot.
        witness = digits_only(normalize(v.line.alt_text)) if v.line.alt_text else ""
        for rank, pattern in enumerate(DATE_PATTERNS):
            for match in pattern.finditer(text):
                parts = match.groupdict()
                specificity = 1.0 if rank < 3 else 0.6
                ys = _digit_variants(parts["y"]) if parts["y"] != "元" else [(0, "元")]
                for edits_y, y in ys:
                    for edits_m, m in _digit_variants(parts["m"]):
                        for edits_d, d in _digit_variants(parts["d"]):
                            value = _to_date(parts.get("era"), y, m, d)
                            if not value or not _plausible(value, today):
                                continue
                            edits = edits_y + edits_m + edits_d
                            score = weight * specificity * (0.35**edits)
                            if witness:
                                digits = (y if y != "元" else "1") + m + d
                                score *= 2.0 if _is_subsequence(digits, witness) else 0.3
                            scores[value] = scores.get(value, 0.0) + score
    return scores


def _digit_variants(text: str) -> list[tuple[int, str]]:
    """(number of edits, text) for the reading and its one- and two-confusion repairs."""
    out = [(0, text)]
    for i, ch in enumerate(text):
        for repl in CONFUSIONS.get(ch, ""):
            once = text[:i] + repl + text[i + 1 :]
            out.append((1, once))
            for j in range(i + 1, len(text)):
                for repl2 in CONFUSIONS.get(text[j], ""):
                    out.append((2, once[:j] + repl2 + once[j + 1 :]))
    return out


def extract_issue_date(var: Sequence[Variant], today: date | None = None) -> FieldReading[date]:
    scores = date_candidates(var, today)
    if not scores:
        return FieldReading(None, 0.0)
    ranked = sorted(scores.items(), key=lambda kv: -kv[1])
    value, score = ranked[0]
    runner_up = ranked[1][1] if len(ranked) > 1 else 0.0
    confidence = min(0.97, 0.4 + 0.3 * score) * (1.0 if score >= 1.5 * runner_up else 0.7)
    return FieldReading(value, confidence)


# Payment method

PAYMENT_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "qr_code",
        re.compile(
            r"PayPay|ペイペイ|d払い|d払|楽天ペイ|au\s?PAY|メルペイ|LINE\s?Pay|QR|コード決済|Alipay|WeChat",
            re.I,
        ),
    ),
    (
        "e_money",
        re.compile(
            r"交通系|電子マネー|Suica|PASMO|ICOCA|Kitaca|TOICA|manaca|SUGOCA|nimoca|はやかけん|nanaco|WAON|"
            r"楽天Edy|Edy|(?<![A-Za-z])iD(?![A-Za-z])|QUICPay|IC支払|ICカード"
        ),
    ),
    (
        "credit_card",
        re.compile(r"クレジット|カード支払|VISA|Master|JCB|AMEX|American|Diners|信用|ｸﾚｼﾞｯﾄ", re.I),
    ),
    ("cash", re.compile(r"現\s*金|お預り|お預かり|預り金|釣銭|お釣")),
)


def extract_payment_method(var: Sequence[Variant]) -> FieldReading[str]:
    scores: dict[str, float] = {}
    for v in var:
        for method, pattern in PAYMENT_PATTERNS:
            if pattern.search(v.text):
                strong = bool(re.search(r"支払|決済|お預|支払方法|お支払", v.text))
                scores[method] = scores.get(method, 0.0) + v.weight * (1.5 if strong else 1.0)
    if not scores:
        return FieldReading(None, 0.5)
    method, score = max(scores.items(), key=lambda kv: kv[1])
    others = sum(s for m, s in scores.items() if m != method)
    return FieldReading(method, min(0.95, 0.5 + 0.2 * score) * (1.0 if score > 2 * others else 0.7))


# Vendor

COMPANY_RE = re.compile(r"株式会社|有限会社|合同会社|合資会社|\(株\)|\(有\)|㈱|㈲")
VENDOR_HINT = re.compile(
    r"ホテル|旅館|ストア|マート|商店|商事|工務店|印刷|交通|タクシー|自動車|電鉄|鉄道|バス|食堂|処|屋|亭|"
    r"カフェ|喫茶|ベーカリー|珈琲|コーヒー|レストラン|文具|書店|薬局|ドラッグ|スタンド|居酒屋|寿司|酒場"
)
VENDOR_EXCLUDE = re.compile(
    r"[領中目償]\s*収\s*[書証軸]|収\s*[書証]|領\s*収|レシート|様|御中|年.*月|令和|平成|殿|TEL|電話|FAX|〒|登録|番号|合計|小計|金額|但し|として|上記|対象|消費税|"
    r"内税|外税|支払|お預|お釣|ありがとう|またのご|毎度|担当|レジ|No\.|明細|内訳|税込|軽減|"
    r"[都道府県].{0,6}[市区町村郡]|[市区町村]\S*\d|\d{2,4}[-ー]\d{2,4}|[0-9]{3,}|¥|%"
)
BRANCH_RE = re.compile(r"^(?:\S+(?:店|駅|支店|営業所|出張所|号店|本店))$")


def _is_branch(token: str) -> bool:
    """ "渋谷道玄坂店", "松本駅": a branch. "田中工務店", "山田商店": a business name."""
    return bool(BRANCH_RE.match(token)) and not re.search(r"商店|工務店|書店|本舗|薬店|酒店", token)


def _clean_vendor(text: str) -> str:
    text = re.sub(r"[\[\]【】「」『』()（）<>|:;,.、。・*＊_~\"'`]+", " ", text).strip()
    tokens = text.split()
    while len(tokens) > 1 and _is_branch(tokens[-1]):
        tokens.pop()
    # Drop stray OCR fragments (a lone Latin letter or symbol at either end).
    while tokens and re.fullmatch(r"[A-Za-z0-9\-=]{1,2}", tokens[-1]):
        tokens.pop()
    while tokens and re.fullmatch(r"[A-Za-z0-9\-=]{1,2}", tokens[0]):
        tokens.pop(0)
    return " ".join(tokens)


def _japanese_ratio(text: str) -> float:
    chars = [c for c in text if not c.isspace()]
    if not chars:
        return 0.0
    jp = sum(1 for c in chars if "\u3040" <= c <= "\u30ff" or "\u4e00" <= c <= "\u9fff" or c == "ー")
    return jp / len(chars)


def extract_vendor(lines: Sequence[OcrLine]) -> FieldReading[str]:
    if not lines:
        return FieldReading(None, 0.0)
    texts = [normalize(line.text) for line in lines]
    heights = sorted(line.height for line in lines if line.height)
    median_height = heights[len(heights) // 2] if heights else 0
    first_top = min(line.top for line in lines)
    last_bottom = max(line.top + line.height for line in lines) or 1
    best: tuple[float, str] | None = None
    for i, (line, text) in enumerate(zip(lines, texts, strict=True)):
        # Keep the printed spacing in the value ("和食処 松乃"); match rules on the normalised text.
        cleaned = _clean_vendor(unicodedata.normalize("NFKC", line.text))
        if len(cleaned.replace(" ", "")) < 2 or VENDOR_EXCLUDE.search(text):
            continue
        if _is_branch(cleaned.replace(" ", "")) and not COMPANY_RE.search(cleaned):
            continue
        ratio = _japanese_ratio(cleaned)
        if ratio < 0.5:
            continue
        score = ratio
        if COMPANY_RE.search(cleaned):
            score += 1.5
        if VENDOR_HINT.search(cleaned):
            score += 0.8
        if median_height and line.height:
            score += min(1.5, max(-0.5, (line.height / median_height - 1.0) * 1.5))
        # Position: top of a shop receipt, or right above the issuer's address/TEL/登録番号 block.
        relative = (line.top - first_top) / max(1, last_bottom - first_top)
        score += max(0.0, 0.8 - 2.5 * relative)
        following = " ".join(texts[i + 1 : i + 4])
        if re.search(r"〒|TEL|電話|登録番号|[都道府県].{0,6}[市区町村郡]", following):
            score += 1.0
        preceding = texts[i - 1] if i else ""
        if re.search(r"様|御中", preceding) and not COMPANY_RE.search(cleaned):
            score -= 0.3
        score += 0.3 * line.conf
        if best is None or score > best[0]:
            best = (score, cleaned)
    if best is None:
        return FieldReading(None, 0.0)
    score, value = best
    return FieldReading(value, max(0.1, min(0.9, 0.2 + 0.15 * score)))


# ---------------------------------------------------------------------------------------------
# Entry points


def extract_fields(
    lines: Sequence[OcrLine],
    *,
    today: date | None = None,
    vendor_lines: Sequence[OcrLine] | None = None,
) -> ReceiptReading:
    var = variants(lines)
    total_scores = total_candidates(var)
    breakdown, basis, implied_total = extract_tax(var, total_scores)
    total = extract_total(var, implied_total if implied_total in total_scores or not total_scores else None)
    if implied_total is not None and total.value is not None and implied_total != total.value:
        # The arithmetic does not close: trust neither side fully (R6.4).
        breakdown = FieldReading(breakdown.value, breakdown.confidence * 0.6)
        basis = FieldReading(basis.value, basis.confidence * 0.6)
    raw_text = "\n".join(line.text for line in lines)
    return ReceiptReading(
        issue_date=extract_issue_date(var, today),
        total=total,
        vendor=extract_vendor(vendor_lines if vendor_lines is not None else lines),
        registration_number=extract_registration_number(var),
        tax_breakdown=breakdown,
        tax_basis=basis,
        payment_method=extract_payment_method(var),
        raw_text=raw_text,
    )


def extract_from_text(text: str, *, today: date | None = None) -> ReceiptReading:
    return extract_fields(lines_from_text(text), today=today)
