"""Tax key per line (formats.md §4; domain.md R2.1 boundaries, R3.9, R4.2)."""

import datetime as dt

import pytest

from accounting.rules.tax_category import (
    CURRENT_LAW,
    DEFAULT_SCHEDULE,
    NON_TAXABLE,
    OUT_OF_SCOPE,
    R8_REFORM_OUTLINE,
    SCHEDULES,
    DeductionSchedule,
    DeductionScheduleRow,
    LineTaxCategory,
    TaxKey,
    TaxKind,
    TaxLineFacts,
    TaxRules,
    decide_tax_key,
)
from expenses.rules.special_cases import SpecialCase, SpecialCaseParams

D = dt.date
REFORM = TaxRules(schedule=R8_REFORM_OUTLINE)


def facts(day, category=LineTaxCategory.STANDARD_10, qualified=False, case=SpecialCase.NONE, note=""):
    return TaxLineFacts(day, category, qualified, case, note)


# ---- R2.1 transitional tables, every boundary --------------------------------------------------

CURRENT_LAW_BOUNDARIES = [
    (D(2023, 10, 1), 80),
    (D(2026, 9, 30), 80),
    (D(2026, 10, 1), 50),
    (D(2028, 9, 30), 50),
    (D(2028, 10, 1), 50),
    (D(2029, 9, 30), 50),
    (D(2029, 10, 1), 0),
    (D(2030, 9, 30), 0),
    (D(2030, 10, 1), 0),
    (D(2031, 9, 30), 0),
    (D(2031, 10, 1), 0),
    (D(2040, 1, 1), 0),
]

REFORM_BOUNDARIES = [
    (D(2023, 10, 1), 80),
    (D(2026, 9, 30), 80),
    (D(2026, 10, 1), 70),
    (D(2028, 9, 30), 70),
    (D(2028, 10, 1), 50),
    (D(2029, 9, 30), 50),
    (D(2029, 10, 1), 50),
    (D(2030, 9, 30), 50),
    (D(2030, 10, 1), 30),
    (D(2031, 9, 30), 30),
    (D(2031, 10, 1), 0),
    (D(2040, 1, 1), 0),
]


@pytest.mark.parametrize(("day", "ratio"), CURRENT_LAW_BOUNDARIES)
@pytest.mark.parametrize("category", [LineTaxCategory.STANDARD_10, LineTaxCategory.REDUCED_8])
def test_r2_1_current_law_ratio_by_purchase_date(day, ratio, category):
    decision = decide_tax_key(facts(day, category))
    rate, reduced = (10, False) if category is LineTaxCategory.STANDARD_10 else (8, True)
    assert decision.key == TaxKey(TaxKind.TAXABLE, rate, reduced, ratio)
    assert decision.deduction_ratio == ratio
    assert decision.special_case is SpecialCase.NONE
    assert decision.note == (f"{ratio}%控除対象" if ratio else "控除対象外")


@pytest.mark.parametrize(("day", "ratio"), REFORM_BOUNDARIES)
@pytest.mark.parametrize("category", [LineTaxCategory.STANDARD_10, LineTaxCategory.REDUCED_8])
def test_r2_1_reform_outline_ratio_by_purchase_date(day, ratio, category):
    decision = decide_tax_key(facts(day, category), REFORM)
    assert decision.deduction_ratio == ratio
    assert decision.rate_percent == (10 if category is LineTaxCategory.STANDARD_10 else 8)
    assert decision.reduced is (category is LineTaxCategory.REDUCED_8)
    assert decision.kind is TaxKind.TAXABLE


def test_r2_2_current_law_is_the_default_and_both_schedules_ship():
    assert DEFAULT_SCHEDULE is CURRENT_LAW
    assert set(SCHEDULES) == {"current_law", "r8_reform_outline"}
    assert [(r.valid_from, r.valid_to, r.ratio) for r in CURRENT_LAW.rows] == [
        (D(2023, 10, 1), D(2026, 9, 30), 80),
        (D(2026, 10, 1), D(2029, 9, 30), 50),
        (D(2029, 10, 1), None, 0),
    ]
    assert [r.ratio for r in R8_REFORM_OUTLINE.rows] == [80, 70, 50, 30, 0]


def test_r2_2_custom_schedule_is_data():
    custom = DeductionSchedule("custom", (DeductionScheduleRow(D(2023, 10, 1), None, 60),))
    assert decide_tax_key(facts(D(2027, 1, 1)), TaxRules(schedule=custom)).deduction_ratio == 60


def test_dates_before_the_invoice_system_are_refused():
    with pytest.raises(LookupError, match="no row for 2023-09-30"):
        decide_tax_key(facts(D(2023, 9, 30)))


# ---- qualified sellers and non-taxable categories ------------------------------------------------


@pytest.mark.parametrize("day", [D(2023, 10, 1), D(2026, 10, 1), D(2031, 10, 1)])
def test_qualified_seller_is_always_100(day):
    decision = decide_tax_key(facts(day, qualified=True))
    assert decision.key == TaxKey(TaxKind.TAXABLE, 10, False, 100)
    assert decision.note == ""
    reduced = decide_tax_key(facts(day, LineTaxCategory.REDUCED_8, qualified=True))
    assert reduced.key == TaxKey(TaxKind.TAXABLE, 8, True, 100)


@pytest.mark.parametrize("qualified", [True, False])
def test_non_taxable_and_out_of_scope(qualified):
    day = D(2026, 11, 5)
    assert decide_tax_key(facts(day, LineTaxCategory.NON_TAXABLE, qualified)).key == NON_TAXABLE
    assert decide_tax_key(facts(day, LineTaxCategory.OUT_OF_SCOPE, qualified)).key == OUT_OF_SCOPE
    # even with a special case attached, a non-taxable line stays non-taxable and carries no note
    line = facts(day, LineTaxCategory.OUT_OF_SCOPE, qualified, SpecialCase.BUSINESS_TRAVEL)
    decision = decide_tax_key(line)
    assert (decision.key, decision.special_case, decision.note) == (OUT_OF_SCOPE, SpecialCase.NONE, "")
    assert decision.rate_percent == 0 and decision.deduction_ratio == 0


# ---- R3.9: 帳簿のみ special cases export as 100 % with their note -----------------------------------

BOOK_ONLY = [
    (SpecialCase.PUBLIC_TRANSPORT, "3万円未満の鉄道料金"),
    (SpecialCase.ADMISSION_TICKET, "入場券等"),
    (SpecialCase.VENDING_MACHINE, "自動販売機"),
    (SpecialCase.POSTAGE, "郵便切手類"),
    (SpecialCase.BUSINESS_TRAVEL, "出張旅費等特例"),
    (SpecialCase.COMMUTING, "通勤手当"),
    (SpecialCase.SMALL_AMOUNT, "少額特例"),
]


@pytest.mark.parametrize(("case", "note"), BOOK_ONLY)
@pytest.mark.parametrize("rules", [TaxRules(), REFORM])
def test_r3_9_book_only_cases_are_100_for_non_qualified_sellers(case, note, rules):
    decision = decide_tax_key(facts(D(2026, 11, 5), case=case), rules)
    assert decision.key == TaxKey(TaxKind.TAXABLE, 10, False, 100)
    assert decision.special_case is case
    assert decision.note == note


def test_r3_9_book_only_cases_have_no_end_date():
    decision = decide_tax_key(facts(D(2035, 1, 1), case=SpecialCase.PUBLIC_TRANSPORT))
    assert decision.deduction_ratio == 100


def test_r3_9_note_from_the_classifier_wins():
    line = facts(D(2026, 11, 5), case=SpecialCase.PUBLIC_TRANSPORT, note="3万円未満のバス料金")
    decision = decide_tax_key(line)
    assert decision.note == "3万円未満のバス料金"


def test_special_case_given_as_string():
    assert decide_tax_key(facts(D(2026, 11, 5), case="commuting")).special_case is SpecialCase.COMMUTING


def test_reduced_rate_book_only_line():
    line = facts(D(2030, 1, 1), LineTaxCategory.REDUCED_8, case=SpecialCase.VENDING_MACHINE)
    decision = decide_tax_key(line)
    assert decision.key.code == "taxable/8/reduced/100"


# ---- R4.2: 少額特例 cut-off ------------------------------------------------------------------------


def test_r4_2_small_amount_on_2029_09_30_is_100():
    decision = decide_tax_key(facts(D(2029, 9, 30), case=SpecialCase.SMALL_AMOUNT))
    assert decision.deduction_ratio == 100
    assert (decision.special_case, decision.note) == (SpecialCase.SMALL_AMOUNT, "少額特例")


def test_r4_2_small_amount_on_2029_10_01_falls_back_to_the_schedule():
    decision = decide_tax_key(facts(D(2029, 10, 1), case=SpecialCase.SMALL_AMOUNT))
    assert decision.deduction_ratio == 0
    assert (decision.special_case, decision.note) == (SpecialCase.NONE, "控除対象外")
    reform = decide_tax_key(facts(D(2029, 10, 1), case=SpecialCase.SMALL_AMOUNT), REFORM)
    assert (reform.deduction_ratio, reform.note) == (50, "50%控除対象")
    qualified = decide_tax_key(facts(D(2029, 10, 1), qualified=True, case=SpecialCase.SMALL_AMOUNT))
    assert (qualified.deduction_ratio, qualified.special_case) == (100, SpecialCase.NONE)


def test_r4_2_cut_off_is_data():
    extended = TaxRules(special_case_params=SpecialCaseParams(small_amount_until=D(2030, 9, 30)))
    line = facts(D(2029, 10, 1), case=SpecialCase.SMALL_AMOUNT)
    assert decide_tax_key(line, extended).deduction_ratio == 100


# ---- the key itself ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "code"),
    [
        (TaxKey(TaxKind.TAXABLE, 10, False, 100), "taxable/10/std/100"),
        (TaxKey(TaxKind.TAXABLE, 8, True, 80), "taxable/8/reduced/80"),
        (NON_TAXABLE, "non_taxable"),
        (OUT_OF_SCOPE, "out_of_scope"),
    ],
)
def test_tax_key_code_round_trip(key, code):
    assert key.code == code
    assert TaxKey.from_code(code) == key


def test_tax_key_from_bad_code():
    with pytest.raises(ValueError, match="not a tax key"):
        TaxKey.from_code("taxable/10/half/100")
