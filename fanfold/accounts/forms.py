"""Reader settings: saved exclusions ("never show me works tagged…") and reading settings."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from fanfold.accounts.context_processors import FONT_SIZE_MAX, FONT_SIZE_MIN
from fanfold.accounts.models import Preference
from fanfold.core.text import normalize_key
from fanfold.tags.models import Tag

MAX_EXCLUDED_TAGS = 200


def _font_size_field() -> forms.IntegerField:
    return forms.IntegerField(
        label="Font size (%)",
        min_value=FONT_SIZE_MIN,
        max_value=FONT_SIZE_MAX,
        initial=100,
        help_text=f"Of the story text, from {FONT_SIZE_MIN} to {FONT_SIZE_MAX}.",
    )


class ReadingSettingsForm(forms.Form):
    """Font size, line width and theme: the settings a guest may keep too (in a cookie)."""

    font_size = _font_size_field()
    line_width = forms.ChoiceField(
        label="Line width", choices=Preference.LineWidth.choices, initial=Preference.LineWidth.NORMAL
    )
    theme = forms.ChoiceField(label="Theme", choices=Preference.Theme.choices, initial=Preference.Theme.AUTO)

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


def split_tag_names(text: str) -> list[str]:
    """ "Fluff, angst ,, Hurt/Comfort" -> ["Fluff", "angst", "Hurt/Comfort"], duplicates dropped."""
    names: list[str] = []
    seen: set[str] = set()
    for part in (text or "").split(","):
        name = " ".join(part.split())
        key = normalize_key(name)
        if name and key not in seen:
            seen.add(key)
            names.append(name)
    return names


class PreferenceForm(forms.ModelForm):
    excluded_tags = forms.CharField(
        label="Never show me works tagged…",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=(
            "Tag names, separated by commas. Works with any of these tags (or their synonyms) are left "
            "out of every listing and of its counts."
        ),
    )
    font_size = _font_size_field()

    class Meta:
        model = Preference
        fields = ["hide_warnings", "hide_additional_tags", "font_size", "line_width", "theme"]
        labels = {
            "hide_warnings": "Hide archive warnings until I choose to see them",
            "hide_additional_tags": "Hide additional tags until I choose to see them",
            "line_width": "Line width",
            "theme": "Theme",
        }

    field_order = [
        "excluded_tags",
        "hide_warnings",
        "hide_additional_tags",
        "font_size",
        "line_width",
        "theme",
    ]

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        if self.instance.pk and "excluded_tags" not in self.initial:
            names = self.instance.excluded_tags.order_by("name").values_list("name", flat=True)
            self.initial["excluded_tags"] = ", ".join(names)

    def clean_excluded_tags(self) -> list[Tag]:
        names = split_tag_names(self.cleaned_data.get("excluded_tags", ""))
        if len(names) > MAX_EXCLUDED_TAGS:
            raise ValidationError(f"At most {MAX_EXCLUDED_TAGS} tags, please.")
        keys = {normalize_key(name): name for name in names}
        tags = Tag.objects.filter(name_key__in=list(keys)).select_related("merger")
        found: dict[int, Tag] = {}
        known: set[str] = set()
        for tag in tags:
            known.add(tag.name_key)
            target = tag.filter_tag  # a synonym stands for its canonical tag (and all its synonyms)
            found[target.pk] = target
        unknown = [name for key, name in keys.items() if key not in known]
        if unknown:
            listed = ", ".join(f"“{name}”" for name in unknown)
            raise ValidationError(
                f"No tag is called {listed}. Check the spelling, or leave {'them' if len(unknown) > 1 else 'it'} out."
            )
        return sorted(found.values(), key=lambda t: t.name.lower())

    def save(self, commit: bool = True) -> Preference:
        preference = super().save(commit=commit)
        if commit:
            preference.excluded_tags.set(self.cleaned_data["excluded_tags"])
        return preference
