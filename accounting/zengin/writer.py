"""全銀協 総合振込 file writer (formats.md §6): header 1, data 2 × n, trailer 8, end 9.

Every record is exactly 120 bytes of single-byte cp932 (JIS X 0201, コード区分 ``0``), optionally
followed by CRLF (per-bank ``BankProfile``). Never writes the old 0x1A EOF byte. The 振込指定日 must
be a bank business day (domain.md R11; ``core.calendar``) — the writer refuses any other date.

Pure: the caller passes plain dataclasses (built from the payment batch) and a binary stream.
"""

import datetime as dt
import io
import itertools
from collections.abc import Iterable, Set
from dataclasses import dataclass, field
from typing import BinaryIO

from accounting.zengin.fields import (
    ENCODING,
    PROFILES,
    RECORD_LENGTH,
    ZenginError,
    c_field,
    kana_field,
    n_field,
)
from core.calendar import is_bank_business_day

KIND_GENERAL_TRANSFER = "21"  # 総合振込 (11 給与, 12 賞与 use another contract)
CODE_JIS = "0"
MAX_AMOUNT = 9_999_999_999  # 10-digit 振込金額
ACCOUNT_TYPES = frozenset({"1", "2", "4", "9"})  # 普通, 当座, 貯蓄, その他
REQUESTER_ACCOUNT_TYPES = frozenset({"1", "2", "9"})


@dataclass(frozen=True, slots=True)
class BankProfile:
    """Per-bank choices that formats.md §11 #5 leaves to a real accepted file."""

    crlf: bool = True  # CRLF after every record, including the last (default); False = one stream
    transfer_designation: str = "7"  # 振込指定区分: 7 電信 (default), 8 文書, or " " where accepted
    blank_clearing_house: bool = False  # 手形交換所番号: "0000" (default) or spaces
    blank_customer_codes: bool = False  # unused 顧客コード: zeros (default) or spaces
    charset: str = "strict"  # "strict" or "extended" (adds . / , ¥ ｢ ｣ ｦ)


@dataclass(frozen=True, slots=True)
class Requester:
    """The company (振込依頼人) and its debit account."""

    code: str  # 振込依頼人コード, 10 digits, assigned by the bank
    name: str  # kana, e.g. ｶ)ｻﾝﾌﾟﾙｼﾖｳｼﾞ (40 bytes)
    bank_code: str
    bank_name: str
    branch_code: str
    branch_name: str
    account_type: str  # 1 普通, 2 当座, 9 その他
    account_number: str  # 7 digits


@dataclass(frozen=True, slots=True)
class Transfer:
    """One payee (データレコード)."""

    bank_code: str
    branch_code: str
    account_type: str  # 1 普通, 2 当座, 4 貯蓄, 9 その他
    account_number: str
    payee_name: str  # the bank-registered kana name (30 bytes)
    amount: int
    bank_name: str = ""  # reference only at most banks; may stay empty
    branch_name: str = ""
    customer_code1: str | int | None = None  # e.g. employee number
    customer_code2: str | int | None = None
    edi: str | None = None  # 20-byte EDI情報 instead of the customer codes (識別表示 Y)


@dataclass(slots=True)
class TransferFileSummary:
    count: int = 0
    total: int = 0
    bytes_written: int = 0
    warnings: list[str] = field(default_factory=list)  # names cut to the field length


def _check_code(value: str, length: int, name: str) -> str:
    if not (isinstance(value, str) and value.isascii() and value.isdigit() and len(value) == length):
        raise ZenginError(f"{name}: {value!r} must be exactly {length} digits")
    return value


class ZenginWriter:
    """Builds 120-byte records; ``write`` streams a whole file."""

    def __init__(self, profile: BankProfile | None = None) -> None:
        self.profile = profile or BankProfile()
        try:
            self.normaliser = PROFILES[self.profile.charset]
        except KeyError:
            raise ZenginError(f"unknown character profile {self.profile.charset!r}") from None
        if self.profile.transfer_designation not in ("7", "8", " "):
            raise ZenginError(f"振込指定区分 {self.profile.transfer_designation!r} must be 7, 8 or space")
        self.terminator = b"\r\n" if self.profile.crlf else b""

    def _kana(self, text: str, length: int, name: str, warnings: list[str]) -> str:
        return kana_field(text, length, name=name, normaliser=self.normaliser, warnings=warnings)

    def header(self, requester: Requester, transfer_date: dt.date, warnings: list[str]) -> str:
        if requester.account_type not in REQUESTER_ACCOUNT_TYPES:
            raise ZenginError(f"依頼人 預金種目 {requester.account_type!r} must be 1, 2 or 9")
        record = "".join(
            (
                "1",
                KIND_GENERAL_TRANSFER,
                CODE_JIS,
                _check_code(requester.code, 10, "振込依頼人コード"),
                self._kana(requester.name, 40, "振込依頼人名", warnings),
                f"{transfer_date.month:02d}{transfer_date.day:02d}",
                _check_code(requester.bank_code, 4, "仕向銀行番号"),
                self._kana(requester.bank_name, 15, "仕向銀行名", warnings),
                _check_code(requester.branch_code, 3, "仕向支店番号"),
                self._kana(requester.branch_name, 15, "仕向支店名", warnings),
                requester.account_type,
                n_field(requester.account_number, 7, name="依頼人 口座番号"),
                " " * 17,
            )
        )
        return _checked(record, "header")

    def data(self, transfer: Transfer, index: int, warnings: list[str]) -> str:
        where = f"data record {index}"
        amount = transfer.amount
        if type(amount) is not int or not 1 <= amount <= MAX_AMOUNT:
            raise ZenginError(f"{where}: 振込金額 {amount!r} must be an integer from 1 to {MAX_AMOUNT}")
        if transfer.account_type not in ACCOUNT_TYPES:
            raise ZenginError(f"{where}: 預金種目 {transfer.account_type!r} must be 1, 2, 4 or 9")
        if not transfer.payee_name:
            raise ZenginError(f"{where}: 受取人名 is empty")
        profile = self.profile
        if transfer.edi is not None:
            codes = c_field(transfer.edi, 20, name=f"{where} EDI情報")
            identification = "Y"
        else:
            codes = self._customer_code(transfer.customer_code1, where) + self._customer_code(
                transfer.customer_code2, where
            )
            identification = " "
        record = "".join(
            (
                "2",
                _check_code(transfer.bank_code, 4, f"{where} 被仕向銀行番号"),
                self._kana(transfer.bank_name, 15, f"{where} 被仕向銀行名", warnings),
                _check_code(transfer.branch_code, 3, f"{where} 被仕向支店番号"),
                self._kana(transfer.branch_name, 15, f"{where} 被仕向支店名", warnings),
                "    " if profile.blank_clearing_house else "0000",
                transfer.account_type,
                n_field(transfer.account_number, 7, name=f"{where} 口座番号"),
                self._kana(transfer.payee_name, 30, f"{where} 受取人名", warnings),
                n_field(amount, 10, name=f"{where} 振込金額"),
                "0",  # 新規コード: その他
                codes,
                profile.transfer_designation,
                identification,
                " " * 7,
            )
        )
        return _checked(record, where)

    def _customer_code(self, value: str | int | None, where: str) -> str:
        if value is None or value == "":
            return " " * 10 if self.profile.blank_customer_codes else "0" * 10
        return n_field(value, 10, name=f"{where} 顧客コード")

    @staticmethod
    def trailer(count: int, total: int) -> str:
        if count > 999_999 or total > 999_999_999_999:
            raise ZenginError("trailer: more than 999,999 records or ¥999,999,999,999 in one file")
        return _checked("8" + n_field(count, 6) + n_field(total, 12) + " " * 101, "trailer")

    @staticmethod
    def end() -> str:
        return _checked("9" + " " * 119, "end")

    def write(
        self,
        stream: BinaryIO,
        *,
        requester: Requester,
        transfer_date: dt.date,
        transfers: Iterable[Transfer],
        extra_holidays: Set[dt.date] = frozenset(),
        extra_business_days: Set[dt.date] = frozenset(),
    ) -> TransferFileSummary:
        """Stream header, one data record per transfer, trailer and end record.

        Raises ZenginError before writing anything when the date is not a bank business day; a bad
        transfer raises while streaming, so write to a temporary file and keep it only on success.
        """
        if not is_bank_business_day(
            transfer_date, extra_holidays=extra_holidays, extra_business_days=extra_business_days
        ):
            raise ZenginError(f"振込指定日 {transfer_date.isoformat()} is not a bank business day")
        items = iter(transfers)
        first = next(items, None)
        if first is None:
            raise ZenginError("a transfer file needs at least one data record")
        summary = TransferFileSummary()
        warnings = summary.warnings
        terminator = self.terminator

        def emit(record: str) -> None:
            data = record.encode(ENCODING) + terminator
            summary.bytes_written += stream.write(data) or len(data)

        emit(self.header(requester, transfer_date, warnings))
        for index, transfer in enumerate(itertools.chain((first,), items), 1):
            emit(self.data(transfer, index, warnings))
            summary.count += 1
            summary.total += transfer.amount
        emit(self.trailer(summary.count, summary.total))
        emit(self.end())
        return summary


def _checked(record: str, where: str) -> str:
    size = len(record.encode(ENCODING))
    if size != RECORD_LENGTH or len(record) != RECORD_LENGTH:
        raise ZenginError(f"{where}: record is {size} bytes, not {RECORD_LENGTH}")  # a bug, not bad data
    return record


def build_transfer_file(
    *,
    requester: Requester,
    transfer_date: dt.date,
    transfers: Iterable[Transfer],
    profile: BankProfile | None = None,
    extra_holidays: Set[dt.date] = frozenset(),
    extra_business_days: Set[dt.date] = frozenset(),
) -> tuple[bytes, TransferFileSummary]:
    """Whole file in memory (files are small: one record per payee)."""
    out = io.BytesIO()
    summary = ZenginWriter(profile).write(
        out,
        requester=requester,
        transfer_date=transfer_date,
        transfers=transfers,
        extra_holidays=extra_holidays,
        extra_business_days=extra_business_days,
    )
    return out.getvalue(), summary
