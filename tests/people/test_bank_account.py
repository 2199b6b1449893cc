import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from core.kana import KanaError, to_zengin_kana
from people.models import BankAccount

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("やまだ　たろう", "ﾔﾏﾀﾞ ﾀﾛｳ"),
        ("キャッシュ・フロー", "ｷﾔﾂｼﾕ ﾌﾛ-"),
        ("ジョン・スミス", "ｼﾞﾖﾝ ｽﾐｽ"),
        ("ヴァレンタイン", "ｳﾞｱﾚﾝﾀｲﾝ"),
        ("ｽｽﾞｷ ｲﾁﾛｰ", "ｽｽﾞｷ ｲﾁﾛ-"),
        ("ヲノ ヰサム", "ｵﾉ ｲｻﾑ"),
    ],
)
def test_kana_recipe_vectors(raw: str, expected: str) -> None:
    assert to_zengin_kana(raw) == expected


def test_kanji_is_rejected_not_dropped() -> None:
    with pytest.raises(KanaError) as excinfo:
        to_zengin_kana("山田 タロウ")
    assert set(excinfo.value.bad_chars) == {"山", "田"}


def test_valid_account_gets_bank_and_branch_names(alice) -> None:
    account = BankAccount(user=alice, bank_code="0009", branch_code="001", account_number="123",
                          holder_kana="やまだ たろう")
    account.full_clean()
    assert (account.bank_name, account.branch_name) == ("三井住友", "神保町")
    assert (account.account_number, account.holder_kana) == ("0000123", "ﾔﾏﾀﾞ ﾀﾛｳ")


@pytest.mark.parametrize(
    ("bank", "branch", "holder", "field"),
    [("9999", "001", "ﾔﾏﾀﾞ", "bank_code"), ("0009", "999", "ﾔﾏﾀﾞ", "branch_code"), ("09", "001", "ﾔﾏﾀﾞ", "bank_code"),
     ("0009", "001", "山田太郎", "holder_kana")],
)
def test_invalid_accounts_name_the_field(alice, bank, branch, holder, field) -> None:
    account = BankAccount(user=alice, bank_code=bank, branch_code=branch, account_number="1234567", holder_kana=holder)
    with pytest.raises(ValidationError) as excinfo:
        account.full_clean()
    assert field in excinfo.value.message_dict


def test_employee_registers_an_account_and_sees_the_names(alice_client, alice) -> None:
    response = alice_client.post(reverse("people:bank-account"), {
        "bank_code": "0009", "branch_code": "001", "account_type": "1", "account_number": "7654321",
        "holder_kana": "ヤマダ タロウ"})
    assert response.status_code == 302
    page = alice_client.get(reverse("people:bank-account")).content.decode()
    assert "三井住友 神保町" in page and "ﾔﾏﾀﾞ ﾀﾛｳ" in page
    lookup = alice_client.get(reverse("people:bank-lookup"), {"bank": "0009", "branch": "999"}).json()
    assert lookup == {"ok": False, "field": "branch_code", "message": lookup["message"]} and "999" in lookup["message"]
