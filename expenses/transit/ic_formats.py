"""IC-card history parsers: SFCard Viewer 2 CSV and a pasted モバイルSuica table (formats.md §7, R12).

Both return an `IcImportResult`: claimable rides (`trips`), rows that are not fares (`ignored`, with a
reason: charges, 物販, zero-fare pass rides — R12.2) and rows repeated inside the same file (`duplicates`).
A file that cannot be read at all raises `IcImportError` with a Japanese message naming the line.
"""

import csv
import enum
import hashlib
import io
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


# --- SFCard Viewer 2 ------------------------------------------------------------------------------

SFCARD_REQUIRED = ("利用年月日", "入場駅/事業者名", "出場駅/降車場所", "利用額(円)", "残額(円)")
_CARD_ID = re.compile(r"カードID\s*[=:＝：]\s*([0-9A-Za-z]+)")


def _decode_sfcard(data: bytes, *, accept_utf8: bool) -> str:
    if not data.strip():
        raise IcImportError(gettext("ファイルが空です。"))
    if data.startswith(b"PK\x03\x04"):
        raise IcImportError(
            gettext(
                "Excel などの圧縮形式のファイルです。"
                "SFCard Viewer 2 の「ファイルに保存」で出力した CSV を指定してください。"
            )
        )
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise IcImportError(
            gettext(
                "UTF-16（Unicode テキスト）のファイルです。"
                "SFCard Viewer 2 が出力した CSV（Shift_JIS）をそのまま指定してください。"
            )
        )
    if b"\x00" in data[:4096]:
        raise IcImportError(
            gettext("バイナリファイルは読み込めません。SFCard Viewer 2 が出力した CSV を指定してください。")
        )
    # Valid UTF-8 with non-ASCII text is practically never valid Japanese cp932, so test it first:
    # decoding it as cp932 could "succeed" and produce mojibake.
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    else:
        if not text.isascii() and not accept_utf8:
            raise IcImportError(
                gettext(
                    "このファイルは UTF-8 で保存されています。"
                    "SFCard Viewer 2 の CSV は Shift_JIS（cp932）です。"
                    "Excel などで保存し直さず、出力したファイルをそのまま指定してください。"
                )
            )
        return text
    try:
        return data.decode("cp932")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise IcImportError(
            gettext(
                "%(line)d 行目: Shift_JIS（cp932）として読めない文字があります。"
                "ファイルが壊れているか、形式が違います。"
            )
            % {"line": line},
            line_number=line,
        ) from exc


def _sfcard_kind(memo: str, amount: int, entry: str, exit_: str) -> TripKind:
    memo = _clean(memo)  # NFKC turns ｵｰﾄﾁｬｰｼﾞ into オートチャージ, ﾊﾞｽ/路面等 into バス/路面等
    if amount < 0 or "チャージ" in memo:
        return TripKind.CHARGE
    if "物販" in memo:
        return TripKind.PURCHASE
    if "バス" in memo or "路面" in memo:
        return TripKind.BUS
    if entry or exit_:
        return TripKind.TRANSIT  # including 窓出 (manned gate exit)
    return TripKind.OTHER


def _parse_sfcard_date(value: str, line: int) -> date:
    match = re.fullmatch(r"(\d{4})[/\-.](\d{1,2})[/\-.](\d{1,2})", _clean(value))
    if not match:
        raise _date_error(value, line)
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        raise _date_error(value, line) from None


def parse_sfcard_viewer_csv(
    data: bytes, *, accept_utf8: bool = False, pass_markers: frozenset[str] = DEFAULT_PASS_MARKERS
) -> IcImportResult:
    """Parse the bytes SFCard Viewer 2 writes with 「ファイルに保存」 (cp932, CRLF or LF).

    `accept_utf8` lets an administrator allow files re-saved as UTF-8; off by default because the
    documented format is cp932 and a silent re-save often also reformats dates and amounts.
    """
    text = _decode_sfcard(data, accept_utf8=accept_utf8)
    reader = csv.reader(io.StringIO(text, newline=""))
    card_id = ""
    header: list[str] | None = None
    header_line = 0
    for row in reader:
        joined = ",".join(row)
        match = _CARD_ID.search(_clean(joined))
        if match and not card_id:
            card_id = match[1]
            continue
        cells = [_clean(cell).replace(" ", "") for cell in row]
        if "利用年月日" in cells:
            header, header_line = cells, reader.line_num
            break
        if reader.line_num >= 5 or any(re.match(r"\d{4}/", cell) for cell in cells):
            break  # data before any header: the header row is missing or was renamed
    if header is None:
        raise IcImportError(
            gettext(
                "SFCard Viewer 2 の見出し行（利用年月日, 入場駅/事業者名, …）が見つかりません。"
                "ファイルの形式と文字コードを確認してください。"
            )
        )
    missing = [name for name in SFCARD_REQUIRED if name not in header]
    if missing:
        raise IcImportError(
            gettext("%(line)d 行目: 見出しに必要な列がありません: %(columns)s")
            % {"line": header_line, "columns": ", ".join(missing)},
            line_number=header_line,
        )
    # 定期 and 鉄道会社名 appear twice: the one left of 入場駅 belongs to the entry, the other to the exit.
    positions: dict[str, list[int]] = {}
    for position, name in enumerate(header):
        positions.setdefault(name, []).append(position)
    entry_position = header.index("入場駅/事業者名")

    def side(name: str, *, entry: bool) -> int | None:
        candidates = [p for p in positions.get(name, []) if (p < entry_position) == entry]
        return candidates[0] if candidates else None

    required = {
        "date": header.index("利用年月日"),
        "entry": entry_position,
        "exit": header.index("出場駅/降車場所"),
        "amount": header.index("利用額(円)"),
        "balance": header.index("残額(円)"),
    }
    needed = max(required.values()) + 1  # メモ and the 定期 markers may be cut off at the end
    columns: dict[str, int | None] = {
        **required,
        "memo": header.index("メモ") if "メモ" in header else None,
        "entry_pass": side("定期", entry=True),
        "exit_pass": side("定期", entry=False),
        "entry_company": side("鉄道会社名", entry=True),
        "exit_company": side("鉄道会社名", entry=False),
    }

    rows: list[IcTrip] = []
    for row in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        if len(row) < needed:
            raise IcImportError(
                gettext("%(line)d 行目: 列が足りません（%(found)d 列、%(expected)d 列必要）。")
                % {"line": line, "found": len(row), "expected": needed},
                line_number=line,
            )

        def cell(key: str, row: list[str] = row) -> str:
            position = columns[key]
            return row[position].strip() if position is not None and position < len(row) else ""

        on_date = _parse_sfcard_date(cell("date"), line)
        amount = _amount_or_error(cell("amount"), column="利用額(円)", line=line)
        balance = _amount_or_error(cell("balance"), column="残額(円)", line=line) if cell("balance") else None
        entry, exit_ = cell("entry"), cell("exit")
        on_pass = bool({_clean(cell("entry_pass")), _clean(cell("exit_pass"))} & pass_markers)
        rows.append(
            IcTrip(
                card_id=card_id,
                date=on_date,
                entry_station=entry,
                exit_station=exit_,
                fare=abs(amount),
                balance=balance,
                line_number=line,
                kind=_sfcard_kind(cell("memo"), amount, entry, exit_),
                on_pass=on_pass,
                source=IcSource.SFCARD_VIEWER,
                entry_company=cell("entry_company"),
                exit_company=cell("exit_company"),
                memo=cell("memo"),
            )
        )
    if not rows:
        raise IcImportError(gettext("利用履歴の行がありません。"))
    return _collect(IcImportResult(source=IcSource.SFCARD_VIEWER, card_id=card_id), rows)


# --- モバイルSuica (copied from the 会員メニュー web page) -------------------------------------------------

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
