"""The payment pages: start paying online (off to the bank), the bank's callback, the
payment's page (the printable receipt once paid), the counter's card-reader form, the
settlement-file import and the cashier's day report. Thin views: parse → do_* →
respond; a foreign bill or payment is a 404."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from pishkhan.accounts.access import principal_for
from pishkhan.billing.access import access_bill_by_id
from pishkhan.billing.errors import BillingError
from pishkhan.core import clock
from pishkhan.core.jalali import format_jalali_date, parse_jalali_date
from pishkhan.offices.models import Office
from pishkhan.offices.roles import Role
from pishkhan.payments.actions import (
    do_handle_gateway_callback,
    do_import_settlement,
    do_record_card_payment,
    do_start_online_payment,
)
from pishkhan.payments.models import CashierDay, Payment, PaymentStatus, SettlementImport
from pishkhan.payments.panels import CardForm
from pishkhan.payments.reports import cashier_offices, day_report, do_close_cashier_day


def bill_url(pk: int) -> str:
    return reverse("billing:bill", args=[pk])


@require_POST
@login_required
def start(request: HttpRequest, pk: int) -> HttpResponse:
    principal = principal_for(request)
    callback_url = request.build_absolute_uri(reverse("payments:callback"))
    try:
        _, redirect_url = do_start_online_payment(
            request.user, pk, callback_url=callback_url, principal=principal
        )
    except BillingError as error:
        messages.error(request, error.message)
        return HttpResponseRedirect(bill_url(pk))
    return HttpResponseRedirect(redirect_url)


@csrf_exempt  # the bank posts here; the token is checked and the bank asked, server side
@require_POST
def callback(request: HttpRequest) -> HttpResponse:
    result = do_handle_gateway_callback(
        token=request.POST.get("token"),
        status=request.POST.get("status"),
        reference=request.POST.get("ref"),
    )
    if result.payment is None or result.result == "refused":
        return render(request, "payments/refused.html", {"message": result.message}, status=400)
    request.session["payment_message"] = result.message
    # a GET after the bank's POST: the browser sends the session cookie again (SameSite)
    return HttpResponseRedirect(reverse("payments:payment", args=[result.payment.pk]), status=303)


def payment_in_scope(request: HttpRequest, pk: int) -> Payment:
    payment = Payment.objects.filter(pk=pk).first()
    if payment is None:
        raise Http404("پرداخت پیدا نشد.")
    access_bill_by_id(request.user, payment.bill_id, principal_for(request))  # 404 if foreign
    return Payment.objects.select_related(
        "bill", "bill__case", "bill__payer", "bill__office", "office"
    ).get(pk=payment.pk)


@require_http_methods(["GET", "HEAD"])
@login_required
def payment_page(request: HttpRequest, pk: int) -> HttpResponse:
    payment = payment_in_scope(request, pk)
    context = {
        "payment": payment,
        "bill": payment.bill,
        "message": request.session.pop("payment_message", ""),
        "paid": payment.status == PaymentStatus.CAPTURED,
    }
    return render(request, "payments/payment.html", context)


@require_POST
@login_required
def card(request: HttpRequest, pk: int) -> HttpResponse:
    form = CardForm(request.POST)
    if not form.is_valid():
        messages.error(request, "شماره مرجع و شماره کارت پوشیده را بنویسید.")
        return HttpResponseRedirect(bill_url(pk))
    try:
        payment = do_record_card_payment(
            request.user,
            pk,
            terminal_reference=form.cleaned_data["terminal_reference"],
            masked_card=form.cleaned_data["masked_card"],
            office_id=request.POST.get("office") or None,
            principal=principal_for(request),
        )
    except BillingError as error:
        messages.error(request, error.message)
        return HttpResponseRedirect(bill_url(pk))
    messages.success(request, "پرداخت کارت‌خوان ثبت شد.")
    return HttpResponseRedirect(reverse("payments:payment", args=[payment.pk]))


class SettlementForm(forms.Form):
    file = forms.FileField(label="فایل تسویه بانک (CSV)")


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def settlement(request: HttpRequest) -> HttpResponse:
    principal = principal_for(request)
    if not principal.has_role(Role.ADMINISTRATOR):
        raise Http404("صفحه پیدا نشد.")
    form = SettlementForm(request.POST or None, request.FILES or None)
    context: dict[str, Any] = {"form": form, "result": None, "error": ""}
    status = 200
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            context["result"] = do_import_settlement(
                request.user, name=upload.name, content=upload.read(), principal=principal
            )
        except BillingError as error:
            context["error"], status = error.message, 400
    elif request.method == "POST":
        status = 400
    context["imports"] = list(SettlementImport.objects.all()[:20])
    return render(request, "payments/settlement.html", context, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def cashier_day(request: HttpRequest) -> HttpResponse:
    principal = principal_for(request)
    offices = cashier_offices(principal)
    if not offices:
        raise Http404("صفحه پیدا نشد.")
    data = request.POST if request.method == "POST" else request.GET
    try:
        office_id = int(data.get("office") or offices[0])
    except ValueError:
        raise Http404("دفتر پیدا نشد.") from None
    if office_id not in offices:
        raise Http404("دفتر پیدا نشد.")
    today = timezone.localtime(clock.now()).date()
    error = ""
    try:
        day = parse_jalali_date(data["day"]) if data.get("day") else today
    except (ValidationError, ValueError):
        day, error = today, "تاریخ را به شکل ۱۴۰۵/۰۲/۱۰ بنویسید."
    status = 200
    if request.method == "POST" and not error:
        try:
            do_close_cashier_day(request.user, office_id, day, principal=principal)
            messages.success(request, "روز صندوق بسته شد.")
            url = reverse("payments:day") + f"?office={office_id}&day={format_jalali_date(day)}"
            return HttpResponseRedirect(url)
        except BillingError as refused:
            error, status = refused.message, 400
    closed = CashierDay.objects.filter(office_id=office_id, day=day).first()
    context = {
        "office": Office.objects.get(pk=office_id),
        "offices": Office.objects.filter(pk__in=offices).order_by("name"),
        "day": day,
        "day_text": format_jalali_date(day),
        "report": closed.report if closed else day_report(office_id, day),
        "closed": closed,
        "can_close": closed is None and day < today,
        "error": error,
        "previous": format_jalali_date(day - dt.timedelta(days=1)),
        "next": format_jalali_date(day + dt.timedelta(days=1)) if day < today else "",
    }
    return render(request, "payments/day.html", context, status=status)
