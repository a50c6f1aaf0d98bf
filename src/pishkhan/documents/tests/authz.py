"""The documents app's routes, for the authorization matrix (pishkhan.testing.authz).

The PDF of an issued document is read through its case (`access_case_by_id`, then the
permission answer's visibility): test_verify.py asserts it opens for the applicant and
the case's staff and is a 404 for other offices, districts and citizens, and for a serial
the case does not hold. The verification page is public by design: it is opened by the
serial and the random code printed on the document, and shows no more than the
document itself."""

from __future__ import annotations

from pishkhan.testing.authz import exempt

exempt(
    "documents:download",
    "through its case's scope and visibility; outsiders are a 404 in "
    "test_verify.py::test_the_pdf_downloads_for_the_applicant_and_staff_only",
)
exempt(
    "documents:verify_link",
    "public by design: the serial and the random code printed on the document open it",
)
exempt(
    "documents:bill_download",
    "through its bill's scope (billing.access); outsiders are a 404 in "
    "test_bill_documents.py::test_the_bill_pdf_downloads_for_who_sees_the_bill_only",
)
