"""The hourly job: live permits past their validity become expired, each with an event;
a permit still in force, or already closed, is left alone; a second run changes nothing."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from pishkhan.outbox.schedule import jobs
from pishkhan.permits.actions import do_expire_lapsed_permits
from pishkhan.permits.models import BuildingPermit, PermitEventKind, PermitStatus
from pishkhan.permits.tasks import expire_lapsed_permits
from pishkhan.testing.personas import City


def test_lapsed_permits_expire_once_with_an_event(city: City) -> None:
    today = timezone.localdate()
    past = today - dt.timedelta(days=400)
    lapsed = city.builder.paper_permit(
        city.a.parcel, issued_on=past, valid_until=today - dt.timedelta(days=1)
    )
    last_day = city.builder.paper_permit(city.a.parcel, issued_on=past, valid_until=today)
    revoked = city.builder.paper_permit(
        city.b.parcel, issued_on=past, valid_until=today - dt.timedelta(days=3)
    )
    BuildingPermit.objects.filter(pk=revoked.pk).update(status=PermitStatus.REVOKED)

    assert do_expire_lapsed_permits() == 1
    assert do_expire_lapsed_permits() == 0

    lapsed.refresh_from_db()
    assert lapsed.status == PermitStatus.EXPIRED
    event = lapsed.events.get(kind=PermitEventKind.EXPIRED)
    assert (event.from_status, event.to_status, event.actor_id) == (
        PermitStatus.VALID,
        PermitStatus.EXPIRED,
        None,
    )
    assert BuildingPermit.objects.get(pk=last_day.pk).status == PermitStatus.VALID
    assert BuildingPermit.objects.get(pk=revoked.pk).status == PermitStatus.REVOKED
    assert not BuildingPermit.objects.in_force(today).filter(pk=lapsed.pk).exists()


def test_an_extended_permit_that_lapses_expires_too(city: City) -> None:
    today = timezone.localdate()
    permit = city.builder.paper_permit(
        city.a.parcel, issued_on=today - dt.timedelta(days=900), valid_until=today
    )
    BuildingPermit.objects.filter(pk=permit.pk).update(
        status=PermitStatus.EXTENDED, valid_until=today - dt.timedelta(days=2)
    )
    assert expire_lapsed_permits.call() == 1
    assert BuildingPermit.objects.get(pk=permit.pk).status == PermitStatus.EXPIRED


def test_the_expiry_is_a_registered_hourly_job() -> None:
    job = next(j for j in jobs() if j.name == "permits.expiry")
    assert job.task is expire_lapsed_permits
    assert job.every == dt.timedelta(hours=1)


def test_the_job_works_in_batches(city: City, monkeypatch: object) -> None:
    import pishkhan.permits.actions as actions

    today = timezone.localdate()
    for _ in range(3):
        city.builder.paper_permit(
            city.a.parcel,
            issued_on=today - dt.timedelta(days=500),
            valid_until=today - dt.timedelta(days=5),
        )
    monkeypatch.setattr(actions, "EXPIRY_BATCH", 2)  # type: ignore[attr-defined]
    assert do_expire_lapsed_permits() == 3
