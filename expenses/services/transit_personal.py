"""Per-employee transit data: commuter passes (定期区間), favourite routes reused in one click, and
repeating last month's trips. Each use case adds lines through expenses.services.transit."""

import datetime
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from core.exceptions import ApplicationError, NotFoundOrForbidden, ValidationFailed
from expenses.models import ClaimLine
from expenses.selectors import access_editable_claim
from expenses.services.lines import LineContext
from expenses.services.transit import (
    MAX_STATION,
    TransitInput,
    check_add_transit_line,
    do_add_transit_lines,
    pass_sections_for,
    preview_transit,
    validate_transit,
)
from expenses.transit_models import CommuterPass, FareSource, FavouriteRoute, PassDeductionKind, TransitDetail
from expenses.transit_selectors import known_station_keys


def favourite_input(favourite: FavouriteRoute, on_date: datetime.date) -> TransitInput:
    return TransitInput(
        expense_date=on_date, from_station=favourite.from_station, to_station=favourite.to_station,
        fare_oneway=favourite.fare_oneway, via=favourite.via, mode=favourite.mode, round_trip=favourite.round_trip,
        fare_kind=favourite.fare_kind, charges_oneway=favourite.charges_oneway, purpose=favourite.purpose,
        destination=favourite.destination, fare_source=FareSource.HISTORY,
    )


@transaction.atomic
def check_use_favourite(claim_id: int, favourite_id: int, *, acting_user, on_date: datetime.date | None) -> ClaimLine:
    """One click: the favourite route becomes a line on `on_date` (today by default)."""
    favourite = FavouriteRoute.objects.filter(pk=favourite_id, user=acting_user).first()
    if favourite is None:
        raise NotFoundOrForbidden
    ctx_today = LineContext.load().today
    return check_add_transit_line(claim_id, acting_user=acting_user,
                                  data=favourite_input(favourite, on_date or ctx_today))


@transaction.atomic
def check_delete_favourite(favourite_id: int, *, acting_user) -> None:
    deleted, _rows = FavouriteRoute.objects.filter(pk=favourite_id, user=acting_user).delete()
    if not deleted:
        raise NotFoundOrForbidden


@transaction.atomic
def check_repeat_trips(claim_id: int, *, acting_user, line_ids: list[int], shift_months: int = 1) -> list[ClaimLine]:
    """Repeat earlier trips (e.g. last month's to a client) one month later; future dates are refused."""
    claim = access_editable_claim(acting_user, claim_id)
    ctx = LineContext.load()
    sources = list(TransitDetail.objects.filter(pk__in=line_ids, line__claim__applicant=acting_user)
                   .select_related("line"))
    if not sources or len(sources) != len(set(line_ids)):
        raise ValidationFailed(_("繰り返す交通費を選択してください。"), extra={"fields": {"lines": _("選択し直してください。")}})
    items, errors = [], {}
    sections = pass_sections_for(acting_user)
    known = known_station_keys([name for src in sources for name in (src.from_station, src.to_station)])
    for index, src in enumerate(sources):
        data = TransitInput(
            expense_date=_shift(src.line.expense_date, shift_months), from_station=src.from_station,
            to_station=src.to_station, fare_oneway=src.fare_oneway, via=src.via, mode=src.mode,
            round_trip=src.round_trip, fare_kind=src.fare_kind, charges_oneway=src.charges_oneway,
            deducted_fare_oneway=src.claimed_fare_oneway if src.pass_deduction == PassDeductionKind.PARTIAL else None,
            purpose=src.purpose, destination=src.destination, fare_source=FareSource.HISTORY,
        )
        validate_transit(data, today=ctx.today, errors=errors, prefix=f"lines.{index}.")
        preview = preview_transit(acting_user, data, sections=sections, known_stations=known)
        if preview.amount > 0:
            items.append((data, preview))
    if errors:
        raise ValidationFailed(_("繰り返せない交通費があります。"), extra={"fields": errors})
    if not items:
        raise ApplicationError(_("定期区間控除により精算額が ¥0 のため、明細は作成しません。"))
    return do_add_transit_lines(claim, items, ctx=ctx, acting_user=acting_user)


def _shift(day: datetime.date | None, months: int) -> datetime.date | None:
    if day is None:
        return None
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=d)
        except ValueError:
            continue
    return None


@dataclass
class PassInput:
    from_station: str
    to_station: str
    valid_from: datetime.date | None
    valid_until: datetime.date | None
    via: str = ""
    stations: list[str] = field(default_factory=list)
    label: str = ""


@transaction.atomic
def check_create_commuter_pass(*, acting_user, data: PassInput) -> CommuterPass:
    errors: dict[str, str] = {}
    if not data.from_station.strip():
        errors["from_station"] = _("区間の駅を入力してください。")
    if not data.to_station.strip():
        errors["to_station"] = _("区間の駅を入力してください。")
    elif data.to_station.strip() == data.from_station.strip():
        errors["to_station"] = _("区間の両端に同じ駅は指定できません。")
    if data.valid_from is None:
        errors["valid_from"] = _("有効開始日を入力してください。")
    if data.valid_until is None:
        errors["valid_until"] = _("有効終了日を入力してください。")
    elif data.valid_from and data.valid_until < data.valid_from:
        errors["valid_until"] = _("有効終了日は開始日以降にしてください。")
    elif data.valid_from and (data.valid_until - data.valid_from).days > 366:
        errors["valid_until"] = _("定期券の有効期間は1年以内です。")
    if len(data.stations) > 60 or any(len(s) > MAX_STATION for s in data.stations):
        errors["stations"] = _("途中の駅が多すぎるか、駅名が長すぎます。")
    if errors:
        raise ValidationFailed(_("入力内容を確認してください。"), extra={"fields": errors})
    return CommuterPass.objects.create(
        user=acting_user, from_station=data.from_station.strip(), to_station=data.to_station.strip(),
        via=data.via.strip()[:200], stations=[s.strip() for s in data.stations if s.strip()],
        valid_from=data.valid_from, valid_until=data.valid_until, label=data.label.strip()[:100],
    )


@transaction.atomic
def check_delete_commuter_pass(pass_id: int, *, acting_user) -> None:
    deleted, _rows = CommuterPass.objects.filter(pk=pass_id, user=acting_user).delete()
    if not deleted:
        raise NotFoundOrForbidden
