"""Tesseract-backed receipt parser (libtesseract in-process, see engine.py).

Two passes: the Japanese model reads the layout and words; the Latin model then re-reads only the
lines that contain digits (stacked into one small image), because the Japanese model confuses 0
with 9/6 in amounts and registration numbers. Further looks only where the first reading is weak:
- the issuer's name read unsurely: the page once more with Tesseract's column layout;
- the issuer's name row alone at the model's preferred size (a red seal across it lifted);
- a 領収書 form's issuer block (lower right) apart from the rest of the form;
- the date, the 登録番号 or the per-rate breakdown missing (or the date unsure): the lines that may
  hold it, enlarged;
- no total or no date at all: the whole page again with its greys darkened (faded print);
- neither a total nor a date: the page's orientation, and the page read again upright if it lay
  sideways or upside down.
"""

from __future__ import annotations

import csv
import io
import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from types import TracebackType

from PIL import Image

from expenses.ocr.amounts import find_amounts, total_candidates
from expenses.ocr.bands import unread_bands
from expenses.ocr.dates import drops_one_digit, extract_issue_date, ties_with
from expenses.ocr.engine import OSD_LANG, TSV_COLUMNS, engine_for
from expenses.ocr.fields import extract_fields
from expenses.ocr.preprocess import PreparedPage, PreprocessOptions, darken_greys, erase_rulings, prepare_page
from expenses.ocr.protocol import FieldReading, ReceiptReading
from expenses.ocr.registration import extract_registration_number
from expenses.ocr.tax import extract_tax, infer_form_breakdown
from expenses.ocr.text import OcrLine, edit_distance, has_japanese, normalize, variants
from expenses.ocr.together import together
from expenses.ocr.vendor import VendorChoice, addressed, choose_vendor, form_acknowledgement, reread_vendor

SUPPORTED_MIME = frozenset(
    {"image/jpeg", "image/png", "image/webp", "image/heic", "image/heif", "application/pdf"}
)
# Lines worth a second look when a field failed its checks: 年月日 or a slashed/dotted date for the
# date; a long digit run (a 登録番号 whose label was lost) for the registration number.
DATE_LINE_HINT = re.compile(r"[年月日]|\d\s*[/.]\s*\d")
LONG_DIGIT_RUN = re.compile(r"\d{10,}")
MAX_REREAD_LINES = 4
# Enlarged for the second look: the page was scaled for its typical print, not for these lines.
REREAD_SCALE = 1.5
# Glyph heights (pixels) for the second look at the issuer's name: display type is read best at
# about 48 px, whatever size it was printed at. At any one size the model may drop or double a glyph
# that it reads at the sizes around it ("しらか観光バス" at 48 px, しらかば at 34, 40 and 58), so the row
# is read at each and the reading closest to the others is kept. Measured on the dev receipts: these
# five heights fix three names; three heights (36/48/60) fix one; five heights 8 px apart, none.
VENDOR_REREAD_HEIGHTS = (34, 40, 46, 52, 58)
# Only a name row the page read unsurely gets the second look, and only a clearly surer second
# reading replaces the first. Measured: 0.85 and 0.9 choose the same names; at 0.8 a name read at
# 0.83 short of a glyph keeps its page reading.
VENDOR_REREAD_BELOW_CONF = 0.9
VENDOR_REREAD_MIN_GAIN = 0.05
# A glyph of a name row read again alone under this confidence is a guess, and the page's reading
# stands. On the dev receipts guesses score under 0.05 and an unsure but right glyph (a blurred 喫茶)
# 0.28; every threshold between chose the same names.
VENDOR_REREAD_GUESS_BELOW = 0.15
# Below this confidence the 登録番号's lines get a second look: a number found only as a repair of
# what was read (about one receipt in ten). Measured on the dev receipts and three perturbed copies:
# 0.6 fixes 3 of 240 readings (and 1 of 120 on two copies held out); 0.75 fixes a fourth on the dev
# set alone but rereads half of all receipts.
REGISTRATION_UNSURE_BELOW = 0.6
# Below this confidence the date's lines get a second look (about one receipt in three).
DATE_UNSURE_BELOW = 0.7
# Glyph heights at which a faded page's date lines are read again. At any one height the model may
# garble the line it reads at the next; the readings vote (see extract_issue_date).
DATE_REREAD_HEIGHTS = (24, 36)
# Below this confidence in the page's choice of the issuer's name, the page is read once more with
# the column layout for it (about one receipt in five; most names are read surely the first time).
VENDOR_LAYOUT_BELOW_CONF = 0.7
# Gamma for the second reading of a page that gave no total or no date: faded print's light grey
# strokes come out near black (0.8 → 0.5, 0.6 → 0.2), paper stays white.
FADED_PRINT_GAMMA = 3.0
# Orientation confidence above which a page that gave nothing is turned: measured on the dev
# receipts at every turn, wrong guesses (too little legible text) score below 1.5, most right ones 2 to 15.
ORIENTATION_MIN_CONF = 2.0
# Share of the page width left of a 領収書 form's issuer block (the block is printed lower right).
ISSUER_BLOCK_LEFT = 0.45
# The seal-free name row is read as a block: as a single line (psm 7) the model returns noise for
# rows whose lifted seal leaves a wide blank beside the name.
SEAL_PSM = 6
# A page whose words' median confidence is under this is noise: the dev receipts' pages, the hardest
# photos and their turned and scaled copies included, read at 0.15 or more; random noise at 0.
NOISE_MEDIAN_CONF = 0.05
NOISE_MIN_WORDS = 30
# Mean confidence at which a row the page's reading missed, read alone, counts as print.
MISSED_ROW_MIN_CONF = 0.5


@dataclass(frozen=True)
class Word:
    text: str
    left: int
    top: int
    width: int
    height: int
    conf: float
    key: tuple[int, int, int]

    @property
    def box(self) -> tuple[int, int, int, int]:
        return (self.left, self.top, self.left + self.width, self.top + self.height)


@dataclass(frozen=True)
class WholePage:
    """The whole page's first reading: its lines (Latin digits attached), its rows for the issuer's
    name (seal glyphs left out) and the name chosen from them, and the column layout's rows when the
    choice was unsure (else None). `noise`: the page read as noise and gave nothing; its lines were
    not read again (see _is_noise)."""

    lines: list[OcrLine]
    name_rows: list[OcrLine]
    name: VendorChoice
    column_rows: list[OcrLine] | None
    noise: bool = False


@dataclass(frozen=True)
class IssuerBlock:
    """A 領収書 form's issuer block read on its own: where it is on the page and what it says."""

    box: tuple[int, int, int, int]
    lines: list[OcrLine]
    vendor: VendorChoice


def tesseract_available(langs: str = "jpn+eng") -> tuple[bool, str]:
    """(ok, reason): whether libtesseract loads with every language. Used by the test fixture that
    must fail loudly when the machine lacks them."""
    try:
        for lang in langs.split("+"):
            engine_for(lang)
    except OSError as exc:
        return False, str(exc)
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

    # A context manager like every parser (see protocol.py); the engine outlives it, nothing to clean.
    def __enter__(self) -> TesseractParser:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc_val: BaseException | None,
        exc_tb: TracebackType | None,
    ) -> None:
        return None

    def score(self, mime: str) -> int | None:
        return 10 if mime in SUPPORTED_MIME else None

    def parse(self, image: Image.Image) -> ReceiptReading:
        prepared = prepare_page(image, self.preprocess_options)
        layout_lang, digit_lang = split_langs(self.langs)
        whole = self._read_whole_page(prepared, layout_lang, digit_lang)
        reading = extract_fields(whole.lines)
        turn = self._upright_turn(prepared.image, reading)
        if turn:
            prepared = prepare_page(image.rotate(turn, expand=True), self.preprocess_options)
            whole = self._read_whole_page(prepared, layout_lang, digit_lang)
            reading = extract_fields(whole.lines)
        reading.page_turn = turn
        if whole.noise:
            # Nothing on the page reads as print (not a receipt, or too damaged): no second look can
            # find what the first did not, and on such a page each costs far more than on a receipt.
            return ReceiptReading(raw_text=reading.raw_text)
        page, lines = prepared.image, whole.lines
        vendor = whole.name
        if whole.column_rows is not None:
            vendor = _vendor_with_column_layout(whole.name_rows, vendor, whole.column_rows)
        reading.vendor = vendor.reading
        tax_rereads: list[OcrLine] = []
        if not reading.tax_breakdown.value and reading.total.value is not None:
            tax_rereads = self._reread_tax(page, lines, reading, layout_lang, digit_lang)
        vendor, block_box = self._use_issuer_block(page, lines, vendor, reading, layout_lang)
        if vendor.line is not None:
            rows = [*whole.name_rows, *(whole.column_rows or [])]
            reading.vendor = self._name_after_second_look(prepared, block_box, vendor, rows, layout_lang)
        if reading.issue_date.value is None:
            reading.issue_date = self._reread_date(page, lines, layout_lang)
        elif reading.issue_date.confidence < DATE_UNSURE_BELOW:
            reading.issue_date = self._second_look_at_date(page, lines, reading.issue_date, layout_lang)
        registration = reading.registration_number
        if tax_rereads and _unsure_registration(registration):
            # The lines under the total, read again for the breakdown, may hold the 登録番号 too: every
            # reading of its line votes.
            registration = _surer(registration, extract_registration_number(variants([*lines, *tax_rereads])))
        if digit_lang and _unsure_registration(registration):
            registration = self._reread_registration(page, lines, registration, digit_lang)
        reading.registration_number = registration
        if reading.total.value is None or reading.issue_date.value is None:
            self._read_faded_page(page, reading, layout_lang, digit_lang)
        if not reading.tax_breakdown.value and reading.total.value is not None:
            self._read_form_breakdown(page, lines, reading, layout_lang, digit_lang)
        return reading

    # -- internals -------------------------------------------------------------------------------

    def _run(self, image: Image.Image, name: str, lang: str, *, psm: int) -> list[Word]:
        """The words Tesseract reads on `image` (`name` says which look it is, for test doubles)."""
        return parse_tsv(engine_for(lang).read_tsv(image, psm=psm, timeout=self.timeout))

    def _read_whole_page(self, prepared: PreparedPage, lang: str, digit_lang: str | None) -> WholePage:
        """The page read as one block (see _read_page), its rows for the issuer's name and the name
        chosen from them, and, when that choice is unsure, the rows of the page read with the column
        layout (see _vendor_with_column_layout).

        The column layout's reading (Japanese model) runs at once with the Latin model's reading of
        the digit lines: it needs only the page's words.
        """
        words = self._run(prepared.image, "page", lang, psm=6)
        name_rows = vendor_lines(words_off_seals(prepared, words))
        name = choose_vendor(name_rows)
        if _is_noise(words):
            rows = group_lines(words)
            if _gave_nothing(extract_fields(rows)):
                return WholePage(rows, name_rows, name, None, noise=True)
        unsure = name.reading.confidence < VENDOR_LAYOUT_BELOW_CONF
        lines, column_words = together(
            lambda: self._digit_lines(prepared.image, words, digit_lang),
            lambda: self._run(prepared.image, "columns", lang, psm=4) if unsure else None,
        )
        lines = self._with_missed_rows(prepared.image, lines, lang, digit_lang)
        return WholePage(lines, name_rows, name, None if column_words is None else vendor_lines(column_words))

    def _digit_lines(self, page: Image.Image, words: list[Word], digit_lang: str | None) -> list[OcrLine]:
        lines = group_lines(words)
        return self._reread_digits(page, lines, digit_lang) if digit_lang else lines

    def _with_missed_rows(
        self, page: Image.Image, lines: list[OcrLine], lang: str, digit_lang: str | None
    ) -> list[OcrLine]:
        """The page's lines and the rows of print its reading missed, read on their own (see
        bands.py), where that reading is sure enough to be print, not a rule or a smudge."""
        bands = unread_bands(page, lines)
        if not bands:
            return lines
        found = self._read_stacked(page, bands, "missed", lang)
        missed = [
            replace(bands[slot], text=join_words(words), conf=_mean_conf(words))
            for slot, words in found.items()
            if _mean_conf(words) >= MISSED_ROW_MIN_CONF
        ]
        if missed and digit_lang:
            missed = self._reread_digits(page, missed, digit_lang)
        return sorted([*lines, *missed], key=lambda line: (line.top, line.left))

    def _read_page(
        self, page: Image.Image, name: str, lang: str, digit_lang: str | None
    ) -> tuple[list[Word], list[OcrLine]]:
        """The page's words and lines as one uniform block, the digit-bearing lines read again by the
        Latin model."""
        words = self._run(page, name, lang, psm=6)
        return words, self._digit_lines(page, words, digit_lang)

    def _upright_turn(self, page: Image.Image, first: ReceiptReading) -> int:
        """Degrees (counter-clockwise) that set the page upright, when its reading gave neither a
        total nor a date and Tesseract's orientation detection is sure it lies sideways or upside
        down (a photo without its EXIF orientation: messaging apps and some scanners drop it);
        else 0. Upright pages that gave nothing (faded, blurred) come out unsure or upright."""
        if not _gave_nothing(first):
            return 0
        found = self._detect_orientation(page)
        if found is None:
            return 0
        degrees, confidence = found
        return degrees if confidence >= ORIENTATION_MIN_CONF else 0

    def _detect_orientation(self, page: Image.Image) -> tuple[int, float] | None:
        try:
            return engine_for(OSD_LANG).detect_orientation(page)
        except OSError:
            # Without the orientation model (tesseract-ocr-osd) pages are read as they lie.
            return None

    def _reread_digits(self, page: Image.Image, lines: list[OcrLine], lang: str) -> list[OcrLine]:
        """Stack the digit-bearing lines into one image and read it with the Latin model."""
        targets = [
            i for i, line in enumerate(lines) if any(c.isdigit() for c in line.text) and line.height > 0
        ]
        if not targets:
            return lines
        found = self._read_stacked(page, [lines[i] for i in targets], "digits", lang, scale=1.0)
        out = list(lines)
        for slot, words in found.items():
            out[targets[slot]] = replace(lines[targets[slot]], alt_text=" ".join(w.text for w in words))
        return out

    def _use_issuer_block(
        self, page: Image.Image, lines: list[OcrLine], vendor: VendorChoice, reading: ReceiptReading, lang: str
    ) -> tuple[VendorChoice, tuple[int, int, int, int] | None]:
        """On a 領収書 form, take the issuer's name and 登録番号 from its block where the page lost them.

        Returns the name choice that stands and the block its line was read from (None: the page).
        The block is read only when it can change something: the page found no 登録番号, or the
        page's name row lies outside the block (a choice inside it stays, see _better_issuer).
        """
        box = issuer_block_box(page, lines)
        if box is None or (reading.registration_number.value is not None and _inside(vendor.line, box)):
            return vendor, None
        block = self._read_issuer_block(page, box, lang)
        if reading.registration_number.value is None:
            reading.registration_number = extract_registration_number(variants([*lines, *block.lines]))
        if not _better_issuer(block, vendor):
            return vendor, None
        reading.vendor = block.vendor.reading
        return block.vendor, box

    def _read_issuer_block(self, page: Image.Image, box: tuple[int, int, int, int], lang: str) -> IssuerBlock:
        """A 領収書 form's issuer block (address, name, seal, TEL, 登録番号), read alone.

        On the whole page the model reads a form as one block and runs each row of the issuer's
        block into the text to its left ("上記正に領収いたしました 〒471- 京都"), losing the name and
        the 登録番号. Read on its own, the block's rows come out whole.
        """
        words = self._run(page.crop(box), "issuer", lang, psm=6)
        return IssuerBlock(box, group_lines(words), choose_vendor(vendor_lines(words)))

    def _second_look_at_vendor(
        self, page: PreparedPage, block_box: tuple[int, int, int, int] | None, vendor: VendorChoice, lang: str
    ) -> FieldReading[str] | None:
        """Read the issuer's name row once more, alone, as one line at the model's preferred size:
        with the seal lifted when one is stamped across it, else only when the page read it unsurely.
        None when that reading ends in 様 / 御中: the row is the recipient's (its honorific lost on the
        page)."""
        line = vendor.line
        assert line is not None
        left, top = block_box[:2] if block_box is not None else (0, 0)
        # The glyph a seal covers is usually missing from the row: look a glyph's width past its ends.
        reach = line.height
        x, y = left + line.left, top + line.top
        seal = page.seal_columns((x - reach, y, x + line.width + reach, y + line.height))
        if seal is not None:
            # Whatever the page's confidence: a seal's glyphs read as confidently as the name's. But
            # the glyph the seal covered may still be too broken to read: one read at near-zero
            # confidence is a guess, and the page's reading stands. The row is read to the seal's
            # far side: the page often drops every glyph the seal covers ("株式会社山田" for 山田商店).
            start, end = min(x, seal[0]) - left, max(x + line.width, seal[1]) - left
            # Read both ways, the surer kept: past the name's end, the lifted seal leaves a blank that
            # sometimes makes a broken glyph read worse ("ホテル ミナ" for ミナミ). But a stretched
            # reading that goes on from where the other stops, with no guessed glyph, read what the
            # seal covered ("株式会社ハーベスト" beside "株式会社ハーベス").
            rows = [line, replace(line, left=start, width=end - start)]
            as_is, stretched = self._read_name_rows(
                _crop(page.without_seals(), block_box), rows, lang, psm=SEAL_PSM
            )
            words = stretched if _goes_on_from(stretched, as_is) else max(as_is, stretched, key=_least_sure)
            # A reading that found no glyph the page lacks, and is less sure of its glyphs than the
            # page was, only shows the lifted seal's damage ("和食処松カ" for the page's 和食処松乃).
            adds_nothing = len(_glyphs(words)) <= len(line.text.replace(" ", ""))
            sure = _least_sure(words) >= VENDOR_REREAD_GUESS_BELOW and not (
                adds_nothing and _mean_conf(words) < line.conf
            )
        elif line.conf < VENDOR_REREAD_BELOW_CONF:
            # On a clean name row both readings are equally sure and the page's, with its context,
            # is the safer one.
            (words,) = self._read_name_rows(_crop(page.image, block_box), [line], lang, psm=7)
            sure = bool(words) and _mean_conf(words) >= line.conf + VENDOR_REREAD_MIN_GAIN
        elif line.untrimmed is not None:
            # A glyph the page read as a near-zero-confidence guess right beside a surely read name is
            # usually the name's own first or last glyph ("裏進交通" for 東進交通): the whole row alone,
            # at the model's preferred size, often reads it. Taken only if no glyph is a guess again.
            left, right = line.untrimmed
            row = replace(line, left=left, width=right - left)
            (words,) = self._read_name_rows(_crop(page.image, block_box), [row], lang, psm=7)
            sure = _least_sure(words) >= VENDOR_REREAD_GUESS_BELOW
        else:
            return vendor.reading
        if addressed(join_words(words)):
            return None
        return reread_vendor(vendor.reading, join_words(words)) if sure else vendor.reading

    def _name_after_second_look(
        self,
        page: PreparedPage,
        block_box: tuple[int, int, int, int] | None,
        vendor: VendorChoice,
        rows: list[OcrLine],
        lang: str,
    ) -> FieldReading[str]:
        """The issuer's name after the second look at its row. A row that read alone ends in 様 is the
        recipient's, its honorific lost on the page: the name is chosen again from the other `rows`
        (the page's), and that row gets its own second look."""
        looked = self._second_look_at_vendor(page, block_box, vendor, lang)
        if looked is not None:
            return looked
        assert vendor.line is not None
        vendor = choose_vendor([row for row in rows if not _same_row(row, vendor.line)])
        if vendor.line is None:
            return vendor.reading
        looked = self._second_look_at_vendor(page, None, vendor, lang)
        return vendor.reading if looked is None else looked

    def _read_name_rows(self, image: Image.Image, rows: list[OcrLine], lang: str, *, psm: int) -> list[list[Word]]:
        """Each row read alone at every height of VENDOR_REREAD_HEIGHTS (one sheet per height: rows of
        mixed sizes on one sheet read far worse); per row, the consensus of those readings."""
        by_height = [
            self._read_stacked(image, rows, "vendor", lang, height=height, pad_x=1.0, psm=psm)
            for height in VENDOR_REREAD_HEIGHTS
        ]
        return [consensus_reading([found.get(slot, []) for found in by_height]) for slot in range(len(rows))]

    def _reread_date(self, page: Image.Image, lines: list[OcrLine], lang: str) -> FieldReading[date]:
        """Read the date-looking lines again, alone and larger, when the page gave no valid date.

        On a whole page of small print the Japanese model garbles a date line that it reads well on
        its own at a larger size. Each line keeps its Latin reading as the witness of its digits.
        """
        targets = _date_lines(lines)
        if not targets:
            return FieldReading(None, 0.0)
        return extract_issue_date(variants(self._read_date_lines(page, targets, lang, scale=REREAD_SCALE)))

    def _date_rereads(self, page: Image.Image, lines: list[OcrLine], lang: str) -> list[OcrLine]:
        """The date-looking lines read alone at each of DATE_REREAD_HEIGHTS (one sheet per height)."""
        targets = _date_lines(lines)
        if not targets:
            return []
        return [
            reread for height in DATE_REREAD_HEIGHTS for reread in self._read_date_lines(page, targets, lang, height=height)
        ]

    def _read_date_lines(self, page: Image.Image, targets: list[OcrLine], lang: str, **sizing) -> list[OcrLine]:
        """Each line read alone, with its Latin reading kept as the witness of its digits."""
        found = self._read_stacked(page, targets, "dates", lang, **sizing)
        return [OcrLine(join_words(words), targets[slot].alt_text) for slot, words in found.items()]

    def _second_look_at_date(
        self, page: Image.Image, lines: list[OcrLine], first: FieldReading[date], lang: str
    ) -> FieldReading[date]:
        """An unsure date's lines read again, alone and larger, taken only where they show a digit of
        the month or day that the page's reading dropped (10月 read as 1月: a narrow 0 set close to its
        neighbour), or a date the page's reading scored as high as its choice (the tie-break chose). A
        second reading that differs otherwise is no surer than the first: it stands."""
        second = self._reread_date(page, lines, lang)
        if first.value is None or second.value is None:
            return first
        if drops_one_digit(first.value, second.value):
            return second
        if ties_with(first.value, second.value, variants(lines)):
            return second
        return first

    def _reread_tax(
        self, page: Image.Image, lines: list[OcrLine], reading: ReceiptReading, lang: str, digit_lang: str | None
    ) -> list[OcrLine]:
        """Read the lines under the total again, enlarged, when the page gave no per-rate breakdown;
        the lines as read again.

        Receipts print 10%対象 / 内消費税 right under the total, in smaller type the page often garbles.
        Both models read them again; the breakdown found is taken only if its arithmetic closes on
        the total already read (R6.4), so a misreading cannot bring in one that does not add up.
        """
        total = reading.total.value
        assert total is not None
        index = next((i for i, line in enumerate(lines) if _shows_amount(line, total)), None)
        if index is None:
            return []
        targets = [line for line in lines[index + 1 : index + 1 + MAX_REREAD_LINES] if line.height > 0]
        if not targets:
            return []
        japanese, latin = together(
            lambda: self._read_stacked(page, targets, "tax", lang, scale=REREAD_SCALE),
            lambda: self._read_stacked(page, targets, "tax-digits", digit_lang, scale=REREAD_SCALE) if digit_lang else {},
        )
        reread = [
            replace(
                line,
                text=join_words(japanese.get(slot, [])),
                alt_text=" ".join(w.text for w in latin.get(slot, [])) or None,
            )
            for slot, line in enumerate(targets)
            if slot in japanese or slot in latin
        ]
        _take_breakdown_if_it_adds_up(reading, [*lines[: index + 1], *reread, *lines[index + 1 :]])
        return reread

    def _read_form_breakdown(
        self, page: Image.Image, lines: list[OcrLine], reading: ReceiptReading, lang: str, digit_lang: str | None
    ) -> None:
        """On a 領収書 form, read its 内訳 box (税抜金額 / 消費税額等, lower left beside the issuer's
        block) on its own when the page gave no per-rate breakdown.

        On the whole page the model runs each row of the box into the issuer's block beside it
        ("税抜金額 79,846 200 東京都…") and the amounts drown. As with the lines under the total, the
        breakdown is taken only if it adds up to the total already read; when the box's labels are
        unreadable, only if two of its figures are an amount and its tax that make the total.
        """
        box = breakdown_box(page, lines)
        if box is None:
            return
        # As it lies first; then with the table's rules erased, which the block layout may take for
        # the whole box and drop its cells with them.
        for erase in (False, True):
            crop = erase_rulings(page.crop(box)) if erase else page.crop(box)
            _, block = self._read_page(crop, "breakdown", lang, digit_lang)
            if block and _take_form_breakdown(reading, lines, block):
                return

    def _read_faded_page(
        self, page: Image.Image, reading: ReceiptReading, lang: str, digit_lang: str | None
    ) -> None:
        """Read the whole page again with its greys darkened when it gave no total or no date, and
        take from that reading only the fields the first one lacks.

        On faded or blurred print the strokes stay light grey; Tesseract's own thresholding drops
        them and finds a handful of lines on a page full of text (the big 合計 row and the shop
        name survive). Darkened, the same page yields its rows again.

        A date still missing or unsure there is voted on by the darkened page's date lines read
        again at several heights: on a blurred photo each reading garbles a different glyph
        ("2926征09月2日", "2026和09月22日", "2925等9月22日" for 2026年09月22日).
        """
        darkened = darken_greys(page, FADED_PRINT_GAMMA)
        _, lines = self._read_page(darkened, "faded", lang, digit_lang)
        second = extract_fields(lines)
        if reading.issue_date.value is None and second.issue_date.confidence < DATE_UNSURE_BELOW:
            second.issue_date = extract_issue_date(variants([*lines, *self._date_rereads(darkened, lines, lang)]))
        for name in ("issue_date", "total", "vendor", "registration_number", "payment_method"):
            if getattr(reading, name).value is None:
                setattr(reading, name, getattr(second, name))
        if not reading.tax_breakdown.value and second.tax_breakdown.value:
            reading.tax_breakdown, reading.tax_basis = second.tax_breakdown, second.tax_basis

    def _reread_registration(
        self, page: Image.Image, lines: list[OcrLine], first: FieldReading[str], lang: str
    ) -> FieldReading[str]:
        """Read the lines holding a long digit run again, larger, when no valid 登録番号 came of the
        page or only an unsure one (no reading shows it as printed: a repair of what was read).

        The first readings still vote: the check digit settles which digits the second one fixed. A
        second choice no surer than the first leaves it.
        """
        targets = _lines_to_reread(
            lines, lambda line: any(LONG_DIGIT_RUN.search(text or "") for text in (line.text, line.alt_text))
        )
        if not targets:
            return first if first.value is not None else FieldReading(None, 0.0)
        found = self._read_stacked(page, targets, "registration", lang, scale=REREAD_SCALE)
        reread = [
            OcrLine(targets[slot].text, " ".join(w.text for w in words)) for slot, words in found.items()
        ]
        return _surer(first, extract_registration_number(variants([*targets, *reread])))

    def _read_stacked(
        self,
        page: Image.Image,
        lines: list[OcrLine],
        name: str,
        lang: str,
        *,
        scale: float = 1.0,
        height: int | None = None,
        pad_x: float = 0.5,
        psm: int = 6,
    ) -> dict[int, list[Word]]:
        """Crop each line, stack the crops with white gaps into one image (one Tesseract start-up
        for all of them) and return the words read on each slot, left to right, keyed by the line's
        position. Crops are enlarged by `scale`, or to `height` pixels per line; `pad_x` widens
        each crop by that many line heights on either side (a name's dropped first or last glyph)."""
        crops: list[Image.Image] = []
        for line in lines:
            # Tight vertically: slivers of the neighbouring lines make the model read garbage;
            # the sheet's white gap supplies the margin Tesseract wants.
            pad_y = max(2, line.height // 10)
            pad = max(6, int(line.height * pad_x))
            box = (
                max(0, line.left - pad),
                max(0, line.top - pad_y),
                min(page.width, line.left + line.width + pad),
                min(page.height, line.top + line.height + pad_y),
            )
            crop = page.crop(box).convert("L")
            factor = height / line.height if height is not None and line.height else scale
            if factor != 1.0:
                crop = crop.resize((round(crop.width * factor), round(crop.height * factor)), Image.BICUBIC)
            crops.append(crop)
        gap = max(10, int(sum(c.height for c in crops) / len(crops) * 0.6))
        sheet_width = max(c.width for c in crops) + 2 * gap
        sheet_height = sum(c.height for c in crops) + gap * (len(crops) + 1)
        sheet = Image.new("L", (sheet_width, sheet_height), 255)
        slots: list[tuple[int, int]] = []
        y = gap
        for crop in crops:
            sheet.paste(crop, (gap, y))
            slots.append((y, y + crop.height))
            y += crop.height + gap
        words = self._run(sheet, name, lang, psm=psm)
        found: dict[int, list[Word]] = {}
        for word in words:
            center = word.top + word.height / 2
            for slot, (top, bottom) in enumerate(slots):
                if top - gap / 2 <= center <= bottom + gap / 2:
                    found.setdefault(slot, []).append(word)
                    break
        return {slot: sorted(ws, key=lambda w: w.left) for slot, ws in found.items()}


def _vendor_with_column_layout(
    name_rows: list[OcrLine], vendor: VendorChoice, column_rows: list[OcrLine]
) -> VendorChoice:
    """Let the page's rows and those of its reading with Tesseract's column layout (psm 4) compete
    for the issuer's name, when the page's choice was unsure.

    Read as one uniform block, a shop name set apart from the rest (large type above a shadow, a
    title beside a logo) can run into its surroundings or vanish, leaving an item line as the best
    guess; the column layout finds it as a row of its own. On a row both readings hold, the page's
    stands unless it read that row unsurely too: the block reading is the better one on average.
    """
    pooled = choose_vendor([*name_rows, *column_rows])
    if (
        pooled.line is not None
        and vendor.line is not None
        and _same_row(pooled.line, vendor.line)
        and vendor.line.conf >= VENDOR_REREAD_BELOW_CONF
    ):
        return vendor
    return pooled if pooled.reading.value is not None else vendor


def _gave_nothing(reading: ReceiptReading) -> bool:
    return reading.total.value is None and reading.issue_date.value is None


def _is_noise(words: list[Word]) -> bool:
    """Whether the page's words are what the model makes of noise: at least a few dozen, and most
    read at near-zero confidence (a receipt's page, however damaged, reads far surer)."""
    if len(words) < NOISE_MIN_WORDS:
        return False
    confidences = sorted(word.conf for word in words)
    return confidences[len(confidences) // 2] < NOISE_MEDIAN_CONF


def _unsure_registration(reading: FieldReading[str]) -> bool:
    return reading.value is None or reading.confidence < REGISTRATION_UNSURE_BELOW


def _surer(first: FieldReading[str], second: FieldReading[str]) -> FieldReading[str]:
    """The second choice of a 登録番号 when there was none or it is surer; else the first."""
    if first.value is None or (second.value is not None and second.confidence > first.confidence):
        return second
    return first


def words_off_seals(page: PreparedPage, words: list[Word]) -> list[Word]:
    """The words for the issuer's name: without a seal's own glyphs, which the page reads as words
    beside the name the seal is stamped on ("ホテル グリーンヒル札幌レン")."""
    return [word for word in words if not page.is_seal_glyph(word.box)]


def _crop(image: Image.Image, box: tuple[int, int, int, int] | None) -> Image.Image:
    return image if box is None else image.crop(box)


def _date_lines(lines: list[OcrLine]) -> list[OcrLine]:
    return _lines_to_reread(lines, lambda line: bool(DATE_LINE_HINT.search(normalize(line.text))))


def _lines_to_reread(lines: list[OcrLine], wanted: Callable[[OcrLine], bool]) -> list[OcrLine]:
    """The first few measured lines that may hold a field the page failed to give."""
    return [line for line in lines if line.height > 0 and wanted(line)][:MAX_REREAD_LINES]


def issuer_block_box(page: Image.Image, lines: list[OcrLine]) -> tuple[int, int, int, int] | None:
    """Where a 領収書 form's issuer block is: lower right, from the "上記正に領収いたしました" row down."""
    acknowledgement = form_acknowledgement(lines)
    if acknowledgement is None:
        return None
    top = max(0, acknowledgement.top - acknowledgement.height)
    return (int(page.width * ISSUER_BLOCK_LEFT), top, page.width, page.height)


def breakdown_box(page: Image.Image, lines: list[OcrLine]) -> tuple[int, int, int, int] | None:
    """Where a 領収書 form's 内訳 box is: lower left, from the "上記正に領収いたしました" row down, beside
    the issuer's block."""
    box = issuer_block_box(page, lines)
    return None if box is None else (0, box[1], box[0], page.height)


def _take_form_breakdown(reading: ReceiptReading, lines: list[OcrLine], block: list[OcrLine]) -> bool:
    """The breakdown a form's 内訳 box gives, if it adds up (see _read_form_breakdown); whether the
    box was settled (a breakdown taken, or no total to check one against)."""
    _take_breakdown_if_it_adds_up(reading, [*lines, *block])
    if reading.tax_breakdown.value or reading.total.value is None:
        return True
    printed = {found.value for v in variants(block) for found in find_amounts(v.text)}
    breakdown = infer_form_breakdown(printed, reading.total.value)
    if breakdown is None:
        return False
    # Only the arithmetic vouches for the rate: stay cautious, as for other inferred rates.
    reading.tax_breakdown, reading.tax_basis = FieldReading(breakdown, 0.5), FieldReading("exclusive", 0.5)
    return True


def _take_breakdown_if_it_adds_up(reading: ReceiptReading, lines: list[OcrLine]) -> None:
    """The per-rate breakdown those lines give, taken only if its arithmetic closes on the total
    already read (R6.4): a misreading cannot bring in one that does not add up."""
    var = variants(lines)
    breakdown, basis, implied_total, _ = extract_tax(var, total_candidates(var))
    if breakdown.value and implied_total == reading.total.value:
        reading.tax_breakdown, reading.tax_basis = breakdown, basis


def _shows_amount(line: OcrLine, amount: int) -> bool:
    """Whether either reading of the line shows `amount` ("¥2,295", "2.295", "2295")."""
    return any(
        found.value == amount
        for text in (line.text, line.alt_text)
        if text
        for found in find_amounts(normalize(text))
    )


def _same_row(a: OcrLine, b: OcrLine) -> bool:
    """Whether two lines overlap vertically by more than half the shorter one's height."""
    overlap = min(a.top + a.height, b.top + b.height) - max(a.top, b.top)
    return overlap > 0.5 * min(a.height, b.height)


def _inside(line: OcrLine | None, box: tuple[int, int, int, int]) -> bool:
    """Whether a line lies in the box. A line that starts well left of it is the page's layout running
    a row of the box into the text beside it ("イサーー | | 四エ聞店" for a form's 田中工務店): not in it."""
    if line is None:
        return False
    left, top, right, bottom = box
    x, y = line.left + line.width / 2, line.top + line.height / 2
    return left - line.height <= line.left and x <= right and top <= y <= bottom


def _better_issuer(block: IssuerBlock, page: VendorChoice) -> bool:
    """Whether the name read in a form's issuer block replaces the one chosen on the whole page.

    A name cut by the block's left edge continues outside it (not an issuer block after all). A page
    choice inside the block is the same name read with its surroundings: it stays.
    """
    line = block.vendor.line
    if block.vendor.reading.value is None or line is None or line.left <= line.height // 4:
        return False
    return not _inside(page.line, block.box)


def parse_tsv(tsv: str) -> list[Word]:
    """Tesseract's TSV rows (no header) -> its words, with confidence 0-1."""
    words: list[Word] = []
    reader = csv.DictReader(io.StringIO(tsv), fieldnames=TSV_COLUMNS, delimiter="\t", quoting=csv.QUOTE_NONE)
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


def _trim_edges(members: list[Word], min_conf: float) -> tuple[list[Word], tuple[int, int] | None]:
    """The row without the unsure single glyphs (or unsure non-Japanese runs) at its ends, and (left,
    right) of the row including those of them set close to it (within a glyph's width: the name's own
    first or last glyph, misread, rather than a logo or ruling further off); None when none is that
    close."""

    def noise(word: Word) -> bool:
        # Also an unsure run of Latin letters and marks: a ruling or box edge beside the name ("Ip]!").
        single = len(word.text) == 1 and word.text not in KEEP_GLYPHS
        return word.conf < min_conf and (single or not has_japanese(word.text))

    start, end = 0, len(members)
    while start < end and noise(members[start]):
        start += 1
    while end > start and noise(members[end - 1]):
        end -= 1
    kept = members[start:end]
    if not kept:
        return kept, None
    height = sorted(w.height for w in kept)[len(kept) // 2]
    first, last = start, end  # widened over the trimmed glyphs that are close enough
    while first > 0 and members[first].left - (members[first - 1].left + members[first - 1].width) <= height:
        first -= 1
    while last < len(members) and members[last].left - (members[last - 1].left + members[last - 1].width) <= height:
        last += 1
    if (first, last) == (start, end):
        return kept, None
    return kept, (members[first].left, members[last - 1].left + members[last - 1].width)


def _goes_on_from(longer: list[Word], shorter: list[Word]) -> bool:
    """Whether `longer` reads all of `shorter` and more after it, without a guessed glyph."""
    start, whole = _glyphs(shorter), _glyphs(longer)
    return bool(start) and len(whole) > len(start) and whole.startswith(start) and (
        _least_sure(longer) >= VENDOR_REREAD_GUESS_BELOW
    )


def _glyphs(words: list[Word]) -> str:
    """The words' text run together, without the spaces the reading put between glyphs."""
    return "".join(word.text for word in words).replace(" ", "")


def _mean_conf(words: list[Word]) -> float:
    return sum(word.conf for word in words) / len(words) if words else 0.0


def _least_sure(words: list[Word]) -> float:
    """The lowest confidence among the words; 0 when there are none (nothing read is a guess)."""
    return min((word.conf for word in words), default=0.0)


def consensus_reading(readings: list[list[Word]]) -> list[Word]:
    """The reading closest to all the others (the fewest glyph edits in total): a glyph one reading
    dropped or added is outvoted by the rest. Ties go to the surer reading."""

    texts = [_glyphs(words) for words in readings]

    def rank(index: int) -> tuple[int, float]:
        spread = sum(edit_distance(texts[index], other) for other in texts)
        return spread, -_mean_conf(readings[index])

    return readings[min(range(len(readings)), key=rank)]


def join_words(members: list[Word]) -> str:
    """One row's words, left to right, with a space only where the print has a visible gap (the
    Japanese model cuts most words into single characters). No words: the empty text."""
    if not members:
        return ""
    heights = sorted(w.height for w in members)
    line_height = heights[len(heights) // 2]
    parts: list[str] = []
    for previous, word in zip([None, *members[:-1]], members, strict=True):
        if previous is not None and word.left - (previous.left + previous.width) > 0.4 * line_height:
            parts.append(" ")
        parts.append(word.text)
    return "".join(parts)


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
        untrimmed = None
        if edge_min_conf:
            members, untrimmed = _trim_edges(members, edge_min_conf)
            if not members:
                continue
        left = min(w.left for w in members)
        top = min(w.top for w in members)
        right = max(w.left + w.width for w in members)
        bottom = max(w.top + w.height for w in members)
        conf = sum(w.conf for w in members) / len(members)
        lines.append(OcrLine(join_words(members), None, top, left, bottom - top, right - left, conf, untrimmed))
    lines.sort(key=lambda line: (line.top, line.left))
    return lines
