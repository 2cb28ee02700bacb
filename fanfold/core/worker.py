"""Recovering background tasks whose worker died (SIGKILL, power cut, out of memory).

django_tasks_db marks a task RUNNING when a worker claims it and never looks at it again, so a task
whose worker was killed would stay RUNNING forever. `fanfold worker` calls recover_stale_tasks at
start and then every few minutes: a RUNNING task goes back to READY (to run again) when

- its worker ran on this machine and that process no longer exists, or
- it started longer ago than FANFOLD_TASK_STALE_SECONDS (a worker on another machine that died).

Our tasks are written to be safe to run twice (they recompute or deliver idempotently). A task
that has already been attempted FANFOLD_TASK_MAX_ATTEMPTS times is marked FAILED instead, so one
that kills its worker (say, by running out of memory) cannot take the queue down forever.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import get_random_string
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

logger = logging.getLogger(__name__)

DEFAULT_STALE_SECONDS = 3600
DEFAULT_MAX_ATTEMPTS = 3


def _hostname() -> str:
    # ":" separates the parts of a worker id; django_tasks_db allows 64 characters in all.
    return socket.gethostname().replace(":", "-")[:36] or "host"


def new_worker_id() -> str:
    """host:pid:random, so a later worker can tell whether the one that claimed a task still lives."""
    return f"{_hostname()}:{os.getpid()}:{get_random_string(8)}"


def _parse_worker_id(worker_id: str) -> tuple[str, int] | None:
    parts = worker_id.split(":")
    if len(parts) != 3 or not parts[1].isdigit():
        return None  # a worker not started by `fanfold worker`
    return parts[0], int(parts[1])


def _process_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, owned by someone else
    # A reused pid belongs to some other program; our workers' command lines name the worker.
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            cmdline = f.read()
    except OSError:
        return True
    return b"worker" in cmdline


@dataclass(frozen=True)
class Recovery:
    requeued: list[str]
    failed: list[str]


def _is_stale(result: DBTaskResult, now: dt.datetime, stale_after: dt.timedelta) -> bool:
    last = result.worker_ids[-1] if result.worker_ids else ""
    parsed = _parse_worker_id(last)
    if parsed is not None and parsed[0] == _hostname():
        return not _process_alive(parsed[1])
    return result.started_at is None or now - result.started_at > stale_after


def recover_stale_tasks(
    *, stale_seconds: int | None = None, max_attempts: int | None = None, backend_name: str = "default"
) -> Recovery:
    """Put the RUNNING tasks of dead workers back in the queue (or fail them after too many tries)."""
    stale_after = dt.timedelta(
        seconds=stale_seconds
        if stale_seconds is not None
        else getattr(settings, "FANFOLD_TASK_STALE_SECONDS", DEFAULT_STALE_SECONDS)
    )
    attempts_allowed = (
        max_attempts
        if max_attempts is not None
        else getattr(settings, "FANFOLD_TASK_MAX_ATTEMPTS", DEFAULT_MAX_ATTEMPTS)
    )
    now = timezone.now()
    requeued: list[str] = []
    failed: list[str] = []
    with transaction.atomic():
        running = DBTaskResult.objects.select_for_update(skip_locked=True).filter(
            status=TaskResultStatus.RUNNING, backend_name=backend_name
        )
        for result in running:
            if not _is_stale(result, now, stale_after):
                continue
            if len(result.worker_ids) >= attempts_allowed:
                result.status = TaskResultStatus.FAILED
                result.finished_at = now
                result.exception_class_path = "fanfold.core.worker.WorkerDied"
                result.traceback = (
                    f"The worker running this task died {len(result.worker_ids)} times "
                    f"(workers {', '.join(result.worker_ids)}); it is not tried again."
                )
                result.save(update_fields=["status", "finished_at", "exception_class_path", "traceback"])
                failed.append(str(result.id))
            else:
                result.status = TaskResultStatus.READY
                result.started_at = None
                result.save(update_fields=["status", "started_at"])
                requeued.append(str(result.id))
    for task_id in requeued:
        logger.warning("task %s was left running by a dead worker; it will run again", task_id)
    for task_id in failed:
        logger.error("task %s killed its worker %d times; marked failed", task_id, attempts_allowed)
    return Recovery(requeued=requeued, failed=failed)
