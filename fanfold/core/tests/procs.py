"""Real-process helpers for the backup and fault tests: a migrated archive of its own (a data
directory, and for PostgreSQL a database on the test run's server), `fanfold` commands and
Python snippets run against it, and `fanfold serve` started in its own process group."""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import connection
from django_tasks import task

PYTHON = sys.executable
_templates: dict[str, Any] = {}


def vendor() -> str:
    return connection.vendor  # the test run's database: settings only, no query


def _pg_url(name: str) -> str:
    db = connection.settings_dict
    auth = db.get("USER") or "postgres"
    if db.get("PASSWORD"):
        auth += f":{db['PASSWORD']}"
    return f"postgres://{auth}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{name}"


def _pg_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(_pg_url("postgres"), autocommit=True) as conn:
        conn.execute(sql)


def base_env(data_dir: Path, database_url: str | None) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("FANFOLD_", "DATABASE_URL", "PYTEST", "DJANGO_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="fanfold.settings",
        FANFOLD_DATA_DIR=str(data_dir),
        FANFOLD_RATE_LIMITS="false",
        FANFOLD_LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def _template() -> dict[str, Any]:
    """Migrate once per test process; every archive starts as a copy of this one."""
    kind = vendor()
    if kind in _templates:
        return _templates[kind]
    data_dir = Path(tempfile.mkdtemp(prefix="fanfold-template-"))
    url = None
    if kind == "postgresql":
        name = f"fanfold_tpl_{uuid.uuid4().hex[:10]}"
        _pg_admin(f'CREATE DATABASE "{name}"')
        atexit.register(_pg_admin, f'DROP DATABASE IF EXISTS "{name}"')
        url = _pg_url(name)
        template = {"data_dir": data_dir, "db": name}
    else:
        template = {"data_dir": data_dir, "db": None}
    subprocess.run(
        [PYTHON, "-m", "fanfold.cli", "migrate", "-v0"], env=base_env(data_dir, url), check=True, timeout=120
    )
    atexit.register(shutil.rmtree, data_dir, True)
    _templates[kind] = template
    return template


@dataclass
class Archive:
    data_dir: Path
    database_url: str | None
    db_name: str | None
    servers: list[subprocess.Popen] = field(default_factory=list)

    @property
    def env(self) -> dict[str, str]:
        return base_env(self.data_dir, self.database_url)

    def fanfold(self, *args: str, timeout: float = 120, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run(
            [PYTHON, "-m", "fanfold.cli", *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=check,
        )

    def python(self, code: str, *, timeout: float = 120) -> str:
        """Run Django code against this archive in a fresh process; returns its standard output."""
        prelude = "import django\ndjango.setup()\n"
        done = subprocess.run(
            [PYTHON, "-c", prelude + code], env=self.env, capture_output=True, text=True, timeout=timeout
        )
        if done.returncode != 0:
            raise AssertionError(f"script failed ({done.returncode}):\n{done.stderr[-3000:]}")
        return done.stdout

    def python_json(self, code: str) -> Any:
        return json.loads(self.python(code).strip().splitlines()[-1])

    def serve(self, port: int, *, log: Path, workers: int = 1) -> subprocess.Popen:
        """`fanfold serve` in a process group of its own, so one killpg hits every process at once."""
        out = log.open("ab")
        process = subprocess.Popen(
            [
                PYTHON,
                "-m",
                "fanfold.cli",
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--workers",
                str(workers),
            ],
            env=self.env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.servers.append(process)
        return process

    def sqlite_path(self) -> Path:
        return self.data_dir / "fanfold.sqlite3"


def power_cut(process: subprocess.Popen) -> None:
    """SIGKILL the whole process group (server, its gunicorn workers, the task worker) at once."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=10)
    # The children die with the group; give the kernel a moment to reap them and free the port.
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.killpg(process.pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)
    raise AssertionError("processes of the killed group are still alive")


def stop(process: subprocess.Popen, timeout: float = 30) -> int:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        return process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        power_cut(process)
        raise AssertionError(f"fanfold serve did not stop within {timeout} s of SIGTERM") from None


@contextlib.contextmanager
def new_archive(tmp_path: Path) -> Iterator[Archive]:
    """A migrated, empty archive (a copy of the template) that is removed afterwards."""
    template = _template()
    data_dir = tmp_path / "data"
    shutil.copytree(template["data_dir"], data_dir)
    db_name = None
    url = None
    if template["db"]:
        db_name = f"fanfold_t_{uuid.uuid4().hex[:10]}"
        _pg_admin(f'CREATE DATABASE "{db_name}" TEMPLATE "{template["db"]}"')
        url = _pg_url(db_name)
    archive = Archive(data_dir=data_dir, database_url=url, db_name=db_name)
    try:
        yield archive
    finally:
        for process in archive.servers:
            if process.poll() is None:
                power_cut(process)
        if db_name:
            _pg_admin(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')


def empty_database(tmp_path: Path) -> Archive:
    """An empty data directory (and empty PostgreSQL database) to restore into; drop_database() after."""
    data_dir = tmp_path / "restored"
    url = None
    db_name = None
    if vendor() == "postgresql":
        db_name = f"fanfold_r_{uuid.uuid4().hex[:10]}"
        _pg_admin(f'CREATE DATABASE "{db_name}"')
        url = _pg_url(db_name)
    return Archive(data_dir=data_dir, database_url=url, db_name=db_name)


def drop_database(archive: Archive) -> None:
    if archive.db_name:
        _pg_admin(f'DROP DATABASE IF EXISTS "{archive.db_name}" WITH (FORCE)')


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_serving(port: int, process: subprocess.Popen, timeout: float = 40) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"fanfold serve exited with status {process.returncode}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/works", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    raise AssertionError(f"fanfold serve did not answer on port {port} within {timeout} s")


def request(
    port: int, method: str, path: str, body: Any = None, token: str = "", timeout: float = 20
) -> tuple[int, Any]:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=data, method=method)
    req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, None


# A task for the fault test, importable by the worker process: the first attempt records that it
# started and then hangs (the test kills its worker there); a later attempt finishes at once.
@task()
def probe(marker_dir: str) -> int:
    folder = Path(marker_dir)
    attempt = len(list(folder.glob("probe-*"))) + 1
    (folder / f"probe-{attempt}").write_text(str(os.getpid()))
    if attempt == 1:
        time.sleep(120)
    return attempt
