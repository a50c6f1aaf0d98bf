"""The deposit from the rate table (across a rate change), the overdue job, and the
permit pages: scoped (a foreign id is a 404), linked from the case and the parcel file,
with flat query counts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from pishkhan.audit.models import AuditRecord
from pishkhan.cases.errors import WorkflowError
from pishkhan.core import clock
from pishkhan.core.digits import to_persian_digits
from pishkhan.excavation.actions import (
    deposit_for,
    do_flag_overdue_restorations,
    do_publish_restoration_rate,
    rate_on,
)
from pishkhan.excavation.models import (
    ExcavationPermit,
    PermitEvent,
    PermitEventKind,
    PermitStatus,
    RestorationRate,
)
from pishkhan.excavation.tasks import flag_overdue_restorations
from pishkhan.offices.roles import Role
from pishkhan.outbox.schedule import jobs
from pishkhan.testing.personas import City, act, application_data, client_for, walk_to

SERVICE = "inquiry_excavation"


def permitted(city: City, **changes: str) -> ExcavationPermit:
    data = {**application_data(SERVICE), **changes}
    case = walk_to(city, city.open_case(SERVICE, data=data), "works")
    return ExcavationPermit.objects.get(case=case)


def test_a_new_rate_prices_new_permits_and_never_an_issued_one(city: City) -> None:
    today = timezone.localdate(clock.now())
    before = permitted(city)
    assert (before.rate_per_square_metre, before.deposit) == (2_000_000, 124_800_000)
    raised = do_publish_restoration_rate("local", 2_500_000, today, "مصوبه ۷۸/آزمایشی", today)
    old = RestorationRate.objects.get(pk=before.rate_id)
    assert old.valid_until == today - dt.timedelta(days=1)
    assert rate_on("local", today) == raised
    assert rate_on("local", today - dt.timedelta(days=1)) == old
    after = permitted(city)
    assert (after.rate_id, after.deposit) == (raised.pk, 156_000_000)  # 62.4 m² × 2.5 M
    before.refresh_from_db()
    assert (before.rate_per_square_metre, before.deposit) == (2_000_000, 124_800_000)
    # a rate may not start on or before the latest one of its street type
    with pytest.raises(ValidationError):
        do_publish_restoration_rate("local", 1, today, "مصوبه", today)


def test_the_deposit_rounds_the_area_to_the_centimetre_and_rials_half_up() -> None:
    rate = RestorationRate(per_square_metre=1_000_001)
    assert deposit_for(rate, Decimal("0.5"), Decimal("0.15")) == 80_000  # 0.075 → 0.08 m²
    assert deposit_for(rate, Decimal("10"), Decimal("0.5")) == 5_000_005


def test_without_a_rate_in_force_the_permit_is_refused_and_nothing_moves(city: City) -> None:
    RestorationRate.objects.filter(street_type="highway").delete()
    case = walk_to(
        city,
        city.open_case(SERVICE, data={**application_data(SERVICE), "street_type": "highway"}),
        "permit_prepared",
    )
    with pytest.raises(WorkflowError, match="نرخ سپرده ترمیم"):
        act(city.a.district_staff[1], case, "approve_permit")
    case.refresh_from_db()
    assert case.state == "permit_prepared"
    assert not ExcavationPermit.objects.exists()


def test_the_job_flags_permits_past_their_end_without_the_restoration_once(
    city: City,
) -> None:
    assert "excavation.overdue_restorations" in {job.name for job in jobs()}
    late = permitted(city, planned_end="2023-05-01")
    future = (timezone.localdate(clock.now()) + dt.timedelta(days=30)).isoformat()
    current = permitted(city, planned_start="2023-04-01", planned_end=future)
    restored = walk_to(city, city.open_case(SERVICE), "closed")
    assert flag_overdue_restorations.call() == 1
    assert do_flag_overdue_restorations(clock.now()) == 0  # idempotent
    late.refresh_from_db()
    current.refresh_from_db()
    assert (late.status, late.overdue_since is not None) == (PermitStatus.OVERDUE, True)
    assert current.status == PermitStatus.ACTIVE
    assert ExcavationPermit.objects.get(case=restored).status == PermitStatus.RESTORED
    assert PermitEvent.objects.filter(kind=PermitEventKind.OVERDUE).count() == 1
    # each event is in the audit chain too, the job's without a person
    flagged = AuditRecord.objects.get(kind="excavation.overdue")
    assert (flagged.subject_id, flagged.actor_id) == (str(late.pk), None)
    assert flagged.summary["number"] == late.number
    assert AuditRecord.objects.filter(kind="excavation.issued").count() == 3
    # the restoration accepted later settles the overdue permit; its flag stays in history
    case = walk_to(city, late.case, "closed")
    late.refresh_from_db()
    assert late.status == PermitStatus.RESTORED
    assert list(late.events.values_list("kind", flat=True)) == ["issued", "overdue", "restored"]
    assert case.state == "closed"


def test_the_permit_page_is_scoped_and_linked_from_the_case_and_the_parcel(
    city: City,
) -> None:
    permit = permitted(city)
    do_flag_overdue_restorations(clock.now())
    url = reverse("excavation:permit", args=[permit.pk])
    for user in (city.a[Role.TECHNICAL_MANAGER], city.a.district_staff[0], city.supervisor):
        page = client_for(user).get(url)
        assert page.status_code == 200, user
        html = page.content.decode()
        assert "سپرده ترمیم" in html
        assert "۱۲۴٬۸۰۰٬۰۰۰" in html
        assert "ترمیم نوار حفاری هنوز بازدید" in html  # overdue
    for outsider in (city.b[Role.TECHNICAL_MANAGER], city.b.district_staff[0]):
        assert client_for(outsider).get(url).status_code == 404
    assert (
        client_for(city.a[Role.TECHNICAL_MANAGER])
        .get(reverse("excavation:permit", args=[permit.pk + 1000]))
        .status_code
        == 404
    )
    case_page = client_for(city.a[Role.TECHNICAL_MANAGER]).get(
        reverse("cases:detail", args=[permit.case_id])
    )
    assert url in case_page.content.decode()
    assert "data-route-view" in case_page.content.decode()
    parcel = client_for(city.a.district_staff[0]).get(
        reverse("cases:parcel", args=[permit.case.parcel_id])
    )
    assert url in parcel.content.decode()


def test_the_overdue_list_is_for_district_and_city_roles_scoped_searchable_sortable(
    city: City,
) -> None:
    first = permitted(city, planned_end="2023-05-01")
    second = permitted(city, planned_end="2023-04-20", street_name="خیابان هزارجریب")
    do_flag_overdue_restorations(clock.now())
    first_no, second_no = to_persian_digits(first.number), to_persian_digits(second.number)
    url = reverse("excavation:overdue")
    assert client_for(city.a[Role.TECHNICAL_MANAGER]).get(url).status_code == 403
    staff = client_for(city.a.district_staff[0])
    html = staff.get(url).content.decode()
    assert html.index(second_no) < html.index(first_no)  # oldest end first
    html = staff.get(url, {"sort": "-end"}).content.decode()
    assert html.index(first_no) < html.index(second_no)
    html = staff.get(url, {"q": "هزارجریب"}).content.decode()
    assert second_no in html
    assert first_no not in html
    for hostile in ({"sort": "forged"}, {"q": "\x00" * 3}, {"q": "ا" * 1_000_000}):
        refused = staff.get(url, hostile)
        assert refused.status_code == 400
        assert "عبارت جستجو یا ترتیب معتبر نیست" in refused.content.decode()
    assert first_no not in client_for(city.b.district_staff[0]).get(url).content.decode()
    assert first_no in client_for(city.supervisor).get(url).content.decode()


def test_the_pages_query_counts_stay_flat(
    city: City, django_assert_max_num_queries: object
) -> None:
    permits = [permitted(city, planned_end="2023-05-01") for _ in range(2)]
    do_flag_overdue_restorations(clock.now())
    staff = client_for(city.a.district_staff[0])
    url = reverse("excavation:overdue")

    def count(path: str) -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            assert staff.get(path).status_code == 200
        return len(queries)

    few = count(url)
    permit_few = count(reverse("excavation:permit", args=[permits[0].pk]))
    permits += [permitted(city, planned_end="2023-05-01") for _ in range(3)]
    do_flag_overdue_restorations(clock.now())
    assert count(url) == few
    assert count(reverse("excavation:permit", args=[permits[-1].pk])) == permit_few


def test_the_case_page_with_its_permit_costs_the_same_queries_however_many_permits(
    city: City,
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    tm = client_for(city.a[Role.TECHNICAL_MANAGER])

    def count(permit: ExcavationPermit) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert tm.get(reverse("cases:detail", args=[permit.case_id])).status_code == 200
        return len(queries)

    first = permitted(city)
    few = count(first)
    later = [permitted(city) for _ in range(3)]
    assert count(later[-1]) == few
