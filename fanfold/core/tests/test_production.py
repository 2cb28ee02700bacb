"""Production mode: `fanfold check --deploy` is clean, HTTPS and browser protections are on, the
Content-Security-Policy forbids inline scripts; development over plain http keeps working."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.checks import run_checks
from django.test import Client, override_settings

from fanfold.core import csp
from fanfold.core.env import ConfigError, env_choice, secret_from_env_or_file
from fanfold.works.tests.factories import make_work

PRODUCTION_ENV = {
    "FANFOLD_PRODUCTION": "1",
    "FANFOLD_SECRET_KEY": "k7Pq-this-is-a-long-random-enough-test-secret-key-9f3b2c1d8e7a6b5c4d3e2f1a0b",
    "FANFOLD_ALLOWED_HOSTS": "archive.example",
}
SHOW_SETTINGS = """
import json, django
django.setup()
from django.conf import settings
from django.core.management import call_command
call_command("check", deploy=True, fail_level="WARNING")
print(json.dumps({name: getattr(settings, name, None) for name in (
    "DEBUG", "SECURE_SSL_REDIRECT", "SECURE_PROXY_SSL_HEADER", "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE",
    "SECURE_CONTENT_TYPE_NOSNIFF", "SECURE_REFERRER_POLICY", "X_FRAME_OPTIONS", "BASE_URL",
    "SQLITE_SYNCHRONOUS")}))
"""


def _run(code: str, env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("FANFOLD_", "DATABASE_URL", "DJANGO_"))}
    clean.update(DJANGO_SETTINGS_MODULE="fanfold.settings", FANFOLD_DATA_DIR=str(tmp_path / "data"), **env)
    return subprocess.run([sys.executable, "-c", code], env=clean, capture_output=True, text=True, timeout=60)


def test_check_deploy_is_clean_in_production(tmp_path):
    done = _run(SHOW_SETTINGS, PRODUCTION_ENV, tmp_path)
    assert done.returncode == 0, done.stderr
    assert "System check identified no issues" in done.stdout
    values = json.loads(done.stdout.strip().splitlines()[-1])
    assert values["DEBUG"] is False
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert values["SECURE_HSTS_SECONDS"] >= 31_536_000
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] and values["SECURE_HSTS_PRELOAD"]
    assert values["SESSION_COOKIE_SECURE"] and values["CSRF_COOKIE_SECURE"]
    assert values["X_FRAME_OPTIONS"] == "DENY"
    assert values["BASE_URL"] == "https://archive.example"
    assert values["SQLITE_SYNCHRONOUS"] == "FULL"


def test_production_settings_can_be_tuned_and_bad_values_are_named(tmp_path):
    tuned = _run(
        SHOW_SETTINGS,
        {**PRODUCTION_ENV, "FANFOLD_HSTS_PRELOAD": "false", "FANFOLD_HSTS_SECONDS": "600",
         "FANFOLD_REFERRER_POLICY": "no-referrer"},
        tmp_path,
    )  # fmt: skip
    assert tuned.returncode == 0, tuned.stderr
    values = json.loads(tuned.stdout.strip().splitlines()[-1])
    assert values["SECURE_HSTS_PRELOAD"] is False and values["SECURE_HSTS_SECONDS"] == 600
    assert values["SECURE_REFERRER_POLICY"] == "no-referrer"

    for extra, message in (
        ({"FANFOLD_DEBUG": "1"}, "FANFOLD_DEBUG cannot be true when FANFOLD_PRODUCTION is true"),
        (
            {"FANFOLD_X_FRAME_OPTIONS": "ALLOW"},
            "FANFOLD_X_FRAME_OPTIONS='ALLOW' must be one of: DENY, SAMEORIGIN",
        ),
        ({"FANFOLD_SQLITE_SYNCHRONOUS": "off"}, "must be NORMAL or FULL"),
    ):
        bad = subprocess.run(
            [sys.executable, "-m", "fanfold.cli", "check"],
            env={**{k: v for k, v in os.environ.items() if not k.startswith(("FANFOLD_", "DJANGO_"))},
                 "FANFOLD_DATA_DIR": str(tmp_path / "data"), **PRODUCTION_ENV, **extra},
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert bad.returncode == 2 and message in bad.stderr, bad.stderr
        assert "Traceback" not in bad.stderr


def test_a_wide_open_csp_is_reported_by_the_deploy_check(settings):
    settings.FANFOLD_CSP = "default-src 'self'; script-src 'self' 'unsafe-inline'"
    ids = {message.id for message in run_checks(include_deployment_checks=True)}
    assert "fanfold.W002" in ids
    settings.FANFOLD_CSP = ""
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if "csp" not in m]
    ids = {message.id for message in run_checks(include_deployment_checks=True)}
    assert "fanfold.W001" in ids and "fanfold.W002" not in ids


def test_script_src_strictness():
    assert csp.script_src_is_strict(csp.policy())
    assert csp.script_src_is_strict("default-src 'self'")
    assert not csp.script_src_is_strict("default-src 'self' 'unsafe-inline'")
    assert not csp.script_src_is_strict("script-src 'self' 'unsafe-eval'")
    assert not csp.script_src_is_strict("script-src https:")
    assert not csp.script_src_is_strict("img-src 'self'")


@pytest.mark.django_db
def test_development_serves_plain_http_with_the_csp_header():
    response = Client().get("/")
    assert response.status_code == 200
    policy = response.headers["Content-Security-Policy"]
    directives = {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}
    assert directives["script-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"] and directives["frame-ancestors"] == ["'none'"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "Strict-Transport-Security" not in response.headers


@pytest.mark.django_db
@override_settings(
    SECURE_SSL_REDIRECT=True,
    SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"),
    SECURE_HSTS_SECONDS=31_536_000,
    SECURE_HSTS_INCLUDE_SUBDOMAINS=True,
    SECURE_HSTS_PRELOAD=True,
    SESSION_COOKIE_SECURE=True,
    CSRF_COOKIE_SECURE=True,
    ALLOWED_HOSTS=["archive.example"],
)
def test_behind_the_proxy_http_is_redirected_and_https_gets_hsts_and_secure_cookies():
    client = Client(HTTP_HOST="archive.example")
    plain = client.get("/works/?page=2")
    assert plain.status_code == 301 and plain.headers["Location"] == "https://archive.example/works/?page=2"
    secure = client.get("/account/login/", HTTP_X_FORWARDED_PROTO="https")
    assert secure.status_code == 200
    assert secure.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert secure.cookies["csrftoken"]["secure"] is True


def test_env_choice(monkeypatch):
    monkeypatch.setenv("X_CHOICE", "sameorigin")
    assert env_choice("X_CHOICE", "DENY", ["DENY", "SAMEORIGIN"]) == "SAMEORIGIN"
    monkeypatch.setenv("X_CHOICE", "maybe")
    with pytest.raises(ConfigError, match="X_CHOICE='maybe' must be one of: DENY, SAMEORIGIN"):
        env_choice("X_CHOICE", "DENY", ["DENY", "SAMEORIGIN"])


def test_generated_secret_key_is_private_and_kept(monkeypatch, tmp_path):
    monkeypatch.delenv("X_SECRET", raising=False)
    monkeypatch.delenv("X_SECRET_FILE", raising=False)
    key_file = tmp_path / "secret_key"
    first = secret_from_env_or_file("X_SECRET", "X_SECRET_FILE", key_file)
    assert len(first) >= 50
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert secret_from_env_or_file("X_SECRET", "X_SECRET_FILE", key_file) == first


CHROMIUM = os.environ.get("FANFOLD_CHROMIUM", "/usr/bin/chromium")


@pytest.mark.django_db(transaction=True)
def test_pages_run_under_the_csp_without_violations_and_inline_script_is_blocked(live_server, monkeypatch):
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        pytest.skip(f"Chromium not found at {CHROMIUM}")
    # Playwright's sync API runs an event loop in this thread; the ORM calls here stay synchronous.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    work = make_work(title="Lantern Watch")
    problems: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        try:
            page = browser.new_page()
            page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: problems.append(str(e)))
            for path in ("/", "/works/", f"/works/{work.pk}/", "/account/login/", "/bookmarks/"):
                response = page.goto(live_server.url + path)
                assert response is not None and response.status == 200, path
                page.wait_for_load_state("networkidle")
            # The works list's htmx and listing.js are loaded from this site, so they run.
            page.goto(live_server.url + "/works/")
            page.wait_for_load_state("networkidle")
            assert page.evaluate("typeof window.htmx") == "object"
            # Injected inline script does not run.
            page.evaluate(
                "() => { const s = document.createElement('script');"
                " s.textContent = 'window.injected = true'; document.body.appendChild(s); }"
            )
            assert page.evaluate("window.injected === undefined")
        finally:
            browser.close()
    refused = [p for p in problems if "Content Security Policy" in p]
    assert len(refused) == 1 and "script" in refused[0], problems  # only the injected script
    assert len(problems) == len(refused), problems
