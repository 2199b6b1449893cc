import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from approvals.transitions import ClaimStatus
from expenses.models import Claim, ClaimLine
from expenses.services.claims import check_create_claim, check_submit_claim
from tests.conftest import claim_input, line

pytestmark = pytest.mark.django_db


def _post_data(categories, today, *, version=None, title="出張精算", lines=None, **extra) -> dict:
    lines = lines if lines is not None else [{"category": categories["TAXI"].pk, "amount": "¥1,320"}]
    data = {
        "title": title, "purpose": "", "lines-TOTAL_FORMS": str(len(lines)), "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0", "lines-MAX_NUM_FORMS": "200", **extra,
    }
    if version is not None:
        data["version"] = str(version)
    for i, row in enumerate(lines):
        row = {"expense_date": today.isoformat(), "payment_method": "employee", **row}
        for key, value in row.items():
            data[f"lines-{i}-{key}"] = str(value)
    return data


def test_login_is_required(client) -> None:
    response = client.get(reverse("expenses:claim-list"))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_the_ui_is_japanese_by_default_even_for_english_browsers(client, alice) -> None:
    client.force_login(alice)
    response = client.get(reverse("expenses:claim-list"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert "自分の申請" in response.content.decode()
    assert response.headers["Content-Language"] == "ja"


def test_my_claims_lists_only_mine_with_totals(alice_client, alice, dave, categories) -> None:
    check_create_claim(acting_user=alice, data=claim_input(title="アリスの申請", lines=[line(categories, "TAXI", 12345)]))
    check_create_claim(acting_user=dave, data=claim_input(title="デイブの申請", lines=[line(categories, "TAXI", 999)]))
    body = alice_client.get(reverse("expenses:claim-list")).content.decode()
    assert "アリスの申請" in body and "¥12,345" in body
    assert "デイブの申請" not in body


def test_my_claims_page_query_count_is_constant(alice_client, alice, categories) -> None:
    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert alice_client.get(reverse("expenses:claim-list")).status_code == 200
        return len(ctx)

    check_create_claim(acting_user=alice, data=claim_input(lines=[line(categories, "TAXI", 100)]))
    few = count()
    for _ in range(30):
        check_create_claim(acting_user=alice, data=claim_input(lines=[line(categories, "TAXI", 100)] * 5))
    assert count() == few


def test_filters_by_status_and_keyword(alice_client, alice, categories) -> None:
    draft = check_create_claim(acting_user=alice, data=claim_input(title="下書きの件", lines=[line(categories, "TRANSIT", 100)]))
    sent = check_create_claim(acting_user=alice, data=claim_input(title="提出した件", lines=[line(categories, "TRANSIT", 100)]))
    check_submit_claim(sent.pk, acting_user=alice)
    body = alice_client.get(reverse("expenses:claim-list"), {"status": "submitted"}).content.decode()
    assert "提出した件" in body and "下書きの件" not in body
    body = alice_client.get(reverse("expenses:claim-list"), {"q": draft.number}).content.decode()
    assert "下書きの件" in body and "提出した件" not in body


def test_create_then_submit_from_the_editor(alice_client, categories, today) -> None:
    data = _post_data(categories, today, lines=[
        {"category": categories["TRANSIT"].pk, "amount": "1,320"},
        {"category": categories["MEETING"].pk, "amount": "８６４", "tax_category": "reduced",
         "attendee_count": "2", "attendee_names": "A社 佐々木様、山田", "includes_external": "on",
         "no_receipt_reason": "紛失"},
    ], submit="1")
    response = alice_client.post(reverse("expenses:claim-new"), data)
    claim = Claim.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("expenses:claim-detail", args=[claim.pk])
    assert (claim.status, claim.total_amount, claim.tax_10_amount, claim.tax_8_amount) == (
        ClaimStatus.SUBMITTED, 2184, 120, 64)


def test_errors_are_shown_beside_fields_and_input_is_kept(alice_client, categories, today) -> None:
    data = _post_data(categories, today, lines=[
        {"category": categories["TAXI"].pk, "amount": "0", "registration_number": "T999", "vendor": "入力した支払先"}])
    response = alice_client.post(reverse("expenses:claim-new"), data)
    assert response.status_code == 400
    body = response.content.decode()
    assert "金額は1円以上で入力してください。" in body
    assert "登録番号は「T」と13桁" in body
    assert 'value="入力した支払先"' in body
    assert not Claim.objects.exists()


def test_submission_errors_are_shown_and_the_draft_is_saved(alice_client, categories, today) -> None:
    data = _post_data(categories, today, lines=[{"category": categories["TAXI"].pk, "amount": "2000"}], submit="1")
    response = alice_client.post(reverse("expenses:claim-new"), data)
    assert response.status_code == 400
    assert "領収書を添付するか、ない理由を入力してください" in response.content.decode()
    assert Claim.objects.get().status == ClaimStatus.DRAFT


def test_html_in_text_fields_is_escaped(alice_client, alice, categories) -> None:
    claim = check_create_claim(acting_user=alice, data=claim_input(
        title="<script>alert(1)</script>", lines=[line(categories, "TAXI", 100, vendor="<b>bold</b>")]))
    body = alice_client.get(reverse("expenses:claim-detail", args=[claim.pk])).content.decode()
    assert "<script>alert(1)</script>" not in body and "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert "<b>bold</b>" not in body


def test_two_tabs_the_second_save_gets_a_conflict(alice_client, alice, categories, today) -> None:
    claim = check_create_claim(acting_user=alice, data=claim_input(lines=[line(categories, "TAXI", 100)]))
    first = alice_client.post(reverse("expenses:claim-edit", args=[claim.pk]),
                              _post_data(categories, today, version=1, title="タブ1"))
    assert first.status_code == 302
    second = alice_client.post(reverse("expenses:claim-edit", args=[claim.pk]),
                               _post_data(categories, today, version=1, title="タブ2の入力"))
    assert second.status_code == 409
    body = second.content.decode()
    assert "別の画面で更新されています" in body and 'value="タブ2の入力"' in body
    claim.refresh_from_db()
    assert claim.title == "タブ1"


def test_double_clicked_submit_submits_once(alice_client, alice, categories) -> None:
    claim = check_create_claim(acting_user=alice, data=claim_input(lines=[line(categories, "TRANSIT", 100)]))
    url = reverse("expenses:claim-submit", args=[claim.pk])
    first = alice_client.post(url, {"version": claim.version})
    second = alice_client.post(url, {"version": claim.version})
    assert first.status_code == second.status_code == 302
    assert claim.events.filter(to_status=ClaimStatus.SUBMITTED).count() == 1
    messages = [str(m) for m in second.wsgi_request._messages]
    assert any("すでに提出" in m for m in messages)


def test_submitted_claim_is_read_only(alice_client, alice, categories) -> None:
    claim = check_create_claim(acting_user=alice, data=claim_input(lines=[line(categories, "TRANSIT", 100)]))
    check_submit_claim(claim.pk, acting_user=alice)
    response = alice_client.get(reverse("expenses:claim-edit", args=[claim.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("expenses:claim-detail", args=[claim.pk])
    body = alice_client.get(reverse("expenses:claim-detail", args=[claim.pk])).content.decode()
    assert "提出済みのため編集できません" in body and reverse("expenses:claim-submit", args=[claim.pk]) not in body


@pytest.mark.parametrize("name", ["expenses:claim-detail", "expenses:claim-edit"])
def test_another_employees_claim_id_in_the_url_is_404(client, alice, dave, categories, name) -> None:
    claim = check_create_claim(acting_user=alice, data=claim_input(lines=[line(categories, "TAXI", 100)]))
    client.force_login(dave)
    assert client.get(reverse(name, args=[claim.pk])).status_code == 404
    assert client.post(reverse("expenses:claim-submit", args=[claim.pk])).status_code == 404
    assert ClaimLine.objects.filter(claim=claim).count() == 1


def test_entertainment_rule_is_shown_on_the_claim(alice_client, alice, categories, today) -> None:
    claim = check_create_claim(acting_user=alice, data=claim_input(lines=[
        line(categories, "MEETING", 30000, attendee_count=4, attendee_names="A社 2名、自社 2名", includes_external=True),
        line(categories, "ENTERTAIN", 50000, attendee_count=4, attendee_names="B社 2名、自社 2名", includes_external=True),
        line(categories, "MEETING", 8000, attendee_count=2, attendee_names="自社 2名"),
    ]))
    body = alice_client.get(reverse("expenses:claim-detail", args=[claim.pk])).content.decode()
    assert "1人あたり¥7,500（上限¥10,000以下）" in body
    assert "1人あたり¥12,500（上限¥10,000超）: 全額が交際費になります。" in body
    assert "社内の参加者のみの飲食は" in body
