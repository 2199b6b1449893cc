"""Transit API: transit lines, fare lookup, stations, commuter passes, IC import, favourites, business trips.

One APIView per operation; each calls one service or selector. Errors use the project shape (core.api)."""


from django.urls import path
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from expenses.fare_lookup import fare_lookup
from expenses.selectors import access_claim
from expenses.services.ic_import import check_import_ic_trips, parse_ic_history, preview_ic_import
from expenses.services.transit import TransitInput, check_add_transit_line
from expenses.services.transit_personal import (
    PassInput,
    check_create_commuter_pass,
    check_delete_commuter_pass,
    check_delete_favourite,
    check_repeat_trips,
    check_use_favourite,
)
from expenses.services.trips import TripInput, check_create_business_trip
from expenses.transit_models import CommuterPass, FareKind, FavouriteRoute, Mode, Region, TransitDetail
from expenses.transit_selectors import (
    list_commuter_passes,
    list_favourites,
    list_station_suggestions,
    list_transit_details,
    transit_warnings_for_lines,
)


class TransitDetailSerializer(serializers.ModelSerializer):
    line_id = serializers.IntegerField(read_only=True)
    expense_date = serializers.DateField(source="line.expense_date", read_only=True)
    amount = serializers.IntegerField(source="line.amount", read_only=True)
    tax_category = serializers.CharField(source="line.tax_category", read_only=True)
    tax_amount = serializers.IntegerField(source="line.tax_amount", read_only=True)
    category_code = serializers.CharField(source="line.category.code", read_only=True)
    no_receipt_reason = serializers.CharField(source="line.no_receipt_reason", read_only=True)

    class Meta:
        model = TransitDetail
        fields = [
            "id", "line_id", "expense_date", "from_station", "to_station", "via", "mode", "round_trip", "fare_kind",
            "fare_oneway", "charges_oneway", "claimed_fare_oneway", "gross_amount", "amount", "tax_category",
            "tax_amount", "category_code", "purpose", "destination", "purchase_ref", "fare_source", "provider",
            "pass_deduction", "pass_deducted_amount", "pass_message", "special_case", "special_case_note",
            "no_receipt_reason", "from_unknown", "to_unknown",
        ]


class TransitLineInputSerializer(serializers.Serializer):
    expense_date = serializers.DateField()
    from_station = serializers.CharField(max_length=100)
    to_station = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    via = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    mode = serializers.ChoiceField(choices=Mode.choices, default=Mode.TRAIN)
    round_trip = serializers.BooleanField(default=False)
    fare_kind = serializers.ChoiceField(choices=FareKind.choices, default=FareKind.IC)
    fare_oneway = serializers.IntegerField(min_value=0)
    charges_oneway = serializers.IntegerField(min_value=0, default=0)
    deducted_fare_oneway = serializers.IntegerField(min_value=0, required=False, allow_null=True, default=None)
    purpose = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    destination = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    purchase_ref = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    payment_method = serializers.ChoiceField(choices=["employee", "corporate_card", "company_invoice"],
                                             default="employee")
    fare_source = serializers.ChoiceField(choices=["manual", "route_master", "history", "provider"], default="manual")
    save_favourite_as = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")
    provider = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    engine_version = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")
    serialize_data = serializers.CharField(max_length=20000, required=False, allow_blank=True, default="")
    business_trip_id = serializers.IntegerField(required=False, allow_null=True, default=None)
    version = serializers.IntegerField(required=False, allow_null=True, default=None,
                                       help_text="The claim version read before; a repeated POST then gets 409.")

    def to_input(self) -> TransitInput:
        data = dict(self.validated_data)
        data.pop("version", None)
        return TransitInput(**data)


def _details_for_line_ids(line_ids: list[int]) -> list[TransitDetail]:
    return list(TransitDetail.objects.filter(line_id__in=line_ids).select_related("line", "line__category")
                .order_by("line__position"))


class TransitLineListCreateApi(APIView):
    @extend_schema(responses=TransitDetailSerializer(many=True))
    def get(self, request, claim_id: int):
        claim = access_claim(request.user, claim_id)
        details = list_transit_details(claim)
        warnings = transit_warnings_for_lines([d.line for d in details])
        data = TransitDetailSerializer(details, many=True).data
        for item in data:
            item["warnings"] = warnings.get(item["line_id"], [])
        return Response({"results": data})

    @extend_schema(request=TransitLineInputSerializer, responses={201: TransitDetailSerializer})
    def post(self, request, claim_id: int):
        access_claim(request.user, claim_id)  # 404 before 400: ids cannot be probed
        serializer = TransitLineInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        line = check_add_transit_line(claim_id, acting_user=request.user, data=serializer.to_input(),
                                      expected_version=serializer.validated_data.get("version"))
        return Response(TransitDetailSerializer(_details_for_line_ids([line.pk])[0]).data,
                        status=status.HTTP_201_CREATED)


class FareLookupApi(APIView):
    """Fare suggestions for from/to (route master, own history, route search) and the pass preview."""

    @extend_schema(
        parameters=[OpenApiParameter(name, str, required=False) for name in
                    ("from", "to", "date", "mode", "fare_kind", "round_trip", "fare", "charges", "deducted", "via")],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request):
        return Response(fare_lookup(request.user, request.query_params))


class StationSuggestApi(APIView):
    @extend_schema(parameters=[OpenApiParameter("q", str)], responses=OpenApiTypes.OBJECT)
    def get(self, request):
        query = (request.query_params.get("q") or "").strip()[:50]
        return Response({"results": list_station_suggestions(request.user, query)})


class CommuterPassSerializer(serializers.ModelSerializer):
    stations = serializers.ListField(child=serializers.CharField(max_length=100), required=False, default=list)

    class Meta:
        model = CommuterPass
        fields = ["id", "from_station", "to_station", "via", "stations", "valid_from", "valid_until", "label"]


class CommuterPassListCreateApi(APIView):
    @extend_schema(responses=CommuterPassSerializer(many=True))
    def get(self, request):
        return Response({"results": CommuterPassSerializer(list_commuter_passes(request.user), many=True).data})

    @extend_schema(request=CommuterPassSerializer, responses={201: CommuterPassSerializer})
    def post(self, request):
        serializer = CommuterPassSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        d = serializer.validated_data
        row = check_create_commuter_pass(acting_user=request.user, data=PassInput(
            from_station=d["from_station"], to_station=d["to_station"], valid_from=d["valid_from"],
            valid_until=d["valid_until"], via=d.get("via", ""), stations=d.get("stations", []),
            label=d.get("label", "")))
        return Response(CommuterPassSerializer(row).data, status=status.HTTP_201_CREATED)


class CommuterPassDeleteApi(APIView):
    @extend_schema(responses={204: None})
    def delete(self, request, pass_id: int):
        check_delete_commuter_pass(pass_id, acting_user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class IcImportInputSerializer(serializers.Serializer):
    file = serializers.FileField(required=False)
    paste = serializers.CharField(required=False, allow_blank=True, default="", max_length=100_000)
    selected = serializers.ListField(child=serializers.IntegerField(min_value=1), required=False, default=list)
    purpose = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    destination = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    reference_date = serializers.DateField(required=False, allow_null=True, default=None)


def _parse_ic(request) -> tuple[dict, object]:
    serializer = IcImportInputSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    d = serializer.validated_data
    upload = d.get("file")
    result = parse_ic_history(data=upload.read() if upload else None, text=d.get("paste"),
                              reference_date=d.get("reference_date") or timezone.localdate())
    return d, result


class IcImportPreviewApi(APIView):
    """Read the file or paste and list the rides: selectable, already imported, pass deduction."""

    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(request=IcImportInputSerializer, responses=OpenApiTypes.OBJECT)
    def post(self, request, claim_id: int):
        access_claim(request.user, claim_id)
        _data, result = _parse_ic(request)
        rows = preview_ic_import(request.user, result, today=timezone.localdate())
        return Response({
            "card_id": result.card_id, "source": result.source.value,
            "ignored": [{"line": r.line_number, "reason": r.reason} for r in result.ignored],
            "duplicates_in_file": [{"line": r.line_number, "message": r.message} for r in result.duplicates],
            "trips": [{
                "line": row.line_number, "date": row.trip.date, "entry_station": row.trip.entry_station,
                "exit_station": row.trip.exit_station, "fare": row.trip.fare, "kind": row.trip.kind.value,
                "selectable": row.selectable, "already_imported": row.already_imported, "problem": row.problem,
                "pass_deduction": row.preview.deduction, "amount": row.preview.amount,
            } for row in rows],
        })


class IcImportApi(APIView):
    """Import the selected rides (line numbers from the preview) as transit lines."""

    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(request=IcImportInputSerializer, responses={201: TransitDetailSerializer(many=True)})
    def post(self, request, claim_id: int):
        access_claim(request.user, claim_id)
        data, result = _parse_ic(request)
        lines = check_import_ic_trips(claim_id, acting_user=request.user, result=result, selected=data["selected"],
                                      purpose=data["purpose"], destination=data["destination"])
        details = _details_for_line_ids([line.pk for line in lines])
        return Response({"results": TransitDetailSerializer(details, many=True).data}, status=status.HTTP_201_CREATED)


class FavouriteSerializer(serializers.ModelSerializer):
    class Meta:
        model = FavouriteRoute
        fields = ["id", "name", "from_station", "to_station", "via", "mode", "round_trip", "fare_kind", "fare_oneway",
                  "charges_oneway", "purpose", "destination"]


class FavouriteListApi(APIView):
    @extend_schema(responses=FavouriteSerializer(many=True))
    def get(self, request):
        return Response({"results": FavouriteSerializer(list_favourites(request.user), many=True).data})


class FavouriteUseInputSerializer(serializers.Serializer):
    expense_date = serializers.DateField(required=False, allow_null=True, default=None)


class FavouriteUseApi(APIView):
    @extend_schema(request=FavouriteUseInputSerializer, responses={201: TransitDetailSerializer})
    def post(self, request, claim_id: int, favourite_id: int):
        access_claim(request.user, claim_id)
        serializer = FavouriteUseInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        line = check_use_favourite(claim_id, favourite_id, acting_user=request.user,
                                   on_date=serializer.validated_data["expense_date"])
        return Response(TransitDetailSerializer(_details_for_line_ids([line.pk])[0]).data,
                        status=status.HTTP_201_CREATED)


class FavouriteDeleteApi(APIView):
    @extend_schema(responses={204: None})
    def delete(self, request, favourite_id: int):
        check_delete_favourite(favourite_id, acting_user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class RepeatInputSerializer(serializers.Serializer):
    transit_ids = serializers.ListField(child=serializers.IntegerField(min_value=1), min_length=1, max_length=100)


class TransitRepeatApi(APIView):
    """Repeat earlier trips (e.g. last month's to a client) one month later."""

    @extend_schema(request=RepeatInputSerializer, responses={201: TransitDetailSerializer(many=True)})
    def post(self, request, claim_id: int):
        access_claim(request.user, claim_id)
        serializer = RepeatInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        lines = check_repeat_trips(claim_id, acting_user=request.user,
                                   line_ids=serializer.validated_data["transit_ids"])
        details = _details_for_line_ids([line.pk for line in lines])
        return Response({"results": TransitDetailSerializer(details, many=True).data}, status=status.HTTP_201_CREATED)


class BusinessTripInputSerializer(serializers.Serializer):
    destination = serializers.CharField(max_length=100)
    purpose = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    start_date = serializers.DateField()
    end_date = serializers.DateField()
    nights = serializers.IntegerField(min_value=0, max_value=90, default=0)
    region = serializers.ChoiceField(choices=Region.choices, default=Region.DOMESTIC)


class BusinessTripCreateApi(APIView):
    @extend_schema(request=BusinessTripInputSerializer, responses={201: OpenApiTypes.OBJECT})
    def post(self, request, claim_id: int):
        access_claim(request.user, claim_id)
        serializer = BusinessTripInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        trip = check_create_business_trip(claim_id, acting_user=request.user,
                                          data=TripInput(**serializer.validated_data))
        return Response({
            "id": trip.pk, "destination": trip.destination, "start_date": trip.start_date, "end_date": trip.end_date,
            "days": trip.days, "nights": trip.nights, "grade": trip.grade, "region": trip.region,
            "per_diem_rate": trip.per_diem_rate, "lodging_rate": trip.lodging_rate,
            "per_diem_line_id": trip.per_diem_line_id, "lodging_line_id": trip.lodging_line_id,
            "per_diem_amount": trip.per_diem_rate * trip.days, "lodging_amount": trip.lodging_rate * trip.nights,
        }, status=status.HTTP_201_CREATED)


urlpatterns = [
    path("claims/<int:claim_id>/transit-lines/", TransitLineListCreateApi.as_view(), name="api-transit-lines"),
    path("claims/<int:claim_id>/ic-import/preview/", IcImportPreviewApi.as_view(),
         name="api-ic-import-preview"),
    path("claims/<int:claim_id>/ic-import/", IcImportApi.as_view(), name="api-ic-import"),
    path("claims/<int:claim_id>/business-trips/", BusinessTripCreateApi.as_view(), name="api-business-trips"),
    path("claims/<int:claim_id>/favourites/<int:favourite_id>/use/", FavouriteUseApi.as_view(),
         name="api-favourite-use"),
    path("transit/fare/", FareLookupApi.as_view(), name="api-transit-fare"),
    path("transit/stations/", StationSuggestApi.as_view(), name="api-transit-stations"),
    path("transit/passes/", CommuterPassListCreateApi.as_view(), name="api-transit-passes"),
    path("transit/passes/<int:pass_id>/", CommuterPassDeleteApi.as_view(), name="api-transit-pass-delete"),
    path("transit/favourites/", FavouriteListApi.as_view(), name="api-transit-favourites"),
    path("transit/favourites/<int:favourite_id>/", FavouriteDeleteApi.as_view(), name="api-transit-favourite-delete"),
    path("claims/<int:claim_id>/transit-lines/repeat/", TransitRepeatApi.as_view(), name="api-transit-repeat"),
]
