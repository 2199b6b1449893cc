"""Transit lines, fare masters, commuter passes, IC imports, favourites and business trips (R3, R9, R12).

Registered through one import at the end of expenses/models.py, so they live in the `expenses` app.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from core.models import TimeStampedModel


class Mode(models.TextChoices):
    """What the employee picks; `rule_mode` maps it to the tax rule's transport mode."""

    TRAIN = "train", _("電車")
    SHINKANSEN = "shinkansen", _("新幹線")
    BUS = "bus", _("バス")
    TAXI = "taxi", _("タクシー")
    AIR = "air", _("飛行機")
    OTHER = "other", _("その他")


class FareKind(models.TextChoices):
    IC = "ic", _("IC運賃")
    TICKET = "ticket", _("きっぷ運賃")


class FareSource(models.TextChoices):
    MANUAL = "manual", _("手入力")
    ROUTE_MASTER = "route_master", _("会社の経路マスタ")
    HISTORY = "history", _("過去の申請")
    PROVIDER = "provider", _("経路検索")
    IC = "ic", _("ICカード履歴")


class PassDeductionKind(models.TextChoices):
    NONE = "none", _("なし")
    FULL = "full", _("全区間控除")
    PARTIAL = "partial", _("一部控除")


class Grade(models.TextChoices):
    BUCHO = "bucho", _("部長")
    KACHO = "kacho", _("課長")
    IPPAN = "ippan", _("一般")


class Region(models.TextChoices):
    DOMESTIC = "domestic", _("国内")
    OVERSEAS = "overseas", _("海外")


class AllowanceKind(models.TextChoices):
    PER_DIEM = "per_diem", _("日当")
    LODGING = "lodging", _("宿泊手当")


class Station(models.Model):
    """A station imported from a 駅データ.jp CSV (never bundled: formats.md §8.1)."""

    code = models.CharField(_("駅コード"), max_length=20, unique=True)
    group_code = models.CharField(_("駅グループコード"), max_length=20, blank=True)
    name = models.CharField(_("駅名"), max_length=100)
    name_key = models.CharField(_("検索キー"), max_length=100, db_index=True)
    line_code = models.CharField(_("路線コード"), max_length=20, blank=True)
    prefecture_code = models.CharField(_("都道府県コード"), max_length=4, blank=True)
    is_operating = models.BooleanField(_("営業中"), default=True)

    class Meta:
        verbose_name = _("駅")
        verbose_name_plural = _("駅")
        ordering = ["name", "code"]

    def __str__(self) -> str:
        return self.name


class RouteMaster(TimeStampedModel):
    """Company route master: routes with fares, maintained by accounting (admin or CSV import)."""

    from_station = models.CharField(_("出発駅"), max_length=100)
    to_station = models.CharField(_("到着駅"), max_length=100)
    via = models.CharField(_("経由"), max_length=200, blank=True)
    from_key = models.CharField(max_length=100, editable=False, db_index=True)
    to_key = models.CharField(max_length=100, editable=False, db_index=True)
    mode = models.CharField(_("交通手段"), max_length=12, choices=Mode.choices, default=Mode.TRAIN)
    fare_ic = models.BigIntegerField(_("IC運賃（片道・円）"), null=True, blank=True)
    fare_ticket = models.BigIntegerField(_("きっぷ運賃（片道・円）"), null=True, blank=True)
    charges = models.BigIntegerField(_("特急料金等（片道・円）"), default=0)
    note = models.CharField(_("備考"), max_length=200, blank=True)
    is_active = models.BooleanField(_("有効"), default=True)

    class Meta:
        verbose_name = _("経路マスタ")
        verbose_name_plural = _("経路マスタ")
        ordering = ["from_station", "to_station"]
        constraints = [
            models.UniqueConstraint(fields=["from_key", "to_key", "via", "mode"], name="routemaster_unique_route"),
            models.CheckConstraint(condition=Q(fare_ic__isnull=True) | Q(fare_ic__gte=0), name="routemaster_ic_gte_0"),
            models.CheckConstraint(
                condition=Q(fare_ticket__isnull=True) | Q(fare_ticket__gte=0), name="routemaster_ticket_gte_0"
            ),
            models.CheckConstraint(condition=Q(charges__gte=0), name="routemaster_charges_gte_0"),
        ]

    def __str__(self) -> str:
        return f"{self.from_station}→{self.to_station}"

    def save(self, *args, **kwargs) -> None:
        from expenses.transit.stations import normalize_station_name

        self.from_key = normalize_station_name(self.from_station)
        self.to_key = normalize_station_name(self.to_station)
        super().save(*args, **kwargs)

    def fare_for(self, fare_kind: str) -> int | None:
        if fare_kind == FareKind.IC:
            return self.fare_ic if self.fare_ic is not None else self.fare_ticket
        return self.fare_ticket if self.fare_ticket is not None else self.fare_ic


class EmployeeGrade(models.Model):
    """役職 for the travel policy (R9.2), kept beside people.User rather than on it."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="travel_grade", verbose_name=_("社員")
    )
    grade = models.CharField(_("役職区分"), max_length=10, choices=Grade.choices, default=Grade.IPPAN)

    class Meta:
        verbose_name = _("旅費規程の役職区分")
        verbose_name_plural = _("旅費規程の役職区分")

    def __str__(self) -> str:
        return f"{self.user} {self.get_grade_display()}"


class TravelAllowanceRate(models.Model):
    """旅費規程: 日当 / 宿泊手当 by grade and region, dated (R9.2)."""

    grade = models.CharField(_("役職区分"), max_length=10, choices=Grade.choices)
    region = models.CharField(_("区分"), max_length=10, choices=Region.choices, default=Region.DOMESTIC)
    kind = models.CharField(_("種類"), max_length=10, choices=AllowanceKind.choices)
    amount = models.BigIntegerField(_("金額（円）"))
    valid_from = models.DateField(_("適用開始日"))
    valid_to = models.DateField(_("適用終了日"), null=True, blank=True)

    class Meta:
        verbose_name = _("日当・宿泊手当")
        verbose_name_plural = _("日当・宿泊手当")
        ordering = ["region", "kind", "grade", "valid_from"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="allowance_amount_gte_0"),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")), name="allowance_valid_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_region_display()} {self.get_kind_display()} {self.get_grade_display()} ¥{self.amount:,}"


class CommuterPass(TimeStampedModel):
    """定期区間 the employee registered: the stations along it and its validity (R12.4)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="commuter_passes", verbose_name=_("社員")
    )
    from_station = models.CharField(_("区間（から）"), max_length=100)
    to_station = models.CharField(_("区間（まで）"), max_length=100)
    via = models.CharField(_("経由"), max_length=200, blank=True)
    stations = models.JSONField(_("区間内の駅"), default=list, blank=True)
    valid_from = models.DateField(_("有効開始日"))
    valid_until = models.DateField(_("有効終了日"))
    label = models.CharField(_("名称"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("定期区間")
        verbose_name_plural = _("定期区間")
        ordering = ["user_id", "-valid_until", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(valid_until__gte=F("valid_from")), name="commuterpass_valid_range"),
        ]

    def __str__(self) -> str:
        return self.label or f"{self.from_station}〜{self.to_station}"

    @property
    def all_stations(self) -> list[str]:
        """from, the stations along it (or the via), to — in order, as the pass rule needs them."""
        middle = [s for s in (self.stations or []) if s] or split_via(self.via)
        names = [self.from_station, *middle, self.to_station]
        seen: list[str] = []
        for name in names:
            if name and name not in seen:
                seen.append(name)
        return seen


def split_via(text: str) -> list[str]:
    """'新宿・渋谷' / '新宿, 渋谷' / '新宿 渋谷' → ['新宿', '渋谷']."""
    for sep in ("、", ",", "，", "/", "／", "→"):
        text = text.replace(sep, "・")
    return [part.strip() for chunk in text.split("・") for part in chunk.split() if part.strip()]


class BusinessTrip(TimeStampedModel):
    """出張: destination, dates and nights; its 日当・宿泊手当 lines are computed from the policy table."""

    claim = models.ForeignKey(
        "expenses.Claim", on_delete=models.CASCADE, related_name="business_trips", verbose_name=_("精算書")
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    destination = models.CharField(_("出張先"), max_length=100)
    purpose = models.CharField(_("目的"), max_length=200, blank=True)
    start_date = models.DateField(_("出発日"))
    end_date = models.DateField(_("帰着日"))
    nights = models.PositiveSmallIntegerField(_("泊数"), default=0)
    region = models.CharField(_("区分"), max_length=10, choices=Region.choices, default=Region.DOMESTIC)
    grade = models.CharField(_("役職区分"), max_length=10, choices=Grade.choices)
    per_diem_rate = models.BigIntegerField(_("日当（1日）"), default=0)
    lodging_rate = models.BigIntegerField(_("宿泊手当（1泊）"), default=0)
    per_diem_line = models.OneToOneField(
        "expenses.ClaimLine", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    lodging_line = models.OneToOneField(
        "expenses.ClaimLine", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("出張")
        verbose_name_plural = _("出張")
        ordering = ["-start_date", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(end_date__gte=F("start_date")), name="trip_dates_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.destination} {self.start_date}〜{self.end_date}"

    @property
    def days(self) -> int:
        return (self.end_date - self.start_date).days + 1


class TransitDetail(TimeStampedModel):
    """The transit facts behind one ClaimLine: route, fare evidence, pass deduction and special case."""

    line = models.OneToOneField(
        "expenses.ClaimLine", on_delete=models.CASCADE, related_name="transit", verbose_name=_("明細")
    )
    from_station = models.CharField(_("出発"), max_length=100)
    to_station = models.CharField(_("到着"), max_length=100, blank=True)
    via = models.CharField(_("経由"), max_length=200, blank=True)
    mode = models.CharField(_("交通手段"), max_length=12, choices=Mode.choices, default=Mode.TRAIN)
    round_trip = models.BooleanField(_("往復"), default=False)
    fare_kind = models.CharField(_("運賃の種類"), max_length=8, choices=FareKind.choices, default=FareKind.IC)
    fare_oneway = models.BigIntegerField(_("運賃（片道）"))
    charges_oneway = models.BigIntegerField(_("特急・指定席料金（片道）"), default=0)
    claimed_fare_oneway = models.BigIntegerField(_("精算する運賃（片道・控除後）"))
    gross_amount = models.BigIntegerField(_("控除前の金額"))
    purpose = models.CharField(_("目的"), max_length=200, blank=True)
    destination = models.CharField(_("訪問先"), max_length=100, blank=True)
    purchase_ref = models.CharField(_("同時購入の識別"), max_length=40, blank=True)
    fare_source = models.CharField(_("運賃の根拠"), max_length=14, choices=FareSource.choices,
                                   default=FareSource.MANUAL)
    provider = models.CharField(_("経路検索"), max_length=20, blank=True)
    engine_version = models.CharField(max_length=60, blank=True)
    serialize_data = models.TextField(blank=True)
    pass_deduction = models.CharField(_("定期区間控除"), max_length=8, choices=PassDeductionKind.choices,
                                      default=PassDeductionKind.NONE)
    pass_deducted_amount = models.BigIntegerField(_("控除額"), default=0)
    pass_message = models.CharField(max_length=300, blank=True)
    special_case = models.CharField(_("特例"), max_length=20, blank=True)
    special_case_note = models.CharField(_("摘要の記載"), max_length=60, blank=True)
    from_unknown = models.BooleanField(_("出発駅が駅マスタにない"), default=False)
    to_unknown = models.BooleanField(_("到着駅が駅マスタにない"), default=False)
    business_trip = models.ForeignKey(
        BusinessTrip, null=True, blank=True, on_delete=models.SET_NULL, related_name="transit_details"
    )

    class Meta:
        verbose_name = _("交通費の明細")
        verbose_name_plural = _("交通費の明細")
        constraints = [
            models.CheckConstraint(condition=Q(fare_oneway__gte=0), name="transit_fare_gte_0"),
            models.CheckConstraint(
                condition=Q(claimed_fare_oneway__gte=0) & Q(claimed_fare_oneway__lte=F("fare_oneway")),
                name="transit_claimed_le_fare",
            ),
            models.CheckConstraint(condition=Q(charges_oneway__gte=0), name="transit_charges_gte_0"),
            models.CheckConstraint(condition=Q(pass_deducted_amount__gte=0), name="transit_deducted_gte_0"),
        ]
        indexes = [models.Index(fields=["from_station", "to_station"], name="transit_route")]

    def __str__(self) -> str:
        return self.route_label

    @property
    def route_label(self) -> str:
        arrow = "⇄" if self.round_trip else "→"
        return f"{self.from_station}{arrow}{self.to_station}" if self.to_station else self.from_station

    @property
    def is_book_only(self) -> bool:
        return bool(self.special_case_note)


class ImportedIcTrip(models.Model):
    """One IC ride already claimed (R12.3): the dedupe hash is unique across all users and claims."""

    dedupe_hash = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    line = models.ForeignKey("expenses.ClaimLine", on_delete=models.CASCADE, related_name="ic_trips")
    card_id = models.CharField(max_length=40, blank=True)
    trip_date = models.DateField()
    entry_station = models.CharField(max_length=100, blank=True)
    exit_station = models.CharField(max_length=100, blank=True)
    fare = models.BigIntegerField()
    balance = models.BigIntegerField(null=True, blank=True)
    source = models.CharField(max_length=20)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("取込済みのIC利用履歴")
        verbose_name_plural = _("取込済みのIC利用履歴")

    def __str__(self) -> str:
        return f"{self.trip_date} {self.entry_station}→{self.exit_station} ¥{self.fare:,}"


class FavouriteRoute(TimeStampedModel):
    """A route with its purpose the employee reuses in one click."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="favourite_routes", verbose_name=_("社員")
    )
    name = models.CharField(_("名前"), max_length=60)
    from_station = models.CharField(_("出発"), max_length=100)
    to_station = models.CharField(_("到着"), max_length=100, blank=True)
    via = models.CharField(_("経由"), max_length=200, blank=True)
    mode = models.CharField(_("交通手段"), max_length=12, choices=Mode.choices, default=Mode.TRAIN)
    round_trip = models.BooleanField(_("往復"), default=False)
    fare_kind = models.CharField(_("運賃の種類"), max_length=8, choices=FareKind.choices, default=FareKind.IC)
    fare_oneway = models.BigIntegerField(_("運賃（片道）"))
    charges_oneway = models.BigIntegerField(_("特急・指定席料金（片道）"), default=0)
    purpose = models.CharField(_("目的"), max_length=200, blank=True)
    destination = models.CharField(_("訪問先"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("よく使う経路")
        verbose_name_plural = _("よく使う経路")
        ordering = ["user_id", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "name"], name="favourite_unique_name"),
            models.CheckConstraint(condition=Q(fare_oneway__gte=0), name="favourite_fare_gte_0"),
        ]

    def __str__(self) -> str:
        return self.name
