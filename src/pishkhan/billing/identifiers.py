"""The national bill id (شناسه قبض) and payment id (شناسه پرداخت) pair.

Every Iranian bank channel (branch, ATM, internet bank, USSD, the Shaparak gateways)
collects a bill by this pair, so its layout and check digits follow the national
standard exactly (facts in the shared docs' domain.md):

- bill id, 6–13 digits: file code (1–8 digits) + company code (3) + service type (1)
  + check digit over the digits before it. The municipality's service type is 6.
- payment id: amount in thousands of rials + year digit (last digit of the Jalali
  year) + period (2 digits) + check digit 1 (over the payment id before it) + check
  digit 2 (over the bill id followed by the payment id without its last digit). Its
  leading zeros are not significant; banks print it zero-padded to 13 digits.
- check digit: weights 2, 3, 4, 5, 6, 7, 2, 3, … from the rightmost digit leftwards;
  r = sum mod 11; the digit is 0 when r < 2, else 11 − r.

The amount is part of the payment id, so a bill whose amount changes gets a new payment
id (and is a new bill: bills are immutable once issued). A bill's total must therefore
be a whole number of thousands of rials, and at most eight digits of thousands.

Parsing accepts Persian and Arabic-Indic digits and refuses, with a Persian message,
anything that is not exactly a valid identifier.
"""

from __future__ import annotations

from dataclasses import dataclass

from pishkhan.core.digits import to_ascii_digits, to_persian_digits

MUNICIPALITY = 6
FILE_CODE_MAX_DIGITS = 8
BILL_ID_MIN, BILL_ID_MAX = 6, 13
PAYMENT_ID_MAX = 13
AMOUNT_MAX_THOUSANDS = 10**8 - 1  # eight digits of thousands of rials
RIALS_PER_UNIT = 1000
PAYMENT_ID_PRINT_WIDTH = 13


class IdentifierError(ValueError):
    """A bill id or payment id that is not valid; `message` is the Persian reason."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def check_digit(digits: str) -> int:
    """The check digit of a string of ASCII digits (weights 2..7 from the right)."""
    total = sum(int(d) * (2 + i % 6) for i, d in enumerate(reversed(digits)))
    r = total % 11
    return 0 if r < 2 else 11 - r


@dataclass(frozen=True)
class BillId:
    file_code: int
    company_code: int
    service_type: int

    def __str__(self) -> str:
        return make_bill_id(self.file_code, self.company_code, self.service_type)


@dataclass(frozen=True)
class PaymentId:
    amount_rials: int
    year_digit: int
    period: int

    @property
    def amount_thousands(self) -> int:
        return self.amount_rials // RIALS_PER_UNIT


def make_bill_id(file_code: int, company_code: int, service_type: int = MUNICIPALITY) -> str:
    """The bill id of a file code (the bill's serial), company code and service type."""
    if isinstance(file_code, bool) or not isinstance(file_code, int):
        raise IdentifierError("کد فایل فیش باید عدد صحیح باشد.")
    if not 1 <= file_code < 10**FILE_CODE_MAX_DIGITS:
        raise IdentifierError("کد فایل فیش باید بین ۱ و ۹۹٬۹۹۹٬۹۹۹ باشد.")
    if not 0 <= company_code <= 999:
        raise IdentifierError("کد شرکت سه رقم است.")
    if not 0 <= service_type <= 9:
        raise IdentifierError("نوع خدمت یک رقم است.")
    body = f"{file_code}{company_code:03d}{service_type}"
    return body + str(check_digit(body))


def digits_of(raw: object, what: str, max_length: int) -> str:
    """ASCII digits of an identifier as typed (Persian digits, spaces and dashes allowed
    between groups); IdentifierError otherwise."""
    if not isinstance(raw, str):
        raise IdentifierError(f"{what} باید متن باشد.")
    if len(raw) > 64 or "\x00" in raw:
        raise IdentifierError(f"{what} معتبر نیست.")
    text = to_ascii_digits(raw).replace(" ", "").replace("-", "")
    if not text or not text.isascii() or not text.isdigit():
        raise IdentifierError(f"{what} فقط از رقم تشکیل می‌شود.")
    if len(text) > max_length:
        raise IdentifierError(f"{what} حداکثر {max_length} رقم است.")
    return text


def parse_bill_id(raw: object) -> BillId:
    """The fields of a bill id, or IdentifierError (a wrong check digit included)."""
    text = digits_of(raw, "شناسه قبض", BILL_ID_MAX)
    if len(text) < BILL_ID_MIN or text[0] == "0":
        raise IdentifierError("شناسه قبض ۶ تا ۱۳ رقم است و با صفر شروع نمی‌شود.")
    if check_digit(text[:-1]) != int(text[-1]):
        raise IdentifierError("رقم کنترل شناسه قبض درست نیست.")
    return BillId(
        file_code=int(text[:-5]), company_code=int(text[-5:-2]), service_type=int(text[-2])
    )


def make_payment_id(bill_id: str, amount_rials: int, year_digit: int, period: int) -> str:
    """The payment id (without leading zeros) of a bill of `amount_rials`."""
    if isinstance(amount_rials, bool) or not isinstance(amount_rials, int):
        raise IdentifierError("مبلغ فیش باید عدد صحیح ریال باشد.")
    if amount_rials <= 0:
        raise IdentifierError("مبلغ فیش باید بیشتر از صفر باشد.")
    if amount_rials % RIALS_PER_UNIT:
        raise IdentifierError("مبلغ فیش باید مضرب هزار ریال باشد.")
    if amount_rials // RIALS_PER_UNIT > AMOUNT_MAX_THOUSANDS:
        raise IdentifierError("مبلغ فیش از سقف یک شناسه پرداخت (۹۹٬۹۹۹٬۹۹۹ هزار ریال) بیشتر است.")
    if not 0 <= year_digit <= 9:
        raise IdentifierError("رقم سال یک رقم است.")
    if not 0 <= period <= 99:
        raise IdentifierError("دوره دو رقم است.")
    parse_bill_id(bill_id)
    body = f"{amount_rials // RIALS_PER_UNIT}{year_digit}{period:02d}"
    body += str(check_digit(body))
    return body + str(check_digit(bill_id + body))


def parse_payment_id(bill_id: object, payment_id: object) -> tuple[BillId, PaymentId]:
    """The fields of a bill id and payment id that belong together, or IdentifierError:
    a wrong check digit of either, or a payment id made for another bill."""
    bill = parse_bill_id(bill_id)
    bill_text = digits_of(bill_id, "شناسه قبض", BILL_ID_MAX)
    text = digits_of(payment_id, "شناسه پرداخت", 64).lstrip("0")
    if len(text) > PAYMENT_ID_MAX:
        raise IdentifierError(f"شناسه پرداخت حداکثر {PAYMENT_ID_MAX} رقم است.")
    if len(text) < 6:
        raise IdentifierError("شناسه پرداخت دست‌کم ۶ رقم معنادار دارد.")
    if check_digit(text[:-2]) != int(text[-2]):
        raise IdentifierError("رقم کنترل اول شناسه پرداخت درست نیست.")
    if check_digit(bill_text + text[:-1]) != int(text[-1]):
        raise IdentifierError("شناسه پرداخت با این شناسه قبض نمی‌خواند (رقم کنترل دوم).")
    amount = int(text[:-5])
    if amount == 0:
        raise IdentifierError("مبلغ شناسه پرداخت صفر است.")
    return bill, PaymentId(
        amount_rials=amount * RIALS_PER_UNIT, year_digit=int(text[-5]), period=int(text[-4:-2])
    )


def printed_payment_id(payment_id: str) -> str:
    """The payment id as banks print it: zero-padded to 13 digits."""
    return payment_id.zfill(PAYMENT_ID_PRINT_WIDTH)


def grouped(digits: str) -> str:
    """A long identifier in groups of four from the right, in Persian digits."""
    groups: list[str] = []
    while digits:
        groups.insert(0, digits[-4:])
        digits = digits[:-4]
    return to_persian_digits(" ".join(groups))


def printed_payment_label(payment_id: str) -> str:
    """The payment id as the bill page and the printed bill show it, grouped."""
    return grouped(printed_payment_id(payment_id).lstrip("0") or "0")
