"""定期区間控除 (domain.md R12.4): pure rule, no database."""

from datetime import date

import pytest

from expenses.rules.commuter_pass import (
    DeductionKind,
    PassSection,
    deduct_for_trip,
    overlaps_pass,
)

DAY = date(2026, 4, 15)
TRAIN = PassSection(
    ("青物横丁", "品川", "浜松町"), date(2026, 4, 1), date(2026, 9, 30), label="京急・JR 青物横丁〜浜松町"
)
BUS = PassSection(("大井町駅", "青物横丁"), date(2026, 4, 1), date(2026, 6, 30))
EXPIRED = PassSection(("新宿", "中野"), date(2025, 4, 1), date(2025, 9, 30))


def test_r12_4_both_ends_on_one_section_is_a_full_deduction():
    result = deduct_for_trip("品川", "浜松町", DAY, [TRAIN])
    assert result.kind is DeductionKind.FULL
    assert result.covered_stations == ("品川", "浜松町")
    assert result.sections == (TRAIN,)
    assert "定期区間控除" in result.message
    assert result.fare_after_deduction(170) == 0


def test_r12_4_matching_uses_the_station_normaliser():
    assert (
        deduct_for_trip("品川駅", "ＪＲ浜松町".replace("ＪＲ", ""), DAY, [TRAIN]).kind is DeductionKind.FULL
    )
    ichigaya = PassSection(("市ヶ谷", "飯田橋"), DAY, DAY)
    assert deduct_for_trip("市ケ谷", "飯田橋駅", DAY, [ichigaya]).kind is DeductionKind.FULL


def test_r12_4_reverse_direction_is_covered_too():
    assert deduct_for_trip("浜松町", "青物横丁", DAY, [TRAIN]).kind is DeductionKind.FULL


def test_r12_4_chained_passes_cover_a_ride_across_both():
    """GIVEN a bus pass 大井町〜青物横丁 and a train pass 青物横丁〜浜松町
    WHEN riding 大井町→浜松町
    THEN the whole ride is covered."""
    result = deduct_for_trip("大井町", "浜松町", DAY, [TRAIN, BUS])
    assert result.kind is DeductionKind.FULL
    assert set(result.sections) == {TRAIN, BUS}


def test_r12_4_one_end_on_the_section_is_partial():
    result = deduct_for_trip("品川", "新橋", DAY, [TRAIN])
    assert result.kind is DeductionKind.PARTIAL
    assert result.covered_stations == ("品川",)
    assert "京急・JR 青物横丁〜浜松町" in result.message
    assert result.fare_after_deduction(170) is None  # the employee enters the uncovered fare


def test_r12_4_route_running_along_the_section_is_partial():
    result = deduct_for_trip("羽田空港", "新橋", DAY, [TRAIN], via=("青物横丁", "品川", "浜松町"))
    assert result.kind is DeductionKind.PARTIAL
    assert result.covered_stations == ("青物横丁", "品川", "浜松町")


def test_r12_4_touching_one_via_station_is_not_a_deduction():
    assert deduct_for_trip("大崎", "田町", DAY, [TRAIN], via=("品川",)).kind is DeductionKind.NONE


def test_r12_4_unrelated_ride_is_none():
    result = deduct_for_trip("渋谷", "新宿", DAY, [TRAIN, BUS])
    assert (result.kind, result.covered_stations, result.message) == (DeductionKind.NONE, (), "")
    assert result.fare_after_deduction(170) == 170


def test_r12_4_an_expired_pass_does_not_deduct_but_says_why():
    result = deduct_for_trip("新宿", "中野", DAY, [EXPIRED])
    assert result.kind is DeductionKind.NONE
    assert result.sections == (EXPIRED,)
    assert "有効期間外" in result.message


@pytest.mark.parametrize(
    ("on_date", "kind"),
    [
        (date(2026, 3, 31), "none"),
        (date(2026, 4, 1), "full"),
        (date(2026, 9, 30), "full"),
        (date(2026, 10, 1), "none"),
    ],
)
def test_r12_4_validity_dates_are_inclusive(on_date, kind):
    assert deduct_for_trip("品川", "浜松町", on_date, [TRAIN]).kind == kind


def test_r12_4_unlisted_intermediate_station_is_not_assumed_covered():
    # 北品川 lies between 青物横丁 and 品川 but is not printed on the pass: the safe side is partial.
    assert deduct_for_trip("北品川", "品川", DAY, [TRAIN]).kind is DeductionKind.PARTIAL


def test_same_station_in_and_out_is_not_a_full_deduction():
    assert deduct_for_trip("品川", "品川", DAY, [TRAIN]).kind is DeductionKind.PARTIAL


def test_pass_section_validation():
    with pytest.raises(ValueError):
        PassSection(("品川",), DAY, DAY)
    with pytest.raises(ValueError):
        PassSection(("品川", "新橋"), date(2026, 5, 1), date(2026, 4, 1))
    assert PassSection(["品川", "新橋"], DAY, DAY).stations == ("品川", "新橋")  # type: ignore[arg-type]


def test_overlaps_pass_for_approver_warnings():
    overlaps = overlaps_pass(["大崎", "品川駅", "浜松町", "新橋"], DAY, [TRAIN, BUS, EXPIRED])
    assert len(overlaps) == 1
    assert overlaps[0].section is TRAIN
    assert overlaps[0].shared_stations == ("品川駅", "浜松町")
    assert overlaps[0].rides_along is True
    single = overlaps_pass(["青物横丁", "羽田空港"], DAY, [TRAIN, BUS])
    assert [(o.section, o.shared_stations, o.rides_along) for o in single] == [
        (TRAIN, ("青物横丁",), False),
        (BUS, ("青物横丁",), False),
    ]
    assert overlaps_pass(["渋谷", "新宿"], DAY, [TRAIN]) == []


def test_blank_station_names_never_match():
    blank = PassSection(("", "品川"), DAY, DAY)
    assert deduct_for_trip("", "新橋", DAY, [blank]).kind is DeductionKind.NONE
