"""The transit form's fare lookup, shared by the page's JSON endpoint and the API."""

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from expenses.services.transit import TransitInput, get_fare_provider, preview_transit
from expenses.transit.providers import FareProviderUnavailable
from expenses.transit_models import FareKind, Mode
from expenses.transit_selectors import suggest_fares


def fare_lookup(user, params) -> dict:
    """Suggestions (route master, own history, route search) and the pass preview for the query parameters
    ``from``, ``to``, ``date``, ``fare_kind``, ``mode``, ``fare``, ``charges``, ``deducted``, ``via``, ``round_trip``."""
    from_station = (params.get("from") or "").strip()[:100]
    to_station = (params.get("to") or "").strip()[:100]
    fare_kind = params.get("fare_kind") if params.get("fare_kind") in FareKind.values else FareKind.IC
    mode = params.get("mode") if params.get("mode") in Mode.values else Mode.TRAIN
    try:
        on_date = datetime.date.fromisoformat(params.get("date") or "")
    except ValueError:
        on_date = timezone.localdate()
    suggestions = [s.as_dict() for s in suggest_fares(user, from_station, to_station, fare_kind=fare_kind)]
    provider = get_fare_provider()
    provider_error = ""
    if from_station and to_station and mode in (Mode.TRAIN, Mode.SHINKANSEN) and provider.name != "null":
        try:
            for route in provider.search(from_station, to_station, on_date=on_date, ic=fare_kind == FareKind.IC)[:3]:
                suggestions.append({
                    "source": "provider", "label": _("経路検索（%(minutes)d分・乗換%(n)d回）") % {
                        "minutes": route.minutes, "n": route.transfers},
                    "fare_oneway": route.fare_oneway, "charges_oneway": route.charges, "fare_kind": fare_kind,
                    "via": "・".join(p.name for p in route.points[1:-1]), "mode": mode,
                    "provider": route.provider, "engine_version": route.engine_version,
                    "serialize_data": route.serialize_data,
                })
        except FareProviderUnavailable as exc:
            provider_error = exc.message
    data = TransitInput(
        expense_date=on_date, from_station=from_station, to_station=to_station, fare_oneway=_int(params.get("fare")) or 0,
        mode=mode, round_trip=params.get("round_trip") in ("1", "true"), fare_kind=fare_kind,
        charges_oneway=_int(params.get("charges")) or 0, deducted_fare_oneway=_int(params.get("deducted")),
        via=(params.get("via") or "")[:200],
    )
    preview = preview_transit(user, data)
    return {
        "suggestions": suggestions, "provider": provider.name, "provider_error": provider_error,
        "deduction": preview.deduction, "deduction_message": preview.deduction_message,
        "amount": preview.amount, "gross_amount": preview.gross_amount,
        "from_unknown": preview.from_unknown, "to_unknown": preview.to_unknown, "warnings": preview.warnings,
    }


def _int(value: str | None) -> int | None:
    try:
        return int((value or "").replace(",", ""))
    except ValueError:
        return None
