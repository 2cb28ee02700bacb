"""AZW3 and MOBI through calibre's ``ebook-convert`` (Debian package ``calibre``), from our EPUB.

Where calibre is missing those formats are offered as unavailable, never as broken links.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from django.conf import settings

CONVERT_TIMEOUT_SECONDS = 300


class ConversionFailed(Exception):
    pass


def ebook_convert() -> str | None:
    """The path of ``ebook-convert``, or None when calibre is not installed."""
    configured = getattr(settings, "FANFOLD_EBOOK_CONVERT", None) or os.environ.get("FANFOLD_EBOOK_CONVERT")
    if configured is not None:
        return shutil.which(configured) if configured else None  # an empty value turns calibre off
    return shutil.which("ebook-convert")


def available() -> bool:
    return ebook_convert() is not None


def convert(source: Path, target: Path, *, extra: list[str] | None = None) -> None:
    """Convert ``source`` to the format named by ``target``'s suffix (calibre decides by it)."""
    program = ebook_convert()
    if program is None:
        raise ConversionFailed("calibre's ebook-convert is not installed")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "CALIBRE_CONFIG_DIRECTORY": str(_config_dir())}
    try:
        result = subprocess.run(
            [program, str(source), str(target), *(extra or [])],
            capture_output=True,
            text=True,
            timeout=CONVERT_TIMEOUT_SECONDS,
            env=env,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise ConversionFailed(f"ebook-convert took longer than {CONVERT_TIMEOUT_SECONDS} s") from exc
    if result.returncode != 0 or not target.exists():
        tail = " ".join((result.stderr or result.stdout).split()[-30:])
        raise ConversionFailed(f"ebook-convert failed ({result.returncode}): {tail}")


def _config_dir() -> Path:
    # calibre writes settings on first run; keep them out of $HOME (the service may have none).
    path = Path(settings.DATA_DIR) / "calibre"
    path.mkdir(parents=True, exist_ok=True)
    return path
