"""Forms of gift exchanges: the sign-up (requests and offers built from the exchange's rules), the
exchange's settings, pinch hits and gift fulfilment. They only parse; the services validate the rules."""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.contrib.auth import get_user_model

from fanfold.accounts.models import Pseud
from fanfold.exchanges.models import EXCHANGE_TAG_TYPES, MAX_PROMPTS, GiftExchange, Signup, TypeSetting
from fanfold.exchanges.services import ExchangeSettings, PromptInput, TypeRules
from fanfold.tags.models import Tag, TagType
from fanfold.works.models import Work

KINDS = (("request", "Request"), ("offer", "Offer"))


def _names(value: str) -> list[str]:
    return [name.strip() for name in value.split(",") if name.strip()]


@dataclass
class PromptFields:
    """The bound fields of one request or offer, for the template."""

    kind: str
    label: str
    number: int
    types: list[tuple[TypeSetting, forms.BoundField, forms.BoundField, forms.BoundField | None]]
    description: forms.BoundField


class SignupForm(forms.Form):
    """A pseud plus up to ``requests_max`` requests and ``offers_max`` offers; a blank one is skipped.

    Tags are typed as names separated by commas and must exist in the archive (a synonym is fine:
    matching uses its canonical tag)."""

    pseud = forms.ModelChoiceField(queryset=Pseud.objects.none(), empty_label=None)

    def __init__(self, exchange: GiftExchange, user, *args, signup: Signup | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.exchange = exchange
        self.settings = list(exchange.type_settings.all())
        self.fields["pseud"].queryset = Pseud.objects.filter(user=user).order_by("-is_default", "name")  # type: ignore[attr-defined]
        if signup is not None:
            self.fields["pseud"].initial = signup.pseud_id
            self.fields["pseud"].disabled = True
        existing = {
            "request": signup.requests() if signup else [],
            "offer": signup.offers() if signup else [],
        }
        for kind, _label in KINDS:
            for i in range(getattr(exchange, f"{kind}s_max")):
                prompt = existing[kind][i] if i < len(existing[kind]) else None
                for setting in self.settings:
                    t = setting.tag_type
                    name = setting.get_tag_type_display()
                    self.fields[f"{kind}-{i}-{t}"] = forms.CharField(
                        required=False,
                        label=name,
                        max_length=5000,
                        initial=", ".join(tag.name for tag in prompt.tags_of(t)) if prompt else "",
                        help_text=self._help(setting, kind),
                    )
                    self.fields[f"{kind}-{i}-{t}-optional"] = forms.CharField(
                        required=False,
                        label=f"Optional {name.lower()}",
                        max_length=5000,
                        initial=", ".join(tag.name for tag in prompt.tags_of(t, optional=True))
                        if prompt
                        else "",
                    )
                    if getattr(setting, f"{kind}_any"):
                        self.fields[f"{kind}-{i}-{t}-any"] = forms.BooleanField(
                            required=False,
                            label=f"Any {name.lower()}",
                            initial=bool(prompt and t in prompt.any_list),
                        )
                self.fields[f"{kind}-{i}-description"] = forms.CharField(
                    required=False,
                    label="Description",
                    max_length=5000,
                    widget=forms.Textarea(attrs={"rows": 3}),
                    initial=prompt.description if prompt else "",
                )

    @staticmethod
    def _help(setting: TypeSetting, kind: str) -> str:
        required, allowed = getattr(setting, f"{kind}_required"), getattr(setting, f"{kind}_allowed")
        text = (
            f"{required} to {allowed}, separated by commas."
            if required != allowed
            else f"Exactly {required}."
        )
        return text + (' Or tick "any".' if getattr(setting, f"{kind}_any") else "")

    def prompt_groups(self) -> list[PromptFields]:
        groups = []
        for kind, label in KINDS:
            for i in range(getattr(self.exchange, f"{kind}s_max")):
                types = [
                    (
                        s,
                        self[f"{kind}-{i}-{s.tag_type}"],
                        self[f"{kind}-{i}-{s.tag_type}-optional"],
                        self[f"{kind}-{i}-{s.tag_type}-any"]
                        if f"{kind}-{i}-{s.tag_type}-any" in self.fields
                        else None,
                    )
                    for s in self.settings
                ]
                groups.append(PromptFields(kind, label, i + 1, types, self[f"{kind}-{i}-description"]))
        return groups

    def _tags(self, field: str, tag_type: str) -> list[Tag]:
        tags = []
        for name in _names(self.cleaned_data.get(field, "")):
            tag = Tag.objects.named(tag_type, name).first()
            if tag is None:
                self.add_error(field, f"There is no {TagType(tag_type).label.lower()} tag “{name}”.")
            else:
                tags.append(tag)
        return tags

    def prompts(self, kind: str) -> list[PromptInput]:
        """The filled-in requests (or offers), in order. Call after ``is_valid``."""
        result = []
        for i in range(getattr(self.exchange, f"{kind}s_max")):
            data = PromptInput(description=self.cleaned_data.get(f"{kind}-{i}-description", ""))
            for s in self.settings:
                t = s.tag_type
                tags = self._tags(f"{kind}-{i}-{t}", t)
                optional = self._tags(f"{kind}-{i}-{t}-optional", t)
                if tags:
                    data.tags[t] = tags
                if optional:
                    data.optional[t] = optional
                if self.cleaned_data.get(f"{kind}-{i}-{t}-any"):
                    data.any.add(t)
            if data.tags or data.optional or data.any or data.description.strip():
                result.append(data)
        return result


class ExchangeSettingsForm(forms.Form):
    """Numbers of requests and offers, and the rules per tag type."""

    requests_min = forms.IntegerField(
        min_value=1, max_value=MAX_PROMPTS, initial=1, label="Requests, at least"
    )
    requests_max = forms.IntegerField(
        min_value=1, max_value=MAX_PROMPTS, initial=3, label="Requests, at most"
    )
    offers_min = forms.IntegerField(min_value=1, max_value=MAX_PROMPTS, initial=1, label="Offers, at least")
    offers_max = forms.IntegerField(min_value=1, max_value=MAX_PROMPTS, initial=3, label="Offers, at most")
    instructions = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 4}), max_length=20000)
    assignments_due_at = forms.DateTimeField(required=False, label="Gifts due (YYYY-MM-DD HH:MM)")

    NUMBERS = ("request_required", "request_allowed", "offer_required", "offer_allowed", "match_required")
    FLAGS = ("request_any", "offer_any", "match_optional")
    LABELS = {
        "request_required": "requests must name",
        "request_allowed": "requests may name up to",
        "offer_required": "offers must name",
        "offer_allowed": "offers may name up to",
        "match_required": "shared tags needed for a match (0: not compared)",
        "request_any": 'requests may say "any"',
        "offer_any": 'offers may say "any"',
        "match_optional": "optional tags count for the match",
    }

    def __init__(self, *args, exchange: GiftExchange | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        current = {s.tag_type: s for s in exchange.type_settings.all()} if exchange else {}
        defaults = {TagType.FANDOM: (1, 1, 1, 1, 1), TagType.CHARACTER: (0, 3, 0, 5, 1)}
        for t in EXCHANGE_TAG_TYPES:
            setting = current.get(t)
            name = t.label
            self.fields[f"{t}-enabled"] = forms.BooleanField(
                required=False,
                label=f"Ask for {name.lower()} tags",
                initial=setting is not None or t in defaults,
            )
            numbers = defaults.get(t, (0, 2, 0, 2, 0))
            for attr, default in zip(self.NUMBERS, numbers, strict=True):
                self.fields[f"{t}-{attr}"] = forms.IntegerField(
                    min_value=0,
                    max_value=75,
                    label=f"{name}: {self.LABELS[attr]}",
                    initial=getattr(setting, attr) if setting else default,
                )
            for attr in self.FLAGS:
                self.fields[f"{t}-{attr}"] = forms.BooleanField(
                    required=False,
                    label=f"{name}: {self.LABELS[attr]}",
                    initial=getattr(setting, attr) if setting else attr == "offer_any",
                )
        if exchange is not None:
            for name in (
                "requests_min",
                "requests_max",
                "offers_min",
                "offers_max",
                "instructions",
                "assignments_due_at",
            ):
                self.fields[name].initial = getattr(exchange, name)

    def type_groups(self):
        return [
            (t.label, [self[f"{t}-enabled"]] + [self[f"{t}-{a}"] for a in self.NUMBERS + self.FLAGS])
            for t in EXCHANGE_TAG_TYPES
        ]

    def general_fields(self):
        return [
            self[n]
            for n in (
                "requests_min",
                "requests_max",
                "offers_min",
                "offers_max",
                "instructions",
                "assignments_due_at",
            )
        ]

    def to_settings(self) -> ExchangeSettings:
        data = self.cleaned_data
        types = [
            TypeRules(tag_type=t.value, **{a: data[f"{t}-{a}"] for a in self.NUMBERS + self.FLAGS})
            for t in EXCHANGE_TAG_TYPES
            if data.get(f"{t}-enabled")
        ]
        return ExchangeSettings(
            requests_min=data["requests_min"],
            requests_max=data["requests_max"],
            offers_min=data["offers_min"],
            offers_max=data["offers_max"],
            instructions=data.get("instructions", ""),
            assignments_due_at=data.get("assignments_due_at"),
            types=types,
        )


class PinchHitForm(forms.Form):
    username = forms.CharField(max_length=150, label="Pinch hitter (username)")

    def clean_username(self):
        name = self.cleaned_data["username"].strip()
        user = get_user_model().objects.filter(username__iexact=name, is_active=True).first()
        if user is None:
            raise forms.ValidationError(f"There is no active account “{name}”.")
        return user


class FulfilForm(forms.Form):
    work = forms.ModelChoiceField(queryset=Work.objects.none(), label="Your gift", empty_label=None)

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["work"].queryset = (  # type: ignore[attr-defined]
            Work.objects.filter(creatorships__pseud__user=user, draft=False)
            .distinct()
            .order_by("-updated", "title")
        )
