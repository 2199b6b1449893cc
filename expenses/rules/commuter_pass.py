"""定期区間控除 (domain.md R12.4): does a ride overlap the employee's commuter passes?

Pure rule on plain values (style.md §8). A pass section is the ordered list of station names printed on
the pass (from, via…, to) with its validity dates; passes may be bus passes too. Only the listed stations
are known: a ride ending at an unlisted intermediate station is not recognised as inside the pass, so the
employee enters the fare and the approver sees it (the safe direction). Registering every station of
the section makes the match exact.
"""

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext

from expenses.transit.stations import normalize_station_name


class DeductionKind(enum.StrEnum):
    FULL = "full"  # the whole ride is inside the pass: fare 0 (定期区間控除)
    PARTIAL = "partial"  # part of the ride may be covered: the employee enters the uncovered fare
    NONE = "none"


@dataclass(frozen=True)
class PassSection:
    stations: tuple[str, ...]  # as printed: from, via…, to
    valid_from: date
    valid_until: date  # inclusive (the last day printed on the pass)
    label: str = ""  # e.g. "JR 青物横丁〜浜松町" or "都営バス"

    def __post_init__(self) -> None:
        if len(self.stations) < 2:
            raise ValueError("a pass section needs at least two stations")
        if self.valid_from > self.valid_until:
            raise ValueError("valid_from must not be after valid_until")
        object.__setattr__(self, "stations", tuple(self.stations))

    @property
    def keys(self) -> frozenset[str]:
        return frozenset(normalize_station_name(name) for name in self.stations)

    def is_valid_on(self, on_date: date) -> bool:
        return self.valid_from <= on_date <= self.valid_until

    def display(self) -> str:
        return self.label or "〜".join(self.stations)


@dataclass(frozen=True)
class PassDeduction:
    kind: DeductionKind
    covered_stations: tuple[str, ...]  # stations of the ride that lie on the pass, in ride order
    sections: tuple[PassSection, ...]  # the sections involved
    message: str  # shown to the employee and the approver ("" when nothing to say)

    def fare_after_deduction(self, fare: int) -> int | None:
        """Fare to claim: 0 for full, unchanged for none, None for partial (the employee must enter it)."""
        if self.kind is DeductionKind.FULL:
            return 0
        if self.kind is DeductionKind.NONE:
            return fare
        return None


@dataclass(frozen=True)
class PassOverlap:
    section: PassSection
    shared_stations: tuple[str, ...]  # ride stations on this section, in ride order

    @property
    def rides_along(self) -> bool:
        """Two or more shared stations: the ride travels on the section, not only touches it."""
        return len(self.shared_stations) >= 2


def _components(sections: Sequence[PassSection]) -> list[frozenset[str]]:
    """Station keys reachable within passes: sections sharing a station chain (train pass + bus pass)."""
    groups: list[set[str]] = []
    for section in sections:
        merged = set(section.keys)
        rest = []
        for group in groups:
            if group & merged:
                merged |= group
            else:
                rest.append(group)
        groups = [*rest, merged]
    return [frozenset(group) for group in groups]


def _route(trip_from: str, trip_to: str, via: Sequence[str]) -> list[str]:
    return [name for name in (trip_from, *via, trip_to) if name and name.strip()]


def deduct_for_trip(
    trip_from: str,
    trip_to: str,
    on_date: date,
    sections: Sequence[PassSection],
    *,
    via: Sequence[str] = (),
) -> PassDeduction:
    """R12.4: full / partial / none deduction for one ride (one direction).

    full: both ends lie on valid sections that connect (one section, or sections sharing a station);
    partial: one end on a valid section, or the route (`via`, e.g. route-search points) runs along one;
    none: otherwise (a message still says so when only an expired pass would have matched).
    """
    route = _route(trip_from, trip_to, via)
    valid = [section for section in sections if section.is_valid_on(on_date)]
    start, end = normalize_station_name(trip_from), normalize_station_name(trip_to)

    if start and end and start != end:
        for component in _components(valid):
            if start in component and end in component:
                involved = tuple(s for s in valid if s.keys & component)
                return PassDeduction(
                    DeductionKind.FULL,
                    (trip_from, trip_to),
                    involved,
                    gettext("定期区間控除: 全区間が定期券（%(section)s）の範囲内のため、運賃は 0 円です。")
                    % {"section": "・".join(s.display() for s in involved)},
                )

    overlaps = overlaps_pass(route, on_date, valid)
    ends = {start, end} - {""}
    touching = [o for o in overlaps if o.rides_along or ends & o.section.keys]
    if touching:
        best = max(touching, key=lambda o: len(o.shared_stations))
        return PassDeduction(
            DeductionKind.PARTIAL,
            best.shared_stations,
            tuple(o.section for o in touching),
            gettext(
                "定期券（%(section)s）の区間と重なっています。"
                "定期券で乗れない区間の運賃だけを入力してください（承認者に表示されます）。"
            )
            % {"section": "・".join(o.section.display() for o in touching)},
        )

    expired = [s for s in sections if not s.is_valid_on(on_date) and ends & s.keys]
    if expired:
        return PassDeduction(
            DeductionKind.NONE,
            (),
            tuple(expired),
            gettext("定期券（%(section)s）は利用日に有効期間外のため、控除していません。")
            % {"section": "・".join(s.display() for s in expired)},
        )
    return PassDeduction(DeductionKind.NONE, (), (), "")


def overlaps_pass(
    route_stations: Sequence[str], on_date: date, sections: Sequence[PassSection]
) -> list[PassOverlap]:
    """Valid sections that share at least one station with the route, for approver warnings.

    `route_stations` is the ride in order (from, via…, to). Approvers may want to flag only
    `rides_along` overlaps; a single shared end station is common (home station) and is still listed.
    """
    keyed = [(name, normalize_station_name(name)) for name in route_stations if name and name.strip()]
    found = []
    for section in sections:
        if not section.is_valid_on(on_date):
            continue
        keys = section.keys
        shared: list[str] = []
        seen: set[str] = set()
        for name, key in keyed:
            if key in keys and key not in seen:
                shared.append(name)
                seen.add(key)
        if shared:
            found.append(PassOverlap(section, tuple(shared)))
    return found
