"""Tesseract-backed receipt parser (the tesseract CLI, run in a temp dir the parser owns).

Two passes: the Japanese model reads the layout and words; the Latin model then re-reads only the
lines that contain digits (stacked into one small image), because the Japanese model confuses 0
with 9/6 in amounts and registration numbers.
"""

from __future__ import annotations

import csv
import itertools
import logging
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from PIL import Image

from expenses.ocr.fields import extract_fields
from expenses.ocr.preprocess import PreprocessOptions, preprocess
from expenses.ocr.protocol import ReceiptReading
from expenses.ocr.text import OcrLine

logger = logging.getLogger(__name__)

SUPPORTED_MIME = frozenset(
    {"image/jpeg", "image/png", "image/webp", "image/heic", "image/heif", "application/pdf"}
)
# Tesseract's OpenMP threads cost more than they give on small images and fight the other worker.
TESSERACT_ENV = {"OMP_THREAD_LIMIT": "1"}
BASE_CONFIG = ("--oem", "1", "-c", "tessedit_do_invert=0")


@dataclass(frozen=True)
class Word:
    text: str
    left: int
    top: int
    width: int
    height: int
    conf: float
    key: tuple[int, int, int]


def tesseract_available(langs: str = "jpn+eng") -> tuple[bool, str]:
    """(ok, reason). Used by the registry and by the test fixture that must fail loudly."""
    binary = shutil.which("tesseract")
    if not binary:
        return False, "tesseract binary not found on PATH"
    try:
        listed = subprocess.run([binary, "--list-langs"], capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.SubprocessError) as exc:
        return False, f"tesseract --list-langs failed: {exc}"
    available = set(listed.stdout.split())
    missing = [lang for lang in langs.split("+") if lang not in available]
    if missing:
        return False, f"tesseract language data missing: {', '.join(missing)}"
    return True, ""


def split_langs(langs: str) -> tuple[str, str | None]:
    """Layout pass languages and the digit pass language ("eng" when requested alongside others)."""
    parts = [p for p in langs.split("+") if p]
    if "eng" in parts and len(parts) > 1:
        return "+".join(p for p in parts if p != "eng"), "eng"
    return "+".join(parts) or "eng", None


class TesseractParser:
    def __init__(
        self,
        langs: str = "jpn+eng",
        *,
        timeout: float = 60.0,
        preprocess_options: PreprocessOptions | None = None,
    ) -> None:
        self.langs = langs
        self.timeout = timeout
        self.preprocess_options = preprocess_options or PreprocessOptions()
        self.tempdir: Path | None = None

    def __enter__(self) -> TesseractParser:
        self.tempdir = Path(tempfile.mkdtemp(prefix="seisan-ocr-"))
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc_val: BaseException | None,
        exc_tb: TracebackType | None,
    ) -> None:
        if self.tempdir is not None:
            logger.debug("Cleaning up temporary directory %s", self.tempdir)
            shutil.rmtree(self.tempdir, ignore_errors=True)
            self.tempdir = None

    def score(self, mime: str) -> int | None:
        return 10 if mime in SUPPORTED_MIME else None

    def parse(self, image: Image.Image) -> ReceiptReading:
        if self.tempdir is None:
            raise RuntimeError("TesseractParser must be used as a context manager")
        prepared = preprocess(image, self.preprocess_options)
        layout_lang, digit_lang = split_langs(self.langs)
        words = self._run(prepared, "page", layout_lang, psm=6)
        lines = group_lines(words)
        if digit_lang:
            lines = self._reread_digits(prepared, lines, digit_lang)
        return extract_fields(lines, vendor_lines=vendor_lines(words))

    # -- internals -------------------------------------------------------------------------------

    def _run(self, image: Image.Image, name: str, lang: str, *, psm: int) -> list[Word]:
        assert self.tempdir is not None
        source = self.tempdir / f"{name}.png"
        image.save(source)
        base = self.tempdir / name
        command = ["tesseract", str(source), str(base), "-l", lang, "--psm", str(psm), *BASE_CONFIG, "tsv"]
        try:
            subprocess.run(
                command,
                check=True,
                capture_output=True,
                timeout=self.timeout,
                env={**os.environ, **TESSERACT_ENV},
            )
        except subprocess.TimeoutExpired as exc:
            raise TimeoutError(f"tesseract took longer than {self.timeout}s") from exc
        except subprocess.CalledProcessError as exc:
            raise OSError(f"tesseract failed: {exc.stderr.decode(errors='replace')[:500]}") from exc
        return read_tsv(base.with_suffix(".tsv"))

    def _reread_digits(self, page: Image.Image, lines: list[OcrLine], lang: str) -> list[OcrLine]:
        """Stack the digit-bearing lines into one image and read it with the Latin model."""
        targets = [
            i for i, line in enumerate(lines) if any(c.isdigit() for c in line.text) and line.height > 0
        ]
        if not targets:
            return lines
        crops: list[tuple[int, Image.Image]] = []
        for i in targets:
            line = lines[i]
            # Tight vertically: slivers of the neighbouring lines make the Latin model read garbage;
            # the sheet's white gap supplies the margin Tesseract wants.
            pad_y = max(2, line.height // 10)
            pad_x = max(6, line.height // 2)
            box = (
                max(0, line.left - pad_x),
                max(0, line.top - pad_y),
                min(page.width, line.left + line.width + pad_x),
                min(page.height, line.top + line.height + pad_y),
            )
            crops.append((i, page.crop(box)))
        gap = max(10, int(sum(c.height for _, c in crops) / len(crops) * 0.6))
        width = max(c.width for _, c in crops) + 2 * gap
        height = sum(c.height for _, c in crops) + gap * (len(crops) + 1)
        sheet = Image.new("L", (width, height), 255)
        slots: list[tuple[int, int, int]] = []
        y = gap
        for index, crop in crops:
            sheet.paste(crop.convert("L"), (gap, y))
            slots.append((index, y, y + crop.height))
            y += crop.height + gap
        words = self._run(sheet, "digits", lang, psm=6)
        texts: dict[int, list[Word]] = {}
        for word in words:
            center = word.top + word.height / 2
            for index, top, bottom in slots:
                if top - gap / 2 <= center <= bottom + gap / 2:
                    texts.setdefault(index, []).append(word)
                    break
        out = list(lines)
        for index, slot_words in texts.items():
            slot_words.sort(key=lambda w: w.left)
            alt = " ".join(w.text for w in slot_words)
            line = lines[index]
            out[index] = OcrLine(line.text, alt, line.top, line.left, line.height, line.width, line.conf)
        return out


def read_tsv(path: Path) -> list[Word]:
    words: list[Word] = []
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        for row in reader:
            text = (row.get("text") or "").strip()
            if row.get("level") != "5" or not text:
                continue
            words.append(
                Word(
                    text=text,
                    left=int(row["left"]),
                    top=int(row["top"]),
                    width=int(row["width"]),
                    height=int(row["height"]),
                    conf=max(0.0, float(row["conf"])) / 100.0,
                    key=(int(row["block_num"]), int(row["par_num"]), int(row["line_num"])),
                )
            )
    return words


# Logos, seals and box rulings leave single "kanji" at the ends of the shop-name row, read with
# near-zero confidence (real words in these rows score far higher).
VENDOR_EDGE_MIN_CONF = 0.3
# Never trimmed: name endings (株式会社, 〇〇屋, 〇〇店) and the honorifics that mark the 宛名.
KEEP_GLYPHS = frozenset("社屋店堂館亭庵舗園様殿")


def vendor_lines(words: list[Word]) -> list[OcrLine]:
    """Rows for the issuer name: split at wide gaps (forms print the issuer beside other text) and
    trimmed of the low-confidence single glyphs around a shop name. A name's own parts may be set
    two character widths apart ("カフェ　　みずき"), so only a wider gap splits."""
    return group_lines(words, split_gap=3.0, edge_min_conf=VENDOR_EDGE_MIN_CONF)


def _trim_edges(members: list[Word], min_conf: float) -> list[Word]:
    def noise(word: Word) -> bool:
        return len(word.text) == 1 and word.conf < min_conf and word.text not in KEEP_GLYPHS

    start, end = 0, len(members)
    while start < end and noise(members[start]):
        start += 1
    while end > start and noise(members[end - 1]):
        end -= 1
    return members[start:end]


def group_lines(
    words: list[Word], *, split_gap: float | None = None, edge_min_conf: float = 0.0
) -> list[OcrLine]:
    """Words -> lines (Tesseract's rows), optionally cut where the gap exceeds split_gap x height."""
    grouped: dict[tuple[int, int, int], list[Word]] = {}
    for word in words:
        grouped.setdefault(word.key, []).append(word)
    rows: list[list[Word]] = []
    for members in grouped.values():
        members.sort(key=lambda w: w.left)
        if split_gap is None:
            rows.append(members)
            continue
        height = sorted(w.height for w in members)[len(members) // 2]
        current = [members[0]]
        for previous, word in itertools.pairwise(members):
            if word.left - (previous.left + previous.width) > split_gap * height:
                rows.append(current)
                current = []
            current.append(word)
        rows.append(current)
    lines = []
    for members in rows:
        if edge_min_conf:
            members = _trim_edges(members, edge_min_conf)
            if not members:
                continue
        heights = sorted(w.height for w in members)
        line_height = heights[len(heights) // 2]
        parts: list[str] = []
        for previous, word in zip([None, *members[:-1]], members, strict=True):
            if previous is not None and word.left - (previous.left + previous.width) > 0.4 * line_height:
                parts.append(" ")
            parts.append(word.text)
        left = min(w.left for w in members)
        top = min(w.top for w in members)
        right = max(w.left + w.width for w in members)
        bottom = max(w.top + w.height for w in members)
        conf = sum(w.conf for w in members) / len(members)
        lines.append(OcrLine("".join(parts), None, top, left, bottom - top, right - left, conf))
    lines.sort(key=lambda line: (line.top, line.left))
    return lines
