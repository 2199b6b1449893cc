"""駅データ.jp station CSV parser and station-name normaliser (formats.md §8.1).

The data itself is never bundled (licence UNCONFIRMED, formats.md §8.1): an administrator uploads the
`station*free.csv` they downloaded under their own registration, and this module turns it into plain rows.
"""

import csv
import enum
import io
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext

from core.exceptions import ApplicationError


class StationStatus(enum.IntEnum):
    OPERATING = 0
    NOT_YET_OPEN = 1
    CLOSED = 2


@dataclass(frozen=True)
class Station:
    code: str  # station_cd: one station on one line
    group_code: str  # station_g_cd: the same physical station across lines
    name: str
    line_code: str
    prefecture_code: str
    lat: Decimal | None
    lon: Decimal | None
    status: StationStatus
    post: str = ""
    address: str = ""
    open_date: date | None = None
    close_date: date | None = None
    line_number: int = 0

    @property
    def normalized_name(self) -> str:
        return normalize_station_name(self.name)


@dataclass(frozen=True)
class StationRowError:
    line_number: int
    message: str


@dataclass
class StationImportResult:
    stations: list[Station] = field(default_factory=list)
    errors: list[StationRowError] = field(default_factory=list)


class StationImportError(ApplicationError):
    """The whole file is unusable (encoding, header). Bad single rows are reported, not raised."""


REQUIRED_COLUMNS = ("station_cd", "station_name", "line_cd", "pref_cd", "lon", "lat", "e_status")

# Applied after NFKC. Variant spellings seen across operators and data sources (霞ケ関/霞ヶ関, 市ヶ谷/市ケ谷,
# 御茶ノ水/御茶の水, 﨑/崎, 髙/高); both sides of a comparison go through the same table.
_VARIANTS = str.maketrans(
    {
        "ヶ": "ケ",
        "ヵ": "カ",
        "ゖ": "ケ",
        "ゕ": "カ",
        "ノ": "の",
        "﨑": "崎",
        "嵜": "崎",
        "髙": "高",
        "濵": "浜",
        "濱": "浜",
        "邊": "辺",
        "邉": "辺",
        "\u2212": "-",  # MINUS SIGN, which NFKC leaves alone
        "〜": "~",
    }
)
# A trailing qualifier such as 大宮(埼玉県) or 府中(東京都), as route services print to tell namesakes apart.
_QUALIFIER = re.compile(r"\([^()]*\)$")


def normalize_station_name(name: str, *, strip_qualifier: bool = True) -> str:
    """Key for matching station names typed by people and printed by different sources.

    Not for display and not for storage as an identity (use the station code for that): two distinct
    stations can share a key, e.g. 大宮(埼玉県) and 大宮(京都府) when `strip_qualifier` is on.
    """
    text = unicodedata.normalize("NFKC", name or "")
    text = "".join(text.split())  # drop every space, including ones pasted in the middle
    text = text.translate(_VARIANTS).casefold()
    if strip_qualifier:
        text = _QUALIFIER.sub("", text)
    if len(text) > 1 and text.endswith("駅"):
        text = text[:-1]
    return text


def same_station(a: str, b: str) -> bool:
    return bool(a) and bool(b) and normalize_station_name(a) == normalize_station_name(b)


def _decode(data: bytes | str) -> str:
    if isinstance(data, str):
        return data.removeprefix("\ufeff")
    if b"\x00" in data[:4096]:
        raise StationImportError(
            gettext("バイナリファイルは読み込めません。駅データ.jp の CSV を指定してください。")
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise StationImportError(
            gettext(
                "駅データの CSV は UTF-8 で読み込みます。このファイルは UTF-8 ではありません"
                "（Shift_JIS で保存し直された可能性があります）。"
                "ダウンロードしたファイルをそのまま指定してください。"
            )
        ) from exc


def _parse_optional_date(value: str) -> date | None:
    value = value.strip()
    if not value or value.startswith("0000"):
        return None  # 駅データ.jp writes 0000-00-00 for "unknown"
    return date.fromisoformat(value)


def _parse_coordinate(value: str, *, limit: int) -> Decimal | None:
    value = value.strip()
    if not value:
        return None
    number = Decimal(value)
    if not number.is_finite() or abs(number) > limit:
        raise InvalidOperation(value)
    return number


def parse_station_csv(data: bytes | str) -> StationImportResult:
    """Parse a `station*free.csv`; bad rows are listed with their line numbers, good rows still load."""
    text = _decode(data)
    reader = csv.reader(io.StringIO(text, newline=""))
    header_row = next(reader, None)
    if header_row is None:
        raise StationImportError(gettext("ファイルが空です。"))
    header = [cell.strip().lower() for cell in header_row]
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    if missing:
        raise StationImportError(
            gettext(
                "1 行目の見出しに必要な列がありません: %(columns)s"
                "（駅データ.jp の station*.csv を指定してください）"
            )
            % {"columns": ", ".join(missing)},
            extra={"missing_columns": missing},
        )
    index = {name: position for position, name in reversed(list(enumerate(header)))}
    if "address" not in index and "add" in index:
        index["address"] = index["add"]  # older files call the column `add`

    result = StationImportResult()
    for row in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        if len(row) < len(header):
            result.errors.append(
                StationRowError(
                    line,
                    gettext("%(line)d 行目: 列が足りません（%(found)d 列、%(expected)d 列必要）。")
                    % {"line": line, "found": len(row), "expected": len(header)},
                )
            )
            continue

        def cell(name: str, row: list[str] = row) -> str:
            position = index.get(name)
            return row[position].strip() if position is not None else ""

        code, name = cell("station_cd"), cell("station_name")
        if not code.isdigit() or not name:
            result.errors.append(
                StationRowError(
                    line, gettext("%(line)d 行目: 駅コードまたは駅名が正しくありません。") % {"line": line}
                )
            )
            continue
        try:
            status = StationStatus(int(cell("e_status") or "0"))
        except ValueError:
            result.errors.append(
                StationRowError(
                    line,
                    gettext("%(line)d 行目: e_status「%(value)s」は 0・1・2 のいずれかです。")
                    % {"line": line, "value": cell("e_status")},
                )
            )
            continue
        try:
            lat = _parse_coordinate(cell("lat"), limit=90)
            lon = _parse_coordinate(cell("lon"), limit=180)
        except InvalidOperation:
            result.errors.append(
                StationRowError(
                    line,
                    gettext("%(line)d 行目: 緯度経度「%(lat)s, %(lon)s」を数値として読めません。")
                    % {"line": line, "lat": cell("lat"), "lon": cell("lon")},
                )
            )
            continue
        try:
            open_date = _parse_optional_date(cell("open_ymd"))
            close_date = _parse_optional_date(cell("close_ymd"))
        except ValueError:
            result.errors.append(
                StationRowError(
                    line,
                    gettext("%(line)d 行目: 開業日・廃止日を日付（YYYY-MM-DD）として読めません。")
                    % {"line": line},
                )
            )
            continue
        result.stations.append(
            Station(
                code=code,
                group_code=cell("station_g_cd") or code,
                name=name,
                line_code=cell("line_cd"),
                prefecture_code=cell("pref_cd"),
                lat=lat,
                lon=lon,
                status=status,
                post=cell("post"),
                address=cell("address"),
                open_date=open_date,
                close_date=close_date,
                line_number=line,
            )
        )
    return result


def index_by_normalized_name(stations: list[Station]) -> dict[str, list[Station]]:
    """Name key → stations (several lines, or namesakes in other prefectures); callers disambiguate."""
    found: dict[str, list[Station]] = {}
    for station in stations:
        found.setdefault(station.normalized_name, []).append(station)
    return found
