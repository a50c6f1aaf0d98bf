"""The background worker: runs django-tasks' database worker and sweeps the outbox.

Each round it (1) enqueues a delivery task when outbox messages are due — retries whose
backoff has passed, and messages a killed worker had claimed, once their lease has
expired —, (2) enqueues the periodic jobs whose time has come (outbox/schedule.py) and
(3) runs every ready task of the queue. Ctrl+C or SIGTERM stops it after
the task in hand (the rest of the queue waits for the next worker).
"""

from __future__ import annotations

import logging
import signal
import threading
from argparse import ArgumentParser
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand
from django.db import OperationalError, close_old_connections
from django.utils.crypto import get_random_string
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, DEFAULT_TASK_QUEUE_NAME
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from pishkhan.outbox.delivery import has_due
from pishkhan.outbox.schedule import enqueue_due
from pishkhan.outbox.tasks import deliver_outbox

logger = logging.getLogger("pishkhan.outbox")


class Command(BaseCommand):
    help = "Run the background worker (task queue and outbox delivery)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--interval", type=float, default=1.0, help="seconds between rounds")
        parser.add_argument("--once", action="store_true", help="one round, then exit")

    def handle(self, *args: Any, interval: float, once: bool, **options: Any) -> None:
        stop = threading.Event()
        current: list[Worker] = []

        def shutdown(signum: int, frame: FrameType | None) -> None:
            stop.set()
            for worker in current:  # finish the task in hand, take no other
                worker.running = False

        signal.signal(signal.SIGINT, shutdown)
        signal.signal(signal.SIGTERM, shutdown)
        worker_id = get_random_string(32)
        self.stdout.write(f"worker {worker_id} started (Ctrl+C to stop)")
        while not stop.is_set():
            close_old_connections()
            try:
                sweep()
                enqueue_due()
                run_ready_tasks(worker_id, stop, current)
            except OperationalError as error:  # SQLite busy, a dropped connection …
                logger.warning("worker round failed, retrying: %s", error)
            if once:
                break
            stop.wait(interval)
        self.stdout.write("worker stopped")


def sweep() -> None:
    """Enqueue a delivery when messages are due and no delivery task is waiting."""
    waiting = DBTaskResult.objects.ready().filter(task_path=deliver_outbox.module_path)
    if has_due() and not waiting.exists():
        deliver_outbox.enqueue()


def run_ready_tasks(worker_id: str, stop: threading.Event, current: list[Worker]) -> None:
    worker = Worker(
        queue_names=[DEFAULT_TASK_QUEUE_NAME],
        interval=0,
        batch=True,
        backend_name=DEFAULT_TASK_BACKEND_ALIAS,
        startup_delay=False,
        max_tasks=None,
        worker_id=worker_id,
        excluded_queue_names=[],
    )
    worker.running = not stop.is_set()
    current[:] = [worker]
    try:
        if worker.running:
            worker.run()
    finally:
        current.clear()
