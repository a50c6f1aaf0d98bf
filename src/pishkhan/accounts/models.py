"""People who sign in (staff and citizens) and citizens as applicants."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models

from pishkhan.core.digits import normalize_persian_text
from pishkhan.core.models import TimeStamped
from pishkhan.core.national_id import normalize_national_id, validate_national_id
from pishkhan.core.phone import normalize_mobile, validate_mobile


class User(AbstractUser):
    """A sign-in account. Staff roles hang off `staff_profile`, citizens off `citizen`."""

    class Meta:
        verbose_name = "کاربر"
        verbose_name_plural = "کاربران"

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username


class Citizen(TimeStamped):
    """An applicant. Exists from the first counter visit; an account is optional."""

    national_id = models.CharField(
        "کد ملی", max_length=10, unique=True, validators=[validate_national_id]
    )
    first_name = models.CharField("نام", max_length=80)
    last_name = models.CharField("نام خانوادگی", max_length=80)
    mobile = models.CharField("شماره همراه", max_length=11, validators=[validate_mobile])
    user = models.OneToOneField(
        User,
        verbose_name="حساب کاربری",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="citizen",
    )
    is_demo = models.BooleanField("داده نمایشی", default=False, editable=False)

    class Meta:
        verbose_name = "شهروند"
        verbose_name_plural = "شهروندان"
        ordering = ["last_name", "first_name"]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def clean(self) -> None:
        self.national_id = normalize_national_id(self.national_id or "")
        self.mobile = normalize_mobile(self.mobile or "")
        self.first_name = normalize_persian_text(self.first_name or "")
        self.last_name = normalize_persian_text(self.last_name or "")
