import pytest

from core.money import Rounding, acceptable_printed_tax, format_yen, tax_included_part, tax_on_exclusive


@pytest.mark.parametrize(
    ("total", "rate", "rounding", "expected"),
    [
        (1320, 10, Rounding.FLOOR, 120),  # R6.3 example
        (864, 8, Rounding.FLOOR, 64),  # R6.3 example
        (1000, 10, Rounding.FLOOR, 90),  # 90.909…
        (1000, 10, Rounding.CEIL, 91),
        (1000, 10, Rounding.HALF_UP, 91),
        (1050, 8, Rounding.FLOOR, 77),  # 77.777…
        (1050, 8, Rounding.HALF_UP, 78),
        (5, 10, Rounding.HALF_UP, 0),  # 0.4545…
        (6, 10, Rounding.HALF_UP, 1),  # 0.5454…
        (0, 10, Rounding.CEIL, 0),
    ],
)
def test_r6_3_tax_included_part(total: int, rate: int, rounding: Rounding, expected: int) -> None:
    assert tax_included_part(total, rate, rounding) == expected


def test_r6_3_tax_on_exclusive_amount() -> None:
    assert tax_on_exclusive(79846, 10, Rounding.FLOOR) == 7984
    assert tax_on_exclusive(79846, 10, Rounding.CEIL) == 7985


def test_r6_2_rounding_once_per_rate_differs_from_per_line_rounding() -> None:
    lines = [105, 105, 105]
    per_line = sum(tax_included_part(x, 10) for x in lines)
    once = tax_included_part(sum(lines), 10)
    assert (per_line, once) == (27, 28)


def test_r6_4_acceptable_printed_tax() -> None:
    assert acceptable_printed_tax(1000, 10) == {90, 91}
    assert acceptable_printed_tax(1100, 10) == {100}


def test_integer_arithmetic_on_large_amounts_is_exact() -> None:
    assert tax_included_part(99_999_999_999, 10) == 9_090_909_090


def test_format_yen() -> None:
    assert format_yen(1234) == "¥1,234"
    assert format_yen(-500) == "-¥500"
    assert format_yen(0) == "¥0"
