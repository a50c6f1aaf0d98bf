"""The finance unit's admin: a rule previewed on a sample parcel is not saved, a rule is
published through the action, a rule in force is read only, bills are read only."""

from __future__ import annotations

import pytest
from django.urls import reverse

from pishkhan.billing.actions import do_issue_bill
from pishkhan.billing.models import Bill, BillKind, RenewalDuesRule, Vehicle
from pishkhan.billing.tests.conftest import Rules
from pishkhan.core.digits import to_persian_digits
from pishkhan.testing.personas import City, client_for

ADD = reverse("admin:billing_renewalduesrule_add")


def rule_post(**extra: str) -> dict[str, str]:
    return {
        "rate_bp": "۶۰",
        "value_basis": "land",
        "valuation_percent": "100",
        "early_discount_bp": "0",
        "valid_from": "۱۴۰۶/۰۱/۰۱",
        "resolution": "۷۷/ش",
        "approved_on": "۱۴۰۵/۰۹/۰۱",
        **extra,
    }


def test_a_preview_shows_the_dues_of_a_sample_parcel_and_saves_nothing(
    city: City, rules: Rules
) -> None:
    client = client_for(city.ada)
    before = RenewalDuesRule.objects.count()
    response = client.post(
        ADD,
        rule_post(sample=to_persian_digits(city.a.parcel.renewal_code), sample_year="1406",
                  _preview="1"),
    )  # fmt: skip
    html = response.content.decode()
    assert response.status_code == 200
    assert "پیش‌نمایش عوارض با این قاعده" in html
    assert "۱۸٬۰۰۰٬۰۰۰ ریال" in html  # 6 per thousand of 3,000,000,000
    assert RenewalDuesRule.objects.count() == before


def test_a_preview_with_an_unknown_parcel_says_so(city: City, rules: Rules) -> None:
    response = client_for(city.ada).post(ADD, rule_post(sample="99-9-9-9-9", _preview="1"))
    assert "ملکی با این کد نوسازی پیدا نشد" in response.content.decode()
    response = client_for(city.ada).post(ADD, rule_post(sample="x\x00", _preview="1"))
    assert response.status_code == 200
    assert "Traceback" not in response.content.decode()


def test_saving_publishes_the_rule_and_closes_the_one_before(city: City, rules: Rules) -> None:
    response = client_for(city.ada).post(ADD, rule_post())
    assert response.status_code == 302
    rules.renewal_new.refresh_from_db()
    assert rules.renewal_new.valid_until is not None
    assert RenewalDuesRule.objects.filter(valid_until__isnull=True).get().rate_bp == 60


@pytest.mark.parametrize(
    "bad",
    [{"rate_bp": "-5"}, {"rate_bp": "99999999999"}, {"valuation_percent": "0"},
     {"resolution": "x\x00"}, {"valid_from": "۱۴۰۱/۰۱/۰۱"}],
)  # fmt: skip
def test_hostile_rule_input_is_refused_in_persian(
    city: City, rules: Rules, bad: dict[str, str]
) -> None:
    before = RenewalDuesRule.objects.count()
    response = client_for(city.ada).post(ADD, rule_post(**bad))
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
    assert RenewalDuesRule.objects.count() == before


def test_a_rule_in_force_is_read_only_but_its_end(city: City, rules: Rules) -> None:
    url = reverse("admin:billing_renewalduesrule_change", args=[rules.renewal_new.pk])
    html = client_for(city.ada).get(url).content.decode()
    assert 'name="rate_bp"' not in html
    assert 'name="valid_until"' in html


def test_bills_are_read_only_in_the_admin(city: City, rules: Rules, now: object) -> None:
    bill = do_issue_bill(city.alice, kind=BillKind.RENEWAL, parcel_id=city.a.parcel.pk)
    client = client_for(city.ada)
    page = client.get(reverse("admin:billing_bill_change", args=[bill.pk]))
    assert page.status_code == 200
    assert 'name="total"' not in page.content.decode()
    client.post(reverse("admin:billing_bill_change", args=[bill.pk]), {"total": "1000"})
    assert Bill.objects.get(pk=bill.pk).total == bill.total
    assert client.get(reverse("admin:billing_bill_add")).status_code == 403


def test_the_registry_checks_plates_and_vins(city: City) -> None:
    client = client_for(city.ada)
    url = reverse("admin:billing_vehicle_add")
    post = {
        "plate": "۱۲ ب ۳۴۵ ایران ۶۷",
        "vin": "1M8GDM9A1KP042788",
        "vehicle_class": "passenger",
        "model_year": "1398",
        "owner": str(city.citizen.pk),
        "toll_paid_through": "1403",
    }
    refused = client.post(url, post)
    assert "رقم کنترل" in refused.content.decode()
    assert not Vehicle.objects.exists()
    assert (
        client.post(url, {**post, "plate": "۱۲ X ۳۴۵ ۶۷", "vin": "1M8GDM9AXKP042788"}).status_code
        == 200
    )
    assert client.post(url, {**post, "vin": "1M8GDM9AXKP042788"}).status_code == 302
    vehicle = Vehicle.objects.get()
    assert (vehicle.plate_two, vehicle.plate_letter, vehicle.plate_three, vehicle.plate_iran) == (
        12,
        "ب",
        345,
        67,
    )
