"""Shared parts of the IC-card history parsers: the result types, amounts and the fare/charge triage."""

import enum
import hashlib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.utils.translation import gettext

from core.exceptions import ApplicationError


class TripKind(enum.StrEnum):
    TRANSIT = "transit"
    BUS = "bus"
    PURCHASE = "purchase"  # 物販
    CHARGE = "charge"  # チャージ / ｵｰﾄﾁｬｰｼﾞ / any money put on the card
    OTHER = "other"


class IcSource(enum.StrEnum):
    SFCARD_VIEWER = "sfcard_viewer"
    MOBILE_SUICA = "mobile_suica"


CLAIMABLE_KINDS = frozenset({TripKind.TRANSIT, TripKind.BUS})

# UNCONFIRMED (formats.md §11 #9): the 定期 marker of current SFCard Viewer versions. 〇 is documented;
# the look-alikes are accepted because Excel round-trips and fonts swap them. Callers may pass their own set.
DEFAULT_PASS_MARKERS = frozenset({"〇", "○", "◯", "定"})


class IcImportError(ApplicationError):
    """The file cannot be imported. `message` is translated; `line_number` is 1-based (0 = whole file)."""

    def __init__(self, message: str, *, line_number: int = 0) -> None:
        super().__init__(message, extra={"line": line_number} if line_number else {})
        self.line_number = line_number


@dataclass(frozen=True)
class IcTrip:
    card_id: str
    date: date
    entry_station: str  # for buses: the operator name (事業者名)
    exit_station: str
    fare: int  # yen, always >= 0: money taken from the card (for charges: money put on it)
    balance: int | None  # 残額 after the row
    line_number: int
    kind: TripKind
    on_pass: bool  # the card's own 定期 marker: part or all of the ride was inside the pass
    source: IcSource
    entry_company: str = ""
    exit_company: str = ""
    memo: str = ""

    @property
    def dedupe_key(self) -> tuple[str, str, str, str, int, int | None]:
        """R12.3: (card ID, date, entry, exit, amount, balance).

        Only NFKC + trimming, never the matching normaliser: keys are stored across all claims, and
        a later change to the matching rules must not make an old ride look new.
        """
        return (
            _clean(self.card_id),
            self.date.isoformat(),
            _clean(self.entry_station),
            _clean(self.exit_station),
            self.fare,
            self.balance,
        )

    @property
    def dedupe_hash(self) -> str:
        """Fixed-length form of `dedupe_key` for a unique database column."""
        text = "\x1f".join("" if part is None else str(part) for part in self.dedupe_key)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    @property
    def is_claimable(self) -> bool:
        return self.kind in CLAIMABLE_KINDS and self.fare > 0


@dataclass(frozen=True)
class IgnoredIcRow:
    line_number: int
    reason: str
    row: IcTrip | None = None  # None when the line is not a history row at all (page text in a paste)


@dataclass(frozen=True)
class DuplicateIcRow:
    line_number: int
    first_line_number: int
    row: IcTrip
    message: str


@dataclass
class IcImportResult:
    source: IcSource
    card_id: str = ""
    trips: list[IcTrip] = field(default_factory=list)
    ignored: list[IgnoredIcRow] = field(default_factory=list)
    duplicates: list[DuplicateIcRow] = field(default_factory=list)


def _clean(value: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", value or "").split())


_AMOUNT_NOISE = str.maketrans({"\\": "", "¥": "", "￥": "", ",": "", "円": "", "\u2212": "-", "+": ""})


def _parse_amount(value: str) -> int:
    """'\\10,612', '¥780', '+10,000', '-220', '473' → int. Raises ValueError on anything else."""
    text = _clean(value).translate(_AMOUNT_NOISE).replace(" ", "")
    if not re.fullmatch(r"-?\d+", text):
        raise ValueError(value)
    return int(text)


def _amount_or_error(value: str, *, column: str, line: int) -> int:
    try:
        return _parse_amount(value)
    except ValueError:
        raise IcImportError(
            gettext("%(line)d 行目: %(column)s「%(value)s」を金額として読めません。")
            % {"line": line, "column": column, "value": value},
            line_number=line,
        ) from None


def _date_error(value: str, line: int) -> IcImportError:
    return IcImportError(
        gettext("%(line)d 行目: 日付「%(value)s」を読めません（例: 2026/03/21）。")
        % {"line": line, "value": value},
        line_number=line,
    )


def _reason(kind: TripKind, fare: int) -> str | None:
    """Why a row is not a claimable fare (R12.2), or None when it is one."""
    if kind is TripKind.CHARGE:
        return gettext("チャージ（入金）は交通費ではないため取り込みません。")
    if kind is TripKind.PURCHASE:
        return gettext(
            "物販の支払いは交通費ではないため取り込みません（領収書があれば別の経費として申請できます）。"
        )
    if kind is TripKind.OTHER:
        return gettext("交通機関の利用として判別できない行のため取り込みません。内容を確認してください。")
    if fare == 0:
        return gettext("運賃が 0 円（定期券区間内など）のため取り込みません。")
    return None


def _collect(result: IcImportResult, rows: Iterable[IcTrip]) -> IcImportResult:
    """Sort rows into trips / ignored and report repeats of the same R12.3 key inside this file."""
    seen: dict[tuple[str, str, str, str, int, int | None], int] = {}
    for row in rows:
        first = seen.get(row.dedupe_key)
        if first is not None:
            result.duplicates.append(
                DuplicateIcRow(
                    row.line_number,
                    first,
                    row,
                    gettext(
                        "%(line)d 行目は %(first)d 行目と同じ利用履歴です（重複のため 1 件として扱います）。"
                    )
                    % {"line": row.line_number, "first": first},
                )
            )
            continue
        seen[row.dedupe_key] = row.line_number
        reason = _reason(row.kind, row.fare)
        if reason is None:
            result.trips.append(row)
        else:
            result.ignored.append(IgnoredIcRow(row.line_number, reason, row))
    return result
