"""Fixtures for the transit integration tests: a draft claim, masters, a commuter pass, IC files."""

import datetime

import pytest
from django.utils import timezone

from expenses.models import Claim
from expenses.services.claims import check_create_claim
from expenses.services.transit import TransitInput
from expenses.services.transit_personal import PassInput, check_create_commuter_pass
from expenses.services.trips import ensure_transit_defaults
from expenses.transit_models import RouteMaster, Station
from tests.conftest import claim_input


@pytest.fixture
def transit_data(default_data) -> None:
    ensure_transit_defaults()


@pytest.fixture
def claim(alice, transit_data) -> Claim:
    return check_create_claim(acting_user=alice, data=claim_input("11月 交通費"))


@pytest.fixture
def stations(db) -> None:
    for code, name in [("1130101", "東京"), ("1130102", "品川"), ("1130103", "新橋"), ("1130104", "浜松町"),
                       ("1130105", "新宿"), ("1130106", "渋谷"), ("1130107", "横浜"), ("1130108", "大崎")]:
        Station.objects.create(code=code, name=name, name_key=name)


@pytest.fixture
def routes(db) -> None:
    RouteMaster.objects.create(from_station="新宿", to_station="品川", fare_ic=208, fare_ticket=210)
    RouteMaster.objects.create(from_station="東京", to_station="新大阪", mode="shinkansen", fare_ic=8910,
                               fare_ticket=8910, charges=5810)


@pytest.fixture
def alice_pass(alice):
    today = timezone.localdate()
    return check_create_commuter_pass(acting_user=alice, data=PassInput(
        from_station="品川", to_station="浜松町", stations=["田町"], valid_from=today - datetime.timedelta(days=60),
        valid_until=today + datetime.timedelta(days=120), label="JR 品川〜浜松町"))


def trip(day: datetime.date | None = None, **kwargs) -> TransitInput:
    values = {"expense_date": day or timezone.localdate(), "from_station": "新宿", "to_station": "品川",
              "fare_oneway": 208}
    values.update(kwargs)
    return TransitInput(**values)


def sfcard_csv(rows: list[tuple], card_id: str = "01234567A8901234") -> bytes:
    """SFCard Viewer 2 file (cp932, CRLF): rows of (date, entry, exit, amount, balance, memo[, pass])."""
    lines = [f"カードID={card_id},,,,,,,,,",
             "利用年月日,定期,鉄道会社名,入場駅/事業者名,定期,鉄道会社名,出場駅/降車場所,利用額(円),残額(円),メモ"]
    for row in rows:
        day, entry, exit_, amount, balance, memo, *rest = row
        marker = rest[0] if rest else ""
        lines.append(f"{day:%Y/%m/%d},{marker},JR東,{entry},,JR東,{exit_},{amount},{balance},{memo}")
    return ("\r\n".join(lines) + "\r\n").encode("cp932")


def sample_card(today: datetime.date) -> bytes:
    d1, d2, d3 = (today - datetime.timedelta(days=n) for n in (1, 2, 3))
    return sfcard_csv([
        (d1, "新宿", "品川", 208, 2000, ""),
        (d1, "", "", 150, 2208, "物販"),
        (d2, "品川", "浜松町", 168, 2358, ""),
        (d3, "秋葉原", "", -3000, 2526, "ｵｰﾄﾁｬｰｼﾞ"),
        (d3, "渋谷", "横浜", 317, 5526, ""),
    ])
