"""The admin of workflow definitions and holidays: an edit is a validated new version."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from pishkhan.accounts.models import User
from pishkhan.cases.models import Holiday, WorkflowDefinition
from pishkhan.cases.workflow import (
    DEFINITIONS_DIR,
    definition_to_dict,
    load_definition,
    read_definition_file,
)
from pishkhan.catalog.models import ServiceCategory, ServiceType
from pishkhan.core.jalali import from_jalali
from pishkhan.testing.personas import City, act

pytestmark = pytest.mark.django_db


def signed_in(user: User) -> Client:
    User.objects.filter(pk=user.pk).update(is_staff=True)
    client = Client()
    client.force_login(user)
    return client


def change_url(definition: WorkflowDefinition) -> str:
    return reverse("admin:cases_workflowdefinition_change", args=[definition.pk])


def active(world: City, service: str = "inquiry_notary") -> WorkflowDefinition:
    return world.services[service].workflow_definitions.get(is_active=True)


def edited(definition: WorkflowDefinition, **changes: Any) -> str:
    return json.dumps({**definition_to_dict(definition), **changes}, ensure_ascii=False)


def state_labels(document: dict[str, Any], code: str, label: str) -> list[dict[str, Any]]:
    return [{**s, "label": label} if s["code"] == code else s for s in document["states"]]


def test_the_change_page_shows_states_actions_and_the_document(world: City) -> None:
    page = signed_in(world.administrator).get(change_url(active(world)))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'dir="rtl"' in html
    assert "در انتظار بازدید" in html  # a state label
    assert "کارشناس بازدید" in html  # an acting role, in Persian
    assert "&quot;states&quot;" in html  # the JSON document in its text box
    assert page.context["adminform"].form.initial["document"].startswith("{")


def test_the_change_page_shows_the_inspection_checklists(world: City) -> None:
    html = signed_in(world.administrator).get(change_url(active(world))).content.decode()
    assert "چک‌لیست‌های بازدید" in html
    assert "بازدید ملک (site_visit)" in html  # the checklist, then each of its items
    assert "مساحت ساخته‌شده" in html
    assert "فهرست سطرها" in html  # an item's type, in Persian
    document = definition_to_dict(active(world))
    assert document["checklists"]["site_visit"]["items"][0]["code"] == "observed_land_use"
    assert [s.get("checklist") for s in document["states"] if s["code"] == "awaiting_visit"] == [
        "site_visit"
    ]


def test_saving_an_edit_publishes_the_next_version_and_open_cases_keep_theirs(
    world: City,
) -> None:
    case = world.open_case()
    v1 = active(world)
    document = definition_to_dict(v1)
    states = state_labels(document, "awaiting_visit", "در صف بازدید کارشناس")
    response = signed_in(world.administrator).post(
        change_url(v1), {"document": edited(v1, states=states)}, follow=True
    )
    assert response.status_code == 200
    v2 = active(world)
    assert v2.version == 2
    assert v2.loaded_from == f"admin:{world.administrator.username}"
    assert v2.states.get(code="awaiting_visit").label == "در صف بازدید کارشناس"
    assert "نسخه ۲ ساخته و فعال شد" in response.content.decode()
    v1.refresh_from_db()
    assert not v1.is_active
    # the open case stays on version 1 and keeps working on it
    case = act(world.a["technical_manager"], case, "refer_to_inspector")
    assert case.definition_id == v1.pk
    assert world.open_case().definition_id == v2.pk


def test_saving_the_document_unchanged_makes_no_version(world: City) -> None:
    v1 = active(world)
    response = signed_in(world.administrator).post(
        change_url(v1), {"document": edited(v1)}, follow=True
    )
    assert "تعریف تغییری نداشت" in response.content.decode()
    assert WorkflowDefinition.objects.filter(service_type=v1.service_type).count() == 1


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ('{"service": "inquiry_notary", ', "متن JSON درست نیست"),
        ("[1, 2]", "تعریف باید یک شیء JSON باشد"),
    ],
)
def test_unreadable_documents_are_refused_in_persian(
    world: City, document: str, message: str
) -> None:
    v1 = active(world)
    response = signed_in(world.administrator).post(change_url(v1), {"document": document})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert WorkflowDefinition.objects.filter(service_type=v1.service_type).count() == 1


def test_a_broken_graph_is_refused_with_every_problem(world: City) -> None:
    v1 = active(world)
    document = definition_to_dict(v1)
    # drop every action into the response states: they become unreachable dead ends
    actions = [a for a in document["actions"] if a["to"] not in {"response_issued"}]
    response = signed_in(world.administrator).post(
        change_url(v1), {"document": edited(v1, actions=actions, open_roles=["nobody"])}
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["document"]
    assert len(errors) >= 2  # the unknown role and the unreachable state, both listed
    assert active(world).pk == v1.pk


def test_a_definition_cannot_move_to_another_service(world: City) -> None:
    v1 = active(world)
    response = signed_in(world.administrator).post(
        change_url(v1), {"document": edited(v1, service="inquiry_bank")}
    )
    assert "خدمت یک تعریف را نمی‌توان عوض کرد" in response.content.decode()
    assert active(world, "inquiry_bank").version == 1


def test_an_old_version_is_view_only(world: City) -> None:
    v1 = active(world)
    load_definition({**definition_to_dict(v1), "sla_hours": 99})
    client = signed_in(world.administrator)
    page = client.get(change_url(v1))
    assert page.status_code == 200
    assert 'name="document"' not in page.content.decode()
    refused = client.post(change_url(v1), {"document": edited(v1, sla_hours=77)})
    assert refused.status_code == 403
    assert not WorkflowDefinition.objects.filter(sla_hours=77).exists()


def test_a_definition_is_never_deleted(world: City) -> None:
    v1 = active(world)
    url = reverse("admin:cases_workflowdefinition_delete", args=[v1.pk])
    assert signed_in(world.administrator).post(url, {"post": "yes"}).status_code == 403
    assert WorkflowDefinition.objects.filter(pk=v1.pk).exists()


def test_the_supervision_unit_may_read_definitions_but_not_edit_them(world: City) -> None:
    v1 = active(world)
    client = signed_in(world.supervisor)
    assert client.get(change_url(v1)).status_code == 200
    assert client.post(change_url(v1), {"document": edited(v1, sla_hours=5)}).status_code == 403
    assert active(world).pk == v1.pk


def test_a_new_service_gets_its_first_definition_from_the_add_page(world: City) -> None:
    service = ServiceType.objects.create(
        code="excavation_permit", name="مجوز حفاری", category=ServiceCategory.PERMIT
    )
    document = read_definition_file(DEFINITIONS_DIR / "permit_extension.json")
    document = {**document, "service": service.code, "title": "مجوز حفاری"}
    posted = {"document": json.dumps(document, ensure_ascii=False)}
    add = reverse("admin:cases_workflowdefinition_add")
    # the catalog says the service needs no visit, the document has an inspector's step
    refused = signed_in(world.administrator).post(add, posted)
    assert refused.status_code == 200
    assert "«بازدید لازم دارد» در کاتالوگ" in refused.content.decode()
    assert not service.workflow_definitions.exists()
    ServiceType.objects.filter(pk=service.pk).update(requires_visit=True)
    response = signed_in(world.administrator).post(add, posted)
    assert response.status_code == 302
    created = service.workflow_definitions.get()
    assert (created.version, created.is_active, created.title) == (1, True, "مجوز حفاری")


def test_an_admin_edit_stands_until_the_file_itself_changes(world: City, tmp_path: Path) -> None:
    path = tmp_path / "inquiry_notary.json"
    document = read_definition_file(DEFINITIONS_DIR / "inquiry_notary.json")
    path.write_text(json.dumps(document, ensure_ascii=False), "utf-8")
    load_definition(path)  # the file as the deploy loads it (same content: no-op)
    v1 = active(world)
    signed_in(world.administrator).post(change_url(v1), {"document": edited(v1, sla_hours=60)})
    assert active(world).sla_hours == 60
    # loading the unchanged file again (every deploy does) keeps the admin's edit
    call_command("load_workflows", str(path), "--no-holidays", verbosity=0)
    assert active(world).sla_hours == 60
    # a changed file is newer than the edit and becomes the next version
    data = json.loads(path.read_text("utf-8"))
    path.write_text(json.dumps({**data, "sla_hours": 50}, ensure_ascii=False), "utf-8")
    call_command("load_workflows", str(path), "--no-holidays", verbosity=0)
    assert (active(world).sla_hours, active(world).version) == (50, 3)


def test_holidays_are_entered_and_listed_in_jalali(world: City) -> None:
    client = signed_in(world.administrator)
    add = reverse("admin:cases_holiday_add")
    form = client.get(add).content.decode()
    assert 'placeholder="۱۴۰۵/۰۱/۱۵"' in form
    response = client.post(add, {"date": "۱۴۰۵/۰۹/۲۸", "title": "تعطیلی اضطراری (آلودگی هوا)"})
    assert response.status_code == 302
    holiday = Holiday.objects.get(title__startswith="تعطیلی اضطراری")
    assert holiday.date == from_jalali(1405, 9, 28)
    listing = client.get(reverse("admin:cases_holiday_changelist"), {"year": "1405"})
    assert "شنبه ۲۸ آذر ۱۴۰۵" in listing.content.decode()
    change = client.get(reverse("admin:cases_holiday_change", args=[holiday.pk])).content.decode()
    # a declared holiday's date is fixed (only its title can be corrected): shown, not typed
    assert "شنبه ۲۸ آذر ۱۴۰۵" in change
    assert 'name="date"' not in change
    assert f'value="{holiday.title}"' in change


@pytest.mark.parametrize(
    ("raw", "message"),
    [("1405/13/01", "این تاریخ شمسی وجود ندارد"), ("28 Azar", "سال/ماه/روز شمسی")],
)
def test_a_wrong_jalali_date_is_refused_in_persian(world: City, raw: str, message: str) -> None:
    response = signed_in(world.administrator).post(
        reverse("admin:cases_holiday_add"), {"date": raw, "title": "تعطیل"}
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Holiday.objects.filter(title="تعطیل").exists()
