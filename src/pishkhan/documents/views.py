"""The public verification page and the download of an issued document.

Verification needs no login: a serial and a code (typed, or the QR code's address),
rate-limited per address; optionally a PDF to compare byte for byte. The download is
for whoever sees the case (the permission answer): its staff and its applicant.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from pishkhan.accounts.access import principal_for
from pishkhan.accounts.lockout import client_ip
from pishkhan.billing.access import access_bill_by_id
from pishkhan.cases.access import access_case_by_id
from pishkhan.cases.permissions import visibility
from pishkhan.documents.models import IssuedDocument
from pishkhan.documents.verify import find_document, over_limit, sha256_of_upload, verdict
from pishkhan.files.store import open_stored

NOT_FOUND = (
    "سندی با این شماره و رمز تصدیق پیدا نشد. هر دو را همان‌گونه که روی سند چاپ شده است وارد کنید."
)
TOO_MANY = "تلاش‌های تصدیق از این نشانی بیش از حد مجاز بوده است. چند دقیقه دیگر دوباره امتحان کنید."


class VerifyForm(forms.Form):
    serial = forms.CharField(label="شماره سند", max_length=30)
    code = forms.CharField(label="رمز تصدیق", max_length=30)
    file = forms.FileField(label="پرونده PDF سند (اختیاری)", required=False)


def limited(request: HttpRequest) -> bool:
    return over_limit(
        client_ip(request),
        settings.PISHKHAN_VERIFY_ATTEMPTS,
        settings.PISHKHAN_VERIFY_WINDOW_SECONDS,
    )


def answer(request: HttpRequest, form: VerifyForm, serial: str, code: str) -> HttpResponse:
    if limited(request):
        return render(
            request, "documents/verify.html", {"form": form, "error": TOO_MANY}, status=429
        )
    document = find_document(serial, code)
    if document is None:
        return render(
            request, "documents/verify.html", {"form": form, "error": NOT_FOUND}, status=404
        )
    upload = request.FILES.get("file")
    matches: bool | None = None
    too_large = False
    if upload is not None:
        digest = sha256_of_upload(upload)
        too_large = digest is None
        matches = digest == document.sha256 if digest else False
    context = {
        "form": form,
        "verdict": verdict(document),
        "matches": matches,
        "too_large": too_large,
    }
    return render(request, "documents/verify.html", context)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """The form; a GET with both fields or a POST (with a file) looks the document up."""
    data = request.POST if request.method == "POST" else request.GET
    if not data:
        return render(request, "documents/verify.html", {"form": VerifyForm()})
    form = VerifyForm(data, request.FILES or None)
    if not form.is_valid():
        return render(request, "documents/verify.html", {"form": form}, status=400)
    return answer(request, form, form.cleaned_data["serial"], form.cleaned_data["code"])


@never_cache
@require_http_methods(["GET", "HEAD"])
def verify_link(request: HttpRequest, serial: str, code: str) -> HttpResponse:
    """The QR code's address: the lookup at once, the form filled for an upload."""
    form = VerifyForm(initial={"serial": serial, "code": code})
    return answer(request, form, serial, code)


@login_required
@require_http_methods(["GET", "HEAD"])
def download(request: HttpRequest, pk: int, serial: str) -> FileResponse:
    """The issued PDF for whoever sees its case (a foreign case or serial is a 404)."""
    principal = principal_for(request)
    case = access_case_by_id(request.user, pk, principal)
    if not visibility(principal, case).document_scans:  # its staff and its applicant
        raise Http404("سند پیدا نشد.")
    return pdf_response(IssuedDocument.objects.filter(case_id=case.pk, serial=serial))


@login_required
@require_http_methods(["GET", "HEAD"])
def bill_download(request: HttpRequest, pk: int, serial: str) -> FileResponse:
    """A bill's PDF or its receipt for whoever sees the bill (billing's scope): a bill
    outside it, or a serial the bill does not hold, is a 404."""
    bill = access_bill_by_id(request.user, pk, principal_for(request))
    return pdf_response(IssuedDocument.objects.filter(bill_id=bill.pk, serial=serial))


def pdf_response(documents: QuerySet[IssuedDocument]) -> FileResponse:
    document = documents.select_related("file").first()
    if document is None:
        raise Http404("سند پیدا نشد.")
    response = FileResponse(
        open_stored(document.file.storage_name),
        content_type="application/pdf",
        as_attachment=True,
        filename=f"{document.serial}.pdf",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response


app_name = "documents"
urlpatterns: list[URLPattern] = [
    path("verify/", verify, name="verify"),
    path("verify/<str:serial>/<str:code>/", verify_link, name="verify_link"),
    path("cases/<int:pk>/documents/<str:serial>.pdf", download, name="download"),
    path("bills/<int:pk>/documents/<str:serial>.pdf", bill_download, name="bill_download"),
]
