"""Validation of bank data against the zengin-code master (formats.md §10.1)."""

from dataclasses import dataclass

from django.utils.translation import gettext as _
from zengin_code import Bank

from core.kana import KanaError, cp932_length, to_zengin_kana


class BankLookupError(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class BankBranch:
    bank_code: str
    bank_name: str
    branch_code: str
    branch_name: str


def lookup_branch(bank_code: str, branch_code: str) -> BankBranch:
    """Return names for a bank/branch pair or raise BankLookupError naming the field at fault."""
    if not (len(bank_code) == 4 and bank_code.isdigit()):
        raise BankLookupError("bank_code", _("金融機関コードは4桁の数字で入力してください。"))
    if not (len(branch_code) == 3 and branch_code.isdigit()):
        raise BankLookupError("branch_code", _("支店コードは3桁の数字で入力してください。"))
    bank = Bank.all.get(bank_code)
    if bank is None:
        raise BankLookupError(
            "bank_code", _("金融機関コード %(code)s は全銀協の金融機関マスタにありません。") % {"code": bank_code}
        )
    branch = bank.branches.get(branch_code)
    if branch is None:
        raise BankLookupError(
            "branch_code", _("支店コード %(code)s は %(bank)s に存在しません。") % {"code": branch_code, "bank": bank.name}
        )
    return BankBranch(bank_code, bank.name, branch_code, branch.name)


def normalise_holder_kana(text: str) -> str:
    """Holder name in Zengin half-width kana; raises ValueError with the offending characters."""
    try:
        kana = to_zengin_kana(text)
    except KanaError as exc:
        raise ValueError(
            _("口座名義に振込で使えない文字が含まれています: %(chars)s（カナ・英数字で入力してください）")
            % {"chars": exc.bad_chars}
        ) from exc
    if not kana:
        raise ValueError(_("口座名義（カナ）を入力してください。"))
    if cp932_length(kana) > 30:
        raise ValueError(_("口座名義は半角30文字以内にしてください。"))
    return kana
