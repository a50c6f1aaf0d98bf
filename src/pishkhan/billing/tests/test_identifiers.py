"""The bill id / payment id pair against the published valid pair, hand-computed ones,
round trips and every single changed digit."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pishkhan.billing.identifiers import (
    BillId,
    IdentifierError,
    PaymentId,
    check_digit,
    make_bill_id,
    make_payment_id,
    parse_bill_id,
    parse_payment_id,
    printed_payment_id,
)

PUBLISHED_BILL = "9985235404124"  # an electricity bill (service type 2), domain.md
PUBLISHED_PAYMENT = "0000880000568"  # 8,800,000 rials, year digit 0, period 05


def test_the_published_pair_parses_to_its_fields() -> None:
    bill, payment = parse_payment_id(PUBLISHED_BILL, PUBLISHED_PAYMENT)
    assert bill == BillId(file_code=99852354, company_code=41, service_type=2)
    assert payment == PaymentId(amount_rials=8_800_000, year_digit=0, period=5)


def test_the_published_pair_is_what_we_generate_from_its_fields() -> None:
    assert make_bill_id(99852354, 41, 2) == PUBLISHED_BILL
    payment = make_payment_id(PUBLISHED_BILL, 8_800_000, 0, 5)
    assert printed_payment_id(payment) == PUBLISHED_PAYMENT


def test_check_digit_by_hand() -> None:
    # 1·2 + 2·3 + 3·4 + 4·5 + 5·6 + 6·7 = 112; 112 mod 11 = 2; 11 − 2 = 9
    assert check_digit("654321") == 9
    # 1·2 + 1·3 = 5 → 11 − 5 = 6
    assert check_digit("11") == 6
    # 0 → r = 0 < 2 → 0;  a weight sum of 12 (6·2) → r = 1 < 2 → 0
    assert check_digit("0") == 0
    assert check_digit("6") == 0
    # weights wrap after 7: 1 at the seventh place from the right weighs 2
    assert check_digit("1000000") == 9


def test_a_municipal_bill_by_hand() -> None:
    # file code 1234, company 567, service 6: body 12345676
    # from the right: 6·2 7·3 6·4 5·5 4·6 3·7 2·2 1·3 = 12+21+24+25+24+21+4+3 = 134
    # 134 mod 11 = 2 → 11 − 2 = 9
    assert make_bill_id(1234, 567, 6) == "123456769"
    # payment: 1,500,000 rials = 1500 thousands, year 3 (1403), period 07: 1500307
    # 7·2 0·3 3·4 0·5 0·6 5·7 1·2 = 14+0+12+0+0+35+2 = 63; 63 mod 11 = 8 → 3
    payment = make_payment_id("123456769", 1_500_000, 3, 7)
    assert payment[:-1] == "15003073"
    assert payment[-1] == str(check_digit("123456769" + "15003073"))
    assert parse_payment_id("۱۲۳۴۵۶۷۶۹", payment)[1] == PaymentId(1_500_000, 3, 7)


@given(
    file_code=st.integers(1, 10**8 - 1),
    company=st.integers(0, 999),
    service=st.integers(0, 9),
    thousands=st.integers(1, 10**8 - 1),
    year_digit=st.integers(0, 9),
    period=st.integers(0, 99),
)
def test_round_trip(
    file_code: int, company: int, service: int, thousands: int, year_digit: int, period: int
) -> None:
    bill_id = make_bill_id(file_code, company, service)
    payment_id = make_payment_id(bill_id, thousands * 1000, year_digit, period)
    assert 6 <= len(bill_id) <= 13
    assert len(payment_id) <= 13
    bill, payment = parse_payment_id(bill_id, printed_payment_id(payment_id))
    assert bill == BillId(file_code, company, service)
    assert payment == PaymentId(thousands * 1000, year_digit, period)


def changed_digits(text: str) -> list[str]:
    return [
        text[:i] + d + text[i + 1 :] for i in range(len(text)) for d in "0123456789" if d != text[i]
    ]


@pytest.mark.parametrize("changed", changed_digits(PUBLISHED_BILL))
def test_every_changed_digit_of_the_bill_id_is_refused(changed: str) -> None:
    # A changed check digit, or a changed body digit under the same check digit. (One
    # changed digit of the body can keep the bill id valid only with another check
    # digit, which is a changed digit too: the pair is then refused by check digit 2.)
    with pytest.raises(IdentifierError):
        parse_payment_id(changed, PUBLISHED_PAYMENT)


@pytest.mark.parametrize("changed", changed_digits(PUBLISHED_PAYMENT.lstrip("0")))
def test_every_changed_digit_of_the_payment_id_is_refused(changed: str) -> None:
    with pytest.raises(IdentifierError):
        parse_payment_id(PUBLISHED_BILL, changed)


def remainder(digits: str) -> int:
    return sum(int(d) * (2 + i % 6) for i, d in enumerate(reversed(digits))) % 11


def blind_spot(bill_id: str, payment_id: str) -> bool:
    """The standard maps a remainder of 0 and of 1 both to the check digit 0, so a changed
    digit that moves every remainder it touches between 0 and 1 keeps the pair valid."""
    return remainder(bill_id[:-1]) in (0, 1) and remainder(bill_id + payment_id[:-1]) in (0, 1)


@given(
    file_code=st.integers(1, 10**8 - 1),
    thousands=st.integers(1, 10**8 - 1),
    position=st.integers(0, 40),
    delta=st.integers(1, 9),
    which=st.sampled_from(["bill", "payment"]),
)
def test_a_single_changed_digit_is_refused_but_for_the_standards_blind_spot(
    file_code: int, thousands: int, position: int, delta: int, which: str
) -> None:
    bill_id = make_bill_id(file_code, 123, 6)
    payment_id = make_payment_id(bill_id, thousands * 1000, 4, 1)
    target = bill_id if which == "bill" else payment_id
    i = position % len(target)
    changed = target[:i] + str((int(target[i]) + delta) % 10) + target[i + 1 :]
    pair = (changed, payment_id) if which == "bill" else (bill_id, changed)
    try:
        parse_payment_id(*pair)
    except IdentifierError:
        return
    # Accepted: only a body digit, and only inside the 0-and-1 blind spot of both checks.
    assert i < len(target) - (1 if which == "bill" else 2)
    assert blind_spot(*pair)
    assert blind_spot(bill_id, payment_id)
    if which == "payment":
        assert remainder(changed[:-2]) in (0, 1)
        assert remainder(payment_id[:-2]) in (0, 1)


@given(
    file_code=st.integers(1, 10**8 - 1),
    thousands=st.integers(1, 10**8 - 1),
    which=st.sampled_from(["bill", "first", "second"]),
    delta=st.integers(1, 9),
)
def test_a_changed_check_digit_is_always_refused(
    file_code: int, thousands: int, which: str, delta: int
) -> None:
    bill_id = make_bill_id(file_code, 123, 6)
    payment_id = make_payment_id(bill_id, thousands * 1000, 4, 1)
    i = {"bill": len(bill_id) - 1, "first": len(payment_id) - 2, "second": len(payment_id) - 1}
    target = bill_id if which == "bill" else payment_id
    at = i[which]
    changed = target[:at] + str((int(target[at]) + delta) % 10) + target[at + 1 :]
    with pytest.raises(IdentifierError):
        parse_payment_id(*((changed, payment_id) if which == "bill" else (bill_id, changed)))


def test_the_blind_spot_of_the_standard_is_real() -> None:
    """Found by search: a changed digit no check digit of the standard can see. The
    payment side matches the pair to a stored bill and its amount, never the digits alone."""
    bill_id, payment_id = "2837306712360", "88040540150"
    changed = "2837306512360"
    parse_payment_id(bill_id, payment_id)
    parse_payment_id(changed, payment_id)
    assert blind_spot(bill_id, payment_id)
    assert blind_spot(changed, payment_id)


def test_a_changed_amount_is_a_new_payment_id() -> None:
    bill_id = make_bill_id(42, 123)
    one = make_payment_id(bill_id, 2_000_000, 4, 1)
    other = make_payment_id(bill_id, 2_001_000, 4, 1)
    assert one != other
    assert parse_payment_id(bill_id, other)[1].amount_rials == 2_001_000


@pytest.mark.parametrize(
    "raw",
    ["", "12345", "0123456769", "12345676x", "1234\x0056769", "1" * 14, None, 123456769, "٩" * 80],
)
def test_hostile_bill_ids_are_refused_in_persian(raw: object) -> None:
    with pytest.raises(IdentifierError) as error:
        parse_bill_id(raw)
    assert any("\u0600" <= ch <= "\u06ff" for ch in error.value.message)


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        (0, "بیشتر از صفر"),
        (-1000, "بیشتر از صفر"),
        (1500, "مضرب هزار"),
        (10**11, "سقف"),
        (True, "عدد صحیح"),
        (1.5e6, "عدد صحیح"),
    ],
)
def test_payment_ids_refuse_bad_amounts(amount: object, message: str) -> None:
    with pytest.raises(IdentifierError) as error:
        make_payment_id("123456769", amount, 3, 1)  # type: ignore[arg-type]
    assert message in error.value.message


def test_a_payment_id_of_another_bill_is_refused() -> None:
    payment_id = make_payment_id("123456769", 1_000_000, 3, 1)
    other_bill = make_bill_id(1235, 567)
    with pytest.raises(IdentifierError, match="نمی‌خواند"):
        parse_payment_id(other_bill, payment_id)
