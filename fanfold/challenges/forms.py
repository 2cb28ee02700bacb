"""Forms of collections, calendars and prompt memes. They only parse input; services decide."""

from __future__ import annotations

import zoneinfo

from django import forms
from django.utils import timezone

from fanfold.challenges.models import Collection, Membership, validate_time_zone
from fanfold.challenges.services import MAX_CALENDAR_DAYS, CollectionSettings


class _Form(forms.Form):
    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


def _datetime_input() -> forms.DateTimeInput:
    return forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


KINDS = (
    ("collection", "A collection"),
    ("calendar", "A prompt calendar (Whumptober and the like)"),
    ("meme", "A prompt meme"),
)


class CollectionForm(_Form):
    title = forms.CharField(max_length=255)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False)
    parent = forms.ModelChoiceField(
        Collection.objects.none(), required=False, label="Parent collection", empty_label="(none)"
    )
    open = forms.BooleanField(required=False, initial=True, label="Open: works can be added")
    moderated = forms.BooleanField(required=False, label="Moderated: new works wait for approval")
    members_only = forms.BooleanField(required=False, label="Only members can add works")
    joining = forms.ChoiceField(
        choices=Collection.Joining.choices, initial=Collection.Joining.OPEN, label="Membership"
    )
    unrevealed = forms.BooleanField(required=False, label="Unrevealed: works are hidden until the reveal")
    reveal_at = forms.DateTimeField(
        required=False,
        widget=_datetime_input(),
        label="Reveal works at",
        help_text="Empty: when a moderator reveals them.",
    )
    anonymous = forms.BooleanField(required=False, label="Anonymous: creators are hidden until revealed")
    reveal_creators_at = forms.DateTimeField(
        required=False,
        widget=_datetime_input(),
        label="Reveal creators at",
        help_text="Empty: when a moderator reveals them.",
    )

    def __init__(self, *args, user=None, collection: Collection | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        parents = Collection.objects.filter(parent__isnull=True)
        if collection is not None:
            parents = parents.exclude(pk=collection.pk)
        parent_field = self.fields["parent"]
        assert isinstance(parent_field, forms.ModelChoiceField)
        parent_field.queryset = parents.order_by("title")

    def to_settings(self) -> CollectionSettings:
        data = self.cleaned_data
        return CollectionSettings(
            title=data["title"],
            description=data["description"],
            parent=data["parent"],
            open=data["open"],
            moderated=data["moderated"],
            members_only=data["members_only"],
            joining=data["joining"],
            anonymous=data["anonymous"],
            reveal_creators_at=data["reveal_creators_at"],
            unrevealed=data["unrevealed"],
            reveal_at=data["reveal_at"],
        )

    @staticmethod
    def initial_for(collection: Collection) -> dict:
        fields = ("title", "description", "parent", "open", "moderated", "members_only", "joining")
        initial = {f: getattr(collection, f) for f in fields}
        current = timezone.get_current_timezone()
        for f in ("reveal_at", "reveal_creators_at", "anonymous", "unrevealed"):
            value = getattr(collection, f)
            initial[f] = value.astimezone(current) if hasattr(value, "astimezone") else value
        return initial


class CreateCollectionForm(CollectionForm):
    name = forms.SlugField(max_length=100, help_text="Letters, digits, - and _: it goes in the address.")
    kind = forms.ChoiceField(choices=KINDS, initial="collection", widget=forms.RadioSelect, label="Kind")
    time_zone = forms.CharField(
        max_length=64, required=False, initial="UTC", help_text="For calendars, e.g. Europe/Paris."
    )
    start_date = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"}), label="First day"
    )
    days = forms.IntegerField(
        required=False, min_value=1, max_value=MAX_CALENDAR_DAYS, initial=31, label="Number of days"
    )
    claim_days = forms.IntegerField(
        required=False, min_value=1, max_value=365, initial=14, label="Claims expire after (days)"
    )
    claims_per_prompt = forms.IntegerField(
        required=False, min_value=0, max_value=100, initial=1, label="Claims per prompt (0: no limit)"
    )
    claims_per_user = forms.IntegerField(
        required=False, min_value=0, max_value=100, initial=3, label="Open claims per person (0: no limit)"
    )

    field_order = ["name", "title", "kind", "description"]

    def clean(self) -> dict:
        data = super().clean() or {}
        kind = data.get("kind")
        if kind == "calendar":
            if not data.get("start_date"):
                self.add_error("start_date", "A calendar needs its first day.")
            if not data.get("days"):
                self.add_error("days", "A calendar needs its number of days.")
            zone = (data.get("time_zone") or "").strip() or "UTC"
            try:
                validate_time_zone(zone)
            except forms.ValidationError as error:
                self.add_error("time_zone", error)
            data["time_zone"] = zone
        return data

    def calendar(self) -> dict | None:
        data = self.cleaned_data
        if data["kind"] != "calendar":
            return None
        return {"time_zone": data["time_zone"], "start_date": data["start_date"], "days": data["days"]}

    def meme(self) -> dict | None:
        data = self.cleaned_data
        if data["kind"] != "meme":
            return None
        defaults = {"claim_days": 14, "claims_per_prompt": 1, "claims_per_user": 3}
        return {k: data[k] if data.get(k) is not None else v for k, v in defaults.items()}


class CalendarForm(_Form):
    time_zone = forms.CharField(max_length=64, help_text="e.g. Europe/Paris, America/New_York, UTC.")
    start_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), label="First day")
    days = forms.IntegerField(min_value=1, max_value=MAX_CALENDAR_DAYS, label="Number of days")

    def clean_time_zone(self) -> str:
        zone = self.cleaned_data["time_zone"].strip()
        try:
            zoneinfo.ZoneInfo(zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError) as error:
            raise forms.ValidationError(f"{zone!r} is not a time zone name (e.g. Europe/Paris).") from error
        return zone


class WorkChoiceForm(_Form):
    """Pick one of my works (and, on a calendar day or meme, which alternative prompt it fills)."""

    work = forms.TypedChoiceField(coerce=int, label="Work")
    prompt = forms.TypedChoiceField(coerce=int, required=False, empty_value=None, label="Prompt")

    def __init__(self, *args, works=(), prompts=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        work_field = self.fields["work"]
        assert isinstance(work_field, forms.ChoiceField)
        work_field.choices = [(w.pk, f"{w.title}{' (draft)' if w.draft else ''}") for w in works]
        prompt_field = self.fields["prompt"]
        assert isinstance(prompt_field, forms.ChoiceField)
        if prompts:
            prompt_field.choices = [("", "(any of the day's prompts)")] + [
                (p.pk, p.text or f"Prompt {p.pk}") for p in prompts
            ]
        else:
            del self.fields["prompt"]


class DayPromptsForm(_Form):
    """A calendar day's one to three alternative prompts, each with comma-separated tags."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for i in (1, 2, 3):
            self.fields[f"text_{i}"] = forms.CharField(max_length=500, required=i == 1, label=f"Prompt {i}")
            self.fields[f"tags_{i}"] = forms.CharField(
                max_length=1000, required=False, label=f"Tags of prompt {i}"
            )

    def prompts(self) -> list[tuple[str, list[str]]]:
        data = self.cleaned_data
        return [
            (data[f"text_{i}"], [t for t in data[f"tags_{i}"].split(",") if t.strip()])
            for i in (1, 2, 3)
            if data.get(f"text_{i}", "").strip()
        ]

    @staticmethod
    def initial_for(prompts) -> dict:
        initial = {}
        for i, prompt in enumerate(prompts, start=1):
            initial[f"text_{i}"] = prompt.text
            initial[f"tags_{i}"] = ", ".join(t.name for t in prompt.tags.all())
        return initial


class MemePromptForm(_Form):
    text = forms.CharField(max_length=500, widget=forms.Textarea(attrs={"rows": 3}), label="Prompt")
    tags = forms.CharField(max_length=1000, required=False, help_text="Comma-separated.")
    anonymous = forms.BooleanField(required=False, label="Post anonymously")

    def tag_names(self) -> list[str]:
        return [t for t in self.cleaned_data["tags"].split(",") if t.strip()]


class InviteMemberForm(_Form):
    username = forms.CharField(max_length=150)
    role = forms.ChoiceField(choices=Membership.Role.choices, initial=Membership.Role.MEMBER)


class InviteWorkForm(_Form):
    work_id = forms.IntegerField(
        min_value=1, label="Work number", help_text="The number in the work's address, /works/<number>/."
    )
