"""OCR text basics: lines, normalisation, digit look-alikes and reading variants."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

# ---------------------------------------------------------------------------------------------
# Lines


@dataclass(frozen=True)
class OcrLine:
    """One printed line. `alt_text` is a second reading tuned for digits (Latin model), if any.
    `untrimmed`: (left, right) of the row including unsure glyphs trimmed off right next to its ends
    (see vendor_lines); None when none were."""

    text: str
    alt_text: str | None = None
    top: int = 0
    left: int = 0
    height: int = 0
    width: int = 0
    conf: float = 0.9
    untrimmed: tuple[int, int] | None = None


def lines_from_text(text: str) -> list[OcrLine]:
    """Lines for plain text (tests, the fake parser): no layout, average confidence."""
    return [
        OcrLine(text=line, top=i * 10, height=10) for i, line in enumerate(text.splitlines()) if line.strip()
    ]


_CJK = "\u3040-\u30ff\u4e00-\u9fff\u3005"


def has_japanese(text: str) -> bool:
    return bool(re.search(rf"[{_CJK}]", text))


def normalize(text: str) -> str:
    """NFKC (full-width digits and letters to ASCII) and the yen sign variants to one character."""
    text = unicodedata.normalize("NFKC", text)
    text = text.replace("\\", "¥").replace("￥", "¥").replace("羊", "¥")
    # "¥/,200": a 7 whose bar faded reads as a slash. Between a yen sign and a thousands group a
    # slash can be nothing else.
    text = re.sub(r"¥\s*/(?=\s?[,.]\s?\d{3}(?!\d))", "¥7", text)
    # "2023/「9/05": a thin 1 read as a bracket or a quote mark. Right after a date's slash and
    # before a digit it can be nothing else.
    text = re.sub(r"(?<=\d/)\s?[「\"°'](?=\s?\d)\s?", "1", text)
    # OCR inserts spaces between CJK characters ("登録 番号"); they carry no meaning.
    text = re.sub(rf"(?<=[{_CJK}])\s+(?=[{_CJK}])", "", text)
    # "1.650", "11,.160", "2, 460": thousands separators misread; normalise to a comma.
    # "7。200": the Japanese model reads the separator as its own full stop.
    text = re.sub(r"(?<=\d)\s?[,.。、]{1,2}\s?(?=\d{3}(?!\d))", ",", text)
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


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance: the fewest glyph insertions, deletions and substitutions from a to b."""
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, start=1):
        current = [i]
        for j, char_b in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char_a != char_b)))
        previous = current
    return previous[-1]


def digits_only(text: str) -> str:
    return re.sub(r"\D", "", text.translate(DIGIT_LOOKALIKES))


# Digit pairs the two Tesseract models mix up (the Japanese model reads 0 as 9, 6 or 8).
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


def _pair_score(a: str, b: str) -> float:
    """How well two digit runs match: positive when they are plausibly the same printed number."""
    if len(a) != len(b):
        return float("-inf")
    cost = sum(
        0.0 if x == y else 0.25 if y in CONFUSIONS.get(x, "") else 1.0 for x, y in zip(a, b, strict=True)
    )
    return len(a) - 2 * cost


def _align_runs(primary: list[str], other: list[str]) -> dict[int, str]:
    """Order-preserving pairing of digit runs that maximises the summed match score (small DP).

    Either reading may have extra runs (a kanji read as digits, a lost "%"), so runs are paired
    by content rather than by position.
    """
    n, m = len(primary), len(other)
    best = [[0.0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            paired = _pair_score(primary[i], other[j])
            best[i][j] = max(
                best[i + 1][j], best[i][j + 1], paired + best[i + 1][j + 1] if paired > 0 else 0.0
            )
    out: dict[int, str] = {}
    i = j = 0
    while i < n and j < m:
        paired = _pair_score(primary[i], other[j])
        if paired > 0 and best[i][j] == paired + best[i + 1][j + 1]:
            out[i] = other[j]
            i, j = i + 1, j + 1
        elif best[i][j] == best[i + 1][j]:
            i += 1
        else:
            j += 1
    return out


def _positional_pairs(
    primary: str, runs_primary: list[re.Match[str]], runs_other: list[str]
) -> dict[int, str]:
    """Same number of runs: pair by position, even across a lost or extra digit ("104,500" / "10,500").

    Not a rate, whose "%" the Latin model often reads as 8 ("10%" / "108"), nor a short run the Latin
    reading shortened (a day "15" whose 5 it read as "S").
    """
    out: dict[int, str] = {}
    for i, (match, other) in enumerate(zip(runs_primary, runs_other, strict=True)):
        run = match.group()
        is_rate = primary[match.end() : match.end() + 1] == "%"
        if len(other) == len(run) or (not is_rate and (len(run) >= 3 or len(other) > len(run))):
            out[i] = other
    return out


THOUSANDS_GROUP_OR_RUN = re.compile(r"(?<=[,.])\s?(\d{3})\d(?!\d)|(\d+)")


def merge_digit_runs(primary: str, digits_from: str) -> str:
    """Replace each digit run in `primary` by the matching run in `digits_from`.

    The Japanese model reads layout words (年, 合計) well but confuses 0 with 9; the Latin model reads
    digits well but not kanji. Runs pair by position when both readings have as many, else by an
    alignment of equal-length runs.
    """
    runs_primary = list(re.finditer(r"\d+", primary))
    # A thousands group holds three digits: a fourth is the figure's mark ("※", "-") read as a digit
    # ("¥ 210, 0003"), as in AMOUNT_RE. Left on, that group pairs with nothing, and the merge builds a
    # figure neither model read: the other's first group before this reading's misread second one
    # (210,990 from "219,990" and "210,0003").
    runs_other = [m.group(1) or m.group(2) for m in THOUSANDS_GROUP_OR_RUN.finditer(digits_from)]
    if not runs_primary or not runs_other:
        return primary
    if len(runs_primary) == len(runs_other):
        replacement = _positional_pairs(primary, runs_primary, runs_other)
    else:
        replacement = _align_runs([m.group() for m in runs_primary], runs_other)
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
