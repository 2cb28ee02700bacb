"""Load test against the real server: ``python -m fanfold.security.loadtest --users 200 --duration 600``.

It sets up a throw-away archive (temp data dir, ``fanfold setup``, ``fanfold demo``, one account per
simulated user), starts ``fanfold serve`` on a free loopback port with rate limits off, and runs one
thread per user for the duration: reading work pages, filtered listings, searches, kudos and comments,
with a short random think time. Afterwards it stops the server and checks in the database that every
kudos and comment the server acknowledged (a 2xx/3xx answer) is there. The result is one JSON object
(throughput, latency percentiles, status counts, 5xx, 429, lost writes) on stdout; the exit status is
1 when there was a 5xx, a connection error or a lost write.

Self-contained (standard library threads and http.client): nothing to install. Sessions are made
directly in the database, so logging 200 accounts in does not cost 200 password hashes.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

SEARCHES = ("tea", "snow", "library", "found family", "rain", "cat", "morning", "lantern", "a", "the")
LISTINGS = (
    "/works/",
    "/works/?sort=kudos",
    "/works/?sort=words",
    "/works/?sort=title&complete=true",
    "/works/?sort=posted&page=1",
)
ACTIONS = (("read", 40), ("listing", 20), ("search", 15), ("kudos", 10), ("comment", 15))

_SETUP_USERS = r"""
import json, sys
import django
django.setup()
from django.conf import settings
from importlib import import_module
from fanfold.accounts.models import Pseud, User
from fanfold.works.models import Work
from fanfold.tags.models import Tag
n = int(sys.argv[1])
store = import_module(settings.SESSION_ENGINE).SessionStore
sessions = {}
for i in range(n):
    user, _ = User.objects.get_or_create(username=f"load{i:04d}", defaults={"email": f"load{i}@example.org"})
    Pseud.objects.get_or_create(user=user, name=user.username, defaults={"is_default": True})
    s = store()
    s["_auth_user_id"] = str(user.pk)
    s["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
    s["_auth_user_hash"] = user.get_session_auth_hash()
    s.create()
    sessions[user.username] = s.session_key
works = list(Work.objects.filter(draft=False).values_list("pk", flat=True))
tags = list(Tag.objects.filter(works__isnull=False).values_list("name", flat=True).distinct()[:30])
print(json.dumps({"sessions": sessions, "works": works, "tags": tags}))
"""

_VERIFY = r"""
import json, sys
import django
django.setup()
from fanfold.accounts.models import User
from fanfold.social.models import Comment, Kudo
acks = json.load(open(sys.argv[1]))
ids = dict(User.objects.filter(username__startswith="load").values_list("username", "pk"))
kudos = set(Kudo.objects.filter(user_id__in=ids.values()).values_list("user_id", "work_id"))
lost_kudos = [k for k in acks["kudos"] if (ids[k[0]], k[1]) not in kudos]
bodies = set()
for body in Comment.objects.filter(user_id__in=ids.values()).values_list("body", flat=True):
    bodies.update(part for part in body.replace("<", " ").replace(">", " ").split() if part.startswith("lt-"))
lost_comments = [c for c in acks["comments"] if c not in bodies]
print(json.dumps({"kudos_acknowledged": len(acks["kudos"]), "kudos_lost": len(lost_kudos),
                  "comments_acknowledged": len(acks["comments"]), "comments_lost": len(lost_comments),
                  "lost_examples": (lost_kudos + lost_comments)[:5]}))
"""


@dataclass
class Results:
    lock: threading.Lock = field(default_factory=threading.Lock)
    latencies: dict[str, list[float]] = field(default_factory=dict)
    statuses: Counter = field(default_factory=Counter)
    errors: Counter = field(default_factory=Counter)
    kudos_acks: list[tuple[str, int]] = field(default_factory=list)
    comment_acks: list[str] = field(default_factory=list)
    server_errors: list[str] = field(default_factory=list)

    def record(self, action: str, seconds: float, status: int, path: str) -> None:
        with self.lock:
            self.latencies.setdefault(action, []).append(seconds)
            self.statuses[status] += 1
            if status >= 500 and len(self.server_errors) < 20:
                self.server_errors.append(f"{status} {path}")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _User:
    """One simulated reader with its own keep-alive connection and cookies."""

    def __init__(self, name: str, session: str, port: int, plan: dict, results: Results, rng: random.Random):
        self.name, self.port, self.plan, self.results, self.rng = name, port, plan, results, rng
        self.cookies = {"sessionid": session}
        self.conn: http.client.HTTPConnection | None = None
        self.kudosed: set[int] = set()
        self.last_used = 0.0

    def _request(self, method: str, path: str, body: str | None = None) -> tuple[int, bytes]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()), "Host": "127.0.0.1"}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["X-CSRFToken"] = self.cookies.get("csrftoken", "")
            headers["Referer"] = f"http://127.0.0.1:{self.port}/"
        # gunicorn closes a kept-alive connection after a couple of idle seconds; a POST written into
        # such a socket fails on the client side without reaching the server, so start afresh.
        if self.conn is not None and (body is not None or time.monotonic() - self.last_used > 1.5):
            self.conn.close()
            self.conn = None
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                data = response.read()
                self.last_used = time.monotonic()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.conn.close()
                self.conn = None  # gunicorn closed a kept-alive connection: retry once on a new one
                if attempt == 2 or method == "POST":
                    raise
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                match = re.match(r"\s*([^=;]+)=([^;]*)", value)
                if match:
                    self.cookies[match.group(1)] = match.group(2)
        return response.status, data

    def step(self) -> None:
        action = self.rng.choices([a for a, _ in ACTIONS], weights=[w for _, w in ACTIONS])[0]
        work = self.rng.choice(self.plan["works"])
        body = None
        if action == "read":
            path = f"/works/{work}/"
        elif action == "listing":
            tags = self.plan["tags"]
            if tags and self.rng.random() < 0.4:
                path = f"/tags/{quote(self.rng.choice(tags), safe='')}/works/"
            else:
                path = self.rng.choice(LISTINGS)
        elif action == "search":
            path = f"/works/?q={quote(self.rng.choice(SEARCHES))}"
        elif action == "kudos":
            path = f"/works/{work}/kudos/"
            body = ""
        else:
            token = f"lt-{uuid.uuid4().hex}"
            path = f"/works/{work}/comments/"
            body = f"body=Load+test+comment+{token}"
        if body is not None and "csrftoken" not in self.cookies:
            self._request("GET", f"/works/{work}/")  # the CSRF cookie, as a browser would get it
        start = time.monotonic()
        try:
            status, _ = self._request("POST" if body is not None else "GET", path, body)
        except (OSError, http.client.HTTPException) as exc:
            with self.results.lock:
                self.results.errors[type(exc).__name__] += 1
            return
        self.results.record(action, time.monotonic() - start, status, path)
        acknowledged = 200 <= status < 400
        if action == "kudos" and acknowledged and work not in self.kudosed:
            self.kudosed.add(work)  # a second kudos on the same work is refused politely: not a write
            with self.results.lock:
                self.results.kudos_acks.append((self.name, work))
        elif action == "comment" and acknowledged:
            with self.results.lock:
                self.results.comment_acks.append(token)


def _percentile(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def run(users: int, duration: float, workers: int, think: float, seed: int, keep: bool) -> dict:
    data_dir = Path(tempfile.mkdtemp(prefix="fanfold-load-"))
    env = {
        **os.environ,
        "FANFOLD_DATA_DIR": str(data_dir),
        "FANFOLD_RATE_LIMITS": "false",
        "DJANGO_SETTINGS_MODULE": "fanfold.settings",
    }
    python = sys.executable
    for command in ("setup", "demo"):
        subprocess.run([python, "-m", "fanfold.cli", command], env=env, check=True, stdout=subprocess.DEVNULL)
    made = subprocess.run(
        [python, "-c", _SETUP_USERS, str(users)], env=env, check=True, capture_output=True, text=True
    )
    plan = json.loads(made.stdout.strip().splitlines()[-1])
    if not plan["works"]:
        raise SystemExit("the demo works did not import")
    port = _free_port()
    log = open(data_dir / "server.log", "w")  # noqa: SIM115 (open for the server's lifetime)
    server = subprocess.Popen(
        [
            python,
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
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(f"the server did not start; see {data_dir / 'server.log'}") from None
                time.sleep(0.3)
        # Warm up: each gunicorn worker loads Django and the URL conf on its first requests.
        for path in ("/", "/works/", f"/works/{plan['works'][0]}/", "/works/?q=tea") * 4:
            warm = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
            warm.request("GET", path)
            warm.getresponse().read()
            warm.close()
        results = Results()
        stop = threading.Event()
        names = sorted(plan["sessions"])

        def loop(index: int) -> None:
            rng = random.Random(seed * 100_003 + index)
            user = _User(names[index], plan["sessions"][names[index]], port, plan, results, rng)
            stop.wait(rng.random() * min(5.0, duration / 10))  # ramp up instead of a thundering start
            while not stop.is_set():
                user.step()
                stop.wait(rng.expovariate(1 / think) if think > 0 else 0)

        threads = [threading.Thread(target=loop, args=(i,), daemon=True) for i in range(users)]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        time.sleep(duration)
        stop.set()
        for thread in threads:
            thread.join(timeout=90)
        elapsed = time.monotonic() - started
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=40)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
        log.close()
    acks_path = data_dir / "acks.json"
    acks_path.write_text(json.dumps({"kudos": results.kudos_acks, "comments": results.comment_acks}))
    checked = subprocess.run(
        [python, "-c", _VERIFY, str(acks_path)], env=env, check=True, capture_output=True, text=True
    )
    verify = json.loads(checked.stdout.strip().splitlines()[-1])
    all_latencies = [s for values in results.latencies.values() for s in values]
    total = len(all_latencies)
    report = {
        "users": users,
        "duration_s": round(elapsed, 1),
        "server": f"fanfold serve: gunicorn gthread, {workers} workers x 4 threads, rate limits off",
        "database": os.environ.get("DATABASE_URL", "sqlite (default)").split("@")[-1],
        "requests": total,
        "throughput_rps": round(total / elapsed, 1),
        "p50_ms": round(1000 * _percentile(all_latencies, 50), 1),
        "p95_ms": round(1000 * _percentile(all_latencies, 95), 1),
        "p99_ms": round(1000 * _percentile(all_latencies, 99), 1),
        "per_action": {
            action: {"requests": len(v), "p95_ms": round(1000 * _percentile(v, 95), 1)}
            for action, v in sorted(results.latencies.items())
        },
        "statuses": {str(k): v for k, v in sorted(results.statuses.items())},
        "5xx": sum(v for k, v in results.statuses.items() if k >= 500),
        "429": results.statuses.get(429, 0),
        "connection_errors": dict(results.errors),
        "server_error_examples": results.server_errors,
        **verify,
        "data_dir": str(data_dir) if keep else "(removed)",
    }
    if not keep:
        import shutil

        shutil.rmtree(data_dir, ignore_errors=True)
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Load-test a throw-away Fanfold server on loopback.")
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--duration", type=float, default=600.0, help="seconds of load (default 600)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (4 threads each)")
    parser.add_argument("--think", type=float, default=1.0, help="mean think time between requests, s")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="keep the data dir (server.log, database)")
    args = parser.parse_args(argv)
    if args.users < 1 or args.duration <= 0:
        parser.error("--users and --duration must be positive")
    report = run(args.users, args.duration, args.workers, args.think, args.seed, args.keep)
    print(json.dumps(report, indent=2))
    failed = report["5xx"] or report["connection_errors"] or report["kudos_lost"] or report["comments_lost"]
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
