"""Fixed-width field encoders of the 全銀協 format (formats.md §6.1).

N fields: half-width digits, right-aligned, zero-filled. C fields: single-byte JIS X 0201 text
(= single-byte cp932), left-aligned, space-filled; lengths are in bytes (``ｶﾞ`` is 2 bytes).
Kana normalisation lives in ``core/kana.py``; these encoders only check and pad.
"""

from collections.abc import Callable

from core.kana import KanaError, to_zengin_kana, to_zengin_kana_extended

ENCODING = "cp932"
RECORD_LENGTH = 120


class ZenginError(ValueError):
    """The data cannot be written as a 全銀 file; the message names the record and field."""


def n_field(value: int | str, length: int, *, name: str = "") -> str:
    """N: digits only, right-aligned, zero-filled; never silently cut."""
    text = str(value)
    if not text.isascii() or not text.isdigit():
        raise ZenginError(f"{name or 'N field'}: {value!r} is not a non-negative number")
    if len(text) > length:
        raise ZenginError(f"{name or 'N field'}: {value!r} is longer than {length} digits")
    return text.rjust(length, "0")


def c_field(text: str, length: int, *, name: str = "") -> str:
    """C: single-byte cp932 text, left-aligned, space-filled; over-long text is an error."""
    size = byte_length(text, name=name)
    if size > length:
        raise ZenginError(f"{name or 'C field'}: {text!r} is {size} bytes, more than {length}")
    return text + " " * (length - size)


def byte_length(text: str, *, name: str = "") -> int:
    try:
        data = text.encode(ENCODING)
    except UnicodeEncodeError as exc:
        raise ZenginError(f"{name or 'C field'}: {text!r} has characters outside JIS X 0201") from exc
    if len(data) != len(text):  # a double-byte cp932 character (kanji, full-width kana)
        raise ZenginError(f"{name or 'C field'}: {text!r} has full-width characters")
    return len(data)


def truncate_bytes(text: str, length: int) -> str:
    """Cut single-byte text to ``length`` bytes (banks cut names beyond the field anyway, §6.6 step 10)."""
    return text[:length]


KanaNormaliser = Callable[[str], str]
PROFILES: dict[str, KanaNormaliser] = {"strict": to_zengin_kana, "extended": to_zengin_kana_extended}


def kana_field(text: str, length: int, *, name: str, normaliser: KanaNormaliser, warnings: list[str]) -> str:
    """Normalise a kana name with the bank's profile, warn and cut when too long, then pad.

    Characters the profile does not allow (kanji, lower-case …) are rejected, never dropped (§6.6 step 9).
    """
    if not text:
        return " " * length
    try:
        kana = normaliser(text)
    except KanaError as exc:
        raise ZenginError(f"{name}: {text!r} has characters a bank cannot take: {exc.bad_chars!r}") from exc
    size = byte_length(kana, name=name)
    if size > length:
        warnings.append(f"{name}: {kana!r} is {size} bytes; cut to {length}")
        kana = truncate_bytes(kana, length)
    return c_field(kana, length, name=name)
