"""Kanji and katakana that share a shape (三/ミ, 二/ニ, 口/ロ, 工/エ …).

The Japanese model picks either glyph of such a pair more or less at random; the neighbours tell
which script the word is in: "三ナミ" is katakana ミナミ, "ひかりエ業" has the kanji 工業.
"""

from __future__ import annotations

import re

KANJI_TO_KANA = {
    "一": "ー",
    "二": "ニ",
    "三": "ミ",
    "口": "ロ",
    "力": "カ",
    "工": "エ",
    "夕": "タ",
    "卜": "ト",
    "八": "ハ",
}
KANA_TO_KANJI = {kana: kanji for kanji, kana in KANJI_TO_KANA.items()}
_KATAKANA = re.compile(r"[\u30a1-\u30faー]")
_KANJI = re.compile(r"[\u4e00-\u9fff\u3005]")
# Small kana that kanji names use as particles: 三ツ矢, 一ノ瀬, 霞ヶ関 keep their kanji.
_NAME_PARTICLES = frozenset("ツケヶノ")


def _is(pattern: re.Pattern[str], char: str) -> bool:
    return bool(char) and bool(pattern.fullmatch(char))


def fix_script_lookalikes(text: str) -> str:
    chars = list(text)
    for i, char in enumerate(chars):
        before = chars[i - 1] if i else ""
        after = chars[i + 1] if i + 1 < len(chars) else ""
        neighbours = (before, after)
        if char in KANJI_TO_KANA:
            kana_beside = any(_is(_KATAKANA, c) and c not in _NAME_PARTICLES for c in neighbours)
            if kana_beside and not any(_is(_KANJI, c) for c in neighbours):
                chars[i] = KANJI_TO_KANA[char]
        elif char in KANA_TO_KANJI and char != "ー":
            if any(_is(_KANJI, c) for c in neighbours) and not any(_is(_KATAKANA, c) for c in neighbours):
                chars[i] = KANA_TO_KANJI[char]
    return "".join(chars)
