"""Issue dates: 西暦 and 和暦, full-width digits, two-digit years."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date

from expenses.ocr.amounts import CONFUSIONS
from expenses.ocr.protocol import FieldReading
from expenses.ocr.text import Variant, digits_only, normalize

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
