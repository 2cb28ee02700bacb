"""Language names and codes, and a cheap guess of the language of a text from its script."""

from __future__ import annotations

import re

from fanfold.core.text import normalize_key

# code: (English name, native name)
LANGUAGES: dict[str, tuple[str, str]] = {
    "ar": ("Arabic", "العربية"),
    "ca": ("Catalan", "Català"),
    "cs": ("Czech", "Čeština"),
    "da": ("Danish", "Dansk"),
    "de": ("German", "Deutsch"),
    "el": ("Greek", "Ελληνικά"),
    "en": ("English", "English"),
    "es": ("Spanish", "Español"),
    "fa": ("Persian", "فارسی"),
    "fi": ("Finnish", "Suomi"),
    "fil": ("Filipino", "Filipino"),
    "fr": ("French", "Français"),
    "he": ("Hebrew", "עברית"),
    "hi": ("Hindi", "हिन्दी"),
    "hu": ("Hungarian", "Magyar"),
    "id": ("Indonesian", "Bahasa Indonesia"),
    "it": ("Italian", "Italiano"),
    "ja": ("Japanese", "日本語"),
    "ko": ("Korean", "한국어"),
    "la": ("Latin", "Lingua latina"),
    "ms": ("Malay", "Bahasa Malaysia"),
    "nl": ("Dutch", "Nederlands"),
    "no": ("Norwegian", "Norsk"),
    "pl": ("Polish", "Polski"),
    "pt-BR": ("Portuguese (Brazil)", "Português brasileiro"),
    "pt-PT": ("Portuguese (Portugal)", "Português europeu"),
    "ro": ("Romanian", "Română"),
    "ru": ("Russian", "Русский"),
    "sv": ("Swedish", "Svenska"),
    "th": ("Thai", "ไทย"),
    "tr": ("Turkish", "Türkçe"),
    "uk": ("Ukrainian", "Українська"),
    "vi": ("Vietnamese", "Tiếng Việt"),
    "zh": ("Chinese", "中文"),
}
_ALIASES = {"portuguese": "pt-BR", "português": "pt-BR", "pt": "pt-BR", "chinese (simplified)": "zh",
            "chinese (traditional)": "zh", "zh-cn": "zh", "zh-tw": "zh", "zh-hans": "zh", "zh-hant": "zh",
            "tagalog": "fil", "nb": "no", "bokmål": "no", "farsi": "fa", "en-us": "en", "en-gb": "en"}  # fmt: skip

_BY_KEY: dict[str, str] = {}
for _code, (_english, _native) in LANGUAGES.items():
    for _name in (_code, _english, _native):
        _BY_KEY[normalize_key(_name)] = _code
for _alias, _code in _ALIASES.items():
    _BY_KEY[normalize_key(_alias)] = _code


def language_code(text: str) -> str | None:
    """The code for a language written as a name ("English", "日本語") or a code ("en", "en-US")."""
    key = normalize_key(text)
    if not key:
        return None
    if key in _BY_KEY:
        return _BY_KEY[key]
    base = key.split("-")[0].split("_")[0]
    return _BY_KEY.get(base)


def language_name(code: str) -> str:
    names = LANGUAGES.get(code)
    return names[1] if names else code


_KANA = re.compile(r"[\u3040-\u30ff]")
_HAN = re.compile(r"[\u4e00-\u9fff]")
_HANGUL = re.compile(r"[\uac00-\ud7af]")
_THAI = re.compile(r"[\u0e00-\u0e7f]")
_LETTER = re.compile(r"[^\W\d_]")


def guess_language(text: str, default: str) -> str:
    """Guess only what the script makes certain (Japanese, Chinese, Korean, Thai); else the default."""
    sample = text[:20_000]
    letters = len(_LETTER.findall(sample)) or 1
    if len(_KANA.findall(sample)) / letters > 0.05:
        return "ja"
    if len(_HAN.findall(sample)) / letters > 0.3:
        return "zh"
    if len(_HANGUL.findall(sample)) / letters > 0.3:
        return "ko"
    if len(_THAI.findall(sample)) / letters > 0.3:
        return "th"
    return default
