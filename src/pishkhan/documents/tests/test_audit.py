"""Every issue, correction and revocation of a document is a row of the audit chain,
written in the same transaction, naming the file by its SHA-256 and never the reason."""

from __future__ import annotations

from pishkhan.audit.chain import verify
from pishkhan.audit.models import AuditRecord
from pishkhan.documents.actions import do_correct_document, do_revoke_document
from pishkhan.documents.models import IssuedDocument
from pishkhan.documents.tests.test_documents import approved_case
from pishkhan.testing.personas import City


def document_rows(document: IssuedDocument) -> list[AuditRecord]:
    return list(
        AuditRecord.objects.filter(subject_type="document", subject_id=str(document.pk)).order_by(
            "seq"
        )
    )


def test_the_issue_a_correction_and_a_revocation_are_each_audited(city: City) -> None:
    case = approved_case(city)
    issued = IssuedDocument.objects.get(case=case)
    [row] = document_rows(issued)
    assert row.kind == "document.issue"
    assert row.actor_id == city.dana.pk
    assert row.summary["serial"] == issued.serial
    assert row.summary["sha256"] == issued.sha256
    assert row.summary["case_id"] == case.pk
    event = issued.events.get()
    assert row.summary["event_id"] == event.pk

    reason = "نام تأییدکننده اشتباه چاپ شده است"
    new = do_correct_document(city.sam, issued, reason)
    [row] = document_rows(new)
    assert (row.kind, row.actor_id) == ("document.supersede", city.sam.pk)
    assert row.summary["supersedes_id"] == issued.pk
    assert row.summary["sha256"] == new.sha256

    do_revoke_document(city.sam, new, "پلاک اشتباه")
    kinds = [r.kind for r in document_rows(new)]
    assert kinds == ["document.supersede", "document.revoke"]
    texts = "".join(
        str(r.summary) for r in AuditRecord.objects.filter(kind__startswith="document.")
    )
    assert reason not in texts
    assert "پلاک" not in texts
    assert verify().intact
