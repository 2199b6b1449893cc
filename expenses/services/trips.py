"""Business trips (出張): 日当 and 宿泊手当 lines computed from the travel-policy table (R9)."""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from core.exceptions import ApplicationError, ValidationFailed
from expenses.inputs import LineInput
from expenses.models import Claim, ClaimLine, ExpenseCategory, TaxCategory
from expenses.rules.special_cases import BOOK_ONLY_PREFIX, DEFAULT_NOTES, SpecialCase
from expenses.selectors import access_editable_claim
from expenses.services.lines import LineContext, apply_line
from expenses.services.transit import finish_claim_write, next_position
from expenses.transit_models import (
    AllowanceKind,
    BusinessTrip,
    EmployeeGrade,
    Grade,
    Region,
    TravelAllowanceRate,
)

TRAVEL_NOTE = DEFAULT_NOTES[SpecialCase.BUSINESS_TRAVEL.value]  # R3.9 wording
MAX_TRIP_DAYS = 90

# Seed of the company travel policy (R9.2): (grade, region, kind, yen). Admins edit the rows, dated.
DEFAULT_RATES = [
    (Grade.BUCHO, Region.DOMESTIC, AllowanceKind.PER_DIEM, 5000),
    (Grade.KACHO, Region.DOMESTIC, AllowanceKind.PER_DIEM, 4000),
    (Grade.IPPAN, Region.DOMESTIC, AllowanceKind.PER_DIEM, 3000),
    (Grade.BUCHO, Region.DOMESTIC, AllowanceKind.LODGING, 12000),
    (Grade.KACHO, Region.DOMESTIC, AllowanceKind.LODGING, 11000),
    (Grade.IPPAN, Region.DOMESTIC, AllowanceKind.LODGING, 10000),
    (Grade.BUCHO, Region.OVERSEAS, AllowanceKind.PER_DIEM, 8000),
    (Grade.KACHO, Region.OVERSEAS, AllowanceKind.PER_DIEM, 7000),
    (Grade.IPPAN, Region.OVERSEAS, AllowanceKind.PER_DIEM, 6000),
    (Grade.BUCHO, Region.OVERSEAS, AllowanceKind.LODGING, 18000),
    (Grade.KACHO, Region.OVERSEAS, AllowanceKind.LODGING, 16000),
    (Grade.IPPAN, Region.OVERSEAS, AllowanceKind.LODGING, 15000),
]
POLICY_START = datetime.date(2020, 4, 1)
# Air fares are outside the 公共交通機関特例 (R3.4): their own category always asks for the receipt.
AIR_CATEGORY = ("AIR", "航空券", "7411", "旅費交通費", "transit", "standard", True, None, False,
                "航空券は公共交通機関特例の対象外です。登録番号付きの領収書（搭乗券・請求書）を添付してください。")


def seed_transit_defaults(TravelAllowanceRate, ExpenseCategory) -> None:
    """Idempotent: creates what is missing, leaves admins' edits alone."""
    if not TravelAllowanceRate.objects.exists():
        TravelAllowanceRate.objects.bulk_create([
            TravelAllowanceRate(grade=grade, region=region, kind=kind, amount=amount, valid_from=POLICY_START)
            for grade, region, kind, amount in DEFAULT_RATES
        ])
    code, name, account_code, account_name, kind, tax, receipt, receipt_from, attendees, hint = AIR_CATEGORY
    ExpenseCategory.objects.get_or_create(
        code=code,
        defaults={"name": name, "account_code": account_code, "account_name": account_name, "kind": kind,
                  "default_tax_category": tax, "receipt_required": receipt, "receipt_required_from": receipt_from,
                  "attendees_required": attendees, "hint": hint, "sort_order": 25},
    )


def ensure_transit_defaults() -> None:
    """For tests after a transactional flush (the migration's rows are gone)."""
    seed_transit_defaults(TravelAllowanceRate, ExpenseCategory)


def grade_of(user) -> str:
    row = EmployeeGrade.objects.filter(user=user).first()
    return row.grade if row else Grade.IPPAN


def allowance_rate(grade: str, region: str, kind: str, on_date: datetime.date) -> int | None:
    row = (
        TravelAllowanceRate.objects.filter(grade=grade, region=region, kind=kind, valid_from__lte=on_date)
        .exclude(valid_to__lt=on_date)
        .order_by("-valid_from")
        .first()
    )
    return row.amount if row else None


@dataclass
class TripInput:
    destination: str
    start_date: datetime.date | None
    end_date: datetime.date | None
    nights: int = 0
    purpose: str = ""
    region: str = Region.DOMESTIC


@dataclass(frozen=True)
class TripAllowance:
    grade: str
    days: int
    nights: int
    per_diem_rate: int
    lodging_rate: int

    @property
    def per_diem_total(self) -> int:
        return self.per_diem_rate * self.days

    @property
    def lodging_total(self) -> int:
        return self.lodging_rate * self.nights


def validate_trip(data: TripInput, *, today: datetime.date) -> None:
    errors: dict[str, str] = {}
    if not data.destination.strip():
        errors["destination"] = _("出張先を入力してください。")
    elif len(data.destination) > 100:
        errors["destination"] = _("出張先は100文字以内で入力してください。")
    if data.region not in Region.values:
        errors["region"] = _("国内・海外を選択してください。")
    if data.start_date is None:
        errors["start_date"] = _("出発日を入力してください。")
    if data.end_date is None:
        errors["end_date"] = _("帰着日を入力してください。")
    if data.start_date and data.end_date:
        oldest = today - datetime.timedelta(days=settings.SEISAN_TRANSIT_MAX_AGE_DAYS)
        if data.end_date < data.start_date:
            errors["end_date"] = _("帰着日は出発日以降の日付にしてください。")
        elif data.end_date > today:
            errors["end_date"] = _("帰着前の出張は精算できません（未来の日付です）。")
        elif data.start_date < oldest:
            errors["start_date"] = _("%(days)d日より前の出張は精算できません。") % {
                "days": settings.SEISAN_TRANSIT_MAX_AGE_DAYS}
        elif (data.end_date - data.start_date).days + 1 > MAX_TRIP_DAYS:
            errors["end_date"] = _("出張期間は%(n)d日以内にしてください。") % {"n": MAX_TRIP_DAYS}
        elif not 0 <= data.nights <= (data.end_date - data.start_date).days:
            errors["nights"] = _("泊数は0〜%(n)d泊の範囲で入力してください。") % {
                "n": (data.end_date - data.start_date).days}
    if errors:
        raise ValidationFailed(_("入力内容を確認してください。"), extra={"fields": errors})


def preview_business_trip(user, data: TripInput, *, today: datetime.date) -> TripAllowance:
    """What the trip would add, for the form's confirmation step: the same checks as the write."""
    validate_trip(data, today=today)
    return compute_allowance(user, data)


def compute_allowance(user, data: TripInput) -> TripAllowance:
    """日当 = rate × days, 宿泊手当 = rate × nights, computed by the server from the dates (R9.2)."""
    assert data.start_date and data.end_date
    grade = grade_of(user)
    per_diem = allowance_rate(grade, data.region, AllowanceKind.PER_DIEM, data.start_date)
    lodging = allowance_rate(grade, data.region, AllowanceKind.LODGING, data.start_date)
    if per_diem is None:
        raise ApplicationError(_("旅費規程に該当する日当がありません。経理に連絡してください。"))
    days = (data.end_date - data.start_date).days + 1
    return TripAllowance(grade, days, data.nights, per_diem, lodging or 0)


def _allowance_line(claim: Claim, *, category: ExpenseCategory, tax: str, amount: int, day: datetime.date,
                    description: str, note: str, ctx: LineContext, position: int) -> ClaimLine:
    line_input = LineInput(
        expense_date=day, category_id=category.pk, amount=amount, tax_category=tax,
        vendor=claim.applicant.display_name[:100], description=description[:500],
        no_receipt_reason=note,
    )
    line = apply_line(ClaimLine(claim=claim), line_input, ctx, position)
    line.save()
    return line


@transaction.atomic
def check_create_business_trip(claim_id: int, *, acting_user, data: TripInput) -> BusinessTrip:
    claim = access_editable_claim(acting_user, claim_id)
    ctx = LineContext.load()
    validate_trip(data, today=ctx.today)
    allowance = compute_allowance(acting_user, data)
    return do_create_business_trip(claim, data=data, allowance=allowance, ctx=ctx, acting_user=acting_user)


@transaction.atomic
def do_create_business_trip(claim: Claim, *, data: TripInput, allowance: TripAllowance, ctx: LineContext,
                            acting_user) -> BusinessTrip:
    overseas = data.region == Region.OVERSEAS
    code = "TRAVEL_OS" if overseas else "TRAVEL"
    category = ExpenseCategory.objects.get(code=code)
    # Domestic: 課税仕入 10 %, book only (出張旅費等特例, R3.5/R9.1); overseas: 不課税, outside the scope.
    tax = TaxCategory.OUT_OF_SCOPE if overseas else TaxCategory.STANDARD
    note = "" if overseas else f"{BOOK_ONLY_PREFIX}（{TRAVEL_NOTE}）"
    trip = BusinessTrip(
        claim=claim, user=acting_user, destination=data.destination.strip(), purpose=data.purpose.strip()[:200],
        start_date=data.start_date, end_date=data.end_date, nights=data.nights, region=data.region,
        grade=allowance.grade, per_diem_rate=allowance.per_diem_rate, lodging_rate=allowance.lodging_rate,
    )
    position = next_position(claim)
    period = f"{data.start_date:%Y/%m/%d}〜{data.end_date:%Y/%m/%d}"
    label = Grade(allowance.grade).label
    trip.per_diem_line = _allowance_line(
        claim, category=category, tax=tax, amount=allowance.per_diem_total, day=data.end_date,
        description=_("日当 %(dest)s %(period)s ¥%(rate)s×%(days)d日（%(grade)s）") % {
            "dest": trip.destination, "period": period, "rate": f"{allowance.per_diem_rate:,}",
            "days": allowance.days, "grade": label},
        note=note, ctx=ctx, position=position,
    )
    if allowance.lodging_total:
        trip.lodging_line = _allowance_line(
            claim, category=category, tax=tax, amount=allowance.lodging_total, day=data.end_date,
            description=_("宿泊手当 %(dest)s ¥%(rate)s×%(n)d泊（%(grade)s）") % {
                "dest": trip.destination, "rate": f"{allowance.lodging_rate:,}", "n": allowance.nights,
                "grade": label},
            note=note, ctx=ctx, position=position + 1,
        )
    trip.save()
    finish_claim_write(claim, acting_user=acting_user, diff={"business_trip_added": trip.pk})
    return trip
