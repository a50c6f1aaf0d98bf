"""What every demo builder shares: the seed and its random streams, Persian names with
valid national IDs and mobiles, Jalali dates, and the validation of bulk-created rows."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from zoneinfo import ZoneInfo

from django.db.models import Model

from pishkhan.core.jalali import from_jalali, to_jalali
from pishkhan.core.national_id import is_valid_national_id, national_id_check_digit

SEED = 1405
TEHRAN = ZoneInfo("Asia/Tehran")


def stream(seed: int, topic: str) -> random.Random:
    """An independent, reproducible random stream per kind of data."""
    return random.Random(f"{seed}:{topic}")  # noqa: S311 - demo data, not secrets


# --- people -----------------------------------------------------------------------------

MALE_NAMES = (
    "علی", "محمد", "حسین", "رضا", "مهدی", "امیر", "حمید", "سعید", "مجید", "مصطفی",
    "جواد", "احمد", "محسن", "حسن", "مرتضی", "کاظم", "ابوالفضل", "امین", "پویا", "نوید",
    "بهنام", "فرهاد", "کامران", "هادی", "یاسر", "میلاد", "سجاد", "عرفان", "آرش", "داوود",
)  # fmt: skip
FEMALE_NAMES = (
    "فاطمه", "زهرا", "مریم", "زینب", "سمیه", "الهام", "نرگس", "مهسا", "سارا", "نازنین",
    "لیلا", "شیما", "ریحانه", "مینا", "پریسا", "نسرین", "فرزانه", "معصومه", "طاهره", "هانیه",
    "آزاده", "سپیده", "محدثه", "الهه", "بهاره", "مهناز", "سحر", "ندا", "راضیه", "کوثر",
)  # fmt: skip
LAST_NAMES = (
    "احمدی", "محمدی", "حسینی", "رضایی", "کاظمی", "موسوی", "جعفری", "صادقی", "کریمی",
    "رحیمی", "نوروزی", "قاسمی", "هاشمی", "سلطانی", "شریفی", "امینی", "نجفی", "طاهری",
    "فاضلی", "یزدانی", "زمانی", "خسروی", "مرادی", "باقری", "عسگری", "اکبری", "اسدی",
    "ابراهیمی", "نظری", "کیانی", "ملکی", "شفیعی", "شاهمرادی", "نصیری", "ترابی", "حیدری",
    "میرلوحی", "فروغی", "جلالی", "سبحانی", "قربانی", "دهقانی", "کشاورز", "زارعی", "توکلی",
    "بهشتی", "عابدی", "خادمی", "رنجبر", "نیکبخت", "صفوی", "لطفی", "پورمحمدی", "ستاری",
    "مختاری", "وحیدی", "پاکزاد", "صالحی", "فتحی", "نصر اصفهانی", "جمالزاده", "کلانتری",
    "سلیمانی", "آقاجانی", "شیروانی", "هرندی", "طباطبایی", "درخشان", "اصفهانیان", "دهکردی",
)  # fmt: skip
# Birth-place codes (the first three digits) issued in Isfahan; others come at random.
ISFAHAN_ID_PREFIXES = ("127", "128", "129", "130")
MOBILE_PREFIXES = ("0913", "0913", "0913", "0912", "0919", "0935", "0936", "0939", "0901",
                   "0902", "0990", "0991", "0930", "0933")  # fmt: skip


class People:
    """Persian names, unique valid national IDs and unique mobiles from one stream."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.national_ids: set[str] = set()
        self.mobiles: set[str] = set()

    def name(self) -> tuple[str, str]:
        first = self.rng.choice(MALE_NAMES if self.rng.random() < 0.5 else FEMALE_NAMES)
        return first, self.rng.choice(LAST_NAMES)

    def _digits(self, count: int) -> str:
        return "".join(str(self.rng.randrange(10)) for _ in range(count))

    def national_id(self) -> str:
        while True:
            if self.rng.random() < 0.75:
                prefix = self.rng.choice(ISFAHAN_ID_PREFIXES)
            else:
                prefix = self._digits(3)
            body = prefix + self._digits(6)
            value = body + str(national_id_check_digit(body))
            if is_valid_national_id(value) and value not in self.national_ids:
                self.national_ids.add(value)
                return value

    def mobile(self) -> str:
        while True:
            value = self.rng.choice(MOBILE_PREFIXES) + self._digits(7)
            if value not in self.mobiles:
                self.mobiles.add(value)
                return value


# --- dates ------------------------------------------------------------------------------


def jdate(text: str) -> dt.date:
    """'1403/01/15' → the Gregorian date."""
    year, month, day = (int(part) for part in text.split("/"))
    return from_jalali(year, month, day)


def random_day(rng: random.Random, first: dt.date, last: dt.date) -> dt.date:
    return first + dt.timedelta(days=rng.randrange((last - first).days + 1))


def plus_jalali_years(day: dt.date, years: int) -> dt.date:
    j = to_jalali(day)
    return from_jalali(j.year + years, j.month, min(j.day, 29)) - dt.timedelta(days=1)


def tehran_moment(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=TEHRAN)


# --- writing: validation ----------------------------------------------------------------

THOROUGH_EVERY = 25  # every 25th bulk-created row also runs full_clean()'s queries


def validate_rows(rows: Sequence[Model], relations: Sequence[str], every: int | None) -> None:
    """Every row's field validators and clean(), without queries; every `every`-th row
    (none when None) the whole full_clean(), with its foreign-key, unique and constraint
    queries. The plan already keeps natural keys unique within a run."""
    for k, row in enumerate(rows):
        if every and k % every == 0:
            row.full_clean()
        else:
            row.full_clean(
                exclude=list(relations), validate_unique=False, validate_constraints=False
            )
