"""HTML forms: they check shape only and build the inputs the services validate."""

import datetime
import unicodedata

from django import forms
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _

from expenses.inputs import ClaimInput, LineInput
from expenses.models import ClaimLine, ExpenseCategory, Project, TaxCategory


class YenField(forms.IntegerField):
    """Accepts ¥1,234 / １２３４円 / 1 234 as typed on phones and copied from receipts."""

    def to_python(self, value):
        if isinstance(value, str):
            value = unicodedata.normalize("NFKC", value)
            for token in ("¥", "円", ",", " ", "\\"):
                value = value.replace(token, "")
        return super().to_python(value)


class ClaimHeaderForm(forms.Form):
    title = forms.CharField(label=_("件名"), max_length=100, required=False)
    purpose = forms.CharField(label=_("目的・備考"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)


class LineForm(forms.Form):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    expense_date = forms.DateField(
        label=_("利用日"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    category = forms.TypedChoiceField(label=_("経費科目"), coerce=int, required=False, empty_value=None)
    amount = YenField(label=_("金額（税込）"), required=False, widget=forms.TextInput(attrs={"inputmode": "numeric"}))
    tax_category = forms.ChoiceField(label=_("税区分"), required=False)
    vendor = forms.CharField(label=_("支払先"), required=False, max_length=100)
    registration_number = forms.CharField(label=_("登録番号"), required=False, max_length=40)
    description = forms.CharField(label=_("内容"), required=False, max_length=500)
    attendee_count = forms.IntegerField(label=_("参加人数（本人含む）"), required=False, min_value=1, max_value=1000)
    attendee_names = forms.CharField(
        label=_("参加者（会社名・氏名）"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    includes_external = forms.BooleanField(label=_("社外の参加者を含む"), required=False)
    project = forms.TypedChoiceField(label=_("プロジェクト"), coerce=int, required=False, empty_value=None)
    payment_method = forms.ChoiceField(
        label=_("支払方法"), choices=ClaimLine.PaymentMethod.choices, initial=ClaimLine.PaymentMethod.EMPLOYEE
    )
    no_receipt_reason = forms.CharField(label=_("領収書がない理由"), required=False, max_length=200)

    def __init__(self, *args, category_choices=(), project_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", _("選択してください")), *category_choices]
        self.fields["project"].choices = [("", "—"), *project_choices]
        self.fields["tax_category"].choices = [("", _("科目の既定")), *TaxCategory.choices]

    def to_input(self, key: str) -> LineInput:
        data = self.cleaned_data
        return LineInput(
            id=data.get("id"),
            expense_date=data.get("expense_date"),
            category_id=data.get("category"),
            amount=data.get("amount"),
            tax_category=data.get("tax_category") or "",
            vendor=data.get("vendor") or "",
            registration_number=data.get("registration_number") or "",
            description=data.get("description") or "",
            attendee_count=data.get("attendee_count"),
            attendee_names=data.get("attendee_names") or "",
            includes_external=bool(data.get("includes_external")),
            project_id=data.get("project"),
            payment_method=data.get("payment_method") or ClaimLine.PaymentMethod.EMPLOYEE,
            no_receipt_reason=data.get("no_receipt_reason") or "",
            key=key,
        )


LineFormSet = formset_factory(LineForm, extra=0, can_delete=True, max_num=200, absolute_max=200, validate_max=True)


def choice_lists() -> dict:
    """Category/project choices loaded once per page, not once per row."""
    categories = list(ExpenseCategory.objects.filter(is_active=True))
    return {
        "category_choices": [(c.pk, c.name) for c in categories],
        "project_choices": [(p.pk, str(p)) for p in Project.objects.filter(is_active=True)],
        "categories": categories,
    }


def build_line_formset(choices: dict, data=None, initial=None) -> LineFormSet:
    kwargs = {"category_choices": choices["category_choices"], "project_choices": choices["project_choices"]}
    return LineFormSet(data=data, initial=initial, prefix="lines", form_kwargs=kwargs)


def line_initial(line: ClaimLine) -> dict:
    return {
        "id": line.pk,
        "expense_date": line.expense_date,
        "category": line.category_id,
        "amount": line.amount,
        "tax_category": line.tax_category,
        "vendor": line.vendor,
        "registration_number": line.registration_number_raw or line.registration_number,
        "description": line.description,
        "attendee_count": line.attendee_count,
        "attendee_names": line.attendee_names,
        "includes_external": line.includes_external,
        "project": line.project_id,
        "payment_method": line.payment_method,
        "no_receipt_reason": line.no_receipt_reason,
    }


def formset_post_data(lines: list[ClaimLine]) -> dict:
    """Bound data equal to the stored lines, so service errors can be attached beside the fields."""
    data = {
        "lines-TOTAL_FORMS": str(len(lines)),
        "lines-INITIAL_FORMS": str(len(lines)),
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "200",
    }
    for index, line in enumerate(lines):
        for name, value in line_initial(line).items():
            if value is None or value is False:
                continue
            if isinstance(value, datetime.date):
                value = value.isoformat()
            data[f"lines-{index}-{name}"] = "on" if value is True else str(value)
    return data


def claim_input_from_forms(header: ClaimHeaderForm, formset: LineFormSet) -> tuple[ClaimInput, list[int]]:
    """Returns the input and, per kept line, the index of the form row it came from."""
    lines, rows = [], []
    for index, form in enumerate(formset.forms):
        if form.cleaned_data.get("DELETE"):
            continue
        if not any(form.cleaned_data.get(k) for k in ("expense_date", "category", "amount", "vendor", "description")) \
                and not form.cleaned_data.get("id"):
            continue  # an untouched blank row is not a line
        lines.append(form.to_input(key=f"lines.{len(lines)}"))
        rows.append(index)
    return ClaimInput(title=header.cleaned_data.get("title") or "", purpose=header.cleaned_data.get("purpose") or "",
                      lines=lines), rows


def attach_errors(header: ClaimHeaderForm, formset: LineFormSet, fields: dict[str, str], rows: list[int]) -> list[str]:
    """Put service errors beside their fields; return the ones with no field (shown at the top)."""
    general = []
    for key, message in fields.items():
        parts = key.split(".")
        if parts[0] == "lines" and len(parts) == 3 and parts[1].isdigit() and int(parts[1]) < len(rows):
            form = formset.forms[rows[int(parts[1])]]
            name = {"category_id": "category", "project_id": "project"}.get(parts[2], parts[2])
            if name in form.fields:
                form.add_error(name, message)
                continue
        elif parts[0] in header.fields:
            header.add_error(parts[0], message)
            continue
        general.append(message)
    return general
