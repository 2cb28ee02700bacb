"""The current visitor's reading settings, for every template.

Signed-in readers keep them in their Preference; guests in a signed cookie (JSON) that
accounts.views.reading_settings writes. Both are validated by ReadingSettingsForm, so a tampered or
stale cookie just falls back to the defaults.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from fanfold.accounts.models import Preference

READING_COOKIE = "fanfold_reading"
READING_COOKIE_SALT = "fanfold.accounts.reading"
READING_COOKIE_MAX_AGE = 365 * 24 * 60 * 60
FONT_SIZE_MIN, FONT_SIZE_MAX = 80, 200  # percent


@dataclass(frozen=True)
class ReadingSettings:
    font_size: int = 100  # percent
    line_width: str = Preference.LineWidth.NORMAL
    theme: str = Preference.Theme.AUTO
    hide_warnings: bool = False
    hide_additional_tags: bool = False

    @property
    def style(self) -> str:
        """The inline custom property for the reading font size (a number, so always safe)."""
        size = min(max(int(self.font_size), FONT_SIZE_MIN), FONT_SIZE_MAX)
        return f"--reading-font-size: {size}%"

    @property
    def color_scheme(self) -> str:
        return {"light": "light", "dark": "dark"}.get(self.theme, "light dark")

    def as_initial(self) -> dict:
        return {"font_size": self.font_size, "line_width": self.line_width, "theme": self.theme}


DEFAULT_READING = ReadingSettings()


def reading_from_cookie(request: HttpRequest) -> ReadingSettings:
    from fanfold.accounts.forms import ReadingSettingsForm

    raw = request.get_signed_cookie(READING_COOKIE, default=None, salt=READING_COOKIE_SALT)
    if not raw:
        return DEFAULT_READING
    try:
        data = json.loads(raw)
    except ValueError:
        return DEFAULT_READING
    if not isinstance(data, dict):
        return DEFAULT_READING
    form = ReadingSettingsForm(data={k: data.get(k) for k in ("font_size", "line_width", "theme")})
    if not form.is_valid():
        return DEFAULT_READING
    return ReadingSettings(**form.cleaned_data)


def reading_settings_for(request: HttpRequest) -> ReadingSettings:
    """The visitor's settings, read once per request."""
    cached = getattr(request, "_fanfold_reading", None)
    if cached is not None:
        return cached
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        values = (
            Preference.objects.filter(user=user)
            .values("font_size", "line_width", "theme", "hide_warnings", "hide_additional_tags")
            .first()
        )
        settings = ReadingSettings(**values) if values else DEFAULT_READING
    else:
        settings = reading_from_cookie(request)
    request._fanfold_reading = settings  # type: ignore[attr-defined]
    return settings


def reading(request: HttpRequest) -> dict:
    return {"reading": SimpleLazyObject(lambda: reading_settings_for(request))}
