"""The bill pages: a case's bills and one bill, printable. Thin views: parse, look up
through the caller's scope (a foreign id is a 404), act through a do_* action, respond."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from pishkhan.accounts.access import Principal, principal_for
from pishkhan.billing.access import access_bill_by_id, issuer_role
from pishkhan.billing.actions import REASON_MAX_LENGTH, do_cancel_bill
from pishkhan.billing.errors import BillConflict, BillingError, BillNotIssuable
from pishkhan.billing.identifiers import grouped, printed_payment_label
from pishkhan.billing.models import Bill, BillStatus
from pishkhan.billing.panels import panels_for
from pishkhan.cases.access import access_case_by_id


class CancelForm(forms.Form):
    version = forms.IntegerField(min_value=1, max_value=2**31, widget=forms.HiddenInput)
    reason = forms.CharField(label="علت ابطال", max_length=REASON_MAX_LENGTH)
    reissue = forms.BooleanField(label="صدور دوباره با قاعده‌های امروز", required=False)


def may_cancel(principal: Principal, bill: Bill) -> bool:
    """The page's question, answered by the rule do_cancel_bill applies."""
    if bill.status != BillStatus.ISSUED:
        return False
    try:
        issuer_role(principal, bill.office_id, bill.district_id)
    except BillNotIssuable:
        return False
    return True


def render_bill(
    request: HttpRequest, bill: Bill, form: CancelForm | None = None, *, status: int = 200,
    error: str = "",
) -> HttpResponse:  # fmt: skip
    principal = principal_for(request)
    context: dict[str, Any] = {
        "bill": bill,
        "lines": list(bill.lines.all()),
        "bill_id": grouped(bill.bill_id),
        "payment_id": printed_payment_label(bill.payment_id),
        "cancel_form": (form or CancelForm(initial={"version": bill.version}))
        if may_cancel(principal, bill)
        else None,
        "error": error,
        "replaced_by": Bill.objects.filter(replaces=bill).only("pk", "bill_id").first(),
        "panels": panels_for(request, principal, bill),
    }
    return render(request, "billing/bill.html", context, status=status)


RELATIONS = ("case", "parcel", "vehicle", "payer", "office", "district", "replaces")


@require_http_methods(["GET", "HEAD"])
@login_required
def bill_page(request: HttpRequest, pk: int) -> HttpResponse:
    bill = access_bill_by_id(request.user, pk, principal_for(request))
    bill = Bill.objects.select_related(*RELATIONS).get(pk=bill.pk)
    return render_bill(request, bill)


@require_POST
@login_required
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    principal = principal_for(request)
    bill = access_bill_by_id(request.user, pk, principal)
    bill = Bill.objects.select_related(*RELATIONS).get(pk=bill.pk)
    form = CancelForm(request.POST)
    if not form.is_valid():
        return render_bill(request, bill, form, status=400)
    try:
        _, fresh = do_cancel_bill(
            request.user,
            bill.pk,
            form.cleaned_data["version"],
            form.cleaned_data["reason"],
            reissue=form.cleaned_data["reissue"],
            principal=principal,
        )
    except BillingError as error:
        status = 409 if isinstance(error, BillConflict) else 400
        return render_bill(request, bill, form, status=status, error=error.message)
    if fresh is not None:
        messages.success(request, "فیش ابطال و فیش تازه صادر شد.")
        return HttpResponseRedirect(reverse("billing:bill", args=[fresh.pk]))
    messages.success(request, "فیش ابطال شد.")
    return HttpResponseRedirect(reverse("billing:bill", args=[bill.pk]))


@require_http_methods(["GET", "HEAD"])
@login_required
def case_bills(request: HttpRequest, pk: int) -> HttpResponse:
    """The bills of a case anyone who sees the case sees (the case page links here)."""
    principal = principal_for(request)
    case = access_case_by_id(request.user, pk, principal)
    # the case's scope decides: whoever sees the case sees its bills (billing.access
    # gives the same people each bill's page)
    bills = list(Bill.objects.filter(case_id=case.pk).order_by("-issued_at", "-pk"))
    unpaid = sum(b.total for b in bills if b.status == BillStatus.ISSUED)
    context = {"case": case, "bills": bills, "unpaid_total": unpaid}
    return render(request, "billing/case_bills.html", context)
