"""Issuer name and payment method."""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from expenses.ocr.kana import fix_script_lookalikes
from expenses.ocr.protocol import FieldReading
from expenses.ocr.text import OcrLine, Variant, normalize

PAYMENT_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "qr_code",
        re.compile(
            r"PayPay|ペイペイ|d払い|d払|楽天ペイ|au\s?PAY|メルペイ|LINE\s?Pay|(?<![A-Za-z])QR(?![A-Za-z])|コード決済|Alipay|WeChat",
            re.I,
        ),
    ),
    (
        "e_money",
        re.compile(
            r"交通系|電子マネー|Suica|PASMO|ICOCA|Kitaca|TOICA|manaca|SUGOCA|nimoca|はやかけん|nanaco|WAON|"
            r"楽天Edy|Edy|(?<![A-Za-z])iD(?=\s*(?:[¥\\:：]|\d|支払|決済|$))|QUICPay|IC支払|ICカード|"
            # 電子 misread ("直子マネー"); a card balance (残高) is printed only for prepaid money.
            r"子\s?マネー|(?<!ポイント)残\s?高(?!\s*ポイント)|"
            # IC支払 with its IC read as "10" or "l0".
            r"(?<![\d,.])[1lI][0OoC]\s?支\s?払"
        ),
    ),
    (
        "credit_card",
        re.compile(
            # "グレジック", "クレジツト": the word's rare "クレジ" head survives most misreadings.
            r"クレジット|[クグ]レジ[ッツ]|カード支払|VISA|Master|JCB|AMEX|American|Diners|信用|ｸﾚｼﾞｯﾄ",
            re.I,
        ),
    ),
    # "お凍り ¥2,000": お預り / お釣り with the middle kanji misread still frames an amount.
    ("cash", re.compile(r"現\s*金|お預り|お預かり|預り金|釣銭|お釣|お[^\s\d¥]り\s*¥\s*\d")),
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
    r"内税|外税|支払|お預|お釣|ありがとう|いたしました|またのご|毎度|担当|レジ|No\.|明細|内訳|税込|軽減|印紙|収入|人数|卓番|発行|"
    r"[都道府県].{0,6}[市区町村郡]|[市区町村]\S*\d|\d{2,4}[-ー]\d{2,4}|[0-9]{3,}|¥|%"
)
# Share of characters the second reading of the name row must have in common with the first.
REREAD_MIN_AGREEMENT = 0.6
BRANCH_RE = re.compile(r"^(?:\S+(?:店|駅|支店|営業所|出張所|号店|本店))$")


def _is_branch(token: str) -> bool:
    """ "渋谷道玄坂店", "松本駅": a branch. "田中工務店", "山田商店": a business name."""
    return bool(BRANCH_RE.match(token)) and not re.search(r"商店|工務店|書店|本舗|薬店|酒店", token)


def _stray_fragment(token: str) -> bool:
    return bool(re.fullmatch(r"[A-Za-z0-9\-=]{1,2}", token)) and not re.fullmatch(r"\d{2}", token)


def _clean_vendor(text: str) -> str:
    # A box edge or slash read as "|" / "/" separates the name from unrelated fragments.
    text = max(re.split(r"[|/]", text), key=_japanese_count)
    text = re.sub(r"[\[\]【】「」『』()（）<>:;,.、。・*＊_~\"'`#!]+", " ", text).strip()
    tokens = text.split()
    while len(tokens) > 1 and _is_branch(tokens[-1]):
        tokens.pop()
    # Drop stray OCR fragments (a lone Latin letter or symbol at either end), but not a number
    # that is part of the name ("ひので 24").
    while tokens and _stray_fragment(tokens[-1]):
        tokens.pop()
    while tokens and _stray_fragment(tokens[0]):
        tokens.pop(0)
    # A red seal beside the name ("山田之印") leaves its 印 glued to or after the name.
    return fix_script_lookalikes(re.sub(r"\s*之?印$", "", _join_split_words(tokens)))


_KANA = re.compile(r"[\u3040-\u30ffー]")
_CJK_TOKEN = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff\u3005ー]+")


def _join_split_words(tokens: list[str]) -> str:
    """Tesseract's jpn model splits words into pieces ("まいにちス トア"); glue single characters and
    kana-to-kana breaks back together, keeping spaces between kanji words ("和食処 松乃") and Latin text."""
    out: list[str] = []
    for token in tokens:
        if (
            out
            and _CJK_TOKEN.fullmatch(token)
            and _CJK_TOKEN.fullmatch(out[-1])
            and (len(token) == 1 or len(out[-1]) == 1 or (_KANA.match(out[-1][-1]) and _KANA.match(token[0])))
        ):
            out[-1] += token
        else:
            out.append(token)
    return " ".join(out)


def _japanese_count(text: str) -> int:
    return sum(1 for c in text if "\u3040" <= c <= "\u30ff" or "\u4e00" <= c <= "\u9fff" or c == "ー")


def _japanese_ratio(text: str) -> float:
    chars = [c for c in text if not c.isspace()]
    if not chars:
        return 0.0
    return _japanese_count("".join(chars)) / len(chars)


_HONORIFICS = "様|御中|殿|樣|檬"
_HONORIFIC = re.compile(rf"^\s*({_HONORIFICS})\s*$")
_ADDRESSED = re.compile(rf"({_HONORIFICS})\s*$")


def addressed(text: str) -> bool:
    """Whether the text ends in an honorific: a recipient's name (宛名), never the issuer's."""
    return bool(_ADDRESSED.search(text))


_PRICE = re.compile(r"¥\s*\d|\d\s*円|\d{1,3}(?:,\d{3})+")
_RULE_CHARS = set("ー一-=_~〜ｰ")


def _rule_share(text: str) -> float:
    chars = [c for c in text if not c.isspace()]
    return sum(c in _RULE_CHARS for c in chars) / len(chars) if chars else 1.0


def _same_row_right(
    line: OcrLine, lines: Sequence[OcrLine], texts: Sequence[str], pattern: re.Pattern[str], tolerance: float
) -> bool:
    """Whether a line further right on the same printed row matches `pattern`."""
    return bool(line.height) and any(
        other is not line and other.left > line.left and pattern.search(text) and _level(line, other, tolerance)
        for other, text in zip(lines, texts, strict=True)
    )


def _level(line: OcrLine, other: OcrLine, tolerance: float) -> bool:
    """Whether the two lines' middles are within `tolerance` of the taller one's height."""
    middle, other_middle = line.top + line.height / 2, other.top + other.height / 2
    return abs(other_middle - middle) < max(line.height, other.height) * tolerance


def _addressed_on_same_row(line: OcrLine, lines: Sequence[OcrLine], texts: Sequence[str]) -> bool:
    """Forms print 様 far to the right of the recipient's name, so OCR splits it into its own line;
    or another reading of the page holds the same row with its 様 (the column layout lost it)."""
    return _same_row_right(line, lines, texts, _HONORIFIC, 0.8) or _read_addressed_elsewhere(line, lines, texts)


def _read_addressed_elsewhere(line: OcrLine, lines: Sequence[OcrLine], texts: Sequence[str]) -> bool:
    """Whether another line over the same stretch of the same row ends in 様 / 御中."""

    def over_same_stretch(other: OcrLine) -> bool:
        overlap = min(line.left + line.width, other.left + other.width) - max(line.left, other.left)
        return overlap > 0.5 * min(line.width, other.width)

    return bool(line.height) and any(
        other is not line and other.height and addressed(text) and _level(line, other, 0.5)
        and over_same_stretch(other)
        for other, text in zip(lines, texts, strict=True)
    )


def _priced_on_same_row(line: OcrLine, lines: Sequence[OcrLine], texts: Sequence[str]) -> bool:
    """Item rows: the price printed at the right end of the row was split off into its own line."""
    return _same_row_right(line, lines, texts, _PRICE, 0.6)


ACKNOWLEDGEMENT_RE = re.compile(r"上記.{0,6}領収|上記正に|正に.?収|領収いたしま|収いたしまし")


def _acknowledgement_row(lines: Sequence[OcrLine], texts: Sequence[str]) -> int | None:
    """Top (pixels) of the "上記正に領収いたしました" line of a 領収書 form, if printed."""
    for line, text in zip(lines, texts, strict=True):
        if ACKNOWLEDGEMENT_RE.search(text):
            return line.top
    return None


def _looks_like_name(cleaned: str, text: str) -> bool:
    """What any reading of the issuer's name must pass, wherever it was read (`text`: normalised)."""
    if len(cleaned.replace(" ", "")) < 2 or VENDOR_EXCLUDE.search(text):
        return False
    if _rule_share(cleaned) > 0.5 or re.search(r"[ー一\-=_~]{4,}", cleaned):
        return False  # a dashed separator or box edge read as ー / 一
    return _japanese_ratio(cleaned) >= 0.5


def _is_candidate(
    line: OcrLine, cleaned: str, text: str, lines: Sequence[OcrLine], texts: Sequence[str]
) -> bool:
    """Rules out lines that cannot be the issuer's name, whatever their position or size."""
    if not _looks_like_name(cleaned, text):
        return False
    if _is_branch(cleaned.replace(" ", "")) and not COMPANY_RE.search(cleaned):
        return False
    if _addressed_on_same_row(line, lines, texts):
        return False  # the recipient (宛名): 様 / 御中 printed further along the same row
    return not _priced_on_same_row(line, lines, texts)  # an item name: its price split off along the row


@dataclass(frozen=True)
class _Page:
    """What the scoring of one line needs to know about the whole receipt."""

    texts: Sequence[str]
    median_height: int
    first_top: int
    last_bottom: int
    acknowledged: int | None  # top of "上記正に領収いたしました" on a 領収書 form


def _page(lines: Sequence[OcrLine], texts: Sequence[str]) -> _Page:
    heights = sorted(line.height for line in lines if line.height)
    first_top = min(line.top for line in lines)
    last_bottom = max(line.top + line.height for line in lines) or 1
    acknowledged = _acknowledgement_row(lines, texts)
    if acknowledged is not None and acknowledged - first_top > 0.75 * (last_bottom - first_top):
        acknowledged = None  # a register receipt's closing line: its shop name is at the top
    median_height = heights[len(heights) // 2] if heights else 0
    return _Page(texts, median_height, first_top, last_bottom, acknowledged)


def form_acknowledgement(lines: Sequence[OcrLine]) -> OcrLine | None:
    """On a 領収書 form, the "上記正に領収いたしました" row (the issuer's block starts there), else None."""
    if not lines:
        return None
    top = _page(lines, [normalize(line.text) for line in lines]).acknowledged
    return next((line for line in lines if line.top == top), None)


def _score(i: int, line: OcrLine, cleaned: str, page: _Page) -> float:
    score = _japanese_ratio(cleaned)
    if COMPANY_RE.search(cleaned):
        score += 1.5
    if VENDOR_HINT.search(cleaned):
        score += 0.8
    if page.median_height and line.height:
        score += min(1.5, max(-0.5, (line.height / page.median_height - 1.0) * 1.5))
    # Position: top of a shop receipt, or right above the issuer's address/TEL/登録番号 block.
    relative = (line.top - page.first_top) / max(1, page.last_bottom - page.first_top)
    score += max(0.0, 0.8 - 2.5 * relative)
    following = " ".join(page.texts[i + 1 : i + 4])
    if re.search(r"〒|TEL|電話|登録番号|[都道府県].{0,6}[市区町村郡]", following):
        score += 1.0
    preceding = page.texts[i - 1] if i else ""
    if re.search(r"様|御中", preceding) and not COMPANY_RE.search(cleaned):
        score -= 0.3
    score += 0.3 * line.conf
    if page.acknowledged is not None:
        # A 領収書 form: the issuer signs below "上記正に領収いたしました"; above it is the 宛名.
        score += 1.0 if line.top > page.acknowledged else -1.0
    return score


@dataclass(frozen=True)
class VendorChoice:
    """The issuer name read from the page, and the line it came from (for a second look)."""

    reading: FieldReading[str]
    line: OcrLine | None = None


def choose_vendor(lines: Sequence[OcrLine]) -> VendorChoice:
    if not lines:
        return VendorChoice(FieldReading(None, 0.0))
    texts = [normalize(line.text) for line in lines]
    page = _page(lines, texts)
    best: tuple[float, str, OcrLine] | None = None
    for i, (line, text) in enumerate(zip(lines, texts, strict=True)):
        # Keep the printed spacing in the value ("和食処 松乃"); match rules on the normalised text.
        cleaned = _clean_vendor(unicodedata.normalize("NFKC", line.text))
        if not _is_candidate(line, cleaned, text, lines, texts):
            continue
        score = _score(i, line, cleaned, page)
        if best is None or score > best[0]:
            best = (score, cleaned, line)
    if best is None:
        return VendorChoice(FieldReading(None, 0.0))
    score, value, line = best
    return VendorChoice(FieldReading(value, max(0.1, min(0.9, 0.2 + 0.15 * score))), line)


def reread_vendor(first: FieldReading[str], text: str) -> FieldReading[str]:
    """The name line read again on its own (one line, at the size the model reads best).

    On the page the name row is read among rules, seals and other columns, which costs it glyphs
    ("コスモススズトア", "しらか観光バス"). The second reading wins when it still looks like a name and
    agrees with the first on most characters (a seal or logo read alone gives unrelated text).
    """
    cleaned = _clean_vendor(unicodedata.normalize("NFKC", text))
    if first.value is None or not _looks_like_name(cleaned, normalize(cleaned)):
        return first
    before, after = first.value.replace(" ", ""), cleaned.replace(" ", "")
    if difflib.SequenceMatcher(None, before, after).ratio() < REREAD_MIN_AGREEMENT:
        return first
    return FieldReading(cleaned, first.confidence)


# ---------------------------------------------------------------------------------------------
