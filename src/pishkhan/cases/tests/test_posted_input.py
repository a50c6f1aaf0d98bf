"""What the case page and the follow-up list post is parsed by a form before any action
runs: a NUL byte (which PostgreSQL refuses in text) or an oversized value is a Persian
400, nothing is written, and the case version stays where it was."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from pishkhan.cases.action_forms import ActionForm, FollowUpNoteForm
from pishkhan.cases.models import Case, CaseEvent
from pishkhan.offices.roles import Role
from pishkhan.testing.personas import City, client_for

NUL = "\x00"
NUL_MESSAGE = "متن فرستاده‌شده نویسه‌ای نامجاز دارد"


def unchanged(case: Case) -> bool:
    after = Case.objects.get(pk=case.pk)
    events = CaseEvent.objects.filter(case=case).count()
    return (after.version, after.state, events) == (case.version, case.state, case.version)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"action": f"refer_to{NUL}_inspector"}, NUL_MESSAGE),
        ({"action": "request_documents", "reason": f"سند{NUL} ناخوانا"}, NUL_MESSAGE),
        (
            {"action": "refer_to_inspector", "documents_checked": [f"inquiry{NUL}letter"]},
            NUL_MESSAGE,
        ),
        ({"action": "refer_to_inspector", "version": f"1{NUL}"}, "نسخه پرونده در فرم نیست"),
        ({"action": "refer_to_inspector", "version": ""}, "نسخه پرونده در فرم نیست"),
        ({"action": ""}, "اقدامی انتخاب نشده است"),
        ({"action": "x" * 41}, "این اقدام شناخته نیست"),
        ({"action": "request_documents", "reason": "ع" * 2001}, "علت حداکثر ۲۰۰۰ نویسه است"),
        ({"action": "refer_to_inspector", "documents_checked": ["d" * 61]}, "کد مدرک"),
        (
            {"action": "refer_to_inspector", "documents_checked": [f"d{n}" for n in range(51)]},
            "مدارک فرستاده‌شده بیش از اندازه است",
        ),
    ],
    ids=[
        "nul-action",
        "nul-reason",
        "nul-document",
        "nul-version",
        "no-version",
        "no-action",
        "long-action",
        "long-reason",
        "long-document",
        "too-many-documents",
    ],
)
def test_a_bad_posted_value_is_a_persian_400_and_nothing_is_written(
    world: City, data: dict[str, Any], message: str
) -> None:
    case = world.open_case()
    response = client_for(world.a[Role.TECHNICAL_MANAGER]).post(
        reverse("cases:act", args=[case.pk]), {"version": case.version, **data}
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert message in body
    assert 'dir="rtl"' in body
    assert unchanged(case)


def test_persian_digits_in_the_version_still_act(world: City) -> None:
    case = world.open_case()
    response = client_for(world.a[Role.TECHNICAL_MANAGER]).post(
        reverse("cases:act", args=[case.pk]),
        {"version": "۱", "action": "refer_to_inspector", "documents_checked": []},
    )
    assert response.status_code == 302
    assert Case.objects.get(pk=case.pk).state == "awaiting_visit"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"text": f"با متقاضی{NUL} تماس گرفته شد"}, NUL_MESSAGE),
        ({"text": "تماس گرفته شد", "next": f"/cases/follow-up/{NUL}"}, NUL_MESSAGE),
        ({"text": "ن" * 1001}, "یادداشت پیگیری حداکثر ۱۰۰۰ نویسه است"),
    ],
    ids=["nul-text", "nul-next", "long-text"],
)
def test_a_bad_follow_up_note_is_a_persian_400_and_nothing_is_written(
    world: City, data: dict[str, str], message: str
) -> None:
    case = world.open_case()
    officer = client_for(world.a[Role.FOLLOW_UP_OFFICER])
    response = officer.post(reverse("cases:follow_up_note", args=[case.pk]), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert unchanged(case)
    assert not CaseEvent.objects.filter(case=case, action="follow_up_note").exists()


@pytest.mark.parametrize("name", ["cases:claim", "cases:release"])
@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"version": f"1{NUL}"}, "نسخه پرونده در فرم نیست"),
        ({"version": "1", "next": f"/cases/cartable/{NUL}"}, NUL_MESSAGE),
    ],
    ids=["nul-version", "nul-next"],
)
def test_a_bad_claim_or_release_is_a_persian_400_and_nothing_is_written(
    world: City, name: str, data: dict[str, str], message: str
) -> None:
    case = world.open_case()
    response = client_for(world.a[Role.TECHNICAL_MANAGER]).post(reverse(name, args=[case.pk]), data)
    assert response.status_code == 400
    body = response.content.decode()
    assert message in body
    assert unchanged(case)
    assert Case.objects.get(pk=case.pk).assignee_id is None


def test_the_action_form_hands_the_action_what_the_page_posted() -> None:
    from django.http import QueryDict

    data = QueryDict(mutable=True)
    data.setlist("documents_checked", ["inquiry_letter", "owner_id_card"])
    data.update({"version": "۳", "action": "request_documents", "reason": " سند ناخوانا "})
    form = ActionForm(data)
    assert form.is_valid(), form.errors
    assert form.cleaned_data == {
        "version": 3,
        "action": "request_documents",
        "reason": "سند ناخوانا",
        "documents_checked": ["inquiry_letter", "owner_id_card"],
        "documents_unchecked": [],
        "owner_declaration": False,
        "confirmed": False,
    }
    empty = ActionForm(QueryDict("version=1&action=cancel"))
    assert empty.is_valid()
    assert (empty.cleaned_data["reason"], empty.cleaned_data["documents_checked"]) == ("", [])


def test_the_note_form_keeps_the_emptiness_rule_to_the_action() -> None:
    form = FollowUpNoteForm({"text": "   "})
    assert form.is_valid()
    assert (form.cleaned_data["text"], form.cleaned_data["next"]) == ("", "")
