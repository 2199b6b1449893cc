"""Transit journeys in headless Chromium: a round trip with station autocomplete and the fare filled in,
an IC card import picking trips, and a commuter-pass deduction seen by the employee."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from expenses.inputs import ClaimInput
from expenses.models import Claim, ClaimLine
from expenses.services.claims import check_create_claim
from expenses.services.trips import ensure_transit_defaults
from expenses.transit_models import CommuterPass, RouteMaster, Station
from people.models import User
from tests.expenses.transit_integration.conftest import sample_card
from tests.plugins.browser import login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(default_data) -> Claim:
    call_command("seed_demo", stdout=io.StringIO())
    ensure_transit_defaults()
    for code, name in [("1130208", "新宿"), ("1130205", "新大久保"), ("1130229", "品川"), ("1130230", "大崎"),
                       ("1130103", "浜松町"), ("1130102", "田町"), ("1130101", "渋谷")]:
        Station.objects.create(code=code, name=name, name_key=name)
    RouteMaster.objects.get_or_create(from_station="新宿", to_station="品川", defaults={"fare_ic": 208, "fare_ticket": 210})
    yamada = User.objects.get(username="yamada")
    return check_create_claim(acting_user=yamada, data=ClaimInput(title="11月 交通費", lines=[]))


def test_round_trip_with_station_autocomplete_and_fare(page, live_server, demo) -> None:
    """
    GIVEN the company route master knows 新宿→品川 (IC ¥208)
    WHEN the employee types 「新」 and picks 新宿 from the suggestions, enters 品川 and ticks 往復
    THEN the fare is filled in from the master, the amount doubles to ¥416, and the line is 帳簿のみ保存
    """
    base = live_server.url
    login(page, base)
    page.goto(f"{base}/claims/{demo.pk}/edit/")
    page.click("text=交通費を追加")
    page.wait_for_url(f"**/claims/{demo.pk}/transit/")
    page.fill("[name=from_station]", "")
    page.locator("[name=from_station]").press_sequentially("新", delay=50)
    page.wait_for_function("document.querySelectorAll('#station-list option').length >= 2")
    options = page.eval_on_selector_all("#station-list option", "els => els.map(e => e.value)")
    assert "新宿" in options and "新大久保" in options
    page.fill("[name=from_station]", "新宿")
    page.fill("[name=to_station]", "品川")
    page.locator("[name=to_station]").dispatch_event("change")
    page.wait_for_function("document.querySelector('[name=fare_oneway]').value === '208'")
    assert "会社の経路マスタ" in page.text_content("[data-suggestions]")
    page.check("input[name=round_trip][value='1']", force=True)
    page.fill("[name=destination]", "A社 本社")
    page.fill("[name=purpose]", "定例打合せ")
    assert page.text_content("[data-testid=transit-amount]") == "¥416"
    assert "¥208 × 2" in page.text_content("[data-calc=times]")
    screenshot(page, "transit_01_round_trip_form")

    page.click("text=明細に追加")
    page.wait_for_url(f"**/claims/{demo.pk}/transit/")
    assert "交通費を追加しました" in page.text_content(".messages")
    line = ClaimLine.objects.get(claim=demo)
    assert (line.amount, line.transit.round_trip, line.transit.fare_source) == (416, True, "route_master")
    page.goto(f"{base}/claims/{demo.pk}/")
    row = page.text_content("[data-transit-detail]")
    assert "新宿 ⇄ 品川" in row and "往復" in row
    assert "帳簿のみ保存（3万円未満の鉄道料金）" in page.text_content("main")
    assert page.text_content("[data-testid=grand-total]") == "¥416"
    screenshot(page, "transit_02_claim_detail")


def test_ic_csv_import_and_pick_trips(page, live_server, demo, tmp_path) -> None:
    base = live_server.url
    login(page, base)
    page.goto(f"{base}/claims/{demo.pk}/transit/ic/")
    card = tmp_path / "sfcard.csv"
    card.write_bytes(sample_card(timezone.localdate()))
    page.set_input_files("input[name=file]", str(card))
    page.click("text=読み込む")
    page.wait_for_selector("[data-ic-row]")
    assert page.locator("[data-ic-row]").count() == 3  # the 物販 and charge rows are left out
    page.uncheck("[data-ic-row='5'] input[type=checkbox]")
    page.fill("input[name=destination]", "B社")
    screenshot(page, "transit_03_ic_preview")
    page.click("text=選択した利用履歴を明細に追加")
    page.wait_for_url(f"**/claims/{demo.pk}/edit/")
    assert "2件の交通費を追加しました" in page.text_content(".messages")
    amounts = sorted(ClaimLine.objects.filter(claim=demo).values_list("amount", flat=True))
    assert amounts == [208, 317]

    # Importing the same file again: the picked rides are marked as already imported.
    page.goto(f"{base}/claims/{demo.pk}/transit/ic/")
    page.set_input_files("input[name=file]", str(card))
    page.click("text=読み込む")
    page.wait_for_selector("[data-ic-row]")
    assert page.locator("[data-ic-row='3'] input[type=checkbox]").is_disabled()
    assert "取込済み" in page.text_content("[data-ic-row='3']")
    screenshot(page, "transit_04_ic_already_imported")


def test_commuter_pass_deduction_is_shown(page, live_server, demo) -> None:
    base = live_server.url
    login(page, base)
    today = timezone.localdate()
    page.goto(f"{base}/claims/transit/passes/")
    page.fill("[name=from_station]", "品川")
    page.fill("[name=to_station]", "浜松町")
    page.fill("[name=stations]", "田町")
    page.fill("[name=valid_from]", (today - datetime.timedelta(days=30)).isoformat())
    page.fill("[name=valid_until]", (today + datetime.timedelta(days=150)).isoformat())
    page.fill("[name=label]", "JR 通勤定期")
    page.click("button:has-text('登録する')")
    page.wait_for_load_state()
    page.wait_for_selector("[data-pass]")
    assert CommuterPass.objects.filter(user__username="yamada").count() == 1
    screenshot(page, "transit_05_passes")

    page.goto(f"{base}/claims/{demo.pk}/transit/")
    page.fill("[name=from_station]", "品川")
    page.fill("[name=to_station]", "田町")
    page.fill("[name=fare_oneway]", "150")
    page.locator("[name=to_station]").dispatch_event("change")
    page.wait_for_selector("[data-pass-box]:not([hidden])")
    assert "定期区間控除" in page.text_content("[data-pass-box]")
    assert page.text_content("[data-testid=transit-amount]") == "¥0"
    screenshot(page, "transit_06_pass_full_deduction")

    # A ride leaving the pass: the employee enters the uncovered fare and the deduction is recorded.
    page.fill("[name=to_station]", "渋谷")
    page.fill("[name=fare_oneway]", "210")
    page.locator("[name=to_station]").dispatch_event("change")
    page.wait_for_selector("[data-deducted-wrap]:not([hidden])")
    page.fill("[name=deducted_fare_oneway]", "170")
    assert page.text_content("[data-testid=transit-amount]") == "¥170"
    page.click("text=明細に追加")
    page.wait_for_url(f"**/claims/{demo.pk}/transit/")
    line = ClaimLine.objects.get(claim=demo)
    assert (line.amount, line.transit.pass_deduction, line.transit.pass_deducted_amount) == (170, "partial", 40)
    page.goto(f"{base}/claims/{demo.pk}/")
    assert "定期区間控除" in page.text_content("[data-transit-detail]")
    assert "−¥40" in page.text_content("[data-transit-detail]")
    screenshot(page, "transit_07_detail_partial_deduction")


def test_transit_pages_on_a_phone(phone_page, live_server, demo, tmp_path) -> None:
    base = live_server.url
    login(phone_page, base)
    phone_page.goto(f"{base}/claims/{demo.pk}/transit/")
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone_page, "transit_08_phone_form")
    card = tmp_path / "sfcard.csv"
    card.write_bytes(sample_card(timezone.localdate()))
    phone_page.goto(f"{base}/claims/{demo.pk}/transit/ic/")
    phone_page.set_input_files("input[name=file]", str(card))
    phone_page.click("text=読み込む")
    phone_page.wait_for_selector("[data-ic-row]")
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone_page, "transit_09_phone_ic_preview")
    phone_page.click("text=選択した利用履歴を明細に追加")
    phone_page.wait_for_url(f"**/claims/{demo.pk}/edit/")
    phone_page.goto(f"{base}/claims/{demo.pk}/")
    assert phone_page.locator("[data-transit-detail]").count() == 3
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone_page, "transit_10_phone_detail")


def test_business_trip_per_diem(page, live_server, demo) -> None:
    base = live_server.url
    login(page, base)
    today = timezone.localdate()
    page.goto(f"{base}/claims/{demo.pk}/edit/")
    page.click("text=出張（日当）")
    page.fill("[name=destination]", "大阪支店")
    page.fill("[name=start_date]", (today - datetime.timedelta(days=2)).isoformat())
    page.fill("[name=end_date]", today.isoformat())
    page.fill("[name=nights]", "2")
    page.fill("[name=purpose]", "新製品の説明会")
    page.click("button[name=calculate]")
    page.wait_for_selector("[data-testid=trip-total]")
    assert page.text_content("[data-testid=trip-total]") == "¥29,000"  # 一般: ¥3,000 × 3日 + ¥10,000 × 2泊
    screenshot(page, "transit_11_business_trip")
    page.click("button[name=confirm]")
    page.wait_for_url(f"**/claims/{demo.pk}/edit/")
    assert sorted(ClaimLine.objects.filter(claim=demo).values_list("amount", flat=True)) == [9000, 20000]
