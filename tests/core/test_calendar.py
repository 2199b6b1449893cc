"""Bank and company business days (domain.md R11, R7.3)."""

import datetime as dt

import pytest

from core.calendar import (
    CalendarKind,
    Roll,
    add_business_days,
    business_days_between,
    is_bank_business_day,
    is_business_day,
    is_company_business_day,
    next_business_day,
    previous_business_day,
    roll_to_business_day,
)

D = dt.date


@pytest.mark.parametrize(
    "day",
    [D(2026, 12, 31), D(2027, 1, 1), D(2027, 1, 2), D(2027, 1, 3), D(2025, 12, 31), D(2026, 1, 2)],
)
def test_r11_1_year_end_closures_are_not_bank_days(day):
    assert is_bank_business_day(day) is False


def test_r11_1_year_end_rule_only_for_banks():
    # 2026-12-31 is a Thursday; 2027-01-02 is a Saturday anyway
    assert is_company_business_day(D(2026, 12, 31)) is True
    assert is_company_business_day(D(2026, 12, 30)) is True
    assert is_bank_business_day(D(2026, 12, 30)) is True
    assert is_company_business_day(D(2027, 1, 1)) is False  # 元日 is a national holiday


def test_first_bank_day_after_new_year():
    # 2027-01-04 (Mon) opens; 2026-12-30 (Wed) is the last open day of 2026
    assert next_business_day(D(2026, 12, 30)) == D(2027, 1, 4)
    assert previous_business_day(D(2027, 1, 4)) == D(2026, 12, 30)


def test_r11_1_furikae_kyujitsu_2026_05_06():
    assert is_bank_business_day(D(2026, 5, 6)) is False  # 憲法記念日 振替休日 (Wed)
    assert is_company_business_day(D(2026, 5, 6)) is False
    assert is_bank_business_day(D(2026, 5, 7)) is True
    # Golden Week: 5/2 Sat … 5/6 振替休日
    assert next_business_day(D(2026, 5, 1)) == D(2026, 5, 7)
    assert previous_business_day(D(2026, 5, 7)) == D(2026, 5, 1)


def test_r11_1_kokumin_no_kyujitsu_2026_09_22():
    assert is_bank_business_day(D(2026, 9, 21)) is False  # 敬老の日
    assert is_bank_business_day(D(2026, 9, 22)) is False  # 国民の休日
    assert is_bank_business_day(D(2026, 9, 23)) is False  # 秋分の日
    assert next_business_day(D(2026, 9, 18)) == D(2026, 9, 24)


@pytest.mark.parametrize(
    ("day", "expected"),
    [(D(2026, 4, 25), False), (D(2026, 4, 26), False), (D(2026, 4, 24), True), (D(2025, 4, 25), True)],
)
def test_weekends(day, expected):
    assert is_bank_business_day(day) is expected
    assert is_company_business_day(day) is expected


def test_datetime_is_treated_as_its_day():
    assert is_bank_business_day(dt.datetime(2026, 5, 6, 10, 0)) is False


def test_overrides_close_and_open_days():
    founding_day = D(2026, 6, 15)  # a Monday
    assert is_company_business_day(founding_day) is True
    assert is_company_business_day(founding_day, extra_holidays={founding_day}) is False
    assert is_bank_business_day(founding_day, extra_holidays=frozenset({founding_day})) is False
    # an admin correction wins over the computed holiday and the weekend
    assert is_bank_business_day(D(2026, 9, 22), extra_business_days={D(2026, 9, 22)}) is True
    assert is_bank_business_day(D(2026, 4, 25), extra_business_days={D(2026, 4, 25)}) is True


def test_r11_2_roll_previous_and_next():
    saturday = D(2026, 4, 25)
    assert roll_to_business_day(saturday) == D(2026, 4, 24)
    assert roll_to_business_day(saturday, Roll.NEXT) == D(2026, 4, 27)
    assert roll_to_business_day(saturday, "next") == D(2026, 4, 27)
    assert roll_to_business_day(D(2026, 4, 24), Roll.NEXT) == D(2026, 4, 24)
    # 25th of December 2026 is a Friday; 31st closed → rolls back to 30th
    assert roll_to_business_day(D(2026, 12, 31)) == D(2026, 12, 30)
    assert roll_to_business_day(D(2026, 12, 31), Roll.NEXT) == D(2027, 1, 4)
    # the company calendar keeps 12/31 open
    assert roll_to_business_day(D(2026, 12, 31), kind=CalendarKind.COMPANY) == D(2026, 12, 31)


def test_add_business_days_forward_and_back():
    assert add_business_days(D(2026, 4, 30), 1) == D(2026, 5, 1)
    assert add_business_days(D(2026, 4, 30), 2) == D(2026, 5, 7)
    assert add_business_days(D(2026, 5, 7), -2) == D(2026, 4, 30)
    assert add_business_days(D(2026, 5, 6), 0) == D(2026, 5, 6)
    assert add_business_days(D(2026, 12, 28), 3) == D(2027, 1, 4)
    assert add_business_days(D(2026, 12, 28), 3, kind=CalendarKind.COMPANY) == D(2026, 12, 31)


def test_r7_3_seven_company_business_days():
    received = D(2026, 4, 28)  # Tue; 4/29 昭和の日, 5/3-5/6 holidays
    deadline = add_business_days(received, 7, kind=CalendarKind.COMPANY)
    assert deadline == D(2026, 5, 13)
    assert business_days_between(received, deadline, kind=CalendarKind.COMPANY) == 7


def test_business_days_between():
    assert business_days_between(D(2026, 4, 24), D(2026, 4, 24)) == 0
    assert business_days_between(D(2026, 4, 24), D(2026, 4, 27)) == 1  # over a weekend
    assert business_days_between(D(2026, 4, 27), D(2026, 4, 24)) == -1
    assert business_days_between(D(2026, 12, 25), D(2027, 1, 8)) == 8
    assert business_days_between(D(2026, 12, 25), D(2027, 1, 8), kind=CalendarKind.COMPANY) == 9


def test_is_business_day_dispatches_on_kind():
    assert is_business_day(D(2026, 12, 31)) is False
    assert is_business_day(D(2026, 12, 31), kind=CalendarKind.COMPANY) is True
    assert is_business_day(D(2026, 12, 31), kind="company") is True


def test_broken_overrides_raise_instead_of_looping():
    every_day = {D(2026, 1, 1) + dt.timedelta(days=i) for i in range(800)}
    with pytest.raises(ValueError, match="no business day"):
        next_business_day(D(2026, 1, 1), extra_holidays=every_day)
