"""Account forms: sign-up, log-in, email, deletion, pseuds, tokens, and the reader's settings."""

from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError

from fanfold.accounts import services
from fanfold.accounts.context_processors import FONT_SIZE_MAX, FONT_SIZE_MIN
from fanfold.accounts.models import Preference, User
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


# --- Accounts ----------------------------------------------------------------------------------------


class _Form(forms.Form):
    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


def _password_field(label: str, autocomplete: str, help_text: str = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        strip=False,
        help_text=help_text,
        widget=forms.PasswordInput(attrs={"autocomplete": autocomplete}),
    )


class SignupForm(_Form):
    username = forms.CharField(
        label="Username",
        help_text=(
            f"{services.USERNAME_MIN} to {services.USERNAME_MAX} letters, digits or underscores, "
            "beginning and ending with a letter or digit. Your first pseud has the same name."
        ),
        widget=forms.TextInput(
            attrs={"autocomplete": "username", "autocapitalize": "none", "maxlength": services.USERNAME_MAX}
        ),
    )
    email = forms.EmailField(
        label="Email", widget=forms.EmailInput(attrs={"autocomplete": "email"}), max_length=254
    )
    password1 = _password_field(
        "Password", "new-password", "At least 8 characters; not only digits, not a common password."
    )
    password2 = _password_field("Password again", "new-password")

    def clean_username(self) -> str:
        try:
            username = services.validate_username(self.cleaned_data["username"])
        except services.AccountError as error:
            raise ValidationError(error.message) from None
        if services.username_taken(username):
            raise ValidationError("That username is already taken. Please choose another.")
        return username

    def clean_email(self) -> str:
        try:
            return services.clean_email(self.cleaned_data["email"])
        except services.AccountError as error:
            raise ValidationError(error.message) from None

    def clean(self) -> dict:
        data = super().clean() or {}
        first, second = data.get("password1"), data.get("password2")
        if first and second:
            if first != second:
                self.add_error("password2", "The two passwords are not the same.")
            else:
                candidate = User(username=data.get("username", ""), email=data.get("email", ""))
                try:
                    services.check_password_rules(first, candidate)
                except services.AccountError as error:
                    self.add_error("password1", error.message)
        return data


class LoginForm(AuthenticationForm):
    """Django's log-in form, saying so when the account is suspended (to its owner only)."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def clean(self) -> dict:
        try:
            return super().clean()
        except ValidationError:
            username = self.cleaned_data.get("username") or ""
            password = self.cleaned_data.get("password") or ""
            account = User.objects.filter(username__iexact=username, suspended_at__isnull=False).first()
            # Only someone who knows the password learns that the account is suspended.
            if account is not None and password and account.check_password(password):
                raise ValidationError(
                    "This account has been suspended, so it cannot log in. "
                    "Please contact the archive's administrators.",
                    code="suspended",
                ) from None
            raise


class _CurrentPasswordMixin:
    """Forms that change something important ask for the current password."""

    user: User
    cleaned_data: dict

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise ValidationError("That is not your current password.")
        return password


class EmailChangeForm(_CurrentPasswordMixin, _Form):
    email = forms.EmailField(
        label="New email", max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    password = _password_field("Current password", "current-password")

    def __init__(self, user: User, *args, **kwargs) -> None:
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_email(self) -> str:
        try:
            return services.clean_email(self.cleaned_data["email"], exclude=self.user)
        except services.AccountError as error:
            raise ValidationError(error.message) from None


class DeleteAccountForm(_CurrentPasswordMixin, _Form):
    ORPHAN_KEEP, ORPHAN_ANONYMOUS, DELETE = "orphan_keep", "orphan_anonymous", "delete"

    works = forms.ChoiceField(
        label="What should happen to my works?",
        widget=forms.RadioSelect,
        choices=[
            (ORPHAN_KEEP, "Orphan them, keeping my pseud names on them"),
            (ORPHAN_ANONYMOUS, "Orphan them, credited to “orphan_account” instead of my pseuds"),
            (DELETE, "Delete them (works I created with others stay, without my name)"),
        ],
        initial=ORPHAN_KEEP,
    )
    password = _password_field("Your password, to confirm", "current-password")

    def __init__(self, user: User, *args, **kwargs) -> None:
        self.user = user
        super().__init__(*args, **kwargs)

    def deletion_options(self) -> dict:
        choice = self.cleaned_data["works"]
        return {
            "works": "delete" if choice == self.DELETE else "orphan",
            "keep_pseud_names": choice != self.ORPHAN_ANONYMOUS,
        }


class PseudForm(_Form):
    name = forms.CharField(label="Name", max_length=services.PSEUD_NAME_MAX)
    description = forms.CharField(
        label="Description",
        required=False,
        max_length=services.PSEUD_DESCRIPTION_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Shown on your profile. Plain text.",
    )


class TokenForm(_Form):
    name = forms.CharField(
        label="Name",
        required=False,
        max_length=100,
        help_text="A label to tell your tokens apart, e.g. “laptop script”.",
    )
