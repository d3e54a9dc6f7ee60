"""Phone numbers: every spelling of one mainland mobile number becomes one E.164 string."""

import pytest

from fivestar.core.errors import ValidationFailed
from fivestar.customers.phones import normalize_phone


@pytest.mark.parametrize(
    "raw",
    [
        "13812345678",
        "+8613812345678",
        "+86 138 1234 5678",
        "138 1234 5678",
        "138-1234-5678",
        "+86-138-1234-5678",
        "(+86) 138-1234-5678",
        "008613812345678",
        "8613812345678",
        "  13812345678  ",
        "１３８１２３４５６７８",  # full-width digits typed with a Chinese IME
    ],
)
def test_mainland_mobile_spellings_normalise_to_one_e164(raw):
    assert normalize_phone(raw) == "+8613812345678"


def test_landline_and_foreign_numbers_are_kept_in_e164():
    assert normalize_phone("021-6123 4567") == "+862161234567"
    assert normalize_phone("+1 202 555 0100") == "+12025550100"


@pytest.mark.parametrize(
    "raw",
    [
        "1381234567",  # 10 digits
        "138123456789",  # 12 digits
        "10012345678",  # no mobile range starts with 100
        "+86 12345678901",
        "12345",
        "not a phone",
        "138abc45678",  # keypad letters would make it another valid number
        "138l2345678",  # an L typed for a 1
        "138 1234 5678 ext 12",
    ],
)
def test_invalid_numbers_raise_naming_the_field(raw):
    with pytest.raises(ValidationFailed) as caught:
        normalize_phone(raw, field="customer.phone")
    assert list(caught.value.fields) == ["customer.phone"]
    assert caught.value.status == 422


def test_blank_number_is_required():
    with pytest.raises(ValidationFailed) as caught:
        normalize_phone("   ", field="phone")
    assert "phone" in caught.value.fields
