"""Shape-only forms for the transit pages; the services hold the rules."""

from django import forms
from django.utils.translation import gettext_lazy as _

from expenses.forms import YenField
from expenses.services.ic_import import MAX_PASTE_CHARS
from expenses.services.transit import TransitInput
from expenses.services.trips import TripInput
from expenses.transit_models import FareKind, FareSource, Mode, Region

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class TransitForm(forms.Form):
    expense_date = forms.DateField(label=_("利用日"), widget=DATE_WIDGET)
    mode = forms.ChoiceField(label=_("交通手段"), choices=Mode.choices, initial=Mode.TRAIN)
    from_station = forms.CharField(label=_("出発駅"), max_length=100,
                                   widget=forms.TextInput(attrs={"list": "station-list", "autocomplete": "off",
                                                                 "data-station": "from"}))
    to_station = forms.CharField(label=_("到着駅"), max_length=100, required=False,
                                 widget=forms.TextInput(attrs={"list": "station-list", "autocomplete": "off",
                                                               "data-station": "to"}))
    via = forms.CharField(label=_("経由"), max_length=200, required=False,
                          widget=forms.TextInput(attrs={"placeholder": _("例: 新宿・渋谷")}))
    round_trip = forms.TypedChoiceField(label=_("片道・往復"), choices=[("0", _("片道")), ("1", _("往復"))],
                                        coerce=lambda v: v == "1", initial="0", widget=forms.RadioSelect)
    fare_kind = forms.ChoiceField(label=_("運賃の種類"), choices=FareKind.choices, initial=FareKind.IC,
                                  widget=forms.RadioSelect)
    fare_oneway = YenField(label=_("運賃（片道）"), min_value=0,
                           widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}))
    charges_oneway = YenField(label=_("特急・指定席料金（片道）"), min_value=0, required=False,
                              widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}))
    deducted_fare_oneway = YenField(label=_("定期区間を除いた運賃（片道）"), min_value=0, required=False,
                                    widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}))
    destination = forms.CharField(label=_("訪問先"), max_length=100, required=False)
    purpose = forms.CharField(label=_("目的"), max_length=200, required=False)
    purchase_ref = forms.CharField(label=_("同時購入の番号"), max_length=40, required=False,
                                   help_text=_("複数枚をまとめて購入したきっぷは同じ番号にします（3万円未満の判定は購入単位）。"))
    save_favourite_as = forms.CharField(label=_("よく使う経路に保存（名前）"), max_length=60, required=False)
    business_trip = forms.TypedChoiceField(label=_("出張"), required=False, coerce=int, empty_value=None,
                                           choices=[("", _("出張ではない"))])
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)
    provider = forms.CharField(required=False, max_length=20, widget=forms.HiddenInput)
    engine_version = forms.CharField(required=False, max_length=60, widget=forms.HiddenInput)
    serialize_data = forms.CharField(required=False, max_length=20000, widget=forms.HiddenInput)

    def to_input(self) -> TransitInput:
        d = self.cleaned_data
        return TransitInput(
            expense_date=d["expense_date"], from_station=d["from_station"], to_station=d.get("to_station") or "",
            fare_oneway=d["fare_oneway"], via=d.get("via") or "", mode=d["mode"], round_trip=d["round_trip"],
            fare_kind=d["fare_kind"], charges_oneway=d.get("charges_oneway") or 0,
            deducted_fare_oneway=d.get("deducted_fare_oneway"), purpose=d.get("purpose") or "",
            destination=d.get("destination") or "", purchase_ref=d.get("purchase_ref") or "",
            save_favourite_as=d.get("save_favourite_as") or "",
            fare_source=self.data.get("fare_source") if self.data.get("fare_source") in FareSource.values
            else FareSource.MANUAL,
            provider=d.get("provider") or "", engine_version=d.get("engine_version") or "",
            serialize_data=d.get("serialize_data") or "", business_trip_id=d.get("business_trip"),
        )

    def set_trips(self, trips) -> None:
        self.fields["business_trip"].choices = [("", _("出張ではない")), *[(t.pk, str(t)) for t in trips]]


class IcUploadForm(forms.Form):
    file = forms.FileField(label=_("SFCard Viewer 2 のCSV"), required=False,
                           widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}))
    paste = forms.CharField(label=_("モバイルSuicaの利用履歴（表を貼り付け）"), required=False,
                            max_length=MAX_PASTE_CHARS, widget=forms.Textarea(attrs={"rows": 6}))


class PassForm(forms.Form):
    from_station = forms.CharField(label=_("区間（から）"), max_length=100,
                                   widget=forms.TextInput(attrs={"list": "station-list", "autocomplete": "off",
                                                                 "data-station": "from"}))
    to_station = forms.CharField(label=_("区間（まで）"), max_length=100,
                                 widget=forms.TextInput(attrs={"list": "station-list", "autocomplete": "off",
                                                               "data-station": "to"}))
    via = forms.CharField(label=_("経由"), max_length=200, required=False)
    stations = forms.CharField(label=_("途中の駅（・区切り）"), max_length=1000, required=False,
                               help_text=_("区間内の駅をすべて登録すると、途中駅までの乗車も控除できます。"),
                               widget=forms.TextInput(attrs={"placeholder": _("例: 大崎・五反田・目黒")}))
    valid_from = forms.DateField(label=_("有効開始日"), widget=DATE_WIDGET)
    valid_until = forms.DateField(label=_("有効終了日"), widget=DATE_WIDGET)
    label = forms.CharField(label=_("名称"), max_length=100, required=False)


class TripForm(forms.Form):
    destination = forms.CharField(label=_("出張先"), max_length=100)
    purpose = forms.CharField(label=_("目的"), max_length=200, required=False)
    start_date = forms.DateField(label=_("出発日"), widget=DATE_WIDGET)
    end_date = forms.DateField(label=_("帰着日"), widget=DATE_WIDGET)
    nights = forms.IntegerField(label=_("泊数"), min_value=0, max_value=90, initial=0)
    region = forms.ChoiceField(label=_("区分"), choices=Region.choices, initial=Region.DOMESTIC)

    def to_input(self) -> TripInput:
        d = self.cleaned_data
        return TripInput(destination=d["destination"], start_date=d["start_date"], end_date=d["end_date"],
                         nights=d["nights"], purpose=d.get("purpose") or "", region=d["region"])
