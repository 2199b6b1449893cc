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
