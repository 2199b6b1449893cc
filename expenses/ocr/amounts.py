"""Amounts and the total (合計 / お支払額 / 金額), with digit repairs; the tax breakdown is in tax.py."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from expenses.ocr.protocol import FieldReading
from expenses.ocr.text import CONFUSIONS, Variant

# ---------------------------------------------------------------------------------------------
# Amounts

AMOUNT_RE = re.compile(
    r"(?P<yen>¥\s*)?(?P<num>\d{1,3}(?:\s?[,.]\s?\d{3})+(?!\d)"
    # After a ¥, a last group of four digits: the mark after the amount ("※", "-") read as a digit.
    r"|(?(yen)(?P<marked>\d{1,3}(?:\s?[,.]\s?\d{3})+)\d(?![\d,.])|(?!))"
    r"|\d{1,3}(?: \d{3})+(?![\d,])|\d+)\s*(?P<suffix>円|-|ー|※|\*)?"
)


@dataclass(frozen=True)
class Amount:
    value: int
    marked: bool  # carried a ¥, 円, "-" or "※": certainly money
    start: int


def find_amounts(text: str) -> list[Amount]:
    out = []
    for match in AMOUNT_RE.finditer(text):
        raw = re.sub(r"[\s,.]", "", match.group("marked") or match.group("num"))
        if not raw or len(raw) > 9:
            continue
        grouped = bool(re.search(r"[,.]\d{3}", match.group("num")))
        marked = bool(match.group("yen") or match.group("suffix") in ("円", "※") or grouped)
        # A bare run after a "%" is the rate (10%対象), never an amount.
        before = text[max(0, match.start() - 1) : match.start()]
        after = text[match.end() : match.end() + 1]
        # "1,2345", "2.5km", "03-1234-5678": a broken digit group, a decimal or a phone number.
        if re.match(r"[,.\-]\d", text[match.end("num") : match.end("num") + 2]) or re.search(
            r"\d[,.\-]$", text[max(0, match.start() - 2) : match.start()]
        ):
            continue
        if (
            # A rate is a bare number; "¥210,000%" is a form's "※" read as "%".
            (after == "%" and not grouped)
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
    # "計 ¥1,500", "戸計 ¥6,220", "計 5点 ¥2,338": the 合 lost, cut off or misread (not 小計). Only
    # with a figure that reads as money (or the item count) right after it: "計 だし巻き玉子 4 ¥2,326"
    # is an item line and "ら 計 5 5 朋 旨店 555" a garbled tax line, each with a stray 計.
    (r"^\W*(?:[^\s\d小]\s*)?計(?=\s*(?:¥|\d{1,3}(?:,\d{3})+(?!\d)|\d+\s*点))", 0.8),
    (r"小\s*計", 0.4),
)
# Weight left to a one-digit "total" (see total_candidates).
TINY_TOTAL_FACTOR = 0.1
# Totals under this are fragments of the figure.
FRAGMENT_BELOW = 10
TOTAL_EXCLUDE = re.compile(
    r"預|釣|つり|対象|内税|消費税|税額|外税|税率|税抜|税[^\s込]金額|残高|ポイント|点数|値引|割引|券売|No\."
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
    # Decided per printed line: the Latin reading has the digits but reads 合計 as letters, and the
    # Japanese reading may be the only one that shows お預り or 対象.
    excluded = {v.index for v in var if TOTAL_EXCLUDE.search(v.text)}
    line_weight: dict[int, float] = {}
    for v in var:
        line_weight[v.index] = max(line_weight.get(v.index, 0.0), _keyword_weight(v.text))
    for v in var:
        text = v.text
        if v.index in excluded:
            continue
        weight = line_weight[v.index]
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
    for value, weight in _form_amounts(by_index):
        scores[value] = scores.get(value, 0) + weight
    # A one-digit "total" is a fragment of the figure ("¥1 ’ 233") or a stray mark after it: kept
    # only as a last resort.
    return {value: score * (TINY_TOTAL_FACTOR if is_fragment(value) else 1.0) for value, score in scores.items()}


def is_fragment(total: int) -> bool:
    return total < FRAGMENT_BELOW


PURPOSE_RE = re.compile(r"^\W*但\s*し|として\W*$")
# A date, time, phone number or address above the purpose line is not the amount row.
NOT_AN_AMOUNT_ROW = re.compile(r"[年月/:〒]|TEL|電話", re.IGNORECASE)


def _form_amounts(by_index: dict[int, list[Variant]]) -> list[tuple[int, float]]:
    """The amount row of a 領収書 form, read from its place rather than its symbols.

    Forms print "¥7,960-" just above "但し … として"; OCR often garbles the ¥ and the comma of that
    large, stylised figure ("半7ア960"), so every digit on the nearest digit-bearing row above counts.
    """
    out: list[tuple[int, float]] = []
    for index, readings in by_index.items():
        if not any(PURPOSE_RE.search(v.text) for v in readings):
            continue
        for above in (index - 1, index - 2):
            rows = [v for v in by_index.get(above, []) if re.search(r"\d", v.text)]
            if not rows:
                continue
            if not any(TOTAL_EXCLUDE.search(v.text) or NOT_AN_AMOUNT_ROW.search(v.text) for v in rows):
                for v in rows:
                    # A figure that reads as one (grouped, or with its ¥ or "-") stands on its own:
                    # a stray mark before it read as a digit is not part of it ("#8 % 4,500-").
                    whole = [a.value for a in find_amounts(v.text) if a.marked and a.value >= 100]
                    digits = str(whole[-1]) if whole else re.sub(r"\D", "", v.text)
                    if 3 <= len(digits) <= 8 and digits[0] != "0":
                        out.append((int(digits), 0.5 * v.weight))
            break
    return out


# ---------------------------------------------------------------------------------------------
# Digit repair


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
        # The breakdown's own arithmetic is strong evidence (README consistency rule). A total read
        # one confused digit from it ("¥12,709" for ¥12,700) is a reading of the same figure.
        misread = max((scores[v] for v in scores if breakdown_total in one_digit_edits(v)), default=0.0)
        scores[breakdown_total] = max(scores.get(breakdown_total, 0.0), misread) + 1.2
    if not scores:
        return FieldReading(None, 0.0)
    ranked = sorted(scores.items(), key=lambda kv: (-kv[1], -kv[0]))
    value, score = ranked[0]
    runner_up = ranked[1][1] if len(ranked) > 1 else 0.0
    confidence = min(1.0, 0.45 + 0.25 * score) * (1.0 if score > 1.5 * runner_up else 0.75)
    if breakdown_total is not None:
        confidence = min(1.0, confidence + 0.15) if breakdown_total == value else confidence * 0.7
    return FieldReading(value, confidence)
