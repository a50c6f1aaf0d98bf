"""The inquiry response as an issued document: what the PDF prints and what the
verification page may show of it (facts frozen at issue)."""

from __future__ import annotations

from typing import Any

from pishkhan.cases.fields import declared_fields, display_rows
from pishkhan.cases.models import Case, InquiryResponse
from pishkhan.cases.responses import answer_view
from pishkhan.core.digits import to_persian_digits
from pishkhan.core.jalali import format_jalali_date
from pishkhan.core.national_id import mask_national_id
from pishkhan.documents.issue import DocumentDraft
from pishkhan.documents.models import DocumentKind
from pishkhan.offices.roles import Role

TEMPLATE = "documents/inquiry_response.html"


def person_name(user: Any) -> str:
    if user is None:
        return "—"
    return str(user.get_full_name() or user.username)


def response_draft(response: InquiryResponse) -> DocumentDraft:
    case: Case = Case.objects.select_related(
        "service_type",
        "district",
        "office",
        "applicant",
        "parcel",
        "parcel__district",
        "prepared_by",
        "definition",
    ).get(pk=response.case_id)
    response = InquiryResponse.objects.select_related("issued_by").get(pk=response.pk)
    parcel = case.parcel
    title = f"پاسخ {case.service_type.name}"
    district_staff = str(Role.DISTRICT_STAFF.label)
    signatories = [
        {"part": "تهیه‌کننده", "name": person_name(case.prepared_by), "role": district_staff},
        {"part": "تأییدکننده", "name": person_name(response.issued_by), "role": district_staff},
    ]
    plate = (
        f"بخش {to_persian_digits(parcel.registration_section)}، پلاک {parcel.plate_label}"
        if parcel
        else ""
    )
    facts = {
        "tracking_code": to_persian_digits(case.tracking_code),
        "service": case.service_type.name,
        "district": case.district.name if case.district else "",
        "plate": plate,
        "result": answer_view(response).result_label,
        "valid_until": response.valid_until.isoformat() if response.valid_until else "",
        "valid_until_label": format_jalali_date(response.valid_until)
        if response.valid_until
        else "",
        "applicant_nid": to_persian_digits(mask_national_id(case.applicant.national_id)),
    }
    context = {
        "case": case,
        "answer": answer_view(response),
        "letter": display_rows(declared_fields(case.definition), case.data),
        "plate": plate,
        "signatories": signatories,
    }
    return DocumentDraft(
        kind=DocumentKind.INQUIRY_RESPONSE,
        title=title,
        template=TEMPLATE,
        context=context,
        facts=facts,
        case_id=case.pk,
        response_id=response.pk,
    )
