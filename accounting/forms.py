from django import forms
from django.utils.translation import gettext_lazy as _

from accounting.models import ExportFormat
from expenses.audit import ReceiptSearch
from expenses.forms import YenField


class ReceiptSearchForm(forms.Form):
    date_from = forms.DateField(label=_("取引日（から）"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("取引日（まで）"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    amount_min = YenField(label=_("金額（以上）"), required=False, min_value=0)
    amount_max = YenField(label=_("金額（以下）"), required=False, min_value=0)
    counterparty = forms.CharField(label=_("取引先"), required=False, max_length=100)
    include_history = forms.BooleanField(label=_("差し替え前・削除済みも含める"), required=False)

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", _("終了日は開始日以降にしてください。"))
        if data.get("amount_min") is not None and data.get("amount_max") is not None and \
                data["amount_min"] > data["amount_max"]:
            self.add_error("amount_max", _("上限は下限以上にしてください。"))
        return data

    def to_search(self) -> ReceiptSearch:
        data = self.cleaned_data
        return ReceiptSearch(date_from=data.get("date_from"), date_to=data.get("date_to"),
                             amount_min=data.get("amount_min"), amount_max=data.get("amount_max"),
                             counterparty=(data.get("counterparty") or "").strip(),
                             include_history=bool(data.get("include_history")))


class ExportForm(forms.Form):
    format = forms.ChoiceField(label=_("出力形式"), choices=ExportFormat.choices)
    period_from = forms.DateField(label=_("期間（から）"), widget=forms.DateInput(attrs={"type": "date"}))
    period_to = forms.DateField(label=_("期間（まで）"), widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        if data.get("period_from") and data.get("period_to") and data["period_from"] > data["period_to"]:
            self.add_error("period_to", _("終了日は開始日以降にしてください。"))
        return data


class PaymentForm(forms.Form):
    transfer_date = forms.DateField(label=_("振込指定日"), widget=forms.DateInput(attrs={"type": "date"}))
    claims = forms.TypedMultipleChoiceField(label=_("申請"), coerce=int, choices=(),
                                            error_messages={"required": _("振込する申請を選択してください。")})

    def __init__(self, *args, claim_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["claims"].choices = claim_choices
