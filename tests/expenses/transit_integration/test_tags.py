"""The claim page shows transit details only under transit lines."""

import pytest

from expenses.services.claims import check_update_claim
from expenses.services.transit import check_add_transit_line
from tests.conftest import claim_input, line

from .conftest import trip

pytestmark = pytest.mark.django_db


def test_non_transit_lines_render_no_transit_block(alice_client, alice, claim, categories) -> None:
    check_update_claim(claim.pk, acting_user=alice, expected_version=None,
                       data=claim_input("11月 交通費", [line(categories, "SUPPLIES", 1100, vendor="文具店")]))
    page = alice_client.get(f"/claims/{claim.pk}/").content.decode()
    assert "data-transit-detail" not in page and "文具店" in page
    check_add_transit_line(claim.pk, acting_user=alice, data=trip(to_station="渋谷"))
    page = alice_client.get(f"/claims/{claim.pk}/").content.decode()
    assert page.count("data-transit-detail") == 1
