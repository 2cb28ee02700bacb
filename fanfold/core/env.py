"""Typed settings from environment variables that fail loudly on bad values."""

from __future__ import annotations

import os
from pathlib import Path


class ConfigError(Exception):
    """A setting in the environment has a value we cannot use."""


def env_str(name: str, default: str | None = None) -> str:
    value = os.environ.get(name)
    if value is None or value == "":
        if default is None:
            raise ConfigError(f"environment variable {name} is required")
        return default
    return value


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ConfigError(f"{name}={value!r} is not a boolean (use true/false, yes/no, 1/0)")


def env_int(name: str, default: int, *, minimum: int | None = None, maximum: int | None = None) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise ConfigError(f"{name}={value!r} is not a whole number") from None
    if minimum is not None and number < minimum:
        raise ConfigError(f"{name}={number} is below the minimum {minimum}")
    if maximum is not None and number > maximum:
        raise ConfigError(f"{name}={number} is above the maximum {maximum}")
    return number


def env_choice(name: str, default: str, choices: list[str]) -> str:
    """One of a fixed set of values, compared without regard to case; returned as spelled in choices."""
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    for choice in choices:
        if value.strip().lower() == choice.lower():
            return choice
    raise ConfigError(f"{name}={value!r} must be one of: {', '.join(choices)}")


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


def env_path(name: str, default: Path) -> Path:
    value = os.environ.get(name)
    path = Path(value).expanduser() if value else default
    return path.resolve()


def secret_from_env_or_file(name: str, file_name: str, fallback_file: Path) -> str:
    """Secret from NAME, or from the file NAME_FILE points to, or a generated one kept in fallback_file."""
    value = os.environ.get(name)
    if value:
        return value
    file_value = os.environ.get(file_name)
    if file_value:
        try:
            return Path(file_value).read_text().strip()
        except OSError as exc:
            raise ConfigError(f"{file_name}={file_value!r} cannot be read: {exc.strerror}") from None
    try:
        return _read_when_written(fallback_file)
    except FileNotFoundError:
        pass
    import secrets

    fallback_file.parent.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(50)
    # O_EXCL: when several server processes start at once, the first one's key wins and the others
    # read it; 0o600 from the start, so the key is never readable by others, not even briefly.
    try:
        fd = os.open(fallback_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _read_when_written(fallback_file)
    with os.fdopen(fd, "w") as f:
        f.write(secret)
        f.flush()
        os.fsync(f.fileno())
    GENERATED_FILES.add(fallback_file.resolve())
    return secret


# Files this process generated (the secret key of a fresh data directory): `fanfold restore` may
# replace them, since nothing has used them yet.
GENERATED_FILES: set[Path] = set()


def _read_when_written(path: Path) -> str:
    import time

    for _ in range(50):  # another process created the file a moment ago and is writing it
        value = path.read_text().strip()
        if value:
            return value
        time.sleep(0.01)
    raise ConfigError(f"{path} is empty; delete it to have a new secret key generated")
