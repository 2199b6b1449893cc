"""登録番号 (R1): candidates across readings, chosen with the check digit."""

from __future__ import annotations

import re
from collections.abc import Sequence

from expenses.ocr.protocol import FieldReading
from expenses.ocr.text import _RUN, CONFUSIONS, Variant, digits_only, normalize


def _check_sum(base: str) -> int:
    """domain.md R1.3: Σ P_n × Q_n over the 12-digit base, n counted from the right, Q_n = 2 for even n.

    With 12 digits, even n from the right are the even indexes from the left.
    """
    return 2 * sum(map(int, base[0::2])) + sum(map(int, base[1::2]))


def _valid_check_digit(digits: str) -> bool:
    """domain.md R1.3: first digit = 9 - (Σ P_n × Q_n mod 9) over the 12-digit base from the right."""
    if len(digits) != 13 or not digits.isdigit() or digits[0] == "0":
        return False
    return int(digits[0]) == 9 - _check_sum(digits[1:]) % 9


def valid_registration_number(value: str) -> bool:
    value = normalize(value).upper().replace(" ", "").replace("-", "")
    return bool(re.fullmatch(r"T\d{13}", value)) and _valid_check_digit(value[1:])


REG_RUN_RE = re.compile(
    rf"(?P<prefix>[TtㅜтΤ丁『「71|]?)\s*[:：]?\s*(?P<run>{_RUN}(?:[\s-]?{_RUN}){{11,14}})"
)


T_LOOKALIKES = frozenset("TtΤт丁")
# 緑 and 録 look alike at low resolution ("登緑番号").
KEYWORD_RE = re.compile(r"登録|[録緑]番|登緑|適格|インボイス")


def _registration_observations(text: str, context: bool) -> list[tuple[str, float]]:
    """13-digit readings in one line of text, with a weight per reading.

    A bare 13-digit run is as likely a barcode, JAN code or transaction number: it only counts when
    the line (any reading of it, or the line above) says 登録番号, or the run carries its "T".
    """
    out: list[tuple[str, float]] = []
    # A "T" before digits marks the line as the registration line even when the label is garbled.
    keyword = context or bool(KEYWORD_RE.search(text) or re.search(r"(?<![A-Za-z])T\s?\d", text))
    # The Latin reading turns the 登録番号 label into letters ("QXW 1401..."); letters that look like
    # digits would otherwise be glued to the front of the number.
    text = re.sub(r"(?<![A-Za-z])[A-Za-z]{2,}\s+(?=\d)", " ", text)
    if not keyword:
        # The Latin model reads the "T" as 7 or 1 and the label as letters. A run of exactly 14 digits
        # is rare on a receipt; led by a T look-alike and followed by a valid check digit, it is the
        # number even without its label (a stray run passes the check only 1 time in 9).
        for run in re.findall(r"(?<!\d)[17]\d{13}(?!\d)", text):
            if _valid_check_digit(run[1:]):
                out.append((run[1:], 0.5))
    if keyword:
        # An exact 13-digit run stands on its own; the loose pattern below may merge it with a
        # neighbouring fragment ("T 40110010 4011001098993").
        out.extend((run, 1.5) for run in re.findall(r"(?<!\d)\d{13}(?!\d)", text))
        # Likewise a 14-digit run led by the "T" read as 1 or 7, which the loose pattern may join to a
        # TEL number before it ("093-558-2339 11057291914986").
        out.extend((run[1:], 1.35) for run in re.findall(r"(?<![\d-])[17]\d{13}(?!\d)", text))
    for match in REG_RUN_RE.finditer(text):
        # A look-alike standing alone after the digits is a ruling or a mark ("… 441 488 |"), not a 1.
        run = digits_only(re.sub(r"(?:\s[^\d\s])+$", "", match.group("run")))
        # The "T" as read by either model ("丁" is the Japanese model's usual misreading).
        t_prefix = match.group("prefix") in T_LOOKALIKES
        if not keyword and not t_prefix:
            continue
        base = (1.5 if keyword else 0.6) * (1.2 if t_prefix else 1.0)
        if len(run) == 13:
            out.append((run, base))
        elif len(run) >= 14:
            if len(run) == 14 and run[0] in "17":
                out.append((run[1:], 0.9 * base))  # the "T" read as 1 or 7
            # A label letter glued in front ("S 1401..." from "番号 T401...") or a stray mark after.
            out.append((run[-13:], 0.3 * base))
            out.append((run[:13], 0.2 * base))
        elif len(run) == 12 and keyword:
            # "T" and the check digit lost together: the check digit is computable from the rest.
            out.append((_check_digit_for(run) + run, 0.4 * base))
    return out


def _check_digit_for(base: str) -> str:
    """domain.md R1.3 check digit (1-9) for a 12-digit base."""
    return str(9 - _check_sum(base) % 9)


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


def _distance(candidate: str, observed: str) -> float:
    """Differing digits; a 0 read as 9/6/8 counts half: both models often do that, rarely the reverse.

    (The check digit cannot tell 0 from 9: they differ by 9, which the mod-9 sum does not see.)
    """
    return sum(
        0.0 if c == o else 0.5 if c == "0" and o in "968" else 1.0
        for c, o in zip(candidate, observed, strict=True)
    )


def registration_candidates(var: Sequence[Variant]) -> dict[str, float]:
    """Decode the number from every reading of every line at once, constrained by the check digit.

    Each reading votes for valid numbers near it (fewer differing digits = stronger vote), so two
    imperfect readings (Japanese and Latin model) can agree on a number neither read exactly.
    """
    keyword_lines = {v.index for v in var if KEYWORD_RE.search(v.text)}
    observations: list[tuple[str, float]] = []
    for v in var:
        context = v.index in keyword_lines or v.index - 1 in keyword_lines
        observations.extend(
            (digits, weight * v.weight) for digits, weight in _registration_observations(v.text, context)
        )
    if not observations:
        return {}
    candidates = {c for digits, _ in observations for c in _neighbours(digits) if _valid_check_digit(c)}
    scores: dict[str, float] = {}
    for candidate in candidates:
        score = 0.0
        for digits, weight in observations:
            score += weight * (0.3 ** _distance(candidate, digits))
        scores[candidate] = score
    return scores


def extract_registration_number(var: Sequence[Variant]) -> FieldReading[str]:
    scores = registration_candidates(var)
    if not scores:
        return FieldReading(None, 0.7 if any(not re.search(r"登録番号", v.text) for v in var) else 0.3)
    # Ties broken by value so the same OCR text always gives the same answer (set order is random).
    ranked = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
    value, score = ranked[0]
    runner_up = ranked[1][1] if len(ranked) > 1 else 0.0
    confidence = min(0.98, 0.4 + 0.3 * score) * (1.0 if score >= 2 * runner_up else 0.7)
    return FieldReading("T" + value, confidence)


# Dates
