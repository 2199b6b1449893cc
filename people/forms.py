from django import forms

from people.models import BankAccount


class BankAccountForm(forms.ModelForm):
    class Meta:
        model = BankAccount
        fields = ["bank_code", "branch_code", "account_type", "account_number", "holder_kana"]
        widgets = {
            "bank_code": forms.TextInput(attrs={"inputmode": "numeric", "maxlength": 4, "placeholder": "0009"}),
            "branch_code": forms.TextInput(attrs={"inputmode": "numeric", "maxlength": 3, "placeholder": "001"}),
            "account_number": forms.TextInput(attrs={"inputmode": "numeric", "maxlength": 7}),
            "holder_kana": forms.TextInput(attrs={"placeholder": "ヤマダ タロウ"}),
        }
