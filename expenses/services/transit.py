"""Transit lines (R3.3, R12): validate a trip, deduct the commuter pass, create the ClaimLine through the
line machinery, and re-judge the 公共交通機関特例 for the whole claim (one purchase may span lines)."""

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from approvals.events import record_claim_event
from approvals.models import ClaimEvent
from core.exceptions import ApplicationError, ConflictError, ValidationFailed
from expenses.inputs import LineInput
from expenses.models import Claim, ClaimLine, ExpenseCategory, TaxCategory
from expenses.rules.commuter_pass import DeductionKind, PassSection, deduct_for_trip
from expenses.rules.special_cases import (
    BOOK_ONLY_PREFIX,
    CategoryKind,
    LineFacts,
    PaymentMethod,
    TransportMode,
    classify_special_case,
)
from expenses.rules.transit import (
    DEFAULT_FARE_LIMITS,
    FareLine,
    decide_public_transport,
    fare_problem,
    trip_amount,
)
from expenses.selectors import access_editable_claim, get_claim_lines
from expenses.services.lines import LineContext, apply_line, recompute_totals
from expenses.transit.providers import EkispertProvider, FareProvider, NullProvider
from expenses.transit.stations import normalize_station_name
from expenses.transit_models import (
    BusinessTrip,
    FareKind,
    FareSource,
    FavouriteRoute,
    Mode,
    PassDeductionKind,
    Region,
    TransitDetail,
    split_via,
)
from expenses.transit_selectors import known_station_keys, pass_sections_by_user

MAX_STATION = 100
MAX_PURPOSE = 200

RULE_MODES = {
    Mode.TRAIN: TransportMode.RAIL,
    Mode.SHINKANSEN: TransportMode.RAIL,
    Mode.BUS: TransportMode.BUS,
    Mode.TAXI: TransportMode.TAXI,
    Mode.AIR: TransportMode.AIR,
    Mode.OTHER: TransportMode.OTHER,
}
CATEGORY_CODES = {Mode.TAXI: "TAXI", Mode.AIR: "AIR"}  # the rest are 電車・バス (TRANSIT)
STATION_MODES = frozenset({Mode.TRAIN, Mode.SHINKANSEN})  # station names checked against the master


def get_fare_provider() -> FareProvider:
    """The provider chosen in settings (SEISAN_FARE_PROVIDER); the null one by default."""
    if settings.SEISAN_FARE_PROVIDER == "ekispert":
        return EkispertProvider(settings.SEISAN_EKISPERT_API_KEY, timeout=settings.SEISAN_EKISPERT_TIMEOUT)
    return NullProvider()


@dataclass
class TransitInput:
    expense_date: datetime.date | None
    from_station: str
    to_station: str
    fare_oneway: int | None
    via: str = ""
    mode: str = Mode.TRAIN
    round_trip: bool = False
    fare_kind: str = FareKind.IC
    charges_oneway: int = 0
    deducted_fare_oneway: int | None = None  # partial pass overlap: the fare outside the pass, one way
    purpose: str = ""
    destination: str = ""
    purchase_ref: str = ""
    payment_method: str = PaymentMethod.EMPLOYEE
    fare_source: str = FareSource.MANUAL
    provider: str = ""
    engine_version: str = ""
    serialize_data: str = ""
    save_favourite_as: str = ""
    ic_on_pass: bool = False  # the IC card's own 定期 marker (the card already charged the uncovered part)
    business_trip_id: int | None = None  # a fare on a 出張 of this claim (R3.5: taxi/air become book-only)


@dataclass
class TransitPreview:
    """What the line will be: shown live in the form and stored by the service."""

    amount: int
    gross_amount: int
    claimed_fare_oneway: int
    deduction: str
    deduction_message: str
    from_unknown: bool
    to_unknown: bool
    warnings: list[str] = field(default_factory=list)


def rule_mode(mode: str) -> TransportMode:
    return RULE_MODES.get(Mode(mode), TransportMode.OTHER)


def pass_sections_for(user) -> list[PassSection]:
    return pass_sections_by_user([user.pk])[user.pk]


def _err(errors: dict[str, str], name: str, message: str) -> None:
    errors.setdefault(name, message)


def validate_transit(data: TransitInput, *, today: datetime.date, errors: dict[str, str], prefix: str = "") -> None:
    """Shape and plausibility (the issue's "bad input"): period, stations, absurd fares."""
    def key(name: str) -> str:
        return f"{prefix}{name}"

    if data.expense_date is None:
        _err(errors, key("expense_date"), _("利用日を入力してください。"))
    else:
        oldest = today - datetime.timedelta(days=settings.SEISAN_TRANSIT_MAX_AGE_DAYS)
        if data.expense_date > today:
            _err(errors, key("expense_date"), _("未来の日付は入力できません。"))
        elif data.expense_date < oldest:
            _err(errors, key("expense_date"), _(
                "利用日が精算できる期間（%(days)d日以内、%(oldest)s以降）を過ぎています。"
            ) % {"days": settings.SEISAN_TRANSIT_MAX_AGE_DAYS, "oldest": f"{oldest:%Y/%m/%d}"})
    if data.mode not in Mode.values:
        _err(errors, key("mode"), _("交通手段を選択してください。"))
    if data.fare_kind not in FareKind.values:
        _err(errors, key("fare_kind"), _("IC運賃かきっぷ運賃かを選択してください。"))
    if not data.from_station.strip():
        _err(errors, key("from_station"), _("出発駅（乗車地）を入力してください。"))
    elif len(data.from_station) > MAX_STATION:
        _err(errors, key("from_station"), _("駅名は%(n)d文字以内で入力してください。") % {"n": MAX_STATION})
    if not data.to_station.strip() and data.mode != Mode.BUS:
        _err(errors, key("to_station"), _("到着駅（降車地）を入力してください。"))
    elif len(data.to_station) > MAX_STATION:
        _err(errors, key("to_station"), _("駅名は%(n)d文字以内で入力してください。") % {"n": MAX_STATION})
    if len(data.via) > 200:
        _err(errors, key("via"), _("経由は200文字以内で入力してください。"))
    if len(data.purpose) > MAX_PURPOSE or len(data.destination) > 100:
        _err(errors, key("purpose"), _("目的は200文字以内、訪問先は100文字以内で入力してください。"))
    if data.payment_method not in {m.value for m in PaymentMethod}:
        _err(errors, key("payment_method"), _("支払方法を選択してください。"))
    if data.fare_oneway is None:
        _err(errors, key("fare_oneway"), _("運賃（片道）を入力してください。"))
    elif data.fare_oneway < 0 or data.charges_oneway < 0:
        _err(errors, key("fare_oneway"), _("運賃にマイナスの金額は入力できません。"))
    elif data.mode in Mode.values:
        problem = fare_problem(data.fare_oneway + data.charges_oneway, mode=rule_mode(data.mode),
                               limits=DEFAULT_FARE_LIMITS)
        if problem:
            _err(errors, key("fare_oneway"), problem)
    if data.deducted_fare_oneway is not None and data.fare_oneway is not None and not (
        0 <= data.deducted_fare_oneway <= data.fare_oneway
    ):
        _err(errors, key("deducted_fare_oneway"), _("控除後の運賃は0円以上、運賃（片道）以下で入力してください。"))


def preview_transit(user, data: TransitInput, *, sections: list[PassSection] | None = None,
                    known_stations: set[str] | None = None) -> TransitPreview:
    """Pass deduction (R12.4) and the amounts; raises nothing, so the form can show it while typing.

    Callers previewing many trips pass ``sections`` and ``known_stations`` (known_station_keys) loaded once.
    """
    fare = data.fare_oneway or 0
    charges = data.charges_oneway or 0
    gross = trip_amount(fare, charges_oneway=charges, round_trip=data.round_trip)
    deduction_kind, message = PassDeductionKind.NONE, ""
    claimed = fare
    if data.expense_date and data.mode in (Mode.TRAIN, Mode.SHINKANSEN, Mode.BUS) and data.to_station.strip():
        if sections is None:
            sections = pass_sections_for(user)
        result = deduct_for_trip(data.from_station, data.to_station, data.expense_date, sections,
                                 via=split_via(data.via))
        message = result.message
        if result.kind is DeductionKind.FULL:
            deduction_kind, claimed = PassDeductionKind.FULL, 0
        elif result.kind is DeductionKind.PARTIAL:
            deduction_kind = PassDeductionKind.PARTIAL
            claimed = fare if data.deducted_fare_oneway is None else data.deducted_fare_oneway
    if data.ic_on_pass and deduction_kind == PassDeductionKind.NONE:
        deduction_kind = PassDeductionKind.PARTIAL
        message = _("ICカードの定期券区間を含む乗車です。カードから引き落とされた額（定期区間外の分）を精算します。")
    amount = trip_amount(claimed, charges_oneway=charges, round_trip=data.round_trip)
    check_names = data.mode in STATION_MODES
    if check_names and known_stations is None:
        known_stations = known_station_keys([data.from_station, data.to_station])

    def unknown(name: str) -> bool:
        return check_names and bool(name.strip()) and normalize_station_name(name) not in known_stations

    preview = TransitPreview(
        amount=amount, gross_amount=gross, claimed_fare_oneway=claimed, deduction=deduction_kind,
        deduction_message=message, from_unknown=unknown(data.from_station), to_unknown=unknown(data.to_station),
    )
    if preview.from_unknown or preview.to_unknown:
        names = [n for n, unknown in ((data.from_station, preview.from_unknown), (data.to_station, preview.to_unknown))
                 if unknown]
        preview.warnings.append(_("駅マスタにない駅名です（%(names)s）。このまま登録できますが、承認者に表示されます。")
                                % {"names": "・".join(names)})
    return preview


def next_position(claim: Claim) -> int:
    return (ClaimLine.objects.filter(claim=claim).aggregate(m=Max("position"))["m"] or 0) + 1


def _description(data: TransitInput) -> str:
    arrow = "⇄" if data.round_trip else "→"
    route = f"{data.from_station.strip()}{arrow}{data.to_station.strip()}" if data.to_station.strip() else (
        data.from_station.strip())
    parts = [route + (f"（{data.via.strip()}経由）" if data.via.strip() else ""), _("往復") if data.round_trip else ""]
    if data.destination.strip():
        parts.append(_("訪問先: %(d)s") % {"d": data.destination.strip()})
    if data.purpose.strip():
        parts.append(_("目的: %(p)s") % {"p": data.purpose.strip()})
    return " ".join(p for p in parts if p)[:500]


def build_transit_line(claim: Claim, data: TransitInput, preview: TransitPreview, *, ctx: LineContext,
                       categories: dict[str, ExpenseCategory], position: int,
                       business_trip: BusinessTrip | None = None) -> tuple[ClaimLine, TransitDetail]:
    """An unsaved ClaimLine (through apply_line: tax, rounding) and its unsaved TransitDetail."""
    mode = Mode(data.mode)
    overseas = business_trip is not None and business_trip.region == Region.OVERSEAS
    category = categories["TRAVEL_OS" if overseas else CATEGORY_CODES.get(mode, "TRANSIT")]
    line_input = LineInput(
        expense_date=data.expense_date, category_id=category.pk, amount=preview.amount,
        tax_category=TaxCategory.OUT_OF_SCOPE if overseas else TaxCategory.STANDARD, vendor=f"{mode.label}（{FareKind(data.fare_kind).label}）"[:100],
        description=_description(data), payment_method=data.payment_method,
    )
    line = apply_line(ClaimLine(claim=claim), line_input, ctx, position)
    detail = TransitDetail(
        from_station=data.from_station.strip(), to_station=data.to_station.strip(), via=data.via.strip(),
        mode=mode, round_trip=data.round_trip, fare_kind=data.fare_kind, fare_oneway=data.fare_oneway or 0,
        charges_oneway=data.charges_oneway, claimed_fare_oneway=preview.claimed_fare_oneway,
        gross_amount=preview.gross_amount, purpose=data.purpose.strip(), destination=data.destination.strip(),
        purchase_ref=data.purchase_ref.strip()[:40], fare_source=data.fare_source, provider=data.provider[:20],
        engine_version=data.engine_version[:60], serialize_data=data.serialize_data,
        pass_deduction=preview.deduction, pass_deducted_amount=preview.gross_amount - preview.amount,
        pass_message=preview.deduction_message[:300], from_unknown=preview.from_unknown,
        to_unknown=preview.to_unknown, business_trip=business_trip,
    )
    return line, detail


def _categories() -> dict[str, ExpenseCategory]:
    found = {c.code: c for c in ExpenseCategory.objects.filter(code__in=["TRANSIT", "TAXI", "AIR", "TRAVEL_OS"],
                                                                is_active=True)}
    if len(found) < 4:
        raise ApplicationError(_("交通費の経費科目（電車・バス、タクシー、航空券）が設定されていません。経理に連絡してください。"))
    return found


def reclassify_claim_transit(claim: Claim) -> None:
    """R3.3 for all transit lines of the claim: lines sharing a purchase are one transaction, each IC ride
    its own. Book-only lines carry the R3.9 note and need no receipt; the rest fall back to the receipt rule."""
    details = list(TransitDetail.objects.filter(line__claim=claim).select_related("line", "business_trip"))
    if not details:
        return
    fare_lines = [
        FareLine(ref=d.pk, mode=rule_mode(d.mode), fare_oneway=d.claimed_fare_oneway, charges_oneway=d.charges_oneway,
                 round_trip=d.round_trip, purchase_key=d.purchase_ref or None, paid_by_ic=d.fare_kind == FareKind.IC)
        for d in details
    ]
    decisions = decide_public_transport(fare_lines)
    changed_lines = []
    for detail in details:
        line = detail.line
        facts = LineFacts(
            purchase_date=line.expense_date or claim.created_at.date(),
            category_kind=CategoryKind.TRANSPORT,
            purchase_amount=decisions[detail.pk].purchase_amount,
            payment_method=PaymentMethod(line.payment_method),
            transport_mode=rule_mode(detail.mode),
            on_business_trip=detail.business_trip_id is not None,
            overseas=detail.business_trip is not None and detail.business_trip.region == Region.OVERSEAS,
        )
        result = classify_special_case(facts)
        detail.special_case = result.special_case.value if result.special_case.is_book_only else ""
        detail.special_case_note = result.note if result.special_case.is_book_only else ""
        reason = f"{BOOK_ONLY_PREFIX}（{detail.special_case_note}）" if detail.special_case_note else ""
        if reason and line.no_receipt_reason != reason and (
            not line.no_receipt_reason or line.no_receipt_reason.startswith(BOOK_ONLY_PREFIX)
        ):
            line.no_receipt_reason = reason
            changed_lines.append(line)
        elif not reason and line.no_receipt_reason.startswith(BOOK_ONLY_PREFIX):
            line.no_receipt_reason = ""
            changed_lines.append(line)
    TransitDetail.objects.bulk_update(details, ["special_case", "special_case_note"])
    if changed_lines:
        ClaimLine.objects.bulk_update(changed_lines, ["no_receipt_reason"])


def finish_claim_write(claim: Claim, *, acting_user, diff: dict) -> None:
    """After lines were added: special cases, totals from the stored lines, version, audit event."""
    reclassify_claim_transit(claim)
    recompute_totals(claim, get_claim_lines(claim))
    claim.version += 1
    claim.save()
    record_claim_event(claim, kind=ClaimEvent.Kind.EDITED, acting_user=acting_user, diff=diff)


@transaction.atomic
def check_add_transit_line(claim_id: int, *, acting_user, data: TransitInput,
                           expected_version: int | None = None) -> ClaimLine:
    """`expected_version` (the claim version the form was opened on) makes a double submit add one line."""
    claim = access_editable_claim(acting_user, claim_id)
    if expected_version is not None and expected_version != claim.version:
        raise ConflictError(
            _("この申請は別の画面で更新されたか、すでに追加済みです。明細を確認してください。"),
            extra={"current_version": claim.version},
        )
    ctx = LineContext.load()
    errors: dict[str, str] = {}
    validate_transit(data, today=ctx.today, errors=errors)
    if data.save_favourite_as and len(data.save_favourite_as) > 60:
        errors["save_favourite_as"] = _("名前は60文字以内で入力してください。")
    if errors:
        raise ValidationFailed(_("入力内容を確認してください。"), extra={"fields": errors})
    trip = None
    if data.business_trip_id is not None:
        trip = BusinessTrip.objects.filter(pk=data.business_trip_id, claim=claim).first()
        if trip is None:
            raise ValidationFailed(_("入力内容を確認してください。"), extra={"fields": {
                "business_trip": _("この申請の出張を選択してください。")}})
    preview = preview_transit(acting_user, data)
    if preview.deduction == PassDeductionKind.PARTIAL and data.deducted_fare_oneway is None and not data.ic_on_pass:
        raise ValidationFailed(preview.deduction_message, extra={"fields": {
            "deducted_fare_oneway": _("定期区間と重なっています。定期券で乗れない区間の運賃（片道）を入力してください。")}})
    if preview.amount <= 0:
        raise ApplicationError(
            _("定期区間控除: 全区間が定期券の範囲内のため精算額は ¥0 です。明細は作成しません。"),
            extra={"fields": {"fare_oneway": preview.deduction_message}},
        )
    line = do_add_transit_lines(claim, [(data, preview)], ctx=ctx, acting_user=acting_user, business_trip=trip)[0]
    if data.save_favourite_as.strip():
        do_save_favourite(acting_user, name=data.save_favourite_as.strip(), data=data)
    return line


@transaction.atomic
def do_add_transit_lines(claim: Claim, items: list[tuple[TransitInput, TransitPreview]], *, ctx: LineContext,
                         acting_user, business_trip=None) -> list[ClaimLine]:
    categories = _categories()
    position = next_position(claim)
    built = [build_transit_line(claim, data, preview, ctx=ctx, categories=categories, position=position + i,
                                business_trip=business_trip)
             for i, (data, preview) in enumerate(items)]
    lines = ClaimLine.objects.bulk_create([line for line, _detail in built])
    details = []
    for line, (_unsaved, detail) in zip(lines, built, strict=True):
        detail.line = line
        details.append(detail)
    TransitDetail.objects.bulk_create(details)
    finish_claim_write(claim, acting_user=acting_user, diff={"transit_lines_added": len(lines)})
    # Fresh rows: the claim-wide R3.3 pass above may have changed notes and receipt reasons.
    return list(ClaimLine.objects.filter(pk__in=[line.pk for line in lines])
                .select_related("transit", "category").order_by("position", "id"))


@transaction.atomic
def do_save_favourite(user, *, name: str, data: TransitInput) -> FavouriteRoute:
    favourite, _created = FavouriteRoute.objects.update_or_create(
        user=user, name=name[:60],
        defaults={"from_station": data.from_station.strip(), "to_station": data.to_station.strip(),
                  "via": data.via.strip(), "mode": data.mode, "round_trip": data.round_trip,
                  "fare_kind": data.fare_kind, "fare_oneway": data.fare_oneway or 0,
                  "charges_oneway": data.charges_oneway, "purpose": data.purpose.strip(),
                  "destination": data.destination.strip()},
    )
    return favourite
