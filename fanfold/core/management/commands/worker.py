"""fanfold worker: the background task worker, which first re-queues tasks its dead predecessors left."""

from __future__ import annotations

import threading

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import close_old_connections, connections

from fanfold.core.worker import new_worker_id, recover_stale_tasks

RECOVERY_INTERVAL = 300.0  # seconds between checks for tasks of workers that died elsewhere


class Command(BaseCommand):
    help = "Run the background task worker (re-queues tasks left RUNNING by a worker that was killed)."

    def add_arguments(self, parser):
        parser.add_argument("--queue-name", default="default", help="queues to run, comma-separated")
        parser.add_argument("--interval", type=float, default=1.0, help="seconds between polls when idle")
        parser.add_argument("--recover-only", action="store_true", help="re-queue stale tasks, then exit")
        parser.add_argument("--batch", action="store_true", help="run every waiting task, then exit")

    def handle(self, *args, queue_name, interval, recover_only, batch, **options):
        self._recover()
        if recover_only:
            return
        stop = threading.Event()
        checker = threading.Thread(target=self._recover_periodically, args=(stop,), daemon=True)
        checker.start()
        try:
            call_command(
                "db_worker",
                queue_name=queue_name,
                interval=interval,
                worker_id=new_worker_id(),
                reload=False,
                batch=batch,
                startup_delay=not batch,
                verbosity=options["verbosity"],
            )
        finally:
            stop.set()

    def _recover(self) -> None:
        recovery = recover_stale_tasks()
        if recovery.requeued or recovery.failed:
            self.stdout.write(
                f"Re-queued {len(recovery.requeued)} interrupted task(s); "
                f"gave up on {len(recovery.failed)} that kept killing their worker."
            )

    def _recover_periodically(self, stop: threading.Event) -> None:
        while not stop.wait(RECOVERY_INTERVAL):
            try:
                close_old_connections()
                self._recover()
            except Exception:  # the next round tries again; the worker itself keeps going
                self.stderr.write("checking for interrupted tasks failed; trying again later")
            finally:
                connections.close_all()
