"""Business-day arithmetic (domain.md R11 bank days, R7.3 company days for 電帳法 input periods).

Two calendars share one set of helpers:

- ``CalendarKind.BANK``: closed on Saturdays, Sundays, national holidays (incl. 振替休日 and 国民の休日)
  and 12/31–1/3 (銀行法施行令 第5条). Used for 振込指定日.
- ``CalendarKind.COMPANY``: Saturdays, Sundays and national holidays only — no bank year-end rule.
  Used to count the ≈ 7 営業日 スキャナ保存 input period; company holidays come in as ``extra_holidays``.

Both take admin overrides as plain sets: ``extra_holidays`` closes a day, ``extra_business_days`` opens
one (it wins over everything, so a wrongly computed future holiday can be corrected, R11.3).
Pure functions: no ORM, no settings, no clock — the caller passes dates and override sets in.
"""

import datetime as dt
import enum
from collections.abc import Set
from functools import lru_cache

import jpholiday

# (month, day) pairs banks close on besides weekends and national holidays; 1/1 is also 元日.
BANK_YEAR_END_CLOSURES: frozenset[tuple[int, int]] = frozenset({(12, 31), (1, 1), (1, 2), (1, 3)})

# A search that walks further than this without finding an open day means the override sets are broken.
_MAX_SEARCH_DAYS = 370

_EMPTY: frozenset[dt.date] = frozenset()
_ONE_DAY = dt.timedelta(days=1)


class CalendarKind(enum.StrEnum):
    BANK = "bank"
    COMPANY = "company"


class Roll(enum.StrEnum):
    PREVIOUS = "previous"  # company default for a payment day on a closed day (R11.2)
    NEXT = "next"


@lru_cache(maxsize=4096)
def is_national_holiday(d: dt.date) -> bool:
    """National holiday per jpholiday (祝日, 振替休日, 国民の休日). Cached: jpholiday recomputes each call."""
    return bool(jpholiday.is_holiday(d))


def _as_date(d: dt.date) -> dt.date:
    # a datetime is a date subclass; strip the time so set membership and caching work on days
    return d.date() if isinstance(d, dt.datetime) else d


def is_bank_business_day(
    d: dt.date,
    *,
    extra_holidays: Set[dt.date] = _EMPTY,
    extra_business_days: Set[dt.date] = _EMPTY,
) -> bool:
    """R11.1: False on weekends, national holidays and 12/31–1/3, unless an override says otherwise."""
    d = _as_date(d)
    if d in extra_business_days:
        return True
    if d in extra_holidays:
        return False
    if d.weekday() >= 5 or (d.month, d.day) in BANK_YEAR_END_CLOSURES:
        return False
    return not is_national_holiday(d)


def is_company_business_day(
    d: dt.date,
    *,
    extra_holidays: Set[dt.date] = _EMPTY,
    extra_business_days: Set[dt.date] = _EMPTY,
) -> bool:
    """R7.3: weekends, national holidays and company holidays are closed; no bank year-end rule."""
    d = _as_date(d)
    if d in extra_business_days:
        return True
    if d in extra_holidays:
        return False
    if d.weekday() >= 5:
        return False
    return not is_national_holiday(d)


_PREDICATES = {
    CalendarKind.BANK: is_bank_business_day,
    CalendarKind.COMPANY: is_company_business_day,
}


def is_business_day(
    d: dt.date,
    *,
    kind: CalendarKind = CalendarKind.BANK,
    extra_holidays: Set[dt.date] = _EMPTY,
    extra_business_days: Set[dt.date] = _EMPTY,
) -> bool:
    return _PREDICATES[CalendarKind(kind)](
        d, extra_holidays=extra_holidays, extra_business_days=extra_business_days
    )


def _step(
    d: dt.date,
    delta: dt.timedelta,
    kind: CalendarKind,
    extra_holidays: Set[dt.date],
    extra_business_days: Set[dt.date],
) -> dt.date:
    """First business day strictly after (delta > 0) or before (delta < 0) d."""
    predicate = _PREDICATES[CalendarKind(kind)]
    current = _as_date(d)
    for _ in range(_MAX_SEARCH_DAYS):
        current += delta
        if predicate(current, extra_holidays=extra_holidays, extra_business_days=extra_business_days):
            return current
    raise ValueError(f"no business day within {_MAX_SEARCH_DAYS} days of {d}; check the holiday overrides")


def next_business_day(
    d: dt.date,
    *,
    kind: CalendarKind = CalendarKind.BANK,
    extra_holidays: Set[dt.date] = _EMPTY,
    extra_business_days: Set[dt.date] = _EMPTY,
) -> dt.date:
    """The first business day strictly after d."""
    return _step(d, _ONE_DAY, kind, extra_holidays, extra_business_days)


def previous_business_day(
    d: dt.date,
    *,
    kind: CalendarKind = CalendarKind.BANK,
    extra_holidays: Set[dt.date] = _EMPTY,
    extra_business_days: Set[dt.date] = _EMPTY,
) -> dt.date:
    """The last business day strictly before d."""
    return _step(d, -_ONE_DAY, kind, extra_holidays, extra_business_days)


def roll_to_business_day(
    d: dt.date,
    direction: Roll | str = Roll.PREVIOUS,
    *,
    kind: CalendarKind = CalendarKind.BANK,
    extra_holidays: Set[dt.date] = _EMPTY,
    extra_business_days: Set[dt.date] = _EMPTY,
) -> dt.date:
    """R11.2: d itself when it is a business day, else the previous (default) or next one."""
    d = _as_date(d)
    if is_business_day(d, kind=kind, extra_holidays=extra_holidays, extra_business_days=extra_business_days):
        return d
    delta = -_ONE_DAY if Roll(direction) is Roll.PREVIOUS else _ONE_DAY
    return _step(d, delta, kind, extra_holidays, extra_business_days)


def add_business_days(
    d: dt.date,
    n: int,
    *,
    kind: CalendarKind = CalendarKind.BANK,
    extra_holidays: Set[dt.date] = _EMPTY,
    extra_business_days: Set[dt.date] = _EMPTY,
) -> dt.date:
    """The n-th business day after d (n > 0) or before d (n < 0); d itself is never counted.

    n == 0 returns d unchanged (even on a closed day): use roll_to_business_day to move it.
    """
    d = _as_date(d)
    delta = _ONE_DAY if n > 0 else -_ONE_DAY
    for _ in range(abs(n)):
        d = _step(d, delta, kind, extra_holidays, extra_business_days)
    return d


def business_days_between(
    a: dt.date,
    b: dt.date,
    *,
    kind: CalendarKind = CalendarKind.BANK,
    extra_holidays: Set[dt.date] = _EMPTY,
    extra_business_days: Set[dt.date] = _EMPTY,
) -> int:
    """Business days d with a < d <= b (negative when b < a).

    Counting excludes the start day, so "received Monday, stored the next Monday" is 5 営業日 — the
    reading used for the R7.3 おおむね 7 営業日 input period.
    """
    a, b = _as_date(a), _as_date(b)
    if b < a:
        return -business_days_between(
            b, a, kind=kind, extra_holidays=extra_holidays, extra_business_days=extra_business_days
        )
    predicate = _PREDICATES[CalendarKind(kind)]
    count = 0
    current = a
    while current < b:
        current += _ONE_DAY
        if predicate(current, extra_holidays=extra_holidays, extra_business_days=extra_business_days):
            count += 1
    return count
