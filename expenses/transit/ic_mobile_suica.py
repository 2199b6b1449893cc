"""モバイルSuica history copied from the 会員メニュー web page and pasted (formats.md §7.1)."""

import csv
import re
from datetime import date

from django.utils.translation import gettext

from expenses.transit.ic_common import (
    IcImportError,
    IcImportResult,
    IcSource,
    IcTrip,
    IgnoredIcRow,
    TripKind,
    _amount_or_error,
    _clean,
    _collect,
    _date_error,
)

# 種別 values after NFKC (ｵｰﾄ → オート, ＊入 → *入). OBSERVED list, formats.md §7.1; unknown values → OTHER.
_MS_TRANSIT = frozenset({"入", "*入", "定", "精"})
_MS_BUS = frozenset({"バス等", "バス"})
_MS_PURCHASE = frozenset({"物販"})
_MS_CHARGE = frozenset({"オート", "VIEW", "カード", "現金", "チャージ", "入金"})
_MS_EXIT_KINDS = frozenset({"出", "窓出", "定"})
_MS_HEADER_FIRST = "月日"
_MS_DATE = re.compile(r"(?:(\d{4})/)?(\d{1,2})/(\d{1,2})")


def _split_mobile_suica_line(line: str, *, comma_mode: bool) -> list[str]:
    """Return the 7 cells: 月日, 種別, 利用場所, 種別, 利用場所, 残高, 入金・利用額."""
    if comma_mode:
        cells = next(csv.reader([line]))
    elif "\t" in line:
        cells = line.split("\t")  # browsers copy table cells tab-separated, empty cells included
    else:
        # Whitespace only: empty cells vanish, so place the tokens by what they are.
        tokens = line.split()
        if len(tokens) < 3:
            return tokens
        first, middle, balance, amount = tokens[0], tokens[1:-2], tokens[-2], tokens[-1]
        if len(middle) > 4:
            return []  # a place name with spaces: cannot tell the cells apart
        if len(middle) == 3 and _clean(middle[1]) in _MS_EXIT_KINDS:
            middle = [middle[0], "", middle[1], middle[2]]
        cells = [first, *[*middle, "", "", "", ""][:4], balance, amount]
    cells = [cell.strip() for cell in cells]
    if len(cells) > 7 and not any(cells[7:]):
        cells = cells[:7]  # trailing separators
    return cells


def _infer_year(month: int, day: int, reference_date: date, line: int, raw: str) -> date:
    """History has no year: take the latest such date not after `reference_date` (December read in January).

    Safe because モバイルSuica shows at most 26 weeks (formats.md §7.1).
    """
    year = reference_date.year
    if (month, day) > (reference_date.month, reference_date.day):
        year -= 1
    try:
        return date(year, month, day)
    except ValueError:
        raise _date_error(raw, line) from None


def parse_mobile_suica_paste(text: str, *, reference_date: date, card_id: str = "") -> IcImportResult:
    """Parse the history table copied from モバイルSuica's 「SF(電子マネー)利用履歴」 page.

    `reference_date` is the day the user copied the table (the upload day); it fixes the missing year.
    `card_id` is the user's モバイルSuica ID if the caller knows it (the paste carries none).
    Accepts tab-separated (browser copy), comma CSV (spreadsheet export, formats.md §7.1) and whitespace.
    """
    if "\x00" in text:
        raise IcImportError(
            gettext("テキスト以外のデータが含まれています。履歴の表をコピーして貼り付けてください。")
        )
    lines = text.removeprefix("\ufeff").splitlines()
    comma_mode = any(
        _clean(line).startswith(_MS_HEADER_FIRST + ",") or re.match(r"\s*(\d{4}/)?\d{1,2}/\d{1,2},", line)
        for line in lines
    )
    result = IcImportResult(source=IcSource.MOBILE_SUICA, card_id=card_id)
    rows: list[IcTrip] = []
    for line_number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        cells = _split_mobile_suica_line(line, comma_mode=comma_mode)
        if not cells:
            raise IcImportError(
                gettext(
                    "%(line)d 行目: 列の区切りを判別できません。"
                    "ブラウザの表をそのままコピーして貼り付けてください。"
                )
                % {"line": line_number},
                line_number=line_number,
            )
        first = _clean(cells[0])
        if first == _MS_HEADER_FIRST:
            continue
        if not re.match(r"\d+\S*/", first):
            # Page text copied with the table (titles, 2025年10月29日現在, 次の20件): shown, never fatal.
            reason = gettext("利用履歴の行ではないため読み飛ばしました。")
            result.ignored.append(IgnoredIcRow(line_number, reason))
            continue
        match = _MS_DATE.fullmatch(first)
        if not match:
            raise _date_error(cells[0], line_number)
        if len(cells) < 7:
            raise IcImportError(
                gettext(
                    "%(line)d 行目: 列が足りません"
                    "（月日, 種別, 利用場所, 種別, 利用場所, 残高, 入金・利用額 の 7 列が必要です）。"
                )
                % {"line": line_number},
                line_number=line_number,
            )
        if match[1]:
            try:
                on_date = date(int(match[1]), int(match[2]), int(match[3]))
            except ValueError:
                raise _date_error(cells[0], line_number) from None
        else:
            on_date = _infer_year(int(match[2]), int(match[3]), reference_date, line_number, cells[0])
        kind1, place1, kind2, place2 = (_clean(cells[1]), cells[2], _clean(cells[3]), cells[4])
        balance = _amount_or_error(cells[5], column="残高", line=line_number) if cells[5] else None
        amount = _amount_or_error(cells[6], column="入金・利用額", line=line_number)
        if amount > 0 or kind1 in _MS_CHARGE:
            kind = TripKind.CHARGE  # money put on the card is positive here
        elif kind1 in _MS_PURCHASE:
            kind = TripKind.PURCHASE
        elif kind1 in _MS_BUS:
            kind = TripKind.BUS
        elif kind1 in _MS_TRANSIT:
            kind = TripKind.TRANSIT
        else:
            kind = TripKind.OTHER  # 購 (ticket purchase in the app) and anything new: shown for review
        rows.append(
            IcTrip(
                card_id=card_id,
                date=on_date,
                entry_station=place1,
                exit_station=place2,
                fare=abs(amount),
                balance=balance,
                line_number=line_number,
                kind=kind,
                on_pass="定" in (kind1, kind2),
                source=IcSource.MOBILE_SUICA,
                memo=" ".join(part for part in (kind1, kind2) if part),
            )
        )
    if not rows:
        raise IcImportError(
            gettext(
                "利用履歴の行が見つかりません。"
                "モバイルSuica の「SF(電子マネー)利用履歴」の表をコピーしてください。"
            )
        )
    return _collect(result, rows)
