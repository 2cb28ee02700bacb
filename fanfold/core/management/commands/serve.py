"""fanfold serve: the production web server (gunicorn) plus the background task worker."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError


def _die_with_parent() -> None:
    """Run in each child before exec: if `fanfold serve` itself is killed (even by SIGKILL), the
    kernel sends the child SIGTERM, so no orphaned server keeps the port or the database busy."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGTERM, 0, 0, 0)
    except (OSError, AttributeError):  # not Linux: systemd (KillMode=control-group) still cleans up
        pass


class Command(BaseCommand):
    help = "Serve the archive with gunicorn and run the task worker beside it, until stopped."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("FANFOLD_WEB_WORKERS", "2")))
        parser.add_argument("--no-worker", action="store_true", help="do not start the task worker")

    def handle(self, *args, host, port, workers, no_worker, **options):
        if not 1 <= port <= 65535:
            raise CommandError(f"--port {port} is not a valid port")
        if settings.PRODUCTION:
            # Say what is wrong before the first visitor finds out; warnings do not stop the server.
            call_command("check", deploy=True, fail_level="ERROR")
        bind = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
        web = [
            sys.executable, "-m", "gunicorn", "fanfold.wsgi:application",
            "--bind", bind, "--workers", str(max(1, workers)), "--threads", "4",
            "--worker-class", "gthread", "--timeout", "120", "--graceful-timeout", "20",
            # Recycle workers now and then so a slow leak can never take the server down.
            "--max-requests", "5000", "--max-requests-jitter", "500",
            "--access-logfile", "-", "--log-level", "info",
        ]  # fmt: skip
        children = {"web server": subprocess.Popen(web, preexec_fn=_die_with_parent)}
        if not no_worker:
            worker = [sys.executable, "-m", "fanfold.cli", "worker", "--queue-name", "default"]
            children["task worker"] = subprocess.Popen(worker, preexec_fn=_die_with_parent)
        self.stdout.write(f"Fanfold is serving on http://{bind}/ (Ctrl-C stops it)")
        self.stdout.flush()

        def stop(signum, frame):
            raise KeyboardInterrupt

        signal.signal(signal.SIGTERM, stop)
        try:
            while all(child.poll() is None for child in children.values()):
                time.sleep(0.5)
            name, failed = next((n, c) for n, c in children.items() if c.poll() is not None)
            raise CommandError(f"the {name} stopped with status {failed.returncode}")
        except KeyboardInterrupt:
            pass
        finally:
            for child in children.values():
                if child.poll() is None:
                    child.terminate()
            for child in children.values():
                try:
                    child.wait(timeout=25)
                except subprocess.TimeoutExpired:
                    child.kill()
