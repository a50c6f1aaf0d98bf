"""The spine's seams, used from an app the engine has never heard of (tests.seams):
an effect runs in the action's transaction, and an outbox receiver hears every event
at least once — exactly once in effect, being idempotent — even across a worker kill."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from pishkhan.cases.actions import do_open_case, do_perform_action
from pishkhan.cases.errors import WorkflowError
from pishkhan.cases.models import Case, Channel
from pishkhan.cases.workflow import load_definition
from pishkhan.catalog.models import ServiceCategory, ServiceType
from pishkhan.offices.roles import Role
from pishkhan.outbox.delivery import deliver_due, publish
from pishkhan.outbox.models import DeliveryAttempt, OutboxMessage, Outcome
from pishkhan.testing.personas import City
from tests.seams import plugins
from tests.seams.models import Delivery, EffectRow

ROOT = Path(__file__).resolve().parents[2]
SEAMS = {
    "service": "seams_service",
    "title": "خدمت آزمایشی پیامدها",
    "open_roles": ["technical_manager"],
    "states": [
        {"code": "waiting", "label": "در انتظار", "role": "technical_manager", "initial": True},
        {"code": "done", "label": "انجام‌شده", "role": "technical_manager"},
        {"code": "closed", "label": "بسته", "terminal": True},
    ],
    "actions": [
        {"code": "approve", "label": "تأیید", "from": "waiting", "to": "done",
         "roles": ["technical_manager"], "effects": ["seams_record_entry"]},
        {"code": "approve_broken", "label": "تأیید با پیامد معیوب", "from": "waiting",
         "to": "done", "roles": ["technical_manager"],
         "effects": ["seams_record_entry", "seams_fail"]},
        {"code": "reopen", "label": "بازگشایی", "from": "done", "to": "waiting",
         "roles": ["technical_manager"], "effects": ["seams_remove_entry"]},
        {"code": "close", "label": "بستن", "from": "done", "to": "closed",
         "roles": ["technical_manager"]},
    ],
}  # fmt: skip


@pytest.fixture
def receivers() -> Iterator[None]:
    plugins.calls.clear()
    plugins.register_receivers()
    yield
    plugins.unregister_receivers()


def open_seams_case(world: City) -> Case:
    service = ServiceType.objects.create(
        code="seams_service", name="خدمت آزمایشی پیامدها",
        category=ServiceCategory.INQUIRY, requires_parcel=False,
    )  # fmt: skip
    load_definition(SEAMS)
    world.builder.contract(world.a.office, [service])
    return do_open_case(
        world.a[Role.TECHNICAL_MANAGER], service, world.citizen, None, world.a.office,
        Channel.IN_PERSON, [],
    )  # fmt: skip


def act(world: City, case: Case, code: str) -> Case:
    return do_perform_action(world.a[Role.TECHNICAL_MANAGER], case.pk, code, case.version)


def entry_exists(case: Case) -> bool:
    return EffectRow.objects.filter(case_id=case.pk).exists()


def test_an_effect_row_exists_exactly_while_the_case_is_in_its_state(world: City) -> None:
    case = open_seams_case(world)
    assert not entry_exists(case)
    # a later effect fails: the whole action rolls back, the first effect's row too
    with pytest.raises(WorkflowError, match="پیامد آزمایشی"):
        act(world, case, "approve_broken")
    case.refresh_from_db()
    assert (case.state, case.version, entry_exists(case)) == ("waiting", 1, False)
    case = act(world, case, "approve")
    assert (case.state, entry_exists(case)) == ("done", True)
    assert EffectRow.objects.get(case_id=case.pk).event_seq == case.version
    case = act(world, case, "reopen")
    assert (case.state, entry_exists(case)) == ("waiting", False)


def test_a_definition_naming_an_unregistered_effect_is_refused() -> None:
    from django.core.exceptions import ValidationError

    from pishkhan.cases.workflow import parse_definition

    broken = {**SEAMS, "actions": [{**SEAMS["actions"][0], "effects": ["no_such_effect"]}]}
    with pytest.raises(ValidationError) as refused:
        parse_definition(broken)
    assert "unknown_effect" in {e.code for e in refused.value.error_list}


def test_every_event_is_queued_in_its_own_transaction_and_delivered_once(
    world: City, receivers: None
) -> None:
    case = open_seams_case(world)
    case = act(world, case, "approve")
    with pytest.raises(WorkflowError):  # a refused action queues nothing
        act(world, case, "approve_broken")
    queued = OutboxMessage.objects.filter(receiver="seams.record_delivery")
    assert sorted(queued.values_list("payload__action", flat=True)) == ["approve", "open"]
    assert deliver_due() == 2
    assert deliver_due() == 0  # nothing is delivered twice
    assert sorted(Delivery.objects.values_list("action", flat=True)) == ["approve", "open"]
    assert all(m.delivered_at for m in queued)
    assert DeliveryAttempt.objects.filter(outcome=Outcome.DELIVERED).count() == 2


def test_a_failing_receiver_is_retried_with_backoff_and_logged(
    world: City, receivers: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    open_seams_case(world)
    message = OutboxMessage.objects.get(receiver="seams.record_delivery")

    def down(msg: OutboxMessage) -> None:
        raise ConnectionError("gateway down")

    from pishkhan.outbox import receivers as registry

    monkeypatch.setitem(
        registry._RECEIVERS,
        "seams.record_delivery",
        registry.Receiver("seams.record_delivery", "case.event", down),
    )
    now = timezone.now()
    assert deliver_due(now=now) == 0
    message.refresh_from_db()
    assert (message.attempts, message.delivered_at) == (1, None)
    assert "gateway down" in message.last_error
    assert message.available_at == now + dt.timedelta(seconds=10)
    assert deliver_due(now=now + dt.timedelta(seconds=5)) == 0  # not due yet
    monkeypatch.undo()
    plugins.register_receivers()
    assert deliver_due(now=now + dt.timedelta(seconds=11)) == 1
    outcomes = list(message.attempt_log.values_list("outcome", flat=True))
    assert outcomes == [Outcome.FAILED, Outcome.DELIVERED]


def test_a_worker_that_dies_mid_delivery_leaves_the_message_for_the_next_one(
    world: City, receivers: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In process: the receiver's external effect happened, then the worker died
    (a BaseException that no handler catches) before recording the delivery."""
    sent = tmp_path / "sent.txt"
    publish("seams.external", "sms:1", {"file": str(sent)})

    class Killed(BaseException):
        pass

    from pishkhan.outbox import receivers as registry

    def send_then_die(message: OutboxMessage) -> None:
        plugins.external(message)
        raise Killed()

    monkeypatch.setitem(
        registry._RECEIVERS,
        "seams.external",
        registry.Receiver("seams.external", "seams.external", send_then_die),
    )
    now = timezone.now()
    with pytest.raises(Killed):
        deliver_due(now=now)
    monkeypatch.undo()
    plugins.register_receivers()
    assert deliver_due(now=now + dt.timedelta(seconds=10)) == 0  # still leased to the dead one
    later = now + dt.timedelta(seconds=301)
    assert deliver_due(now=later) == 1
    assert sent.read_text().split() == ["sms:1"]  # sent once
    message = OutboxMessage.objects.get(key="sms:1")
    assert message.delivered_at is not None
    assert message.attempts == 2
    assert list(message.attempt_log.values_list("outcome", flat=True)) == [
        Outcome.RUNNING,  # the attempt the kill cut short stays in the log
        Outcome.DELIVERED,
    ]


@pytest.mark.skipif(
    connection.vendor == "postgresql",
    reason="in process the worker recycles the test's connection; on PostgreSQL the command "
    "runs as a real process in test_a_killed_worker_process_loses_nothing_and_sends_once",
)
def test_the_worker_command_delivers_what_is_queued(world: City, receivers: None) -> None:
    open_seams_case(world)
    call_command("run_worker", "--once", verbosity=0)
    assert list(Delivery.objects.values_list("action", flat=True)) == ["open"]


def worker(env: dict[str, str], log: Path, *args: str) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:  # a file, never a pipe: reading a pipe could block
        return subprocess.Popen(  # noqa: S603 - our own manage.py with fixed arguments
            [sys.executable, str(ROOT / "manage.py"), "run_worker", *args],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=out,
        )


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="a second process needs a shared database"
)
def test_a_killed_worker_process_loses_nothing_and_sends_once(
    tmp_path: Path, receivers: None
) -> None:
    sent = tmp_path / "sent.txt"
    log = tmp_path / "worker.log"
    assert publish("seams.external", "sms:42", {"file": str(sent)}) == 1
    name = connection.settings_dict["NAME"]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "pishkhan.settings_test",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{name}",
        "SEAMS_RECEIVERS": "1",
        "PISHKHAN_OUTBOX_LEASE_SECONDS": "1",
        "PYTHONPATH": f"{ROOT / 'src'}{os.pathsep}{ROOT}",
    }
    first = worker({**env, "SEAMS_HANG": "1"}, log, "--interval", "0.2")
    try:
        deadline = time.monotonic() + 60
        while not (sent.exists() and sent.read_text().strip()):
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.2)
        first.send_signal(signal.SIGKILL)  # mid-delivery: sent, not yet recorded
        first.wait(10)
    finally:
        if first.poll() is None:
            first.kill()
    message = OutboxMessage.objects.get(key="sms:42")
    assert message.delivered_at is None
    time.sleep(1.5)  # the dead worker's lease runs out
    second = worker(env, log, "--once")
    try:
        assert second.wait(60) == 0, log.read_text()
    finally:
        if second.poll() is None:
            second.kill()
    message.refresh_from_db()
    assert message.delivered_at is not None
    assert sent.read_text().split() == ["sms:42"]
    assert message.attempts == 2


def test_a_worker_without_the_receiver_leaves_the_message_pending(world: City) -> None:
    open_seams_case(world)  # no receiver registered: nothing queued
    assert not OutboxMessage.objects.exists()
    plugins.register_receivers()
    try:
        publish("seams.external", "sms:7", {"file": "/nonexistent/never-written"})
    finally:
        plugins.unregister_receivers()  # this "worker" runs other code
    assert deliver_due() == 0
    message = OutboxMessage.objects.get(key="sms:7")
    assert (message.attempts, message.delivered_at, message.failed_at) == (0, None, None)
    assert "no outbox receiver" in message.last_error
