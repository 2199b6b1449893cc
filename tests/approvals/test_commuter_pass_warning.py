"""The approver's queue and review page flag trips that overlap the applicant's commuter pass."""

import datetime

import pytest
from django.utils import timezone

from expenses.services.claims import check_create_claim, check_submit_claim
from expenses.services.transit import TransitInput, check_add_transit_line
from expenses.services.transit_personal import PassInput, check_create_commuter_pass
from tests.approvals.test_views import client_for
from tests.conftest import claim_input

pytestmark = pytest.mark.django_db


def _trip(**kwargs) -> TransitInput:
    return TransitInput(**{"expense_date": timezone.localdate(), "fare_oneway": 400, **kwargs})


def test_pass_overlap_is_flagged_in_the_queue_and_on_the_claim(all_people, categories) -> None:
    alice, bob = all_people["alice"], all_people["bob"]
    today = timezone.localdate()
    check_create_commuter_pass(acting_user=alice, data=PassInput(
        from_station="品川", to_station="浜松町", stations=["田町"], valid_from=today - datetime.timedelta(days=30),
        valid_until=today + datetime.timedelta(days=30), label="JR"))
    overlapping = check_create_claim(acting_user=alice, data=claim_input("定期区間と重なる交通費"))
    check_add_transit_line(overlapping.pk, acting_user=alice,
                           data=_trip(from_station="浜松町", to_station="横浜", deducted_fare_oneway=308))
    check_submit_claim(overlapping.pk, acting_user=alice)
    elsewhere = check_create_claim(acting_user=alice, data=claim_input("定期と無関係の交通費"))
    check_add_transit_line(elsewhere.pk, acting_user=alice, data=_trip(from_station="新宿", to_station="渋谷"))
    check_submit_claim(elsewhere.pk, acting_user=alice)
    body = client_for(bob).get("/approvals/?warning=warn_commuter_pass").content.decode()
    assert overlapping.number in body and elsewhere.number not in body
    review = client_for(bob).get(f"/approvals/claims/{overlapping.pk}/").content.decode()
    assert "控除額 ¥92" in review
