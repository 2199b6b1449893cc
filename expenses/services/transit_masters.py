"""Master imports for accounting/admins: the company route master CSV and a 駅データ.jp station CSV."""

import csv
import io
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from core.exceptions import ApplicationError
from expenses.rules.transit import DEFAULT_FARE_LIMITS
from expenses.transit.stations import StationStatus, normalize_station_name, parse_station_csv
from expenses.transit_models import Mode, RouteMaster, Station

ROUTE_REQUIRED = ("from_station", "to_station")
# Japanese headers accepted as well, for files kept in Excel by accounting.
ROUTE_ALIASES = {"出発駅": "from_station", "到着駅": "to_station", "経由": "via", "交通手段": "mode",
                 "IC運賃": "fare_ic", "きっぷ運賃": "fare_ticket", "特急料金等": "charges", "備考": "note"}
MODE_ALIASES = {label: value for value, label in Mode.choices}


class MasterImportError(ApplicationError):
    """The whole file is unusable (encoding, header)."""


@dataclass
class MasterImportResult:
    created: int = 0
    updated: int = 0
    errors: list[str] = field(default_factory=list)


def _decode(data: bytes) -> str:
    if b"\x00" in data:  # UTF-16 or a binary file (Excel .xlsx saved as .csv)
        raise MasterImportError(_("文字コードを判別できません。UTF-8 または Shift_JIS のCSVを指定してください。"))
    for encoding in ("utf-8-sig", "cp932"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise MasterImportError(_("文字コードを判別できません。UTF-8 または Shift_JIS のCSVを指定してください。"))


def _yen(value: str, line: int, column: str, errors: list[str]) -> int | None:
    text = value.replace(",", "").replace("¥", "").strip()
    if not text:
        return None
    if not text.isdigit():
        errors.append(_("%(line)d 行目: %(column)s「%(value)s」は円単位の整数ではありません。")
                      % {"line": line, "column": column, "value": value})
        raise ValueError
    return int(text)


@transaction.atomic
def do_import_route_master(data: bytes) -> MasterImportResult:
    """Upsert routes by (from, to, via, mode). Bad rows are reported with their line and skipped."""
    reader = csv.reader(io.StringIO(_decode(data)))
    header = [ROUTE_ALIASES.get(h.strip(), h.strip()) for h in next(reader, [])]
    missing = [c for c in ROUTE_REQUIRED if c not in header]
    if missing or not ({"fare_ic", "fare_ticket"} & set(header)):
        raise MasterImportError(
            _("1 行目: 見出しに必要な列がありません（from_station, to_station と fare_ic または fare_ticket）。"))
    result = MasterImportResult()
    for row in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        cells = dict(zip(header, [c.strip() for c in row], strict=False))
        mode = MODE_ALIASES.get(cells.get("mode", ""), cells.get("mode") or Mode.TRAIN)
        if mode not in Mode.values:
            result.errors.append(_("%(line)d 行目: 交通手段「%(mode)s」が不明です。") % {"line": line, "mode": mode})
            continue
        if not cells.get("from_station") or not cells.get("to_station"):
            result.errors.append(_("%(line)d 行目: 出発駅と到着駅は必須です。") % {"line": line})
            continue
        try:
            fare_ic = _yen(cells.get("fare_ic", ""), line, "fare_ic", result.errors)
            fare_ticket = _yen(cells.get("fare_ticket", ""), line, "fare_ticket", result.errors)
            charges = _yen(cells.get("charges", ""), line, "charges", result.errors) or 0
        except ValueError:
            continue
        if fare_ic is None and fare_ticket is None:
            result.errors.append(_("%(line)d 行目: 運賃がありません。") % {"line": line})
            continue
        from expenses.services.transit import rule_mode

        limit = DEFAULT_FARE_LIMITS.get(rule_mode(mode))
        if limit is not None and max(fare_ic or 0, fare_ticket or 0) + charges > limit:
            result.errors.append(_("%(line)d 行目: 運賃が上限（¥%(limit)s）を超えています。")
                                 % {"line": line, "limit": f"{limit:,}"})
            continue
        _route, created = RouteMaster.objects.update_or_create(
            from_key=normalize_station_name(cells["from_station"]), to_key=normalize_station_name(cells["to_station"]),
            via=cells.get("via", "")[:200], mode=mode,
            defaults={"from_station": cells["from_station"][:100], "to_station": cells["to_station"][:100],
                      "fare_ic": fare_ic, "fare_ticket": fare_ticket, "charges": charges,
                      "note": cells.get("note", "")[:200], "is_active": True},
        )
        if created:
            result.created += 1
        else:
            result.updated += 1
    return result


@transaction.atomic
def do_import_stations(data: bytes) -> MasterImportResult:
    """駅データ.jp `station*.csv`: upsert by station_cd; closed stations stay, marked not operating."""
    parsed = parse_station_csv(data)
    result = MasterImportResult(errors=[e.message for e in parsed.errors])
    existing = set(Station.objects.filter(code__in=[s.code for s in parsed.stations]).values_list("code", flat=True))
    rows = [
        Station(code=s.code, group_code=s.group_code, name=s.name, name_key=normalize_station_name(s.name),
                line_code=s.line_code, prefecture_code=s.prefecture_code,
                is_operating=s.status == StationStatus.OPERATING)
        for s in parsed.stations
    ]
    Station.objects.bulk_create(rows, batch_size=1000, update_conflicts=True, unique_fields=["code"],
                                update_fields=["group_code", "name", "name_key", "line_code", "prefecture_code",
                                               "is_operating"])
    result.created = sum(1 for s in parsed.stations if s.code not in existing)
    result.updated = len(parsed.stations) - result.created
    return result
