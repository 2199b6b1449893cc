"""Integer-yen tax arithmetic (domain.md R6). No floats anywhere near money."""

import enum


class Rounding(enum.StrEnum):
    FLOOR = "floor"  # 切捨て (default)
    HALF_UP = "half_up"  # 四捨五入
    CEIL = "ceil"  # 切上げ


def _round_fraction(q: int, r: int, divisor: int, rounding: Rounding) -> int:
    if r == 0 or rounding is Rounding.FLOOR:
        return q
    if rounding is Rounding.CEIL:
        return q + 1
    return q + (1 if 2 * r >= divisor else 0)


def tax_included_part(total: int, rate_percent: int, rounding: Rounding = Rounding.FLOOR) -> int:
    """Tax contained in a tax-inclusive total: T × r / (100 + r), rounded once (R6.2, R6.3)."""
    if total < 0:
        return -tax_included_part(-total, rate_percent, rounding)
    divisor = 100 + rate_percent
    q, r = divmod(total * rate_percent, divisor)
    return _round_fraction(q, r, divisor, rounding)


def tax_on_exclusive(amount: int, rate_percent: int, rounding: Rounding = Rounding.FLOOR) -> int:
    """Tax on a tax-exclusive amount: T × r / 100, rounded once (R6.3)."""
    if amount < 0:
        return -tax_on_exclusive(-amount, rate_percent, rounding)
    q, r = divmod(amount * rate_percent, 100)
    return _round_fraction(q, r, 100, rounding)


def acceptable_printed_tax(total: int, rate_percent: int) -> set[int]:
    """R6.4: a printed per-rate tax is plausible if it equals any permitted rounding."""
    return {tax_included_part(total, rate_percent, mode) for mode in Rounding}


def format_yen(amount: int | None) -> str:
    if amount is None:
        return ""
    sign = "-" if amount < 0 else ""
    return f"{sign}¥{abs(amount):,}"
