"""The plan review, the answer's draft and the printable answer of an inquiry.

Thin views: parse, look the case up in the caller's scope (a foreign case is a 404), act
through ``do_record_plan_review`` / ``do_save_response_draft``, respond; a refusal
re-renders the case page with the form and its Persian messages.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import URLPattern, path, reverse
from django.views.decorators.http import require_http_methods, require_POST

from pishkhan.accounts.access import principal_for
from pishkhan.cases.access import access_case_by_id
from pishkhan.cases.actions import do_record_plan_review, do_save_response_draft
from pishkhan.cases.answer_forms import AnswerForm, PlanReviewForm
from pishkhan.cases.errors import AnswerInvalid, PlanReviewInvalid, WorkflowError
from pishkhan.cases.fields import declared_fields, display_rows
from pishkhan.cases.permissions import visibility
from pishkhan.cases.responses import answer_view, condition_choices
from pishkhan.cases.timeline import load_case
from pishkhan.cases.views_case import refused, render_case

# do_record_plan_review / do_save_response_draft error keys that are not form fields
ANSWER_FIELDS = {"condition_codes", "own_conditions", "zone", "permitted_uses", "widening_m",
                 "setback_m", "violations", "notes", "result"}  # fmt: skip


@require_POST
@login_required
def plan_review(request: HttpRequest, pk: int) -> HttpResponse:
    case = access_case_by_id(request.user, pk, principal_for(request))
    form = PlanReviewForm(request.POST)
    if not form.is_valid():
        return render_case(request, case, status=400, plan_form=form)
    try:
        do_record_plan_review(
            request.user,
            case.pk,
            form.cleaned_data["version"],
            form.findings(),
            principal=principal_for(request),
        )
    except PlanReviewInvalid as error:
        for field, message in error.errors.items():
            form.add_error(field if field in form.fields else None, message)
        return render_case(request, case, status=400, plan_form=form)
    except WorkflowError as error:
        return refused(request, case, error, plan_form=form)
    messages.success(request, "یافته‌های بررسی طرح تفصیلی ثبت شد.")
    return HttpResponseRedirect(reverse("cases:detail", args=[case.pk]))


@require_POST
@login_required
def answer_draft(request: HttpRequest, pk: int) -> HttpResponse:
    case = access_case_by_id(request.user, pk, principal_for(request))
    form = AnswerForm(request.POST, conditions=condition_choices(case))
    if not form.is_valid():
        return render_case(request, case, status=400, answer_form=form)
    try:
        do_save_response_draft(
            request.user,
            case.pk,
            form.cleaned_data["version"],
            form.draft(),
            principal=principal_for(request),
        )
    except AnswerInvalid as error:
        for field, message in error.errors.items():
            form.add_error(field if field in ANSWER_FIELDS else None, message)
        return render_case(request, case, status=400, answer_form=form)
    except WorkflowError as error:
        return refused(request, case, error, answer_form=form)
    messages.success(request, "پیش‌نویس پاسخ ذخیره شد؛ اکنون می‌توانید آن را برای تأیید بفرستید.")
    return HttpResponseRedirect(reverse("cases:detail", args=[case.pk]) + "#case-answer-title")


@require_http_methods(["GET", "HEAD"])
@login_required
def answer(request: HttpRequest, pk: int) -> HttpResponse:
    """The answer as a printable letter: the issued answer for whoever sees the case,
    the draft (marked as such) only for its staff; before that, a page that says so."""
    principal = principal_for(request)
    case = load_case(access_case_by_id(request.user, pk, principal))
    response = getattr(case, "response", None)
    sees = visibility(principal, case)
    shown = response is not None and (response.is_issued or sees.staff_names)
    context = {
        "case": case,
        "answer": answer_view(response) if response is not None and shown else None,
        "sees": sees,
        # the letter the answer replies to (the declared fields of the case's version)
        "letter": display_rows(declared_fields(case.definition), case.data),
    }
    return render(request, "cases/answer.html", context)


urlpatterns: list[URLPattern] = [
    path("<int:pk>/plan-review/", plan_review, name="plan_review"),
    path("<int:pk>/answer/draft/", answer_draft, name="answer_draft"),
    path("<int:pk>/answer/", answer, name="answer"),
]
