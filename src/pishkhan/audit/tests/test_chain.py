"""The audit chain: every row's hash covers the one before; the verifier names the first
broken link (an edited, a deleted, a reordered row) and the signed checkpoints catch a
chain cut short at its end or rewritten whole."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from pishkhan.audit.chain import (
    ChainBrokenError,
    audit_key,
    key_id,
    record,
    verify,
    write_checkpoint,
)
from pishkhan.audit.models import GENESIS, AuditCheckpoint, AuditImmutableError, AuditRecord
from pishkhan.audit.tasks import checkpoint_audit_chain
from pishkhan.audit.tests.tamper import tamper
from pishkhan.core import clock
from pishkhan.outbox.schedule import jobs

pytestmark = pytest.mark.django_db


def chain(n: int) -> list[AuditRecord]:
    return [
        record("case.claim", subject=("case", i), summary={"to_state": "s"}, actor_id=i)
        for i in range(1, n + 1)
    ]


def problem_codes() -> list[tuple[str, int | None]]:
    return [(p.code, p.seq) for p in verify().problems]


def run_verifier() -> str:
    with pytest.raises(CommandError) as failure:
        call_command("verify_audit_chain")
    return str(failure.value)


def test_rows_link_to_the_one_before_and_an_intact_chain_verifies() -> None:
    rows = chain(3)
    assert [r.seq for r in rows] == [1, 2, 3]
    assert rows[0].prev_hash == GENESIS
    assert [r.prev_hash for r in rows[1:]] == [r.hash for r in rows[:2]]
    report = verify()
    assert (report.intact, report.records, report.head_seq) == (True, 3, 3)


def test_the_command_says_an_intact_chain_is_intact(capsys: pytest.CaptureFixture[str]) -> None:
    chain(2)
    call_command("verify_audit_chain")
    assert "The audit chain is intact: 2 rows, head 2" in capsys.readouterr().out


def test_an_edited_row_is_named() -> None:
    chain(5)
    tamper(
        "UPDATE audit_auditrecord SET summary = %s WHERE seq = 3",
        [json.dumps({"to_state": "forged"})],
    )
    assert problem_codes() == [("edited", 3)]
    assert "Row 3 was changed after it was written" in run_verifier()


def test_an_edited_row_whose_hash_was_recomputed_breaks_the_next_link() -> None:
    chain(5)
    row = AuditRecord.objects.get(seq=3)
    row.actor_id = 99
    tamper(
        "UPDATE audit_auditrecord SET actor_id = 99, hash = %s WHERE seq = 3", [row.compute_hash()]
    )
    assert problem_codes() == [("broken_link", 4)]


def test_a_deleted_row_is_a_gap_in_the_chain() -> None:
    chain(5)
    tamper("DELETE FROM audit_auditrecord WHERE seq = 3")
    assert problem_codes() == [("missing", 3)]
    message = run_verifier()
    assert "Row 3 of the chain was deleted: row 2 is followed by row 4" in message
    assert "حذف شده است" in message


def test_a_deleted_row_with_the_rest_renumbered_breaks_the_link() -> None:
    chain(5)
    tamper("DELETE FROM audit_auditrecord WHERE seq = 3")
    for seq in (4, 5):
        tamper("UPDATE audit_auditrecord SET seq = %s WHERE seq = %s", [seq - 1, seq])
    assert problem_codes()[0] == ("broken_link", 3)


def test_reordered_rows_are_caught() -> None:
    chain(5)
    tamper("UPDATE audit_auditrecord SET seq = 1000 WHERE seq = 3")
    tamper("UPDATE audit_auditrecord SET seq = 3 WHERE seq = 4")
    tamper("UPDATE audit_auditrecord SET seq = 4 WHERE seq = 1000")
    assert problem_codes() == [("broken_link", 3)]
    assert "rows were reordered" in run_verifier()


def test_a_truncated_chain_is_caught_by_the_signed_checkpoint() -> None:
    chain(5)
    write_checkpoint()
    tamper("DELETE FROM audit_auditrecord WHERE seq >= 4")
    # the rows left link up: only the checkpoint knows the chain was longer
    report = verify()
    assert [(p.code, p.seq) for p in report.problems] == [("truncated", 5)]
    assert "names row 5 as the head, but that row is gone (the chain ends at row 3)" in (
        run_verifier()
    )


def test_rows_after_the_last_checkpoint_can_be_cut_unseen_until_the_next_one() -> None:
    """Why the checkpoint is daily: the tail written since the last one is unsigned."""
    chain(3)
    write_checkpoint()
    chain(2)
    tamper("DELETE FROM audit_auditrecord WHERE seq >= 4")
    assert verify().intact
    tamper("DELETE FROM audit_auditrecord WHERE seq = 3")
    assert problem_codes() == [("truncated", 3)]


def test_a_chain_rewritten_whole_no_longer_matches_its_checkpoint() -> None:
    rows = chain(4)
    write_checkpoint()
    prev = GENESIS
    for row in rows:  # rebuild every hash after changing row 2, as a forger would
        if row.seq == 2:
            row.summary = {"to_state": "forged"}
        row.prev_hash = prev
        row.hash = prev = row.compute_hash()
        tamper(
            "UPDATE audit_auditrecord SET summary = %s, prev_hash = %s, hash = %s WHERE seq = %s",
            [json.dumps(row.summary), row.prev_hash, row.hash, row.seq],
        )
    assert problem_codes() == [("rewritten", 4)]


def test_a_forged_checkpoint_and_one_of_another_key_are_refused() -> None:
    chain(2)
    checkpoint = write_checkpoint()
    tamper(
        "UPDATE audit_auditcheckpoint SET head_seq = 1, head_hash = %s WHERE id = %s",
        [AuditRecord.objects.get(seq=1).hash, checkpoint.pk],
    )
    assert problem_codes() == [("bad_signature", 1)]
    with override_settings(PISHKHAN_AUDIT_KEY="another-key-" + "x" * 40):
        assert [c for c, _ in problem_codes()] == ["other_key"]


def test_the_key_is_derived_from_the_secret_key_unless_set() -> None:
    derived = audit_key()
    with override_settings(PISHKHAN_AUDIT_KEY="set-key-" + "y" * 40):
        assert audit_key() == b"set-key-" + b"y" * 40
    with override_settings(SECRET_KEY="another-secret-" + "z" * 50):
        assert audit_key() != derived
    assert key_id(derived) != key_id(audit_key.__module__.encode())


def test_a_broken_chain_is_not_signed() -> None:
    chain(3)
    tamper("DELETE FROM audit_auditrecord WHERE seq = 2")
    with pytest.raises(ChainBrokenError):
        write_checkpoint()
    with pytest.raises(CommandError, match="No checkpoint written: Row 2"):
        call_command("audit_checkpoint")
    assert not AuditCheckpoint.objects.exists()


def test_the_checkpoint_of_an_empty_chain_and_the_command(
    capsys: pytest.CaptureFixture[str],
) -> None:
    call_command("audit_checkpoint")
    assert "Checkpoint written: head row 0" in capsys.readouterr().out
    chain(1)
    assert verify().intact


def test_the_daily_job_signs_the_head_once_per_run() -> None:
    assert [(j.name, j.every) for j in jobs() if j.name == "audit.checkpoint"] == [
        ("audit.checkpoint", dt.timedelta(days=1))
    ]
    chain(2)
    with clock.frozen(clock.now()) as frozen:
        assert checkpoint_audit_chain.call() == 2
        chain(1)
        assert checkpoint_audit_chain.call() == 2  # enqueued twice: signed once
        frozen.now += dt.timedelta(days=1)
        assert checkpoint_audit_chain.call() == 3
    assert AuditCheckpoint.objects.count() == 2


def test_the_application_never_changes_or_deletes_an_audit_row() -> None:
    row = chain(1)[0]
    row.kind = "forged"
    with pytest.raises(AuditImmutableError):
        row.save()
    with pytest.raises(AuditImmutableError):
        row.delete()
    with pytest.raises(AuditImmutableError):
        AuditRecord.objects.filter(pk=row.pk).update(kind="forged")
    with pytest.raises(AuditImmutableError):
        AuditRecord.objects.all().delete()
    checkpoint = write_checkpoint()
    with pytest.raises(AuditImmutableError):
        checkpoint.delete()
    assert verify().intact


def test_summaries_keep_ids_not_personal_data() -> None:
    row = record("test.masked", summary={"note": "کد ملی 0076545644 ثبت شد", "n": 7})
    assert row.summary == {"note": "کد ملی ******5644 ثبت شد", "n": 7}
    assert "0076545644" not in json.dumps(AuditRecord.objects.get(pk=row.pk).summary)
    with pytest.raises(TypeError):
        record("test.float", summary={"amount": 1.5})
