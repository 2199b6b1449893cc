"""登録番号 (R1): candidates across readings, chosen with the check digit."""

from __future__ import annotations

import re
from collections.abc import Sequence

from expenses.ocr.amounts import CONFUSIONS
from expenses.ocr.protocol import FieldReading
from expenses.ocr.text import _RUN, Variant, digits_only, normalize


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
