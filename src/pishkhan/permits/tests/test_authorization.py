"""Every person of the test city on every permit route, with a permit (and its case) of
the other district and office: a 404 for everyone outside its scope, a page for those in
it, and a route that answers only GET/HEAD refuses POST."""

from __future__ import annotations

from pishkhan.offices.roles import Role
from pishkhan.permits.models import BuildingPermit, PermitStatus
from pishkhan.testing import authz
from pishkhan.testing.personas import City, act, client_for


def test_every_permit_route_is_registered_and_resolves() -> None:
    assert authz.unresolved("permit") == []
    assert authz.unresolved("case.permits") == []
    assert [n for n in authz.unregistered() if n.startswith("permits:")] == []


def test_a_permit_of_another_district_is_a_404_for_everyone_outside_it(city: City) -> None:
    case = city.walk_to(city.open_case("permit_new", side=city.b), "permit_prepared", city.b)
    checker = next(u for u in city.b.district_staff if u.pk != case.prepared_by_id)
    case = act(checker, case, "approve_permit")
    permit = BuildingPermit.objects.get(case=case)
    inside = {
        city.b[Role.TECHNICAL_MANAGER].pk,
        *(u.pk for u in city.b.staff.values()),
        *(u.pk for u in city.b.district_staff),
        city.supervisor.pk,
        city.administrator.pk,
        city.citizen.user.pk,  # type: ignore[union-attr] - the applicant
    }
    # who may see the permit but not revoke it get a refusal, not a 404 (test_revoke.py)
    writers = {u.pk for u in city.b.district_staff} | {city.supervisor.pk}
    objects = {"permit": permit, "case.permits": case}
    for name, user in city.everyone().items():
        client = client_for(user)
        for kind, obj in objects.items():
            for route in authz.routes(kind):
                if route.writes:
                    if user.pk not in inside | writers:
                        response = authz.send(client, route, "POST", route.url(obj), obj)
                        assert response.status_code == 404, (name, route.id)
                    continue
                status = client.get(route.url(obj)).status_code
                assert status == (200 if user.pk in inside else 404), (name, route.id, status)
                assert client.get(route.missing_url()).status_code == 404
                assert client.post(route.url(obj)).status_code == 405
    # nothing an outsider posted changed the permit
    permit.refresh_from_db()
    assert permit.status == PermitStatus.VALID
    assert not permit.events.filter(kind="revoked").exists()
