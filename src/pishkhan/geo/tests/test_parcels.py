"""Parcels keep one spelling of their codes, whatever digits were typed."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from pishkhan.geo.models import ConditionKind, ParcelCondition
from pishkhan.testing.personas import Builder


def test_it_stores_ascii_digits_for_codes_typed_in_persian(
    actions_builder: Builder,
) -> None:
    parcel = actions_builder.parcel(actions_builder.district())
    parcel.renewal_code = "۳-۱۲-۴۵-۰-۰"
    parcel.postal_code = "۸۱۳۴۸۷۳۴۵۱"
    parcel.full_clean()
    assert (parcel.renewal_code, parcel.postal_code) == ("3-12-45-0-0", "8134873451")


def test_a_blank_postal_code_is_unknown_not_empty(actions_builder: Builder) -> None:
    parcel = actions_builder.parcel(actions_builder.district())
    parcel.postal_code = ""
    parcel.full_clean()
    assert parcel.postal_code is None


def test_a_debt_needs_an_amount(actions_builder: Builder) -> None:
    parcel = actions_builder.parcel(actions_builder.district())
    condition = ParcelCondition(
        parcel=parcel, kind=ConditionKind.DEBT, title="عوارض", recorded_on=actions_builder.today
    )
    with pytest.raises(ValidationError) as raised:
        condition.full_clean()
    assert raised.value.message_dict == {"amount": ["برای بدهی، مبلغ را وارد کنید."]}
