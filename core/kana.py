"""Name-to-Zengin-kana normaliser (formats.md §6.6). A normaliser for input, never a generator."""

import unicodedata

import jaconv

_SMALL_TO_LARGE = str.maketrans("ァィゥェォッャュョヮヵヶ", "アイウエオツヤユヨワカケ")
_OBSOLETE = str.maketrans({"ヰ": "イ", "ヱ": "エ", "ヲ": "オ"})
_DASHES = str.maketrans({c: "-" for c in "ー－‐―─−〜～"})
_STRICT_ALLOWED = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ ()-ﾞﾟ") | frozenset(
    chr(c) for c in range(0xFF71, 0xFF9E)  # ｱ..ﾝ
)


class KanaError(ValueError):
    def __init__(self, bad_chars: str) -> None:
        super().__init__(bad_chars)
        self.bad_chars = bad_chars


def to_zengin_kana(text: str) -> str:
    """Convert a kana name to the strict Zengin profile; raise KanaError listing what cannot be sent."""
    s = unicodedata.normalize("NFKC", text)
    s = jaconv.hira2kata(s)
    s = s.upper()
    s = s.translate(_SMALL_TO_LARGE).translate(_OBSOLETE).translate(_DASHES)
    s = s.replace("・", " ").replace(".", " ")
    s = jaconv.z2h(s, kana=True, ascii=True, digit=True)
    s = " ".join(s.split())
    bad = "".join(sorted({ch for ch in s if ch not in _STRICT_ALLOWED}))
    if bad:
        raise KanaError(bad)
    return s


def cp932_length(text: str) -> int:
    return len(text.encode("cp932"))


# Per-bank extended profile (formats.md §6.6): strict set plus . / , ¥ ｢ ｣ ｦ. Python's cp932 codec has
# no ¥ (U+00A5); JIS X 0201 byte 0x5C is ¥, which cp932 decodes as a backslash, so ¥ is emitted as "\\".
_EXTENDED_ALLOWED = _STRICT_ALLOWED | frozenset("./,\\｢｣ｦ")
_EXTENDED_OBSOLETE = str.maketrans({"ヰ": "イ", "ヱ": "エ"})
_YEN = str.maketrans({"¥": "\\", "￥": "\\"})


def to_zengin_kana_extended(text: str) -> str:
    """Like to_zengin_kana, for banks that accept the extended character set: keeps . / , ¥ ｢ ｣ and ｦ."""
    s = unicodedata.normalize("NFKC", text)
    s = jaconv.hira2kata(s)
    s = s.upper()
    s = s.translate(_SMALL_TO_LARGE).translate(_EXTENDED_OBSOLETE).translate(_DASHES).translate(_YEN)
    s = s.replace("・", " ")
    s = s.replace("「", "｢").replace("」", "｣")
    s = jaconv.z2h(s, kana=True, ascii=True, digit=True)
    s = " ".join(s.split())
    bad = "".join(sorted({ch for ch in s if ch not in _EXTENDED_ALLOWED}))
    if bad:
        raise KanaError(bad)
    return s
