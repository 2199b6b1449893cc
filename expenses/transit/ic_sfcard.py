"""SFCard Viewer 2 CSV export of an IC card's history (formats.md §7)."""

import csv
import io
import re
from datetime import date

from django.utils.translation import gettext

from expenses.transit.ic_common import (
    DEFAULT_PASS_MARKERS,
    IcImportError,
    IcImportResult,
    IcSource,
    IcTrip,
    TripKind,
    _amount_or_error,
    _clean,
    _collect,
    _date_error,
)

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
