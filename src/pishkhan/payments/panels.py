"""The payment panel of the bill page (billing.panels): "pay online" for whoever sees
an unpaid bill, the card-reader form for the office's cashier, and the bill's
payments with their receipts."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest

from pishkhan.accounts.access import Principal
from pishkhan.billing.models import Bill, BillStatus
from pishkhan.billing.panels import bill_panel
from pishkhan.offices.roles import Role
from pishkhan.payments.models import Payment
from pishkhan.payments.reports import cashier_offices


class CardForm(forms.Form):
    terminal_reference = forms.CharField(
        label="شماره مرجع رسید کارت‌خوان", max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "dir": "ltr"}),
    )  # fmt: skip
    masked_card = forms.CharField(
        label="شماره کارت (پوشیده، مثل ۶۰۳۷۹۹******۱۲۳۴)", max_length=23,
        widget=forms.TextInput(attrs={"dir": "ltr"}),
    )  # fmt: skip


@bill_panel("payments")
def payment_panel(request: HttpRequest, principal: Principal, bill: Bill) -> dict[str, Any]:
    unpaid = bill.status == BillStatus.ISSUED
    cashier = bool(cashier_offices(principal))
    return {
        "template": "payments/_bill_panel.html",
        "can_pay_online": unpaid,
        "card_form": CardForm() if unpaid and cashier else None,
        "day_report": cashier,
        "settlement": principal.has_role(Role.ADMINISTRATOR),
        "payments": list(Payment.objects.filter(bill=bill).order_by("-created_at", "-pk")[:20]),
    }
