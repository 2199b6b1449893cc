"""Issue dates: 西暦 and 和暦, full-width digits, two-digit years."""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from datetime import date

from expenses.ocr.protocol import FieldReading
from expenses.ocr.text import CONFUSIONS, Variant, normalize

ERA_START = {"令和": 2018, "和": 2018, "平成": 1988, "R": 2018, "H": 1988}
HEISEI = ("平成", "H")
HEISEI_END = date(2019, 4, 30)
# (pattern, specificity): how much a match says it is a date. A two-digit year or a bare R/H era
# could be a part number; a year whose 年 and 月 the model turned into other glyphs ("2826生99殺11日"
# for 2026年09月11日, on a blurred photo) is a date only by its shape, and its digits need repairs.
DATE_PATTERNS = (
    (
        re.compile(
            # 年 may be misread as another character ("令和5を11月21日"): the era and 月 still frame it.
            r"(?P<era>令和|平成|(?<=[^\s\d])和)[^\d\s年]?\s*(?P<y>元|\d{1,3})\s*(?:[^\d\s年月]?\s*年|[^\d\s年月日])\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*日?"
        ),
        1.0,
    ),
    (re.compile(r"(?P<y>[12]\d{3})\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*日?"), 1.0),
    (re.compile(r"(?<!\d)(?P<y>[12]\d{3})\s*[/\-.]\s*(?P<m>\d{1,2})\s*[/\-.]\s*(?P<d>\d{1,2})(?!\d)"), 1.0),
    (
        re.compile(
            r"(?<![\d.A-Za-z])(?P<era>[RH])\s*(?P<y>\d{1,2})\s*[/\-.]\s*(?P<m>\d{1,2})\s*[/\-.]\s*(?P<d>\d{1,2})(?!\d)"
        ),
        0.6,
    ),
    (re.compile(r"(?<![\d/\-.])(?P<y>\d{2})\s*[/.]\s*(?P<m>\d{1,2})\s*[/.]\s*(?P<d>\d{1,2})(?![\d/.])"), 0.6),
    (
        re.compile(
            # Not a date the patterns above read whole (its score would count twice).
            r"(?<!\d)(?![12]\d{3}\s*(?:年\s*\d{1,2}\s*月|[/\-.]\s*\d{1,2}\s*[/\-.]))"
            r"(?P<y>[12]\d{3})\s*[^\d\s]{1,3}\s*(?P<m>\d{1,2})\s*[^\d\s]{1,3}\s*(?P<d>\d{1,2})\s*日"
        ),
        0.3,
    ),
)
DATE_PREFER = re.compile(r"発行|日付|領収日|年月日|取引|精算|降車|date", re.IGNORECASE)
# A period "A ~ B" (a stay, a pass's validity).
RANGE_MARK = re.compile(r"[~〜～]")
DATE_AVOID = re.compile(rf"期間|{RANGE_MARK.pattern}|チェックイン|到着|有効|期限|生年|乗車日から|From", re.IGNORECASE)


def _to_date(era: str | None, y: str, m: str, d: str) -> date | None:
    try:
        year = 1 if y == "元" else int(y)
        if era:
            year += ERA_START[era]
        elif year < 100:
            year += 2000
        value = date(year, int(m), int(d))
    except ValueError:
        return None
    # 平成 ended on 2019-04-30 and 令和 began the next day: "平成37年" is a misread, not a date.
    if era and (value <= HEISEI_END) != (era in HEISEI):
        return None
    return value


def _plausible(value: date, today: date | None) -> bool:
    today = today or date.today()
    return date(today.year - 10, 1, 1) <= value <= date(today.year + 1, 12, 31)


# Receipts reach an expense claim within months, and are kept seven years (電帳法). Up to this age a
# date is taken as read; past it, a misread digit (令和7 read as 令和1, by both models alike) is the
# likelier story, and its score is multiplied by AGE_DECAY for each further year.
RECENT_YEARS = 4.0
AGE_DECAY = 0.25


def _age_factor(value: date, today: date | None) -> float:
    age = ((today or date.today()) - value).days / 365.25
    return 1.0 if age <= RECENT_YEARS else AGE_DECAY ** (age - RECENT_YEARS)


def _is_subsequence(needle: str, haystack: str) -> bool:
    it = iter(haystack)
    return all(ch in it for ch in needle)


def _found_in_order(parts: Sequence[str], witness: str) -> list[int] | None:
    """Where each part appears whole, in order, in the witness ("07", "05", "10" in "3074051210")."""
    position, found = 0, []
    for part in parts:
        at = witness.find(part, position)
        if at < 0:
            return None
        found.append(at)
        position = at + len(part)
    return found


def _in_order(parts: Sequence[str], witness: str) -> bool:
    return _found_in_order(parts, witness) is not None


def _witness_factor(parts: Sequence[str], witness: str, longer: list[str] | None) -> float:
    """`longer`: the parts as the witness goes on with them (see _longer_in_witness)."""
    if longer is not None:
        # A one-digit month or day that the witness goes on with a digit of the same field ("1月" read
        # beside "108": 10 and the 月 as 8) is not confirmed: the Japanese reading may have dropped it.
        return 1.0
    if _in_order(parts, witness):
        return CONFIRMED_FACTOR
    if _is_subsequence("".join(parts), witness):
        return 1.0
    return 0.3


def _longer_in_witness(parts: Sequence[str], witness: str) -> list[str] | None:
    """The parts with a one-digit month or day as the witness goes on with it ("1" beside the
    witness's "2023 4 11 9 25": 11), when that is still a month or day; else None."""
    found = _found_in_order(parts, witness)
    if found is None:
        return None
    for index, (part, at, most) in enumerate(zip(parts[-2:], found[-2:], (12, 31), strict=True)):
        after = witness[at + len(part) : at + len(part) + 1]
        if len(part) == 1 and after.isdigit() and 1 <= int(part + after) <= most:
            longer = list(parts)
            longer[len(parts) - 2 + index] = part + after
            # The longer field must leave the rest in order: in "2024 4 1218" (1月21日, its 月 lost)
            # the 2 after the month's 1 is the day's.
            return longer if _in_order(longer, witness) else None
    return None


# Addresses ("4-2-10", "2-2-13") and phone numbers look like dates to the regexes.
ADDRESS_RE = re.compile(
    r"〒|[都道府県].{0,8}[市区町村郡]|[市区町村]\S{0,10}\d+-\d+|TEL|電話|FAX", re.IGNORECASE
)


RANGE_START_FACTOR = 0.5
# A date whose year, month and day the Latin reading shows in order.
CONFIRMED_FACTOR = 2.5


def date_candidates(var: Sequence[Variant], today: date | None = None) -> dict[date, float]:
    scores: dict[date, float] = {}
    # Decided per line: the Latin reading of an address line has lost the kanji that give it away.
    address_lines = {v.index for v in var if ADDRESS_RE.search(v.text)}
    for v in var:
        text = v.text
        weight = (
            v.weight * (1.5 if DATE_PREFER.search(text) else 1.0) * (0.3 if DATE_AVOID.search(text) else 1.0)
        )
        if v.index in address_lines:
            weight *= 0.1
        # The Latin model mangles 年月日 but keeps digits: a date whose digits appear in order in its
        # reading is confirmed, which settles 0/9 confusions that a calendar check cannot.
        # Only real digits: letters mapped to digits would let kanji garbage "confirm" any date.
        witness = re.sub(r"\D", "", normalize(v.line.alt_text)) if v.line.alt_text else ""
        if witness:
            for value in pieced_dates(text, witness, today):
                scores[value] = scores.get(value, 0.0) + weight * PIECED_WEIGHT * _age_factor(value, today)
        # A stay or validity period "A ~ B": a hotel issues its receipt at check-out, the period's end.
        tilde = RANGE_MARK.search(text)
        for pattern, specificity in DATE_PATTERNS:
            for match in pattern.finditer(text):
                parts = match.groupdict()
                start_of_range = tilde is not None and match.end() <= tilde.start()
                factor = specificity * (RANGE_START_FACTOR if start_of_range else 1.0)
                ys = _year_variants(parts["y"], bool(parts.get("era")))
                # Repairs that cannot be a month or a day are dropped before they multiply.
                months = [(edits, m) for edits, m in _digit_variants(parts["m"]) if 1 <= int(m) <= 12]
                days = [(edits, d) for edits, d in _digit_variants(parts["d"]) if 1 <= int(d) <= 31]
                for (edits_y, y), (edits_m, m), (edits_d, d) in itertools.product(ys, months, days):
                    value = _to_date(parts.get("era"), y, m, d)
                    if not value or not _plausible(value, today):
                        continue
                    score = weight * factor * (0.35 ** (edits_y + edits_m + edits_d)) * _age_factor(value, today)
                    if witness:
                        shown = [y, m, d] if y != "元" else [m, d]
                        longer = _longer_in_witness(shown, witness)
                        # The Japanese reading dropped a digit the Latin one kept (the 11 of 11月 read
                        # as 1月): the longer field, as the witness shows it, is the confirmed date.
                        if longer:
                            y2, m2, d2 = [y, *longer] if y == "元" else longer
                            longer_value = _to_date(parts.get("era"), y2, m2, d2)
                            if longer_value and _plausible(longer_value, today):
                                scores[longer_value] = scores.get(longer_value, 0.0) + score * CONFIRMED_FACTOR
                        score *= _witness_factor(shown, witness, longer)
                    scores[value] = scores.get(value, 0.0) + score
    return scores


# A western-calendar date whose 年 and 日 survived in the Japanese reading while a part between or
# before them did not ("2826年的殺11日", "72974年93月13日").
KANJI_FRAME_RE = re.compile(r"(?P<y>\d{3,5})\s*年(?P<mid>[^日年]{0,6}?)(?P<d>\d{1,2})\s*日")
# Weight of a date pieced together from both readings: below any date one reading shows whole.
PIECED_WEIGHT = 0.5


def pieced_dates(text: str, witness: str, today: date | None = None) -> set[date]:
    """Dates framed by 年 … 日 in the Japanese reading, with the garbled part taken from the Latin one.

    The Latin model keeps the digits but turns 年月日 into letters or digits, so its run can't be
    split into year, month and day alone; the Japanese model's frame says where they sit. A part
    the frame lost (the month, a year with a stray or misread digit) is read from the witness between
    its neighbours. Every date returned shows its year, month and day in order in the witness.
    """
    out: set[date] = set()
    for match in KANJI_FRAME_RE.finditer(text):
        month_digits = re.sub(r"\D", "", match.group("mid"))
        for d in _one_repair(match.group("d")):
            for y in _witnessed_years(match.group("y"), witness):
                for m in _witnessed_months(month_digits, y, d, witness):
                    value = _to_date(None, y, m, d)
                    if value and _plausible(value, today) and _in_order([y, m, d], witness):
                        out.add(value)
    return out


def _witnessed_years(read: str, witness: str) -> list[str]:
    """The year as read (last four digits, at most one repair) or, failing that, as the witness has it."""
    years = [y for y in _one_repair(read[-4:]) if y.startswith("20") and y in witness]
    return years or sorted(set(re.findall(r"(?=(20\d{2}))", witness)))


def _witnessed_months(read: str, y: str, d: str, witness: str) -> list[str]:
    """The month as read (at most one repair) or the witness's last digits between year and day."""
    if read:
        return [m for m in _one_repair(read) if 1 <= int(m) <= 12]
    start = witness.find(y)
    end = witness.find(d, start + len(y) + 1) if start >= 0 else -1
    between = witness[start + len(y) : end] if end > 0 else ""
    for width in (2, 1):
        tail = between[-width:]
        if len(tail) == width and 1 <= int(tail) <= 12:
            return [tail]
    return []


def _one_repair(text: str) -> list[str]:
    return [variant for edits, variant in _digit_variants(text) if edits <= 1]


def _year_variants(y: str, era: bool) -> list[tuple[int, str]]:
    if y == "元":
        return [(0, "元")]
    if era and len(y) == 3:
        # "令和507年": a stray mark read as a digit in front of the two-digit era year.
        return [(edits + 1, text) for edits, text in _digit_variants(y[1:])]
    return _digit_variants(y)


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


def drops_one_digit(first: date, second: date) -> bool:
    """Whether `first` is `second` with one digit of its month or day missing (10月 → 1月, 12日 → 1日)."""
    if first.year != second.year:
        return False
    changed = [
        (str(a), str(b)) for a, b in ((first.month, second.month), (first.day, second.day)) if a != b
    ]
    if len(changed) != 1:
        return False
    short, long = changed[0]
    return len(long) == len(short) + 1 and any(long[:i] + long[i + 1 :] == short for i in range(len(long)))


def extract_issue_date(var: Sequence[Variant], today: date | None = None) -> FieldReading[date]:
    scores = date_candidates(var, today)
    if not scores:
        return FieldReading(None, 0.0)
    # Ties go to the later date: claims are filed soon after the expense. And so the same OCR text
    # always gives the same date: the scores' order follows set order, which differs between processes.
    ranked = sorted(scores.items(), key=lambda kv: (-kv[1], -kv[0].toordinal()))
    value, score = ranked[0]
    runner_up = ranked[1][1] if len(ranked) > 1 else 0.0
    confidence = min(0.97, 0.4 + 0.3 * score) * (1.0 if score >= 1.5 * runner_up else 0.7)
    return FieldReading(value, confidence)


def ties_with(chosen: date, other: date, var: Sequence[Variant], today: date | None = None) -> bool:
    """Whether `other` scored as high as `chosen` on these readings: the choice between them was the
    tie-break's, not the readings'."""
    scores = date_candidates(var, today)
    return other != chosen and chosen in scores and scores.get(other, 0.0) >= scores[chosen]


# Payment method
