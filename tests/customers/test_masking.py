"""Masking of personal data (SPEC §9): ``138****5678``, emails, addresses down to the district."""

import pytest

from fivestar.customers.masking import mask


@pytest.mark.parametrize(
    "phone", ["13812345678", "+8613812345678", "+86 138 1234 5678", "138-1234-5678"]
)
def test_mainland_mobile_shows_first_three_and_last_four(phone):
    assert mask(phone, "phone") == "138****5678"


def test_other_numbers_hide_all_but_the_ends():
    masked = mask("+862161234567", "phone")
    assert masked.startswith("+8") and masked.endswith("67")
    assert "6123" not in masked


def test_email_keeps_first_letter_and_domain():
    assert mask("zhang.san@example.com", "email") == "z***@example.com"


@pytest.mark.parametrize(
    ("address", "masked"),
    [
        ("广东省深圳市南山区科技园南路 1 号 3 栋 501", "广东省深圳市南山区****"),
        ("北京市朝阳区建国路 88 号", "北京市朝阳区****"),
        ("浙江省杭州市余杭县某某镇 12 号", "浙江省杭州市余杭县****"),
        ("内蒙古自治区呼和浩特市新城区中山路 5 号", "内蒙古自治区呼和浩特市新城区****"),
    ],
)
def test_address_keeps_the_district_and_hides_the_street(address, masked):
    assert mask(address, "address") == masked


def test_address_without_a_district_still_hides_the_street():
    masked = mask("科技园南路一号三栋五零一", "address")
    assert masked.endswith("****")
    assert "五零一" not in masked


def test_name_keeps_the_family_name():
    assert mask("张三丰", "name") == "张**"


@pytest.mark.parametrize("kind", ["phone", "email", "address", "name"])
def test_empty_stays_empty(kind):
    assert mask("", kind) == ""
    assert mask(None, kind) == ""


def test_unknown_kind_is_a_programming_error():
    with pytest.raises(ValueError, match="unknown kind"):
        mask("x", "passport")
