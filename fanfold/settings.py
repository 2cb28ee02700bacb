"""Fanfold settings. Every knob comes from the environment (see docs/configuration.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import dj_database_url

from fanfold.core.env import (
    ConfigError,
    env_bool,
    env_choice,
    env_int,
    env_list,
    env_path,
    env_str,
    secret_from_env_or_file,
)

PACKAGE_DIR = Path(__file__).resolve().parent
DATA_DIR = env_path("FANFOLD_DATA_DIR", Path.cwd() / "data")

DEBUG = env_bool("FANFOLD_DEBUG", False)
# Production mode: served over HTTPS behind a reverse proxy, with every browser protection on.
PRODUCTION = env_bool("FANFOLD_PRODUCTION", False)
if PRODUCTION and DEBUG:
    raise ConfigError("FANFOLD_DEBUG cannot be true when FANFOLD_PRODUCTION is true")
SECRET_KEY = secret_from_env_or_file("FANFOLD_SECRET_KEY", "FANFOLD_SECRET_KEY_FILE", DATA_DIR / "secret_key")
ALLOWED_HOSTS = env_list("FANFOLD_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("FANFOLD_CSRF_TRUSTED_ORIGINS", [])
SITE_NAME = env_str("FANFOLD_SITE_NAME", "Fanfold")
DEFAULT_WORK_LANGUAGE = env_str("FANFOLD_DEFAULT_LANGUAGE", "en")
# The archive's public address, for links in email (password resets, notifications). In production
# it defaults to https:// and the first allowed host name.
_default_base_url = "http://localhost:8000"
if PRODUCTION and ALLOWED_HOSTS and not ALLOWED_HOSTS[0].startswith((".", "*")):
    _default_base_url = f"https://{ALLOWED_HOSTS[0]}"
BASE_URL = env_str("FANFOLD_BASE_URL", _default_base_url).rstrip("/")
if not BASE_URL.startswith(("http://", "https://")):
    raise ConfigError(f"FANFOLD_BASE_URL={BASE_URL!r} must start with http:// or https://")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "fanfold.core",
    "fanfold.accounts",
    "fanfold.tags",
    "fanfold.works",
    "fanfold.challenges",
    "fanfold.imports",
    "fanfold.search",
    "fanfold.social",
    "fanfold.downloads",
    "fanfold.exchanges",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "fanfold.core.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "fanfold.accounts.middleware.BearerTokenMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "fanfold.urls"
WSGI_APPLICATION = "fanfold.wsgi.application"
AUTH_USER_MODEL = "accounts.User"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "fanfold.core.context_processors.site",
                "fanfold.accounts.context_processors.reading",
                "fanfold.social.context_processors.unread_notifications",
            ],
        },
    },
]


# NORMAL loses nothing when a process is killed; FULL also keeps the last commits through a power cut
# or kernel crash (one more fsync per commit), so production defaults to it.
SQLITE_SYNCHRONOUS = env_str("FANFOLD_SQLITE_SYNCHRONOUS", "FULL" if PRODUCTION else "NORMAL").upper()
if SQLITE_SYNCHRONOUS not in {"NORMAL", "FULL"}:
    raise ConfigError(f"FANFOLD_SQLITE_SYNCHRONOUS={SQLITE_SYNCHRONOUS!r} must be NORMAL or FULL")


def _database() -> dict[str, Any]:
    url = env_str("DATABASE_URL", "")
    if url:
        try:
            config = dj_database_url.parse(
                url, conn_max_age=env_int("FANFOLD_DB_CONN_MAX_AGE", 60, minimum=0)
            )
        except ValueError as exc:
            raise ConfigError(f"DATABASE_URL cannot be used: {exc}") from None
        if config["ENGINE"] not in {"django.db.backends.postgresql", "django.db.backends.sqlite3"}:
            raise ConfigError("DATABASE_URL must point to PostgreSQL (postgres://…) or SQLite (sqlite:///…)")
        return dict(config)
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": DATA_DIR / "fanfold.sqlite3",
        "OPTIONS": {
            # WAL lets readers work while one writer writes; IMMEDIATE avoids
            # "database is locked" upgrades from read to write inside a transaction.
            "init_command": (
                f"PRAGMA journal_mode=WAL; PRAGMA synchronous={SQLITE_SYNCHRONOUS}; PRAGMA foreign_keys=ON; "
                "PRAGMA busy_timeout=10000; PRAGMA cache_size=-65536; PRAGMA mmap_size=268435456;"
            ),
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        },
    }


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

TASKS = {
    "default": {
        "BACKEND": env_str("FANFOLD_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

# fanfold.core.worker: a RUNNING task whose worker died is run again (at most this many attempts);
# one claimed by a worker on another machine counts as dead after this long.
FANFOLD_TASK_STALE_SECONDS = env_int("FANFOLD_TASK_STALE_SECONDS", 3600, minimum=60)
FANFOLD_TASK_MAX_ATTEMPTS = env_int("FANFOLD_TASK_MAX_ATTEMPTS", 3, minimum=1, maximum=100)

CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": env_str("REDIS_URL")}
        if env_str("REDIS_URL", "")
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
TIME_ZONE = env_str("FANFOLD_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STATIC_ROOT = DATA_DIR / "static"
MEDIA_URL = "/media/"
MEDIA_ROOT = DATA_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Serve straight from the app folders too, so a fresh checkout works before collectstatic.
WHITENOISE_USE_FINDERS = True

DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("FANFOLD_MAX_UPLOAD_BYTES", 10 * 1024 * 1024, minimum=1024)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("FANFOLD_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# Mail: "file" (default) writes each message under DATA_DIR/outbox, "console" prints it, "smtp" sends it.
_EMAIL_BACKENDS = {
    "file": "django.core.mail.backends.filebased.EmailBackend",
    "console": "django.core.mail.backends.console.EmailBackend",
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
}
_email_choice = env_str("FANFOLD_EMAIL", "file")
if _email_choice not in _EMAIL_BACKENDS:
    raise ConfigError(f"FANFOLD_EMAIL={_email_choice!r} must be one of: {', '.join(_EMAIL_BACKENDS)}")
EMAIL_BACKEND = _EMAIL_BACKENDS[_email_choice]
EMAIL_FILE_PATH = env_path("FANFOLD_EMAIL_FILE_PATH", DATA_DIR / "outbox")
EMAIL_HOST = env_str("FANFOLD_SMTP_HOST", "localhost")
EMAIL_PORT = env_int("FANFOLD_SMTP_PORT", 587, minimum=1, maximum=65535)
EMAIL_HOST_USER = env_str("FANFOLD_SMTP_USER", "")
EMAIL_HOST_PASSWORD = env_str("FANFOLD_SMTP_PASSWORD", "")
EMAIL_USE_TLS = env_bool("FANFOLD_SMTP_STARTTLS", True)
EMAIL_USE_SSL = env_bool("FANFOLD_SMTP_SSL", False)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ConfigError("FANFOLD_SMTP_STARTTLS and FANFOLD_SMTP_SSL cannot both be true")
EMAIL_TIMEOUT = 20
DEFAULT_FROM_EMAIL = env_str("FANFOLD_FROM_EMAIL", "fanfold@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Anyone may sign up unless the archive is invite-only (then staff create accounts).
FANFOLD_SIGNUPS_OPEN = env_bool("FANFOLD_SIGNUPS_OPEN", True)

# Rate limits (fanfold.core.ratelimit). Behind N reverse proxies set FANFOLD_TRUSTED_PROXIES=N so
# the client's address is read from X-Forwarded-For.
FANFOLD_RATE_LIMITS_ENABLED = env_bool("FANFOLD_RATE_LIMITS", True)
FANFOLD_TRUSTED_PROXIES = env_int("FANFOLD_TRUSTED_PROXIES", 0, minimum=0, maximum=10)

# HTTPS and browser protections (docs/deployment.md). FANFOLD_HTTPS says the public address is https://
# (production implies it); each protection can still be turned off on its own.
HTTPS = env_bool("FANFOLD_HTTPS", PRODUCTION)
# Behind a reverse proxy that terminates TLS, its X-Forwarded-Proto header says the request was https.
# Only safe when the app server is reachable from the proxy alone (fanfold serve binds 127.0.0.1).
if env_bool("FANFOLD_PROXY_SSL_HEADER", HTTPS):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("FANFOLD_SSL_REDIRECT", HTTPS)
SECURE_HSTS_SECONDS = env_int("FANFOLD_HSTS_SECONDS", 31_536_000 if HTTPS else 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("FANFOLD_HSTS_INCLUDE_SUBDOMAINS", HTTPS)
SECURE_HSTS_PRELOAD = env_bool("FANFOLD_HSTS_PRELOAD", HTTPS)
SESSION_COOKIE_SECURE = env_bool("FANFOLD_SECURE_COOKIES", HTTPS)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SECURE_REFERRER_POLICY = env_choice(
    "FANFOLD_REFERRER_POLICY",
    "same-origin",
    ["no-referrer", "same-origin", "strict-origin", "strict-origin-when-cross-origin", "origin"],
)
X_FRAME_OPTIONS = env_choice("FANFOLD_X_FRAME_OPTIONS", "DENY", ["DENY", "SAMEORIGIN"])
# Content-Security-Policy (fanfold.core.csp): scripts only from this site, never inline; see csp.py.
FANFOLD_CSP = env_str("FANFOLD_CSP", "")  # replaces the whole policy when set
FANFOLD_CSP_REPORT_ONLY = env_bool("FANFOLD_CSP_REPORT_ONLY", False)
# Turning preload or subdomains off is a deliberate choice here, not an oversight to warn about.
SILENCED_SYSTEM_CHECKS = [
    *([] if not SECURE_HSTS_SECONDS or SECURE_HSTS_PRELOAD else ["security.W021"]),
    *([] if not SECURE_HSTS_SECONDS or SECURE_HSTS_INCLUDE_SUBDOMAINS else ["security.W005"]),
]

LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "works:home"
LOGOUT_REDIRECT_URL = "works:home"
