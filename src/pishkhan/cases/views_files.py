"""A case's scans and photos: attaching them from the case page, and the one way to
read them back.

A stored file has no URL of its own: it is read through ``download``, which looks the
case up in the caller's scope (a foreign case is a 404), then asks the permission answer
whether this person may open this kind of attachment (a scan, a visit photo) — a file
they may not open is a 404 as well. The response never names the storage path, says
what the file is from its stored kind (never from its name), is an attachment (a
thumbnail alone is inline, for the case page's <img>), and carries nosniff and a
sandboxing CSP so a browser runs nothing in it.
"""

from __future__ import annotations

import logging
import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.urls import URLPattern, path, reverse
from django.views.decorators.http import require_http_methods, require_POST

from pishkhan.accounts.access import principal_for
from pishkhan.cases import permissions
from pishkhan.cases.access import access_case_by_id
from pishkhan.cases.actions import do_attach_document_scan, do_attach_visit_photo
from pishkhan.cases.errors import WorkflowError
from pishkhan.cases.forms import PhotoForm, ScanForm
from pishkhan.cases.models import CaseAttachment
from pishkhan.cases.views_case import refused
from pishkhan.files.checks import extension_of
from pishkhan.files.models import Kind, StoredFile
from pishkhan.files.store import open_stored

logger = logging.getLogger(__name__)

FILE_NOT_FOUND = "پرونده پیدا نشد."
# A downloaded file runs nothing and loads nothing, even if a browser were to render it.
DOWNLOAD_CSP = "default-src 'none'; sandbox"


def download_name(stored: StoredFile) -> str:
    """The client's name, with the stored kind's extension when it had none."""
    kind = Kind(stored.kind)
    name = stored.display_name
    return name if extension_of(name) else f"{name}.{kind.extension}"


def file_response(stored: StoredFile, *, thumbnail: bool) -> FileResponse:
    name = stored.thumbnail_name if thumbnail else stored.storage_name
    if not name:
        raise Http404(FILE_NOT_FOUND)
    try:
        handle = open_stored(name)
    except (OSError, ValueError):
        logger.error("stored file %s of upload %s cannot be read", name, stored.pk)
        raise Http404(FILE_NOT_FOUND) from None
    if thumbnail:
        response = FileResponse(handle, content_type="image/jpeg")
        response["Content-Disposition"] = "inline"
    else:
        response = FileResponse(
            handle,
            as_attachment=True,
            filename=download_name(stored),
            content_type=stored.content_type,
        )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = DOWNLOAD_CSP
    response["Cache-Control"] = "private, no-store"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response


@require_http_methods(["GET", "HEAD"])
@login_required
def download(
    request: HttpRequest, pk: int, key: uuid.UUID, thumbnail: bool = False
) -> HttpResponseBase:
    principal = principal_for(request)
    case = access_case_by_id(request.user, pk, principal)
    attachment = (
        CaseAttachment.objects.select_related("file").filter(case_id=case.pk, file__key=key).first()
    )
    sees = permissions.visibility(principal, case)
    if attachment is None or not permissions.attachment_visible(sees, attachment.kind):
        raise Http404(FILE_NOT_FOUND)
    return file_response(attachment.file, thumbnail=thumbnail)


@require_POST
@login_required
def attach_scan(request: HttpRequest, pk: int) -> HttpResponse:
    case = access_case_by_id(request.user, pk, principal_for(request))
    form = ScanForm(request.POST, request.FILES)
    if not form.is_valid():
        return refused(request, case, WorkflowError(form.first_error()))
    try:
        attachment = do_attach_document_scan(
            request.user,
            case.pk,
            form.cleaned_data["version"],
            form.cleaned_data["document"],
            form.cleaned_data["file"],
            principal=principal_for(request),
        )
    except WorkflowError as error:
        return refused(request, case, error)
    title = case.definition.documents.get(attachment.document_code, attachment.document_code)
    messages.success(request, f"اسکن «{title}» پیوست شد.")
    return HttpResponseRedirect(reverse("cases:detail", args=[case.pk]) + "#case-documents")


@require_POST
@login_required
def attach_photo(request: HttpRequest, pk: int) -> HttpResponse:
    case = access_case_by_id(request.user, pk, principal_for(request))
    form = PhotoForm(request.POST, request.FILES)
    if not form.is_valid():
        return refused(request, case, WorkflowError(form.first_error()))
    try:
        do_attach_visit_photo(
            request.user,
            case.pk,
            form.cleaned_data["version"],
            form.cleaned_data["report"],
            form.cleaned_data["file"],
            item=form.cleaned_data.get("item", ""),
            principal=principal_for(request),
        )
    except WorkflowError as error:
        return refused(request, case, error)
    messages.success(request, "عکس به گزارش بازدید پیوست شد.")
    return HttpResponseRedirect(reverse("cases:detail", args=[case.pk]) + "#case-visits-title")


urlpatterns: list[URLPattern] = [
    path("<int:pk>/scans/", attach_scan, name="attach_scan"),
    path("<int:pk>/photos/", attach_photo, name="attach_photo"),
    path("<int:pk>/files/<uuid:key>/", download, name="file"),
    path(
        "<int:pk>/files/<uuid:key>/thumbnail/",
        download,
        {"thumbnail": True},
        name="file_thumbnail",
    ),
]
