"""The case page, its action forms, the visit report and case registration.

Thin views: parse the request, look the case up through the caller's scope
(access_case_by_id: a foreign case is a 404), act through a do_* action, respond. A
refused action re-renders the case page with the Persian reason: 409 when someone
changed the case first, 400 otherwise.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, URLPattern, path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.views.decorators.http import require_http_methods, require_POST

from pishkhan.accounts.access import principal_for, role_required
from pishkhan.cases.access import access_case_by_id
from pishkhan.cases.action_forms import ActionForm, CorrectionForm
from pishkhan.cases.actions import (
    do_change_service,
    do_correct_case,
    do_perform_action,
    do_record_visit_report,
    do_register_case,
    state_checklist,
)
from pishkhan.cases.answer_forms import page_forms
from pishkhan.cases.errors import (
    ConcurrentActionError,
    DuplicateOpenCase,
    InvalidFieldValues,
    UploadInvalid,
    WorkflowError,
)
from pishkhan.cases.fields import declared_fields
from pishkhan.cases.forms import (
    Offering,
    ParcelLookupForm,
    RegistrationForm,
    ServiceChangeForm,
    ServiceSearchForm,
    VisitReportForm,
    offerings,
    registration_offices,
    registration_prefill,
    service_cards,
)
from pishkhan.cases.manager import colleagues_by_role
from pishkhan.cases.models import Case
from pishkhan.cases.panels import case_panels, parcel_panels
from pishkhan.cases.parcel_file import parcel_file
from pishkhan.cases.parcel_lookup import find_parcels, map_points
from pishkhan.cases.permissions import service_change_refusal
from pishkhan.cases.receipt import receipt_for
from pishkhan.cases.timeline import case_page
from pishkhan.catalog.models import ServiceCategory
from pishkhan.core import clock
from pishkhan.core.digits import to_persian_digits
from pishkhan.core.templatetags.persian import has_datepicker
from pishkhan.offices.roles import Role


def optional_url(name: str, pk: int) -> str:
    """The URL of another engineer's route when it exists, else ''."""
    try:
        return reverse(name, args=[pk])
    except NoReverseMatch:
        return ""


def render_case(
    request: HttpRequest,
    case: Case,
    *,
    status: int = 200,
    visit_form: VisitReportForm | None = None,
    correction_form: CorrectionForm | None = None,
    error: str = "",
    **given: Any,
) -> HttpResponse:
    page = case_page(case, principal_for(request), principal_for(request).user_id)
    # who the office manager may hand the case to: colleagues holding its step's role
    colleagues = (
        colleagues_by_role(page.case.office_id, timezone.localdate(clock.now())).get(
            page.case.acting_role, []
        )
        if page.can_assign
        else []
    )
    if correction_form is None and page.can_correct:
        correction_form = CorrectionForm(
            specs=declared_fields(page.case.definition), case=page.case
        )
    context = {
        **page_forms(page, given),
        "page": page,
        "case": page.case,
        "visit_form": visit_form
        or VisitReportForm(initial={"version": page.case.version}, checklist=page.checklist),
        "correction_form": correction_form,
        "error": error,
        "claim_url": optional_url("cases:claim", case.pk) if page.can_claim else "",
        "release_url": optional_url("cases:release", case.pk) if page.can_release else "",
        "colleagues": colleagues,
        # a refused action's form shows again what was typed into it
        "posted_action": given.get("posted_action", ""),
        "posted_reason": given.get("posted_reason", ""),
        # the Jalali date picker, only when the page shows a date input
        "datepicker": page.can_record_visit
        or (page.can_correct and has_datepicker(correction_form)),
        # billing's page of the case's bills, for whoever sees the case (billing.views)
        "bills_url": optional_url("billing:case_bills", case.pk),
        # the permits app's page of a permit case's permits (permits.views)
        "permits_url": optional_url("permits:case_permits", case.pk)
        if page.case.service_type.category == ServiceCategory.PERMIT
        else "",
        # what apps above cases show on the case (cases/panels.py)
        "panels": case_panels(principal_for(request), page.case),
    }
    return render(request, "cases/case_detail.html", context, status=status)


def refused(request: HttpRequest, case: Case, error: WorkflowError, **extra: Any) -> HttpResponse:
    status = 409 if isinstance(error, ConcurrentActionError) else 400
    return render_case(request, case, status=status, error=error.message, **extra)


def posted_payload(posted: dict[str, Any]) -> dict[str, Any]:
    """What an action's form carries besides its reason: the documents ticked (and
    un-ticked by a send-back), and the owner's declaration an answer on a certificate
    needs (only when given)."""
    payload: dict[str, Any] = {
        "documents_checked": posted["documents_checked"],
        "documents_unchecked": posted["documents_unchecked"],
    }
    if posted.get("owner_declaration"):
        payload["owner_declaration"] = True
    return payload


@require_http_methods(["GET", "HEAD"])
@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = access_case_by_id(request.user, pk, principal_for(request))
    return render_case(request, case)


@require_POST
@login_required
def act(request: HttpRequest, pk: int) -> HttpResponse:
    case = access_case_by_id(request.user, pk, principal_for(request))
    form = ActionForm(request.POST)
    if not form.is_valid():
        return refused(request, case, WorkflowError(form.first_error()))
    posted = form.cleaned_data
    code = posted["action"]
    try:
        moved = do_perform_action(
            request.user,
            case.pk,
            code,
            posted["version"],
            reason=posted["reason"],
            payload=posted_payload(posted),
            principal=principal_for(request),
            confirmed=posted["confirmed"],
        )
    except WorkflowError as error:
        # the form comes back with what was typed: a refusal never loses a reason
        return refused(request, case, error, posted_action=code, posted_reason=posted["reason"])
    label = moved.definition.actions.filter(code=code).values_list("label", flat=True).first()
    messages.success(request, f"اقدام «{label or code}» انجام شد.")
    return HttpResponseRedirect(reverse("cases:detail", args=[case.pk]))


@require_POST
@login_required
def visit(request: HttpRequest, pk: int) -> HttpResponse:
    case = access_case_by_id(request.user, pk, principal_for(request))
    form = VisitReportForm(request.POST, request.FILES, checklist=state_checklist(case))
    if not form.is_valid():
        return render_case(request, case, status=400, visit_form=form)
    try:
        do_record_visit_report(
            request.user,
            case.pk,
            form.cleaned_data["version"],
            principal=principal_for(request),
            **form.report_fields(),
        )
    except ValidationError as error:
        form.add_action_errors(error.message_dict)
        return render_case(request, case, status=400, visit_form=form)
    except UploadInvalid as error:
        form.add_error(None, error.message)
        return render_case(request, case, status=400, visit_form=form)
    except WorkflowError as error:
        return refused(request, case, error, visit_form=form)
    messages.success(request, "گزارش بازدید ثبت شد.")
    return HttpResponseRedirect(reverse("cases:detail", args=[case.pk]))


@require_POST
@login_required
def correct(request: HttpRequest, pk: int) -> HttpResponse:
    case = access_case_by_id(request.user, pk, principal_for(request))
    form = CorrectionForm(request.POST, specs=declared_fields(case.definition))
    if not form.is_valid():
        return render_case(request, case, status=400, correction_form=form)
    try:
        do_correct_case(
            request.user,
            case.pk,
            form.cleaned_data["version"],
            reason=form.cleaned_data["reason"],
            changes=form.changes(),
            principal=principal_for(request),
        )
    except InvalidFieldValues as error:
        form.show_field_errors(error.errors)
        return render_case(request, case, status=400, correction_form=form)
    except WorkflowError as error:
        return refused(request, case, error, correction_form=form)
    messages.success(request, "اطلاعات پرونده اصلاح شد.")
    return HttpResponseRedirect(reverse("cases:detail", args=[case.pk]))


@require_http_methods(["GET", "HEAD", "POST"])
@role_required(Role.TECHNICAL_MANAGER)
def new(request: HttpRequest) -> HttpResponse:
    offices = registration_offices(principal_for(request))
    offered = offerings(offices)
    source = request.POST if request.method == "POST" else request.GET
    code = source.get("service") or (next(iter(offered)) if len(offered) == 1 else "")
    if code not in offered:
        return choose_service(request, offered, unknown=bool(code))
    offering = offered[code]
    form = RegistrationForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        offering=offering,
        offices=offices,
        initial=registration_prefill(request.GET),
    )
    context = {
        "form": form,
        "offering": offering,
        "change_service": len(offered) > 1,
        "lookup": ParcelLookupForm(initial={"service": offering.service.code}),
    }
    if request.method != "POST":
        return render(request, "cases/new.html", context)
    if not form.is_valid():
        return render(request, "cases/new.html", context, status=400)
    try:
        case = do_register_case(
            request.user,
            principal=principal_for(request),
            initial=offering.initial,
            **form.intent(),
        )
    except (WorkflowError, ValidationError) as error:
        show_refusal(form, error)
        return render(request, "cases/new.html", context, status=400)
    code = to_persian_digits(case.tracking_code)
    receipt_url = reverse("cases:receipt", args=[case.pk])
    if request.POST.get("then") == "receipt":  # «ثبت و چاپ رسید»: the counter's usual way
        messages.success(request, format_html("پرونده با کد رهگیری <bdi>{}</bdi> ثبت شد.", code))
        return HttpResponseRedirect(receipt_url)
    messages.success(
        request,
        format_html(
            'پرونده با کد رهگیری <bdi>{}</bdi> ثبت شد. <a href="{}">چاپ رسید پذیرش</a>',
            code,
            receipt_url,
        ),
    )
    return HttpResponseRedirect(reverse("cases:detail", args=[case.pk]))


def show_refusal(form: Any, error: WorkflowError | ValidationError) -> None:
    """An opening's refusal (registering, or changing a case's service) on its form:
    declared fields' errors beside their inputs, the duplicate warning asking for its
    reason, anything else at the top."""
    if isinstance(error, InvalidFieldValues):
        form.show_field_errors(error.errors)
    elif isinstance(error, DuplicateOpenCase):
        form.duplicate_warning = error.message
        form.add_error("duplicate_reason", error.message)
    elif isinstance(error, WorkflowError):
        form.add_error(None, error.message)
    else:
        form.add_error(None, error.messages)


def choose_service(
    request: HttpRequest,
    offered: dict[str, Offering],
    *,
    unknown: bool,
    template: str = "cases/new_service.html",
    **extra: Any,
) -> HttpResponse:
    """The services offered here, searchable, each with its documents and today's fee;
    a service code not offered is a 400 with the list."""
    search = ServiceSearchForm(request.GET)
    query = search.cleaned_data["q"] if search.is_valid() else ""
    context = {
        **extra,
        "search": search,
        "query": query,
        "offered": offered,
        "cards": service_cards(offered, query) if search.is_valid() else [],
        "unknown": unknown,
    }
    status = 400 if unknown or not search.is_valid() else 200
    return render(request, template, context, status=status)


@require_http_methods(["GET", "HEAD"])
@login_required
def receipt(request: HttpRequest, pk: int) -> HttpResponse:
    """The printable receipt (?paper=a5|80mm, whitelisted), scoped like the case page."""
    case = access_case_by_id(request.user, pk, principal_for(request))
    context = {"receipt": receipt_for(case, request.GET.get("paper", ""))}
    return render(request, "cases/receipt.html", context)


@require_http_methods(["GET", "HEAD"])
@role_required(*Role.values)
def parcel_lookup(request: HttpRequest) -> HttpResponse:
    """Finding a parcel (staff of any role: parcels are city data), and on the
    registration page its parcel search: a page of its own without JavaScript, the
    results alone for htmx (which swaps only a 200, so its refusals are 200 too)."""
    principal = principal_for(request)
    form = ParcelLookupForm(request.GET or None)
    result = None
    if form.is_bound and form.is_valid():
        result = find_parcels(request.user, principal, form.query())
    context = {
        "lookup": form,
        "result": result,
        "can_register": principal.has_role(Role.TECHNICAL_MANAGER),
    }
    if request.headers.get("HX-Request"):
        return render(request, "cases/_parcel_results.html", context)
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "cases/parcel_lookup.html", context, status=status)


@require_http_methods(["GET", "HEAD"])
@role_required(*Role.values)
def parcel_points(request: HttpRequest) -> HttpResponse:
    """The parcels inside a close view of the map (`bbox=south,west,north,east`): plate
    and position only, for drawing them (parcel-map.js)."""
    try:
        south, west, north, east = (Decimal(v) for v in request.GET.get("bbox", "").split(","))
    except (ValueError, ArithmeticError):
        return JsonResponse({"error": "محدودهٔ نقشه معتبر نیست."}, status=400)
    if not all(v.is_finite() for v in (south, west, north, east)) or not (
        -90 <= south <= north <= 90 and -180 <= west <= east <= 180
    ):
        return JsonResponse({"error": "محدودهٔ نقشه معتبر نیست."}, status=400)
    points = map_points(south, west, north, east)
    return JsonResponse(
        {
            "points": [
                {"id": p.pk, "lat": float(p.lat), "lng": float(p.lng), "label": p.label}
                for p in points
            ]
        }
    )


@require_http_methods(["GET", "HEAD"])
@role_required(*Role.values)
def parcel_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The parcel file: its cases, visits, reviews, answers, conditions and certificates
    in time order (cases/parcel_file.py says what each person sees of the cases)."""
    file = parcel_file(principal_for(request), pk)
    context = {
        "file": file,
        "parcel": file.parcel,
        "panels": parcel_panels(principal_for(request), file.parcel.pk),
    }
    return render(request, "cases/parcel_file.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def change_service(request: HttpRequest, pk: int) -> HttpResponse:
    """Move a case registered under the wrong service to the right one: choose the
    service (searchable, as at registration), then its checklist and fields and why."""
    principal = principal_for(request)
    case = access_case_by_id(request.user, pk, principal)
    state = case.definition.states.filter(code=case.state).first()
    refusal = service_change_refusal(principal, case, state)
    if refusal is not None:
        return render_case(request, case, status=400, error=refusal.message)
    offered = {
        code: o
        for code, o in offerings([case.office]).items()
        if o.service.pk != case.service_type_id
    }
    source = request.POST if request.method == "POST" else request.GET
    code = source.get("service") or ""
    if code not in offered:
        return choose_service(
            request, offered, unknown=bool(code), template="cases/change_service.html", case=case
        )
    offering = offered[code]
    form = ServiceChangeForm(
        request.POST if request.method == "POST" else None, offering=offering, case=case
    )
    context = {"case": case, "offering": offering, "form": form}
    if request.method != "POST":
        return render(request, "cases/change_service_form.html", context)
    if not form.is_valid():
        return render(request, "cases/change_service_form.html", context, status=400)
    try:
        do_change_service(
            request.user,
            case.pk,
            form.cleaned_data["version"],
            **form.intent(),
            principal=principal,
        )
    except (WorkflowError, ValidationError) as error:
        show_refusal(form, error)
        return render(request, "cases/change_service_form.html", context, status=400)
    messages.success(request, f"خدمت پرونده به «{offering.service.name}» تغییر کرد.")
    return HttpResponseRedirect(reverse("cases:detail", args=[case.pk]))


urlpatterns: list[URLPattern] = [
    path("new/", new, name="new"),
    path("parcels/", parcel_lookup, name="parcel_lookup"),
    path("parcels/<int:pk>/", parcel_page, name="parcel"),
    path("parcels/points/", parcel_points, name="parcel_points"),
    path("<int:pk>/", detail, name="detail"),
    path("<int:pk>/act/", act, name="act"),
    path("<int:pk>/visit/", visit, name="visit"),
    path("<int:pk>/receipt/", receipt, name="receipt"),
    path("<int:pk>/correct/", correct, name="correct"),
    path("<int:pk>/service/", change_service, name="change_service"),
]
