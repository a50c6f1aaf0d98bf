"""The fake bank's pages (Persian): the card form, the one-time code, and the page that
posts the result back to the merchant's callback (success, cancel or timeout), as a
Shaparak gateway does. The payer sees only the bank; the merchant trusts none of it
until its server verifies."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods, require_POST

from pishkhan.core.digits import to_persian_digits
from pishkhan.fakebank import bank
from pishkhan.fakebank.models import BankState, BankTransaction

RESULT = {
    BankState.AUTHORISED: ("OK", "پرداخت با موفقیت انجام شد."),
    BankState.CANCELLED: ("CANCELLED", "پرداخت را لغو کردید."),
    BankState.TIMED_OUT: ("TIMEOUT", "مهلت پرداخت به پایان رسید."),
    BankState.REVERSED: ("FAILED", "پرداخت انجام نشد."),
}


def transaction_of(token: str) -> BankTransaction:
    row = BankTransaction.objects.filter(token=token).first()
    if row is None:
        raise Http404("تراکنش پیدا نشد.")
    return row


def post_back(request: HttpRequest, row: BankTransaction) -> HttpResponse:
    """The result page: a form that posts token, status and reference to the merchant."""
    status, message = RESULT.get(row.state, ("FAILED", "پرداخت انجام نشد."))  # type: ignore[call-overload]
    return render(
        request,
        "fakebank/result.html",
        {"row": row, "status": status, "message": message, "ok": status == "OK"},
    )


@require_http_methods(["GET", "HEAD", "POST"])
def pay(request: HttpRequest, token: str) -> HttpResponse:
    row = transaction_of(token)
    if row.state not in (BankState.PENDING, BankState.CARD_ENTERED):
        return post_back(request, row)
    error = ""
    if request.method == "POST":
        try:
            bank.enter_card(
                token,
                request.POST.get("pan", ""),
                request.POST.get("cvv2", ""),
                request.POST.get("month", ""),
                request.POST.get("year", ""),
            )
        except bank.BankError as refused:
            error = refused.message
        row.refresh_from_db()
    if row.state == BankState.CARD_ENTERED:
        return render(request, "fakebank/otp.html", {"row": row, "hint": hint(row)})
    if row.state != BankState.PENDING:
        return post_back(request, row)
    context = {"row": row, "error": error, "values": request.POST}
    return render(request, "fakebank/card.html", context, status=400 if error else 200)


def hint(row: BankTransaction) -> str:
    return to_persian_digits(row.otp)


@require_POST
def otp(request: HttpRequest, token: str) -> HttpResponse:
    row = transaction_of(token)
    try:
        row = bank.confirm_otp(token, request.POST.get("otp", ""))
    except bank.BankError as refused:
        row.refresh_from_db()
        if row.state != BankState.CARD_ENTERED:
            return post_back(request, row)
        context = {"row": row, "hint": hint(row), "error": refused.message}
        return render(request, "fakebank/otp.html", context, status=400)
    return post_back(request, row)


@require_POST
def cancel(request: HttpRequest, token: str) -> HttpResponse:
    transaction_of(token)
    return post_back(request, bank.abandon(token, BankState.CANCELLED))


@require_POST
def timeout(request: HttpRequest, token: str) -> HttpResponse:
    """The page's time ran out (the bank's page does this by itself after PAGE_WINDOW;
    the button makes it happen now)."""
    transaction_of(token)
    return post_back(request, bank.abandon(token, BankState.TIMED_OUT))
