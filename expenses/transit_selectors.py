"""Reads for transit: station autocomplete, fare suggestions, passes, favourites, approver warnings."""

import datetime
from collections import defaultdict
from dataclasses import asdict, dataclass

from django.db.models import Q
from django.utils.translation import gettext as _

from expenses.rules.commuter_pass import PassSection, overlaps_pass
from expenses.transit.stations import normalize_station_name
from expenses.transit_models import (
    BusinessTrip,
    CommuterPass,
    FareSource,
    FavouriteRoute,
    PassDeductionKind,
    RouteMaster,
    Station,
    TransitDetail,
    split_via,
)

MAX_SUGGESTIONS = 20


def known_station_keys(names) -> set[str]:
    """Normalised keys of the names that are known: in the imported station list or the company route
    master (both curated by admins). Two queries for any number of names."""
    keys = {key for key in map(normalize_station_name, names) if key}
    if not keys:
        return set()
    known = set(Station.objects.filter(name_key__in=keys).values_list("name_key", flat=True))
    routes = RouteMaster.objects.filter(Q(from_key__in=keys) | Q(to_key__in=keys), is_active=True)
    for from_key, to_key in routes.values_list("from_key", "to_key"):
        known.update({from_key, to_key} & keys)
    return known


def list_station_suggestions(user, query: str, *, limit: int = MAX_SUGGESTIONS) -> list[str]:
    """Names starting with (then containing) the query: station list, route master, own history."""
    key = normalize_station_name(query)
    if not key:
        return []
    found: list[str] = []

    def add(names) -> None:
        for name in names:
            if name and name not in found and len(found) < limit:
                found.append(name)

    add(Station.objects.filter(name_key__startswith=key).order_by("name").values_list("name", flat=True).distinct()[:limit])
    for field_name in ("from_station", "to_station"):
        key_field = "from_key" if field_name == "from_station" else "to_key"
        add(RouteMaster.objects.filter(is_active=True, **{f"{key_field}__startswith": key})
            .values_list(field_name, flat=True).distinct()[:limit])
        add(TransitDetail.objects.filter(line__claim__applicant=user, **{f"{field_name}__startswith": query.strip()})
            .values_list(field_name, flat=True).distinct()[:limit])
    if len(found) < limit:
        add(Station.objects.filter(name_key__contains=key).order_by("name").values_list("name", flat=True).distinct()[:limit])
    return found


@dataclass(frozen=True)
class FareSuggestion:
    source: str
    label: str
    fare_oneway: int
    charges_oneway: int
    fare_kind: str
    via: str = ""
    mode: str = ""

    def as_dict(self) -> dict:
        return asdict(self)


def suggest_fares(user, from_station: str, to_station: str, *, fare_kind: str) -> list[FareSuggestion]:
    """Company route master first (either direction), then the employee's last fare for the same route.
    Suggestions only: the employee may always type another fare (R12.5)."""
    a, b = normalize_station_name(from_station), normalize_station_name(to_station)
    if not a or not b:
        return []
    found: list[FareSuggestion] = []
    routes = RouteMaster.objects.filter(
        Q(from_key=a, to_key=b) | Q(from_key=b, to_key=a), is_active=True
    ).order_by("id")[:5]
    for route in routes:
        fare = route.fare_for(fare_kind)
        if fare is None:
            continue
        label = _("会社の経路マスタ") + (f"（{route.via}経由）" if route.via else "")
        found.append(FareSuggestion(FareSource.ROUTE_MASTER, label, fare, route.charges, fare_kind, route.via,
                                    route.mode))
    last = (
        TransitDetail.objects.filter(line__claim__applicant=user, fare_kind=fare_kind)
        .filter(Q(from_station=from_station.strip(), to_station=to_station.strip())
                | Q(from_station=to_station.strip(), to_station=from_station.strip()))
        .select_related("line").order_by("-line__expense_date", "-id").first()
    )
    if last is not None:
        label = _("前回の申請（%(date)s）") % {"date": f"{last.line.expense_date:%Y/%m/%d}" if last.line.expense_date
                                              else "—"}
        found.append(FareSuggestion(FareSource.HISTORY, label, last.fare_oneway, last.charges_oneway,
                                    last.fare_kind, last.via, last.mode))
    return found


def list_commuter_passes(user) -> list[CommuterPass]:
    return list(CommuterPass.objects.filter(user=user).order_by("-valid_until", "id"))


def list_business_trips(claim) -> list[BusinessTrip]:
    return list(BusinessTrip.objects.filter(claim=claim).order_by("start_date", "id"))


def list_favourites(user) -> list[FavouriteRoute]:
    return list(FavouriteRoute.objects.filter(user=user).order_by("name", "id"))


def list_transit_details(claim) -> list[TransitDetail]:
    return list(TransitDetail.objects.filter(line__claim=claim).select_related("line", "line__category")
                .order_by("line__position", "line_id"))


def list_recent_trips(user, *, today: datetime.date, destination: str = "") -> list[TransitDetail]:
    """Last calendar month's transit lines (for "repeat last month's trips to a client")."""
    first_this = today.replace(day=1)
    first_last = (first_this - datetime.timedelta(days=1)).replace(day=1)
    queryset = TransitDetail.objects.filter(
        line__claim__applicant=user, line__expense_date__gte=first_last, line__expense_date__lt=first_this
    ).select_related("line")
    if destination:
        queryset = queryset.filter(destination=destination)
    return list(queryset.order_by("line__expense_date", "id"))


def list_recent_destinations(user, *, today: datetime.date) -> list[str]:
    return sorted({d.destination for d in list_recent_trips(user, today=today) if d.destination})


def pass_sections_by_user(user_ids) -> dict[int, list[PassSection]]:
    """The commuter-pass sections of each user (a user without a pass gets an empty list)."""
    sections: dict[int, list[PassSection]] = defaultdict(list)
    for row in CommuterPass.objects.filter(user_id__in=user_ids):
        stations = tuple(row.all_stations)
        if len(stations) >= 2:
            sections[row.user_id].append(PassSection(stations, row.valid_from, row.valid_until, label=str(row)))
    return sections


def transit_warnings_for_lines(lines) -> dict[int, list[str]]:
    """Warnings for approvers, per line id: pass overlap, unknown stations, partial deduction.

    Lines without transit details get no key. Two queries whatever the number of lines (details, then the
    applicants' passes). Templates can show the route itself with `{% load transit_tags %}{% transit_line line %}`.
    """
    line_ids = [line.pk for line in lines]
    details = list(TransitDetail.objects.filter(line_id__in=line_ids).select_related("line__claim"))
    sections = pass_sections_by_user({d.line.claim.applicant_id for d in details})
    warnings: dict[int, list[str]] = {}
    for detail in details:
        found: list[str] = []
        line = detail.line
        if detail.pass_deduction == PassDeductionKind.PARTIAL:
            found.append(_("定期区間と一部重複: 控除額 ¥%(amount)s（控除前 ¥%(gross)s）") % {
                "amount": f"{detail.pass_deducted_amount:,}", "gross": f"{detail.gross_amount:,}"})
        elif detail.pass_deduction == PassDeductionKind.FULL:
            found.append(_("定期区間控除: 運賃 ¥%(amount)s を控除済み") % {"amount": f"{detail.pass_deducted_amount:,}"})
        elif line.expense_date:
            route = [detail.from_station, *split_via(detail.via), detail.to_station]
            overlaps = overlaps_pass(route, line.expense_date, sections.get(line.claim.applicant_id, []))
            if overlaps:
                found.append(_("申請者の定期区間（%(sections)s）と重なっています。") % {
                    "sections": "・".join(o.section.display() for o in overlaps)})
        unknown = [name for name, flag in ((detail.from_station, detail.from_unknown),
                                           (detail.to_station, detail.to_unknown)) if flag]
        if unknown:
            found.append(_("駅マスタにない駅名: %(names)s") % {"names": "・".join(unknown)})
        if line.amount is not None and line.amount != detail.gross_amount - detail.pass_deducted_amount:
            found.append(_("金額が経路の運賃（¥%(fare)s）から変更されています。") % {
                "fare": f"{detail.gross_amount - detail.pass_deducted_amount:,}"})
        if found:
            warnings[line.pk] = found
    return warnings
