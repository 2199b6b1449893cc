"""インボイス登録番号 (domain.md R1): normalise, check digit, validation outcome."""

import enum
import re
import unicodedata
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

_FORMAT = re.compile(r"^T\d{13}$")
_SEPARATORS = re.compile(r"[\s\-‐―ー−–—]")


class InvoiceNumberStatus(enum.StrEnum):
    OK = "ok"
    WARNING = "warning"
    ERROR = "error"


@dataclass(frozen=True)
class InvoiceNumberCheck:
    normalised: str
    status: InvoiceNumberStatus
    message: str = ""


def normalise_invoice_number(raw: str) -> str:
    """R1.2: full-width → half-width, strip spaces and hyphens, upper-case the T."""
    text = unicodedata.normalize("NFKC", raw or "")
    return _SEPARATORS.sub("", text).upper()


def registration_check_digit(base12: str) -> int:
    """R1.3: 9 − (Σ P_n × Q_n mod 9), P_n counted from the right, Q_n = 1 (odd n) or 2 (even n)."""
    total = sum(int(digit) * (2 if n % 2 == 0 else 1) for n, digit in enumerate(reversed(base12), start=1))
    return 9 - total % 9


def check_invoice_number(raw: str, *, known_corporation: bool = False) -> InvoiceNumberCheck:
    """R1.5: format errors block; a failed check digit only warns unless the seller is a known corporation."""
    number = normalise_invoice_number(raw)
    if not _FORMAT.match(number):
        return InvoiceNumberCheck(
            number,
            InvoiceNumberStatus.ERROR,
            str(_("登録番号は「T」と13桁の数字で入力してください（例: T1234567890123）。")),
        )
    digits = number[1:]
    if digits[0] == "0" or int(digits[0]) != registration_check_digit(digits[1:]):
        if known_corporation:
            return InvoiceNumberCheck(
                number, InvoiceNumberStatus.ERROR, str(_("登録番号のチェックデジットが一致しません。"))
            )
        return InvoiceNumberCheck(
            number,
            InvoiceNumberStatus.WARNING,
            str(
                _(
                    "登録番号の入力誤りの可能性があります（法人番号のチェックデジットと一致しません。"
                    "個人事業者の番号は一致しない場合があります）。経理が確認します。"
                )
            ),
        )
    return InvoiceNumberCheck(number, InvoiceNumberStatus.OK)
