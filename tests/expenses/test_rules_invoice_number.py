import pytest

from expenses.rules.invoice_number import (
    InvoiceNumberStatus,
    check_invoice_number,
    normalise_invoice_number,
    registration_check_digit,
)

VALID = ["T4011001098993", "T7010705000725", "T2120901007402", "T5835678256246"]


def test_r1_3_worked_example_check_digit() -> None:
    assert registration_check_digit("123456789012") == 7


@pytest.mark.parametrize("number", VALID)
def test_r1_3_valid_vectors_pass(number: str) -> None:
    result = check_invoice_number(number)
    assert result.status is InvoiceNumberStatus.OK
    assert result.normalised == number


@pytest.mark.parametrize("number", VALID)
def test_r1_3_single_digit_change_is_flagged(number: str) -> None:
    digits = list(number)
    digits[5] = str((int(digits[5]) + 1) % 10) if digits[5] not in "09" else ("1" if digits[5] == "0" else "8")
    result = check_invoice_number("".join(digits))
    assert result.status is InvoiceNumberStatus.WARNING  # R1.5: individuals' numbers may not follow the rule


def test_r1_5_known_corporation_with_bad_check_digit_is_an_error() -> None:
    assert check_invoice_number("T5011001098993", known_corporation=True).status is InvoiceNumberStatus.ERROR


@pytest.mark.parametrize("raw", ["Ｔ４０１１００１０９８９９３", "t 4011-0010-98993", "T4011 0010 98993"])
def test_r1_2_full_width_spaces_and_hyphens_are_normalised(raw: str) -> None:
    assert normalise_invoice_number(raw) == "T4011001098993"
    assert check_invoice_number(raw).status is InvoiceNumberStatus.OK


@pytest.mark.parametrize("raw", ["4011001098993", "T401100109899", "T40110010989930", "TX011001098993", "<script>"])
def test_r1_5_bad_format_is_an_error(raw: str) -> None:
    result = check_invoice_number(raw)
    assert result.status is InvoiceNumberStatus.ERROR
    assert "T" in result.message


def test_r1_5_leading_zero_warns() -> None:
    assert check_invoice_number("T0123456789012").status is InvoiceNumberStatus.WARNING
